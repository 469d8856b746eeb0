"""The dock of unscheduled (requested and postponed) cases: drag one onto the board.

Both the dock and its list carry the object name ``unscheduledQueue``: scripts find the
dock with ``findChild(QDockWidget, ...)`` and the list (and its ``model()``) with
``findChild(QListView, ...)``. Dropping a bar from the board onto either unschedules it
(the board view detects that; see ``BoardView.queue_target``).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from surgdesk.domain.enums import Priority
from surgdesk.services.dto import CaseSummary
from surgdesk.ui.board import palette
from surgdesk.ui.board.model import BoardRole, QueueModel, laterality_suffix, patient_label
from surgdesk.ui.fonts import ui_font_family

QUEUE_OBJECT_NAME = "unscheduledQueue"


class QueueDelegate(QStyledItemDelegate):
    """A card per waiting case: glyph, priority band, procedure, surgeon, duration."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QFont(ui_font_family())
        self.title.setPixelSize(13)
        self.title.setBold(True)
        self.body = QFont(ui_font_family())
        self.body.setPixelSize(12)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # type: ignore[override]
        return QSize(240, 58)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,  # type: ignore[override]
              index: QModelIndex) -> None:
        case = index.data(BoardRole.CASE)
        if not isinstance(case, CaseSummary):
            return
        painter.save()
        rect: QRect = option.rect.adjusted(4, 3, -4, -3)
        style = palette.style_for(case.status)
        painter.fillRect(rect, style.fill)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setPen(QPen(palette.SELECTION if selected else style.border,
                            2.5 if selected else 1.2, Qt.PenStyle.DashLine))
        painter.drawRect(rect)
        band = palette.priority_colour(case.priority)
        if band is not None:
            painter.fillRect(QRect(rect.left(), rect.top(), 5, rect.height()), band)
        glyph = QRect(rect.left() + 9, rect.top() + 5, 14, 14)
        palette.draw_status_glyph(painter, case.status, glyph.toRectF(), style.border.darker(130))
        painter.setPen(style.text)
        painter.setFont(self.title)
        head = f"{case.procedure_name}{laterality_suffix(case)}"
        if case.priority is Priority.EMERGENCY:
            head = "EMERG · " + head
        elif case.priority is Priority.URGENT:
            head = "URG · " + head
        text_rect = QRect(rect.left() + 28, rect.top() + 3, rect.width() - 32, 18)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter,
                         painter.fontMetrics().elidedText(head, Qt.TextElideMode.ElideRight,
                                                          text_rect.width()))
        painter.setFont(self.body)
        minutes = case.estimated_duration_min
        lines = [
            f"{case.case_number} · {minutes // 60}h{minutes % 60:02d} · {case.lead_surgeon_name}",
            f"{style.label} · {patient_label(case)}",
        ]
        for i, line in enumerate(lines):
            line_rect = QRect(rect.left() + 10, rect.top() + 21 + i * 15, rect.width() - 14, 15)
            painter.setPen(QColor("#333333"))
            painter.drawText(line_rect, Qt.AlignmentFlag.AlignVCenter,
                             painter.fontMetrics().elidedText(line, Qt.TextElideMode.ElideRight,
                                                              line_rect.width()))
        painter.restore()


class QueueView(QListView):
    case_activated = Signal(str)

    def __init__(self, model: QueueModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(QUEUE_OBJECT_NAME)
        self.setModel(model)
        self.setItemDelegate(QueueDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setUniformItemSizes(True)
        self.setMinimumWidth(250)
        self.activated.connect(self._on_activated)
        self.doubleClicked.connect(self._on_activated)

    def _on_activated(self, index: QModelIndex) -> None:
        number = index.data(BoardRole.CASE_NUMBER)
        if isinstance(number, str):
            self.case_activated.emit(number)


class QueueDock(QDockWidget):
    def __init__(self, model: QueueModel, parent: QWidget | None = None) -> None:
        super().__init__("Unscheduled cases", parent)
        self.setObjectName(QUEUE_OBJECT_NAME)
        self.list = QueueView(model, self)
        self.setWidget(self.list)
        self.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        model.rowsInserted.connect(self._retitle)
        model.rowsRemoved.connect(self._retitle)
        model.modelReset.connect(self._retitle)

    def model(self) -> QueueModel:
        model = self.list.model()
        assert isinstance(model, QueueModel)
        return model

    def _retitle(self) -> None:
        self.setWindowTitle(f"Unscheduled cases ({self.model().rowCount()})")
