"""The case form's equipment and preference cards (issue 15 items 2 and 3): a card fills
a new case's duration and equipment (the user may change anything) and the saved case
holds the units; a picked unit is saved pinned; a placed case shows the units it holds
and a missing one in red; an equipment refusal is said beside the field; the case's own
tab shows what the card asks the team to prepare. Real services on SQLite."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import EquipmentStatus, Laterality
from surgdesk.services.dto import PreferenceCardView
from surgdesk.ui.case import CaseFormDialog
from surgdesk.ui.case.equipment_field import MISSING
from surgdesk.ui.case.fields import show_value
from tests.ui.case.conftest import SLOT, Dept
from tests.ui.case.test_case_form import choose, fill_valid, form_for, saved


def _fleet(dept: Dept) -> None:
    """Two C-arms and one robot, usable in any room."""
    equipment, admin = dept.services.equipment, dept["admin"]
    for kind in ("C-arm", "Robot"):
        equipment.add_kind(admin, kind)
    for name, kind in (("C-arm 1", "C-arm"), ("C-arm 2", "C-arm"), ("Robot 1", "Robot")):
        equipment.add_unit(admin, name=name, kind=kind)


def _card(dept: Dept, **fields: object) -> PreferenceCardView:
    values: dict[str, object] = {
        "surgeon": "surg1", "procedure": "Hip replacement", "duration_min": 150,
        "equipment": ["C-arm"], "laterality_prompt": True,
        "positioning": "Lateral decubitus, left side up", "trays": ["Hip set", "Broach set"],
        "supplies": ["Cement x2"], **fields}
    return dept.services.cards.create_card(dept["sched"], **values)  # type: ignore[arg-type]


def _filled(qtbot: QtBot, dept: Dept) -> CaseFormDialog:
    """A new case typed in full (surgeon surg1, procedure Hip replacement), its card
    looked up as the form does a moment after the last keystroke."""
    form = form_for(qtbot, dept)
    fill_valid(qtbot, form)
    form.card_fill.lookup()
    assert form.runner.settle()
    return form


def test_a_card_fills_the_new_case_and_the_saved_case_holds_its_equipment(
        qtbot: QtBot, dept: Dept) -> None:
    _fleet(dept)
    card = _card(dept)
    form = _filled(qtbot, dept)
    assert form.duration.value() == 150  # the card's, over the 120 typed before it
    assert form.equipment.texts() == ["C-arm"]
    assert form.card_note.text().startswith(
        "Filled from Surg1's card for Hip replacement")
    assert not form.card_note.isHidden()
    assert form.laterality.property("cardRequired") is True  # the card asks for the side
    assert form.card_id() == card.id

    assert saved(form)
    assert form.last_result is not None
    number = form.last_result.case.case_number
    detail = dept.services.cases.get_case(dept["admin"], number)
    assert detail.case.estimated_duration_min == 150
    [need] = detail.case.equipment
    assert need.kind == "C-arm"
    assert need.unit in ("C-arm 1", "C-arm 2")  # allocated on placing
    assert detail.card is not None
    assert detail.card.id == card.id


def test_the_user_changes_what_the_card_filled_and_picks_a_unit(
        qtbot: QtBot, dept: Dept) -> None:
    _fleet(dept)
    _card(dept)
    form = _filled(qtbot, dept)
    form.duration.setValue(100)
    choose(form.equipment.kind, "Robot")
    choose(form.equipment.unit, "Robot 1")
    assert not form.equipment.count.isEnabled()  # a picked unit is one unit
    form.equipment.add_chosen()
    assert form.equipment.texts() == ["C-arm", "Robot (Robot 1)"]
    form.card_fill.lookup()  # the same surgeon and procedure: not filled over again
    assert form.runner.settle()
    assert form.duration.value() == 100

    assert saved(form)
    assert form.last_result is not None
    case = form.last_result.case
    assert case.estimated_duration_min == 100
    assert sorted((e.kind, e.unit, e.pinned) for e in case.equipment if e.pinned) == [
        ("Robot", "Robot 1", True)]
    assert sorted(e.kind for e in case.equipment) == ["C-arm", "Robot"]


def test_without_a_card_nothing_is_filled_and_units_are_offered_for_the_room(
        qtbot: QtBot, dept: Dept) -> None:
    _fleet(dept)
    dept.services.equipment.add_unit(dept["admin"], name="C-arm 3", kind="C-arm",
                                     rooms=["OR2"])
    _card(dept, surgeon="surg2")  # another surgeon's
    form = _filled(qtbot, dept)
    assert form.duration.value() == 120
    assert form.equipment.texts() == []
    assert form.card_note.isHidden()
    assert form.card_id() is None
    choose(form.equipment.kind, "C-arm")

    def offered() -> list[str | None]:
        unit = form.equipment.unit
        return [unit.itemData(n) for n in range(unit.count())]

    assert offered() == [None, "C-arm 1", "C-arm 2"]  # C-arm 3 is OR2's only
    choose(form.room, "OR2")
    assert offered() == [None, "C-arm 1", "C-arm 2", "C-arm 3"]
    choose(form.room, "OR1")
    form.equipment.count.setValue(2)
    form.equipment.add_chosen()
    assert form.equipment.texts() == ["C-arm", "C-arm"]
    assert saved(form)
    assert form.last_result is not None
    assert sorted(e.unit or "" for e in form.last_result.case.equipment) == [
        "C-arm 1", "C-arm 2"]


def test_removing_every_kind_the_card_brought_saves_no_equipment_and_keeps_the_card(
        qtbot: QtBot, dept: Dept) -> None:
    """An emptied equipment list is the user's "none", not "fill from the card": the case
    is saved needing nothing, and still remembers its card (positioning, trays)."""
    _fleet(dept)
    card = _card(dept)
    form = _filled(qtbot, dept)
    form.equipment.needs.setCurrentRow(0)
    form.equipment.remove_selected()
    assert form.card_id() == card.id
    assert saved(form)
    assert form.last_result is not None
    detail = dept.services.cases.get_case(dept["admin"], form.last_result.case.case_number)
    assert detail.case.equipment == ()
    assert detail.card is not None
    assert detail.card.id == card.id


def test_the_card_link_goes_when_the_procedure_changes(qtbot: QtBot, dept: Dept) -> None:
    _fleet(dept)
    card = _card(dept)
    form = _filled(qtbot, dept)
    form.equipment.set_kinds(["Robot"])
    assert form.card_id() == card.id
    form.procedure.setText("Hip revision")  # no card for this one
    form.card_fill.lookup()
    assert form.runner.settle()
    assert form.card_id() is None
    assert form.card_note.isHidden()
    assert form.laterality.property("cardRequired") is False
    assert (form.duration.value(), form.equipment.texts()) == (150, ["Robot"])  # kept


def test_a_stale_save_lists_equipment_needs_readably() -> None:
    assert show_value((("C-arm", None), ("Laser", "Holmium laser 1"))) == \
        "C-arm, Laser (Holmium laser 1)"
    assert show_value(()) == "—"


def test_a_placed_case_shows_the_units_it_holds_and_a_missing_one_in_red(
        qtbot: QtBot, dept: Dept) -> None:
    _fleet(dept)
    number = dept.new_case(equipment=["C-arm", "Robot"]).case.case_number
    change = dept.services.equipment.update_unit(dept["admin"], "Robot 1",
                                                 status=EquipmentStatus.MAINTENANCE)
    assert change.lost == (number,)
    form = form_for(qtbot, dept, case_number=number)
    [c_arm, robot] = form.equipment.texts()
    assert c_arm.startswith("C-arm — holds C-arm ")
    assert robot.startswith("Robot — no unit free")
    assert form.equipment.missing() == ["Robot"]
    assert form.equipment.needs.item(1).foreground().color() == MISSING
    assert "not allocated" in form.conflicts.text()  # the header's warning, in words
    assert not form.is_dirty()  # showing the allocation is no edit
    assert not form.tabs.isTabVisible(form.card_index)  # typed by hand: no card


def test_editing_a_cases_equipment_saves_it(qtbot: QtBot, dept: Dept) -> None:
    _fleet(dept)
    number = dept.new_case(equipment=["C-arm"]).case.case_number
    form = form_for(qtbot, dept, case_number=number)
    form.equipment.needs.setCurrentRow(0)
    form.equipment.remove_selected()
    choose(form.equipment.kind, "Robot")
    form.equipment.add_chosen()
    assert form.is_dirty()
    assert saved(form)
    [need] = dept.services.cases.get_case(dept["admin"], number).case.equipment
    assert (need.kind, need.unit) == ("Robot", "Robot 1")


def test_no_free_unit_is_refused_beside_the_equipment_naming_the_holder(
        qtbot: QtBot, dept: Dept) -> None:
    _fleet(dept)
    holder = dept.new_case(room="OR2", equipment=["Robot"], lead_surgeon="surg2",
                           anesthetist=None, patient_id="MRN-9").case.case_number
    form = form_for(qtbot, dept)
    fill_valid(qtbot, form)
    choose(form.equipment.kind, "Robot")
    form.equipment.add_chosen()
    assert not saved(form)
    assert holder in form.field_error("equipment")
    assert form.last_message.startswith("Not saved")
    assert len(dept.services.cases.list_cases(dept["admin"])) == 1


def test_the_case_shows_what_its_card_asks_the_team_to_prepare(
        qtbot: QtBot, dept: Dept) -> None:
    _fleet(dept)
    card = _card(dept)
    number = dept.services.cases.create_case(
        dept["sched"], procedure_name="Hip replacement", patient_id="MRN-5",
        patient_name="Jane Roe", lead_surgeon="surg1", laterality=Laterality.RIGHT,
        room="OR1", start=SLOT, card=card.id).case.case_number
    form = form_for(qtbot, dept, case_number=number)
    assert form.tabs.isTabVisible(form.card_index)
    text = form.card_panel.text.text()
    for part in ("Lateral decubitus, left side up", "Hip set", "Broach set", "Cement x2"):
        assert part in text
