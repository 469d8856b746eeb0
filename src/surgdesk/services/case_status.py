"""A case's status: the status machine with its reason notes and checklist gates, and
sending a case back to the queue (unschedule: a status change that clears the room)."""

from __future__ import annotations

from typing import Any

from surgdesk.domain import models as m
from surgdesk.domain.enums import FINAL_STATUSES, CaseStatus, NoteType
from surgdesk.domain.permissions import Action
from surgdesk.domain.status_machine import CLINICAL_TARGETS, NEEDS_REASON, can_transition
from surgdesk.errors import BadInput, FieldProblem, TransitionRefused
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services import equipment_alloc as alloc
from surgdesk.services.base import diff
from surgdesk.services.case_common import (
    QUEUE_STATUSES,
    CaseJob,
    audit_state,
    check_version,
    enum_value,
    text_field,
)
from surgdesk.services.checklists import find_case, gate_missing, require_team
from surgdesk.services.conflicts import check_room
from surgdesk.services.context import Actor
from surgdesk.services.dto import CaseResult

_REASON_NOTE = {CaseStatus.POSTPONED: NoteType.DELAY, CaseStatus.CANCELLED: NoteType.CANCELLATION}


class CaseStatusChanges(CaseJob):
    """Status changes and unscheduling."""

    def set_status(
        self,
        actor: Actor,
        case_number: str,
        status: CaseStatus,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
        op_id: str | None = None,
    ) -> CaseResult:
        """Move a case through the status machine. Starting and completing are the care
        team's (sign-off right); the rest is the scheduler's. Asking for the status the
        case already has is a no-op."""
        target: CaseStatus = enum_value(CaseStatus, status, "status")
        if target not in CLINICAL_TARGETS:
            self.require(actor, Action.SCHEDULE_CASES, what=f"make cases {target.value}")
        with self.uow() as uow:
            case = find_case(uow, case_number)
            if target in CLINICAL_TARGETS:  # the right first: a replay answers nobody else
                require_team(uow, actor, case, Action.SIGN_OFF,
                             f"make {case.case_number} {target.value}")
            with self.operation(uow, op_id, "set_status", case=case) as claim:
                if not claim.replay:
                    check_version(case, expected_version)
                    tz = self.department_zone(uow)
                    if target is case.status:
                        return self._finish(uow, actor, case, tz)
                    self._transition(uow, actor, case, target, reason)
                    return self._finish(uow, actor, case, tz, readiness=True)
            return self._replayed_case(uow, actor, claim)

    def _transition(
        self, uow: UnitOfWork, actor: Actor, case: m.SurgeryCase, target: CaseStatus,
        reason: str | None, *, postponement_stands: bool = False,
    ) -> None:
        """``postponement_stands``: back to postponed with the reason note it already has
        (an undo of its scheduling; see ``unschedule``), so no new reason is asked."""
        current = case.status
        if not can_transition(current, target):
            final = " (final)" if current in FINAL_STATUSES else ""
            raise TransitionRefused(
                f"{case.case_number} is {current.value}{final}: it cannot become {target.value}"
            )
        if (current, target) == (CaseStatus.PREOP_READY, CaseStatus.SCHEDULED):
            raise TransitionRefused(
                "preop_ready follows the Readiness checklist: reopen a Readiness item to "
                "bring the case back to scheduled"
            )
        text = text_field(reason, "reason") if target in NEEDS_REASON \
            and not postponement_stands else None
        if target is CaseStatus.SCHEDULED:
            room, start, end = case.operating_room, case.scheduled_start, case.scheduled_end
            if room is None or start is None or end is None:
                raise TransitionRefused(
                    f"scheduled needs a room, a start and an end: schedule {case.case_number} "
                    "into a room"
                )
            check_room(uow, room, start, end, case_id=case.id)
        missing = gate_missing(uow.checklists.for_case(case.id), target)
        if missing:
            raise TransitionRefused(
                f"{case.case_number} cannot become {target.value}: required checklist items "
                f"not done: {', '.join(missing)}"
            )
        before = audit_state(case)
        case.status = target
        if target in QUEUE_STATUSES:
            _unplace(case)
        if target in QUEUE_STATUSES or target is CaseStatus.CANCELLED:
            # Off the board: the units go back (the needs stay for the next placement).
            alloc.release(case, uow=uow, now=self.now())
        elif target is CaseStatus.IN_PROGRESS:
            case.actual_start = self.now()
        elif target is CaseStatus.COMPLETED:
            case.actual_end = self.now()
        if text is not None:
            self._note(uow, actor, case, _REASON_NOTE[target], text)
        uow.flush()
        details: dict[str, Any] = {"case_number": case.case_number,
                                   **diff(before, audit_state(case))}
        if text is not None:
            details["reason"] = text
        if postponement_stands:
            details["postponement_restored"] = True
        self.audit(uow, actor, "set_status", case, details)

    def unschedule(
        self, actor: Actor, case_number: str, *, expected_version: int | None = None,
        op_id: str | None = None, to: CaseStatus = CaseStatus.REQUESTED,
    ) -> CaseResult:
        """Back to the queue: scheduled -> requested, room and times cleared.

        ``to=postponed`` undoes the scheduling of a postponed case: it goes back to the
        queue as postponed, without a new reason — allowed only when the case came onto
        the board from postponed (its history says so), so the postponement and its
        reason note still stand. Postponing anew needs ``set_status`` with a reason."""
        target: CaseStatus = enum_value(CaseStatus, to, "to")
        if target is CaseStatus.REQUESTED:
            return self.set_status(actor, case_number, CaseStatus.REQUESTED,
                                   expected_version=expected_version, op_id=op_id)
        if target is not CaseStatus.POSTPONED:
            raise BadInput(FieldProblem("to", "must be requested or postponed"))
        self.require(actor, Action.SCHEDULE_CASES, what="make cases postponed")
        with self.uow() as uow:
            case = find_case(uow, case_number)
            with self.operation(uow, op_id, "set_status", case=case) as claim:
                if not claim.replay:
                    check_version(case, expected_version)
                    return self._back_to_postponed(uow, actor, case)
            return self._replayed_case(uow, actor, claim)

    def _back_to_postponed(self, uow: UnitOfWork, actor: Actor,
                           case: m.SurgeryCase) -> CaseResult:
        tz = self.department_zone(uow)
        if case.status is CaseStatus.POSTPONED:
            return self._finish(uow, actor, case, tz)
        if case.status not in (CaseStatus.SCHEDULED, CaseStatus.PREOP_READY):
            raise TransitionRefused(
                f"{case.case_number} is {case.status.value}: only a case on the board "
                "goes back to the queue")
        if _board_entry_from(uow, case) is not CaseStatus.POSTPONED:
            raise TransitionRefused(
                f"{case.case_number} was not postponed before it was scheduled: "
                "postpone it with a reason instead")
        self._transition(uow, actor, case, CaseStatus.POSTPONED, None,
                         postponement_stands=True)
        return self._finish(uow, actor, case, tz, readiness=True)


def _board_entry_from(uow: UnitOfWork, case: m.SurgeryCase) -> CaseStatus | None:
    """The queue status the case left when it last came onto the board, from its audit
    trail (None when it was created onto the board or the trail does not say)."""
    queue = {s.value for s in QUEUE_STATUSES}
    events = sorted(uow.audit.for_target(type(case).__name__, case.id),
                    key=lambda e: e.id, reverse=True)
    for event in events:
        status = event.details.get("status") if isinstance(event.details, dict) else None
        if not isinstance(status, dict):
            continue
        before, after = status.get("before"), status.get("after")
        if after in queue:
            return None  # it went back to the queue after that: no board entry since
        if before in queue:
            return CaseStatus(before)
    return None


def _unplace(case: m.SurgeryCase) -> None:
    case.operating_room = None
    case.scheduled_start = None
    case.scheduled_end = None
    case.occupied_until = None
