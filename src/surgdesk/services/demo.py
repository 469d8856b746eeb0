"""Demo data: fill an empty database with a realistic, deterministic OR department.

``generate_demo`` builds the whole schedule in memory first — staff, rooms, every room's
day packed case after case with its turnover, teams, checklists whose ticks agree with each
case's status and the clock — and then writes it in one transaction through the
repository's bulk writer (plain rows with ids allocated here, not ORM objects), so
60 rooms x 30 days take seconds, not minutes.

The same seed, start day and clock give the same data. The only soft conflicts are the
deliberate ones: a surgeon booked in two rooms at once, once or twice, so the board's
warning mark has something to show. Patient names come from a list of plainly made-up
names and never reach the log.
"""

from __future__ import annotations

import logging
import random
import time as _time
from bisect import insort
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher

from surgdesk.domain import models as m
from surgdesk.domain.demo_catalog import (
    CANCEL_REASONS,
    EMERGENCY_PROCEDURES,
    PATIENT_FIRST_NAMES,
    PATIENT_LAST_NAMES,
    POSTPONE_REASONS,
    PROCEDURES,
    SPECIALTIES,
    STAFF_FIRST_NAMES,
    STAFF_LAST_NAMES,
    Procedure,
)
from surgdesk.domain.enums import (
    CaseStatus,
    ChecklistStatus,
    ItemStatus,
    Laterality,
    NoteType,
    Phase,
    Priority,
    Role,
    RoomStatus,
    Section,
    TeamRole,
)
from surgdesk.domain.timezones import LocalTimeError, localize, zone
from surgdesk.errors import BadInput, FieldProblem, Refused
from surgdesk.repository.bulk import BulkWriter, TemplateItemRow, TemplateRow
from surgdesk.repository.database import Database
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.context import Clock, SystemClock

log = logging.getLogger(__name__)

EMAIL_DOMAIN = "or.hospital.local"
DEFAULT_PASSWORD = "demo-password-1"
MAX_ROOMS = 200
MAX_DAYS = 366

_S = CaseStatus
_KNOWN_SECTIONS = frozenset(s.value for s in Section)
_MIN = timedelta(minutes=1)
_DAY = timedelta(days=1)

_TURNOVER = {
    "general": 30, "orthopedics": 40, "cardiac": 45, "neuro": 40, "urology": 30,
    "gynecology": 30, "ENT": 25, "plastics": 25, "vascular": 35, "ophthalmology": 20,
}
_LOCATION = {
    "cardiac": "Cardiac theatres, level 3",
    "ophthalmology": "Day surgery unit, level 1",
    "ENT": "Day surgery unit, level 1",
    "plastics": "Day surgery unit, level 1",
}
_LABEL = {
    "general": "General surgery", "orthopedics": "Orthopedics", "cardiac": "Cardiac",
    "neuro": "Neurosurgery", "urology": "Urology", "gynecology": "Gynecology", "ENT": "ENT",
    "plastics": "Plastics", "vascular": "Vascular", "ophthalmology": "Ophthalmology",
}


@dataclass(frozen=True)
class DemoSummary:
    """What ``generate_demo`` made. ``logins`` are (username, role, display name)."""

    first_day: date
    last_day: date
    users: int
    rooms: int
    cases: int
    checklist_items: int
    care_team_members: int
    notes: int
    by_status: dict[str, int]
    by_role: dict[str, int]
    logins: list[tuple[str, str, str]]
    password: str
    seconds: float

    def describe(self) -> str:
        statuses = ", ".join(f"{k} {v}" for k, v in self.by_status.items())
        return (
            f"{self.users} users, {self.rooms} rooms, {self.cases} cases "
            f"({statuses}), {self.checklist_items} checklist items, "
            f"{self.first_day.isoformat()} to {self.last_day.isoformat()}, "
            f"in {self.seconds:.1f} s"
        )


# --- the in-memory plan ----------------------------------------------------------------


@dataclass(slots=True)
class _Person:
    id: int
    username: str
    role: Role
    display_name: str
    specialty: str | None = None
    profile_id: int | None = None
    is_device: bool = False


@dataclass(slots=True)
class _Room:
    id: int
    index: int
    code: str
    name: str
    location: str
    tags: list[str]
    home: str | None  # the specialty its day lists are drawn from; None for emergency rooms
    turnover: int
    status: RoomStatus
    emergency: bool
    bookings: list[tuple[datetime, datetime]] = field(default_factory=list)


@dataclass(slots=True)
class _Case:
    procedure: Procedure
    specialty: str
    priority: Priority
    minutes: int
    laterality: Laterality
    surgeon: _Person
    room: _Room | None = None
    start: datetime | None = None
    end: datetime | None = None
    anesthetist: _Person | None = None
    circulator: _Person | None = None
    scrub: _Person | None = None
    status: CaseStatus = CaseStatus.REQUESTED
    actual_start: datetime | None = None
    actual_end: datetime | None = None
    patient: tuple[str, str, date] | None = None
    created_at: datetime | None = None
    created_by: _Person | None = None
    id: int = 0
    number: str = ""
    note: tuple[NoteType, str, datetime] | None = None

    @property
    def occupied_until(self) -> datetime | None:
        if self.end is None or self.room is None:
            return None
        return self.end + timedelta(minutes=self.room.turnover)


class _Busy:
    """When each person works, bucketed by UTC day, so "is X free then?" is cheap."""

    def __init__(self) -> None:
        self._by_day: dict[tuple[int, int], list[tuple[datetime, datetime]]] = {}

    def add(self, person: _Person, start: datetime, end: datetime) -> None:
        day = start.toordinal()
        while day <= end.toordinal():
            self._by_day.setdefault((person.id, day), []).append((start, end))
            day += 1

    def free(self, person: _Person, start: datetime, end: datetime) -> bool:
        for day in range(start.toordinal() - 1, end.toordinal() + 1):
            for s, e in self._by_day.get((person.id, day), ()):
                if s < end and start < e:
                    return False
        return True


def _round5(minutes: float) -> int:
    return max(15, round(minutes / 5.0) * 5)


def _floor5(instant: datetime) -> datetime:
    return instant.replace(minute=instant.minute - instant.minute % 5, second=0, microsecond=0)


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A department wall-clock time as UTC; a time in a DST gap moves an hour on."""
    naive = datetime.combine(day, at)
    try:
        return localize(naive, tz).astimezone(UTC)
    except LocalTimeError:
        return localize(naive + timedelta(hours=1), tz).astimezone(UTC)


class _Generator:
    def __init__(self, *, rooms: int, days: int, start: date, seed: int, now: datetime,
                 tz: ZoneInfo, templates: list[TemplateRow], ids: dict[str, int]) -> None:
        self.rng = random.Random(seed)
        self.n_rooms = rooms
        self.days = days
        self.start = start
        self.now = now
        self.tz = tz
        self.today = now.astimezone(tz).date()
        self.templates = templates
        self.next_ids = dict(ids)
        self.busy = _Busy()
        self.people: list[_Person] = []
        self.rooms: list[_Room] = []
        self.cases: list[_Case] = []
        self.closure: tuple[_Room, datetime, datetime, date] | None = None
        self.surgeons: dict[str, list[_Person]] = {}
        self.list_anesth: list[_Person] = []
        self.call_anesth: list[_Person] = []
        self.list_nurses: list[_Person] = []
        self.call_nurses: list[_Person] = []
        self.schedulers: list[_Person] = []
        self.conflicts = 0
        self.counters: dict[int, int] = {}

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

    # --- staff and rooms ------------------------------------------------------------------

    def build_rooms(self) -> None:
        n = self.n_rooms
        n_emergency = 2 if n >= 8 else (1 if n >= 4 else 0)
        n_regular = n - n_emergency
        maintenance = n_regular - 1 if n >= 3 else None
        for i in range(n):
            code = f"OR-{i + 1:02d}"
            if i >= n_regular:
                k = i - n_regular + 1
                self.rooms.append(_Room(
                    id=self.new_id("operating_room"), index=i, code=code,
                    name=f"Emergency theatre {k}", location="Emergency department, level 0",
                    tags=[], home=None, turnover=30, status=RoomStatus.ACTIVE, emergency=True,
                ))
                continue
            home = SPECIALTIES[i % len(SPECIALTIES)]
            tags = [] if i % 4 == 3 else [home]
            turnover = min(45, max(20, _TURNOVER[home] + self.rng.choice((-5, 0, 0, 5))))
            self.rooms.append(_Room(
                id=self.new_id("operating_room"), index=i, code=code,
                name=f"Theatre {i + 1} ({_LABEL[home]})" if tags else f"Theatre {i + 1}",
                location=_LOCATION.get(home, "Main theatre suite, level 2"), tags=tags,
                home=home, turnover=turnover,
                status=RoomStatus.MAINTENANCE if i == maintenance else RoomStatus.ACTIVE,
                emergency=False,
            ))
        if n >= 2:
            room = self.rooms[0]
            offset = min(3, self.days - 1)
            day = self.start + timedelta(days=offset)
            for extra in range(7):
                candidate = day + timedelta(days=extra)
                if candidate.weekday() < 5 and (candidate - self.start).days < self.days:
                    day = candidate
                    break
            self.closure = (room, _local(day, time(6, 0), self.tz),
                            _local(day, time(20, 0), self.tz), day)

    def build_staff(self) -> None:
        names = [(f, last) for last in STAFF_LAST_NAMES for f in STAFF_FIRST_NAMES]
        self.rng.shuffle(names)
        name_iter = iter(names)
        taken: set[str] = set()

        def username(base: str) -> str:
            candidate, k = base, 1
            while candidate in taken:
                k += 1
                candidate = f"{base}{k}"
            taken.add(candidate)
            return candidate

        def person(role: Role, user: str | None, display: str | None = None,
                   prefix: str = "", specialty: str | None = None) -> _Person:
            first, last = next(name_iter)
            name = display or f"{prefix}{first} {last}"
            login = username(user or f"{'dr' if prefix else 'rn'}.{last.lower()}")
            p = _Person(self.new_id("user_account"), login, role, name, specialty)
            if role is Role.SURGEON:
                p.profile_id = self.new_id("surgeon_profile")
            self.people.append(p)
            return p

        person(Role.ADMIN, "admin")
        self.schedulers = [person(Role.SCHEDULER, f"scheduler{k}") for k in (1, 2)]
        person(Role.VIEWER, "viewer")
        device = person(Role.VIEWER, "wall.display", "OR wall display")
        device.is_device = True

        staffed = [r for r in self.rooms if r.status is RoomStatus.ACTIVE]
        regular = [r for r in staffed if not r.emergency]
        n_emergency = len(staffed) - len(regular)
        specialties = [r.home for r in regular if r.home is not None]
        specialties += [s for s in SPECIALTIES if s not in specialties]
        if n_emergency:
            specialties += ["general", "orthopedics"]
        for spec in specialties:
            self.surgeons.setdefault(spec, []).append(
                person(Role.SURGEON, None, prefix="Dr. ", specialty=spec))
        # One anesthesia team and two nurses per staffed room, a few more on call: every
        # case gets its own people, so the only double bookings are the deliberate ones.
        self.list_anesth = [person(Role.ANESTHESIOLOGIST, None, prefix="Dr. ")
                            for _ in regular]
        self.call_anesth = [person(Role.ANESTHESIOLOGIST, None, prefix="Dr. ")
                            for _ in range(n_emergency + (1 if n_emergency else 0))]
        self.list_nurses = [person(Role.NURSE, None) for _ in range(2 * len(regular))]
        self.call_nurses = [person(Role.NURSE, None) for _ in range(2 * n_emergency + 2)]

    # --- schedule -------------------------------------------------------------------------

    def pick(self, specialty: str) -> Procedure:
        options = PROCEDURES[specialty]
        return self.rng.choices(options, weights=[p.weight for p in options])[0]

    def laterality(self, procedure: Procedure) -> Laterality:
        if not procedure.lateral:
            return Laterality.NOT_APPLICABLE
        roll = self.rng.random()
        if roll < 0.46:
            return Laterality.LEFT
        return Laterality.RIGHT if roll < 0.92 else Laterality.BILATERAL

    def book(self, case: _Case, room: _Room, start: datetime) -> None:
        case.room = room
        case.start = start
        case.end = start + timedelta(minutes=case.minutes)
        occupied = case.occupied_until
        assert occupied is not None
        insort(room.bookings, (start, occupied))
        for p in (case.surgeon, case.anesthetist, case.circulator, case.scrub):
            if p is not None:
                self.busy.add(p, start, case.end)
        self.cases.append(case)

    def room_free(self, room: _Room, start: datetime, occupied: datetime) -> bool:
        if self.closure is not None and self.closure[0] is room:
            _, c_start, c_end, _ = self.closure
            if c_start < occupied and start < c_end:
                return False
        return all(not (s < occupied and start < e) for s, e in room.bookings)

    def plan_lists(self) -> None:
        """Every regular room's elective list, day by day, packed with turnover."""
        regular = [r for r in self.rooms if not r.emergency and r.status is RoomStatus.ACTIVE]
        for offset in range(self.days):
            day = self.start + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            closed = self.closure[0] if self.closure and self.closure[3] == day else None
            anesth = self.list_anesth[:]
            nurses = self.list_nurses[:]
            self.rng.shuffle(anesth)
            self.rng.shuffle(nurses)
            by_specialty: dict[str, list[_Person]] = {}
            for spec, pool in self.surgeons.items():
                shuffled = pool[:]
                self.rng.shuffle(shuffled)
                by_specialty[spec] = shuffled
            for room in regular:
                assert room.home is not None
                pool = by_specialty[room.home]
                if room is closed or not pool or not anesth or len(nurses) < 2:
                    continue
                surgeon, anesthetist = pool.pop(), anesth.pop()
                circulator, scrub = nurses.pop(), nurses.pop()
                self.plan_room_day(room, day, surgeon, anesthetist, circulator, scrub)

    def plan_room_day(self, room: _Room, day: date, surgeon: _Person, anesthetist: _Person,
                      circulator: _Person, scrub: _Person) -> None:
        spec = surgeon.specialty
        assert spec is not None
        t = _local(day, time(7, 0), self.tz) + timedelta(minutes=self.rng.choice((0, 0, 15, 30)))
        closes = _local(day, time(19, 0), self.tz)
        while True:
            chosen: tuple[Procedure, int] | None = None
            for _ in range(4):
                procedure = self.pick(spec)
                minutes = _round5(procedure.minutes * self.rng.uniform(0.85, 1.25))
                if t + timedelta(minutes=minutes) <= closes:
                    chosen = (procedure, minutes)
                    break
            if chosen is None:
                return
            procedure, minutes = chosen
            roll = self.rng.random()
            priority = (Priority.ELECTIVE if roll < 0.88
                        else Priority.URGENT if roll < 0.985 else Priority.EMERGENCY)
            case = _Case(procedure, spec, priority, minutes, self.laterality(procedure),
                         surgeon, anesthetist=anesthetist, circulator=circulator, scrub=scrub)
            self.book(case, room, t)
            assert case.occupied_until is not None
            t = case.occupied_until + timedelta(minutes=self.rng.choice((0, 0, 0, 5, 10, 15, 30)))

    def free_person(self, pools: Sequence[Sequence[_Person]], start: datetime, end: datetime,
                    exclude: _Person | None = None) -> _Person | None:
        for pool in pools:
            order = list(pool)
            self.rng.shuffle(order)
            for p in order:
                if p is not exclude and self.busy.free(p, start, end):
                    return p
        return None

    def emergency_case(self, room: _Room, start: datetime,
                       fixed: tuple[str, Procedure] | None = None,
                       minutes: int | None = None) -> _Case | None:
        """An unplanned case in a 24/7 room, staffed by whoever is free then."""
        options = [fixed] if fixed else self.rng.sample(EMERGENCY_PROCEDURES, 3)
        for spec, procedure in options:
            length = minutes or _round5(procedure.minutes * self.rng.uniform(0.8, 1.3))
            end = start + timedelta(minutes=length)
            if not self.room_free(room, start, end + timedelta(minutes=room.turnover)):
                return None
            surgeon = self.free_person([self.surgeons.get(spec, [])], start, end)
            anesthetist = self.free_person([self.call_anesth, self.list_anesth], start, end)
            circulator = self.free_person([self.call_nurses, self.list_nurses], start, end)
            scrub = (self.free_person([self.call_nurses, self.list_nurses], start, end,
                                      exclude=circulator) if circulator else None)
            if surgeon is None or anesthetist is None or circulator is None or scrub is None:
                continue
            priority = Priority.EMERGENCY if self.rng.random() < 0.6 else Priority.URGENT
            case = _Case(procedure, spec, priority, length, self.laterality(procedure),
                         surgeon, anesthetist=anesthetist, circulator=circulator, scrub=scrub)
            self.book(case, room, start)
            return case
        return None

    def plan_emergency_rooms(self) -> None:
        rooms = [r for r in self.rooms if r.emergency]
        if not rooms:
            return
        first = _local(self.start, time(0, 0), self.tz)
        last = _local(self.start + timedelta(days=self.days), time(0, 0), self.tz)
        self.pin_cases(rooms[0], first, last)
        for room in rooms:
            t = _local(self.start, time(7, 0), self.tz)
            while t < last:
                hour = t.astimezone(self.tz).hour
                gap = self.rng.randint(30, 150) if 7 <= hour < 19 else self.rng.randint(90, 360)
                t = _floor5(t + timedelta(minutes=gap))
                if t >= last:
                    break
                case = self.emergency_case(room, t)
                if case is None:
                    t += timedelta(minutes=30)
                    continue
                assert case.occupied_until is not None
                t = case.occupied_until

    def pin_cases(self, room: _Room, first: datetime, last: datetime) -> None:
        """Make sure the board has a case running now, a night case and one over midnight."""
        laparotomy = EMERGENCY_PROCEDURES[0]
        if first <= self.now < last:
            running = any(c.start is not None and c.end is not None
                          and c.start <= self.now < c.end for c in self.cases)
            if not running:
                start = _floor5(self.now - timedelta(minutes=40))
                self.emergency_case(room, start, laparotomy, 120)
        day = self.today if self.start <= self.today < self.start + timedelta(self.days) \
            else self.start
        for candidate in (day, day - _DAY, day + _DAY):
            if 0 <= (candidate - self.start).days < self.days:
                late = _local(candidate, time(23, 10), self.tz)
                if self.emergency_case(room, late, EMERGENCY_PROCEDURES[4], 150):
                    break
        night_day = day + _DAY if (day + _DAY - self.start).days < self.days else day
        for candidate in (night_day, night_day - _DAY):
            if 0 <= (candidate - self.start).days < self.days:
                night = _local(candidate, time(3, 0), self.tz)
                if self.emergency_case(room, night, EMERGENCY_PROCEDURES[3], 90):
                    break

    def double_book_surgeons(self) -> None:
        """The deliberate soft conflicts: a surgeon in two rooms at once, once or twice.

        A case coming up soon is handed to a surgeon of its specialty who is operating
        in another room at that very time — against exactly one of their cases, so the
        board shows one clear pair per conflict.
        """
        horizon = _local(self.today + timedelta(days=2), time(0, 0), self.tz)
        timed = [c for c in self.cases if c.start is not None]
        upcoming = [c for c in timed if self.now < c.start < horizon]  # type: ignore[operator]
        by_specialty: dict[str, list[_Case]] = {}
        for c in timed:
            by_specialty.setdefault(c.specialty, []).append(c)

        def overlap(a: _Case, b: _Case) -> bool:
            assert a.start is not None
            assert a.end is not None
            assert b.start is not None
            assert b.end is not None
            return a.start < b.end and b.start < a.end

        used: set[int] = set()
        candidates = (upcoming or timed)[:]
        self.rng.shuffle(candidates)
        for b in candidates[:500]:
            if self.conflicts >= 2:
                break
            if id(b) in used:
                continue
            for a in by_specialty[b.specialty]:
                if a is b or a.room is b.room or a.surgeon is b.surgeon or id(a) in used:
                    continue
                if not overlap(a, b):
                    continue
                theirs = [c for c in by_specialty[b.specialty]
                          if c.surgeon is a.surgeon and overlap(c, b)]
                if theirs != [a]:
                    continue
                b.surgeon = a.surgeon
                used.update({id(a), id(b)})
                self.conflicts += 1
                break

    def plan_queue(self) -> None:
        """Requested cases waiting for a slot: no room, no time."""
        for _ in range(self.rng.randint(10, 20)):
            spec = self.rng.choice(SPECIALTIES)
            procedure = self.pick(spec)
            surgeon = self.rng.choice(self.surgeons[spec])
            priority = Priority.URGENT if self.rng.random() < 0.2 else Priority.ELECTIVE
            self.cases.append(_Case(procedure, spec, priority,
                                    _round5(procedure.minutes * self.rng.uniform(0.9, 1.2)),
                                    self.laterality(procedure), surgeon))

    # --- statuses, patients, numbers ------------------------------------------------------

    def assign_statuses(self) -> None:
        now = self.now
        tomorrow = _local(self.today + _DAY, time(0, 0), self.tz)
        later = _local(self.today + 2 * _DAY, time(0, 0), self.tz)
        timed = [c for c in self.cases if c.start is not None]
        timed.sort(key=lambda c: (c.room.index if c.room else -1, c.start))
        previous_end: dict[int, datetime] = {}
        for case in timed:
            assert case.start is not None
            assert case.end is not None
            assert case.room is not None
            if case.end <= now:
                roll = self.rng.random()
                if roll < 0.02 and case.priority is Priority.ELECTIVE:
                    case.status = _S.CANCELLED
                elif roll < 0.035 and case.priority is Priority.ELECTIVE:
                    case.status = _S.POSTPONED
                else:
                    case.status = _S.COMPLETED
            elif case.start <= now:
                case.status = _S.IN_PROGRESS
            else:
                share = 0.65 if case.start < tomorrow else 0.5 if case.start < later else 0.2
                if case.priority is Priority.EMERGENCY:
                    share = 0.9
                case.status = _S.PREOP_READY if self.rng.random() < share else _S.SCHEDULED
            if case.status in (_S.COMPLETED, _S.IN_PROGRESS):
                begin = case.start + timedelta(minutes=self.rng.randint(-5, 20))
                prior = previous_end.get(case.room.id)
                if prior is not None:
                    begin = max(begin, prior + timedelta(minutes=10))
                begin = min(begin, now - _MIN)
                case.actual_start = begin.replace(second=0, microsecond=0)
                if case.status is _S.COMPLETED:
                    length = timedelta(minutes=case.minutes * self.rng.uniform(0.85, 1.2))
                    finish = min(case.actual_start + length, now)
                    case.actual_end = max(finish, case.actual_start + _MIN).replace(
                        second=0, microsecond=0)
                    previous_end[case.room.id] = case.actual_end
            if case.status in (_S.CANCELLED, _S.POSTPONED):
                reasons = CANCEL_REASONS if case.status is _S.CANCELLED else POSTPONE_REASONS
                kind = NoteType.CANCELLATION if case.status is _S.CANCELLED else NoteType.DELAY
                at = min(case.start - timedelta(minutes=self.rng.randint(30, 600)), now)
                case.note = (kind, self.rng.choice(reasons), at)
        # A past day with no cancellation or postponement at all would hide both colours.
        midnight = _local(self.today, time(0), self.tz)
        completed = [c for c in timed if c.status is _S.COMPLETED]
        past = [c for c in completed if c.priority is Priority.ELECTIVE
                and c.start is not None and c.start < midnight] or completed
        for status in (_S.CANCELLED, _S.POSTPONED):
            if past and not any(c.status is status for c in timed):
                case = past.pop(self.rng.randrange(len(past)))
                assert case.start is not None
                case.status = status
                case.actual_start = case.actual_end = None
                reasons = CANCEL_REASONS if status is _S.CANCELLED else POSTPONE_REASONS
                kind = NoteType.CANCELLATION if status is _S.CANCELLED else NoteType.DELAY
                case.note = (kind, reasons[0], min(case.start - timedelta(hours=2), now))

    def assign_patients_and_numbers(self) -> None:
        rng = self.rng
        mrns = rng.sample(range(1_000_000, 9_999_999), len(self.cases) + 1)
        timed = sorted((c for c in self.cases if c.start is not None),
                       key=lambda c: (c.start, c.room.index if c.room else 0))
        seen: list[tuple[tuple[str, str, date], datetime]] = []
        k = 0

        def fresh() -> tuple[str, str, date]:
            nonlocal k
            k += 1
            name = f"{rng.choice(PATIENT_FIRST_NAMES)} {rng.choice(PATIENT_LAST_NAMES)}"
            dob = date(1938, 1, 1) + timedelta(days=rng.randint(0, 365 * 80))
            return (name, f"MRN{mrns[k]:07d}", dob)

        for case in timed:
            assert case.start is not None
            assert case.end is not None
            patient = None
            if seen and rng.random() < 0.05:
                # The same patient again, for a second stage or the other side — days apart.
                earlier = [p for p, end in seen[-400:] if end <= case.start - 2 * _DAY]
                if earlier:
                    patient = rng.choice(earlier)
            case.patient = patient or fresh()
            seen.append((case.patient, case.end))
        for case in self.cases:
            if case.patient is None:
                if seen and rng.random() < 0.15:
                    case.patient = rng.choice(seen)[0]
                else:
                    case.patient = fresh()

        # Created some days before the case (or before now, for the queue); numbered in
        # the order they were created, per year, as the case service would have.
        for case in self.cases:
            cap = min(self.now, case.start - timedelta(hours=12)) if case.start else self.now
            case.created_at = (cap - timedelta(days=rng.randint(3, 21),
                                               minutes=rng.randint(0, 600))).replace(
                second=0, microsecond=0)
            case.created_by = (case.surgeon if case.status is _S.REQUESTED
                               else rng.choice(self.schedulers))
        self.cases.sort(key=lambda c: (c.created_at, c.start or self.now))
        counters: dict[int, int] = {}
        for case in self.cases:
            assert case.created_at is not None
            year = case.created_at.astimezone(self.tz).year
            counters[year] = counters.get(year, 0) + 1
            case.id = self.new_id("surgery_case")
            case.number = f"{year}-{counters[year]:06d}"
        self.counters = counters

    # --- rows -----------------------------------------------------------------------------

    def template_for(self, phase: Phase, specialty: str) -> TemplateRow | None:
        general: TemplateRow | None = None
        for t in self.templates:
            if t.phase != phase.value:
                continue
            if t.specialty is not None and t.specialty.lower() == specialty.lower():
                return t
            if t.specialty is None and general is None:
                general = t
        return general


class _Rows:
    """Row dicts per table, in insert order."""

    def __init__(self) -> None:
        self.users: list[dict[str, Any]] = []
        self.profiles: list[dict[str, Any]] = []
        self.rooms: list[dict[str, Any]] = []
        self.closures: list[dict[str, Any]] = []
        self.cases: list[dict[str, Any]] = []
        self.team: list[dict[str, Any]] = []
        self.checklists: list[dict[str, Any]] = []
        self.items: list[dict[str, Any]] = []
        self.notes: list[dict[str, Any]] = []


def _people_rows(gen: _Generator, rows: _Rows, password_hash: str) -> None:
    created = (gen.now - timedelta(days=gen.days + 60)).replace(microsecond=0)
    for p in gen.people:
        rows.users.append({
            "id": p.id, "created_at": created, "updated_at": created, "version": 1,
            "username": p.username, "email": f"{p.username}@{EMAIL_DOMAIN}",
            "password_hash": password_hash, "role": p.role.value, "display_name": p.display_name,
            "phone": f"+49 30 5550{p.id % 10000:04d}" if not p.is_device else None,
            "active": True, "is_device": p.is_device, "failed_logins": 0, "locked_until": None,
        })
        if p.profile_id is not None:
            rows.profiles.append({
                "id": p.profile_id, "created_at": created, "updated_at": created, "version": 1,
                "user_id": p.id, "specialty": p.specialty,
                "license_number": f"LIC-{100000 + p.id}", "pager": f"{4000 + p.id}",
                "active": True,
            })
    for r in gen.rooms:
        rows.rooms.append({
            "id": r.id, "created_at": created, "updated_at": created, "version": 1,
            "name": r.name, "code": r.code, "location": r.location,
            "specialty_tags": list(r.tags), "status": r.status.value,
            "turnover_minutes": r.turnover,
            "opens_at": time(0, 0) if r.emergency else time(7, 0),
            # 00:00-00:00 is open around the clock (closing at or before opening means
            # closing the next day).
            "closes_at": time(0, 0) if r.emergency else time(19, 0),
            "weekdays": [0, 1, 2, 3, 4, 5, 6] if r.emergency else [0, 1, 2, 3, 4],
        })
    if gen.closure is not None:
        room, starts, ends, _ = gen.closure
        rows.closures.append({
            "id": gen.new_id("room_closure"), "created_at": created, "updated_at": created,
            "version": 1, "room_id": room.id, "starts_at": starts, "ends_at": ends,
            "reason": "Deep clean and ventilation service",
        })


def _case_rows(gen: _Generator, rows: _Rows) -> None:
    rng = gen.rng
    now = gen.now
    soon = now + 2 * _DAY
    for case in gen.cases:
        assert case.created_at is not None
        assert case.patient is not None
        name, mrn, dob = case.patient
        occupied = case.occupied_until
        updated = case.created_at
        stamps = _Stamps(case, rng, now)
        pre_items, pre_signed, post_items, post_signed = stamps.items(gen)
        for item in (*pre_items, *post_items):
            if item["completed_at"] is not None and item["completed_at"] > updated:
                updated = item["completed_at"]
        if case.actual_end is not None:
            updated = max(updated, case.actual_end)
        if case.note is not None:
            updated = max(updated, case.note[2])
        updated = min(updated, now)
        rows.cases.append({
            "id": case.id, "created_at": case.created_at, "updated_at": updated, "version": 1,
            "case_number": case.number, "patient_name": name, "patient_id": mrn,
            "patient_dob": dob, "procedure_name": case.procedure.name,
            "laterality": case.laterality.value, "specialty": case.specialty,
            "priority": case.priority.value, "status": case.status.value,
            "scheduled_start": case.start, "scheduled_end": case.end,
            "occupied_until": occupied, "estimated_duration_min": case.minutes,
            "operating_room_id": case.room.id if case.room else None,
            "lead_surgeon_id": case.surgeon.profile_id,
            "anesthetist_id": case.anesthetist.id if case.anesthetist else None,
            "pre_op_complete": pre_signed is not None,
            "post_op_complete": post_signed is not None,
            "actual_start": case.actual_start, "actual_end": case.actual_end,
            "created_by_id": case.created_by.id if case.created_by else None,
        })
        confirmed = case.start is not None and (case.start < soon or rng.random() < 0.7)
        for person, role in ((case.surgeon, TeamRole.SURGEON),
                             (case.anesthetist, TeamRole.ANESTHESIOLOGIST),
                             (case.circulator, TeamRole.CIRCULATING_NURSE),
                             (case.scrub, TeamRole.SCRUB_NURSE)):
            if person is not None:
                rows.team.append({
                    "id": gen.new_id("care_team_member"), "created_at": case.created_at,
                    "updated_at": case.created_at, "version": 1, "surgery_case_id": case.id,
                    "user_id": person.id, "role": role.value,
                    "confirmed": confirmed or person is case.surgeon,
                })
        for phase, items, signed in ((Phase.PRE_OP, pre_items, pre_signed),
                                     (Phase.POST_OP, post_items, post_signed)):
            if not items:
                continue
            checklist_id = gen.new_id("checklist")
            done = [i for i in items if i["status"] == ItemStatus.DONE.value]
            if signed is not None:
                status = ChecklistStatus.COMPLETED
            elif done:
                status = ChecklistStatus.IN_PROGRESS
            else:
                status = ChecklistStatus.PENDING
            last = max((i["completed_at"] for i in done), default=case.created_at)
            rows.checklists.append({
                "id": checklist_id, "created_at": case.created_at,
                "updated_at": signed[1] if signed else last, "version": 1,
                "surgery_case_id": case.id, "phase": phase.value, "status": status.value,
                "signed_off_by_id": signed[0] if signed else None,
                "signed_off_at": signed[1] if signed else None,
            })
            for item in items:
                item["id"] = gen.new_id("checklist_item")
                item["checklist_id"] = checklist_id
                rows.items.append(item)
        if case.note is not None:
            kind, message, at = case.note
            author = gen.schedulers[0]
            rows.notes.append({
                "id": gen.new_id("case_note"), "created_at": at, "updated_at": at,
                "version": 1, "surgery_case_id": case.id, "author_id": author.id,
                "note_type": kind.value, "message": message,
            })


class _Stamps:
    """Which checklist items of one case are done, by whom and when — from its status."""

    def __init__(self, case: _Case, rng: random.Random, now: datetime) -> None:
        self.case = case
        self.rng = rng
        self.now = now

    def items(self, gen: _Generator) -> tuple[list[dict[str, Any]], tuple[int, datetime] | None,
                                               list[dict[str, Any]], tuple[int, datetime] | None]:
        case, rng, now = self.case, self.rng, self.now
        assert case.created_at is not None
        status = case.status
        nurse = case.circulator or case.surgeon
        # Readiness: how many required items are done.
        readiness_all = status in (_S.PREOP_READY, _S.IN_PROGRESS, _S.COMPLETED) or (
            status in (_S.CANCELLED, _S.POSTPONED) and rng.random() < 0.7)
        ready_cap = min(now, case.start - timedelta(hours=2)) if case.start else now
        ready_cap = max(ready_cap, case.created_at + _MIN)

        created = case.created_at

        def ready_at() -> datetime:
            span = (ready_cap - created).total_seconds()
            return (created + timedelta(seconds=span * rng.uniform(0.2, 0.95))).replace(
                second=0, microsecond=0)

        clinical = status in (_S.IN_PROGRESS, _S.COMPLETED)
        finished = status is _S.COMPLETED
        sign_in_at = time_out_at = sign_out_at = handoff_at = None
        if clinical:
            assert case.actual_start is not None
            sign_in_at = min(case.actual_start + timedelta(minutes=rng.randint(2, 6)), now)
            time_out_at = min(case.actual_start + timedelta(minutes=rng.randint(12, 25)), now)
            time_out_at = max(time_out_at, sign_in_at)
        if finished:
            assert case.actual_end is not None
            sign_out_at = max(case.actual_end - timedelta(minutes=rng.randint(3, 8)),
                              time_out_at or case.actual_end)
            handoff_at = min(case.actual_end + timedelta(minutes=rng.randint(5, 15)), now)
            handoff_at = max(handoff_at, sign_out_at)

        partial: set[str] = set()
        blocked: str | None = None
        if not readiness_all:
            template = gen.template_for(Phase.PRE_OP, case.specialty)
            required = [i.item_code for i in (template.items if template else ())
                        if i.section == Section.READINESS.value and i.is_required]
            if case.status is _S.REQUESTED:
                count = rng.randint(0, min(2, len(required)))
            else:
                count = rng.randint(0, max(0, len(required) - 1))
            partial = set(rng.sample(required, count))
            rest = [c for c in required if c not in partial]
            if rest and case.status is _S.SCHEDULED and rng.random() < 0.15:
                blocked = rng.choice(rest)

        def build(phase: Phase) -> list[dict[str, Any]]:
            template = gen.template_for(phase, case.specialty)
            out: list[dict[str, Any]] = []
            for t in template.items if template else ():
                when, who = self.done(phase, t, readiness_all, partial, ready_at,
                                      sign_in_at, time_out_at, sign_out_at, handoff_at, nurse)
                item_status = ItemStatus.DONE if when is not None else ItemStatus.PENDING
                note = None
                if t.item_code == blocked:
                    item_status, note = ItemStatus.BLOCKED, "Waiting for results from the lab"
                out.append({
                    "created_at": case.created_at,
                    "updated_at": when or case.created_at, "version": 1,
                    "item_code": t.item_code, "section": t.section, "label": t.label,
                    "is_required": t.is_required, "status": item_status.value,
                    "assigned_to_id": None,
                    "completed_by_id": who.id if who is not None and when else None,
                    "completed_at": when, "notes": note, "position": t.position,
                })
            return out

        pre = build(Phase.PRE_OP)
        post = build(Phase.POST_OP)
        signer = case.circulator or case.surgeon
        pre_signed = (signer.id, time_out_at) if clinical and time_out_at else None
        post_signed = (signer.id, handoff_at) if finished and handoff_at else None
        return pre, pre_signed, post, post_signed

    def done(self, phase: Phase, t: TemplateItemRow, readiness_all: bool, partial: set[str],
             ready_at: Callable[[], datetime], sign_in_at: datetime | None,
             time_out_at: datetime | None, sign_out_at: datetime | None,
             handoff_at: datetime | None, nurse: _Person) -> tuple[datetime | None, _Person | None]:
        case, rng = self.case, self.rng
        finished = case.status is _S.COMPLETED
        anesth = case.anesthetist or nurse
        section = t.section
        if section == Section.READINESS.value:
            optional_done = finished or rng.random() < 0.6
            if (readiness_all and (t.is_required or optional_done)) or t.item_code in partial:
                who = anesth if t.item_code == "RD-ASSESSMENT" else (
                    case.surgeon if t.item_code == "RD-CONSENT" else nurse)
                return ready_at(), who
            return None, None
        if section == Section.SIGN_IN.value and sign_in_at is not None:
            return sign_in_at, (anesth if t.item_code == "SI-ANESTH" else nurse)
        if section == Section.TIME_OUT.value and time_out_at is not None:
            if t.is_required or finished or rng.random() < 0.6:
                return time_out_at, (case.surgeon if t.item_code == "TO-SURGEON" else nurse)
            return None, None
        if section == Section.SIGN_OUT.value and sign_out_at is not None:
            return sign_out_at, nurse
        if section == Section.HANDOFF.value and handoff_at is not None:
            return handoff_at, nurse
        if section not in _KNOWN_SECTIONS:
            # A local section added by an admin: done once its phase's work is.
            when = (sign_out_at or handoff_at) if phase is Phase.POST_OP else time_out_at
            if when is not None:
                return when, nurse
        return None, None


# --- entry point ------------------------------------------------------------------------


def _check_arguments(rooms: int, days: int, password: str) -> None:
    problems = []
    if not 1 <= rooms <= MAX_ROOMS:
        problems.append(FieldProblem("rooms", f"must be between 1 and {MAX_ROOMS}"))
    if not 1 <= days <= MAX_DAYS:
        problems.append(FieldProblem("days", f"must be between 1 and {MAX_DAYS}"))
    if len(password) < 8:
        problems.append(FieldProblem("password", "must be at least 8 characters"))
    if problems:
        raise BadInput(problems)


def generate_demo(
    db: Database,
    *,
    rooms: int = 12,
    days: int = 14,
    start: date | None = None,
    seed: int = 1,
    password: str = DEFAULT_PASSWORD,
    clock: Clock | None = None,
) -> DemoSummary:
    """Fill an empty database with demo staff, rooms and cases; refuse one that holds data.

    ``start`` is the first day (default: two days before today in the department's zone,
    so the board shows past, present and future). Every login gets ``password``.
    """
    _check_arguments(rooms, days, password)
    began = _time.perf_counter()
    clock = clock or SystemClock()
    now = clock.now().astimezone(UTC).replace(microsecond=0)
    with UnitOfWork(db) as uow:
        writer = BulkWriter(uow.session)
        writer.lock_for_load()
        if writer.holds_data():
            raise Refused(
                "the database already holds data (users, rooms or cases); "
                "the demo fills only an empty database"
            )
        tz = zone(uow.settings.get().time_zone)
        first_day = start or now.astimezone(tz).date() - timedelta(days=2)
        tables = (m.User, m.SurgeonProfile, m.OperatingRoom, m.RoomClosure, m.SurgeryCase,
                  m.CareTeamMember, m.Checklist, m.ChecklistItem, m.CaseNote)
        ids = {model.__tablename__: writer.next_id(model) for model in tables}
        gen = _Generator(rooms=rooms, days=days, start=first_day, seed=seed, now=now, tz=tz,
                         templates=writer.active_templates(), ids=ids)
        gen.build_rooms()
        gen.build_staff()
        gen.plan_lists()
        gen.plan_emergency_rooms()
        gen.double_book_surgeons()
        gen.plan_queue()
        gen.assign_statuses()
        gen.assign_patients_and_numbers()
        planned = _time.perf_counter()

        rows = _Rows()
        # One hash for every login: argon2id is slow on purpose, 200 of them would take
        # a minute. Every demo account shares the password anyway.
        _people_rows(gen, rows, PasswordHasher().hash(password))
        _case_rows(gen, rows)
        built = _time.perf_counter()

        writer.insert(m.User, rows.users)
        writer.insert(m.SurgeonProfile, rows.profiles)
        writer.insert(m.OperatingRoom, rows.rooms)
        writer.insert(m.RoomClosure, rows.closures)
        writer.insert(m.SurgeryCase, rows.cases)
        writer.insert(m.CareTeamMember, rows.team)
        writer.insert(m.Checklist, rows.checklists)
        writer.insert(m.ChecklistItem, rows.items)
        writer.insert(m.CaseNote, rows.notes)
        writer.set_case_counters(gen.counters, now)
        writer.advance_sequences(tables)

        by_status = Counter(c.status.value for c in gen.cases)
        by_role = Counter(p.role.value for p in gen.people)
        statuses = {s.value: by_status.get(s.value, 0) for s in CaseStatus}
        roles = {r.value: by_role.get(r.value, 0) for r in Role}
        details: dict[str, Any] = {
            "seed": seed, "rooms": rooms, "days": days, "first_day": first_day.isoformat(),
            "users": len(rows.users), "cases": len(rows.cases),
            "checklist_items": len(rows.items), "by_status": statuses,
            "surgeon_double_bookings": gen.conflicts,
        }
        uow.audit.record(actor_id=None, action="demo_generated", target_class="Database",
                         target_id=None, details=details, at=now)
        uow.commit()
    done = _time.perf_counter()
    log.info(
        "demo data generated: %d users, %d rooms, %d cases, %d checklist items "
        "(plan %.2f s, rows %.2f s, write %.2f s)",
        len(rows.users), len(rows.rooms), len(rows.cases), len(rows.items),
        planned - began, built - planned, done - built,
    )
    return DemoSummary(
        first_day=first_day,
        last_day=first_day + timedelta(days=days - 1),
        users=len(rows.users),
        rooms=len(rows.rooms),
        cases=len(rows.cases),
        checklist_items=len(rows.items),
        care_team_members=len(rows.team),
        notes=len(rows.notes),
        by_status=statuses,
        by_role=roles,
        logins=[(p.username, p.role.value, p.display_name) for p in gen.people],
        password=password,
        seconds=done - began,
    )
