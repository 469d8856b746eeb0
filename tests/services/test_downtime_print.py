"""A day list printed during an outage (from the board's last known data) is audited once
the database is back: the same ``print_day_list`` event as a live print, marked downtime,
with counts and case numbers only, and written once however often it is retried."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.errors import BadInput
from tests.services.factories import DAY, Kit, kit  # noqa: F401  (fixture)

PRINTED = datetime(2026, 3, 2, 4, 31, tzinfo=UTC)


def _day_list_events(setup: Kit) -> list[m.AuditEvent]:
    with setup.db.new_session() as s:
        return list(s.scalars(select(m.AuditEvent).where(
            m.AuditEvent.action == "print_day_list").order_by(m.AuditEvent.id)))


def test_a_downtime_print_is_audited_with_counts_and_no_patient(kit: Kit) -> None:  # noqa: F811
    kit.clock.advance(timedelta(minutes=20))  # written later, once the database is back
    berlin = timezone(timedelta(hours=1))
    recorded = kit.cases.record_downtime_print(
        kit["sched"], DAY.date(), PRINTED.astimezone(berlin), True, 3,
        case_numbers=["2026-000001", "2026-000002"], op_id=uuid.uuid4().hex)
    assert recorded
    [event] = _day_list_events(kit)
    assert event.actor_id == kit["sched"].user_id
    assert event.target_class == "DayList"
    assert event.target_id is None
    assert event.event_time == kit.clock.now()
    assert event.details == {
        "day": DAY.date().isoformat(), "downtime": True,
        "printed_at": PRINTED.isoformat(), "shows_patients": True, "case_count": 3,
        "case_numbers": ["2026-000001", "2026-000002"],
    }


def test_a_retried_record_is_written_once(kit: Kit) -> None:  # noqa: F811
    op_id = uuid.uuid4().hex
    first = kit.cases.record_downtime_print(kit["sched"], DAY.date(), PRINTED, False, 2,
                                            op_id=op_id)
    again = kit.cases.record_downtime_print(kit["sched"], DAY.date(), PRINTED, False, 2,
                                            op_id=op_id)
    assert (first, again) == (True, False)
    assert len(_day_list_events(kit)) == 1
    # Another print is another operation.
    assert kit.cases.record_downtime_print(kit["sched"], DAY.date(), PRINTED, False, 2,
                                           op_id=uuid.uuid4().hex)
    assert len(_day_list_events(kit)) == 2


def test_a_masked_copy_is_recorded_too(kit: Kit) -> None:  # noqa: F811
    assert kit.cases.record_downtime_print(kit["viewer"], DAY.date(), PRINTED, False, 4)
    [event] = _day_list_events(kit)
    assert event.details["shows_patients"] is False
    assert event.details["case_numbers"] == []
    assert event.details["case_count"] == 4


@pytest.mark.parametrize(("printed_at", "count", "numbers", "field"), [
    (datetime(2026, 3, 2, 4, 31), 1, (), "printed_at"),  # no time zone
    (PRINTED, -1, (), "case_count"),
    (PRINTED, 1, ("2026-000001", "2026-000002"), "case_numbers"),
    (PRINTED, 1, ("  ",), "case_numbers"),
])
def test_bad_values_name_the_field_and_write_nothing(
        kit: Kit, printed_at: datetime, count: int, numbers: tuple[str, ...],  # noqa: F811
        field: str) -> None:
    with pytest.raises(BadInput) as caught:
        kit.cases.record_downtime_print(kit["sched"], DAY.date(), printed_at, bool(numbers),
                                        count, case_numbers=numbers)
    assert caught.value.field == field
    assert _day_list_events(kit) == []
