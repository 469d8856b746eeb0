"""The main window's status bar: messages, who is signed in, which database, and whether
the window is busy.

Busy: service calls run off the GUI thread (``ServiceRunner``), so the window stays
responsive while a load or a save is under way; a small indeterminate bar says so. It
appears only once the runner has been busy for ``BUSY_DELAY_MS`` — most calls answer
sooner, and a bar flickering on every click would say nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar

from surgdesk.services.context import Actor

STATUS_TIMEOUT_MS = 10_000
BUSY_DELAY_MS = 300


class WindowStatusBar(QObject):
    def __init__(self, window: QMainWindow, database_label: str) -> None:
        super().__init__(window)
        self.bar = window.statusBar()
        self.last_message = ""
        self.busy = QProgressBar()
        self.busy.setObjectName("statusBusy")
        self.busy.setRange(0, 0)  # indeterminate: how long a call takes is not known
        self.busy.setMaximumWidth(90)
        self.busy.setMaximumHeight(14)
        self.busy.setTextVisible(False)
        self.busy.setToolTip("Working… (the database is being read or written)")
        self.busy.setAccessibleName("Working")
        self.busy.hide()
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_DELAY_MS)
        self._busy_timer.timeout.connect(self.busy.show)
        self.user_label = QLabel()
        self.user_label.setObjectName("statusUser")
        self.db_label = QLabel(database_label)
        self.db_label.setObjectName("statusDatabase")
        self.db_label.setToolTip("The database this window works on")
        self.bar.addPermanentWidget(self.busy)
        self.bar.addPermanentWidget(self.user_label)
        self.bar.addPermanentWidget(self.db_label)

    def show_message(self, text: str) -> None:
        self.last_message = text
        self.bar.showMessage(text, STATUS_TIMEOUT_MS)

    def show_actor(self, actor: Actor) -> None:
        role = actor.role.value if actor.role else "no role"
        device = " · device" if actor.is_device else ""
        self.user_label.setText(f"{actor.display_name} ({actor.username}) · {role}{device}")

    def set_busy(self, busy: bool) -> None:
        """The runner started (True) or finished (False) its calls."""
        if busy:
            if self.busy.isHidden() and not self._busy_timer.isActive():
                self._busy_timer.start()
            return
        self._busy_timer.stop()
        self.busy.hide()
