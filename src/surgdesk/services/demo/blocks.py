"""The demo's block schedule: which room is reserved for whom on which days, which dates
were released, and how much of each date its owner books.

The shape of a real suite: every elective room belongs to its service on most weekdays
(07:30-15:30, some 08:00-16:00); some rooms leave Friday as open time; some give Tuesday
to a surgeon every other week (the service has the weeks between), some Thursday to a
surgeon in the 1st and 3rd week of the month; a shared room (no specialty tag) lends
Wednesday to a second service. Emergency rooms are never blocked. Blocks were set up a
quarter before the demo's first day; one surgeon's block ends half-way through.

Each date then gets a plan (:class:`Session`) the day's list follows: its owner books cases
up to 75-100 % of it (60-90 % used once the last case that fits is in; a few dates poorly
used), a few dates are released by hand with a reason (the surgeon's leave, a congress; a
service short of staff), and some unused dates near enough are left empty so the rule
releases them; about half of the released time is booked again by someone else. Nobody
books into another owner's held block, so the only soft conflicts stay the deliberate
double bookings. Rows are written by the bulk writer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from surgdesk.domain.blocks import (
    DEFAULT_RELEASE_DAYS,
    BlockPattern,
    DayException,
    hours_on,
    occurs_on,
)
from surgdesk.domain.demo_catalog import SPECIALTIES
from surgdesk.domain.enums import RoomStatus
from surgdesk.services.demo.plan import DAY, Person, Plan, Room, local

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = range(5)
# How a date of a block is used (see the module docstring).
HAND_RELEASE = {"surgeon": 0.12, "service": 0.03}
LEFT_EMPTY = 0.08  # of dates the rule may release already: nothing booked
POORLY_USED = 0.08
REFILL = 0.5  # released time booked again by someone else
SURGEON_REASONS = ("Annual leave", "Congress abroad", "Teaching day at the university",
                   "On call the night before", "Outpatient clinic moved to this day")
SERVICE_REASONS = ("Two of the service's surgeons on leave",
                   "Arthroscopy tower away for repair", "Service meeting and audit day")


@dataclass(slots=True)
class DemoBlock:
    id: int
    room: Room
    pattern: BlockPattern
    service: str | None = None
    surgeon: Person | None = None
    release_days: int | None = None
    exceptions: dict[date, tuple[DayException, str]] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return "surgeon" if self.surgeon is not None else "service"

    @property
    def specialty(self) -> str:
        owner = self.service or (self.surgeon.specialty if self.surgeon else None)
        assert owner is not None
        return owner


@dataclass(frozen=True, slots=True)
class DemoRelease:
    block: DemoBlock
    day: date
    by: Person
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Session:
    """A room's block on one day, as that day's list is planned around it."""

    block: DemoBlock
    start: datetime  # UTC
    end: datetime
    fill: float  # the share of the block its owner books; 0: none of it
    released: bool  # by hand, or left empty where the rule releases it
    refill: bool  # someone else books part of the released time

    @property
    def fill_until(self) -> datetime:
        return self.start + (self.end - self.start) * self.fill


class BlockPlan:
    """Every block of the demo, and the releases made by hand."""

    def __init__(self) -> None:
        self.blocks: list[DemoBlock] = []
        self.releases: list[DemoRelease] = []
        # Specialties with more surgeons than rooms of their own: only they have someone
        # free to book released time (taking another's surgeon would empty their room).
        self.spare: set[str] = set()
        self._by_room: dict[int, list[DemoBlock]] = {}

    def add(self, block: DemoBlock) -> None:
        self.blocks.append(block)
        self._by_room.setdefault(block.room.id, []).append(block)

    def block_on(self, room: Room, day: date) -> tuple[DemoBlock, time, time] | None:
        """The room's block that holds on ``day`` and its hours (one at most: the demo's
        blocks of one room never meet)."""
        for block in self._by_room.get(room.id, ()):
            exceptions = {d: e for d, (e, _) in block.exceptions.items()}
            hours = hours_on(block.pattern, day, exceptions) \
                if occurs_on(block.pattern, day) else None
            if hours is not None:
                return block, hours[0], hours[1]
        return None


# --- the schedule ------------------------------------------------------------------------

def plan_blocks(plan: Plan) -> None:
    """The blocks of every elective room (emergency rooms stay open time)."""
    blocks = BlockPlan()
    plan.blocks = blocks
    first_monday = plan.start - timedelta(days=plan.start.weekday())
    since = first_monday - timedelta(weeks=12)
    spare = _spare_surgeons(plan)
    blocks.spare = {spec for spec, n in spare.items() if n > 0}
    taken: set[tuple[int, int]] = set()  # (surgeon id, weekday) with a surgeon block
    regular = [r for r in plan.rooms if not r.emergency]
    for k, room in enumerate(regular):
        assert room.home is not None
        hours = (time(8, 0), time(16, 0)) if k % 3 == 2 else (time(7, 30), time(15, 30))
        days = [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY]
        staffed = room.status is RoomStatus.ACTIVE
        if k % 4 == 0:
            days.remove(FRIDAY)  # open time
        elif k % 4 == 1 and staffed and (owner := _surgeon_for(plan, room.home, TUESDAY,
                                                                 taken)):
            days.remove(TUESDAY)
            # The surgeon's Tuesdays every other week, the service's the weeks between.
            ends = plan.start + timedelta(days=max(7, plan.days // 2)) \
                if not any(b.surgeon for b in blocks.blocks) else None
            _add(plan, blocks, room, (TUESDAY,), hours, since, surgeon=owner, every_weeks=2,
                 until=ends)
            _add(plan, blocks, room, (TUESDAY,), hours, since + timedelta(weeks=1),
                 service=room.home, every_weeks=2)
        elif k % 4 == 2 and staffed and (owner := _surgeon_for(plan, room.home, THURSDAY,
                                                                 taken)):
            days.remove(THURSDAY)  # the other Thursdays are open time
            _add(plan, blocks, room, (THURSDAY,), hours, since, surgeon=owner,
                 weeks_of_month=(1, 3), release_days=14)
        elif k % 4 == 3 and not room.tags and (guest := _guest_service(room.home, spare)):
            days.remove(WEDNESDAY)  # a shared room lends Wednesday to another service
            _add(plan, blocks, room, (WEDNESDAY,), (time(7, 30), time(15, 30)), since,
                 service=guest)
        _add(plan, blocks, room, tuple(days), hours, since, service=room.home)
    _training_morning(plan, blocks)


def _spare_surgeons(plan: Plan) -> dict[str, int]:
    """Surgeons of each specialty beyond one per staffed elective room of it."""
    spare = {spec: len(pool) for spec, pool in plan.surgeons.items()}
    for room in plan.rooms:
        if not room.emergency and room.status is RoomStatus.ACTIVE and room.home in spare:
            spare[room.home] -= 1
    return spare


def _surgeon_for(plan: Plan, specialty: str, weekday: int,
                 taken: set[tuple[int, int]]) -> Person | None:
    for person in plan.surgeons.get(specialty, ()):
        if (person.id, weekday) not in taken:
            taken.add((person.id, weekday))
            return person
    return None


def _guest_service(home: str, spare: dict[str, int]) -> str | None:
    for spec in SPECIALTIES:
        if spec != home and spare.get(spec, 0) > 0:
            spare[spec] -= 1
            return spec
    return None


def _add(plan: Plan, blocks: BlockPlan, room: Room, weekdays: tuple[int, ...],
         hours: tuple[time, time], since: date, *, service: str | None = None,
         surgeon: Person | None = None, every_weeks: int = 1,
         weeks_of_month: tuple[int, ...] = (), until: date | None = None,
         release_days: int | None = None) -> None:
    if not weekdays:
        return
    pattern = BlockPattern(weekdays=weekdays, start=hours[0], end=hours[1], valid_from=since,
                           valid_until=until, every_weeks=every_weeks,
                           weeks_of_month=weeks_of_month)
    blocks.add(DemoBlock(plan.new_id("or_block"), room, pattern, service=service,
                         surgeon=surgeon, release_days=release_days))


def _training_morning(plan: Plan, blocks: BlockPlan) -> None:
    """One date with other hours: the first service block's date in the demo's second
    week starts at 09:30 (team training first)."""
    for block in blocks.blocks:
        if block.service is None or block.room.status is not RoomStatus.ACTIVE:
            continue
        for offset in range(7, min(plan.days, 14)):
            day = plan.start + timedelta(days=offset)
            if occurs_on(block.pattern, day):
                block.exceptions[day] = (
                    DayException(day, cancelled=False, start=time(9, 30),
                                 end=block.pattern.end),
                    "Theatre team training until 09:30")
                return
        return


# --- each date ---------------------------------------------------------------------------

def day_sessions(plan: Plan, day: date, rooms: list[Room]) -> dict[int, Session]:
    """Per room id, the block holding ``rooms`` on ``day`` and how it is used; hand
    releases are recorded on the plan as they are decided."""
    blocks = plan.blocks
    if blocks is None:
        return {}
    sessions: dict[int, Session] = {}
    for room in rooms:
        found = blocks.block_on(room, day)
        if found is not None:
            sessions[room.id] = _session(plan, blocks, day, *found)
    return sessions


def _session(plan: Plan, blocks: BlockPlan, day: date, block: DemoBlock, start: time,
             end: time) -> Session:
    rng = plan.rng
    begins, ends = local(day, start, plan.tz), local(day, end, plan.tz)
    release_days = block.release_days if block.release_days is not None \
        else DEFAULT_RELEASE_DAYS
    if rng.random() < HAND_RELEASE[block.kind]:
        _release_by_hand(plan, blocks, block, day, begins)
        return Session(block, begins, ends, 0.0, True, rng.random() < REFILL)
    rule_may_release = release_days > 0 and begins - DAY * release_days <= plan.now
    roll = rng.random()
    if rule_may_release and roll < LEFT_EMPTY:
        return Session(block, begins, ends, 0.0, True, rng.random() < REFILL)
    fill = rng.uniform(0.2, 0.45) if roll > 1 - POORLY_USED else rng.uniform(0.75, 1.0)
    return Session(block, begins, ends, fill, False, False)


def _release_by_hand(plan: Plan, blocks: BlockPlan, block: DemoBlock, day: date,
                     begins: datetime) -> None:
    rng = plan.rng
    at = begins - DAY * rng.randint(8, 40)
    if at >= plan.now:
        at = plan.now - timedelta(hours=rng.randint(1, 72))
    if block.surgeon is not None:
        by, reason = block.surgeon, rng.choice(SURGEON_REASONS)
    else:
        by, reason = rng.choice(plan.schedulers), rng.choice(SERVICE_REASONS)
    blocks.releases.append(DemoRelease(block, day, by, reason, at.replace(microsecond=0)))


# --- rows --------------------------------------------------------------------------------

def block_rows(plan: Plan, created: datetime) -> tuple[list[dict[str, Any]],
                                                       list[dict[str, Any]],
                                                       list[dict[str, Any]]]:
    """Rows of or_block, or_block_exception and or_block_release."""
    blocks, exceptions, releases = [], [], []
    if plan.blocks is None:
        return [], [], []
    for b in plan.blocks.blocks:
        p = b.pattern
        blocks.append({
            "id": b.id, "created_at": created, "updated_at": created, "version": 1,
            "room_id": b.room.id, "surgeon_id": b.surgeon.profile_id if b.surgeon else None,
            "service": b.service, "weekdays": list(p.weekdays), "starts_at": p.start,
            "ends_at": p.end, "every_weeks": p.every_weeks,
            "weeks_of_month": list(p.weeks_of_month), "valid_from": p.valid_from,
            "valid_until": p.valid_until, "release_days": b.release_days,
        })
        for day, (exception, reason) in sorted(b.exceptions.items()):
            exceptions.append({
                "id": plan.new_id("or_block_exception"), "created_at": created,
                "updated_at": created, "version": 1, "block_id": b.id, "on_date": day,
                "cancelled": exception.cancelled, "starts_at": exception.start,
                "ends_at": exception.end, "reason": reason,
            })
    for r in plan.blocks.releases:
        releases.append({
            "id": plan.new_id("or_block_release"), "created_at": r.at, "updated_at": r.at,
            "version": 1, "block_id": r.block.id, "on_date": r.day, "released_by_id": r.by.id,
            "reason": r.reason, "released_at": r.at, "taken_back_at": None,
            "taken_back_by_id": None,
        })
    return blocks, exceptions, releases
