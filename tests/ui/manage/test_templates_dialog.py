"""Checklist templates: retiring an item leaves existing checklists as they were."""

from __future__ import annotations

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import Phase
from surgdesk.services.registry import Services
from surgdesk.services.templates import TemplateItemView, TemplateView
from surgdesk.ui.manage.common import select_key
from surgdesk.ui.manage.templates import TemplatesDialog
from tests.services.factories import Kit
from tests.ui.manage.fixtures import kit_services, settled, sqlite_db

__all__ = ["kit_services", "sqlite_db"]


@pytest.fixture
def templates(qtbot: QtBot, kit_services: tuple[Kit, Services]) -> TemplatesDialog:
    kit, services = kit_services
    dialog = settled(TemplatesDialog)(services, kit["admin"])
    qtbot.add_widget(dialog)
    return dialog


def _general(dialog: TemplatesDialog, phase: Phase) -> TemplateView:
    return next(t for t in dialog.templates.rows() if t.phase is phase and t.specialty is None)


def _select_item(dialog: TemplatesDialog, code: str) -> TemplateItemView:
    item = next(i for i in dialog.items.rows() if i.item_code == code)
    assert select_key(dialog.items_view, item.id)
    assert dialog.item == item
    return item


def _codes(kit: Kit, number: str) -> list[str]:
    return [i.item_code for i in kit.checklists.checklists(kit["admin"], number)[0].items]


def test_pre_op_comes_first_and_shows_its_items(templates: TemplatesDialog) -> None:
    first = templates.templates.row_at(0)
    assert first.phase is Phase.PRE_OP
    assert templates.template == first
    assert templates.items.row_at(0).item_code == "RD-CONSENT"
    assert [templates.section.itemText(n) for n in range(templates.section.count())] == [
        "Readiness", "Sign In", "Time Out"]


def test_retiring_leaves_existing_checklists_and_new_cases_skip_the_item(
    templates: TemplatesDialog, kit_services: tuple[Kit, Services]
) -> None:
    kit, _ = kit_services
    existing = kit.new_case(room=None).case.case_number
    kit.checklists.tick(kit["admin"], existing, "RD-FASTING")
    before = kit.checklists.checklists(kit["admin"], existing)

    _select_item(templates, "RD-FASTING")
    assert templates.retire_button.text() == "Retire"
    assert templates.toggle_retired()

    retired = _select_item(templates, "RD-FASTING")
    assert retired.retired
    assert templates.retire_button.text() == "Bring back"
    assert kit.checklists.checklists(kit["admin"], existing) == before
    new = kit.new_case(room=None, patient_id="MRN-2").case.case_number
    assert "RD-FASTING" not in _codes(kit, new)
    assert "RD-FASTING" in _codes(kit, existing)


def test_add_edit_reorder_and_require_items(
    templates: TemplatesDialog, kit_services: tuple[Kit, Services]
) -> None:
    kit, _ = kit_services
    templates.new_item()
    templates.code.setText("rd-vte")
    templates.section.setCurrentIndex(templates.section.findData("Readiness"))
    templates.label.setText("VTE prophylaxis planned")
    templates.required.setChecked(False)
    assert templates.save_item()
    added = _select_item(templates, "RD-VTE")
    assert not added.is_required
    assert added.position == 6  # after the last Readiness item

    assert templates.move_item(-1)
    assert _select_item(templates, "RD-VTE").position == 5
    templates.required.setChecked(True)
    templates.label.setText("VTE prophylaxis planned and charted")
    assert templates.save_item()
    item = _select_item(templates, "RD-VTE")
    assert item.is_required
    assert item.label == "VTE prophylaxis planned and charted"
    number = kit.new_case(room=None).case.case_number
    assert _codes(kit, number)[4] == "RD-VTE"


def test_bad_item_is_shown_beside_its_field(templates: TemplatesDialog) -> None:
    count = templates.items.rowCount()
    templates.new_item()
    templates.code.setText("RD CONSENT")
    templates.label.setText("x")
    assert not templates.save_item()
    assert "letters, digits" in templates.item_errors.message("item_code")
    templates.code.setText("RD-CONSENT")
    assert not templates.save_item()
    assert "already used" in templates.item_errors.message("item_code")
    templates.code.setText("RD-NEW")
    templates.label.setText(" ")
    assert not templates.save_item()
    assert templates.item_errors.message("label") == "Must not be empty"
    assert templates.items.rowCount() == count


def test_add_a_specialty_template(templates: TemplatesDialog) -> None:
    templates.new_phase.setCurrentIndex(templates.new_phase.findData(Phase.POST_OP))
    templates.new_specialty.setText("cardiac")
    assert templates.add_template()
    assert templates.template is not None
    assert templates.template.specialty == "cardiac"
    assert templates.template.phase is Phase.POST_OP
    assert [i.item_code for i in templates.items.rows()] == [
        i.item_code for i in _general(templates, Phase.POST_OP).items]
    templates.new_specialty.setText("Cardiac")
    assert not templates.add_template()
    assert "already has" in templates.template_errors.message("specialty")


def test_template_models_pass_the_model_tester(qtmodeltester: ModelTester,
                                              templates: TemplatesDialog) -> None:
    qtmodeltester.check(templates.templates)
    qtmodeltester.check(templates.items)
