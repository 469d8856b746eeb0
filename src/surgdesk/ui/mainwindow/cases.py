"""Cases from the main window: opening one (the case form), a new case, the Case > Change
status menu and the board's context menu.

What a person may do with a case is decided by the services (``CaseSummary.rights``: the
role, the care team and the status machine); these menus only offer it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtWidgets import QDialog, QInputDialog, QMenu

from surgdesk.domain.enums import CaseStatus
from surgdesk.services.dto import CaseSummary
from surgdesk.ui.board.model import on_board

if TYPE_CHECKING:
    from surgdesk.ui.main_window import MainWindow

STATUS_VERBS: dict[CaseStatus, str] = {
    CaseStatus.REQUESTED: "Send back to the queue",
    CaseStatus.SCHEDULED: "Schedule again",
    CaseStatus.IN_PROGRESS: "Start (in progress)",
    CaseStatus.COMPLETED: "Complete",
    CaseStatus.POSTPONED: "Postpone…",
    CaseStatus.CANCELLED: "Cancel case…",
}


class CaseCommands(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        window.board.case_activated.connect(self.open_case)
        window.board.context_menu_requested.connect(self.context_menu)

    # -- forms ------------------------------------------------------------------------------

    def open_case(self, case_number: str) -> None:
        """Enter or double-click on a case: its form."""
        w = self.window
        if w.offline:
            w.show_message(f"Cannot open {case_number} — {w.session.offline_reason()}; the "
                           "board shows the last known data (read-only)")
            return
        if w.case_form_factory is not None:
            self.show_form(w.case_form_factory(w, case_number))

    def new_case(self) -> None:
        w = self.window
        if w.offline:
            w.show_message(f"Cannot create a case — {w.session.offline_reason()}")
            return
        if w.case_form_factory is not None:
            self.show_form(w.case_form_factory(w, None))

    def show_form(self, form: QDialog) -> None:
        """Open a case screen without blocking; the board follows what it changes."""
        changed = getattr(form, "caseChanged", None)
        if changed is not None:
            changed.connect(self.case_changed)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        form.open()
        self.window.case_form = form

    def case_changed(self, _case_number: str) -> None:
        self.window.refresh()

    def open_selected(self) -> None:
        number = self.window.board.selected_case()
        if number:
            self.open_case(number)

    # -- status changes ---------------------------------------------------------------------

    def fill_status_menu(self) -> None:
        w = self.window
        menu = w.menus.status_menu
        menu.clear()
        number = w.board.selected_case()
        case = w.controller.case(number) if number else None
        if case is None:
            menu.addAction("Select a case first").setEnabled(False)
            return
        self.add_status_actions(menu, case)

    def add_status_actions(self, menu: QMenu, case: CaseSummary) -> None:
        w = self.window
        if w.offline:
            menu.addAction(f"No status change: {w.session.offline_reason()}").setEnabled(False)
            return
        # The services decided what this actor may do with this case now (the role, the
        # care team, the status machine); the menu only offers it.
        targets = case.rights.status_targets
        if not targets:
            menu.addAction("No status change allowed for your role").setEnabled(False)
        for target in targets:
            action = menu.addAction(STATUS_VERBS.get(target, target.value))
            action.setObjectName(f"status_{target.value}")
            action.triggered.connect(
                lambda _c=False, n=case.case_number, t=target: self.change_status(n, t))

    def build_context_menu(self, case_number: str) -> QMenu:
        w = self.window
        menu = QMenu(w)
        menu.setObjectName("caseContextMenu")
        # Each right-click builds a menu: it goes once hidden, chosen or dismissed (a
        # chosen action runs first: the deletion is deferred to the event loop).
        menu.aboutToHide.connect(menu.deleteLater)
        case = w.controller.case(case_number)
        open_action = menu.addAction(f"Open {case_number}")
        open_action.triggered.connect(lambda _c=False: self.open_case(case_number))
        open_action.setEnabled(not w.offline)
        if case is not None:
            menu.addSeparator()
            self.add_status_actions(menu, case)
        return menu

    def context_menu(self, case_number: str, global_pos: QPoint) -> None:
        self.build_context_menu(case_number).popup(global_pos)

    def change_status(self, case_number: str, target: CaseStatus) -> bool:
        w = self.window
        if w.offline:
            w.show_message(f"{case_number} not changed — {w.session.offline_reason()}")
            return False
        case = w.controller.case(case_number)
        if case is None:
            w.show_message(f"{case_number} not changed — it is not on the board; refresh")
            return False
        if target is CaseStatus.REQUESTED and on_board(case):
            return w.controller.return_to_queue(case_number)  # undoable, like a drag
        reason = None
        if target in case.rights.needs_reason:
            reason = w.ask_reason(f"Why is {case_number} {target.value}?")
            if not reason:
                w.show_message("Not changed — a reason is required")
                return False
        return w.controller.set_status(case_number, target, reason)

    def ask_reason(self, question: str) -> str | None:
        text, ok = QInputDialog.getText(self.window, "Reason", question)
        return text.strip() if ok else None
