"""Surgery cases: request, schedule, move and resize, status, team, notes, and the board.

Decisions where DESIGN.md leaves room:

- A case without an end or a duration lasts ``DEFAULT_DURATION_MIN`` (60) minutes; with
  an end or a duration, ``estimated_duration_min`` follows the scheduled length (a resize
  is a new estimate).
- ``preop_ready`` is never asked for: it follows the Readiness section by itself. Asking
  for it is accepted only when Readiness is already done (then it is applied); otherwise
  it is refused, naming the missing items. ``preop_ready -> scheduled`` by request is
  refused: reopen a Readiness item instead.
- Postponing (like unscheduling) clears the room and the times: the case goes back to the
  queue and needs a new slot. A cancelled case keeps its times as a record; it holds no
  room and the board leaves it out.
- ``move`` on a requested or postponed case with a room and a start schedules it (the
  board drags queue cards with the same call). Only scheduled and preop_ready cases move.
- Completed and cancelled cases are final: their fields and team no longer change.
- The case history is the audit log, read by admin and scheduler (DESIGN.md's matrix);
  the care team sees who ticked what on the checklist items themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from surgdesk.domain import models as m
from surgdesk.domain.enums import (
    FINAL_STATUSES,
    OCCUPYING_STATUSES,
    CaseStatus,
    Laterality,
    NoteType,
    Priority,
    Role,
    TeamRole,
)
from surgdesk.domain.limits import (
    CASE_DURATION,
    DEFAULT_CASE_DURATION_MIN,
    IDENT_MAX,
    NAME_MAX,
    date_problem,
    dob_problem,
)
from surgdesk.domain.permissions import Action
from surgdesk.domain.status_machine import CLINICAL_TARGETS, NEEDS_REASON, can_transition
from surgdesk.domain.timezones import LocalTimeError, day_bounds, to_utc
from surgdesk.errors import (
    BadInput,
    FieldProblem,
    NotFound,
    PermissionDenied,
    Refused,
    StaleVersion,
    TransitionRefused,
)
from surgdesk.repository.repos import CaseRow
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.base import Claim, Service, diff, validate
from surgdesk.services.case_rights import (
    case_rights,
    grants,
    on_team,
    rights_of_rows,
)
from surgdesk.services.case_views import (
    case_result,
    case_row,
    case_summary,
    checklist_view,
    note_view,
    row_summary,
    team_member_view,
)
from surgdesk.services.checklists import (
    copy_templates,
    find_case,
    gate_missing,
    in_phase_order,
    require_team,
    sync_readiness,
)
from surgdesk.services.conflicts import (
    PlacedCase,
    RoomRules,
    check_room,
    check_span,
    occupied_until,
    soft_conflicts,
    window_conflicts,
)
from surgdesk.services.context import Actor
from surgdesk.services.dto import (
    AuditEntry,
    BoardSnapshot,
    CaseDetail,
    CaseResult,
    CaseRights,
    CaseSummary,
    NoteView,
    SoftConflict,
    TeamMemberView,
)
from surgdesk.services.fields import FreeText, IdentLine, NameLine
from surgdesk.services.rooms import closure_view, room_view

DEFAULT_DURATION_MIN = DEFAULT_CASE_DURATION_MIN
MAX_DURATION_MIN = CASE_DURATION.high
# A board window longer than this is refused: the board shows days, not seasons.
MAX_BOARD_WINDOW = timedelta(days=62)
QUEUE_STATUSES = (CaseStatus.REQUESTED, CaseStatus.POSTPONED)

# Which user roles may fill a care-team role.
TEAM_ROLE_USERS: dict[TeamRole, frozenset[Role]] = {
    TeamRole.SURGEON: frozenset({Role.SURGEON}),
    TeamRole.ASSISTANT_SURGEON: frozenset({Role.SURGEON}),
    TeamRole.ANESTHESIOLOGIST: frozenset({Role.ANESTHESIOLOGIST}),
    TeamRole.CIRCULATING_NURSE: frozenset({Role.NURSE}),
    TeamRole.SCRUB_NURSE: frozenset({Role.NURSE}),
    TeamRole.COORDINATOR: frozenset({Role.NURSE, Role.SCHEDULER, Role.ADMIN}),
}
_REASON_NOTE = {CaseStatus.POSTPONED: NoteType.DELAY, CaseStatus.CANCELLED: NoteType.CANCELLATION}
EDITABLE_FIELDS = frozenset({
    "patient_name", "patient_id", "patient_dob", "procedure_name", "laterality", "specialty",
    "priority", "lead_surgeon", "anesthetist", "estimated_duration_min",
})


class _PatientDob(BaseModel):
    patient_dob: date | None = None

    @field_validator("patient_dob")
    @classmethod
    def _plausible(cls, value: date | None, info: ValidationInfo) -> date | None:
        """Not before 1900, not after the department's today (given in the context)."""
        if value is None:
            return None
        today = info.context["today"] if info.context else None
        if not isinstance(today, date):
            raise TypeError("validate case fields with the department's today")
        if (problem := dob_problem(value, today)) is not None:
            raise ValueError(problem)
        return value


class CaseFields(_PatientDob):
    """A new case's own fields, as the case form and ``cases add`` give them. Laterality
    has no default: ``not_applicable`` is a choice a person makes (wrong-site guard)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    procedure_name: NameLine
    patient_id: IdentLine
    patient_name: NameLine
    laterality: Laterality
    specialty: IdentLine | None = None
    priority: Priority = Priority.ELECTIVE
    estimated_duration_min: int = Field(default=DEFAULT_DURATION_MIN,
                                        ge=CASE_DURATION.low, le=CASE_DURATION.high)


class CaseEdit(_PatientDob):
    """The fields ``update_case`` may change; only those given are applied."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    procedure_name: NameLine | None = None
    patient_id: IdentLine | None = None
    patient_name: NameLine | None = None
    laterality: Laterality | None = None
    specialty: IdentLine | None = None
    priority: Priority | None = None
    lead_surgeon: IdentLine | None = None
    anesthetist: str | None = Field(default=None, max_length=IDENT_MAX)
    estimated_duration_min: int | None = Field(default=None, ge=CASE_DURATION.low,
                                               le=CASE_DURATION.high)


class _Duration(BaseModel):
    duration_min: int | None = Field(default=None, ge=CASE_DURATION.low,
                                     le=CASE_DURATION.high)


class _Text(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    text: FreeText


def _text(value: str | None, field: str) -> str:
    if value is None:
        raise BadInput(FieldProblem(field, "is required"))
    try:
        return validate(_Text, {"text": value}).text
    except BadInput as exc:
        raise BadInput(FieldProblem(field, exc.problems[0].reason)) from None


def _instant(value: datetime, tz: ZoneInfo, field: str) -> datetime:
    """A datetime as UTC: naive is department wall-clock time (DST gap or fold refused)."""
    if not isinstance(value, datetime):
        raise BadInput(FieldProblem(field, "must be a date and time"))
    _check_date(value.date(), field)  # year 1 or 9999 would overflow, not be refused
    try:
        return to_utc(value, tz)
    except LocalTimeError as exc:
        raise BadInput(FieldProblem(field, str(exc))) from None


def _minutes(span: timedelta) -> int:
    return max(1, round(span.total_seconds() / 60))


def _enum(cls: type[Any], value: Any, field: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        choices = ", ".join(v.value for v in cls)
        raise BadInput(FieldProblem(field, f"must be one of {choices}")) from None


def _state(case: m.SurgeryCase) -> dict[str, Any]:
    """What the audit trail compares before and after a change."""
    room = case.operating_room
    return {
        "status": case.status,
        "patient_name": case.patient_name,
        "patient_id": case.patient_id,
        "patient_dob": case.patient_dob,
        "procedure_name": case.procedure_name,
        "laterality": case.laterality,
        "specialty": case.specialty,
        "priority": case.priority,
        "room": room.code if room is not None else None,
        "scheduled_start": case.scheduled_start,
        "scheduled_end": case.scheduled_end,
        "estimated_duration_min": case.estimated_duration_min,
        "lead_surgeon": case.lead_surgeon.user.username,
        "anesthetist": case.anesthetist.username if case.anesthetist else None,
        "actual_start": case.actual_start,
        "actual_end": case.actual_end,
    }


class CaseService(Service):
    """Every use case of a surgery case. Times without an offset are department time."""

    # ---- creating and placing -------------------------------------------------------

    def create_case(
        self,
        actor: Actor,
        *,
        procedure_name: str,
        patient_id: str,
        patient_name: str,
        lead_surgeon: str,
        patient_dob: date | None = None,
        laterality: Laterality | None = None,
        specialty: str | None = None,
        priority: Priority = Priority.ELECTIVE,
        anesthetist: str | None = None,
        room: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        duration_min: int | None = None,
        op_id: str | None = None,
    ) -> CaseResult:
        """With a room and a start the case is scheduled, without both it is requested.
        ``laterality`` must be given (``not_applicable`` is a choice, never a default: the
        wrong-site-surgery guard).

        ``op_id`` (on every write here): the client's operation id; a retry with the same
        id returns the case as it is now instead of applying the change again."""
        placing = room is not None or start is not None
        self.require(actor, Action.SCHEDULE_CASES if placing else Action.REQUEST_CASE,
                     what="schedule cases" if placing else "request cases")
        if placing and room is None:
            raise BadInput(FieldProblem("room", "a start needs a room"))
        if placing and start is None:
            raise BadInput(FieldProblem("start", "a room needs a start"))
        if not placing and end is not None:
            raise BadInput(FieldProblem("start", "an end needs a room and a start"))
        given = {
            "procedure_name": procedure_name, "patient_id": patient_id,
            "patient_name": patient_name, "patient_dob": patient_dob,
            "laterality": laterality, "specialty": specialty, "priority": priority,
        }
        with self.uow() as uow:
            with self.operation(uow, op_id, "create_case") as claim:
                if not claim.replay:
                    tz = self.department_zone(uow)
                    span = None
                    estimate = self._duration(duration_min) or DEFAULT_DURATION_MIN
                    if start is not None:
                        span = self._span(tz, _instant(start, tz, "start"), end, duration_min,
                                          timedelta(minutes=estimate))
                        estimate = _minutes(span[1] - span[0])
                    fields = validate(CaseFields, {**given, "estimated_duration_min": estimate},
                                      context=self._field_context(tz))
                    room_row = self._room(uow, room) if room is not None else None
                    case = self._new_case(uow, actor, fields, tz, lead_surgeon, anesthetist)
                    if room_row is not None and span is not None:
                        check_room(uow, room_row, *span, case_id=None)
                        _place(case, room_row, *span)
                        case.status = CaseStatus.SCHEDULED
                    uow.flush()
                    self.audit(uow, actor, "create_case", case, {
                        "case_number": case.case_number,
                        **diff({}, {k: v for k, v in _state(case).items() if v is not None}),
                    })
                    return self._finish(uow, actor, case, tz, readiness=True)
            return self._replayed_case(uow, actor, claim)

    def _new_case(
        self, uow: UnitOfWork, actor: Actor, fields: CaseFields, tz: ZoneInfo,
        lead_surgeon: str, anesthetist: str | None,
    ) -> m.SurgeryCase:
        """A requested case with its number, its two people on the team, and its
        checklists copied from the templates."""
        surgeon = self._surgeon(uow, lead_surgeon)
        anesth = self._anesthetist(uow, anesthetist) if anesthetist else None
        now = self.now()
        case = m.SurgeryCase(
            case_number=uow.cases.next_case_number(now.astimezone(tz).year),
            patient_name=fields.patient_name, patient_id=fields.patient_id,
            patient_dob=fields.patient_dob, procedure_name=fields.procedure_name,
            laterality=fields.laterality, specialty=fields.specialty or surgeon.specialty,
            priority=fields.priority, status=CaseStatus.REQUESTED,
            estimated_duration_min=fields.estimated_duration_min,
            lead_surgeon=surgeon, anesthetist=anesth, created_by_id=actor.user_id,
            created_at=now, updated_at=now,
        )
        uow.cases.add(case)
        _sync_team(case, previous=())
        copy_templates(uow, case)
        return case

    def schedule(
        self,
        actor: Actor,
        case_number: str,
        *,
        room: str,
        start: datetime,
        end: datetime | None = None,
        duration_min: int | None = None,
        expected_version: int | None = None,
        op_id: str | None = None,
    ) -> CaseResult:
        """Put a requested or postponed case into a room (it becomes scheduled, or
        preop_ready at once when its Readiness items are already done)."""
        self.require(actor, Action.SCHEDULE_CASES, what="schedule cases")
        with self.uow() as uow:
            case = find_case(uow, case_number)
            with self.operation(uow, op_id, "schedule_case", case=case) as claim:
                if not claim.replay:
                    _check_version(case, expected_version)
                    if case.status not in QUEUE_STATUSES:
                        raise TransitionRefused(
                            f"{case.case_number} is {case.status.value}: only requested or "
                            "postponed cases are scheduled (move a scheduled one)"
                        )
                    return self._schedule_in(uow, actor, case, room, start, end, duration_min)
            return self._replayed_case(uow, actor, claim)

    def _schedule_in(
        self, uow: UnitOfWork, actor: Actor, case: m.SurgeryCase, room: str | None,
        start: datetime | None, end: datetime | None, duration_min: int | None,
    ) -> CaseResult:
        if room is None:
            raise BadInput(FieldProblem("room", "is required to schedule a case"))
        if start is None:
            raise BadInput(FieldProblem("start", "is required to schedule a case"))
        tz = self.department_zone(uow)
        span = self._span(tz, _instant(start, tz, "start"), end, duration_min,
                          timedelta(minutes=case.estimated_duration_min))
        room_row = self._room(uow, room)
        check_room(uow, room_row, *span, case_id=case.id)
        before = _state(case)
        _place(case, room_row, *span)
        case.status = CaseStatus.SCHEDULED
        uow.flush()
        self.audit(uow, actor, "schedule_case", case,
                   {"case_number": case.case_number, **diff(before, _state(case))})
        return self._finish(uow, actor, case, tz, readiness=True)

    def move(
        self,
        actor: Actor,
        case_number: str,
        *,
        room: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        duration_min: int | None = None,
        expected_version: int | None = None,
        op_id: str | None = None,
    ) -> CaseResult:
        """Move to another room and/or time, or resize. A new start alone keeps the length;
        an end or a duration resizes."""
        self.require(actor, Action.SCHEDULE_CASES, what="move cases")
        with self.uow() as uow:
            case = find_case(uow, case_number)
            with self.operation(uow, op_id, "move_case", case=case) as claim:
                if not claim.replay:
                    _check_version(case, expected_version)
                    return self._move(uow, actor, case, room, start, end, duration_min)
            return self._replayed_case(uow, actor, claim)

    def _move(
        self, uow: UnitOfWork, actor: Actor, case: m.SurgeryCase, room: str | None,
        start: datetime | None, end: datetime | None, duration_min: int | None,
    ) -> CaseResult:
        if case.status in QUEUE_STATUSES:
            return self._schedule_in(uow, actor, case, room, start, end, duration_min)
        if case.status not in (CaseStatus.SCHEDULED, CaseStatus.PREOP_READY):
            raise TransitionRefused(
                f"{case.case_number} is {case.status.value} and can no longer be moved"
            )
        tz = self.department_zone(uow)
        old_start, old_end = case.scheduled_start, case.scheduled_end
        assert old_start is not None
        assert old_end is not None
        assert case.operating_room is not None
        new_start = _instant(start, tz, "start") if start is not None else old_start
        span = self._span(tz, new_start, end, duration_min, old_end - old_start)
        room_row = self._room(uow, room) if room is not None else case.operating_room
        if (room_row.id, *span) == (case.operating_room_id, old_start, old_end):
            return self._finish(uow, actor, case, tz)
        check_room(uow, room_row, *span, case_id=case.id)
        before = _state(case)
        _place(case, room_row, *span)
        uow.flush()
        self.audit(uow, actor, "move_case", case,
                   {"case_number": case.case_number, **diff(before, _state(case))})
        return self._finish(uow, actor, case, tz)

    def unschedule(
        self, actor: Actor, case_number: str, *, expected_version: int | None = None,
        op_id: str | None = None, to: CaseStatus = CaseStatus.REQUESTED,
    ) -> CaseResult:
        """Back to the queue: scheduled -> requested, room and times cleared.

        ``to=postponed`` undoes the scheduling of a postponed case: it goes back to the
        queue as postponed, without a new reason — allowed only when the case came onto
        the board from postponed (its history says so), so the postponement and its
        reason note still stand. Postponing anew needs ``set_status`` with a reason."""
        target: CaseStatus = _enum(CaseStatus, to, "to")
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
                    _check_version(case, expected_version)
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

    # ---- status ---------------------------------------------------------------------

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
        target: CaseStatus = _enum(CaseStatus, status, "status")
        if target not in CLINICAL_TARGETS:
            self.require(actor, Action.SCHEDULE_CASES, what=f"make cases {target.value}")
        with self.uow() as uow:
            case = find_case(uow, case_number)
            if target in CLINICAL_TARGETS:  # the right first: a replay answers nobody else
                require_team(uow, actor, case, Action.SIGN_OFF,
                             f"make {case.case_number} {target.value}")
            with self.operation(uow, op_id, "set_status", case=case) as claim:
                if not claim.replay:
                    _check_version(case, expected_version)
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
        text = _text(reason, "reason") if target in NEEDS_REASON \
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
        before = _state(case)
        case.status = target
        if target in QUEUE_STATUSES:
            _unplace(case)
        elif target is CaseStatus.IN_PROGRESS:
            case.actual_start = self.now()
        elif target is CaseStatus.COMPLETED:
            case.actual_end = self.now()
        if text is not None:
            self._note(uow, actor, case, _REASON_NOTE[target], text)
        uow.flush()
        details: dict[str, Any] = {"case_number": case.case_number,
                                   **diff(before, _state(case))}
        if text is not None:
            details["reason"] = text
        if postponement_stands:
            details["postponement_restored"] = True
        self.audit(uow, actor, "set_status", case, details)

    # ---- editing --------------------------------------------------------------------

    def update_case(
        self, actor: Actor, case_number: str, *, expected_version: int | None,
        op_id: str | None = None, **fields: Any,
    ) -> CaseResult:
        """Edit the case form's fields: patient, procedure, laterality, specialty,
        priority, estimated duration, lead surgeon and anesthetist (usernames; the
        anesthetist may be None). The care team follows the two people."""
        self.require(actor, Action.SCHEDULE_CASES, what="edit cases")
        with self.uow() as uow:
            edit = validate(CaseEdit, fields,
                            context=self._field_context(self.department_zone(uow)))
            for name in edit.model_fields_set & {
                    "procedure_name", "patient_id", "patient_name", "laterality", "priority",
                    "lead_surgeon", "estimated_duration_min"}:
                if getattr(edit, name) is None:
                    raise BadInput(FieldProblem(name, "may not be empty"))
            case = find_case(uow, case_number)
            with self.operation(uow, op_id, "update_case", case=case) as claim:
                if not claim.replay:
                    _check_version(case, expected_version)
                    return self._edit(uow, actor, case, edit)
            return self._replayed_case(uow, actor, claim)

    def _edit(self, uow: UnitOfWork, actor: Actor, case: m.SurgeryCase,
              edit: CaseEdit) -> CaseResult:
        given = edit.model_fields_set
        if case.status in FINAL_STATUSES:
            raise TransitionRefused(f"{case.case_number} is {case.status.value} (final)")
        tz = self.department_zone(uow)
        before = _state(case)
        previous = (case.lead_surgeon.user, case.anesthetist)
        # People first: an emptied specialty falls back to the (new) lead surgeon's.
        if "lead_surgeon" in given and edit.lead_surgeon is not None:
            case.lead_surgeon = self._surgeon(uow, edit.lead_surgeon)
        if "anesthetist" in given:
            name = (edit.anesthetist or "").strip()
            case.anesthetist = self._anesthetist(uow, name) if name else None
        for name in given - {"lead_surgeon", "anesthetist"}:
            value = getattr(edit, name)
            setattr(case, name, value if name != "specialty" or value else
                    case.lead_surgeon.specialty)
        _sync_team(case, previous=previous)
        changes = diff(before, _state(case))
        if changes:
            uow.flush()
            self.audit(uow, actor, "update_case",
                       case, {"case_number": case.case_number, **changes})
        return self._finish(uow, actor, case, tz)

    # ---- reading --------------------------------------------------------------------

    def get_case(self, actor: Actor, case_number: str) -> CaseDetail:
        """Everything about one case; patient fields None when the actor may not see them."""
        self.require(actor, Action.SEE_BOARD, what="see cases")
        with self.uow(read_only=True) as uow:
            case = self._case(uow, case_number, None)
            return self._detail(uow, actor, case)

    def open_case(self, actor: Actor, case_number: str) -> CaseDetail:
        """``get_case`` for a person opening the case: seeing the patient is audited."""
        self.require(actor, Action.SEE_BOARD, what="see cases")
        with self.uow() as uow:
            case = self._case(uow, case_number, None)
            detail = self._detail(uow, actor, case)
            if not detail.case.patient_masked:
                self.audit(uow, actor, "view_case", case, {"case_number": case.case_number})
                uow.commit()
            return detail

    def day_sheet(self, actor: Actor, day: date) -> list[CaseDetail]:
        """Every case of a department day that holds a room or ran (not cancelled, not
        requested), in full, as the printed day list shows them. A sheet that shows any
        patient is audited once (``print_day_list``): printing discloses like opening."""
        self.require(actor, Action.SEE_BOARD, what="see cases")
        with self.uow() as uow:
            tz = self.department_zone(uow)
            start, end = _date_range(day, day, tz, ("day", "day"))
            cases = uow.cases.search(start=start, end=end)
            details = [self._detail(uow, actor, c) for c in cases
                       if c.status not in (CaseStatus.CANCELLED, CaseStatus.REQUESTED)
                       and c.operating_room_id is not None]
            shown = [d.case.case_number for d in details if not d.case.patient_masked]
            if shown:
                uow.audit.record(actor_id=actor.user_id, action="print_day_list",
                                 target_class="DayList", target_id=None,
                                 details={"day": day.isoformat(), "case_numbers": shown},
                                 at=self.now())
                uow.commit()
            return details

    def record_downtime_print(
        self,
        actor: Actor,
        day: date,
        printed_at: datetime,
        shows_patients: bool,
        case_count: int,
        *,
        case_numbers: Sequence[str] = (),
        op_id: str | None = None,
    ) -> bool:
        """Audit a day list printed (or saved as PDF) during an outage from what an open
        board held — no database call was possible then, so the window keeps this and
        writes it once the database is back.

        The same action as a live print (``print_day_list``), with ``downtime: true``,
        when it was printed, whether it showed patients, how many cases it listed and
        the numbers of those whose patient it showed (case numbers only, never a patient
        name or id). Recorded even when every patient was masked: a paper copy of stale
        data went round. Idempotent by ``op_id``: True when recorded now, False when that
        operation was already recorded."""
        self.require(actor, Action.SEE_BOARD, what="print day lists")
        if not isinstance(day, date) or isinstance(day, datetime):
            raise BadInput(FieldProblem("day", "must be a date"))
        _check_date(day, "day")
        if printed_at.tzinfo is None or printed_at.utcoffset() is None:
            raise BadInput(FieldProblem("printed_at", "needs a time zone (an instant)"))
        if case_count < 0:
            raise BadInput(FieldProblem("case_count", "may not be negative"))
        shown = [number.strip() for number in case_numbers]
        if any(not number or len(number) > NAME_MAX for number in shown):
            raise BadInput(FieldProblem("case_numbers", "holds an empty or too long number"))
        if len(shown) > case_count:
            raise BadInput(FieldProblem("case_numbers", "more than case_count"))
        details = {"day": day.isoformat(), "downtime": True,
                   "printed_at": printed_at.astimezone(UTC).isoformat(),
                   "shows_patients": bool(shows_patients), "case_count": case_count,
                   "case_numbers": shown}
        with self.uow() as uow, self.operation(uow, op_id, "print_day_list") as claim:
            if not claim.replay:
                self._record_print(uow, actor, "print_day_list", "DayList", details)
        return not claim.replay

    def _record_print(self, uow: UnitOfWork, actor: Actor, action: str, target_class: str,
                      details: dict[str, Any]) -> None:
        """An audit event of its own (a print or an export: no case is its target), with
        the unit's operation, committed."""
        event = uow.audit.record(actor_id=actor.user_id, action=action,
                                 target_class=target_class, target_id=None, at=self.now(),
                                 details=details)
        uow.flush()
        self.remember_operation(uow, actor, event)
        uow.commit()

    def record_board_export(
        self, actor: Actor, first_day: date, days: int, shows_patients: bool, *,
        op_id: str | None = None,
    ) -> bool:
        """Audit a board written to a file (``surgdesk board --out``): an export that can
        show patients discloses like a printed day list, so it leaves an ``export_board``
        event — the window (first department day, number of days), whether it showed
        patients, how many cases it held and the numbers of those whose patient the actor
        sees (case numbers only, never a patient name or id). Idempotent by ``op_id``:
        True when recorded now, False when that operation was already recorded."""
        self.require(actor, Action.SEE_BOARD, what="export the board")
        if not isinstance(first_day, date) or isinstance(first_day, datetime):
            raise BadInput(FieldProblem("first_day", "must be a date"))
        _check_date(first_day, "first_day")
        if isinstance(days, bool) or not isinstance(days, int) \
                or not 1 <= days <= MAX_BOARD_WINDOW.days:
            raise BadInput(FieldProblem("days", f"must be 1 to {MAX_BOARD_WINDOW.days}"))
        with self.uow() as uow, self.operation(uow, op_id, "export_board") as claim:
            if not claim.replay:
                tz = self.department_zone(uow)
                lo = day_bounds(first_day, tz)[0]
                hi = day_bounds(first_day + timedelta(days=days - 1), tz)[1]
                shown = [s for s in CaseStatus if s is not CaseStatus.CANCELLED]
                rows = uow.cases.rows_in_window(lo, hi, statuses=shown)
                rights = rights_of_rows(uow, actor, rows)
                numbers = [r.case_number for r in rows
                           if shows_patients and rights[r.id].see_patient]
                self._record_print(uow, actor, "export_board", "Board", {
                    "first_day": first_day.isoformat(), "days": days,
                    "shows_patients": bool(shows_patients), "case_count": len(rows),
                    "case_numbers": numbers})
        return not claim.replay

    def _detail(self, uow: UnitOfWork, actor: Actor, case: m.SurgeryCase) -> CaseDetail:
        full = uow.cases.with_details(case.id)
        assert full is not None
        tz = self.department_zone(uow)
        row = case_row(full)
        team_ids = {full.id} if actor.user_id is not None and any(
            t.user_id == actor.user_id for t in full.team) else set()
        # One computation: the role's grants on this case, and the rights they give now.
        granted = grants(actor, on_team=on_team(actor, row, team_ids))
        rights = case_rights(granted, full.status, placed=None not in (
            row.room_id, row.scheduled_start, row.scheduled_end))
        see = rights.see_patient
        progress = uow.cases.checklist_progress([case.id]).get(case.id, (0, 0))
        codes = sorted({w.code for w in soft_conflicts(uow, full, tz)})
        summary = case_summary(full, rights=rights, progress=progress, conflicts=codes)
        return CaseDetail(
            case=summary,
            team=tuple(team_member_view(t) for t in sorted(full.team, key=lambda t: t.id)),
            checklists=tuple(checklist_view(c, see_notes=see)
                             for c in in_phase_order(uow.checklists.for_case(case.id))),
            # Notes are free text about the patient: masked callers get none.
            notes=tuple(note_view(n) for n in full.notes) if see else (),
            can_edit_schedule=granted.schedule,
            can_update_checklist=granted.tick,
            can_sign_off=granted.sign_off,
            can_add_note=granted.add_note,
        )

    def list_cases(
        self,
        actor: Actor,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        room: str | None = None,
        status: CaseStatus | None = None,
    ) -> list[CaseSummary]:
        """Cases by department dates (inclusive; any part in the range counts; only cases
        with times), room and status. Without dates every case, requested ones included."""
        self.require(actor, Action.SEE_BOARD, what="list cases")
        wanted = _enum(CaseStatus, status, "status") if status is not None else None
        with self.uow(read_only=True) as uow:
            tz = self.department_zone(uow)
            start, end = _date_range(date_from, date_to, tz)
            room_ids = [self._room(uow, room).id] if room is not None else None
            cases = uow.cases.search(start=start, end=end, room_ids=room_ids,
                                     statuses=[wanted] if wanted else None)
            return self._summaries(uow, actor, [case_row(c) for c in cases], tz)

    def my_cases(
        self, actor: Actor, *, date_from: date | None = None, date_to: date | None = None
    ) -> list[CaseSummary]:
        """Cases whose care team the actor is on, by department dates (inclusive)."""
        self.require(actor, Action.SEE_BOARD, what="list cases")
        if actor.user_id is None:
            return []
        with self.uow(read_only=True) as uow:
            tz = self.department_zone(uow)
            start, end = _date_range(date_from, date_to, tz)
            cases = uow.cases.search(start=start, end=end, member_user_id=actor.user_id)
            return self._summaries(uow, actor, [case_row(c) for c in cases], tz)

    def board(self, actor: Actor, start: datetime, end: datetime) -> BoardSnapshot:
        """Rooms, closures and cases of a window in one read, and the queue. Cancelled
        cases are left out; conflict marks are computed among the window's cases."""
        self.require(actor, Action.SEE_BOARD, what="see the board")
        with self.uow(read_only=True) as uow:
            settings = uow.settings.get()
            tz = self.department_zone(uow)
            lo, hi = _instant(start, tz, "start"), _instant(end, tz, "end")
            if hi <= lo:
                raise BadInput(FieldProblem("end", "must be after the start"))
            if hi - lo > MAX_BOARD_WINDOW:
                raise BadInput(FieldProblem("end", "the board shows at most 62 days"))
            rooms = uow.rooms.all()
            shown = [s for s in CaseStatus if s is not CaseStatus.CANCELLED]
            cases = uow.cases.rows_in_window(lo, hi, statuses=shown)
            queue = [case_row(c) for c in uow.cases.with_status(QUEUE_STATUSES)]
            return BoardSnapshot(
                window_start=lo, window_end=hi, time_zone=settings.time_zone,
                day_start=settings.day_start, day_end=settings.day_end,
                snap_minutes=settings.snap_minutes,
                rooms=tuple(room_view(r) for r in rooms),
                closures=tuple(closure_view(c)
                               for c in uow.rooms.closures_overlapping(None, lo, hi)),
                cases=tuple(self._summaries(uow, actor, cases, tz, rooms=rooms)),
                queue=tuple(self._summaries(uow, actor, queue, tz, rooms=rooms)),
            )

    def summaries_by_ids(self, actor: Actor, case_ids: Iterable[int]) -> list[CaseSummary]:
        """These cases as the board shows them, masked for the actor like ``board()``;
        ids that no longer exist are left out. Conflict marks are computed against every
        case overlapping them (not only among themselves), so they are the marks the case
        has now. Cancelled cases are included: the caller drops them from its board."""
        self.require(actor, Action.SEE_BOARD, what="see the board")
        with self.uow(read_only=True) as uow:
            tz = self.department_zone(uow)
            rows = uow.cases.rows_by_ids(set(case_ids))
            spans = [(r.scheduled_start, r.scheduled_end) for r in rows
                     if r.status in OCCUPYING_STATUSES]
            context: list[CaseRow] = list(rows)
            times = [(s, e) for s, e in spans if s is not None and e is not None]
            if times:
                lo, hi = min(s for s, _ in times), max(e for _, e in times)
                mine = {r.id for r in rows}
                context += [r for r in uow.cases.rows_in_window(
                    lo, hi, statuses=OCCUPYING_STATUSES) if r.id not in mine]
            ids = [r.id for r in rows]
            rights = rights_of_rows(uow, actor, rows)
            progress = uow.cases.checklist_progress(ids) if ids else {}
            marks = self._marks(uow, context, tz, None)
            return [
                row_summary(r, rights=rights[r.id],
                            progress=progress.get(r.id, (0, 0)), conflicts=marks.get(r.id, ()))
                for r in rows
            ]

    def _summaries(
        self, uow: UnitOfWork, actor: Actor, rows: Sequence[CaseRow], tz: ZoneInfo,
        *, rooms: Sequence[m.OperatingRoom] | None = None,
    ) -> list[CaseSummary]:
        """Summaries of many cases in a fixed number of queries (no query per case)."""
        ids = [r.id for r in rows]
        rights = rights_of_rows(uow, actor, rows)
        progress = uow.cases.checklist_progress(ids) if ids else {}
        marks = self._marks(uow, rows, tz, rooms)
        return [
            row_summary(r, rights=rights[r.id], progress=progress.get(r.id, (0, 0)),
                        conflicts=marks.get(r.id, ()))
            for r in rows
        ]

    def rights_for(self, actor: Actor, case_numbers: Iterable[str]) -> dict[str, CaseRights]:
        """What ``actor`` may do now with each of these cases, by case number (numbers
        that name no case are left out). For a wall display unlocked by a scheduler: its
        summaries were read as the device, the scheduler's rights are asked here."""
        self.require(actor, Action.SEE_BOARD, what="see the board")
        numbers = {n.strip() for n in case_numbers if n and n.strip()}
        if not numbers:
            return {}
        with self.uow(read_only=True) as uow:
            rows = uow.cases.rows_by_ids(c.id for c in uow.cases.by_numbers(numbers))
            rights = rights_of_rows(uow, actor, rows)
            return {r.case_number: rights[r.id] for r in rows}

    @staticmethod
    def _marks(
        uow: UnitOfWork, rows: Sequence[CaseRow], tz: ZoneInfo,
        rooms: Sequence[m.OperatingRoom] | None,
    ) -> dict[int, tuple[str, ...]]:
        timed = [(r, r.scheduled_start, r.scheduled_end) for r in rows
                 if r.status in OCCUPYING_STATUSES]
        if not timed:
            return {}
        teams = uow.cases.team_user_ids(r.id for r, _, _ in timed)
        placed = [
            PlacedCase(
                case_id=r.id, room_id=r.room_id, start=start, end=end,
                specialty=r.specialty, patient_id=r.patient_id,
                lead_user_id=r.lead_surgeon_user_id, anesthetist_user_id=r.anesthetist_user_id,
                team_user_ids=tuple(teams[r.id]),
            )
            for r, start, end in timed
            if start is not None and end is not None
        ]
        rules = {
            r.id: RoomRules(tuple(r.specialty_tags), r.opens_at, r.closes_at, tuple(r.weekdays))
            for r in (rooms if rooms is not None else uow.rooms.all())
        }
        return window_conflicts(placed, rules, tz)

    def history(self, actor: Actor, case_number: str) -> list[AuditEntry]:
        """The case's audit trail, newest first (admin and scheduler)."""
        self.require(actor, Action.READ_AUDIT, what="read the audit log")
        with self.uow(read_only=True) as uow:
            case = self._case(uow, case_number, None)
            return [
                AuditEntry(
                    id=e.id, event_time=e.event_time,
                    actor=e.actor.username if e.actor else None,
                    actor_name=e.actor.display_name if e.actor else None,
                    action=e.action, target_class=e.target_class, target_id=e.target_id,
                    details=dict(e.details),
                )
                for e in uow.audit.for_target("SurgeryCase", case.id)
            ]

    # ---- care team and notes --------------------------------------------------------

    def assign_team_member(
        self, actor: Actor, case_number: str, username: str, role: TeamRole
    ) -> TeamMemberView:
        """Put an active user of a matching role on the case's team (or change their
        role there). The lead surgeon and anesthetist keep the roles the case gives them."""
        self.require(actor, Action.SCHEDULE_CASES, what="assign care teams")
        team_role: TeamRole = _enum(TeamRole, role, "role")
        with self.uow() as uow:
            case = self._case(uow, case_number, None)
            _refuse_final(case)
            user = self._user(uow, username, "username")
            fits = TEAM_ROLE_USERS[team_role]
            if user.role not in fits:
                held = user.role.value if user.role else "no role"
                need = " or ".join(sorted(r.value for r in fits))
                raise BadInput(FieldProblem(
                    "role", f"{user.username} has {held}; a {team_role.value} must be {need}"
                ))
            fixed = _fixed_roles(case).get(user.id)
            if fixed is not None and fixed is not team_role:
                raise Refused(f"{user.username} is on {case.case_number} as its "
                              f"{fixed.value}; change the case's {fixed.value} instead")
            member = uow.cases.team_member(case.id, user.id)
            if member is not None and member.role is team_role:
                return team_member_view(member)
            before = member.role.value if member is not None else None
            if member is None:
                member = m.CareTeamMember(user=user, role=team_role, confirmed=False)
                case.team.append(member)
            member.role = team_role
            uow.flush()
            self.audit(uow, actor, "assign_team", case, {
                "case_number": case.case_number, "username": user.username,
                "role": {"before": before, "after": team_role.value},
            })
            view = team_member_view(member)
            uow.commit()
            return view

    def remove_team_member(self, actor: Actor, case_number: str, username: str) -> None:
        self.require(actor, Action.SCHEDULE_CASES, what="assign care teams")
        with self.uow() as uow:
            case = self._case(uow, case_number, None)
            _refuse_final(case)
            user = self._user(uow, username, "username", active_only=False)
            if user.id in _fixed_roles(case):
                raise Refused(f"{user.username} is {case.case_number}'s "
                              f"{_fixed_roles(case)[user.id].value}; change the case instead")
            member = uow.cases.team_member(case.id, user.id)
            if member is None:
                raise NotFound(f"{user.username} is not on the team of {case.case_number}",
                               field="username")
            case.team.remove(member)  # an orphan: deleted by the flush, and logged
            self.audit(uow, actor, "remove_team", case, {
                "case_number": case.case_number, "username": user.username,
                "role": {"before": member.role.value, "after": None},
            })
            uow.flush()
            uow.commit()

    def confirm_assignment(self, actor: Actor, case_number: str) -> TeamMemberView:
        """A member confirms their own place on the case's team."""
        with self.uow() as uow:
            case = self._case(uow, case_number, None)
            member = (uow.cases.team_member(case.id, actor.user_id)
                      if actor.user_id is not None else None)
            if member is None:
                raise PermissionDenied(
                    f"{actor.username or 'anonymous'} is not on the team of {case.case_number}")
            if not member.confirmed:
                member.confirmed = True
                uow.flush()
                self.audit(uow, actor, "confirm_team", case, {
                    "case_number": case.case_number, "username": actor.username,
                    "confirmed": {"before": False, "after": True},
                })
            view = team_member_view(member)
            uow.commit()
            return view

    def add_note(
        self, actor: Actor, case_number: str, note_type: NoteType, message: str, *,
        op_id: str | None = None,
    ) -> NoteView:
        """``op_id``: a retry with the same id answers with the note already added."""
        kind: NoteType = _enum(NoteType, note_type, "note_type")
        text = _text(message, "message")
        with self.uow() as uow:
            case = find_case(uow, case_number)
            require_team(uow, actor, case, Action.ADD_NOTE,
                         f"add notes to {case.case_number}")
            with self.operation(uow, op_id, "add_note", case=case) as claim:
                if not claim.replay:
                    note = self._note(uow, actor, case, kind, text)
                    uow.flush()
                    self.audit(uow, actor, "add_note", case, {
                        "case_number": case.case_number, "note_id": note.id,
                        "note_type": kind.value,
                    })
                    self.remember_operation(uow, actor, note)
                    view = note_view(note)
                    uow.commit()
                    return view
            with self.replay_unit(uow, claim) as unit:
                return self._note_of(find_case(unit, case_number), claim.target_id)

    @staticmethod
    def _note_of(case: m.SurgeryCase, note_id: int | None) -> NoteView:
        note = next((n for n in case.notes if n.id == note_id), None)
        if note is None:  # the operation wrote another case's note
            raise BadInput(FieldProblem("op_id", "was used for another operation"))
        return note_view(note)

    # ---- helpers ----------------------------------------------------------------------

    def _finish(
        self, uow: UnitOfWork, actor: Actor, case: m.SurgeryCase, tz: ZoneInfo, *,
        readiness: bool = False,
    ) -> CaseResult:
        """Apply the Readiness rule if asked, then result, warnings and commit."""
        if readiness:
            sync_readiness(self, uow, actor, case, uow.checklists.for_case(case.id))
        # A retry racing its original meets the operation's unique key here: the
        # ``operation`` block around the write answers it as a replay.
        self.remember_operation(uow, actor, case)
        uow.flush()
        result = case_result(uow, actor, case, soft_conflicts(uow, case, tz))
        if not uow.read_only:
            uow.commit()
        return result

    def _replayed_case(self, uow: UnitOfWork, actor: Actor, claim: Claim) -> CaseResult:
        """The answer to a retried operation: the case as it is now, nothing applied."""
        with self.replay_unit(uow, claim) as unit:
            case = unit.cases.get(claim.target_id) if claim.target_id is not None else None
            if case is None:
                raise NotFound("the case of that operation no longer exists", field="op_id")
            return case_result(unit, actor, case,
                               soft_conflicts(unit, case, self.department_zone(unit)))

    def _field_context(self, tz: ZoneInfo) -> dict[str, Any]:
        """What the case fields' validators need: the department's today, from the
        injected clock (never the PC's own clock or zone)."""
        return {"today": self.now().astimezone(tz).date()}

    def _note(
        self, uow: UnitOfWork, actor: Actor, case: m.SurgeryCase, kind: NoteType, text: str
    ) -> m.CaseNote:
        if actor.user_id is None:
            raise PermissionDenied("sign in to write notes")
        author = uow.users.get(actor.user_id)
        now = self.now()
        note = m.CaseNote(author=author, note_type=kind, message=text,
                          created_at=now, updated_at=now)
        case.notes.append(note)
        return note

    @staticmethod
    def _case(uow: UnitOfWork, case_number: str, expected_version: int | None, *,
              found: m.SurgeryCase | None = None) -> m.SurgeryCase:
        case = found if found is not None else find_case(uow, case_number)
        if expected_version is not None and case.version != expected_version:
            raise StaleVersion(
                f"{case.case_number} was changed by someone else meanwhile "
                f"(version {case.version}, you had {expected_version}); reload and try again",
                current_version=case.version,
            )
        return case

    @staticmethod
    def _room(uow: UnitOfWork, code: str) -> m.OperatingRoom:
        room = uow.rooms.by_code(code.strip()) if code and code.strip() else None
        if room is None:
            raise NotFound(f"no room {code!r}", field="room")
        return room

    @staticmethod
    def _user(uow: UnitOfWork, username: str, field: str, *,
              active_only: bool = True) -> m.User:
        user = uow.users.by_username(username.strip()) if username and username.strip() else None
        if user is None:
            raise NotFound(f"no user {username!r}", field=field)
        if active_only and not user.active:
            raise BadInput(FieldProblem(field, f"{user.username} is deactivated"))
        return user

    def _surgeon(self, uow: UnitOfWork, username: str) -> m.SurgeonProfile:
        user = self._user(uow, username, "lead_surgeon")
        profile = uow.users.surgeon_profile(user.id)
        if user.role is not Role.SURGEON or profile is None or not profile.active:
            raise BadInput(FieldProblem("lead_surgeon", f"{user.username} is not a surgeon"))
        return profile

    def _anesthetist(self, uow: UnitOfWork, username: str) -> m.User:
        user = self._user(uow, username, "anesthetist")
        if user.role is not Role.ANESTHESIOLOGIST:
            raise BadInput(FieldProblem("anesthetist",
                                        f"{user.username} is not an anesthesiologist"))
        return user

    @staticmethod
    def _duration(duration_min: int | None) -> int | None:
        return validate(_Duration, {"duration_min": duration_min}).duration_min

    def _span(
        self, tz: ZoneInfo, start: datetime, end: datetime | None, duration_min: int | None,
        default: timedelta,
    ) -> tuple[datetime, datetime]:
        """The case's [start, end): an end, a duration (they must agree when both are
        given), else ``default`` long."""
        minutes = self._duration(duration_min)
        if end is not None:
            stop = _instant(end, tz, "end")
            check_span(start, stop, end_field="end")
            if minutes is not None and stop - start != timedelta(minutes=minutes):
                raise BadInput(FieldProblem("duration_min", "does not match the end"))
            return start, stop
        stop = start + (timedelta(minutes=minutes) if minutes is not None else default)
        check_span(start, stop, end_field="duration_min")
        return start, stop


# ---- module helpers ---------------------------------------------------------------------


def _check_date(value: date, field: str) -> None:
    if not isinstance(value, date):
        raise BadInput(FieldProblem(field, "must be a date"))
    if (problem := date_problem(value)) is not None:
        raise BadInput(FieldProblem(field, problem))


def _date_range(
    date_from: date | None, date_to: date | None, tz: ZoneInfo,
    fields: tuple[str, str] = ("date_from", "date_to"),
) -> tuple[datetime | None, datetime | None]:
    """Department days [date_from, date_to] (inclusive; either open) as UTC bounds."""
    for value, field in zip((date_from, date_to), fields, strict=True):
        if value is not None:
            _check_date(value, field)
    if date_from is not None and date_to is not None and date_to < date_from:
        raise BadInput(FieldProblem(fields[1], f"is before {fields[0]}"))
    start = day_bounds(date_from, tz)[0] if date_from is not None else None
    end = day_bounds(date_to, tz)[1] if date_to is not None else None
    return start, end


def _place(case: m.SurgeryCase, room: m.OperatingRoom, start: datetime, end: datetime) -> None:
    case.operating_room = room
    case.scheduled_start = start
    case.scheduled_end = end
    case.occupied_until = occupied_until(end, room.turnover_minutes)
    case.estimated_duration_min = _minutes(end - start)


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


def _fixed_roles(case: m.SurgeryCase) -> dict[int, TeamRole]:
    """The people the case itself puts on its team, and as what."""
    fixed = {case.lead_surgeon.user_id: TeamRole.SURGEON}
    if case.anesthetist is not None:
        fixed[case.anesthetist.id] = TeamRole.ANESTHESIOLOGIST
    return fixed


def _sync_team(case: m.SurgeryCase, previous: Iterable[m.User | None]) -> None:
    """Keep the lead surgeon and the anesthetist on the team as surgeon / anesthesiologist,
    dropping whoever held those places before."""
    wanted: dict[int, tuple[m.User, TeamRole]] = {
        case.lead_surgeon.user.id: (case.lead_surgeon.user, TeamRole.SURGEON)}
    if case.anesthetist is not None:
        wanted[case.anesthetist.id] = (case.anesthetist, TeamRole.ANESTHESIOLOGIST)
    members = {member.user.id: member for member in case.team}
    for old in previous:
        if old is not None and old.id not in wanted and old.id in members:
            case.team.remove(members.pop(old.id))
    for uid, (user, role) in wanted.items():
        member = members.get(uid)
        if member is None:
            case.team.append(m.CareTeamMember(user=user, role=role, confirmed=False))
        elif member.role is not role:
            member.role = role


def _check_version(case: m.SurgeryCase, expected_version: int | None) -> None:
    """Refuse a write based on a version of the case that is no longer current."""
    if expected_version is not None and case.version != expected_version:
        raise StaleVersion(
            f"{case.case_number} was changed by someone else meanwhile "
            f"(version {case.version}, you had {expected_version}); reload and try again",
            current_version=case.version,
        )


def _refuse_final(case: m.SurgeryCase) -> None:
    if case.status in FINAL_STATUSES:
        raise TransitionRefused(f"{case.case_number} is {case.status.value} (final)")


__all__ = ["DEFAULT_DURATION_MIN", "CaseService", "SoftConflict"]
