"""PySide6 6.12.0 on Python 3.11 drops a reference to None on every Qt call that returns
nothing, and the process aborts (`Fatal Python error: none_dealloc`) after a few thousand
calls. The pin in pyproject.toml keeps it out; this test catches a release that brings it
back before it reaches an OR."""

from __future__ import annotations

import sys

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject, QPointF, QRectF
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

CALLS = 20_000


def test_void_qt_calls_do_not_leak_references_to_none(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    obj = QObject()
    rect = QRectF(0, 0, 10, 10)
    before = sys.getrefcount(None)
    for i in range(CALLS):
        # Each of these is a C++ method returning void.
        obj.setObjectName("x")
        widget.setMinimumWidth(i % 7)
        rect.moveTo(QPointF(i % 5, 1))
    after = sys.getrefcount(None)
    # None is immortal-ish but counted on 3.11; a leak shows as a fall of ~CALLS * 3.
    assert after >= before - 100, (
        f"PySide6 {pyside_version} lost {before - after} references to None in "
        f"{CALLS * 3} void calls: the none_dealloc abort is back; keep PySide6 pinned"
    )

