"""The board view's bars: one graphics item per case in each lane that holds it, kept in
step with the model's rows, and where each goes (its lane's row, its track in it).

In room lanes a case has one bar, as ever. In equipment lanes a case holding two units
shows in both rows: the first lane's bar is the case's own (``view._items``: selection,
flashes, scrolling to it), the others are echoes painted alike (``view._echoes``).
Functions of the view (like ``painting`` and ``interaction``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex

from surgdesk.services.dto import CaseSummary
from surgdesk.ui.board.delegate import BarShape, shape_between
from surgdesk.ui.board.grid import Drop
from surgdesk.ui.board.items import BAR_Z, CaseBarItem
from surgdesk.ui.board.lanes import LaneMode
from surgdesk.ui.board.layout import BAR_PAD

if TYPE_CHECKING:
    from surgdesk.ui.board.view import BoardView


def items_of(view: BoardView, number: str) -> list[CaseBarItem]:
    """Every bar of a case: its own first, then its echoes."""
    item = view._items.get(number)
    echoes = view._echoes.get(number)
    out = [item] if item is not None else []
    if echoes:
        out += echoes.values()
    return out


def item_in(view: BoardView, number: str, lane: str | None) -> CaseBarItem | None:
    """The case's bar in ``lane`` (None: its own bar)."""
    item = view._items.get(number)
    if lane is None or (item is not None and item.lane in (lane, None)):
        return item
    return view._echoes.get(number, {}).get(lane)


def add_item(view: BoardView, case: CaseSummary, lane: str | None, *,
             place: bool = True) -> None:
    item = CaseBarItem(view.delegate, case, cached=view.cache_bars)
    item.lane = lane
    item.set_case(case)
    number = case.case_number
    item.selected = number == view._selected
    if number in view._items:
        view._echoes.setdefault(number, {})[lane or ""] = item
    else:
        view._items[number] = item
    view._scene.addItem(item)
    if place:
        place_item(view, item)


def rebuild(view: BoardView) -> None:
    """Every bar again (the one full build, on a load or a lane switch)."""
    for item in view._items.values():
        view._scene.removeItem(item)
    for echoes in view._echoes.values():
        for item in echoes.values():
            view._scene.removeItem(item)
    view._items.clear()
    view._echoes.clear()
    model = view._model
    if model is None:
        return
    for number, lane in model.memberships():
        case = model.case(number)
        if case is not None:
            add_item(view, case, lane, place=False)


def remove_item(view: BoardView, number: str, lane: str | None) -> CaseBarItem | None:
    """Take the case's bar in ``lane`` off the scene; an echo takes over as the case's own
    bar when the own one goes."""
    echoes = view._echoes.get(number, {})
    if lane is not None and lane in echoes:
        item: CaseBarItem | None = echoes.pop(lane)
    else:
        item = view._items.pop(number, None)
        if echoes:
            view._items[number] = echoes.pop(next(iter(echoes)))
    if not echoes:
        view._echoes.pop(number, None)
    if item is not None:
        if view._drag is not None and view._drag.item is item:
            view._drag = None
            view._ghost.setVisible(False)
        view._scene.removeItem(item)
    return item


def shape_for(view: BoardView, case: CaseSummary, room_id: int | None = None,
              start: datetime | None = None, end: datetime | None = None,
              lane: str | None = None) -> BarShape | None:
    """Where a case's bar goes: in room lanes the room's row (``room_id``: another room,
    for a drag's ghost), otherwise its lane's row and its track there."""
    model = view._model
    if model is None:
        return None
    start = start or case.scheduled_start
    end = end or case.scheduled_end
    track, turnover_min = 0, 0
    if model.lane_mode is LaneMode.ROOMS:
        room_id = room_id if room_id is not None else case.room_id
        row = model.room_row(room_id) if room_id is not None else None
        room = model.room_at(row) if row is not None else None
        turnover_min = room.turnover_minutes if room is not None else 0
    else:
        if lane is None:
            keys = model.case_lanes(case.case_number)
            lane = keys[0] if keys else None
        row = model.lane_row(lane) if lane is not None else None
        lane_view = model.lane_at(row) if row is not None else None
        if lane_view is not None and lane_view.unit is not None:
            turnover_min = lane_view.unit.turnaround_minutes  # the unit's, not a room's
        track = model.track(case.case_number, lane) if lane is not None else 0
    if row is None or start is None or end is None:
        return None
    rows = view.rows
    return shape_between(view.grid.x_for(start), view.grid.x_for(end),
                         turnover_min * view.grid.px_per_minute,
                         rows.top(row) + track * rows.row_height + BAR_PAD,
                         rows.row_height - 2 * BAR_PAD,
                         clip_left=0.0, clip_right=view.grid.width)


def shape_for_drop(view: BoardView, drop: Drop, lane: str | None = None) -> BarShape | None:
    """The ghost of a drop: the room's row in room lanes, the dragged bar's lane (and
    track) otherwise — a drag there changes the time only."""
    model = view._model
    assert model is not None
    case = model.case(drop.case_number)
    if model.lane_mode is not LaneMode.ROOMS:
        if case is None:
            return None
        shape = shape_for(view, case, drop.room_id, drop.start, drop.end, lane)
        return shape._replace(turnover=None) if shape is not None else None
    row = model.room_row(drop.room_id)
    if row is None:
        return None
    return shape_between(view.grid.x_for(drop.start), view.grid.x_for(drop.end), 0,
                         view.rows.top(row) + BAR_PAD, view.rows.row_height - 2 * BAR_PAD,
                         clip_left=0.0, clip_right=view.grid.width)


def place_item(view: BoardView, item: CaseBarItem) -> None:
    shape = shape_for(view, item.case, lane=item.lane)
    if shape is None or (view._summaries_on and item.case.case_number != view.dragged_case()):
        item.setVisible(False)
        return
    item.setVisible(True)
    item.set_scene_shape(shape)


def place_all(view: BoardView) -> None:
    for item in view._items.values():
        place_item(view, item)
    for echoes in view._echoes.values():
        for item in echoes.values():
            place_item(view, item)


def case_numbers(view: BoardView, parent: QModelIndex, first: int, last: int) -> list[str]:
    assert view._model is not None
    numbers = []
    for row in range(first, last + 1):
        case = view._model.case_at(view._model.index(row, 0, parent))
        if case is not None:
            numbers.append(case.case_number)
    return numbers


def rows_inserted(view: BoardView, parent: QModelIndex, first: int, last: int) -> None:
    model = view._model
    if not parent.isValid() or model is None:
        return  # a lane added at the end: ``tracks_changed`` lays the rows out
    lane = model.lane_key_of(parent)
    for number in case_numbers(view, parent, first, last):
        case = model.case(number)
        if case is not None:
            add_item(view, case, lane)
    view._cases_changed()


def rows_removed(view: BoardView, parent: QModelIndex, first: int, last: int) -> None:
    model = view._model
    if not parent.isValid() or model is None:
        return
    lane = model.lane_key_of(parent)
    for number in case_numbers(view, parent, first, last):
        remove_item(view, number, lane)
        if number not in view._items:
            view._flashes.stop(number)
    view._cases_changed()


def sync_item(view: BoardView, number: str) -> None:
    """Re-read a case's bars from the model (after a write, or to snap a refused drop
    back)."""
    view._saving.discard(number)
    case = view._model.case(number) if view._model is not None else None
    if case is None:
        return
    for item in items_of(view, number):
        item.set_case(case)
        item.setZValue(BAR_Z)
        item.setOpacity(1.0)
        place_item(view, item)
