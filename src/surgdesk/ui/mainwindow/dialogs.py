"""The main window's dialogs: the admin screens (ui/manage), Go to date, About and the
board legend."""

from __future__ import annotations

import html
import platform
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import PySide6
from PySide6.QtCore import QDate, QObject, qVersion
from PySide6.QtWidgets import (
    QCalendarWidget,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from surgdesk import __version__
from surgdesk.domain.limits import EARLIEST_DATE, LATEST_DATE
from surgdesk.errors import SurgDeskError
from surgdesk.startup import describe
from surgdesk.ui.board.legend import BoardLegend

if TYPE_CHECKING:
    from surgdesk.ui.main_window import MainWindow


def py_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def q_date(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


class GoToDateDialog(QDialog):
    """Go to date: Qt's calendar (month grid, keyboard, today marked by the platform),
    opened on the day shown. Double-click or Enter picks; the range is the dates a person
    may type anywhere in SurgDesk."""

    def __init__(self, day: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("goToDate")
        self.setWindowTitle("Go to date")
        self.calendar = QCalendarWidget(self)
        self.calendar.setObjectName("goToDateCalendar")
        self.calendar.setGridVisible(True)
        self.calendar.setMinimumDate(q_date(EARLIEST_DATE))
        self.calendar.setMaximumDate(q_date(LATEST_DATE))
        self.calendar.setSelectedDate(q_date(day))
        self.calendar.activated.connect(lambda _day: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.calendar)
        layout.addWidget(buttons)

    @property
    def chosen(self) -> date:
        return py_date(self.calendar.selectedDate())


class WindowDialogs(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def date_dialog(self) -> GoToDateDialog:
        return GoToDateDialog(self.window.day, self.window)

    def go_to_date(self) -> date | None:
        """View > Go to date…: the day picked in the calendar (None when cancelled)."""
        dialog = self.date_dialog()
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        day = dialog.chosen
        self.window.open_day(day)
        return day

    # -- admin screens (ui/manage) ----------------------------------------------------------

    def _run_admin(self, factory: Callable[[], QDialog]) -> None:
        w = self.window
        if w.offline:
            w.show_message(f"Not available — {w.session.offline_reason()}")
            return
        try:
            dialog = factory()
        except SurgDeskError as exc:
            w.show_message(f"Not allowed — {exc}")
            return
        dialog.exec()
        w.refresh()  # rooms, closures and settings all show on the board

    def open_rooms(self) -> None:
        from surgdesk.ui.manage import RoomsDialog

        w = self.window
        self._run_admin(lambda: RoomsDialog(w.services, w.actor, w, runner=w.runner))

    def open_users(self) -> None:
        from surgdesk.ui.manage import UsersDialog

        w = self.window
        self._run_admin(lambda: UsersDialog(w.services, w.actor, w, runner=w.runner))

    def open_templates(self) -> None:
        from surgdesk.ui.manage import TemplatesDialog

        w = self.window
        self._run_admin(lambda: TemplatesDialog(w.services, w.actor, w, runner=w.runner))

    def open_settings(self) -> None:
        from surgdesk.ui.manage import DepartmentSettingsDialog

        w = self.window
        self._run_admin(
            lambda: DepartmentSettingsDialog(w.services, w.actor, w, runner=w.runner))

    def open_blocks(self) -> None:
        from surgdesk.ui.manage.blocks import BlocksDialog

        w = self.window
        self._run_admin(lambda: BlocksDialog(w.services, w.actor, w, runner=w.runner))

    def open_equipment(self) -> None:
        from surgdesk.ui.manage.equipment import EquipmentDialog

        w = self.window
        self._run_admin(lambda: EquipmentDialog(w.services, w.actor, w, runner=w.runner))

    def open_cards(self) -> None:
        from surgdesk.ui.manage.cards import CardsDialog

        w = self.window
        self._run_admin(lambda: CardsDialog(w.services, w.actor, w, runner=w.runner))

    # -- help -------------------------------------------------------------------------------

    def show_about(self) -> None:
        QMessageBox.about(
            self.window, "About SurgDesk",
            f"<h3>SurgDesk {__version__}</h3>"
            "<p>Operating-room scheduling: the OR board, WHO Surgical Safety Checklists "
            "and the wall display.</p>"
            f"<p>Database: {html.escape(describe(self.window.database_url))}<br>"
            f"Qt {qVersion()} · PySide6 {PySide6.__version__} · "
            f"Python {platform.python_version()}</p>")

    def show_legend(self) -> None:
        # The legend's swatches are painted by the board's palette (glyphs included).
        BoardLegend(self.window).exec()
