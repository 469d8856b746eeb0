"""Preference cards screen (issue 15 item 3): a scheduler writes a card for a surgeon
through the screen and the service holds it; a surgeon sees every card but changes only
their own (the buttons are off and the service refuses); a duplicate names its field;
a card is deleted. Real services on a SQLite clone."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from surgdesk.errors import PermissionDenied
from surgdesk.services.context import Actor
from surgdesk.services.dto import PreferenceCardView
from surgdesk.services.registry import Services
from surgdesk.ui.manage.cards import CardsDialog, equipment_text, may_open_cards
from surgdesk.ui.manage.common import select_key
from tests.services.factories import Kit
from tests.ui.manage.fixtures import kit_services, settled, sqlite_db

__all__ = ["kit_services", "sqlite_db"]


def _open(qtbot: QtBot, services: Services, actor: Actor) -> CardsDialog:
    dialog = settled(CardsDialog)(services, actor)
    qtbot.add_widget(dialog)
    return dialog


def _kinds(services: Services, kit: Kit) -> None:
    for kind in ("C-arm", "Robot"):
        services.equipment.add_kind(kit["admin"], kind)


def _card(services: Services, kit: Kit, surgeon: str, procedure: str) -> PreferenceCardView:
    return services.cards.create_card(kit["sched"], surgeon=surgeon, procedure=procedure,
                                      duration_min=90, equipment=["C-arm"])


def test_a_scheduler_writes_a_card_for_a_surgeon_and_the_service_holds_it(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    _kinds(services, kit)
    dialog = _open(qtbot, services, kit["sched"])
    assert dialog.current is None  # no cards: a new one's form
    form = dialog.form
    assert form.surgeon.isEnabled()
    form.surgeon.setCurrentIndex(form.surgeon.findData("surg1"))
    form.procedure.setText("ORIF distal radius")
    form.duration.setValue(105)
    form.equipment.add("C-arm")
    form.equipment.add("C-arm")  # two units of a kind: the kind twice
    form.laterality_prompt.setChecked(True)
    form.positioning.setText("Supine, arm table")
    form.trays.setPlainText("Small fragment set\n\nHand tray\n")
    form.supplies.setPlainText("Tourniquet")
    assert dialog.save_card()

    [card] = services.cards.list_cards(kit["sched"])
    assert (card.surgeon_username, card.procedure_name, card.duration_min) == (
        "surg1", "ORIF distal radius", 105)
    assert card.equipment == ("C-arm", "C-arm")
    assert card.laterality_prompt
    assert card.trays == ("Small fragment set", "Hand tray")
    assert card.supplies == ("Tourniquet",)
    assert dialog.cards.rowCount() == 1
    assert dialog.current is not None
    assert dialog.current.id == card.id
    assert not form.surgeon.isEnabled()  # a card's surgeon does not change
    assert equipment_text(card.equipment) == "C-arm ×2"


def test_a_surgeon_sees_every_card_and_changes_only_their_own(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    _kinds(services, kit)
    mine = _card(services, kit, "surg1", "Knee arthroscopy")
    theirs = _card(services, kit, "surg2", "Lap chole")
    dialog = _open(qtbot, services, kit["surg1"])
    assert dialog.cards.rowCount() == 2

    assert select_key(dialog.cards_view, theirs.id)
    assert not dialog.save_button.isEnabled()
    assert not dialog.delete_button.isEnabled()
    assert dialog.form.procedure.isReadOnly()
    assert not dialog.form.equipment.add_button.isEnabled()
    assert not dialog.edit_note.isHidden()
    dialog.form.procedure.setText("Changed by someone else")  # as if typed anyway
    assert not dialog.save_card()  # and sent anyway: the service refuses
    assert "may not" in dialog.form.error.text()
    assert services.cards.get_card(kit["sched"], theirs.id).procedure_name == "Lap chole"

    assert select_key(dialog.cards_view, mine.id)
    assert dialog.save_button.isEnabled()
    assert dialog.edit_note.isHidden()
    dialog.form.duration.setValue(75)
    dialog.form.equipment.set_values(["Robot"])
    assert dialog.save_card()
    stored = services.cards.get_card(kit["sched"], mine.id)
    assert (stored.duration_min, stored.equipment) == (75, ("Robot",))
    assert dialog.save_button.isEnabled()  # still theirs after the answer


def test_a_surgeon_writes_new_cards_for_themselves_only(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    dialog = _open(qtbot, services, kit["surg2"])
    dialog.new_card()
    assert dialog.form.surgeon.currentData() == "surg2"
    assert not dialog.form.surgeon.isEnabled()
    dialog.form.procedure.setText("Appendectomy")
    assert dialog.save_card()
    [card] = services.cards.list_cards(kit["sched"], surgeon="surg2")
    assert card.procedure_name == "Appendectomy"


def test_a_second_card_for_the_same_procedure_is_refused_naming_the_field(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    _kinds(services, kit)
    _card(services, kit, "surg1", "Knee arthroscopy")
    dialog = _open(qtbot, services, kit["sched"])
    dialog.new_card()
    dialog.form.surgeon.setCurrentIndex(dialog.form.surgeon.findData("surg1"))
    dialog.form.procedure.setText("  knee ARTHROSCOPY ")
    assert not dialog.save_card()
    assert dialog.form.errors.message("procedure")
    assert len(services.cards.list_cards(kit["sched"])) == 1


def test_the_surgeon_filter_and_deleting_a_card(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    _kinds(services, kit)
    _card(services, kit, "surg1", "Knee arthroscopy")
    gone = _card(services, kit, "surg2", "Lap chole")
    dialog = _open(qtbot, services, kit["admin"])
    dialog.surgeon_filter.setCurrentIndex(dialog.surgeon_filter.findData("surg2"))
    assert dialog.runner.settle()
    assert [dialog.cards.row_at(n).id for n in range(dialog.cards.rowCount())] == [gone.id]
    assert dialog.current is not None
    assert dialog.current.id == gone.id
    asked: list[str] = []

    def confirm(card: PreferenceCardView) -> bool:
        asked.append(card.procedure_name)
        return True

    dialog.confirm_delete = confirm
    assert dialog.delete_card()
    assert asked == ["Lap chole"]
    assert [c.procedure_name for c in services.cards.list_cards(kit["sched"])] == [
        "Knee arthroscopy"]
    assert dialog.cards.rowCount() == 0
    assert dialog.current is None  # nothing left for surg2: a new card's form


@pytest.mark.parametrize(("username", "opens"), [
    ("admin", True), ("sched", True), ("surg1", True), ("nurse1", False), ("viewer", False),
    ("wall", False)])
def test_who_may_open_the_cards_screen(
        kit_services: tuple[Kit, Services], username: str, opens: bool) -> None:
    kit, services = kit_services
    assert may_open_cards(kit[username]) is opens
    if not opens:
        with pytest.raises(PermissionDenied):
            CardsDialog(services, kit[username])

