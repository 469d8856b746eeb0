"""The checklist widget: who may tick, what ticking does to the case, sign-off gating."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressBar
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import CaseStatus, ItemStatus, Phase, TeamRole
from surgdesk.errors import PermissionDenied
from surgdesk.services.dto import ChecklistItemView
from surgdesk.ui.case import ChecklistWidget
from surgdesk.ui.case.checklist import gate_text
from surgdesk.ui.case.models import ChecklistModel, SectionProgress
from tests.ui.case.conftest import Dept
from tests.ui.case.test_case_form import form_for


class SettledChecklist(ChecklistWidget):
    """The widget, waiting for its runner once opened and after each write: a write
    then answers whether it went through, as a person sees once the answer is in."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        assert self.runner.settle()

    def _write(self, *args: object, **kwargs: object) -> bool:
        return wrote(self, super()._write(*args, **kwargs))  # type: ignore[arg-type]


def wrote(widget: ChecklistWidget, started: bool) -> bool:
    """Wait for the widget's runner: True when the write it started went through."""
    assert started
    assert widget.runner.settle()
    return widget.last_ok is True

READINESS_REQUIRED = ("RD-CONSENT", "RD-ASSESSMENT", "RD-RESULTS", "RD-FASTING")


def widget_for(qtbot: QtBot, dept: Dept, username: str, number: str) -> ChecklistWidget:
    widget = SettledChecklist(dept.services, dept[username], number)
    qtbot.addWidget(widget)
    widget.ask_note = lambda question, current: "no implant tray yet"
    return widget


@pytest.fixture
def case_with_nurse(dept: Dept) -> str:
    number = dept.new_case().case.case_number
    dept.services.cases.assign_team_member(dept["sched"], number, "nurse1",
                                           TeamRole.CIRCULATING_NURSE)
    return number


def item(widget: ChecklistWidget, code: str) -> ChecklistItemView:
    found = widget._item(code)
    assert found is not None
    return found


def test_a_nurse_on_the_care_team_ticks_items(qtbot: QtBot, dept: Dept,
                                              case_with_nurse: str) -> None:
    widget = widget_for(qtbot, dept, "nurse1", case_with_nurse)
    assert widget.can_tick
    assert not widget.read_only_label.isVisibleTo(widget)
    page = widget.pages[Phase.PRE_OP]
    assert page.model.editable

    with qtbot.waitSignal(widget.caseChanged) as changed:
        assert widget.tick("RD-CONSENT", ItemStatus.DONE) is True
    assert changed.args == [case_with_nurse]
    ticked = item(widget, "RD-CONSENT")
    assert ticked.status is ItemStatus.DONE
    assert ticked.completed_by == "nurse1"
    assert ticked.completed_at is not None
    index = page.model.item_index("RD-CONSENT", ChecklistModel.COL_BY)
    assert index.data() == "Nurse1"
    assert page.model.item_index("RD-CONSENT", ChecklistModel.COL_WHEN).data() == "12 Jan 07:00"

    page.select("RD-IMPLANTS")
    page.blocked_button.click()
    blocked = item(widget, "RD-IMPLANTS")
    assert (blocked.status, blocked.notes) == (ItemStatus.BLOCKED, "no implant tray yet")


def test_a_nurse_off_the_team_sees_it_read_only_and_the_service_refuses(
        qtbot: QtBot, dept: Dept, case_with_nurse: str) -> None:
    widget = widget_for(qtbot, dept, "nurse2", case_with_nurse)
    widget.show()
    assert not widget.can_tick
    assert widget.read_only_label.isVisible()
    page = widget.pages[Phase.PRE_OP]
    assert not page.model.editable
    assert not page.done_button.isVisible()
    assert not page.sign_off_button.isVisible()
    index = page.model.item_index("RD-CONSENT", ChecklistModel.COL_STATUS)
    assert not page.model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable
    with qtbot.assertNotEmitted(page.model.tick_requested):
        assert page.model.setData(index, Qt.CheckState.Checked,
                                  Qt.ItemDataRole.CheckStateRole) is False

    assert page.tree.isColumnHidden(ChecklistModel.COL_NOTE)  # masked: no free text
    assert not widget_for(qtbot, dept, "nurse1", case_with_nurse).pages[
        Phase.PRE_OP].tree.isColumnHidden(ChecklistModel.COL_NOTE)

    with pytest.raises(PermissionDenied):
        dept.services.checklists.tick(dept["nurse2"], case_with_nurse, "RD-CONSENT")
    # The widget reports a refusal without changing anything either.
    with qtbot.assertNotEmitted(widget.caseChanged):
        assert widget.tick("RD-CONSENT", ItemStatus.DONE) is False
    assert "may not" in widget.last_error
    assert item(widget, "RD-CONSENT").status is ItemStatus.PENDING


def test_checking_the_box_asks_the_service(qtbot: QtBot, dept: Dept,
                                          case_with_nurse: str) -> None:
    widget = widget_for(qtbot, dept, "nurse1", case_with_nurse)
    page = widget.pages[Phase.PRE_OP]
    index = page.model.item_index("RD-RESULTS", ChecklistModel.COL_STATUS)
    assert page.model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable
    with qtbot.waitSignal(widget.caseChanged):
        page.model.setData(index, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert item(widget, "RD-RESULTS").status is ItemStatus.DONE
    # Space on the current item toggles it back.
    widget.show()
    page.select("RD-RESULTS")
    with qtbot.waitSignal(widget.caseChanged):
        qtbot.keyClick(page.tree, Qt.Key.Key_Space)
    assert item(widget, "RD-RESULTS").status is ItemStatus.PENDING


def test_sign_off_stays_disabled_until_the_required_items_are_done(
        qtbot: QtBot, dept: Dept, case_with_nurse: str) -> None:
    widget = widget_for(qtbot, dept, "nurse1", case_with_nurse)
    page = widget.pages[Phase.PRE_OP]
    required = [i.item_code for i in page.model.items() if i.is_required]
    optional = [i.item_code for i in page.model.items() if not i.is_required]
    assert optional  # RD-IMPLANTS and TO-IMAGING stay pending throughout
    for code in required[:-1]:
        widget.tick(code, ItemStatus.DONE)
        assert not page.sign_off_button.isEnabled()
    widget.tick(required[-1], ItemStatus.DONE)
    assert page.sign_off_button.isEnabled()

    with qtbot.waitSignal(widget.caseChanged):
        page.sign_off_button.click()
    assert widget.checklist(Phase.PRE_OP).status.value == "completed"  # type: ignore[union-attr]
    assert not page.sign_off_button.isEnabled()
    assert page.signed_label.text().startswith("Signed off by nurse1")
    assert not page.model.editable  # a signed-off phase no longer changes
    assert dept.services.cases.get_case(dept["admin"], case_with_nurse).case.pre_op_complete


def test_ticking_the_last_readiness_item_makes_the_case_preop_ready(
        qtbot: QtBot, dept: Dept, case_with_nurse: str) -> None:
    widget = widget_for(qtbot, dept, "nurse1", case_with_nurse)
    page = widget.pages[Phase.PRE_OP]
    for code in READINESS_REQUIRED[:-1]:
        widget.tick(code, ItemStatus.DONE)
    bar = page.findChild(QProgressBar, "progressReadiness")
    assert bar is not None
    assert (bar.value(), bar.maximum(), bar.text()) == (3, 4, "3/4 required")
    assert page.model.sections()[0] == SectionProgress("Readiness", 3, 4, 5)
    assert dept.services.cases.get_case(dept["admin"], case_with_nurse).case.status \
        is CaseStatus.SCHEDULED

    with qtbot.waitSignal(widget.caseChanged) as changed:
        widget.tick(READINESS_REQUIRED[-1], ItemStatus.DONE)
    assert changed.args == [case_with_nurse]
    # The board reads the new status at once.
    board = dept.services.cases.board(dept["sched"], dept.clock.now(),
                                      dept.clock.now().replace(day=14))
    (on_board,) = [c for c in board.cases if c.case_number == case_with_nurse]
    assert on_board.status is CaseStatus.PREOP_READY
    assert "Pre-op ready" in widget.status_label.text()
    gate = page._bars["Readiness"][1]
    assert gate.text() == "Readiness complete — the case is pre-op ready"
    assert page._bars["Readiness"][0].value() == 4

    # Reopening an item brings it back to scheduled, as the rule says.
    widget.tick("RD-FASTING", ItemStatus.PENDING)
    assert dept.services.cases.get_case(dept["admin"], case_with_nurse).case.status \
        is CaseStatus.SCHEDULED


def test_the_form_follows_a_tick_and_can_still_save(qtbot: QtBot, dept: Dept,
                                                   case_with_nurse: str) -> None:
    for code in READINESS_REQUIRED[:-1]:
        dept.services.checklists.tick(dept["admin"], case_with_nurse, code)
    form = form_for(qtbot, dept, "admin", case_with_nurse)
    qtbot.keyClicks(form.procedure, " (left)")
    assert form.checklist is not None
    with qtbot.waitSignal(form.caseChanged):
        form.checklist.tick(READINESS_REQUIRED[-1], ItemStatus.DONE)
    assert "Pre-op ready" in form.header.text()
    assert form.procedure.text() == "Knee arthroscopy (left)"  # the typing survives
    assert form.save() is True  # not stale: the form took the new version
    case = dept.services.cases.get_case(dept["admin"], case_with_nurse).case
    assert (case.status, case.procedure_name) == (CaseStatus.PREOP_READY,
                                                   "Knee arthroscopy (left)")


@pytest.mark.parametrize(("section", "done", "others", "text"), [
    ("Readiness", 2, {}, "2 required items to go — then the case is pre-op ready"),
    ("Readiness", 4, {}, "Readiness complete — the case is pre-op ready"),
    ("Sign In", 7, {"Time Out": (6, 6)}, "Sign In complete"),
    ("Time Out", 6, {"Sign In": (7, 7)}, "Time Out complete — Sign In too: the case can start"),
    ("Sign In", 7, {"Time Out": (1, 6)}, "Sign In complete — with Time Out, the case can start"),
    ("Time Out", 5, {"Sign In": (7, 7)}, "1 required item to go — Sign In and Time Out let "
                                         "the case start"),
    ("Sign Out", 5, {}, "Sign Out complete — the case can be completed"),
    ("Handoff", 0, {}, "1 required item to go — needed to sign off the checklist"),
])
def test_gate_text_says_what_each_section_gates(
        section: str, done: int, others: dict[str, tuple[int, int]], text: str) -> None:
    totals = {"Readiness": 4, "Sign In": 7, "Time Out": 6, "Sign Out": 5, "Handoff": 1}
    progress = SectionProgress(section, done, totals[section], totals[section])
    everything = {section: progress, **{
        name: SectionProgress(name, d, r, r) for name, (d, r) in others.items()}}
    assert gate_text(progress, everything) == text


def test_assign_button_gives_an_item_to_a_team_member_who_then_sees_it_waiting(
    qtbot: QtBot, dept: Dept, case_with_nurse: str
) -> None:
    from surgdesk.ui.case import MyCasesWidget

    widget = widget_for(qtbot, dept, "sched", case_with_nurse)  # schedulers assign work
    widget.ask_choice = lambda _q, labels, _current: next(
        label for label in labels if "(nurse1)" in label)
    widget.show()
    page = widget.pages[Phase.PRE_OP]
    page.select("RD-FASTING")
    assert page.assign_button.isVisible()
    assert page.assign_button.isEnabled()
    with qtbot.waitSignal(widget.caseChanged):
        page.assign_button.click()
    assert item(widget, "RD-FASTING").assigned_to == "nurse1"
    mine = MyCasesWidget(dept.services, dept["nurse1"])
    qtbot.addWidget(mine)
    assert mine.runner.settle()
    waiting = mine.model.cases()[0].waiting
    assert any("1 checklist item" in w for w in waiting)


def test_viewer_gets_no_assign_button(qtbot: QtBot, dept: Dept, case_with_nurse: str) -> None:
    widget = widget_for(qtbot, dept, "viewer", case_with_nurse)
    widget.show()
    page = widget.pages[Phase.PRE_OP]
    assert page.tree.isVisible()  # the page itself shows: only the button is withheld
    assert not page.assign_button.isVisible()


def test_a_tick_under_way_says_saving(qtbot: QtBot, dept: Dept, case_with_nurse: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    release = threading.Event()
    tick = dept.services.checklists.tick

    def slow_tick(*args: object, **kwargs: object) -> object:
        release.wait(5)
        return tick(*args, **kwargs)  # type: ignore[arg-type]

    widget = ChecklistWidget(dept.services, dept["nurse1"], case_with_nurse)
    qtbot.addWidget(widget)
    assert widget.runner.settle()
    widget.show()
    monkeypatch.setattr(dept.services.checklists, "tick", slow_tick)
    assert widget.tick("RD-CONSENT", ItemStatus.DONE) is True  # started, not finished
    qtbot.wait(50)
    assert widget.busy_label.isVisible()
    assert widget.last_ok is None
    release.set()
    assert widget.runner.settle()
    assert not widget.busy_label.isVisible()
    assert widget.last_ok is True
    assert item(widget, "RD-CONSENT").status is ItemStatus.DONE
