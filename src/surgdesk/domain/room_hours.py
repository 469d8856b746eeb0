"""A room's open hours as spans of time: one implementation for the conflict rules and the
board's shading.

A room opens at ``opens_at`` and closes at ``closes_at`` (department wall-clock time) on each
of its weekdays (0 = Monday). The span belongs to the day it opens on:

- ``closes_at`` after ``opens_at``: open that day from ``opens_at`` to ``closes_at``;
- ``closes_at`` before ``opens_at``: open past midnight, until ``closes_at`` the next day;
- ``closes_at == opens_at``: open round the clock, for 24 wall-clock hours from ``opens_at``
  (so a room open 00:00-00:00 every day is one unbroken span).

Spans that touch are merged, so a case running from one open day into the next is inside
the room's hours.

Daylight saving: the room follows the wall clock. An instant is inside an open day when the
clock on the wall reads at least ``opens_at`` and less than ``closes_at`` there, so

- a boundary in a gap (clocks jump forward over it) falls on the jump itself: a room that
  opens at 02:30 on a night that skips 02:00-03:00 opens when the clock shows 03:00;
- a boundary in a fold (the clocks go back and repeat it) is read the wide way: the room
  opens the first time the clock shows ``opens_at`` and closes the second time it shows
  ``closes_at`` (staff work the repeated hour rather than leave mid-case).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

_DAY = timedelta(days=1)


def _instant(wall: datetime, tz: ZoneInfo, *, closing: bool) -> datetime:
    """The UTC instant a wall-clock boundary stands for, by the module docstring's rules."""
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(UTC)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall:
        return (second if closing else first).astimezone(UTC)  # a fold: the wide reading
    return _gap_end(first, second, tz)


def _gap_end(first: datetime, second: datetime, tz: ZoneInfo) -> datetime:
    """The instant the clocks jump over a gap that contains the wall time of ``first``.

    zoneinfo reads a time in a gap with the offset before (fold=0) or after (fold=1) the
    jump; the jump lies between those two readings, found by halving (offsets change on
    whole seconds, and a gap is at most a few hours).
    """
    lo = second.astimezone(UTC)  # before the jump
    hi = first.astimezone(UTC)  # after it
    if hi < lo:
        lo, hi = hi, lo
    before = lo.astimezone(tz).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(tz).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return hi


def _day_span(day: date, opens_at: time, closes_at: time, tz: ZoneInfo
              ) -> tuple[datetime, datetime]:
    opens = datetime.combine(day, opens_at)
    closes = datetime.combine(day, closes_at)
    if closes <= opens:  # past midnight, or round the clock when equal
        closes += _DAY
    return _instant(opens, tz, closing=False), _instant(closes, tz, closing=True)


def _merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sorted and joined where they touch. The spans are in UTC: aware datetimes that share
    a zone compare and subtract by wall clock, which is wrong in a fold."""
    out: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if end <= start:  # a day swallowed whole by a gap: no open time at all
            continue
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def open_spans(
    opens_at: time,
    closes_at: time,
    weekdays: Iterable[int],
    first: date,
    last: date,
    tz: ZoneInfo,
) -> list[tuple[datetime, datetime]]:
    """The room's open spans that touch the department days ``first`` to ``last``.

    Aware datetimes in ``tz``, sorted and merged (touching spans join). The evening of the
    day before ``first`` counts when the room is open past midnight into ``first``.
    Compare them with instants in another zone (or UTC), not with other datetimes in
    ``tz``: Python compares two datetimes sharing a tzinfo by their wall clock.
    """
    spans = _spans_utc(opens_at, closes_at, frozenset(weekdays), first, last, tz)
    return [(s.astimezone(tz), e.astimezone(tz)) for s, e in spans]


# The board asks for every case's hours, and most share a room and a day: remembering the
# last few thousand answers keeps a week of 60 rooms from recomputing them per case.
@lru_cache(maxsize=4096)
def _spans_utc(opens_at: time, closes_at: time, days: frozenset[int], first: date, last: date,
               tz: ZoneInfo) -> tuple[tuple[datetime, datetime], ...]:
    day_starts = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    spans: list[tuple[datetime, datetime]] = []
    day = first - _DAY
    while day <= last:
        if day.weekday() in days:
            start, end = _day_span(day, opens_at, closes_at, tz)
            if end > day_starts:
                spans.append((start, end))
        day += _DAY
    return tuple(_merged(spans))


def outside_hours(
    start: datetime,
    end: datetime,
    *,
    opens_at: time,
    closes_at: time,
    weekdays: Iterable[int],
    tz: ZoneInfo,
) -> bool:
    """True when [start, end) is not inside one of the room's (merged) open spans."""
    first = start.astimezone(tz).date()
    last = max(first, (end - timedelta(microseconds=1)).astimezone(tz).date())
    lo, hi = start.astimezone(UTC), end.astimezone(UTC)
    spans = _spans_utc(opens_at, closes_at, frozenset(weekdays), first, last, tz)
    return not any(s <= lo and hi <= e for s, e in spans)


_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def daily_hours_text(opens_at: time, closes_at: time) -> str:
    """One day's hours for a table column: ``07:00-19:00``, or ``round the clock`` (equal
    times), never the ``00:00-00:00`` that reads as closed."""
    if opens_at == closes_at:
        start = "" if opens_at == time(0) else f" from {opens_at:%H:%M}"
        return f"round the clock{start}"
    return f"{opens_at:%H:%M}-{closes_at:%H:%M}"


def hours_text(opens_at: time, closes_at: time, weekdays: Iterable[int]) -> str:
    """The hours as people read them: ``07:00-19:00 Mon,Tue`` or ``open round the clock``."""
    days = sorted(d for d in set(weekdays) if 0 <= d < 7)
    if opens_at == closes_at:
        if len(days) == 7 and opens_at == time(0):
            return "open round the clock"
        named = ",".join(_DAY_NAMES[d] for d in days) or "no days"
        start = "" if opens_at == time(0) else f" from {opens_at:%H:%M}"
        return f"open round the clock{start} {named}"
    named = ",".join(_DAY_NAMES[d] for d in days) or "no days"
    return f"{opens_at:%H:%M}-{closes_at:%H:%M} {named}"
