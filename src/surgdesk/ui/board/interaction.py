"""The board's mouse, keyboard, touch and drop handling: select, drag and stretch a bar
(only the item moves; the ghost shows the snapped place), nudge with the arrow keys, drop
a queue card, zoom with Ctrl+wheel or a pinch. Functions of the view (``BoardView`` keeps
the state and forwards its Qt event handlers here)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QContextMenuEvent,
    QCursor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QNativeGestureEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QGestureEvent,
    QGraphicsView,
    QPinchGesture,
    QToolTip,
)

from surgdesk.services.dto import CaseSummary
from surgdesk.ui.board import bands
from surgdesk.ui.board.bars import items_of
from surgdesk.ui.board.grid import DragMode, Drop
from surgdesk.ui.board.items import BAR_Z, DRAGGED_Z, CaseBarItem, item_at
from surgdesk.ui.board.lanes import LaneMode
from surgdesk.ui.board.layout import HEADER_HEIGHT, LABEL_WIDTH, DragState
from surgdesk.ui.board.model import case_number_from_mime, case_version_from_mime, drop_problem

if TYPE_CHECKING:
    from surgdesk.ui.board.view import BoardView

SAVING_OPACITY = 0.6  # a bar whose write has not answered yet
ROOM_LANES_ONLY = "switch to room lanes to place a case"
ROOM_LANES_ONLY_HINT = "Switch to room lanes to place a case"  # as a sentence of its own


def key_press(view: BoardView, event: QKeyEvent) -> None:
    key = event.key()
    number = view._selected
    if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and number:
        view.case_activated.emit(number)
        return
    if key == Qt.Key.Key_Escape and view._drag is not None:
        view._cancel_drag()
        return
    arrows = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down)
    if key in arrows and number and view._model is not None:
        case = view._model.case(number)
        if case is not None:
            if not view.editable:
                view.status_message.emit("Your role may not move cases")
                return
            if not view.may_move(case):
                view.status_message.emit(f"{number} cannot be moved — not allowed for you "
                                         f"while it is {case.status.value.replace('_', ' ')}")
                return
            _nudge(view, case, Qt.Key(key))
            return
    QGraphicsView.keyPressEvent(view, event)


def _nudge(view: BoardView, case: CaseSummary, key: Qt.Key) -> None:
    assert view._model is not None
    assert case.room_id is not None
    assert case.scheduled_start is not None
    assert case.scheduled_end is not None
    start, end, room_id = case.scheduled_start, case.scheduled_end, case.room_id
    step = view.grid.snap_step()
    if key == Qt.Key.Key_Left:
        start, end = start - step, end - step
    elif key == Qt.Key.Key_Right:
        start, end = start + step, end + step
    else:
        row = view._model.room_row(room_id)
        if row is None:  # lanes other than rooms: the room is not changed here
            view.status_message.emit("Switch to room lanes to move a case to another room")
            return
        row += -1 if key == Qt.Key.Key_Up else 1
        room = view._model.room_at(row)
        if room is None:
            return
        room_id = room.id
    drop = Drop(case.case_number, room_id, start, end)
    if view.grid.write_drop(drop):
        mark_saving(view, case.case_number, drop)
    else:
        view.sync_item(case.case_number)
    _ensure_selected_visible(view)


def _ensure_selected_visible(view: BoardView) -> None:
    item = view._items.get(view._selected or "")
    if item is not None:
        view.ensureVisible(item.scene_bar(), 40, 40)


def bar_at(view: BoardView, viewport_pos: QPointF) -> tuple[CaseBarItem | None, QPointF]:
    scene_pos = view.mapToScene(viewport_pos.toPoint())
    if viewport_pos.x() < LABEL_WIDTH or viewport_pos.y() < HEADER_HEIGHT:
        return None, scene_pos  # under the fixed header or room column
    return item_at(view._scene.items(scene_pos), scene_pos), scene_pos


def mouse_press(view: BoardView, event: QMouseEvent) -> None:
    item, scene_pos = bar_at(view, event.position())
    if event.button() == Qt.MouseButton.LeftButton:
        view.setFocus(Qt.FocusReason.MouseFocusReason)
        view._select(item.case_number if item else None)
        if item is not None:
            if view.editable and view.may_move(item.case):
                mode = view.delegate.hit_test(
                    item.local_shape.bar, item.mapFromScene(scene_pos),
                    clipped_start=item.local_shape.clipped_start,
                    clipped_end=item.local_shape.clipped_end)
                case = item.case
                if mode is not DragMode.NONE and case.room_id is not None \
                        and case.scheduled_start and case.scheduled_end:
                    view._drag = DragState(item, mode, scene_pos, item.pos(),
                                       item.local_shape.bar, case.scheduled_start,
                                       case.scheduled_end, case.room_id)
            event.accept()
            return
    QGraphicsView.mousePressEvent(view, event)


def mouse_move(view: BoardView, event: QMouseEvent) -> None:
    drag = view._drag
    if drag is None:
        _update_cursor(view, event.position())
        QGraphicsView.mouseMoveEvent(view, event)
        return
    scene_pos = view.mapToScene(event.position().toPoint())
    delta = scene_pos - drag.press_scene
    if not drag.started:
        if delta.manhattanLength() < QApplication.startDragDistance():
            return
        drag.started = True
        drag.item.setZValue(DRAGGED_Z)
        drag.item.setOpacity(0.55)  # the ghost, not the bar, shows where it will land
    _drag_to(view, drag, scene_pos, delta, event.globalPosition().toPoint())
    event.accept()


def _drag_to(view: BoardView, drag: DragState, scene_pos: QPointF, delta: QPointF,
             global_pos: QPoint) -> None:
    assert view._model is not None
    item = drag.item
    drag.over_queue = _over_queue(view, global_pos)
    if drag.mode is DragMode.MOVE:
        # Only the item follows the mouse; the ghost shows the snapped drop place. In
        # lanes other than rooms a drag changes the time only: the bar stays in its row.
        rooms = view._model.lane_mode is LaneMode.ROOMS
        item.setPos(drag.origin_pos + (delta if rooms else QPointF(delta.x(), 0)))
        duration = drag.end - drag.start
        start = view.grid.snap(drag.start + view.grid.duration_for(delta.x()))
        end = start + duration
        room = view._model.room_at(view.rows.clamp_row(scene_pos.y())) if rooms else None
        room_id = room.id if room else drag.room_id
    else:
        bar = QRectF(drag.origin_bar)
        room_id = drag.room_id
        start, end = drag.start, drag.end
        if drag.mode is DragMode.STRETCH_END:
            end = view.grid.snap(drag.end + view.grid.duration_for(delta.x()))
            end = max(end, start + view.grid.snap_step())
            bar.setRight(max(bar.left() + 4, bar.right() + delta.x()))
        else:
            start = view.grid.snap(drag.start + view.grid.duration_for(delta.x()))
            start = min(start, end - view.grid.snap_step())
            bar.setLeft(min(bar.right() - 4, bar.left() + delta.x()))
        item.set_local_bar(bar)
    if drag.over_queue:
        drag.drop = None
        view._ghost.setVisible(False)
        view.status_message.emit(f"Release to send {item.case_number} back to the queue")
        return
    drag.drop = Drop(item.case_number, room_id, start, end)
    _show_ghost(view, drag.drop, item.case.id, item.lane)


def _show_ghost(view: BoardView, drop: Drop, case_id: int | None,
                lane: str | None = None) -> None:
    assert view._model is not None
    problem = drop_problem(view._model, case_id, drop.room_id, drop.start, drop.end)
    shape = view.shape_for_drop(drop, lane)
    if shape is None:
        view._ghost.setVisible(False)
        return
    start = drop.start.astimezone(view.tz)
    end = drop.end.astimezone(view.tz)
    room = view._room_code(drop.room_id) or ""
    label = problem or f"{room} {start:%H:%M}–{end:%H:%M}"
    view._ghost.show_at(shape.bar, valid=problem is None, label=label)


def mouse_release(view: BoardView, event: QMouseEvent) -> None:
    drag = view._drag
    if drag is None or event.button() != Qt.MouseButton.LeftButton:
        QGraphicsView.mouseReleaseEvent(view, event)
        return
    view._drag = None
    view._ghost.setVisible(False)
    number = drag.item.case_number
    handed = False
    if drag.started:
        if drag.over_queue:
            handed = view.grid.write_unschedule(number)
            drag.drop = None
        elif drag.drop is not None and (drag.drop.start, drag.drop.end, drag.drop.room_id) \
                != (drag.start, drag.end, drag.room_id):
            handed = view.grid.write_drop(drag.drop)
    if handed:
        # Saving: the bar waits at its drop place; the answer re-reads it from the
        # model (moved on success, back where it was if refused).
        mark_saving(view, number, drag.drop)
    else:
        view.sync_item(number)
    event.accept()


def mouse_double_click(view: BoardView, event: QMouseEvent) -> None:
    item, _ = bar_at(view, event.position())
    if item is not None and event.button() == Qt.MouseButton.LeftButton:
        view._select(item.case_number)
        view.case_activated.emit(item.case_number)
        event.accept()
        return
    QGraphicsView.mouseDoubleClickEvent(view, event)


def context_menu(view: BoardView, event: QContextMenuEvent) -> None:
    item, _ = bar_at(view, QPointF(event.pos()))
    if item is None:
        QGraphicsView.contextMenuEvent(view, event)
        return
    view._select(item.case_number)
    view.context_menu_requested.emit(item.case_number, event.globalPos())
    event.accept()


def _update_cursor(view: BoardView, viewport_pos: QPointF) -> None:
    item, scene_pos = bar_at(view, viewport_pos)
    shape = Qt.CursorShape.ArrowCursor
    if item is not None and view.editable and view.may_move(item.case):
        mode = view.delegate.hit_test(item.local_shape.bar, item.mapFromScene(scene_pos),
                                      clipped_start=item.local_shape.clipped_start,
                                      clipped_end=item.local_shape.clipped_end)
        shape = {DragMode.MOVE: Qt.CursorShape.OpenHandCursor,
                 DragMode.STRETCH_END: Qt.CursorShape.SizeHorCursor,
                 DragMode.STRETCH_START: Qt.CursorShape.SizeHorCursor}.get(
                     mode, Qt.CursorShape.ArrowCursor)
    if view.viewport().cursor().shape() != shape:
        view.viewport().setCursor(QCursor(shape))


def _over_queue(view: BoardView, global_pos: QPoint) -> bool:
    target = view.queue_target
    if target is None or not target.isVisible():
        return False
    local = target.mapFromGlobal(global_pos)
    return target.rect().contains(local)


def _external_drop(view: BoardView, event: QDropEvent | QDragMoveEvent) -> Drop | None:
    number = case_number_from_mime(event.mimeData())
    case = view.queue_lookup(number) if number else None
    if case is None or view._model is None or not view.may_move(case):
        return None
    pos = event.position()
    if pos.x() < LABEL_WIDTH or pos.y() < HEADER_HEIGHT:
        return None
    scene_pos = view.mapToScene(pos.toPoint())
    row = view.rows.row_at(scene_pos.y())
    room = view._model.room_at(row) if row is not None else None
    if room is None:
        return None
    start = view.grid.snap(view.grid.time_at(scene_pos.x()))
    end = start + timedelta(minutes=case.estimated_duration_min)
    view._external_case = case
    return Drop(case.case_number, room.id, start, end)


def _changed_while_dragged(view: BoardView, mime: QMimeData) -> str | None:
    """Why a queue card dropped here is not scheduled because its case changed (on
    another PC) after the drag began — the queue now holds another version, or no
    longer holds it — or None. The drop is refused rather than written with data the
    user did not see (the live feed updates the queue during the drag)."""
    number = case_number_from_mime(mime)
    if number is None:
        return None
    case = view.queue_lookup(number)
    if case is None:
        where = "is on the board now" if view._model is not None \
            and view._model.case(number) is not None else "is no longer in the queue"
        return f"{number} was changed on another PC ({where}) — not scheduled"
    dragged = case_version_from_mime(mime)
    if dragged is not None and dragged != case.version:
        return (f"{number} was changed on another PC while you dragged it — not "
                "scheduled; the queue shows it as it is now")
    return None


def _room_lanes(view: BoardView) -> bool:
    return view._model is None or view._model.lane_mode is LaneMode.ROOMS


def drag_enter(view: BoardView, event: QDragEnterEvent) -> None:
    if view.editable and case_number_from_mime(event.mimeData()) and not _room_lanes(view):
        view.status_message.emit(ROOM_LANES_ONLY_HINT)
        event.ignore()  # a queue card needs a room: only room lanes place one
        return
    if view.editable and case_number_from_mime(event.mimeData()):
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        return
    event.ignore()


def drag_move(view: BoardView, event: QDragMoveEvent) -> None:
    drop = _external_drop(view, event) if view.editable else None
    if drop is None:
        view._ghost.setVisible(False)
        event.ignore()
        return
    _show_ghost(view, drop, view._external_case.id if view._external_case else None)
    event.setDropAction(Qt.DropAction.MoveAction)
    event.accept()


def drag_leave(view: BoardView, event: QDragLeaveEvent) -> None:
    view._ghost.setVisible(False)
    event.accept()


def drop(view: BoardView, event: QDropEvent) -> None:
    view._ghost.setVisible(False)
    if not _room_lanes(view):
        view.status_message.emit(f"Not scheduled — {ROOM_LANES_ONLY}")
        event.ignore()
        return
    changed = _changed_while_dragged(view, event.mimeData()) if view.editable else None
    if changed is not None:
        view.status_message.emit(changed)
        event.ignore()
        return
    drop = _external_drop(view, event) if view.editable else None
    if drop is None:
        event.ignore()
        return
    event.setDropAction(Qt.DropAction.MoveAction)
    event.accept()
    if view.grid.write_drop(drop):
        view._select(drop.case_number)


def wheel(view: BoardView, event: QWheelEvent) -> None:
    if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
        steps = event.angleDelta().y() / 120
        if steps:
            view.zoom_by(1.15 ** steps, event.position().x())
        event.accept()
        return
    QGraphicsView.wheelEvent(view, event)


def viewport_event(view: BoardView, event: QEvent) -> bool:
    if event.type() == QEvent.Type.ToolTip:
        help_event = event
        assert isinstance(help_event, QHelpEvent)
        item, _ = bar_at(view, QPointF(help_event.pos()))
        band_tip = bands.tooltip_at(view, QPointF(help_event.pos())) if item is None else None
        if band_tip is not None:  # a block band under no case: owner, hours, share, release
            QToolTip.showText(help_event.globalPos(), band_tip, view.viewport())
            return True
        if item is None:
            QToolTip.hideText()
            event.ignore()
            return True
        QToolTip.showText(help_event.globalPos(),
                          view.delegate.tooltip(item.case, view._room_code(item.case.room_id)),
                          view.viewport())
        return True
    if event.type() == QEvent.Type.NativeGesture:
        native = event
        assert isinstance(native, QNativeGestureEvent)
        if native.gestureType() == Qt.NativeGestureType.ZoomNativeGesture:
            view.zoom_by(1.0 + native.value(), native.position().x())
            return True
    if event.type() == QEvent.Type.Gesture:
        gesture_event = event
        assert isinstance(gesture_event, QGestureEvent)
        pinch = gesture_event.gesture(Qt.GestureType.PinchGesture)
        if isinstance(pinch, QPinchGesture):
            factor = pinch.scaleFactor()
            if factor > 0:
                centre = view.viewport().mapFromGlobal(pinch.centerPoint().toPoint())
                view.zoom_by(factor, centre.x())
            gesture_event.accept()
            return True
    return QGraphicsView.viewportEvent(view, event)


def mark_saving(view: BoardView, case_number: str, drop: Drop | None) -> None:
    """KDGantt style: the bar stays at its drop place (``drop``; None: where the model
    has it), faded, until the write answers (``sync_item``)."""
    items = items_of(view, case_number)
    if not items:
        return
    view._saving.add(case_number)
    for item in items:  # every lane's bar of the case (equipment lanes: one per unit)
        shape = view.shape_for(item.case, drop.room_id, drop.start, drop.end, item.lane) \
            if drop is not None else view.shape_for(item.case, lane=item.lane)
        if shape is not None:
            item.setVisible(True)
            item.set_scene_shape(shape)
        item.setZValue(BAR_Z)
        item.setOpacity(SAVING_OPACITY)
