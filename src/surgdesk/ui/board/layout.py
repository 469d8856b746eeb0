"""The board view's fixed sizes, its modes, and the state of a drag: shared by the view
(``view``), its painting (``painting``) and its mouse, keyboard and drop handling
(``interaction``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from PySide6.QtCore import QPointF, QRectF

from surgdesk.ui.board.grid import DragMode, Drop
from surgdesk.ui.board.items import CaseBarItem

LABEL_WIDTH = 210.0
HEADER_HEIGHT = 50.0
BAR_PAD = 4.0
DAY_ROW_HEIGHT = 62.0
WEEK_ROW_HEIGHT = 46.0


class BoardMode(Enum):
    DAY = "day"
    WEEK = "week"


@dataclass
class DragState:
    """A bar being dragged or stretched: where it started and where it would land."""

    item: CaseBarItem
    mode: DragMode
    press_scene: QPointF
    origin_pos: QPointF
    origin_bar: QRectF
    start: datetime
    end: datetime
    room_id: int
    started: bool = False
    drop: Drop | None = None
    over_queue: bool = False
