"""Checklist items are assigned to care-team members, so "My cases" can show what waits
on whom."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.errors import BadInput, NotFound, PermissionDenied, StaleVersion
from tests.services.factories import Kit, kit, team_case  # noqa: F401  (fixture)


def test_scheduler_assigns_an_item_to_a_team_member_and_it_is_audited(kit: Kit) -> None:  # noqa: F811
    number = team_case(kit)
    view = kit.checklists.assign(kit["sched"], number, "rd-consent", "nurse1")
    assert view.assigned_to == "nurse1"
    items = [i for c in kit.checklists.checklists(kit["nurse1"], number) for i in c.items]
    assert [i.item_code for i in items if i.assigned_to == "nurse1"] == ["RD-CONSENT"]
    with kit.db.new_session() as s:
        event = s.scalars(select(m.AuditEvent).where(
            m.AuditEvent.action == "assign_item")).one()
    assert event.details["assigned_to"] == {"before": None, "after": "nurse1"}
    cleared = kit.checklists.assign(kit["nurse1"], number, "RD-CONSENT", None)
    assert cleared.assigned_to is None


def test_only_team_members_can_be_assignees(kit: Kit) -> None:  # noqa: F811
    number = team_case(kit)
    with pytest.raises(BadInput, match="assigned_to"):
        kit.checklists.assign(kit["sched"], number, "RD-CONSENT", "nurse2")
    with pytest.raises(NotFound, match="assigned_to"):
        kit.checklists.assign(kit["sched"], number, "RD-CONSENT", "nobody")
    with pytest.raises(NotFound, match="item_code"):
        kit.checklists.assign(kit["sched"], number, "XX-NOPE", "nurse1")


@pytest.mark.parametrize(("who", "may"), [
    ("admin", True), ("sched", True), ("surg1", True), ("anes1", True), ("nurse1", True),
    ("nurse2", False), ("surg2", False), ("viewer", False),
])
def test_who_may_assign(kit: Kit, who: str, may: bool) -> None:  # noqa: F811
    number = team_case(kit)
    if may:
        assert kit.checklists.assign(kit[who], number, "RD-FASTING", "nurse1").assigned_to
    else:
        with pytest.raises(PermissionDenied):
            kit.checklists.assign(kit[who], number, "RD-FASTING", "nurse1")


def test_stale_item_version_is_refused(kit: Kit) -> None:  # noqa: F811
    number = team_case(kit)
    first = kit.checklists.assign(kit["sched"], number, "RD-CONSENT", "nurse1")
    with pytest.raises(StaleVersion):
        kit.checklists.assign(kit["sched"], number, "RD-CONSENT", None,
                              expected_version=first.version - 1)
