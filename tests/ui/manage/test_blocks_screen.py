"""Blocks screen (issue 14 item 6): a scheduler creates a block with a preview of its next
dates, a refused pattern names its field and writes nothing, a surgeon releases a date of
their own block and not another's, a scheduler takes a release back, and utilization
shows its definition beside the number. Real services on a SQLite clone."""

from __future__ import annotations

from datetime import date, time

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import Role
from surgdesk.services.blocks import BlockFields
from surgdesk.services.context import Actor
from surgdesk.services.dto import BlockView, OccurrenceView
from surgdesk.services.registry import Services
from surgdesk.ui.manage.block_form import BlockFormDialog, q_date
from surgdesk.ui.manage.blocks import BlocksDialog, may_open_blocks
from surgdesk.ui.manage.common import qt_time, select_key
from tests.services.factories import Kit
from tests.ui.manage.fixtures import kit_services, settled, sqlite_db

__all__ = ["kit_services", "sqlite_db"]

MONDAY = date(2026, 3, 2)  # the kit's today (Europe/Berlin)


def _block(services: Services, kit: Kit, room: str, **owner: str) -> BlockView:
    """A Monday block that never releases by rule (release_days 0): dates stay held."""
    return services.blocks.create(kit["sched"], BlockFields(
        room=room, weekdays=(0,), start=time(8), end=time(14), valid_from=MONDAY,
        release_days=0, **owner))


def _open(qtbot: QtBot, services: Services, actor: Actor) -> BlocksDialog:
    dialog = settled(BlocksDialog)(services, actor)
    qtbot.add_widget(dialog)
    return dialog


def _form(qtbot: QtBot, dialog: BlocksDialog) -> BlockFormDialog:
    form = dialog.form(None)
    assert form is not None
    qtbot.add_widget(form)
    assert form.runner.settle()
    return form


def _audit(kit: Kit, action: str) -> list[m.AuditEvent]:
    with kit.db.new_session() as s:
        return list(s.scalars(select(m.AuditEvent).where(m.AuditEvent.action == action)))


def test_a_scheduler_creates_a_block_previewed_then_saved_to_the_database(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    dialog = _open(qtbot, services, kit["sched"])
    assert dialog.blocks.rowCount() == 0
    form = _form(qtbot, dialog)
    form.room.setCurrentText("OR2")
    form.by_service.setChecked(True)
    form.service.setCurrentText("orthopedics")
    form.weekdays[2].setChecked(True)  # Monday (ticked by default) and Wednesday
    form.valid_from.setDate(q_date(MONDAY))
    form.refresh_preview()
    assert form.runner.settle()
    assert form.preview[:3] == [date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 9)]
    assert "Mon 02 Mar 2026, Wed 04 Mar 2026" in form.preview_label.text()
    assert services.blocks.list_blocks(kit["sched"]) == []  # a preview writes nothing

    form.save()
    assert form.runner.settle()
    assert form.last_ok
    assert form.saved is not None
    [stored] = services.blocks.list_blocks(kit["sched"])
    assert (stored.room_code, stored.service, stored.weekdays) == ("OR2", "orthopedics", (0, 2))
    assert (stored.start, stored.end) == (time(7, 30), time(15, 30))
    [event] = _audit(kit, "add_block")
    assert event.actor_id == kit["sched"].user_id
    dialog.reload(select=stored.id)
    assert dialog.blocks.rowCount() == 1
    assert dialog.current is not None
    assert dialog.current.id == stored.id
    assert dialog.dates.rowCount() > 0  # its next dates, listed beside it


def test_a_refused_pattern_names_its_field_and_writes_nothing(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    dialog = _open(qtbot, services, kit["sched"])
    form = _form(qtbot, dialog)
    form.weekdays[0].setChecked(False)  # no weekday: no dates
    form.save()
    assert form.runner.settle()
    assert form.last_ok is False
    assert form.errors.message("weekdays")
    assert form.saved is None
    assert services.blocks.list_blocks(kit["sched"]) == []
    assert _audit(kit, "add_block") == []


def _select_first_date(dialog: BlocksDialog, block: BlockView) -> OccurrenceView:
    assert select_key(dialog.blocks_view, block.id)
    assert dialog.runner.settle()
    assert dialog.dates.rowCount() > 0
    dialog.dates_view.selectRow(0)
    occurrence = dialog.selected_date()
    assert occurrence is not None
    assert occurrence.block_id == block.id
    return occurrence


def test_a_surgeon_releases_a_date_of_their_own_block_and_not_anothers(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    own = _block(services, kit, "OR1", surgeon="surg1")
    other = _block(services, kit, "OR2", surgeon="surg2")
    dialog = _open(qtbot, services, kit["surg1"])
    listed = {dialog.blocks.row_at(n).id for n in range(dialog.blocks.rowCount())}
    assert listed == {own.id}  # their own blocks (and their service's) only
    assert dialog.new_button.isHidden()  # surgeons release; they do not plan blocks
    assert dialog.unrelease_button.isHidden()

    occurrence = _select_first_date(dialog, own)
    dialog.reason.setText("Congress")
    assert dialog.release_selected()
    [after] = [o for o in services.blocks.occurrences(kit["sched"], occurrence.day,
                                                      occurrence.day, room="OR1")]
    assert after.released
    assert after.release_reason == "Congress"
    assert dialog.dates.row_at(0).released  # the list shows it released

    [theirs] = services.blocks.occurrences(kit["sched"], MONDAY, MONDAY, room="OR2")
    assert theirs.block_id == other.id
    assert not dialog.release(theirs, "Not mine")
    assert "may not" in dialog.date_error.text()  # the service's refusal, said
    [still] = services.blocks.occurrences(kit["sched"], MONDAY, MONDAY, room="OR2")
    assert not still.released
    assert len(_audit(kit, "release_block")) == 1


def test_a_release_needs_a_reason_named_beside_the_field(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    own = _block(services, kit, "OR1", surgeon="surg1")
    dialog = _open(qtbot, services, kit["surg1"])
    occurrence = _select_first_date(dialog, own)
    dialog.reason.clear()
    assert not dialog.release_selected()
    assert dialog.date_errors.message("reason")
    [after] = services.blocks.occurrences(kit["sched"], occurrence.day, occurrence.day,
                                          room="OR1")
    assert not after.released


def test_a_scheduler_takes_a_release_back(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    own = _block(services, kit, "OR1", surgeon="surg1")
    dialog = _open(qtbot, services, kit["sched"])
    occurrence = _select_first_date(dialog, own)
    dialog.reason.setText("Surgeon on leave")
    assert dialog.release_selected()
    dialog.dates_view.selectRow(0)
    assert dialog.unrelease_selected()
    [after] = services.blocks.occurrences(kit["sched"], occurrence.day, occurrence.day,
                                          room="OR1")
    assert not after.released
    assert len(_audit(kit, "unrelease_block")) == 1


def test_utilization_shows_its_definition_beside_the_number(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    _block(services, kit, "OR1", surgeon="surg1")
    dialog = _open(qtbot, services, kit["sched"])
    dialog.tabs.setCurrentWidget(dialog.usage)  # shown: the default range at once
    assert dialog.runner.settle()
    assert dialog.usage.report is not None
    dialog.usage.set_range(MONDAY, date(2026, 3, 16))
    dialog.usage.refresh()
    assert dialog.runner.settle()
    report = dialog.usage.report
    assert report is not None
    assert dialog.usage.rows.rowCount() == len(report.rows) == 1
    assert dialog.usage.total.text().startswith("Block utilization")
    assert dialog.usage.definition.text() == report.definition != ""


@pytest.mark.parametrize(("role", "device", "opens"), [
    (Role.ADMIN, False, True), (Role.SCHEDULER, False, True), (Role.SURGEON, False, True),
    (Role.NURSE, False, False), (Role.VIEWER, False, False), (Role.VIEWER, True, False)])
def test_who_is_offered_the_blocks_screen(role: Role, device: bool, opens: bool) -> None:
    assert may_open_blocks(Actor(1, "someone", role, "Someone", device)) is opens


def test_a_scheduler_cancels_one_date_and_clears_it_again(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    block = _block(services, kit, "OR1", service="general")
    dialog = _open(qtbot, services, kit["sched"])
    occurrence = _select_first_date(dialog, block)
    dialog.reason.setText("Staff training")
    assert dialog.set_exception(cancelled=True)
    [exception] = services.blocks.get(kit["sched"], block.id).exceptions
    assert (exception.day, exception.cancelled) == (occurrence.day, True)
    assert dialog.exceptions.rowCount() == 1
    assert occurrence.day not in {dialog.dates.row_at(n).day
                                  for n in range(dialog.dates.rowCount())}
    dialog.exceptions_view.selectRow(0)
    assert dialog.clear_exception()
    assert services.blocks.get(kit["sched"], block.id).exceptions == ()
    assert dialog.exceptions.rowCount() == 0


def test_the_preview_warns_of_another_blocks_hours_and_saving_is_refused_naming_it(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    _block(services, kit, "OR1", surgeon="surg1")  # Mondays 08:00-14:00
    dialog = _open(qtbot, services, kit["sched"])
    form = _form(qtbot, dialog)
    form.room.setCurrentText("OR1")
    form.by_service.setChecked(True)
    form.service.setCurrentText("general")
    form.valid_from.setDate(q_date(MONDAY))
    form.refresh_preview()
    assert form.runner.settle()
    assert MONDAY in form.clashes
    assert not form.clash_label.isHidden()
    assert "Overlaps Surg1 Test" in form.clash_label.text()
    assert "08:00–14:00 on Mon 02 Mar 2026" in form.clash_label.text()
    form.save()
    assert form.runner.settle()
    assert form.last_ok is False
    assert "already blocked for Surg1 Test" in form.errors.message("room")
    assert len(services.blocks.list_blocks(kit["sched"])) == 1

    form.start.setTime(qt_time(time(14)))  # after the other block: no overlap
    form.end.setTime(qt_time(time(18)))
    form.refresh_preview()
    assert form.runner.settle()
    assert form.clashes == {}
    assert form.clash_label.isHidden()


def test_the_room_filter_lists_that_rooms_blocks_and_shows_one_of_them(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:
    kit, services = kit_services
    first = _block(services, kit, "OR1", surgeon="surg1")
    second = _block(services, kit, "OR2", service="orthopedics")
    dialog = _open(qtbot, services, kit["sched"])
    assert dialog.blocks.rowCount() == 2
    assert dialog.current is not None
    assert dialog.current.id == first.id
    dialog.room_filter.setCurrentText("OR2")
    assert dialog.runner.settle()
    assert [dialog.blocks.row_at(n).id for n in range(dialog.blocks.rowCount())] == [second.id]
    assert dialog.current is not None
    assert dialog.current.id == second.id  # the dates beside it are the listed block's
    assert {dialog.dates.row_at(n).block_id for n in range(dialog.dates.rowCount())} == \
        {second.id}
