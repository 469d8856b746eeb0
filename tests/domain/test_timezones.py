"""Department wall-clock time: DST gaps and folds are refused, days can be 23 or 25 h."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from surgdesk.domain.timezones import LocalTimeError, day_bounds, localize, to_utc, zone

BERLIN = zone("Europe/Berlin")


def test_naive_is_department_time_and_aware_is_kept() -> None:
    assert to_utc(datetime(2026, 3, 3, 8, 0), BERLIN) == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    plus2 = datetime(2026, 3, 3, 8, 0, tzinfo=timezone(timedelta(hours=2)))
    assert to_utc(plus2, BERLIN) == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("local", "word"),
    [(datetime(2026, 3, 29, 2, 30), "does not exist"), (datetime(2026, 10, 25, 2, 30),
                                                         "ambiguous")],
)
def test_gap_and_fold_are_refused(local: datetime, word: str) -> None:
    with pytest.raises(LocalTimeError, match=word):
        localize(local, BERLIN)


def test_day_bounds_follow_dst() -> None:
    start, end = day_bounds(date(2026, 3, 29), BERLIN)
    assert end - start == timedelta(hours=23)
    start, end = day_bounds(date(2026, 10, 25), BERLIN)
    assert end - start == timedelta(hours=25)
    assert day_bounds(date(2026, 3, 3), BERLIN)[0] == datetime(2026, 3, 2, 23, 0, tzinfo=UTC)


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(LocalTimeError):
        zone("Mars/Olympus_Mons")
