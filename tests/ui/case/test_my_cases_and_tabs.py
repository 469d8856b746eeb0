"""My cases, and the form's care team, notes and history tabs."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import ItemStatus, NoteType, TeamRole
from surgdesk.ui.case import MyCasesWidget
from surgdesk.ui.case.models import MyCasesModel
from tests.ui.case.conftest import SLOT, Dept
from tests.ui.case.test_case_form import choose, form_for


def my_cases(qtbot: QtBot, dept: Dept, username: str) -> MyCasesWidget:
    widget = MyCasesWidget(dept.services, dept[username])
    qtbot.addWidget(widget)
    assert widget.runner.settle()  # read off the GUI thread
    return widget


def reread(widget: MyCasesWidget) -> None:
    widget.reload()
    assert widget.runner.settle()


def test_my_cases_lists_what_waits_on_me(qtbot: QtBot, dept: Dept) -> None:
    mine = dept.new_case().case.case_number
    dept.new_case(lead_surgeon="surg2", anesthetist=None, room="OR2",
                  patient_id="MRN-2")  # not surg1's
    later = dept.new_case(start=SLOT + timedelta(days=20)).case.case_number  # out of range
    widget = my_cases(qtbot, dept, "surg1")
    rows = widget.model.cases()
    assert [r.case.case_number for r in rows] == [mine]
    assert rows[0].waiting == ("Confirm your assignment", "Readiness: 4 items pending")
    assert widget.summary.text() == "1 case · 1 waiting on you"
    assert widget.confirm_button.isEnabled()

    with qtbot.waitSignal(widget.caseChanged):
        assert widget.confirm_current() is True  # started
    assert widget.runner.settle()
    assert widget.last_ok is True
    assert widget.model.cases()[0].waiting == ("Readiness: 4 items pending",)
    assert not widget.confirm_button.isEnabled()
    assert "confirm_team" in dept.actions(mine)

    for code in ("RD-CONSENT", "RD-ASSESSMENT", "RD-RESULTS", "RD-FASTING"):
        dept.services.checklists.tick(dept["surg1"], mine, code)
    reread(widget)
    assert widget.model.cases()[0].waiting == ("Sign In / Time Out: 13 items pending",)

    choose(widget.range_box, 14)
    assert widget.runner.settle()
    assert widget.model.rowCount() == 1
    choose(widget.range_box, 1)  # today only: the case is tomorrow
    assert widget.runner.settle()
    assert widget.model.rowCount() == 0
    assert widget.summary.text() == "No cases of yours in this range."
    assert later


def test_one_click_on_the_case_number_opens_it(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    widget = my_cases(qtbot, dept, "nurse1")
    assert widget.model.rowCount() == 0  # not on the team yet
    dept.services.cases.assign_team_member(dept["sched"], number, "nurse1",
                                           TeamRole.SCRUB_NURSE)
    reread(widget)
    widget.show()
    qtbot.waitExposed(widget)
    rect = widget.table.visualRect(widget.model.index(0, MyCasesModel.COL_CASE))
    with qtbot.waitSignal(widget.caseActivated) as opened:
        qtbot.mouseClick(widget.table.viewport(), Qt.MouseButton.LeftButton,
                         pos=rect.center())
    assert opened.args == [number]
    widget.table.setFocus()
    with qtbot.waitSignal(widget.caseActivated) as opened:
        widget.open_button.click()
    assert opened.args == [number]


def test_the_care_team_tab_adds_removes_and_confirms(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    form = form_for(qtbot, dept, "sched", number)
    panel = form.team_panel
    assert [m.username for m in panel.model.members()] == ["surg1", "anes1"]
    choose(panel.role_box, TeamRole.SCRUB_NURSE.value)
    assert form.runner.settle()  # the people of that role are read off the GUI thread
    people = {panel.person_box.itemData(i) for i in range(panel.person_box.count())}
    assert people == {"nurse1", "nurse2"}  # only nurses for a nurse's place
    choose(panel.person_box, "nurse2")
    with qtbot.waitSignal(form.caseChanged):
        panel.add_button.click()
    assert [m.username for m in panel.model.members()] == ["surg1", "anes1", "nurse2"]

    panel.table.setCurrentIndex(panel.model.index(0, 0))
    assert not panel.remove_button.isEnabled()  # the lead surgeon is the case's own
    panel.table.setCurrentIndex(panel.model.index(2, 0))
    assert panel.remove_button.isEnabled()
    with qtbot.waitSignal(form.caseChanged):
        panel.remove_button.click()
    assert [m.username for m in panel.model.members()] == ["surg1", "anes1"]

    surgeon = form_for(qtbot, dept, "surg1", number)
    spanel = surgeon.team_panel
    assert spanel.add_button.isHidden()
    assert not spanel.confirm_button.isHidden()
    assert spanel.confirm() is True  # started
    with qtbot.waitSignal(surgeon.caseChanged):
        assert spanel.runner.settle()
    assert spanel.last_ok is True
    assert spanel.confirm_button.isHidden()
    assert [m.confirmed for m in spanel.model.members()] == [True, False]


def test_notes_are_added_and_listed(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    dept.services.cases.assign_team_member(dept["sched"], number, "nurse1",
                                           TeamRole.SCRUB_NURSE)
    form = form_for(qtbot, dept, "nurse1", number)
    notes = form.notes_panel
    assert not notes.editor.isHidden()
    assert not notes.add_button.isEnabled()
    choose(notes.type_box, NoteType.NURSING.value)
    qtbot.keyClicks(notes.text, "latex allergy")
    with qtbot.waitSignal(form.caseChanged):
        notes.add_button.click()
    assert notes.model.rowCount() == 1
    assert [notes.model.index(0, c).data() for c in (1, 2, 3)] == [
        "Nursing", "Nurse1", "latex allergy"]
    assert notes.text.toPlainText() == ""

    viewer = form_for(qtbot, dept, "viewer", number)
    assert viewer.notes_panel.editor.isHidden()
    # Notes may name the patient: a masked reader does not get the tab at all.
    assert not viewer.tabs.isTabVisible(viewer.tabs.indexOf(viewer.notes_panel))
    assert form.tabs.isTabVisible(form.tabs.indexOf(form.notes_panel))


def test_history_shows_the_audit_trail_newest_first(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    dept.services.checklists.tick(dept["admin"], number, "RD-CONSENT", status=ItemStatus.DONE)
    form = form_for(qtbot, dept, "sched", number)
    assert form.tabs.isTabVisible(form.history_index)
    form.tabs.setCurrentIndex(form.history_index)
    assert form.runner.settle()  # read off the GUI thread
    model = form.history_panel.model
    whats = [model.index(r, 2).data() for r in range(model.rowCount())]
    assert whats[0] == "Opened the patient details"
    assert whats[-1] == "Created the case"
    assert "Checklist item" in whats
    tick_row = whats.index("Checklist item")
    assert model.index(tick_row, 3).data() == "item code: RD-CONSENT; status: pending → done"

    nurse = form_for(qtbot, dept, "nurse1", number)
    assert not nurse.tabs.isTabVisible(nurse.history_index)  # not theirs to read
