"""The main window's toolbar (issue 13 item 3): the View menu's own ``QAction``s —
previous / today / next, day / week, the lanes (``laneSwitch``: the View menu's Lanes
submenu), zoom — a date picker, and *find a case*.

Finding runs on the window's runner (``CaseSearchService.find``: what matches, and whether
a patient may be matched, is the service's decision); the matches show in a completer
list, Enter takes the first, and the chosen case is selected and scrolled to on the board
— after going to its day when it is not on screen. A miss is said in the status bar.

The toolbar has an object name, so the window's ``saveState`` (docks.py) keeps where it is.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QStringListModel, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QCompleter, QDateEdit, QLineEdit, QStyle, QToolBar, QToolButton

from surgdesk.errors import SurgDeskError
from surgdesk.services.dto import CaseSummary
from surgdesk.ui.board.controller import BoardWindow
from surgdesk.ui.board.lanes import LaneMode
from surgdesk.ui.runner import Job

if TYPE_CHECKING:
    from surgdesk.ui.main_window import MainWindow

# Typing pauses this long before a search is asked for (one search per pause, not per key).
FIND_DELAY_MS = 250
FIND_LIMIT = 20


def match_label(case: CaseSummary, start: datetime | None) -> str:
    """One line of the completer list: number, procedure, surgeon, day and time
    (``start`` in the department's zone)."""
    when = f"{start:%a %d %b %H:%M}" if start is not None else "unplaced"
    return f"{case.case_number} · {case.procedure_name} · {case.lead_surgeon_name} · {when}"


class WindowToolBar(QToolBar):
    def __init__(self, window: MainWindow) -> None:
        super().__init__("Toolbar", window)
        self.window_ = window
        self.setObjectName("mainToolBar")  # saveState keeps it by this name
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.matches: list[CaseSummary] = []
        self._labels: dict[str, CaseSummary] = {}
        self._asked = ""  # the text of the last search handed to the runner
        self._job: Job[list[CaseSummary]] | None = None
        self._take_first = False  # Enter pressed before the answer came
        self._pending_case: str | None = None  # shown once its day has loaded
        self._navigation()
        self.addSeparator()
        self._find_field()
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self)
        window.session.loaded.connect(self._loaded)
        window.session.offline_changed.connect(self._offline_changed)

    # -- building -------------------------------------------------------------------------

    def _navigation(self) -> None:
        menus, style = self.window_.menus, self.style()
        menus.previous.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        menus.next.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward))
        self.addAction(menus.previous)
        self.addAction(menus.today)
        self.addAction(menus.next)
        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("toolbarDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd dd MMM yyyy")
        self.date_edit.setKeyboardTracking(False)  # typed dates count once complete
        self.date_edit.setToolTip("Go to a date")
        self._show_day(self.window_.day)
        self.date_edit.dateChanged.connect(self._date_picked)
        self.addWidget(self.date_edit)
        self.addSeparator()
        self.addAction(menus.day)
        self.addAction(menus.week)
        self.lane_switch = QToolButton(self)
        self.lane_switch.setObjectName("laneSwitch")
        self.lane_switch.setMenu(menus.lanes_menu)
        self.lane_switch.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.lane_switch.setToolTip("Board rows by rooms, surgeons, anesthetists or "
                                    "equipment units")
        self.addWidget(self.lane_switch)
        self.show_lanes(LaneMode.ROOMS)
        self.addSeparator()
        self.addAction(menus.zoom_in)
        self.addAction(menus.zoom_out)

    def show_lanes(self, mode: LaneMode) -> None:
        """The lane switch names the lanes shown ("Lanes: Surgeons")."""
        self.lane_switch.setText(f"Lanes: {mode.title}")

    def _find_field(self) -> None:
        self.find_edit = QLineEdit(self)
        self.find_edit.setObjectName("findCaseEdit")
        self.find_edit.setPlaceholderText("Find a case: number, procedure, surgeon…")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.setMinimumWidth(260)
        self.find_edit.setToolTip("Find a case by its number, procedure or surgeon (and by "
                                  "patient where you may see patients); Enter takes the "
                                  "first match")
        self.completions = QStringListModel(self)
        self.completer = QCompleter(self.completions, self)
        # The service has matched already: show its answers as they are, unfiltered.
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(12)
        self.completer.activated.connect(self._chosen)
        self.find_edit.setCompleter(self.completer)
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(FIND_DELAY_MS)
        self._delay.timeout.connect(self.search)
        self.find_edit.textEdited.connect(lambda _text: self._delay.start())
        self.find_edit.returnPressed.connect(self.take_first)
        self.addWidget(self.find_edit)
        # Ctrl+F from anywhere in the window: into the field, its text selected.
        self.find_action = QAction("Find a case", self.window_)
        self.find_action.setObjectName("findCase")
        self.find_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        self.find_action.triggered.connect(self.focus_find)
        self.window_.addAction(self.find_action)

    def forget(self) -> None:
        """Another person signed in (or the same after a sign-out): the last search and
        its matches were someone else's."""
        self._delay.stop()
        if self._job is not None:
            self._job.cancel()
        self._job, self._take_first, self._pending_case, self._asked = None, False, None, ""
        self.find_edit.clear()
        self._show_matches([])

    def focus_find(self) -> None:
        self.find_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_edit.selectAll()

    # -- the date picker -----------------------------------------------------------------

    def _show_day(self, day: date) -> None:
        self.date_edit.blockSignals(True)
        self.date_edit.setDate(QDate(day.year, day.month, day.day))
        self.date_edit.blockSignals(False)

    def _date_picked(self, picked: QDate) -> None:
        day = date(picked.year(), picked.month(), picked.day())
        if self.window_.locked:
            self._show_day(self.window_.day)
            return
        if day != self.window_.day:
            self.window_.open_day(day)

    def _loaded(self, _loaded: BoardWindow) -> None:
        self._show_day(self.window_.day)
        if self._pending_case is not None:
            number, self._pending_case = self._pending_case, None
            self._reveal(number)

    def _offline_changed(self, offline: bool) -> None:
        """Both read the database: off while it is unreachable, like the menus' actions."""
        self.date_edit.setEnabled(not offline)
        self.find_edit.setEnabled(not offline)

    # -- finding a case ------------------------------------------------------------------

    def search(self) -> None:
        """Ask the service for the field's text (off the GUI thread); a newer search
        drops the answer of an older one."""
        self._delay.stop()
        text = self.find_edit.text().strip()
        if self._job is not None:
            self._job.cancel()
        self._asked = text
        # Behind the idle lock nothing is found: the field is under the lock's cover, but
        # keyboard focus could still reach it, and the list would show above the cover.
        if not text or self.window_.locked:
            self._show_matches([])
            return
        w = self.window_
        service, actor = w.services.case_search, w.actor
        self._job = w.runner.run(lambda: service.find(actor, text, FIND_LIMIT),
                                 done=self._answered, failed=self._failed,
                                 what="find a case")

    def _answered(self, found: list[CaseSummary]) -> None:
        self._job = None
        if self.window_.locked:
            self._take_first = False
            self._show_matches([])
            return
        self._show_matches(found)
        if self._take_first:
            self._take_first = False
            self._go_to_first()
        elif found and self.find_edit.hasFocus():
            self.completer.complete()

    def _failed(self, error: SurgDeskError) -> None:
        self._job, self._take_first = None, False
        self.window_.show_message(f"Could not find a case — {error}")

    def _show_matches(self, found: list[CaseSummary]) -> None:
        tz = self.window_.tz
        self.matches = found
        self._labels = {}
        for case in found:
            start = case.scheduled_start.astimezone(tz) if case.scheduled_start else None
            self._labels[match_label(case, start)] = case
        self.completions.setStringList(list(self._labels))

    def take_first(self) -> None:
        """Enter: the first match of what is typed (searching first if it has not been)."""
        popup = self.completer.popup()
        if popup is not None and popup.isVisible():
            popup.hide()
        if self.find_edit.text().strip() != self._asked or self._job is not None:
            self._take_first = True
            if self._job is None:
                self.search()
            return
        self._go_to_first()

    def _go_to_first(self) -> None:
        if not self.matches:
            self.window_.show_message(f"No case matches “{self._asked}”")
            return
        self.go_to_case(self.matches[0])

    def _chosen(self, label: str) -> None:
        """A match picked from the list: the field keeps its case number (Enter again
        goes back to it), not the list's long line."""
        case = self._labels.get(label)
        if case is None:
            return
        self._delay.stop()
        QTimer.singleShot(0, lambda: self.find_edit.setText(case.case_number))
        self._asked, self.matches = case.case_number, [case]
        self.go_to_case(case)

    def go_to_case(self, case: CaseSummary) -> None:
        """Select the case on the board and scroll to it, loading its day first when
        the board does not show it."""
        w = self.window_
        if case.scheduled_start is None:
            w.show_message(f"{case.case_number} is not placed on the board yet")
            return
        day = case.scheduled_start.astimezone(w.tz).date()
        shown = w.controller.window
        if shown is not None and 0 <= (day - shown.first_day).days < shown.days:
            self._reveal(case.case_number)
            return
        self._pending_case = case.case_number
        w.open_day(day)

    def _reveal(self, case_number: str) -> None:
        board = self.window_.board
        # The board selects it and scrolls it clear of the room column and time header,
        # widening from the day-view hours when the case lies outside them.
        if not board.scroll_to_case(case_number):
            self.window_.show_message(f"{case_number} is not on the board")
            return
        board.setFocus()
        self.window_.show_message(f"{case_number} selected")
