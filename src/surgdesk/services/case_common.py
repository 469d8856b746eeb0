"""What the case jobs share: the case fields' input models, the parsing of times and
dates, the audit snapshot, and ``CaseJob``, the base of the job classes that
``CaseService`` composes (lookups, the end of a write, the answer to a replay)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from surgdesk.domain import models as m
from surgdesk.domain.enums import FINAL_STATUSES, CaseStatus, Laterality, NoteType, Priority, Role
from surgdesk.domain.limits import (
    CASE_DURATION,
    DEFAULT_CASE_DURATION_MIN,
    IDENT_MAX,
    date_problem,
    dob_problem,
)
from surgdesk.domain.timezones import LocalTimeError, day_bounds, to_utc
from surgdesk.errors import (
    BadInput,
    FieldProblem,
    NotFound,
    PermissionDenied,
    StaleVersion,
    TransitionRefused,
)
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.base import Claim, Service, validate
from surgdesk.services.case_views import (
    case_result,
)
from surgdesk.services.checklists import sync_readiness
from surgdesk.services.conflicts import check_span, soft_conflicts
from surgdesk.services.context import Actor
from surgdesk.services.dto import CaseResult
from surgdesk.services.fields import FreeText, IdentLine, NameLine

DEFAULT_DURATION_MIN = DEFAULT_CASE_DURATION_MIN
# The most equipment needs a case may have (a guard against runaway input, not a rule).
MAX_NEEDS = 12
# A board window longer than this is refused: the board shows days, not seasons.
MAX_BOARD_WINDOW = timedelta(days=62)
QUEUE_STATUSES = (CaseStatus.REQUESTED, CaseStatus.POSTPONED)


class PatientDob(BaseModel):
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


class CaseFields(PatientDob):
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


class CaseEdit(PatientDob):
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
    # Equipment kind names the case needs (repeated for two of a kind) and unit names
    # chosen (each pins a need); ``equipment=[]`` clears the needs.
    equipment: list[Annotated[str, Field(max_length=IDENT_MAX)]] | None = Field(
        default=None, max_length=MAX_NEEDS)
    units: list[Annotated[str, Field(max_length=IDENT_MAX)]] | None = Field(
        default=None, max_length=MAX_NEEDS)


class _Duration(BaseModel):
    duration_min: int | None = Field(default=None, ge=CASE_DURATION.low,
                                     le=CASE_DURATION.high)


class _Text(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    text: FreeText


def text_field(value: str | None, field: str) -> str:
    """A reason or a note: required, at most TEXT_MAX, no control character but line
    breaks and tabs; a problem names ``field``."""
    if value is None:
        raise BadInput(FieldProblem(field, "is required"))
    try:
        return validate(_Text, {"text": value}).text
    except BadInput as exc:
        raise BadInput(FieldProblem(field, exc.problems[0].reason)) from None


def instant(value: datetime, tz: ZoneInfo, field: str) -> datetime:
    """A datetime as UTC: naive is department wall-clock time (DST gap or fold refused)."""
    if not isinstance(value, datetime):
        raise BadInput(FieldProblem(field, "must be a date and time"))
    check_date(value.date(), field)  # year 1 or 9999 would overflow, not be refused
    try:
        return to_utc(value, tz)
    except LocalTimeError as exc:
        raise BadInput(FieldProblem(field, str(exc))) from None


def check_date(value: date, field: str) -> None:
    if not isinstance(value, date):
        raise BadInput(FieldProblem(field, "must be a date"))
    if (problem := date_problem(value)) is not None:
        raise BadInput(FieldProblem(field, problem))


def date_range(
    date_from: date | None, date_to: date | None, tz: ZoneInfo,
    fields: tuple[str, str] = ("date_from", "date_to"),
) -> tuple[datetime | None, datetime | None]:
    """Department days [date_from, date_to] (inclusive; either open) as UTC bounds."""
    for value, field in zip((date_from, date_to), fields, strict=True):
        if value is not None:
            check_date(value, field)
    if date_from is not None and date_to is not None and date_to < date_from:
        raise BadInput(FieldProblem(fields[1], f"is before {fields[0]}"))
    start = day_bounds(date_from, tz)[0] if date_from is not None else None
    end = day_bounds(date_to, tz)[1] if date_to is not None else None
    return start, end


def minutes_of(span: timedelta) -> int:
    return max(1, round(span.total_seconds() / 60))


def enum_value(cls: type[Any], value: Any, field: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        choices = ", ".join(v.value for v in cls)
        raise BadInput(FieldProblem(field, f"must be one of {choices}")) from None


def audit_state(case: m.SurgeryCase) -> dict[str, Any]:
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
        "equipment": equipment_state(case),
    }


def equipment_state(case: m.SurgeryCase) -> list[str] | None:
    """The case's needs for the audit trail: ``C-arm: C-arm 2`` (held), ``C-arm``
    (not held), ``(chosen)`` when pinned; kind and unit names only. None: needs none."""
    out = []
    for row in case.equipment:
        text = row.kind.name if row.unit is None else f"{row.kind.name}: {row.unit.name}"
        out.append(f"{text} (chosen)" if row.pinned else text)
    return sorted(out) or None


def check_version(case: m.SurgeryCase, expected_version: int | None) -> None:
    """Refuse a write based on a version of the case that is no longer current."""
    if expected_version is not None and case.version != expected_version:
        raise StaleVersion(
            f"{case.case_number} was changed by someone else meanwhile "
            f"(version {case.version}, you had {expected_version}); reload and try again",
            current_version=case.version,
        )


def refuse_final(case: m.SurgeryCase) -> None:
    if case.status in FINAL_STATUSES:
        raise TransitionRefused(f"{case.case_number} is {case.status.value} (final)")


class CaseJob(Service):
    """Base of the case jobs: lookups and the shared steps of a write."""

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
        result = case_result(uow, actor, case, soft_conflicts(uow, case, tz, self.now()))
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
                               soft_conflicts(unit, case, self.department_zone(unit),
                                              self.now()))

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
            stop = instant(end, tz, "end")
            check_span(start, stop, end_field="end")
            if minutes is not None and stop - start != timedelta(minutes=minutes):
                raise BadInput(FieldProblem("duration_min", "does not match the end"))
            return start, stop
        stop = start + (timedelta(minutes=minutes) if minutes is not None else default)
        check_span(start, stop, end_field="duration_min")
        return start, stop
