"""The idle lock: after the department's idle minutes the window hides the board behind a
password prompt; "Switch user" is one click away. Wall displays (device sessions) never lock.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

# Input that counts as "someone is here".
_ACTIVITY = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.KeyPress,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
})


class IdleWatcher(QObject):
    """Restarts a single-shot timer on any user input in the application."""

    idle = Signal()

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle)
        self.set_minutes(minutes)
        self._installed = False

    def set_minutes(self, minutes: int) -> None:
        self.timer.setInterval(max(1, minutes) * 60_000)

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None and not self._installed:
            app.installEventFilter(self)
            self._installed = True
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None and self._installed:
            app.removeEventFilter(self)
            self._installed = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self.timer.isActive():
            self.timer.start()
        return False


class LockOverlay(QFrame):
    """Covers the whole window (board, queue, docks) until the password is given again."""

    unlock_requested = Signal(str)
    switch_requested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("idleLock")
        self.setAutoFillBackground(True)
        self.setStyleSheet("#idleLock { background: #2b2f36; } QLabel { color: white; }")
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.password = QLineEdit()
        self.password.setObjectName("idleLockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Password")
        self.password.setMaximumWidth(320)
        self.password.returnPressed.connect(self._unlock)
        self.error = QLabel()
        self.error.setObjectName("idleLockError")
        self.error.setStyleSheet("color: #ffb4a0; font-weight: bold;")
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        unlock = QPushButton("Unlock")
        unlock.setObjectName("idleLockUnlock")
        unlock.clicked.connect(self._unlock)
        switch = QPushButton("Switch user…")
        switch.setObjectName("idleLockSwitch")
        switch.clicked.connect(self.switch_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(unlock)
        buttons.addWidget(switch)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.password, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addStretch(2)
        self.hide()

    def lock(self, who: str) -> None:
        self.title.setText(f"Locked — {who}, enter your password to go on")
        self.error.clear()
        self.password.clear()
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()
        self.password.setFocus()

    def _unlock(self) -> None:
        self.unlock_requested.emit(self.password.text())
        self.password.clear()
