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

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from heapq import merge
from math import gcd
from zoneinfo import ZoneInfo

from surgdesk.domain.limits import IntRange, date_problem
from surgdesk.domain.timezones import LocalTimeError

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
        if self.surgeon_user_id is not None and lead_user_id == self.surgeon_user_id:
            return True
        return (self.service is not None and specialty is not None
                and specialty.casefold() == self.service.casefold())


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
    problems = _shape_problems(p)
    if not problems and _first_date(p) is None:
        problems.append(("weekdays", "the pattern has no dates between from and until"))
    return problems


def occurs_on(p: BlockPattern, day: date) -> bool:
    """Whether the pattern itself holds on ``day`` (exceptions not applied)."""
    if day < p.valid_from or (p.valid_until is not None and day > p.valid_until):
        return False
    if day.weekday() not in p.weekdays:
        return False
    if p.weeks_of_month:
        return _week_of_month(day) in p.weeks_of_month
    return _weeks_between(p.valid_from, day) % p.every_weeks == 0


def pattern_dates(p: BlockPattern, first: date, last: date) -> list[date]:
    """The pattern's dates in [first, last] (inclusive), in order; exceptions not applied.
    Must be fast: a board window (62 days) for 100 blocks in well under 10 ms."""
    found: list[date] = []
    for weekday in set(p.weekdays):
        found.extend(_weekday_dates(p, weekday, first, last))
    found.sort()
    return found


def hours_on(p: BlockPattern, day: date,
             exceptions: Mapping[date, DayException]) -> tuple[time, time] | None:
    """The block's local hours on ``day`` after exceptions; None when it does not hold."""
    if not occurs_on(p, day):
        return None
    exception = exceptions.get(day)
    if exception is None:
        return p.start, p.end
    if exception.cancelled:
        return None
    start = p.start if exception.start is None else exception.start
    end = p.end if exception.end is None else exception.end
    return start, end


def local_span(day: date, start: time, end: time, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants of ``start``..``end`` on ``day`` in ``tz``. Raises
    ``domain.timezones.LocalTimeError`` when either wall-clock time does not exist that
    day (a DST gap); an ambiguous time (a fold) takes its first instant."""
    return _wall_to_utc(day, start, tz), _wall_to_utc(day, end, tz)


def dst_problem_dates(p: BlockPattern, tz: ZoneInfo, *, horizon: date) -> list[date]:
    """Pattern dates up to ``min(valid_until, horizon)`` on which start or end falls in a
    DST gap (the services refuse such a pattern, naming the first date)."""
    last = horizon if p.valid_until is None else min(p.valid_until, horizon)
    return [day for day in pattern_dates(p, p.valid_from, last)
            if _in_gap(day, p.start, tz) or _in_gap(day, p.end, tz)]


def first_overlap(a: BlockPattern, a_exceptions: Mapping[date, DayException],
                  b: BlockPattern, b_exceptions: Mapping[date, DayException]) -> date | None:
    """The first date on which both blocks hold and their hours overlap (half-open: one
    ending at 12:00 and one starting at 12:00 do not overlap); None if never. Exact over
    the intersection of the validity ranges, an open end compared through
    ``OVERLAP_HORIZON_YEARS`` from the later ``valid_from``. Fast: no day-by-day walk
    over decades when hours or weekdays cannot meet."""
    first = max(a.valid_from, b.valid_from)
    ends = [until for until in (a.valid_until, b.valid_until) if until is not None]
    last = min(ends) if ends else None  # None: both open-ended
    if last is not None and last < first:
        return None
    regular_last = last if last is not None else _add_years(first, OVERLAP_HORIZON_YEARS)
    hits = [hit for hit in (
        _first_regular_overlap(a, b, set(a_exceptions) | set(b_exceptions),
                               first, regular_last),
        _first_exception_overlap(a, a_exceptions, b, b_exceptions, first, last),
    ) if hit is not None]
    return min(hits) if hits else None


def used_minutes(block_start: datetime, block_end: datetime,
                 owner_cases: Sequence[tuple[datetime, datetime]], turnover_minutes: int) -> int:
    """Utilization's numerator for one occurrence (see the module docstring); whole
    minutes, rounded down. Cases outside the block add nothing."""
    stretches = sorted((max(start, block_start), min(end, block_end))
                       for start, end in owner_cases
                       if start < block_end and end > block_start)
    used = timedelta()
    turnover = timedelta(minutes=turnover_minutes)
    last_end: datetime | None = None
    for start, end in stretches:
        if last_end is not None and start < last_end:
            # Overlaps the stretch so far: only what sticks out past it counts.
            used += max(end - last_end, timedelta())
            last_end = max(last_end, end)
            continue
        if last_end is not None:
            used += min(start - last_end, turnover)
        used += end - start
        last_end = end
    return used // timedelta(minutes=1)


def released_by_rule(now: datetime, occurrence_start: datetime, release_days: int,
                     owner_booked: bool) -> bool:
    """Released automatically: ``release_days > 0``, no case of the owner is booked in
    it, and ``now`` is at or after ``occurrence_start - release_days days``."""
    if release_days <= 0 or owner_booked:
        return False
    return now >= release_moment(occurrence_start, release_days)


def release_moment(occurrence_start: datetime, release_days: int) -> datetime:
    """When the rule releases an unused occurrence."""
    return occurrence_start - timedelta(days=release_days)


# --- helpers -------------------------------------------------------------------------


def _range_problem(limit: IntRange, value: int) -> str | None:
    problem = limit.problem(value)
    return problem.rstrip() if problem is not None else None  # WEEK_OF_MONTH has no unit


def _shape_problems(p: BlockPattern) -> list[tuple[str, str]]:
    """Everything but "no dates": each field on its own."""
    problems: list[tuple[str, str]] = []
    if not p.weekdays:
        problems.append(("weekdays", "needs at least one weekday"))
    elif any(not 0 <= day <= 6 for day in p.weekdays):
        problems.append(("weekdays", "must be 0 (Monday) to 6 (Sunday)"))
    if p.end <= p.start:
        problems.append(("end", "must be after the start (a block ends on its own day)"))
    if (problem := date_problem(p.valid_from)) is not None:
        problems.append(("from", problem))
    if p.valid_until is not None:
        if (problem := date_problem(p.valid_until)) is not None:
            problems.append(("until", problem))
        elif p.valid_until < p.valid_from:
            problems.append(("until", "is before the from date"))
    if (problem := _range_problem(EVERY_WEEKS, p.every_weeks)) is not None:
        problems.append(("every_weeks", problem))
    for week in p.weeks_of_month:
        if (problem := _range_problem(WEEK_OF_MONTH, week)) is not None:
            problems.append(("weeks_of_month", problem))
            break
    if p.weeks_of_month and p.every_weeks != 1:
        problems.append(("weeks_of_month", "cannot be combined with every N weeks"))
    return problems


def _first_date(p: BlockPattern) -> date | None:
    """The pattern's first date, or None when it has none (a valid shape assumed)."""
    # An open end holds at least one date within a year (every weekday has a 5th in some
    # month of any year), so this looks no further than that.
    year_on = p.valid_from + timedelta(days=366)
    last = year_on if p.valid_until is None else min(p.valid_until, year_on)
    firsts = [next(iter(_weekday_dates(p, weekday, p.valid_from, last)), None)
              for weekday in set(p.weekdays)]
    found = [day for day in firsts if day is not None]
    return min(found) if found else None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weeks_between(earlier: date, later: date) -> int:
    """Whole weeks between the Mondays of the two dates' weeks."""
    return (_monday(later) - _monday(earlier)).days // 7


def _week_of_month(day: date) -> int:
    """1 for the month's first such weekday ... 5 for its fifth."""
    return (day.day - 1) // 7 + 1


def _weekday_dates(p: BlockPattern, weekday: int, first: date, last: date) -> Iterator[date]:
    """The pattern's dates on one weekday in [first, last], in order: one step per
    ``every_weeks`` weeks, or per week filtered by week of the month."""
    start = max(first, p.valid_from)
    end = last if p.valid_until is None else min(last, p.valid_until)
    if start > end:
        return
    day = start + timedelta(days=(weekday - start.weekday()) % 7)
    step = 1
    if not p.weeks_of_month and p.every_weeks > 1:
        step = p.every_weeks
        day += timedelta(weeks=-_weeks_between(p.valid_from, day) % step)
    stride = timedelta(weeks=step)
    while day <= end:
        if not p.weeks_of_month or _week_of_month(day) in p.weeks_of_month:
            yield day
        day += stride


def _wall_to_utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """A wall-clock time on ``day`` as UTC: a gap is refused, a fold takes its first
    instant (``timezones.localize`` refuses both; a block's hours recur, so a fold is
    resolved rather than asked about)."""
    instant = _first_instant(day, wall, tz)
    if instant is None:
        naive = datetime.combine(day, wall)
        raise LocalTimeError(
            f"{naive:%Y-%m-%d %H:%M} does not exist in {tz.key} (daylight-saving change)")
    return instant


def _first_instant(day: date, wall: time, tz: ZoneInfo) -> datetime | None:
    """The first UTC instant the zone's clocks show ``wall`` on ``day``; None in a gap.

    With fold=0 an ambiguous time takes its first (pre-transition) offset, and a skipped
    one converts to a time that does not read back the same: one round trip tells both,
    cheaper than comparing the offsets of both folds (this runs per occurrence)."""
    local = datetime.combine(day, wall.replace(fold=0), tzinfo=tz)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def _in_gap(day: date, wall: time, tz: ZoneInfo) -> bool:
    """Whether the wall-clock time is skipped on ``day`` (clocks jump forward)."""
    return _first_instant(day, wall, tz) is None


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _hours_meet(a_start: time, a_end: time, b_start: time, b_end: time) -> bool:
    return a_start < b_end and b_start < a_end


def _phases_meet(a: BlockPattern, b: BlockPattern) -> bool:
    """Whether two every-N-weeks patterns share any week (or cannot tell: weeks of month).

    Pattern a holds in weeks w = ra (mod Na) counted from any fixed Monday, b in
    w = rb (mod Nb); both hold in some week iff ra = rb (mod gcd(Na, Nb))."""
    if a.weeks_of_month and b.weeks_of_month:
        # The same date is the same k-th weekday for both: they need a common k.
        return bool(set(a.weeks_of_month) & set(b.weeks_of_month))
    if a.weeks_of_month or b.weeks_of_month:
        return True
    shift = _weeks_between(a.valid_from, b.valid_from)  # negative when b starts first
    return shift % gcd(a.every_weeks, b.every_weeks) == 0


def _first_regular_overlap(a: BlockPattern, b: BlockPattern, excepted: set[date],
                           first: date, last: date) -> date | None:
    """The first date in [first, last] without an exception on which both patterns hold
    (their own hours overlapping): walks only the sparser pattern's dates on shared
    weekdays, after ruling out hours, weekdays and phases that never meet."""
    weekdays = set(a.weekdays) & set(b.weekdays)
    if not weekdays or not _hours_meet(a.start, a.end, b.start, b.end):
        return None
    if not _phases_meet(a, b):
        return None
    walker, other = (a, b) if _sparseness(a) >= _sparseness(b) else (b, a)
    walks = [_weekday_dates(walker, weekday, first, last) for weekday in weekdays]
    for day in merge(*walks):
        if day not in excepted and occurs_on(other, day):
            return day
    return None


def _sparseness(p: BlockPattern) -> int:
    """Roughly how many weeks apart a pattern's dates on one weekday are."""
    return 4 if p.weeks_of_month else p.every_weeks


def _first_exception_overlap(a: BlockPattern, a_exceptions: Mapping[date, DayException],
                             b: BlockPattern, b_exceptions: Mapping[date, DayException],
                             first: date, last: date | None) -> date | None:
    """The first exception date (of either block) in [first, last] on which both hold
    and their hours that day overlap (``last`` None: no end)."""
    for day in sorted(set(a_exceptions) | set(b_exceptions)):
        if day < first or (last is not None and day > last):
            continue
        a_hours = hours_on(a, day, a_exceptions)
        b_hours = hours_on(b, day, b_exceptions)
        if a_hours is not None and b_hours is not None and _hours_meet(*a_hours, *b_hours):
            return day
    return None
