"""Where a case may go: hard conflicts refuse the change, soft ones come back as warnings.

The rules themselves are pure and live in ``domain`` (``domain.conflicts``,
``domain.room_hours``, ``domain.intervals``); this module asks the repository about the
cases concerned and words what it finds. The names the rest of the services import from
here (``PlacedCase``, ``window_conflicts``, the warning codes...) are re-exported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from surgdesk.domain import models as m
from surgdesk.domain import room_hours
from surgdesk.domain.conflicts import (
    ANESTHETIST_DOUBLE_BOOKED,
    EQUIPMENT_MISSING,
    OTHER_BLOCK,
    OUTSIDE_HOURS,
    PATIENT_DOUBLE_BOOKED,
    SPECIALTY,
    SURGEON_DOUBLE_BOOKED,
    TEAM_DOUBLE_BOOKED,
    Booked,
    PlacedCase,
    RoomRules,
    blocks_hit,
    double_bookings,
    specialty_mismatch,
    window_conflicts,
)
from surgdesk.domain.enums import OCCUPYING_STATUSES, TEAM_ROLE_LABELS, RoomStatus
from surgdesk.domain.intervals import occupied_until
from surgdesk.domain.limits import CASE_DURATION
from surgdesk.domain.room_hours import outside_hours
from surgdesk.errors import BadInput, FieldProblem, RoomConflict
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.block_spans import block_infos, read_occurrences
from surgdesk.services.dto import SoftConflict
from surgdesk.services.equipment_alloc import missing_message

__all__ = [
    "ANESTHETIST_DOUBLE_BOOKED", "MIN_CASE_DURATION", "OTHER_BLOCK", "OUTSIDE_HOURS",
    "PATIENT_DOUBLE_BOOKED",
    "SPECIALTY", "SURGEON_DOUBLE_BOOKED", "TEAM_DOUBLE_BOOKED", "PlacedCase", "Placement",
    "RoomRules", "case_people", "check_room", "check_span", "hours_text", "occupied_until",
    "outside_hours", "placement_warnings", "soft_conflicts", "specialty_mismatch",
    "window_conflicts",
]

MIN_CASE_DURATION = timedelta(minutes=CASE_DURATION.low)
_MAX_CASE_DURATION = timedelta(minutes=CASE_DURATION.high)


def check_span(start: datetime, end: datetime, *, end_field: str = "end") -> None:
    """Start before end, and a length within ``domain.limits.CASE_DURATION``."""
    if end <= start:
        raise BadInput(FieldProblem(end_field, "must be after the start"))
    if end - start < MIN_CASE_DURATION:
        raise BadInput(FieldProblem(end_field, "a case lasts at least one minute"))
    if end - start > _MAX_CASE_DURATION:
        raise BadInput(FieldProblem(end_field, "a case lasts at most 24 hours"))


def hours_text(room: m.OperatingRoom) -> str:
    return room_hours.hours_text(room.opens_at, room.closes_at, room.weekdays)


# ---- wording ------------------------------------------------------------------------------

# In what capacity a double-booked person works on the case the warning is about.
_CAPACITY = {SURGEON_DOUBLE_BOOKED: "Lead surgeon", ANESTHETIST_DOUBLE_BOOKED: "Anesthetist"}
_TEAM_CAPACITY = TEAM_ROLE_LABELS


def _capacity(uow: UnitOfWork, code: str, user_id: int, case_id: int | None) -> str:
    if code in _CAPACITY:
        return _CAPACITY[code]
    member = uow.cases.team_member(case_id, user_id) if case_id is not None else None
    return _TEAM_CAPACITY.get(member.role, "Care team member") if member else "Care team member"


def _where(booked: Booked, tz: ZoneInfo, day: date) -> str:
    """``in OR1 08:00–09:00 (case 2026-000001)``, in department time; the date is named
    when the other case starts on another day than the one the warning is about."""
    start, end = booked.start.astimezone(tz), booked.end.astimezone(tz)
    when = f"{start:%H:%M}\u2013{end:%H:%M}"
    if start.date() != day:
        when = f"{start:%Y-%m-%d} {when}"
    room = f"in {booked.room_code} " if booked.room_code else ""
    return f"{room}{when} (case {booked.case_number})"


def double_booking_message(capacity: str, name: str, others: list[Booked], tz: ZoneInfo,
                           day: date) -> str:
    """``Lead surgeon Dr Who is also booked in OR1 08:00–09:00 (case 2026-000001)``."""
    where = " and ".join(_where(b, tz, day) for b in others)
    return f"{capacity} {name} is also booked {where}"


# ---- checks against the database -------------------------------------------------------


def check_room(
    uow: UnitOfWork,
    room: m.OperatingRoom,
    start: datetime,
    end: datetime,
    *,
    case_id: int | None,
) -> None:
    """Refuse a room that is not active, closed on a date, or held by another case.

    In a writing unit the room row is locked first, so the turnover used for
    ``occupied_until`` is the committed one even while someone edits the room."""
    if not uow.read_only:
        uow.rooms.lock(room)
    if room.status is not RoomStatus.ACTIVE:
        raise RoomConflict(f"{room.code} is {room.status.value}", field="room")
    closures = uow.rooms.closures_overlapping(room.id, start, end)
    if closures:
        first = closures[0]
        raise RoomConflict(
            f"{room.code} is closed from {first.starts_at:%Y-%m-%d %H:%M} to "
            f"{first.ends_at:%Y-%m-%d %H:%M} UTC ({first.reason})",
            field="room",
        )
    held_until = occupied_until(end, room.turnover_minutes)
    taken = uow.cases.room_bookings(room.id, start, held_until, exclude_case_id=case_id)
    if taken:
        numbers = ", ".join(sorted(c.case_number for c in taken))
        raise RoomConflict(
            f"{room.code} is already booked at that time, turnover of "
            f"{room.turnover_minutes} min included (case {numbers})",
            field="room",
        )


@dataclass(frozen=True)
class Placement:
    """A case as the warnings see it: placed, or only proposed (the form's preview)."""

    room: m.OperatingRoom
    start: datetime
    end: datetime
    specialty: str | None
    patient_id: str | None  # None: not known to the caller (masked), so not compared
    # user id -> (warning code, display name) of everyone working on the case
    people: Mapping[int, tuple[str, str]]
    # The service's (injected) clock, for blocks released by rule.
    now: datetime
    case_id: int | None = None
    # The lead surgeon's user id (None: the one ``people`` names as lead surgeon, if any).
    lead_user_id: int | None = None

    def lead(self) -> int | None:
        if self.lead_user_id is not None:
            return self.lead_user_id
        return next((uid for uid, (code, _) in self.people.items()
                     if code == SURGEON_DOUBLE_BOOKED), None)


def placement_warnings(uow: UnitOfWork, p: Placement, tz: ZoneInfo) -> list[SoftConflict]:
    """Every soft conflict of a placement, in one order: hours, specialty, another
    owner's block, people, patient."""
    room = p.room
    out: list[SoftConflict] = []
    if outside_hours(p.start, p.end, opens_at=room.opens_at, closes_at=room.closes_at,
                     weekdays=room.weekdays, tz=tz):
        out.append(SoftConflict(code=OUTSIDE_HOURS,
                                message=f"outside the hours of room {room.code} "
                                        f"({hours_text(room)})"))
    if p.specialty and specialty_mismatch(p.specialty, room.specialty_tags):
        out.append(SoftConflict(
            code=SPECIALTY,
            message=f"room {room.code} is for {', '.join(room.specialty_tags)}, "
                    f"not {p.specialty}",
        ))
    out += _block_warnings(uow, p, tz)
    others = [
        (Booked(c.case_number, c.operating_room.code if c.operating_room else None,
                c.scheduled_start, c.scheduled_end), uid)
        for c, uid in uow.cases.people_overlaps(list(p.people), p.start, p.end, p.case_id)
        if c.scheduled_start is not None and c.scheduled_end is not None
    ]
    day = p.start.astimezone(tz).date()
    booked = double_bookings(p.start, p.end, p.people, others)
    for uid, cases in sorted(booked.items(), key=lambda kv: (p.people[kv[0]][0], kv[0])):
        code, name = p.people[uid]
        numbers = tuple(sorted(b.case_number for b in cases))
        capacity = _capacity(uow, code, uid, p.case_id)
        out.append(SoftConflict(
            code=code, message=double_booking_message(capacity, name, cases, tz, day),
            case_numbers=numbers,
        ))
    if p.patient_id:
        same_patient = uow.cases.patient_overlaps(p.patient_id, p.start, p.end, p.case_id)
        if same_patient:
            numbers_ = tuple(sorted(c.case_number for c in same_patient))
            out.append(SoftConflict(
                code=PATIENT_DOUBLE_BOOKED,
                message="the same patient is booked at the same time "
                        f"(case {', '.join(numbers_)})",
                case_numbers=numbers_,
            ))
    return out


def _block_warnings(uow: UnitOfWork, p: Placement, tz: ZoneInfo) -> list[SoftConflict]:
    """``in Dr Lena Moreau's block (orthopedics) until 15:30``: a placement meeting an
    unreleased block of the room whose owner is not the case's (its lead surgeon's own
    block, or its specialty's service block, gives none)."""
    first = p.start.astimezone(tz).date()
    last = (p.end - timedelta(microseconds=1)).astimezone(tz).date()
    blocks = block_infos(uow, first, last, room_ids=[p.room.id])
    if not blocks:
        return []
    occurrences = {(o.info.id, o.day): o
                   for o in read_occurrences(uow, tz, first, last, blocks, p.now)}
    lead = p.lead()
    hit = blocks_hit(p.room.id, p.start, p.end, lead if lead is not None else -1,
                     p.specialty, [o.span() for o in occurrences.values()])
    out = []
    for span in hit:
        o = occurrences[(span.block_id, span.day)]
        out.append(SoftConflict(
            code=OTHER_BLOCK,
            message=f"in {o.info.whose_block} until {o.end.astimezone(tz):%H:%M}"))
    return out


def case_people(case: m.SurgeryCase) -> dict[int, tuple[str, str]]:
    """Everyone on a case with the warning code a double booking of theirs carries."""
    people: dict[int, tuple[str, str]] = {
        m_.user_id: (TEAM_DOUBLE_BOOKED, m_.user.display_name) for m_ in case.team
    }
    if case.anesthetist is not None:
        people[case.anesthetist.id] = (ANESTHETIST_DOUBLE_BOOKED, case.anesthetist.display_name)
    lead = case.lead_surgeon.user
    people[lead.id] = (SURGEON_DOUBLE_BOOKED, lead.display_name)
    return people


def soft_conflicts(uow: UnitOfWork, case: m.SurgeryCase, tz: ZoneInfo,
                   now: datetime) -> list[SoftConflict]:
    """The warnings a placed case carries now. The case must be flushed (it has an id).
    ``now``: the service's (injected) clock, for blocks released by rule."""
    room, start, end = case.operating_room, case.scheduled_start, case.scheduled_end
    if case.status not in OCCUPYING_STATUSES or room is None or start is None or end is None:
        return []
    placement = Placement(room=room, start=start, end=end, specialty=case.specialty,
                          patient_id=case.patient_id, people=case_people(case),
                          case_id=case.id, lead_user_id=case.lead_surgeon.user_id, now=now)
    return placement_warnings(uow, placement, tz) + equipment_warnings(case)


def equipment_warnings(case: m.SurgeryCase) -> list[SoftConflict]:
    """``equipment_missing``, once per kind, for needs no unit is allocated to (the unit
    was lost to maintenance or a closure and no other was free)."""
    kinds: list[str] = []
    for row in case.equipment:
        if row.unit_id is None and row.kind.name not in kinds:
            kinds.append(row.kind.name)
    return [SoftConflict(code=EQUIPMENT_MISSING, message=missing_message(kind))
            for kind in kinds]
