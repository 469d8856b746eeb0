"""Bars highlighted briefly after someone else changed them, fading together.

One timer fades them all: a QVariantAnimation per flash kept its Python-side connections
after it ran (PySide6 6.11, ~150 bytes a flash), and the wall flashes for weeks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

if TYPE_CHECKING:
    from surgdesk.ui.board.view import BoardView

FLASH_MS = 1500
FLASH_FRAME_MS = 33  # ~30 frames a second for the fade; plenty for a highlight


class Flashes:
    """The view's flashing bars: case number -> when its flash began (``flash_clock``)."""

    def __init__(self, view: BoardView) -> None:
        self._view = view
        self._began: dict[str, float] = {}
        self.timer = QTimer(view)
        self.timer.setObjectName("boardFlashTimer")
        self.timer.setInterval(FLASH_FRAME_MS)
        self.timer.timeout.connect(self._fade)

    def __contains__(self, case_number: object) -> bool:
        return case_number in self._began

    def start(self, case_number: str) -> None:
        """Flashing a bar that is still flashing starts its fade again."""
        item = self._view.item_for(case_number)
        if item is None:
            return
        self._began[case_number] = self._view.flash_clock()
        item.set_flash(1.0)
        if not self.timer.isActive():
            self.timer.start()

    def _fade(self) -> None:
        """The timer's frame: each level falls as ``1 - p²`` (p = elapsed / FLASH_MS, an
        ease-in quad), and a flash ends once p reaches 1."""
        now = self._view.flash_clock()
        for number, began in list(self._began.items()):
            progress = (now - began) * 1000.0 / FLASH_MS
            item = self._view.item_for(number)
            if item is None or progress >= 1.0:
                self.stop(number)
            else:
                item.set_flash(1.0 - max(progress, 0.0) ** 2)

    def stop(self, case_number: str) -> None:
        if self._began.pop(case_number, None) is None:
            return
        if not self._began:
            self.timer.stop()
        item = self._view.item_for(case_number)
        if item is not None:
            item.set_flash(0.0)

    def stop_all(self) -> None:
        for number in list(self._began):
            self.stop(number)
