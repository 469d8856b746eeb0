"""Property: the service accepts a booking exactly when a brute-force overlap check
(turnover included) finds no clash with the bookings it accepted before.

One database per backend for the whole test (a fresh one per example is far too slow):
each example books on a day of its own, so examples cannot see each other's cases.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surgdesk.domain.enums import CaseStatus
from surgdesk.domain.intervals import Booking, room_clash
from surgdesk.errors import RoomConflict
from tests.services.factories import Kit, add_room, kit

__all__ = ["kit"]

# (code, turnover minutes): OR1 and OR2 come with the kit; OR0 has no turnover at all.
ROOMS = (("OR1", 30), ("OR2", 15), ("OR0", 0))
FIRST_DAY = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
SLOT = timedelta(minutes=10)


@dataclass(frozen=True)
class Book:
    room: int
    slot: int
    length: int  # slots


@dataclass(frozen=True)
class Move:
    which: int
    room: int | None
    slot: int | None
    length: int | None


@dataclass(frozen=True)
class Cancel:
    which: int


rooms = st.integers(0, len(ROOMS) - 1)
slots = st.integers(0, 60)  # 06:00 to 16:00 UTC in ten-minute steps
lengths = st.integers(1, 18)  # ten minutes to three hours
operations = st.lists(
    st.one_of(
        st.builds(Book, rooms, slots, lengths),
        st.builds(Move, st.integers(0, 9), st.none() | rooms, st.none() | slots,
                  st.none() | lengths),
        st.builds(Cancel, st.integers(0, 9)),
    ),
    min_size=1,
    max_size=8,
)


_days: dict[str, Iterator[int]] = {}


def _fresh_day(kit: Kit) -> datetime:
    """A day no earlier example of this database has used (and, once, the extra room)."""
    key = str(kit.db.url)
    if key not in _days:
        add_room(kit.db, "OR0", turnover_minutes=0)
        _days[key] = itertools.count()
    return FIRST_DAY + timedelta(days=next(_days[key]))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_service_accepts_exactly_the_bookings_without_a_clash(kit: Kit, ops: list[object]) -> None:
    day = _fresh_day(kit)
    held: dict[str, Booking] = {}  # case number -> what the model says it holds
    order: list[str] = []

    def booking(number: str | None, room: int, slot: int, length: int) -> Booking:
        start = day + slot * SLOT
        return Booking(None if number is None else order.index(number), room,
                       start, start + length * SLOT, timedelta(minutes=ROOMS[room][1]))

    def clashes(candidate: Booking) -> bool:
        return any(room_clash(candidate, other) for other in held.values())

    for op in ops:
        if isinstance(op, Book):
            candidate = booking(None, op.room, op.slot, op.length)
            expected = not clashes(candidate)
            try:
                result = kit.new_case(room=ROOMS[op.room][0], start=candidate.start,
                                      duration_min=op.length * 10)
            except RoomConflict:
                assert not expected, f"refused {candidate} though nothing clashes"
                continue
            assert expected, f"accepted {candidate} over {list(held.values())}"
            number = result.case.case_number
            order.append(number)
            held[number] = booking(number, op.room, op.slot, op.length)
        elif isinstance(op, Move) and held:
            number = list(held)[op.which % len(held)]
            old = held[number]
            room = old.room_id if op.room is None else op.room
            slot = (old.start - day) // SLOT if op.slot is None else op.slot
            length = (old.end - old.start) // SLOT if op.length is None else op.length
            candidate = booking(number, room, slot, length)
            expected = not clashes(candidate)
            try:
                kit.cases.move(kit["sched"], number, room=ROOMS[room][0],
                               start=candidate.start, duration_min=length * 10)
            except RoomConflict:
                assert not expected, f"refused moving to {candidate} though nothing clashes"
                continue
            assert expected, f"moved to {candidate} over {list(held.values())}"
            held[number] = candidate
        elif isinstance(op, Cancel) and held:
            number = list(held)[op.which % len(held)]
            kit.cases.set_status(kit["sched"], number, CaseStatus.CANCELLED, reason="test")
            del held[number]
