"""A room's open spans: checked against a brute-force scan of the wall clock, minute by
minute, in zones with daylight saving (gaps, folds, half-hour shifts, changes at midnight).

The oracle knows nothing of folds or gaps: for each open day it scans UTC minutes for the
first one whose wall clock reads at least the opening time, and the last one whose wall
clock reads less than the closing time. That is the room_hours module's rule in its plainest
form; the implementation computes the same by arithmetic.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surgdesk.domain.room_hours import hours_text, open_spans, outside_hours

MINUTE = timedelta(minutes=1)
ZONES = (
    "UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago",
    "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham", "Europe/London",
)
# Days with a clock change in some of the zones above (and their neighbours, by offset).
CHANGE_DAYS = (
    date(2026, 3, 29), date(2026, 10, 25), date(2026, 3, 8), date(2026, 11, 1),
    date(2026, 4, 5), date(2026, 9, 6), date(2026, 9, 27), date(2026, 4, 4),
)


def _wall(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def _scan_day(day: date, opens_at: time, closes_at: time, tz: ZoneInfo
              ) -> tuple[datetime, datetime] | None:
    """One open day by minute scan: (first minute open, first minute closed again)."""
    opens = datetime.combine(day, opens_at)
    closes = datetime.combine(day, closes_at)
    if closes <= opens:
        closes += timedelta(days=1)
    x = datetime.combine(day - timedelta(days=1), time(0), tzinfo=UTC)
    stop = datetime.combine(day + timedelta(days=3), time(0), tzinfo=UTC)
    first: datetime | None = None
    last: datetime | None = None
    while x < stop:
        wall = _wall(x, tz)
        if first is None and wall >= opens:
            first = x
        if wall < closes:
            last = x
        x += MINUTE
    assert first is not None
    assert last is not None
    end = last + MINUTE
    return (first, end) if end > first else None


def _open_minutes(spans: list[tuple[datetime, datetime]], lo: datetime, hi: datetime
                  ) -> set[datetime]:
    out: set[datetime] = set()
    for start, end in spans:
        x = max(start, lo)
        while x < min(end, hi):
            out.add(x)
            x += MINUTE
    return out


minutes_of_day = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))
quarter_hours = st.integers(0, 95).map(lambda q: time(q // 4, q % 4 * 15))
times = st.one_of(quarter_hours, minutes_of_day)
weekday_sets = st.frozensets(st.integers(0, 6), max_size=7)
first_days = st.one_of(
    st.sampled_from(CHANGE_DAYS).flatmap(
        lambda d: st.integers(-2, 1).map(lambda k: d + timedelta(days=k))),
    st.dates(date(2020, 1, 1), date(2035, 12, 31)),
)
zones = st.sampled_from(ZONES).map(ZoneInfo)


@settings(max_examples=120, deadline=None)
@given(opens_at=times, closes_at=times, weekdays=weekday_sets, first=first_days,
       length=st.integers(0, 2), tz=zones)
def test_open_spans_match_a_minute_scan_of_the_wall_clock(
    opens_at: time, closes_at: time, weekdays: frozenset[int], first: date, length: int,
    tz: ZoneInfo,
) -> None:
    last = first + timedelta(days=length)
    spans = open_spans(opens_at, closes_at, weekdays, first, last, tz)

    utc = [(s.astimezone(UTC), e.astimezone(UTC)) for s, e in spans]
    assert all(s.tzinfo is tz and e.tzinfo is tz for s, e in spans)
    assert all(s < e for s, e in utc)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(utc)), "sorted, merged"

    oracle: list[tuple[datetime, datetime]] = []
    day = first - timedelta(days=1)
    while day <= last:
        if day.weekday() in weekdays:
            found = _scan_day(day, opens_at, closes_at, tz)
            if found is not None:
                oracle.append(found)
        day += timedelta(days=1)
    lo = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    hi = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    assert _open_minutes(utc, lo, hi) == _open_minutes(oracle, lo, hi)
    # Every span touches the days asked for.
    assert all(e > lo and s < hi for s, e in utc)


@settings(max_examples=120, deadline=None)
@given(opens_at=quarter_hours, closes_at=quarter_hours, weekdays=weekday_sets,
       first=first_days, start_minute=st.integers(0, 48 * 60 - 1),
       length=st.integers(1, 26 * 60), tz=zones)
def test_outside_hours_is_any_minute_of_the_case_closed(
    opens_at: time, closes_at: time, weekdays: frozenset[int], first: date,
    start_minute: int, length: int, tz: ZoneInfo,
) -> None:
    start = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC) + start_minute * MINUTE
    end = start + length * MINUTE
    oracle: list[tuple[datetime, datetime]] = []
    day = first - timedelta(days=2)
    while day <= first + timedelta(days=4):
        if day.weekday() in weekdays:
            found = _scan_day(day, opens_at, closes_at, tz)
            if found is not None:
                oracle.append(found)
        day += timedelta(days=1)
    closed = len(_open_minutes(oracle, start, end)) < length
    assert outside_hours(start, end, opens_at=opens_at, closes_at=closes_at,
                         weekdays=weekdays, tz=tz) is closed


BERLIN = ZoneInfo("Europe/Berlin")


def _at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def test_round_the_clock_days_join_into_one_span() -> None:
    # 2026-03-02 is a Monday; open Monday to Wednesday round the clock.
    spans = open_spans(time(0), time(0), (0, 1, 2), date(2026, 3, 2), date(2026, 3, 6), BERLIN)
    assert spans == [(_at(2, 0), _at(5, 0))]


def test_round_the_clock_from_seven_runs_to_seven_the_next_day() -> None:
    spans = open_spans(time(7), time(7), (0,), date(2026, 3, 2), date(2026, 3, 3), BERLIN)
    assert spans == [(_at(2, 7), _at(3, 7))]


def test_a_case_across_midnight_in_a_round_the_clock_room_is_inside_its_hours() -> None:
    assert not outside_hours(_at(2, 23), _at(3, 1), opens_at=time(0), closes_at=time(0),
                             weekdays=range(7), tz=BERLIN)


def test_a_room_open_past_midnight_brings_yesterday_evening() -> None:
    spans = open_spans(time(20), time(6), (0,), date(2026, 3, 3), date(2026, 3, 3), BERLIN)
    assert spans == [(_at(2, 20), _at(3, 6))]
    assert not outside_hours(_at(3, 1), _at(3, 5), opens_at=time(20), closes_at=time(6),
                             weekdays=(0,), tz=BERLIN)


def test_day_hours_leave_the_night_outside() -> None:
    assert outside_hours(_at(2, 18), _at(2, 20), opens_at=time(7), closes_at=time(19),
                         weekdays=(0,), tz=BERLIN)
    assert not outside_hours(_at(2, 7), _at(2, 19), opens_at=time(7), closes_at=time(19),
                             weekdays=(0,), tz=BERLIN)


def test_a_case_across_two_touching_day_spans_is_inside() -> None:
    # Open 12:00-12:00 on Monday and Tuesday: one span from Monday noon to Wednesday noon.
    assert not outside_hours(_at(2, 20), _at(3, 20), opens_at=time(12), closes_at=time(12),
                             weekdays=(0, 1), tz=BERLIN)


def test_opening_in_the_spring_gap_opens_when_the_clock_jumps() -> None:
    # 2026-03-29 (Sunday): Berlin skips 02:00-03:00.
    spans = open_spans(time(2, 30), time(12), (6,), date(2026, 3, 29), date(2026, 3, 29),
                       BERLIN)
    assert [(s.astimezone(UTC), e.astimezone(UTC)) for s, e in spans] == [
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), datetime(2026, 3, 29, 10, 0, tzinfo=UTC))
    ]


def test_closing_in_the_autumn_fold_closes_the_second_time() -> None:
    # 2026-10-25 (Sunday): Berlin shows 02:00-03:00 twice; a night room open from Saturday.
    spans = open_spans(time(20), time(2, 30), (5,), date(2026, 10, 25), date(2026, 10, 25),
                       BERLIN)
    assert [(s.astimezone(UTC), e.astimezone(UTC)) for s, e in spans] == [
        (datetime(2026, 10, 24, 18, 0, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    ]


def test_no_weekdays_no_spans() -> None:
    assert open_spans(time(7), time(19), (), date(2026, 3, 2), date(2026, 3, 8), BERLIN) == []
    assert outside_hours(_at(2, 8), _at(2, 9), opens_at=time(7), closes_at=time(19),
                         weekdays=(), tz=BERLIN)


@pytest.mark.parametrize(
    ("opens_at", "closes_at", "weekdays", "text"),
    [
        (time(7), time(19), (0, 1, 2, 3, 4), "07:00-19:00 Mon,Tue,Wed,Thu,Fri"),
        (time(0), time(0), range(7), "open round the clock"),
        (time(0), time(0), (0, 1, 2, 3, 4), "open round the clock Mon,Tue,Wed,Thu,Fri"),
        (time(7), time(7), (5, 6), "open round the clock from 07:00 Sat,Sun"),
        (time(20), time(6), (), "20:00-06:00 no days"),
    ],
)
def test_hours_text(opens_at: time, closes_at: time, weekdays: Iterable[int],
                    text: str) -> None:
    assert hours_text(opens_at, closes_at, weekdays) == text


def test_daily_hours_text_never_reads_a_round_the_clock_room_as_closed() -> None:
    from surgdesk.domain.room_hours import daily_hours_text

    assert daily_hours_text(time(7, 0), time(19, 0)) == "07:00-19:00"
    assert daily_hours_text(time(0), time(0)) == "round the clock"
    assert daily_hours_text(time(7, 0), time(7, 0)) == "round the clock from 07:00"
