"""What the signed-in actor may do with a case now: decided once, here, for every summary
the services hand out (board, lists, results, details), so no widget re-derives a rule.

Three things decide it: the permission matrix (``domain.permissions``), whether the actor
is on the case's care team (the lead surgeon, the anesthetist and every CareTeamMember
row: a nurse on the team starts and completes the case like the surgeon does), and the
status machine (``domain.status_machine``). The services check every write again; these
rights are what the UI offers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from surgdesk.domain.enums import FINAL_STATUSES, CaseStatus
from surgdesk.domain.permissions import PERMISSIONS, Action, Grant, allowed
from surgdesk.domain.status_machine import (
    AUTOMATIC_TRANSITIONS,
    CLINICAL_TARGETS,
    NEEDS_REASON,
    can_transition,
)
from surgdesk.repository.repos import CaseRow
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.context import Actor
from surgdesk.services.dto import CaseRights

# Only these statuses sit on the board or in its queue, so only these are dragged.
_MOVABLE = frozenset({CaseStatus.REQUESTED, CaseStatus.POSTPONED, CaseStatus.SCHEDULED,
                      CaseStatus.PREOP_READY})
# Actions whose grant depends on the care team for some role (what the team query is for).
_TEAM_ACTIONS = (Action.SEE_PATIENT, Action.UPDATE_CHECKLIST, Action.SIGN_OFF,
                 Action.ADD_NOTE)
NO_RIGHTS = CaseRights()


@dataclass(frozen=True, slots=True)
class Grants:
    """What the actor's role grants on one case, whatever its status."""

    schedule: bool = False
    tick: bool = False
    sign_off: bool = False
    add_note: bool = False
    see_patient: bool = False


def grants(actor: Actor, *, on_team: bool) -> Grants:
    """The matrix for this actor on a case whose team they are (or are not) on.

    A wall display (device) acts for nobody: it sees no patient and may do nothing; a
    scheduler who unlocks it gets their own rights (``CaseService.rights_for``)."""
    if actor.is_device:
        return Grants()

    def may(action: Action) -> bool:
        return allowed(actor.role, action, on_care_team=on_team)

    return Grants(
        schedule=may(Action.SCHEDULE_CASES), tick=may(Action.UPDATE_CHECKLIST),
        sign_off=may(Action.SIGN_OFF), add_note=may(Action.ADD_NOTE),
        see_patient=may(Action.SEE_PATIENT),
    )


def case_rights(granted: Grants, status: CaseStatus, *, placed: bool) -> CaseRights:
    """The grants narrowed by the case's status. ``placed``: the case has a room and
    times (only then is 'scheduled' a status a person chooses)."""
    targets = tuple(
        target for target in CaseStatus  # the machine's order
        if can_transition(status, target)
        and (status, target) not in AUTOMATIC_TRANSITIONS  # preop_ready follows Readiness
        and (target is not CaseStatus.SCHEDULED or placed)  # placing a queued case does it
        and (granted.sign_off if target in CLINICAL_TARGETS else granted.schedule)
    )
    live = status is not CaseStatus.CANCELLED
    return CaseRights(
        status_targets=targets,
        needs_reason=tuple(t for t in targets if t in NEEDS_REASON),
        move=granted.schedule and status in _MOVABLE,
        edit=granted.schedule and status not in FINAL_STATUSES,
        tick=granted.tick and live,
        sign_off=granted.sign_off and live,
        add_note=granted.add_note,
        see_patient=granted.see_patient,
    )


def team_case_ids(uow: UnitOfWork, actor: Actor, case_ids: Iterable[int]) -> set[int]:
    """Of ``case_ids``, those whose care team rows hold the actor: one query, and none
    when the actor's role holds no right through a care team (admin, scheduler, viewer)."""
    ids = list(case_ids)
    if actor.is_device or actor.user_id is None or actor.role is None or not ids:
        return set()
    if not any(PERMISSIONS[a].get(actor.role) is Grant.CARE_TEAM for a in _TEAM_ACTIONS):
        return set()
    return uow.cases.care_team_case_ids(actor.user_id, ids)


def on_team(actor: Actor, row: CaseRow, team_ids: set[int]) -> bool:
    """On the case's team: a CareTeamMember row, or the case's own surgeon / anesthetist."""
    return actor.user_id is not None and (
        row.id in team_ids
        or actor.user_id in (row.lead_surgeon_user_id, row.anesthetist_user_id))


def is_placed(row: CaseRow) -> bool:
    """On the board: a room, a start and an end."""
    return None not in (row.room_id, row.scheduled_start, row.scheduled_end)


def row_rights(actor: Actor, row: CaseRow, team_ids: set[int]) -> CaseRights:
    return case_rights(grants(actor, on_team=on_team(actor, row, team_ids)), row.status,
                       placed=is_placed(row))


def rights_of_rows(uow: UnitOfWork, actor: Actor,
                   rows: Iterable[CaseRow]) -> dict[int, CaseRights]:
    """Case id -> rights, for many cases in at most one query."""
    listed = list(rows)
    team_ids = team_case_ids(uow, actor, (r.id for r in listed))
    return {r.id: row_rights(actor, r, team_ids) for r in listed}
