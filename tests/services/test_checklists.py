"""Checklists: copied from templates, ticked with stamps, Readiness gating, sign-off."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import CaseStatus, ChecklistStatus, ItemStatus, Phase
from surgdesk.errors import BadInput, NotFound, PermissionDenied, StaleVersion, TransitionRefused
from surgdesk.services.dto import ChecklistItemView
from tests.services.factories import Kit, kit, mark_done

__all__ = ["kit"]


def _item(kit: Kit, number: str, code: str) -> ChecklistItemView:
    for checklist in kit.checklists.checklists(kit["admin"], number):
        for item in checklist.items:
            if item.item_code == code:
                return item
    raise AssertionError(code)


def test_new_case_gets_both_phases_from_the_who_templates(kit: Kit) -> None:
    number = kit.new_case(room=None).case.case_number
    lists = kit.checklists.checklists(kit["viewer"], number)
    assert [c.phase for c in lists] == [Phase.PRE_OP, Phase.POST_OP]
    pre = [i.item_code for i in lists[0].items]
    assert pre[:5] == ["RD-CONSENT", "RD-ASSESSMENT", "RD-RESULTS", "RD-FASTING", "RD-IMPLANTS"]
    assert {"SI-IDENTITY", "TO-TEAM"} <= set(pre)
    assert [i.item_code for i in lists[1].items][-1] == "HO-PACU"
    assert all(i.status is ItemStatus.PENDING for c in lists for i in c.items)
    assert [i.position for i in lists[0].items] == list(range(1, len(pre) + 1))


def test_specialty_template_is_preferred_and_retired_items_skipped(kit: Kit) -> None:
    with kit.db.new_session() as s:
        template = m.ChecklistTemplate(name="Ortho pre-op", phase=Phase.PRE_OP,
                                       specialty="Orthopedics", active=True)
        template.items = [
            m.TemplateItem(item_code="RD-XRAY", section="Readiness", label="X-ray", position=1),
            m.TemplateItem(item_code="RD-OLD", section="Readiness", label="old", position=2,
                           retired=True),
        ]
        s.add(template)
        s.commit()
    ortho = kit.new_case(room=None).case.case_number  # surg1 is orthopedics
    general = kit.new_case(room=None, lead_surgeon="surg2").case.case_number
    pre = kit.checklists.checklists(kit["admin"], ortho)[0]
    assert [i.item_code for i in pre.items] == ["RD-XRAY"]
    assert kit.checklists.checklists(kit["admin"], general)[0].items[0].item_code == "RD-CONSENT"


def test_tick_stamps_who_and_when_and_reopening_clears_it(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    kit.clock.advance(timedelta(minutes=5))
    kit.checklists.tick(kit["anes1"], number, "rd-results", note="Hb 13.1")
    item = _item(kit, number, "RD-RESULTS")
    assert item.status is ItemStatus.DONE
    assert item.completed_by == "anes1"
    assert item.completed_at == kit.clock.now()
    assert item.notes == "Hb 13.1"
    kit.checklists.tick(kit["anes1"], number, "RD-RESULTS", status=ItemStatus.PENDING)
    item = _item(kit, number, "RD-RESULTS")
    assert item.completed_by is None
    assert item.completed_at is None
    pre = kit.checklists.checklists(kit["admin"], number)[0]
    assert pre.status is ChecklistStatus.PENDING


def test_blocked_is_not_done(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    result = kit.checklists.tick(kit["surg1"], number, "RD-CONSENT", status=ItemStatus.BLOCKED)
    assert result.case.checklist_done == 0
    pre = kit.checklists.checklists(kit["admin"], number)[0]
    assert pre.status is ChecklistStatus.IN_PROGRESS


def test_readiness_makes_the_case_preop_ready_and_reopening_falls_back(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    mark_done(kit, number, "Readiness", but="RD-FASTING")
    result = kit.checklists.tick(kit["surg1"], number, "RD-IMPLANTS")  # optional item
    assert result.case.status is CaseStatus.SCHEDULED
    result = kit.checklists.tick(kit["surg1"], number, "RD-FASTING")
    assert result.case.status is CaseStatus.PREOP_READY
    result = kit.checklists.tick(kit["surg1"], number, "RD-CONSENT", status=ItemStatus.PENDING)
    assert result.case.status is CaseStatus.SCHEDULED
    actions = [(e.action, e.details.get("status")) for e in kit.cases.history(kit["admin"], number)]
    assert actions[:2] == [
        ("status_auto", {"before": "preop_ready", "after": "scheduled"}),
        ("tick_item", {"before": "done", "after": "pending"}),
    ]
    assert ("status_auto", {"before": "scheduled", "after": "preop_ready"}) in actions


def test_scheduling_a_case_whose_readiness_is_done_makes_it_preop_ready(kit: Kit) -> None:
    number = kit.new_case(room=None).case.case_number
    mark_done(kit, number, "Readiness", but="RD-CONSENT")
    assert kit.checklists.tick(kit["admin"], number, "RD-CONSENT").case.status is (
        CaseStatus.REQUESTED)
    result = kit.cases.schedule(kit["sched"], number, room="OR1",
                                start=kit.clock.now() + timedelta(days=1))
    assert result.case.status is CaseStatus.PREOP_READY


def test_unknown_item_code_is_not_found(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    with pytest.raises(NotFound) as err:
        kit.checklists.tick(kit["admin"], number, "XX-NOPE")
    assert err.value.field == "item_code"
    with pytest.raises(NotFound) as err:
        kit.checklists.tick(kit["admin"], "2026-999999", "RD-CONSENT")
    assert err.value.field == "case_number"


def test_stale_item_version_is_refused(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    seen = _item(kit, number, "RD-CONSENT").version
    kit.checklists.tick(kit["surg1"], number, "RD-CONSENT", expected_version=seen)
    with pytest.raises(StaleVersion):
        kit.checklists.tick(kit["anes1"], number, "RD-CONSENT", status=ItemStatus.PENDING,
                            expected_version=seen)
    assert _item(kit, number, "RD-CONSENT").status is ItemStatus.DONE


def test_only_the_care_team_ticks(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    for who in ("surg2", "anes2", "nurse2", "sched", "viewer", "wall"):
        with pytest.raises(PermissionDenied):
            kit.checklists.tick(kit[who], number, "RD-CONSENT")
    assert _item(kit, number, "RD-CONSENT").status is ItemStatus.PENDING


def test_sign_off_needs_every_required_item_and_sets_the_flag(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    mark_done(kit, number, "Readiness", "Sign In", but="TO-TEAM")
    with pytest.raises(TransitionRefused, match="TO-TEAM"):
        kit.checklists.sign_off(kit["surg1"], number, Phase.PRE_OP)
    mark_done(kit, number, "Time Out")
    view = kit.checklists.sign_off(kit["surg1"], number, Phase.PRE_OP)
    assert view.status is ChecklistStatus.COMPLETED
    assert view.signed_off_by == "surg1"
    assert view.signed_off_at == kit.clock.now()
    case = kit.cases.get_case(kit["admin"], number).case
    assert case.pre_op_complete
    assert not case.post_op_complete
    # Signed off is final for the phase's items; signing again is a no-op.
    assert kit.checklists.sign_off(kit["anes1"], number, Phase.PRE_OP).signed_off_by == "surg1"
    with pytest.raises(TransitionRefused, match="signed off"):
        kit.checklists.tick(kit["surg1"], number, "TO-TEAM", status=ItemStatus.PENDING)


def test_post_op_sign_off(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    mark_done(kit, number, "Sign Out", "Handoff")
    kit.checklists.sign_off(kit["anes1"], number, Phase.POST_OP)
    assert kit.cases.get_case(kit["admin"], number).case.post_op_complete


def test_sign_off_by_someone_off_the_team_is_denied(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    mark_done(kit, number, "Sign Out", "Handoff")
    with pytest.raises(PermissionDenied):
        kit.checklists.sign_off(kit["nurse2"], number, Phase.POST_OP)


def test_every_tick_is_audited_with_the_case(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    kit.checklists.tick(kit["surg1"], number, "SI-SITE", note="left knee marked")
    with kit.db.new_session() as s:
        event = s.scalars(select(m.AuditEvent).where(m.AuditEvent.action == "tick_item")).one()
    assert event.target_class == "SurgeryCase"
    assert event.details["item_code"] == "SI-SITE"
    assert event.details["status"] == {"before": "pending", "after": "done"}


def test_last_two_readiness_items_ticked_at_once_still_make_it_ready(kit: Kit) -> None:
    """Two people tick the last two Readiness items at the same moment: whichever commits
    second must see the first's tick (the case row is locked while a tick works)."""
    number = kit.new_case().case.case_number
    mark_done(kit, number, "Readiness", but="RD-CONSENT")
    with kit.db.new_session() as s:  # reopen a second item straight in the database
        item = s.scalars(select(m.ChecklistItem).where(
            m.ChecklistItem.item_code == "RD-FASTING")).one()
        item.status = ItemStatus.PENDING
        s.commit()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def tick(who: str, code: str) -> None:
        try:
            barrier.wait(timeout=10)
            kit.checklists.tick(kit[who], number, code)
        except BaseException as exc:  # surfaced by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=tick, args=("surg1", "RD-CONSENT")),
               threading.Thread(target=tick, args=("anes1", "RD-FASTING"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert kit.cases.get_case(kit["admin"], number).case.status is CaseStatus.PREOP_READY


def test_unknown_phase_is_bad_input(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    with pytest.raises(BadInput) as err:
        kit.checklists.sign_off(kit["surg1"], number, "intra_op")  # type: ignore[arg-type]
    assert err.value.field == "phase"
