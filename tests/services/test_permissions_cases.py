"""DESIGN.md's permission matrix, for every role and every case action, through the services.

The clinical roles come twice: on the case's care team (surg1 as lead surgeon, anes1 as
anesthetist, nurse1 assigned) and off it (surg2, anes2, nurse2). ``wall`` is a wall
display: a viewer device.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from surgdesk.domain import models as m
from surgdesk.domain.enums import CaseStatus, NoteType, Phase, Role, TeamRole
from surgdesk.errors import PermissionDenied
from tests.services.factories import PEOPLE, Kit, at, kit, mark_done, team_case

__all__ = ["kit"]

ACTORS = ("admin", "sched", "surg1", "surg2", "anes1", "anes2", "nurse1", "nurse2", "viewer",
          "wall")
SCHEDULERS = {"admin", "sched"}
CARE_TEAM = {"admin", "surg1", "anes1", "nurse1"}  # admin holds every clinical right
NOTE_WRITERS = CARE_TEAM | {"sched"}
EVERYONE = set(ACTORS)

Call = Callable[[Kit, str, str, int], object]


def _create(kit: Kit, who: str, number: str, day: int) -> object:
    return kit.new_case(actor=kit[who], start=at(14, day=day), patient_id=f"P{day}")


def _request(kit: Kit, who: str, number: str, day: int) -> object:
    return kit.new_case(actor=kit[who], room=None)


def _schedule(kit: Kit, who: str, number: str, day: int) -> object:
    return kit.cases.schedule(kit[who], number, room="OR2", start=at(10, day=day))


def _start(kit: Kit, who: str, number: str, day: int) -> object:
    return kit.cases.set_status(kit[who], number, CaseStatus.IN_PROGRESS)


def _sign_off(kit: Kit, who: str, number: str, day: int) -> object:
    return kit.checklists.sign_off(kit[who], number, Phase.PRE_OP)


def _unscheduled(kit: Kit, number: str) -> None:
    kit.cases.unschedule(kit["admin"], number)


def _pre_op_done(kit: Kit, number: str) -> None:
    mark_done(kit, number, "Readiness", "Sign In", "Time Out", but="RD-CONSENT")
    kit.checklists.tick(kit["admin"], number, "RD-CONSENT")  # now preop_ready


def _see_patient(kit: Kit, who: str, number: str, day: int) -> object:
    case = kit.cases.get_case(kit[who], number).case
    if case.patient_name is None:
        raise PermissionDenied("masked")  # the matrix's "no" for seeing the patient
    return case


def _board_sees_patient(kit: Kit, who: str, number: str, day: int) -> object:
    board = kit.cases.board(kit[who], at(0, day=day), at(0, day=day + 1))
    if board.cases[0].patient_name is None:
        raise PermissionDenied("masked")
    return board


MATRIX: dict[str, tuple[Call, set[str]]] = {
    "create_scheduled": (_create, SCHEDULERS),
    "request": (_request, SCHEDULERS | {"surg1", "surg2"}),
    "schedule": (_schedule, SCHEDULERS),
    "move": (lambda k, w, n, d: k.cases.move(k[w], n, start=at(13, day=d)), SCHEDULERS),
    "resize": (lambda k, w, n, d: k.cases.move(k[w], n, duration_min=90), SCHEDULERS),
    "unschedule": (lambda k, w, n, d: k.cases.unschedule(k[w], n), SCHEDULERS),
    "postpone": (lambda k, w, n, d: k.cases.set_status(k[w], n, CaseStatus.POSTPONED,
                                                       reason="no bed"), SCHEDULERS),
    "cancel": (lambda k, w, n, d: k.cases.set_status(k[w], n, CaseStatus.CANCELLED,
                                                     reason="declined"), SCHEDULERS),
    "assign_team": (lambda k, w, n, d: k.cases.assign_team_member(
        k[w], n, "nurse2", TeamRole.SCRUB_NURSE), SCHEDULERS),
    "remove_team": (lambda k, w, n, d: k.cases.remove_team_member(k[w], n, "nurse1"),
                    SCHEDULERS),
    "edit_case": (lambda k, w, n, d: k.cases.update_case(
        k[w], n, expected_version=None, procedure_name="Revised"), SCHEDULERS),
    "tick_item": (lambda k, w, n, d: k.checklists.tick(k[w], n, "RD-CONSENT"), CARE_TEAM),
    "sign_off": (_sign_off, CARE_TEAM),
    "start_case": (_start, CARE_TEAM),
    "add_note": (lambda k, w, n, d: k.cases.add_note(k[w], n, NoteType.GENERAL, "hi"),
                 NOTE_WRITERS),
    "read_history": (lambda k, w, n, d: k.cases.history(k[w], n), SCHEDULERS),
    "see_board": (lambda k, w, n, d: k.cases.board(k[w], at(0), at(0, day=1)), EVERYONE),
    "see_patient": (_see_patient, NOTE_WRITERS),
    "board_patient": (_board_sees_patient, NOTE_WRITERS),
}


SETUP: dict[str, Callable[[Kit, str], None]] = {
    "schedule": _unscheduled,
    "start_case": _pre_op_done,
    "sign_off": _pre_op_done,
}


def _audit_count(kit: Kit) -> int:
    with kit.db.new_session() as s:
        return int(s.scalar(select(func.count(m.AuditEvent.id))) or 0)


@pytest.mark.parametrize("action", list(MATRIX))
def test_permission_matrix(kit: Kit, action: str) -> None:
    call, allowed = MATRIX[action]
    setup = SETUP.get(action)

    def prepared(day: int) -> str:
        number = team_case(kit, start=at(8, day=day), patient_id=f"MRN-{day}")
        if setup is not None:
            setup(kit, number)
        return number

    # A refusal changes nothing, so the refused share one case; each allowed gets its own.
    shared = prepared(len(ACTORS))
    wrong = []
    for day, who in enumerate(ACTORS):
        number = prepared(day) if who in allowed else shared
        before = _audit_count(kit)
        try:
            call(kit, who, number, day if who in allowed else len(ACTORS))
        except PermissionDenied:
            outcome = False
            if _audit_count(kit) != before:
                wrong.append(f"{who}: refused {action} but wrote audit events")
        else:
            outcome = True
        if outcome != (who in allowed):
            wrong.append(f"{who}: {action} {'allowed' if outcome else 'denied'}")
    assert wrong == []


def test_the_matrix_covers_every_role() -> None:
    roles = {PEOPLE[name][0] for name in ACTORS if name in PEOPLE}
    assert roles == set(Role)
