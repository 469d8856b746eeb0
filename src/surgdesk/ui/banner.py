"""The connection banner: the database cannot be reached, since when, and what that means.

A strip across the top of a window (the desk's main window, the wall display), hidden
until the live feed loses the database. It says since when (in the department's zone),
that the board is the last known state and read-only, when the next reconnect attempt
comes, and how many saves wait for the database; "Retry now" asks for an attempt at once.
When the connection is back it says so for a moment and hides.

Colours come from the palette (``marks.warning``: the same yellow as the board's warning
marks, with a vermilion edge); the text colour is checked against it with the WCAG formula
— 7:1 (AAA) for both variants, so the wall's ``large`` one is readable across a room.
"""

from __future__ import annotations

import math
import time
from datetime import datetime, tzinfo

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from surgdesk.resources import load_palette
from surgdesk.ui.wall_theme import LEGEND_PX, readable_on, wall_font

RESTORED_MS = 4000  # how long "connected again" stays before the banner hides
LARGE_TEXT_PX = LEGEND_PX + 4  # the wall's banner: larger than the legend, read from afar
LARGE_DETAIL_PX = LEGEND_PX


class ConnectionBanner(QFrame):
    """Object name ``connectionBanner``; text in ``connectionBannerText``, the reason in
    ``connectionBannerReason``, the button ``connectionRetry``."""

    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, large: bool = False,
                 restored_ms: int = RESTORED_MS) -> None:
        super().__init__(parent)
        self.setObjectName("connectionBanner")
        self.setAccessibleName("Database connection")
        self.large = large
        palette = load_palette()
        ink = palette["brand"]["ink"]
        self.lost_background = QColor(palette["marks"]["warning"]["fill"])
        self.lost_foreground = readable_on(self.lost_background, ink)
        self.lost_edge = QColor(palette["marks"]["emergency"]["fill"])
        self.restored_background = QColor(palette["status"]["preop_ready"]["fill"])
        self.restored_foreground = readable_on(self.restored_background, ink)
        self.restored_edge = QColor(palette["status"]["preop_ready"]["border"])
        self.background = self.lost_background
        self.foreground = self.lost_foreground

        self.since: datetime | None = None
        self.tz: tzinfo | None = None
        self.reason = ""
        self.pending = 0
        self.restored = False
        self._retry_at: float | None = None  # time.monotonic() of the next attempt
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._refresh)
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.setInterval(restored_ms)
        self._hide_timer.timeout.connect(self.hide)

        self.label = QLabel()
        self.label.setObjectName("connectionBannerText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.reason_label = QLabel()
        self.reason_label.setObjectName("connectionBannerReason")
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextFormat(Qt.TextFormat.PlainText)
        self.retry_button = QPushButton("Retry now")
        self.retry_button.setObjectName("connectionRetry")
        self.retry_button.clicked.connect(self._retry_clicked)
        if large:
            self.label.setFont(wall_font(LARGE_TEXT_PX, bold=True))
            self.reason_label.setFont(wall_font(LARGE_DETAIL_PX))
            self.retry_button.setFont(wall_font(LEGEND_PX, bold=True))
            self.retry_button.setMinimumHeight(64)  # a gloved finger
        else:
            font = self.label.font()
            font.setBold(True)
            self.label.setFont(font)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.label)
        texts.addWidget(self.reason_label)
        row = QHBoxLayout(self)
        margin = 20 if large else 10
        row.setContentsMargins(margin, margin // 2, margin, margin // 2)
        row.setSpacing(margin)
        row.addLayout(texts, 1)
        row.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self._apply_colours(restored=False)
        self.hide()

    # -- what the window tells it ------------------------------------------------------------

    def show_lost(self, since: datetime, tz: tzinfo, reason: str) -> None:
        """The database has been unreachable since ``since`` (shown in ``tz``)."""
        self._hide_timer.stop()
        self.since, self.tz, self.reason = since, tz, reason
        self.restored = False
        self._retry_at = None
        self._apply_colours(restored=False)
        self.retry_button.show()
        self.reason_label.setText(f"Reason: {reason}" if reason else "")
        self.reason_label.setVisible(bool(reason))
        self._refresh()
        self._countdown.start()
        self.show()

    def set_retry_in(self, seconds: float) -> None:
        """The next reconnect attempt comes in ``seconds``; the banner counts down."""
        self._retry_at = time.monotonic() + max(0.0, seconds)
        self._refresh()

    def set_pending(self, count: int) -> None:
        """``count`` saves wait for the database (0: none)."""
        self.pending = max(0, count)
        if not self.restored:
            self._refresh()

    def show_restored(self) -> None:
        """Connected again: says so for a moment, then hides (stays hidden if it was)."""
        self.restored = True
        self.since = None
        self._retry_at = None
        self._countdown.stop()
        self._apply_colours(restored=True)
        self.retry_button.hide()
        self.reason_label.hide()
        self.label.setText("Database connected again — the board is live.")
        if not self.isHidden():
            self._hide_timer.start()

    def text(self) -> str:
        return self.label.text()

    # -- inside --------------------------------------------------------------------------------

    def seconds_to_retry(self) -> int | None:
        if self._retry_at is None:
            return None
        return max(0, math.ceil(self._retry_at - time.monotonic() - 0.05))

    def _retry_clicked(self) -> None:
        self._retry_at = time.monotonic()
        self._refresh()
        self.retry_requested.emit()

    def _refresh(self) -> None:
        if self.restored or self.since is None or self.tz is None:
            return
        local = self.since.astimezone(self.tz)
        parts = [f"Database unreachable since {local:%H:%M:%S} — showing the board as it "
                 "was then (read-only)."]
        left = self.seconds_to_retry()
        if left is None:
            pass
        elif left > 0:
            # "8 s" / "2 min" on one line.
            wait = f"{left}\N{NO-BREAK SPACE}s" if left < 120 \
                else f"{round(left / 60)}\N{NO-BREAK SPACE}min"
            parts.append(f"Reconnecting in {wait}…")
        else:
            parts.append("Reconnecting…")
        if self.pending:
            saves = "save" if self.pending == 1 else "saves"
            parts.append(f"{self.pending} {saves} waiting.")
        self.label.setText(" ".join(parts))

    def _apply_colours(self, *, restored: bool) -> None:
        if restored:
            background, foreground = self.restored_background, self.restored_foreground
            edge = self.restored_edge
        else:
            background, foreground, edge = (self.lost_background, self.lost_foreground,
                                            self.lost_edge)
        self.background, self.foreground = background, foreground
        edge_width = 12 if self.large else 6
        self.setStyleSheet(
            f"QFrame#connectionBanner {{ background: {background.name()};"
            f" border-left: {edge_width}px solid {edge.name()};"
            f" border-bottom: 2px solid {edge.name()}; }}"
            f"QFrame#connectionBanner QLabel {{ color: {foreground.name()};"
            " background: transparent; }"
            f"QPushButton#connectionRetry {{ padding: 4px 16px; }}")
