"""Checklist templates: admins add, edit, reorder, require and retire items; cases keep theirs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import Phase, Role
from surgdesk.errors import BadInput, Duplicate, NotFound, PermissionDenied, StaleVersion
from surgdesk.services.templates import TemplateService, TemplateView
from tests.services.factories import Kit, kit

__all__ = ["kit"]


def _svc(kit: Kit) -> TemplateService:
    return TemplateService(kit.db, kit.clock)


def _general(svc: TemplateService, kit: Kit, phase: Phase) -> TemplateView:
    return next(t for t in svc.list_templates(kit["admin"])
                if t.phase is phase and t.specialty is None)


def _codes(template: TemplateView) -> list[str]:
    return [i.item_code for i in template.items]


def _case_codes(kit: Kit, number: str) -> list[str]:
    return [i.item_code for i in kit.checklists.checklists(kit["admin"], number)[0].items]


def _audit(kit: Kit, action: str) -> list[m.AuditEvent]:
    with kit.db.new_session() as s:
        stmt = select(m.AuditEvent).where(m.AuditEvent.action == action)
        return list(s.scalars(stmt.order_by(m.AuditEvent.id)))


def test_the_seeded_who_templates_are_listed_with_their_items(kit: Kit) -> None:
    svc = _svc(kit)
    templates = svc.list_templates(kit["viewer"])
    pre = _general(svc, kit, Phase.PRE_OP)
    post = _general(svc, kit, Phase.POST_OP)
    assert len(templates) == 2
    assert _codes(pre)[:2] == ["RD-CONSENT", "RD-ASSESSMENT"]
    assert _codes(post)[-1] == "HO-PACU"
    assert [i.position for i in pre.items] == list(range(1, len(pre.items) + 1))
    assert not any(i.retired for i in pre.items)


def test_add_item_goes_to_the_end_of_its_section_and_new_cases_get_it(kit: Kit) -> None:
    svc = _svc(kit)
    pre = _general(svc, kit, Phase.PRE_OP)
    after = svc.add_item(kit["admin"], pre.id, item_code="rd-vte", section="readiness",
                         label="VTE prophylaxis planned")
    codes = _codes(after)
    assert codes.index("RD-VTE") == codes.index("RD-IMPLANTS") + 1
    added = next(i for i in after.items if i.item_code == "RD-VTE")
    assert added.section == "Readiness"
    assert added.is_required
    assert [i.position for i in after.items] == list(range(1, len(codes) + 1))
    number = kit.new_case(room=None).case.case_number
    items = kit.checklists.checklists(kit["admin"], number)[0].items
    assert "RD-VTE" in [i.item_code for i in items]
    [event] = _audit(kit, "add_template_item")
    assert event.actor_id == kit["admin"].user_id
    assert event.details["item_code"] == {"before": None, "after": "RD-VTE"}


def test_bad_items_name_the_field_and_write_nothing(kit: Kit) -> None:
    svc = _svc(kit)
    pre = _general(svc, kit, Phase.PRE_OP)
    with pytest.raises(BadInput) as bad:
        svc.add_item(kit["admin"], pre.id, item_code="no spaces", section="Readiness",
                     label="x")
    assert bad.value.problems[0].field == "item_code"
    with pytest.raises(BadInput) as bad:
        svc.add_item(kit["admin"], pre.id, item_code="SO-X", section="Sign Out", label="x")
    assert bad.value.problems[0].field == "section"
    assert "Readiness" in bad.value.problems[0].reason
    with pytest.raises(BadInput) as bad:
        svc.add_item(kit["admin"], pre.id, item_code="RD-X", section="Readiness", label="  ")
    assert bad.value.problems[0].field == "label"
    with pytest.raises(Duplicate) as dup:
        svc.add_item(kit["admin"], pre.id, item_code="rd-consent", section="Readiness",
                     label="again")
    assert dup.value.field == "item_code"
    assert _codes(svc.get_template(kit["admin"], pre.id)) == _codes(pre)
    assert _audit(kit, "add_template_item") == []


def test_edit_and_mark_required_are_audited_with_before_and_after(kit: Kit) -> None:
    svc = _svc(kit)
    pre = _general(svc, kit, Phase.PRE_OP)
    implants = next(i for i in pre.items if i.item_code == "RD-IMPLANTS")
    assert not implants.is_required
    after = svc.update_item(kit["admin"], implants.id, label="Implants and loan sets checked",
                            expected_version=implants.version)
    after = svc.set_required(kit["admin"], implants.id, True)
    item = next(i for i in after.items if i.item_code == "RD-IMPLANTS")
    assert item.label == "Implants and loan sets checked"
    assert item.is_required
    first, second = _audit(kit, "update_template_item")
    assert first.details["label"]["after"] == "Implants and loan sets checked"
    assert second.details["is_required"] == {"before": False, "after": True}
    with pytest.raises(StaleVersion):
        svc.update_item(kit["admin"], implants.id, label="old", expected_version=implants.version)


def test_reorder_moves_items_and_keeps_positions_dense(kit: Kit) -> None:
    svc = _svc(kit)
    post = _general(svc, kit, Phase.POST_OP)
    counts = next(i for i in post.items if i.item_code == "SO-COUNTS")
    moved = svc.move_item(kit["admin"], counts.id, -1)
    assert _codes(moved)[:2] == ["SO-COUNTS", "SO-PROCEDURE"]
    clamped = svc.move_item(kit["admin"], counts.id, -5)
    assert _codes(clamped) == _codes(moved)
    order = list(reversed(_codes(moved)))
    again = svc.reorder_items(kit["admin"], post.id, order)
    assert _codes(again) == order
    assert [i.position for i in again.items] == list(range(1, len(order) + 1))
    with pytest.raises(BadInput) as bad:
        svc.reorder_items(kit["admin"], post.id, order[1:])
    assert bad.value.problems[0].field == "item_codes"
    events = _audit(kit, "reorder_template_items")
    assert len(events) == 2  # the clamped move changed nothing and wrote nothing
    assert events[0].details["order"]["before"][:2] == ["SO-PROCEDURE", "SO-COUNTS"]


def test_retiring_leaves_existing_checklists_and_new_cases_skip_the_item(kit: Kit) -> None:
    svc = _svc(kit)
    pre = _general(svc, kit, Phase.PRE_OP)
    before = kit.new_case(room=None).case.case_number
    kit.checklists.tick(kit["admin"], before, "RD-FASTING")
    old_items = kit.checklists.checklists(kit["admin"], before)[0].items
    fasting = next(i for i in pre.items if i.item_code == "RD-FASTING")

    after = svc.retire_item(kit["admin"], fasting.id)

    assert next(i for i in after.items if i.item_code == "RD-FASTING").retired
    assert "RD-FASTING" not in [i.item_code for i in after.live_items]
    assert kit.checklists.checklists(kit["admin"], before)[0].items == old_items
    new = kit.new_case(room=None, patient_id="MRN-2").case.case_number
    new_codes = [i.item_code for i in kit.checklists.checklists(kit["admin"], new)[0].items]
    assert "RD-FASTING" not in new_codes
    assert "RD-CONSENT" in new_codes
    [event] = _audit(kit, "retire_template_item")
    assert event.details["retired"] == {"before": False, "after": True}
    restored = svc.retire_item(kit["admin"], fasting.id, retired=False)
    assert not next(i for i in restored.items if i.item_code == "RD-FASTING").retired


def test_specialty_template_copies_the_general_one_and_is_used_for_its_cases(kit: Kit) -> None:
    svc = _svc(kit)
    pre = _general(svc, kit, Phase.PRE_OP)
    ortho = svc.add_specialty_template(kit["admin"], phase=Phase.PRE_OP, specialty="orthopedics")
    assert ortho.specialty == "orthopedics"
    assert _codes(ortho) == _codes(pre)
    svc.add_item(kit["admin"], ortho.id, item_code="RD-XRAY", section="Readiness",
                 label="Long-leg X-ray on screen")
    with pytest.raises(Duplicate) as dup:
        svc.add_specialty_template(kit["admin"], phase="pre_op", specialty="Orthopedics")
    assert dup.value.field == "specialty"
    ortho_case = kit.new_case(room=None).case.case_number  # surg1: orthopedics
    general_case = kit.new_case(room=None, lead_surgeon="surg2").case.case_number
    ortho_codes = _case_codes(kit, ortho_case)
    general_codes = _case_codes(kit, general_case)
    assert "RD-XRAY" in ortho_codes
    assert "RD-XRAY" not in general_codes
    [event] = _audit(kit, "add_template")
    assert event.details["specialty"] == {"before": None, "after": "orthopedics"}


@pytest.mark.parametrize("who", ["sched", "surg1", "anes1", "nurse1", "viewer"])
def test_only_admins_change_templates(kit: Kit, who: str) -> None:
    svc = _svc(kit)
    actor = kit[who]
    assert actor.role is not Role.ADMIN
    pre = _general(svc, kit, Phase.PRE_OP)
    item = pre.items[0]
    with pytest.raises(PermissionDenied):
        svc.add_item(actor, pre.id, item_code="RD-NEW", section="Readiness", label="x")
    with pytest.raises(PermissionDenied):
        svc.retire_item(actor, item.id)
    with pytest.raises(PermissionDenied):
        svc.move_item(actor, item.id, 1)
    with pytest.raises(PermissionDenied):
        svc.update_item(actor, item.id, label="y")
    with pytest.raises(PermissionDenied):
        svc.add_specialty_template(actor, phase=Phase.POST_OP, specialty="general")
    assert svc.get_template(kit["admin"], pre.id) == pre


def test_unknown_template_or_item_is_not_found(kit: Kit) -> None:
    svc = _svc(kit)
    with pytest.raises(NotFound):
        svc.get_template(kit["admin"], 999)
    with pytest.raises(NotFound):
        svc.retire_item(kit["admin"], 99_999)
