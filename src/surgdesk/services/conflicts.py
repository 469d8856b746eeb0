"""Where a case may go: hard conflicts refuse the change, soft ones come back as warnings.

The pure half (``outside_hours``, ``specialty_mismatch``, ``window_conflicts``) works on
plain values so the board can compute every case's marks in memory; the rest asks the
repository about one case at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from surgdesk.domain import models as m
from surgdesk.domain import room_hours
from surgdesk.domain.enums import OCCUPYING_STATUSES, RoomStatus
from surgdesk.domain.intervals import MAX_CASE_DURATION
from surgdesk.domain.room_hours import outside_hours
from surgdesk.errors import BadInput, FieldProblem, RoomConflict
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.dto import SoftConflict

MIN_CASE_DURATION = timedelta(minutes=1)

OUTSIDE_HOURS = "outside_hours"
SPECIALTY = "specialty"
SURGEON_DOUBLE_BOOKED = "surgeon_double_booked"
ANESTHETIST_DOUBLE_BOOKED = "anesthetist_double_booked"
TEAM_DOUBLE_BOOKED = "team_double_booked"
PATIENT_DOUBLE_BOOKED = "patient_double_booked"

# ---- pure rules -------------------------------------------------------------------------


def check_span(start: datetime, end: datetime, *, end_field: str = "end") -> None:
    """Start before end, and a length between one minute and MAX_CASE_DURATION."""
    if end <= start:
        raise BadInput(FieldProblem(end_field, "must be after the start"))
    if end - start < MIN_CASE_DURATION:
        raise BadInput(FieldProblem(end_field, "a case lasts at least one minute"))
    if end - start > MAX_CASE_DURATION:
        raise BadInput(FieldProblem(end_field, "a case lasts at most 24 hours"))


def occupied_until(end: datetime, turnover_minutes: int) -> datetime:
    """The room is held until the case's end plus the room's turnover."""
    return end + timedelta(minutes=turnover_minutes)


def specialty_mismatch(specialty: str, tags: Sequence[str]) -> bool:
    """A room with no tags takes any specialty; otherwise the case's must be listed."""
    if not tags:
        return False
    return specialty.casefold() not in {tag.casefold() for tag in tags}


def hours_text(room: m.OperatingRoom) -> str:
    return room_hours.hours_text(room.opens_at, room.closes_at, room.weekdays)


@dataclass(frozen=True, slots=True)
class PlacedCase:
    """What the board's conflict marks need to know of one case."""

    case_id: int
    room_id: int | None
    start: datetime
    end: datetime
    specialty: str
    patient_id: str
    lead_user_id: int
    anesthetist_user_id: int | None
    team_user_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class RoomRules:
    tags: tuple[str, ...]
    opens_at: time
    closes_at: time
    weekdays: tuple[int, ...]


@dataclass
class _Marks:
    codes: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, case_id: int, code: str) -> None:
        self.codes[case_id].add(code)


def _person_code(case: PlacedCase, user_id: int) -> str:
    if user_id == case.lead_user_id:
        return SURGEON_DOUBLE_BOOKED
    if user_id == case.anesthetist_user_id:
        return ANESTHETIST_DOUBLE_BOOKED
    return TEAM_DOUBLE_BOOKED


_Mark = Callable[[object, PlacedCase, PlacedCase], None]


def _sweep(groups: dict[object, list[PlacedCase]], mark: _Mark) -> None:
    """Mark every pair of overlapping cases inside each group (cases' own times)."""
    for key, members in groups.items():
        members.sort(key=lambda c: c.start)
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                if second.start >= first.end:
                    break
                if second.case_id != first.case_id:
                    mark(key, first, second)


def window_conflicts(
    cases: Sequence[PlacedCase], rooms: dict[int, RoomRules], tz: ZoneInfo
) -> dict[int, tuple[str, ...]]:
    """Soft-conflict codes per case id, among the given (occupying) cases only."""
    marks = _Marks()
    for case in cases:
        rules = rooms.get(case.room_id) if case.room_id is not None else None
        if rules is None:
            continue
        if outside_hours(case.start, case.end, opens_at=rules.opens_at,
                         closes_at=rules.closes_at, weekdays=rules.weekdays, tz=tz):
            marks.add(case.case_id, OUTSIDE_HOURS)
        if specialty_mismatch(case.specialty, rules.tags):
            marks.add(case.case_id, SPECIALTY)

    by_person: dict[object, list[PlacedCase]] = defaultdict(list)
    by_patient: dict[object, list[PlacedCase]] = defaultdict(list)
    for case in cases:
        people = {case.lead_user_id, *case.team_user_ids}
        if case.anesthetist_user_id is not None:
            people.add(case.anesthetist_user_id)
        for uid in people:
            by_person[uid].append(case)
        by_patient[case.patient_id].append(case)

    def person(uid: object, a: PlacedCase, b: PlacedCase) -> None:
        assert isinstance(uid, int)
        marks.add(a.case_id, _person_code(a, uid))
        marks.add(b.case_id, _person_code(b, uid))

    def patient(_key: object, a: PlacedCase, b: PlacedCase) -> None:
        marks.add(a.case_id, PATIENT_DOUBLE_BOOKED)
        marks.add(b.case_id, PATIENT_DOUBLE_BOOKED)

    _sweep(by_person, person)
    _sweep(by_patient, patient)
    return {cid: tuple(sorted(codes)) for cid, codes in marks.codes.items()}


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
    people: dict[int, tuple[str, str]]
    case_id: int | None = None


def placement_warnings(uow: UnitOfWork, p: Placement, tz: ZoneInfo) -> list[SoftConflict]:
    """Every soft conflict of a placement, in one order: hours, specialty, people, patient."""
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
    found: dict[int, set[str]] = defaultdict(set)
    for other, uid in uow.cases.people_overlaps(list(p.people), p.start, p.end, p.case_id):
        found[uid].add(other.case_number)
    for uid, numbers in sorted(found.items(), key=lambda kv: (p.people[kv[0]][0], kv[0])):
        code, name = p.people[uid]
        ordered = tuple(sorted(numbers))
        out.append(SoftConflict(
            code=code,
            message=f"{name} is also booked at that time (case {', '.join(ordered)})",
            case_numbers=ordered,
        ))
    if p.patient_id:
        others = uow.cases.patient_overlaps(p.patient_id, p.start, p.end, p.case_id)
        if others:
            numbers_ = tuple(sorted(c.case_number for c in others))
            out.append(SoftConflict(
                code=PATIENT_DOUBLE_BOOKED,
                message="the same patient is booked at the same time "
                        f"(case {', '.join(numbers_)})",
                case_numbers=numbers_,
            ))
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


def soft_conflicts(uow: UnitOfWork, case: m.SurgeryCase, tz: ZoneInfo) -> list[SoftConflict]:
    """The warnings a placed case carries now. The case must be flushed (it has an id)."""
    room, start, end = case.operating_room, case.scheduled_start, case.scheduled_end
    if case.status not in OCCUPYING_STATUSES or room is None or start is None or end is None:
        return []
    placement = Placement(room=room, start=start, end=end, specialty=case.specialty,
                          patient_id=case.patient_id, people=case_people(case),
                          case_id=case.id)
    return placement_warnings(uow, placement, tz)
