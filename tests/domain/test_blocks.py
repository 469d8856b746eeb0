"""The pure block rules (domain.blocks) against a brute-force, day-by-day expansion written
here from the definitions: every N weeks counted by Mondays passed, the k-th weekday of a
month counted from the 1st, exceptions replacing a date."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surgdesk.domain.blocks import (
    BlockPattern,
    DayException,
    Owner,
    dst_problem_dates,
    first_overlap,
    hours_on,
    local_span,
    occurs_on,
    pattern_dates,
    pattern_problems,
    released_by_rule,
    used_minutes,
)
from surgdesk.domain.timezones import LocalTimeError, zone

BERLIN = zone("Europe/Berlin")
NEW_YORK = zone("America/New_York")
Hours = tuple[time, time]
Exceptions = Mapping[date, DayException]


# --- the brute force -----------------------------------------------------------------


def nth_weekday_of_month(day: date) -> int:
    """Counted one day at a time from the 1st of the month."""
    return sum(1 for d in range(1, day.day + 1)
               if date(day.year, day.month, d).weekday() == day.weekday())


def brute_hours(p: BlockPattern, exceptions: Exceptions, last: date) -> dict[date, Hours]:
    """Every date from valid_from to ``last`` (and until) the block holds, with its hours,
    walking day by day and counting the Mondays passed for every-N-weeks."""
    found: dict[date, Hours] = {}
    end = last if p.valid_until is None else min(last, p.valid_until)
    weeks_passed = 0
    day = p.valid_from
    while day <= end:
        if day != p.valid_from and day.weekday() == 0:
            weeks_passed += 1
        holds = day.weekday() in p.weekdays and (
            nth_weekday_of_month(day) in p.weeks_of_month if p.weeks_of_month
            else weeks_passed % p.every_weeks == 0)
        exception = exceptions.get(day)
        if holds and not (exception is not None and exception.cancelled):
            if exception is None:
                found[day] = (p.start, p.end)
            else:
                found[day] = (exception.start or p.start, exception.end or p.end)
        day += timedelta(days=1)
    return found


def brute_first_overlap(a: BlockPattern, ax: Exceptions, b: BlockPattern, bx: Exceptions,
                        last: date) -> date | None:
    a_hours, b_hours = brute_hours(a, ax, last), brute_hours(b, bx, last)
    for day in sorted(set(a_hours) & set(b_hours)):
        (a_start, a_end), (b_start, b_end) = a_hours[day], b_hours[day]
        if a_start < b_end and b_start < a_end:
            return day
    return None


def brute_utc(day: date, wall: time, tz: ZoneInfo) -> datetime | None:
    """The first UTC instant showing ``wall`` on ``day``, trying the zone's offsets of the
    day before and the day after as candidates; None when none shows it (a gap)."""
    naive = datetime.combine(day, wall)
    offsets = {datetime.combine(day + timedelta(days=d), time(12), tzinfo=tz).utcoffset()
               for d in (-1, 1)}
    shown = sorted((naive - offset).replace(tzinfo=UTC)
                   for offset in offsets if offset is not None)
    for instant in shown:
        if instant.astimezone(tz).replace(tzinfo=None) == naive:
            return instant
    return None


# --- strategies ------------------------------------------------------------------------

START = date(2025, 12, 1)
quarter_hours = st.integers(0, 95).map(lambda q: time(q // 4, q % 4 * 15))


@st.composite
def hours(draw: st.DrawFn) -> Hours:
    start, end = sorted(draw(st.lists(quarter_hours, min_size=2, max_size=2, unique=True)))
    return start, end


@st.composite
def patterns(draw: st.DrawFn, *, open_end: bool = True, span_days: int = 400
             ) -> BlockPattern:
    weekdays = tuple(sorted(draw(st.sets(st.integers(0, 6), min_size=1, max_size=3))))
    start, end = draw(hours())
    valid_from = START + timedelta(days=draw(st.integers(0, 60)))
    until_days = st.integers(0, span_days)
    valid_until = (None if open_end and draw(st.booleans())
                   else valid_from + timedelta(days=draw(until_days)))
    kind = draw(st.sampled_from(["weekly", "every", "months"]))
    every = draw(st.integers(2, 8)) if kind == "every" else 1
    months = (tuple(sorted(draw(st.sets(st.integers(1, 5), min_size=1, max_size=2))))
              if kind == "months" else ())
    return BlockPattern(weekdays, start, end, valid_from, valid_until, every, months)


@st.composite
def exceptions(draw: st.DrawFn, p: BlockPattern) -> dict[date, DayException]:
    # Mostly on the pattern's weekdays, where an exception changes something.
    on_weekday = st.tuples(st.integers(0, 17), st.sampled_from(p.weekdays)).map(
        lambda wk: 7 * wk[0] + (wk[1] - p.valid_from.weekday()) % 7)
    days = draw(st.lists(st.one_of(on_weekday, st.integers(0, 120)), max_size=5, unique=True))
    found: dict[date, DayException] = {}
    for offset in days:
        on = p.valid_from + timedelta(days=offset)
        if draw(st.booleans()):
            found[on] = DayException(on, cancelled=True)
        else:
            start, end = draw(hours())
            found[on] = DayException(on, cancelled=False, start=start, end=end)
    return found


@st.composite
def pattern_with_exceptions(draw: st.DrawFn, *, span_days: int = 400
                            ) -> tuple[BlockPattern, dict[date, DayException]]:
    p = draw(patterns(span_days=span_days))
    return p, draw(exceptions(p))


# --- expansion -------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(patterns(), st.integers(-30, 200), st.integers(0, 400))
def test_pattern_dates_match_the_day_by_day_expansion(p: BlockPattern, skip: int,
                                                      length: int) -> None:
    first = p.valid_from + timedelta(days=skip)
    last = first + timedelta(days=length)
    expected = [day for day in brute_hours(p, {}, last) if day >= first]
    assert pattern_dates(p, first, last) == expected
    assert [day for day in expected if occurs_on(p, day)] == expected


@settings(max_examples=60, deadline=None)
@given(pattern_with_exceptions())
def test_hours_after_exceptions_match_the_expansion(
        case: tuple[BlockPattern, dict[date, DayException]]) -> None:
    p, found = case
    last = p.valid_from + timedelta(days=130)
    expected = brute_hours(p, found, last)
    day = p.valid_from - timedelta(days=3)
    while day <= last:
        assert hours_on(p, day, found) == expected.get(day), day
        day += timedelta(days=1)


def test_every_third_week_counts_weeks_from_the_monday_of_the_first_week() -> None:
    # From a Thursday: its week's Monday (5 Jan 2026) is week 0, so the Mondays of weeks
    # 3 and 6 hold, and that Monday itself (before the block starts) does not.
    p = BlockPattern((0, 3), time(8), time(12), date(2026, 1, 8), every_weeks=3)
    assert pattern_dates(p, date(2026, 1, 1), date(2026, 2, 20)) == [
        date(2026, 1, 8), date(2026, 1, 26), date(2026, 1, 29), date(2026, 2, 16),
        date(2026, 2, 19)]


def test_fifth_monday_only_in_months_that_have_one() -> None:
    p = BlockPattern((0,), time(8), time(12), date(2026, 1, 1), date(2026, 12, 31),
                     weeks_of_month=(5,))
    assert pattern_dates(p, date(2026, 1, 1), date(2026, 12, 31)) == [
        date(2026, 3, 30), date(2026, 6, 29), date(2026, 8, 31), date(2026, 11, 30)]


def test_end_date_is_inclusive_and_an_exception_outside_the_pattern_adds_nothing() -> None:
    p = BlockPattern((0,), time(8), time(12), date(2026, 1, 5), date(2026, 1, 12))
    assert pattern_dates(p, date(2026, 1, 1), date(2026, 2, 1)) == [
        date(2026, 1, 5), date(2026, 1, 12)]
    tuesday = DayException(date(2026, 1, 6), cancelled=False, start=time(9), end=time(10))
    assert hours_on(p, date(2026, 1, 6), {tuesday.on: tuesday}) is None
    assert hours_on(p, date(2026, 1, 19), {}) is None


# --- pattern problems -----------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(patterns(span_days=60))
def test_no_dates_is_named_exactly_when_the_expansion_is_empty(p: BlockPattern) -> None:
    empty = not brute_hours(p, {}, p.valid_from + timedelta(days=400))
    problems = pattern_problems(p)
    assert bool(problems) == empty
    if empty:
        assert problems == [("weekdays", "the pattern has no dates between from and until")]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weekdays": ()}, "weekdays"),
        ({"weekdays": (7,)}, "weekdays"),
        ({"end": time(8)}, "end"),
        ({"end": time(7)}, "end"),
        ({"valid_from": date(1899, 12, 31)}, "from"),
        ({"valid_until": date(2026, 1, 4)}, "until"),
        ({"valid_until": date(3000, 1, 1)}, "until"),
        ({"every_weeks": 0}, "every_weeks"),
        ({"every_weeks": 9}, "every_weeks"),
        ({"weeks_of_month": (6,)}, "weeks_of_month"),
        ({"weeks_of_month": (0,)}, "weeks_of_month"),
        ({"weeks_of_month": (1,), "every_weeks": 2}, "weeks_of_month"),
    ],
)
def test_pattern_problems_name_the_field(changes: dict[str, object], field: str) -> None:
    base = {"weekdays": (0,), "start": time(8), "end": time(12),
            "valid_from": date(2026, 1, 5), "valid_until": None}
    problems = pattern_problems(BlockPattern(**{**base, **changes}))  # type: ignore[arg-type]
    assert [f for f, _reason in problems] == [field]
    assert all(reason and reason == reason.strip() for _f, reason in problems)


def test_range_reasons_read_like_the_other_limits() -> None:
    p = BlockPattern((0,), time(8), time(12), date(2026, 1, 5), every_weeks=9)
    assert pattern_problems(p) == [("every_weeks", "must be at most 8 weeks")]
    q = BlockPattern((0,), time(8), time(12), date(2026, 1, 5), weeks_of_month=(6,))
    assert pattern_problems(q) == [("weeks_of_month", "must be at most 5")]


def test_a_fifth_monday_between_dates_that_hold_none_has_no_dates() -> None:
    p = BlockPattern((0,), time(8), time(12), date(2026, 4, 1), date(2026, 5, 31),
                     weeks_of_month=(5,))
    assert pattern_problems(p) == [
        ("weekdays", "the pattern has no dates between from and until")]
    open_ended = BlockPattern((0,), time(8), time(12), date(2026, 4, 1), weeks_of_month=(5,))
    assert pattern_problems(open_ended) == []


# --- daylight saving -------------------------------------------------------------------

# Spring forward and fall back, 2026 (and the Sundays beside them).
DST_DAYS = [date(2026, 3, 29), date(2026, 10, 25), date(2026, 3, 8), date(2026, 11, 1),
            date(2026, 3, 22), date(2026, 11, 8)]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(DST_DAYS), st.sampled_from([BERLIN, NEW_YORK]),
       st.integers(0, 47).map(lambda h: time(h // 2, h % 2 * 30)),
       st.integers(1, 8))
def test_local_span_matches_the_zone_offsets_around_dst(day: date, tz: ZoneInfo,
                                                        start: time, hours_long: int) -> None:
    end_hour = min(start.hour + hours_long, 23)
    end = time(end_hour, start.minute) if end_hour > start.hour else time(23, 59)
    expected = (brute_utc(day, start, tz), brute_utc(day, end, tz))
    if None in expected:
        with pytest.raises(LocalTimeError):
            local_span(day, start, end, tz)
    else:
        assert local_span(day, start, end, tz) == expected


def test_a_block_across_the_spring_and_autumn_changes_is_an_hour_shorter_and_longer() -> None:
    spring = local_span(date(2026, 3, 29), time(1), time(4), BERLIN)
    autumn = local_span(date(2026, 10, 25), time(1), time(4), BERLIN)
    assert spring[1] - spring[0] == timedelta(hours=2)
    assert autumn[1] - autumn[0] == timedelta(hours=4)
    # 02:30 on the autumn Sunday happens twice: the block takes the first (summer time).
    fold = local_span(date(2026, 10, 25), time(2, 30), time(5), BERLIN)
    assert fold[0] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert spring[0].tzinfo is UTC


@pytest.mark.parametrize(("tz", "sunday"), [(BERLIN, date(2026, 3, 29)),
                                            (NEW_YORK, date(2026, 3, 8))])
def test_a_block_at_half_past_two_on_the_spring_forward_sunday(tz: ZoneInfo,
                                                               sunday: date) -> None:
    p = BlockPattern((6,), time(2, 30), time(6), date(2026, 1, 1))
    with pytest.raises(LocalTimeError, match="does not exist"):
        local_span(sunday, p.start, p.end, tz)
    assert dst_problem_dates(p, tz, horizon=date(2026, 12, 31)) == [sunday]
    assert pattern_problems(p) == []  # the zone is the service's concern, not the shape's
    ending_then = BlockPattern((6,), time(1), time(2, 30), date(2026, 1, 1))
    assert dst_problem_dates(ending_then, tz, horizon=date(2026, 12, 31)) == [sunday]


@settings(max_examples=40, deadline=None)
@given(patterns(), st.sampled_from([BERLIN, NEW_YORK]),
       st.integers(0, 15).map(lambda q: time(1 + q // 4, q % 4 * 15)))
def test_dst_problem_dates_are_the_expansion_dates_in_a_gap(p: BlockPattern, tz: ZoneInfo,
                                                            start: time) -> None:
    p = BlockPattern((6, *p.weekdays), start, time(start.hour + 2), p.valid_from,
                     p.valid_until, p.every_weeks, p.weeks_of_month)
    horizon = date(2027, 12, 31)
    expected = [day for day in brute_hours(p, {}, horizon)
                if brute_utc(day, p.start, tz) is None or brute_utc(day, p.end, tz) is None]
    assert dst_problem_dates(p, tz, horizon=horizon) == expected


# --- overlap ---------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(pattern_with_exceptions(span_days=500), pattern_with_exceptions(span_days=500))
def test_first_overlap_matches_the_expansion(
        a_case: tuple[BlockPattern, dict[date, DayException]],
        b_case: tuple[BlockPattern, dict[date, DayException]]) -> None:
    (a, ax), (b, bx) = a_case, b_case
    bounded = a.valid_until is not None or b.valid_until is not None
    last = START + timedelta(days=600 if bounded else 3 * 366)
    expected = brute_first_overlap(a, ax, b, bx, last)
    found = first_overlap(a, ax, b, bx)
    assert first_overlap(b, bx, a, ax) == found
    if bounded or expected is not None:
        assert found == expected
    else:  # both open: none within three years, so any overlap found lies beyond
        assert found is None or (found > last and hours_on(a, found, ax) is not None
                                 and hours_on(b, found, bx) is not None)


@settings(max_examples=50, deadline=None)
@given(pattern_with_exceptions(span_days=300), pattern_with_exceptions(span_days=300))
def test_first_overlap_of_a_morning_and_an_afternoon_block_comes_from_exceptions(
        a_case: tuple[BlockPattern, dict[date, DayException]],
        b_case: tuple[BlockPattern, dict[date, DayException]]) -> None:
    (a, ax), (b, bx) = a_case, b_case
    a = replace(a, start=time(7), end=time(12))
    b = replace(b, start=time(12), end=time(17))
    last = START + timedelta(days=3 * 366)
    expected = brute_first_overlap(a, ax, b, bx, last)
    assert first_overlap(a, ax, b, bx) == expected
    assert expected is None or expected in ax or expected in bx


def test_every_other_week_in_opposite_phases_never_meet() -> None:
    a = BlockPattern((0, 2), time(8), time(16), date(2026, 1, 5), every_weeks=2)
    b = BlockPattern((0,), time(8), time(16), date(2026, 1, 12), every_weeks=4)
    assert first_overlap(a, {}, b, {}) is None
    c = BlockPattern((0,), time(8), time(16), date(2026, 1, 19), every_weeks=4)
    assert first_overlap(a, {}, c, {}) == date(2026, 1, 19)


def test_touching_hours_and_other_weeks_of_the_month_do_not_overlap() -> None:
    morning = BlockPattern((0,), time(8), time(12), date(2026, 1, 1))
    afternoon = BlockPattern((0,), time(12), time(16), date(2026, 1, 1))
    assert first_overlap(morning, {}, afternoon, {}) is None
    first_monday = BlockPattern((0,), time(8), time(16), date(2026, 1, 1), weeks_of_month=(1,))
    fifth_monday = BlockPattern((0,), time(8), time(16), date(2026, 1, 1), weeks_of_month=(5,))
    assert first_overlap(first_monday, {}, fifth_monday, {}) is None
    assert first_overlap(morning, {}, fifth_monday, {}) == date(2026, 3, 30)


def test_an_exception_far_beyond_the_horizon_still_counts() -> None:
    morning = BlockPattern((0,), time(8), time(12), date(2026, 1, 1))
    afternoon = BlockPattern((0,), time(12), time(16), date(2026, 1, 1))
    far = date(2080, 1, 1)  # a Monday
    longer = {far: DayException(far, cancelled=False, start=time(11), end=time(16))}
    assert first_overlap(morning, {}, afternoon, longer) == far


def test_a_cancelled_date_moves_the_first_overlap_on() -> None:
    a = BlockPattern((0,), time(8), time(12), date(2026, 1, 5), date(2026, 1, 19))
    b = BlockPattern((0,), time(10), time(14), date(2026, 1, 5))
    cancel = {date(2026, 1, 5): DayException(date(2026, 1, 5), cancelled=True)}
    assert first_overlap(a, cancel, b, {}) == date(2026, 1, 12)
    both = {**cancel, date(2026, 1, 12): DayException(date(2026, 1, 12), cancelled=False,
                                                      start=time(7), end=time(10))}
    assert first_overlap(a, both, b, {}) == date(2026, 1, 19)
    assert first_overlap(a, both, b, {date(2026, 1, 19): DayException(
        date(2026, 1, 19), cancelled=True)}) is None


def test_disjoint_validity_never_overlaps() -> None:
    a = BlockPattern((0,), time(8), time(12), date(2026, 1, 5), date(2026, 3, 1))
    b = BlockPattern((0,), time(8), time(12), date(2026, 3, 2))
    assert first_overlap(a, {}, b, {}) is None
    assert first_overlap(a, {}, BlockPattern((0,), time(8), time(12), date(2026, 2, 23)),
                         {}) == date(2026, 2, 23)


# --- utilization -----------------------------------------------------------------------

DAY = datetime(2026, 3, 2, tzinfo=UTC)


def at(hour: int, minute: int = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute)


@pytest.mark.parametrize(
    ("cases", "turnover", "expected"),
    [
        ([], 30, 0),
        # Two cases, a 20-minute gap under a 30-minute turnover: 60 + 20 + 90.
        ([(at(8), at(9)), (at(9, 20), at(10, 50))], 30, 170),
        # A 2-hour gap: only the turnover counts between them: 60 + 30 + 60.
        ([(at(8), at(9)), (at(11), at(12))], 30, 150),
        # Overlapping cases counted once: 8:00-10:00 and 9:00-11:00 are 3 h.
        ([(at(9), at(11)), (at(8), at(10))], 30, 180),
        # One inside another: only the outer one.
        ([(at(8), at(12)), (at(9), at(10))], 30, 240),
        # Sticking out both ends: clipped to the block's 7:30-15:30 (8 h).
        ([(at(6), at(9)), (at(15), at(17))], 0, 90 + 30),
        # Wholly outside, or touching the block's edges from outside: nothing.
        ([(at(5), at(7, 30)), (at(15, 30), at(18))], 30, 0),
        # Before the first case and after the last no turnover is added.
        ([(at(10), at(11))], 45, 60),
        # Seconds are rounded down once, over the total.
        ([(at(8), at(8, 0) + timedelta(seconds=90)),
          (at(9), at(9) + timedelta(seconds=45))], 0, 2),
    ],
)
def test_used_minutes_on_hand_made_days(cases: list[tuple[datetime, datetime]],
                                        turnover: int, expected: int) -> None:
    assert used_minutes(at(7, 30), at(15, 30), cases, turnover) == expected


def test_used_minutes_turnover_runs_from_the_end_of_the_merged_stretch() -> None:
    # 8-10 and 8:30-9 merge to 8-10; the next case at 10:10 adds a 10-minute gap.
    cases = [(at(8), at(10)), (at(8, 30), at(9)), (at(10, 10), at(11))]
    assert used_minutes(at(7, 30), at(15, 30), cases, 30) == 120 + 10 + 50


# --- release by rule and ownership ---------------------------------------------------

OCCURRENCE = datetime(2026, 3, 16, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "days", "booked", "released"),
    [
        (OCCURRENCE - timedelta(days=7), 7, False, True),  # exactly at the moment
        (OCCURRENCE - timedelta(days=7, seconds=1), 7, False, False),
        (OCCURRENCE - timedelta(days=3), 7, True, False),  # the owner booked a case
        (OCCURRENCE, 0, False, False),  # 0: never by rule
        (OCCURRENCE + timedelta(days=1), 1, False, True),  # after it, still released
        (OCCURRENCE - timedelta(days=90), 90, False, True),
    ],
)
def test_released_by_rule_edges(now: datetime, days: int, booked: bool,
                                released: bool) -> None:
    assert released_by_rule(now, OCCURRENCE, days, booked) is released


def test_owner_owns_its_surgeons_and_its_services_cases() -> None:
    surgeon = Owner(surgeon_user_id=7)
    assert surgeon.owns(7, "cardiac")
    assert not surgeon.owns(8, "cardiac")
    service = Owner(service="Orthopedics")
    assert service.owns(8, "orthopedics")
    assert service.owns(9, "ORTHOPEDICS")
    assert not service.owns(8, "cardiac")
    assert not service.owns(8, None)
    assert not Owner().owns(7, "orthopedics")
