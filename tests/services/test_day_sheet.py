"""The printed day list's data: the day's placed cases in full, and its disclosure audited."""

from __future__ import annotations

from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import CaseStatus
from tests.services.factories import DAY, Kit, case_in, kit  # noqa: F401  (fixture)


def _day_list_events(setup: Kit) -> list[m.AuditEvent]:
    with setup.db.new_session() as s:
        return list(s.scalars(select(m.AuditEvent).where(
            m.AuditEvent.action == "print_day_list")))


def test_sheet_holds_placed_cases_but_not_cancelled_or_requested(kit: Kit) -> None:  # noqa: F811
    scheduled = case_in(kit, CaseStatus.SCHEDULED, hour=8)
    ready = case_in(kit, CaseStatus.PREOP_READY, hour=11)
    case_in(kit, CaseStatus.CANCELLED, hour=14)
    case_in(kit, CaseStatus.REQUESTED)
    case_in(kit, CaseStatus.SCHEDULED, day=1)  # the next day
    sheet = kit.cases.day_sheet(kit["sched"], DAY.date())
    assert [d.case.case_number for d in sheet] == [scheduled, ready]
    assert all(d.checklists and d.team for d in sheet)


def test_a_sheet_showing_patients_is_audited_once(kit: Kit) -> None:  # noqa: F811
    first = case_in(kit, CaseStatus.SCHEDULED, hour=8)
    second = case_in(kit, CaseStatus.SCHEDULED, hour=11)
    kit.cases.day_sheet(kit["sched"], DAY.date())
    events = _day_list_events(kit)
    assert len(events) == 1
    assert events[0].actor_id == kit["sched"].user_id
    assert events[0].details == {"day": DAY.date().isoformat(),
                                 "case_numbers": [first, second]}


def test_a_masked_sheet_discloses_nothing_and_is_not_audited(kit: Kit) -> None:  # noqa: F811
    case_in(kit, CaseStatus.SCHEDULED, hour=8)
    sheet = kit.cases.day_sheet(kit["viewer"], DAY.date())
    assert sheet
    assert all(d.case.patient_name is None and d.case.patient_id is None for d in sheet)
    assert _day_list_events(kit) == []
