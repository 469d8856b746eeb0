"""Blocks: a room's time reserved on a recurring pattern for a surgeon or a service.

Pure rules over plain values (no database, no wording beyond field/reason pairs): which
dates a pattern holds, the local hours on each date after its exceptions, the UTC span of
an occurrence in the department's zone, whether two blocks of one room ever overlap, the
used minutes of an occurrence (block utilization) and the release-by-rule test.

Definitions (DESIGN.md, "Planning the suite"):

- A pattern holds on ``day`` when ``valid_from <= day <= valid_until`` (until inclusive,
  None = open-ended), ``day.weekday()`` is in ``weekdays``, and either
  ``every_weeks == 1``; or ``every_weeks == N > 1`` and the number of whole weeks
  between the Monday of ``valid_from``'s week and the Monday of ``day``'s week is a
  multiple of N; or ``weeks_of_month`` is not empty and ``day`` is the k-th such weekday
  of its month for some k in ``weeks_of_month`` (1..5; 5 = the fifth, which some months
  lack). ``every_weeks > 1`` and ``weeks_of_month`` never go together.
- A :class:`DayException` on a date replaces that date: ``cancelled`` removes the
  occurrence, otherwise its ``start``/``end`` are the hours that day. An exception on a
  date the pattern does not hold adds nothing.
- A block's hours are local wall-clock times in the department's zone, start < end on
  the same day (no block runs past midnight).
- Used minutes of an occurrence (block utilization's numerator): the owner's cases'
  minutes inside the occurrence (each case clipped to it, overlapping cases counted
  once), plus, between two consecutive such stretches, the gap up to the room's turnover.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from surgdesk.domain.limits import IntRange

# Every Nth week: 1 (every week) to 8.
EVERY_WEEKS = IntRange(1, 8, "weeks")
# Release a block's unused date this many days ahead (0: never by rule).
RELEASE_DAYS = IntRange(0, 90, "days")
DEFAULT_RELEASE_DAYS = 7
# Weeks of the month a pattern may name (the 1st ... the 5th weekday of that name).
WEEK_OF_MONTH = IntRange(1, 5, "")
# Two open-ended patterns are compared over this many years from the later start: every
# combination of weekday, week of month and an every-N-weeks phase (N <= 8) has recurred
# long before (the weekday/month-day calendar repeats every 28 years between century years).
OVERLAP_HORIZON_YEARS = 28


@dataclass(frozen=True, slots=True)
class BlockPattern:
    """When a block holds its room (local hours in the department's zone)."""

    weekdays: tuple[int, ...]  # 0 = Monday ... 6 = Sunday
    start: time
    end: time
    valid_from: date
    valid_until: date | None = None  # inclusive; None: open-ended
    every_weeks: int = 1
    weeks_of_month: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class DayException:
    """One date of a block: cancelled, or other hours that day."""

    on: date
    cancelled: bool
    start: time | None = None
    end: time | None = None


@dataclass(frozen=True, slots=True)
class Owner:
    """Whose block it is: a surgeon (by user id) or a service (a specialty)."""

    surgeon_user_id: int | None = None
    service: str | None = None

    def owns(self, lead_user_id: int, specialty: str | None) -> bool:
        """A case is its owner's when its lead surgeon is the block's surgeon, or (service
        block) the case's specialty is the block's service (case-insensitive)."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class BlockSpan:
    """One occurrence as the conflict rules see it (UTC)."""

    block_id: int
    room_id: int
    day: date
    start: datetime
    end: datetime
    owner: Owner
    released: bool = False


def pattern_problems(p: BlockPattern) -> list[tuple[str, str]]:
    """Why a pattern is not acceptable, as (field, reason) pairs; empty if fine.

    Fields: ``weekdays``, ``start``, ``end``, ``from``, ``until``, ``every_weeks``,
    ``weeks_of_month``. Includes "a pattern with no dates" (e.g. the 5th Monday of
    months between valid_from and valid_until when none has one) on field ``weekdays``."""
    raise NotImplementedError


def occurs_on(p: BlockPattern, day: date) -> bool:
    """Whether the pattern itself holds on ``day`` (exceptions not applied)."""
    raise NotImplementedError


def pattern_dates(p: BlockPattern, first: date, last: date) -> list[date]:
    """The pattern's dates in [first, last] (inclusive), in order; exceptions not applied.
    Must be fast: a board window (62 days) for 100 blocks in well under 10 ms."""
    raise NotImplementedError


def hours_on(p: BlockPattern, day: date,
             exceptions: Mapping[date, DayException]) -> tuple[time, time] | None:
    """The block's local hours on ``day`` after exceptions; None when it does not hold."""
    raise NotImplementedError


def local_span(day: date, start: time, end: time, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants of ``start``..``end`` on ``day`` in ``tz``. Raises
    ``domain.timezones.LocalTimeError`` when either wall-clock time does not exist that
    day (a DST gap); an ambiguous time (a fold) takes its first instant."""
    raise NotImplementedError


def dst_problem_dates(p: BlockPattern, tz: ZoneInfo, *, horizon: date) -> list[date]:
    """Pattern dates up to ``min(valid_until, horizon)`` on which start or end falls in a
    DST gap (the services refuse such a pattern, naming the first date)."""
    raise NotImplementedError


def first_overlap(a: BlockPattern, a_exceptions: Mapping[date, DayException],
                  b: BlockPattern, b_exceptions: Mapping[date, DayException]) -> date | None:
    """The first date on which both blocks hold and their hours overlap (half-open: one
    ending at 12:00 and one starting at 12:00 do not overlap); None if never. Exact over
    the intersection of the validity ranges, an open end compared through
    ``OVERLAP_HORIZON_YEARS`` from the later ``valid_from``. Fast: no day-by-day walk
    over decades when hours or weekdays cannot meet."""
    raise NotImplementedError


def used_minutes(block_start: datetime, block_end: datetime,
                 owner_cases: Sequence[tuple[datetime, datetime]], turnover_minutes: int) -> int:
    """Utilization's numerator for one occurrence (see the module docstring); whole
    minutes, rounded down. Cases outside the block add nothing."""
    raise NotImplementedError


def released_by_rule(now: datetime, occurrence_start: datetime, release_days: int,
                     owner_booked: bool) -> bool:
    """Released automatically: ``release_days > 0``, no case of the owner is booked in
    it, and ``now`` is at or after ``occurrence_start - release_days days``."""
    raise NotImplementedError


def release_moment(occurrence_start: datetime, release_days: int) -> datetime:
    """When the rule releases an unused occurrence."""
    return occurrence_start - timedelta(days=release_days)
