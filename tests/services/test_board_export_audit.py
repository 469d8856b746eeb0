"""A board written to a file (``surgdesk board --out``) is audited like a printed day
list: ``export_board`` with the window, counts and case numbers — never a patient."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.errors import BadInput
from surgdesk.services.context import ANONYMOUS
from tests.services.factories import DAY, Kit, at, kit  # noqa: F401  (fixture)


def _exports(setup: Kit) -> list[m.AuditEvent]:
    with setup.db.new_session() as s:
        return list(s.scalars(select(m.AuditEvent).where(
            m.AuditEvent.action == "export_board").order_by(m.AuditEvent.id)))


def test_an_export_with_patients_is_audited_with_numbers_only(kit: Kit) -> None:  # noqa: F811
    first = kit.new_case().case.case_number
    second = kit.new_case(start=at(9, day=1), patient_id="MRN-2").case.case_number
    kit.new_case(start=at(9, day=3), patient_id="MRN-3")  # outside the two days
    assert kit.cases.record_board_export(kit["sched"], DAY.date(), 2, True)
    [event] = _exports(kit)
    assert (event.actor_id, event.target_class, event.target_id) == (
        kit["sched"].user_id, "Board", None)
    assert event.event_time == kit.clock.now()
    assert event.details == {"first_day": DAY.date().isoformat(), "days": 2,
                             "shows_patients": True, "case_count": 2,
                             "case_numbers": [first, second]}
    assert "Mustermann" not in str(event.details)
    assert "MRN" not in str(event.details)


def test_a_masked_export_names_no_case_as_disclosed(kit: Kit) -> None:  # noqa: F811
    kit.new_case()
    kit.new_case(start=at(11), lead_surgeon="surg2", anesthetist="anes2", patient_id="MRN-2")
    # surg1 sees only the patient of their own case.
    assert kit.cases.record_board_export(kit["surg1"], DAY.date(), 1, True)
    assert kit.cases.record_board_export(kit["viewer"], DAY.date(), 1, False)
    own, masked = _exports(kit)
    assert own.details["case_count"] == 2
    assert len(own.details["case_numbers"]) == 1
    assert masked.details["case_numbers"] == []
    assert masked.details["shows_patients"] is False


def test_a_retried_export_is_recorded_once(kit: Kit) -> None:  # noqa: F811
    op_id = uuid.uuid4().hex
    assert kit.cases.record_board_export(kit["sched"], DAY.date(), 1, True, op_id=op_id)
    assert not kit.cases.record_board_export(kit["sched"], DAY.date(), 1, True, op_id=op_id)
    assert len(_exports(kit)) == 1


@pytest.mark.parametrize(("first_day", "days", "field"), [
    (date(1, 1, 1), 1, "first_day"),
    (date(9999, 12, 31), 1, "first_day"),
    (date(2026, 3, 3), 0, "days"),
    (date(2026, 3, 3), 63, "days"),
])
def test_an_absurd_window_is_bad_input(kit: Kit, first_day: date, days: int,  # noqa: F811
                                       field: str) -> None:
    with pytest.raises(BadInput) as err:
        kit.cases.record_board_export(kit["sched"], first_day, days, True)
    assert err.value.problems[0].field == field
    assert _exports(kit) == []


def test_anonymous_exports_are_recorded_without_an_actor(kit: Kit) -> None:  # noqa: F811
    kit.new_case()
    assert kit.cases.record_board_export(ANONYMOUS, DAY.date(), 1, False)
    [event] = _exports(kit)
    assert event.actor_id is None
    assert event.details["case_numbers"] == []
