"""The demo's plan in memory: people, rooms and cases as plain objects with ids given here,
and what every planning step shares (the seeded random source, the clock, who is busy when).

Rooms and people follow the domain's one overlap rule (``domain.intervals``): a room is held
until a case's end plus its turnover, people only for the case's own time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from surgdesk.domain.demo_catalog import Procedure
from surgdesk.domain.enums import (
    CaseStatus,
    Laterality,
    NoteType,
    Phase,
    Priority,
    Role,
    RoomStatus,
)
from surgdesk.domain.intervals import intervals_overlap, occupied_until
from surgdesk.domain.timezones import LocalTimeError, localize
from surgdesk.repository.bulk import TemplateRow

if TYPE_CHECKING:
    from surgdesk.services.demo.blocks import BlockPlan
    from surgdesk.services.demo.cards import DemoCard
    from surgdesk.services.demo.equipment import Fleet

S = CaseStatus
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


@dataclass(slots=True)
class Person:
    id: int
    username: str
    role: Role
    display_name: str
    specialty: str | None = None
    profile_id: int | None = None
    is_device: bool = False


@dataclass(slots=True)
class Room:
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
class Case:
    procedure: Procedure
    specialty: str
    priority: Priority
    minutes: int
    laterality: Laterality
    surgeon: Person
    room: Room | None = None
    start: datetime | None = None
    end: datetime | None = None
    anesthetist: Person | None = None
    circulator: Person | None = None
    scrub: Person | None = None
    status: CaseStatus = CaseStatus.REQUESTED
    actual_start: datetime | None = None
    actual_end: datetime | None = None
    patient: tuple[str, str, date] | None = None
    created_at: datetime | None = None
    created_by: Person | None = None
    id: int = 0
    number: str = ""
    note: tuple[NoteType, str, datetime] | None = None
    # Booked in a surgeon's block, or in released time by someone else: handing the case
    # to another surgeon would put it in someone else's block.
    fixed_surgeon: bool = False
    # (equipment kind id, unit id): one per unit needed; the unit while the case is booked
    # (``demo.equipment``), None in the queue.
    equipment: list[tuple[int, int | None]] = field(default_factory=list)

    @property
    def occupied_until(self) -> datetime | None:
        if self.end is None or self.room is None:
            return None
        return occupied_until(self.end, self.room.turnover)


class Busy:
    """When each person works, bucketed by UTC day, so "is X free then?" is cheap."""

    def __init__(self) -> None:
        self._by_day: dict[tuple[int, int], list[tuple[datetime, datetime]]] = {}

    def add(self, person: Person, start: datetime, end: datetime) -> None:
        day = start.toordinal()
        while day <= end.toordinal():
            self._by_day.setdefault((person.id, day), []).append((start, end))
            day += 1

    def free(self, person: Person, start: datetime, end: datetime) -> bool:
        for day in range(start.toordinal() - 1, end.toordinal() + 1):
            for s, e in self._by_day.get((person.id, day), ()):
                if intervals_overlap(s, e, start, end):
                    return False
        return True


def round5(minutes: float) -> int:
    return max(15, round(minutes / 5.0) * 5)


def floor5(instant: datetime) -> datetime:
    return instant.replace(minute=instant.minute - instant.minute % 5, second=0, microsecond=0)


def local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A department wall-clock time as UTC; a time in a DST gap moves an hour on."""
    naive = datetime.combine(day, at)
    try:
        return localize(naive, tz).astimezone(UTC)
    except LocalTimeError:
        return localize(naive + timedelta(hours=1), tz).astimezone(UTC)


class Plan:
    """The whole demo in memory while it is planned: every step reads and adds to it."""

    def __init__(self, *, rooms: int, days: int, start: date, seed: int, now: datetime,
                 tz: ZoneInfo, templates: list[TemplateRow], ids: dict[str, int]) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.n_rooms = rooms
        self.days = days
        self.start = start
        self.now = now
        self.tz = tz
        self.today = now.astimezone(tz).date()
        self.templates = templates
        self.next_ids = dict(ids)
        self.busy = Busy()
        self.people: list[Person] = []
        self.rooms: list[Room] = []
        self.cases: list[Case] = []
        self.closure: tuple[Room, datetime, datetime, date] | None = None
        self.blocks: BlockPlan | None = None  # services.demo.blocks.plan_blocks
        self.fleet: Fleet | None = None  # services.demo.equipment.build_fleet
        self.cards: list[DemoCard] = []  # services.demo.cards.plan_cards
        self.card_ids: dict[tuple[int, str], int] = {}  # (surgeon profile, procedure)
        self.surgeons: dict[str, list[Person]] = {}
        self.list_anesth: list[Person] = []
        self.call_anesth: list[Person] = []
        self.list_nurses: list[Person] = []
        self.call_nurses: list[Person] = []
        self.schedulers: list[Person] = []
        self.conflicts = 0
        self.counters: dict[int, int] = {}

    def new_id(self, table: str) -> int:
        value = self.next_ids[table]
        self.next_ids[table] = value + 1
        return value

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
