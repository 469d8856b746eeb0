"""Saves the database did not answer, in the case screens: the input is kept, the user is
told it was not saved, and doing the same again sends the same operation id — so a write
whose reply was lost after COMMIT is answered as done instead of applied twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import CaseStatus, ItemStatus, NoteType, Phase, TeamRole
from surgdesk.errors import DatabaseUnavailable
from surgdesk.ui.case import ChecklistWidget, case_form_factory
from surgdesk.ui.case.form import UNREACHABLE_TEXT
from surgdesk.ui.case.models import ChecklistModel
from tests.ui.case.conftest import Dept
from tests.ui.case.test_case_form import case_count, fill_valid, form_for, saved


class LoseReplies:
    """Wraps a service method: records each call's op_id; the first ``lose`` calls go
    through to the database and then "lose the reply" (DatabaseUnavailable), as when the
    connection drops after COMMIT; ``never`` calls fail before reaching it."""

    def __init__(self, method: Callable[..., Any], *, lose: int = 0, never: int = 0) -> None:
        self.method = method
        self.lose = lose
        self.never = never
        self.op_ids: list[str | None] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.op_ids.append(kwargs.get("op_id"))
        if self.never:
            self.never -= 1
            raise DatabaseUnavailable("the database cannot be reached")
        result = self.method(*args, **kwargs)
        if self.lose:
            self.lose -= 1
            raise DatabaseUnavailable("the connection dropped before the reply arrived")
        return result


def test_new_case_save_without_the_database_keeps_input_and_saves_once_on_retry(
        qtbot: QtBot, dept: Dept, monkeypatch: pytest.MonkeyPatch) -> None:
    create = LoseReplies(dept.services.cases.create_case, lose=1)
    monkeypatch.setattr(dept.services.cases, "create_case", create)
    form = form_for(qtbot, dept)
    form.show()
    fill_valid(qtbot, form, room=None)
    unreachable: list[str] = []
    form.unreachable.connect(unreachable.append)

    assert form.save() is False
    assert form.isVisible()  # still open,
    assert form.patient_name.text() == "John Doe"  # with the input
    assert form.procedure.text() == "Hip replacement"
    assert form.last_message == UNREACHABLE_TEXT
    assert "Not saved" in form.message.text()
    assert "input is kept" in form.message.text()
    assert unreachable
    assert case_count(dept) == 1  # the first attempt did commit: the reply was lost

    assert form.save() is True
    assert form.result() == QDialog.DialogCode.Accepted
    assert create.op_ids[0] is not None
    assert create.op_ids[1] == create.op_ids[0]  # Save again: the same operation
    assert case_count(dept) == 1  # saved once
    assert form.last_result is not None
    assert form.last_result.case.procedure_name == "Hip replacement"


def test_changed_input_after_a_failed_save_is_a_new_operation(
        qtbot: QtBot, dept: Dept, monkeypatch: pytest.MonkeyPatch) -> None:
    create = LoseReplies(dept.services.cases.create_case, never=2)
    monkeypatch.setattr(dept.services.cases, "create_case", create)
    form = form_for(qtbot, dept)
    fill_valid(qtbot, form, room=None)
    assert form.save() is False
    assert form.save() is False
    qtbot.keyClicks(form.procedure, " (revision)")
    assert form.save() is True
    assert create.op_ids[0] == create.op_ids[1] != create.op_ids[2]
    assert case_count(dept) == 1


def test_editing_a_case_without_the_database_sends_the_same_ids_again(
        qtbot: QtBot, dept: Dept, monkeypatch: pytest.MonkeyPatch) -> None:
    case = dept.new_case().case
    update = LoseReplies(dept.services.cases.update_case, lose=1)
    monkeypatch.setattr(dept.services.cases, "update_case", update)
    status = LoseReplies(dept.services.cases.set_status, never=1)
    monkeypatch.setattr(dept.services.cases, "set_status", status)
    form = form_for(qtbot, dept, case_number=case.case_number)
    form.procedure.clear()
    qtbot.keyClicks(form.procedure, "Hip replacement")
    form.status.setCurrentIndex(form.status.findData(CaseStatus.POSTPONED.value))
    qtbot.keyClicks(form.reason, "list overran")

    # The edit commits but its reply is lost: nothing after it is tried.
    assert form.save() is False
    assert form.last_message == UNREACHABLE_TEXT
    assert form.procedure.text() == "Hip replacement"
    assert status.op_ids == []
    # Again: the edit is answered as done; the status change does not reach the database.
    assert form.save() is False
    assert form.last_message.startswith("Not everything was saved")
    assert form.reason.text() == "list overran"
    # Again, with the connection back: everything saved, each step once.
    assert form.save() is True

    assert update.op_ids[0] is not None
    assert update.op_ids == [update.op_ids[0]] * 3
    assert status.op_ids[0] is not None
    assert status.op_ids == [status.op_ids[0]] * 2
    assert update.op_ids[0] != status.op_ids[0]  # one id per step
    assert dept.actions(case.case_number).count("update_case") == 1
    stored = dept.services.cases.get_case(dept["admin"], case.case_number).case
    assert (stored.procedure_name, stored.status) == ("Hip replacement", CaseStatus.POSTPONED)


@pytest.fixture
def nurse_case(dept: Dept) -> str:
    number = dept.new_case().case.case_number
    dept.services.cases.assign_team_member(dept["sched"], number, "nurse1",
                                           TeamRole.CIRCULATING_NURSE)
    return number


def checked(widget: ChecklistWidget, code: str) -> object:
    index = widget.pages[Phase.PRE_OP].model.item_index(code, ChecklistModel.COL_STATUS)
    return index.data(Qt.ItemDataRole.CheckStateRole)


def test_a_tick_without_the_database_reverts_and_is_saved_once_when_ticked_again(
        qtbot: QtBot, dept: Dept, nurse_case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    tick = LoseReplies(dept.services.checklists.tick, lose=1)
    monkeypatch.setattr(dept.services.checklists, "tick", tick)
    widget = ChecklistWidget(dept.services, dept["nurse1"], nurse_case)
    qtbot.addWidget(widget)
    runner = widget.runner  # its calls run off the GUI thread; wait for their answers
    assert runner.settle()
    unchecked = checked(widget, "RD-CONSENT")
    model = widget.pages[Phase.PRE_OP].model
    unreachable: list[str] = []
    runner.unreachable.connect(unreachable.append)  # reported once, by the runner

    # A click on the box: the model asks for the tick and the service "loses the reply".
    index = model.item_index("RD-CONSENT", ChecklistModel.COL_STATUS)
    model.setData(index, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert runner.settle()

    assert checked(widget, "RD-CONSENT") == unchecked  # the box went back
    assert widget.last_error.startswith("RD-CONSENT not saved — the database cannot be reached")
    assert widget.message.isVisibleTo(widget)
    assert unreachable

    assert widget.tick("RD-CONSENT", ItemStatus.DONE) is True
    assert runner.settle()
    assert widget.last_ok is True
    assert tick.op_ids[0] is not None
    assert tick.op_ids == [tick.op_ids[0]] * 2
    assert checked(widget, "RD-CONSENT") != unchecked
    assert dept.actions(nurse_case).count("tick_item") == 1
    assert widget.last_error == ""

    # Read again: the next tick of the same kind is a new operation.
    widget.tick("RD-CONSENT", ItemStatus.PENDING)
    assert runner.settle()
    widget.tick("RD-CONSENT", ItemStatus.DONE)
    assert runner.settle()
    assert tick.op_ids[3] not in tick.op_ids[:3]
    assert dept.actions(nurse_case).count("tick_item") == 3


def test_a_note_without_the_database_keeps_its_text_and_is_added_once(
        qtbot: QtBot, dept: Dept, monkeypatch: pytest.MonkeyPatch) -> None:
    number = dept.new_case().case.case_number
    add = LoseReplies(dept.services.cases.add_note, lose=1)
    monkeypatch.setattr(dept.services.cases, "add_note", add)
    form = form_for(qtbot, dept, case_number=number)
    panel = form.notes_panel
    panel.type_box.setCurrentIndex(panel.type_box.findData(NoteType.GENERAL.value))
    qtbot.keyClicks(panel.text, "Bring the x-rays")
    assert panel.add_current() is True  # handed over...
    assert form.runner.settle()
    assert panel.last_ok is False  # ...and not saved: the reply was lost
    assert panel.text.toPlainText() == "Bring the x-rays"
    assert "Note not saved" in panel.text_error.text()
    assert panel.add_current() is True
    assert form.runner.settle()
    assert panel.last_ok is True
    assert add.op_ids[0] is not None
    assert add.op_ids == [add.op_ids[0]] * 2
    assert len(dept.services.cases.get_case(dept["admin"], number).notes) == 1


def test_the_factory_wires_the_forms_outage_reports(
        qtbot: QtBot, dept: Dept, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dept.services.cases, "create_case",
                        LoseReplies(dept.services.cases.create_case, never=1))
    heard: list[str] = []
    make = case_form_factory(dept.services, dept["sched"], on_unreachable=heard.append)
    parent = QWidget()
    qtbot.addWidget(parent)
    form = make(parent, None)
    form.confirm_warnings = lambda _w: True
    assert form.runner.settle()
    fill_valid(qtbot, form, room=None)
    assert saved(form) is False
    assert heard == ["the database cannot be reached"]
