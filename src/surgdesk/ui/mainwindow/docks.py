"""The main window's docks: the unscheduled queue, the side screens (My cases, Case list)
and the layout, kept per person.

The window's size and place and where each dock sits are saved in ``QSettings`` for the
person signed in (``saveGeometry`` / ``saveState``), when the window closes and when the
person leaves (switch user, sign out), and restored on the next start and when that
person signs in again on this PC: a shared PC shows each their own arrangement.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QObject, QSettings, Qt
from PySide6.QtWidgets import QDockWidget, QWidget

from surgdesk.ui.queue import QueueDock

if TYPE_CHECKING:
    from surgdesk.ui.main_window import MainWindow

# Bump when the docks change so much that an old saved arrangement no longer fits:
# ``restoreState`` ignores a state saved under another version.
LAYOUT_VERSION = 1


def layout_key(username: str, what: str) -> str:
    """The settings key of one person's window ``geometry`` or dock ``state``."""
    safe = username.replace("/", "_").replace("\\", "_") or "_"
    return f"mainWindow/{safe}/{what}"


class WindowDocks(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.queue = QueueDock(window.controller.queue, window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.queue)
        window.board.queue_target = self.queue
        self.side: dict[str, QDockWidget] = {}

    def wire(self) -> None:
        """Once the window's case commands exist: a case in the queue opens its form."""
        self.queue.list.case_activated.connect(self.window.cases.open_case)

    # -- side docks -------------------------------------------------------------------------

    def side_dock(self, key: str, title: str, build: Callable[[], QWidget]) -> QDockWidget:
        """The side screen ``key``, built once per person and shown (tabbed with the queue,
        unless this person had placed it elsewhere)."""
        w = self.window
        dock = self.side.get(key)
        if dock is None:
            dock = QDockWidget(title, w)
            dock.setObjectName(f"{key}Dock")
            widget = build()
            activated = getattr(widget, "caseActivated", None)
            if activated is not None:
                activated.connect(w.cases.open_case)
            changed = getattr(widget, "caseChanged", None)
            if changed is not None:
                changed.connect(w.cases.case_changed)
            unreachable = getattr(widget, "unreachable", None)
            if unreachable is not None:
                unreachable.connect(w.report_unreachable)
            dock.setWidget(widget)
            if not w.restoreDockWidget(dock):  # where this person last had it
                w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
                w.tabifyDockWidget(self.queue, dock)
            self.side[key] = dock
        dock.show()
        dock.raise_()
        return dock

    def show_my_cases(self) -> QDockWidget:
        from surgdesk.ui.case import MyCasesWidget

        w = self.window
        return self.side_dock("myCases", "My cases",
                              lambda: MyCasesWidget(w.services, w.actor, w, runner=w.runner))

    def show_case_table(self) -> QDockWidget:
        from surgdesk.ui.manage import CaseTableWidget

        w = self.window
        return self.side_dock("caseTable", "Case list",
                              lambda: CaseTableWidget(w.services, w.actor, w,
                                                      runner=w.runner))

    def drop_side_docks(self) -> None:
        """Screens built for the previous person go; they are rebuilt on demand."""
        for dock in self.side.values():
            self.window.removeDockWidget(dock)
            dock.deleteLater()
        self.side.clear()

    # -- the layout, per person -------------------------------------------------------------

    def save_layout(self) -> None:
        w = self.window
        if w.actor.is_device:
            return  # a device is no person: nothing of its own to keep
        settings = QSettings()
        settings.setValue(layout_key(w.actor.username, "geometry"), w.saveGeometry())
        settings.setValue(layout_key(w.actor.username, "state"), w.saveState(LAYOUT_VERSION))

    def restore_layout(self, *, geometry: bool = True) -> bool:
        """This person's saved arrangement, if any (``geometry``: the window's size and
        place too — at start, not when people switch at a window already on screen).
        True when a saved dock layout was applied."""
        w = self.window
        settings = QSettings()
        if geometry:
            saved = settings.value(layout_key(w.actor.username, "geometry"))
            if isinstance(saved, QByteArray) and not saved.isEmpty():
                w.restoreGeometry(saved)
        state = settings.value(layout_key(w.actor.username, "state"))
        if isinstance(state, QByteArray) and not state.isEmpty():
            return w.restoreState(state, LAYOUT_VERSION)
        return False
