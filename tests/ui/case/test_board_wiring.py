"""The case form plugged into the main window's hook: a tick shows on the board at once."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import CaseStatus, ItemStatus, Section
from surgdesk.ui.case import case_form_factory
from tests.ui.conftest import open_window


def test_ticking_the_last_readiness_item_turns_the_bar_preop_ready(
        qtbot: QtBot, demo_url: str) -> None:
    window = open_window(qtbot, demo_url, username="admin")
    services = window.services
    scheduled = [c for c in window.controller.model.cases()
                 if c.status is CaseStatus.SCHEDULED]
    assert scheduled, "the demo has scheduled cases on the board day"
    number = scheduled[0].case_number
    window.case_form_factory = case_form_factory(
        services, lambda: window.actor, on_change=lambda _n: window.refresh())
    form = window.case_form_factory(window, number)
    qtbot.addWidget(form)
    assert form.runner.settle()  # opened off the GUI thread
    assert form.checklist is not None
    left = [i.item_code for c in form.checklist.detail.checklists  # type: ignore[union-attr]
            for i in c.items if i.section == Section.READINESS.value and i.is_required
            and i.status is not ItemStatus.DONE]
    assert left
    for code in left:
        assert window.controller.case(number).status is CaseStatus.SCHEDULED  # type: ignore[union-attr]
        with qtbot.waitSignal(form.caseChanged):
            assert form.checklist.tick(code, ItemStatus.DONE)
    # The board refreshes off the GUI thread too: wait for its answer.
    qtbot.waitUntil(lambda: getattr(window.controller.case(number), "status", None)
                    is CaseStatus.PREOP_READY, timeout=10_000)
    on_board = window.controller.case(number)
    assert on_board is not None
    assert on_board.status is CaseStatus.PREOP_READY
    window.close()
