"""The span check every placement goes through before any rule (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from surgdesk.errors import BadInput
from surgdesk.services.conflicts import check_span


@pytest.mark.parametrize(
    ("minutes", "ok"), [(0, False), (-10, False), (1, True), (24 * 60, True), (24 * 60 + 1, False)]
)
def test_span_between_one_minute_and_a_day(minutes: int, ok: bool) -> None:
    start = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    if ok:
        check_span(start, start + timedelta(minutes=minutes))
    else:
        with pytest.raises(BadInput):
            check_span(start, start + timedelta(minutes=minutes))
