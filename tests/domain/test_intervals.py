"""Room occupancy: half-open intervals, turnover after each case, same room only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from surgdesk.domain.intervals import Booking, clashes, intervals_overlap, room_clash

T0 = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
TURNOVER = timedelta(minutes=30)


def booking(case_id: int | None, start_h: float, end_h: float, *, room: int = 1,
            turnover: timedelta = TURNOVER) -> Booking:
    return Booking(case_id, room, T0 + start_h * HOUR, T0 + end_h * HOUR, turnover)


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ((0, 1), (1, 2), False),  # touching
        ((0, 1), (0.5, 2), True),
        ((0, 3), (1, 2), True),  # contained
        ((1, 2), (0, 1), False),
        ((0, 1), (2, 3), False),
    ],
)
def test_half_open_overlap(a: tuple[float, float], b: tuple[float, float], overlap: bool) -> None:
    args = (T0 + a[0] * HOUR, T0 + a[1] * HOUR, T0 + b[0] * HOUR, T0 + b[1] * HOUR)
    assert intervals_overlap(*args) is overlap


@pytest.mark.parametrize(
    ("start_h", "clash"),
    [(1.0, True), (1.49, True), (1.5, False), (-1.0, False), (-0.99, True)],
)
def test_turnover_follows_each_case(start_h: float, clash: bool) -> None:
    existing = booking(1, 0, 1)  # holds the room until 01:30
    candidate = booking(None, start_h, start_h + 0.5)  # its own turnover counts too
    assert room_clash(candidate, existing) is clash
    assert room_clash(existing, candidate) is clash


def test_no_clash_across_rooms_or_with_itself() -> None:
    assert not room_clash(booking(1, 0, 1), booking(2, 0, 1, room=2))
    assert not room_clash(booking(1, 0, 1), booking(1, 0.5, 1.5))


def test_zero_turnover_rooms_take_back_to_back_cases() -> None:
    assert not room_clash(booking(1, 0, 1, turnover=timedelta(0)),
                          booking(2, 1, 2, turnover=timedelta(0)))


def test_clashes_lists_every_clashing_booking() -> None:
    others = [booking(1, 0, 1), booking(2, 1.5, 2.5), booking(3, 4, 5)]
    assert [b.case_id for b in clashes(booking(None, 0.5, 2), others)] == [1, 2]
