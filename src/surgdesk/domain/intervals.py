"""Room occupancy: a case holds its room from its start until its end plus turnover."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from surgdesk.domain.limits import CASE_DURATION

# A case longer than this is refused as bad input; it also bounds the window queries.
MAX_CASE_DURATION = timedelta(minutes=CASE_DURATION.high)


@dataclass(frozen=True, slots=True)
class Booking:
    """One case's claim on a room, as the overlap rule sees it."""

    case_id: int | None
    room_id: int
    start: datetime
    end: datetime
    turnover: timedelta

    @property
    def occupied_until(self) -> datetime:
        return self.end + self.turnover


def occupied_until(end: datetime, turnover_minutes: int) -> datetime:
    """The room is held until the case's end plus the room's turnover."""
    return end + timedelta(minutes=turnover_minutes)


def intervals_overlap(
    a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime
) -> bool:
    """Half-open intervals [start, end) overlap; touching end-to-start does not."""
    return a_start < b_end and b_start < a_end


def room_clash(a: Booking, b: Booking) -> bool:
    """Two bookings clash when one starts before the other's turnover is over."""
    if a.room_id != b.room_id or (a.case_id is not None and a.case_id == b.case_id):
        return False
    return intervals_overlap(a.start, a.occupied_until, b.start, b.occupied_until)


def clashes(candidate: Booking, others: Iterable[Booking]) -> list[Booking]:
    return [other for other in others if room_clash(candidate, other)]
