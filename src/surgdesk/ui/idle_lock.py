"""The idle lock: after the department's idle minutes the window hides the board behind a
password prompt; "Switch user" is one click away. Wall displays (device sessions) never lock.

On a shared PC nothing of the previous user's patients may show while the screen is locked:
the overlay covers the whole window, keeps the keyboard inside itself (Tab does not walk
on to the board behind it), and takes the window's other windows out of sight — a case
form or a floating dock is hidden and comes back with its input on unlock; a question
asked with ``exec()`` (which would block the password field) is cancelled; a tooltip goes.

During a database outage the prompt says whether the password can still be checked (on
this PC, against what this program kept from the user's last sign-in or unlock) or not
until the database is back; "Switch user" is then unavailable (signing in needs it).
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolTip,
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
        self.error.setWordWrap(True)
        # The database's state, when it matters for unlocking (an outage); else hidden.
        self.note = QLabel()
        self.note.setObjectName("idleLockNote")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #ffd479;")
        self.note.hide()
        unlock = QPushButton("Unlock")
        unlock.setObjectName("idleLockUnlock")
        unlock.clicked.connect(self._unlock)
        switch = QPushButton("Switch user…")
        switch.setObjectName("idleLockSwitch")
        switch.clicked.connect(self.switch_requested)
        self.switch = switch
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(unlock)
        buttons.addWidget(switch)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addWidget(self.password, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addStretch(2)
        self.covered: list[QWidget] = []  # the window's other windows, hidden while locked
        self.hide()

    def lock(self, who: str) -> None:
        self.title.setText(f"Locked — {who}, enter your password to go on")
        self.error.clear()
        self.password.clear()
        self.show_note("")
        self.allow_switch(True)
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
            self._cover_windows(parent)
        QToolTip.hideText()  # a bar's tooltip names the patient
        self.show()
        self.raise_()
        self.password.setFocus()

    def show_note(self, text: str) -> None:
        """A line under the title about the database (empty: none)."""
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def allow_switch(self, allowed: bool, why: str = "") -> None:
        """Offer "Switch user" or not (``why`` is its tooltip when not)."""
        self.switch.setEnabled(allowed)
        self.switch.setToolTip("" if allowed else why)

    def unlock(self, *, restore: bool = True) -> None:
        """Hide the overlay; the covered windows come back (``restore``) or, when another
        user takes over, are closed: the next user must not see the previous one's forms."""
        if not restore:
            self.discard_covered()
        self.hide()

    def discard_covered(self) -> None:
        """Close the windows hidden by the lock instead of showing them again."""
        covered, self.covered = self.covered, []
        for window in covered:
            if shiboken6.isValid(window):
                window.close()

    def setVisible(self, visible: bool) -> None:
        super().setVisible(visible)
        if not visible and self.covered:
            # The window unlocks by hiding the overlay: what the lock hid comes back.
            covered, self.covered = self.covered, []
            for window in covered:
                if shiboken6.isValid(window) and not window.isVisible():
                    window.show()
                    window.raise_()

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab and Shift+Tab go round the lock's own fields, never to the board behind."""
        chain = [w for w in (self.password, *self.findChildren(QPushButton))
                 if w.isVisible() and w.isEnabled()]
        if not chain:
            return True
        current = QApplication.focusWidget()
        index = chain.index(current) if current in chain else -1
        chain[(index + (1 if next else -1)) % len(chain)].setFocus(
            Qt.FocusReason.TabFocusReason if next else Qt.FocusReason.BacktabFocusReason)
        return True

    def _cover_windows(self, owner: QWidget) -> None:
        """Take the owner's other visible windows (dialogs, forms, floating docks, menus)
        out of sight. A dialog run with ``exec()`` (application-modal) is cancelled: it
        would keep the password field from getting any input. The rest is hidden and
        shown again on unlock, unsaved input and all."""
        for widget in owner.findChildren(QWidget):
            if not widget.isWindow() or not widget.isVisible() or widget in self.covered:
                continue
            if widget.windowType() == Qt.WindowType.Popup:  # a menu: gone, not kept
                widget.close()
                continue
            blocking = widget.windowModality() is Qt.WindowModality.ApplicationModal
            if isinstance(widget, QDialog) and blocking:
                widget.reject()
                continue
            widget.hide()
            self.covered.append(widget)

    def _unlock(self) -> None:
        self.unlock_requested.emit(self.password.text())
        self.password.clear()
