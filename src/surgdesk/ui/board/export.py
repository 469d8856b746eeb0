"""The board, rendered offscreen to PNG or PDF with the very painting code of the screen.

``surgdesk board --date D [--days N] --out FILE`` calls ``render_board_file``. The actor's
permissions apply as on screen: a viewer (or nobody signed in) gets a masked board, because
the services never hand that actor a patient name or id in the first place.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import QApplication

from surgdesk.errors import BadInput, FieldProblem
from surgdesk.services.context import Actor
from surgdesk.services.registry import Services
from surgdesk.ui.board.controller import BoardController
from surgdesk.ui.board.view import HEADER_HEIGHT, LABEL_WIDTH, BoardMode, BoardView

SUFFIXES = {".png", ".pdf"}


def ensure_application() -> QApplication:
    """A QApplication for rendering; offscreen when there is no display (servers, CI)."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    if not os.environ.get("QT_QPA_PLATFORM") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ) and os.name == "posix" and not _is_macos():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    return QApplication([])


def _is_macos() -> bool:
    import sys

    return sys.platform == "darwin"


def build_board(services: Services, actor: Actor, *, day: date, days: int,
                size: tuple[int, int]) -> tuple[BoardView, BoardController]:
    """A board view showing ``days`` from ``day``, sized so every room is on the page."""
    controller = BoardController(services, actor)
    view = BoardView()
    # A picture or a downtime print shows the whole day: a night case must not be a tab.
    view.opens_on_day_hours = False
    view.cache_bars = False  # bars stay vectors (and text) in a PDF
    view.setModel(controller.model)
    view.set_editable(False)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.begin_load()
    controller.load(day, days)  # no runner given: read at once, on this thread
    window = controller.window
    if window is None:
        assert controller.last_load_error is not None
        raise controller.last_load_error
    mode = BoardMode.DAY if days == 1 else BoardMode.WEEK
    width = size[0]
    minutes = (window.visible_end - window.visible_start).total_seconds() / 60
    view.configure(tz=window.tz, start=window.visible_start, end=window.visible_end, mode=mode,
                   snap_minutes=window.snap_minutes, day_start=window.day_start,
                   day_end=window.day_end,
                   px_per_minute=(width - LABEL_WIDTH - 4) / max(60.0, minutes))
    height = max(size[1], int(HEADER_HEIGHT + view.rows.height() + 4))
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    view.setFixedSize(width, height)
    view.show()
    QApplication.processEvents()
    view.horizontalScrollBar().setValue(0)
    view.verticalScrollBar().setValue(0)
    return view, controller


def render_board_file(services: Services, actor: Actor, out: Path, *, day: date,
                      days: int = 1, size: tuple[int, int] = (1920, 1080)) -> Path:
    """Write the board of ``days`` days from ``day`` to ``out`` (PNG or PDF by suffix)."""
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise BadInput(FieldProblem("out", "must end in .png or .pdf"))
    if days < 1:
        raise BadInput(FieldProblem("days", "must be at least 1"))
    ensure_application()
    view, controller = build_board(services, actor, day=day, days=days, size=size)
    try:
        width, height = view.width(), view.height()
        out.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".png":
            image = QImage(width, height, QImage.Format.Format_RGB32)
            image.fill(Qt.GlobalColor.white)
            painter = QPainter(image)
            view.render(painter)
            painter.end()
            if not image.save(str(out)):
                raise OSError(f"cannot write {out}")
        else:
            writer = QPdfWriter(str(out))
            writer.setResolution(96)
            writer.setPageLayout(QPageLayout(
                QPageSize(QSizeF(width * 0.75, height * 0.75), QPageSize.Unit.Point,
                          "SurgDesk board"),
                QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
            writer.setTitle(f"SurgDesk board {day.isoformat()} ({days} day(s))")
            writer.setCreator("SurgDesk")
            painter = QPainter(writer)
            scale = min(writer.width() / width, writer.height() / height)
            painter.scale(scale, scale)
            view.render(painter)
            painter.end()
    finally:
        view.close()
        view.deleteLater()
        controller.deleteLater()
    return out
