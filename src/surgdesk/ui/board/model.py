"""The board's item models: lanes with their cases (a tree), and the queue (a list).

Top-level rows are lanes — operating rooms by default, or surgeons, anesthetists or
equipment units (``lanes``); each lane's children are the cases placed in it within
the loaded window, in no particular order (the view places bars by their start and end
roles, as KDGantt does). Both models hold service DTOs only: a masked actor's
``CaseSummary`` carries ``None`` for the patient, so the model never holds a name or id it
may not show.

Every change is incremental: a case that changes in place emits ``dataChanged``; one that
changes room is removed from the old room and inserted into the new one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from surgdesk.domain.enums import OCCUPYING_STATUSES, CaseStatus, RoomStatus
from surgdesk.domain.intervals import Booking, intervals_overlap, room_clash
from surgdesk.services.dto import (
    BoardSnapshot,
    CaseSummary,
    ClosureView,
    EquipmentClosureView,
    OccurrenceView,
    RoomView,
)
from surgdesk.ui.board.lanes import (
    Lane,
    LaneMode,
    build_lanes,
    lane_for_new_key,
    lanes_of,
    room_key,
    stack,
)
from surgdesk.ui.board.lanes import on_board as on_board  # callers knew it here

Index = QModelIndex | QPersistentModelIndex
CASE_MIME_TYPE = "application/x-surgdesk-case-number"
# The version of the dragged case when the drag began: a drop of a case changed since
# (on another PC, while the drag was in flight) is refused rather than written.
CASE_VERSION_MIME_TYPE = "application/x-surgdesk-case-version"

_LANE_ID = 0  # internal id of a top-level (lane) index; a case's is its lane's row + 1
_ROOM_ID = _LANE_ID  # the name it had while every lane was a room


class BoardRole(IntEnum):
    """Custom roles. ``CASE_NUMBER`` is ``Qt.UserRole`` itself: tests and scripts find a
    case with ``model.match(model.index(0, 0), Qt.UserRole, number, 1, Qt.MatchRecursive)``.
    """

    CASE_NUMBER = Qt.ItemDataRole.UserRole
    KIND = Qt.ItemDataRole.UserRole + 1  # "room", "lane" (another mode's row) or "case"
    START = Qt.ItemDataRole.UserRole + 2  # aware UTC datetime
    END = Qt.ItemDataRole.UserRole + 3
    ROOM_ID = Qt.ItemDataRole.UserRole + 4
    STATUS = Qt.ItemDataRole.UserRole + 5  # CaseStatus
    PRIORITY = Qt.ItemDataRole.UserRole + 6
    CASE = Qt.ItemDataRole.UserRole + 7  # the CaseSummary
    ROOM = Qt.ItemDataRole.UserRole + 8  # the RoomView
    VERSION = Qt.ItemDataRole.UserRole + 9
    LANE = Qt.ItemDataRole.UserRole + 10  # the lane's key (a row, or a case's row)
    TRACK = Qt.ItemDataRole.UserRole + 11  # a case's track in its lane (0: the first)


class Column(IntEnum):
    LABEL = 0
    START = 1
    END = 2
    STATUS = 3


HEADERS = {Column.LABEL: "Lane / case", Column.START: "Start", Column.END: "End",
           Column.STATUS: "Status"}


def in_queue(case: CaseSummary) -> bool:
    return case.status in (CaseStatus.REQUESTED, CaseStatus.POSTPONED) and not on_board(case)


def case_label(case: CaseSummary) -> str:
    lat = laterality_suffix(case)
    return f"{case.case_number} {case.procedure_name}{lat}"


def laterality_suffix(case: CaseSummary) -> str:
    value = case.laterality.value
    return {"left": " (L)", "right": " (R)", "bilateral": " (bilat.)"}.get(value, "")


def patient_label(case: CaseSummary) -> str:
    if case.patient_masked or case.patient_name is None:
        return "Patient hidden"
    return f"{case.patient_name} ({case.patient_id})" if case.patient_id else case.patient_name


def _time_text(value: datetime | None) -> str | None:
    return value.isoformat(timespec="minutes") if value else None


class BoardModel(QAbstractItemModel):
    """Lanes (rows: rooms by default, or surgeons, anesthetists, equipment units — see
    ``lanes``) and the cases placed in each, for one window of time.

    A case is a child of every lane it shows in (several units: several rows). In lanes
    other than rooms, overlapping cases of one lane are stacked into tracks (``TRACK``);
    when a lane's number of tracks changes, ``tracks_changed`` says the rows' heights did.
    """

    tracks_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.lane_mode = LaneMode.ROOMS
        self._snapshot: BoardSnapshot | None = None
        self._rooms: list[RoomView] = []
        self._room_by_id: dict[int, RoomView] = {}
        self._room_cases: dict[int, dict[str, None]] = {}  # room id -> case numbers
        self._lanes: list[Lane] = []
        self._lane_row: dict[str, int] = {}
        self._children: list[list[str]] = []  # per lane row: case numbers
        self._tracks: list[dict[str, int]] = []  # per lane row: case number -> track
        self._track_counts: list[int] = []
        self._cases: dict[str, CaseSummary] = {}
        self._closures: dict[int, list[ClosureView]] = {}
        self._unit_closures: dict[int, list[EquipmentClosureView]] = {}
        self.window_start: datetime | None = None
        self.window_end: datetime | None = None

    # -- loading and incremental updates --------------------------------------------

    def load(self, snapshot: BoardSnapshot) -> None:
        self.beginResetModel()
        self._snapshot = snapshot
        self._rooms = list(snapshot.rooms)
        self._room_by_id = {room.id: room for room in self._rooms}
        self._closures, self._unit_closures = {}, {}
        for closure in snapshot.closures:
            self._closures.setdefault(closure.room_id, []).append(closure)
        for unit_closure in snapshot.equipment_closures:
            self._unit_closures.setdefault(unit_closure.unit_id, []).append(unit_closure)
        self.window_start, self.window_end = snapshot.window_start, snapshot.window_end
        self._cases, self._room_cases = {}, {}
        for case in snapshot.cases:
            if on_board(case) and case.room_id in self._room_by_id:
                self._cases[case.case_number] = case
                self._room_cases.setdefault(case.room_id, {})[case.case_number] = None
        self._build_lanes()
        self.endResetModel()

    def set_lane_mode(self, mode: LaneMode) -> None:
        """Group the rows by another lane kind (a reset; no read: the snapshot held all)."""
        if mode is self.lane_mode:
            return
        self.beginResetModel()
        self.lane_mode = mode
        self._build_lanes()
        self.endResetModel()

    def _build_lanes(self) -> None:
        snapshot = self._snapshot
        if snapshot is None:
            self._lanes = []
        else:  # the lanes of the cases held now (the feed has changed some since)
            current = snapshot.model_copy(update={"cases": tuple(self._cases.values())})
            self._lanes = build_lanes(current, self.lane_mode)
        self._lane_row = {lane.key: row for row, lane in enumerate(self._lanes)}
        self._children = [[] for _ in self._lanes]
        for number, case in self._cases.items():
            for key in lanes_of(case, self.lane_mode):
                row = self._lane_row.get(key)
                if row is not None:
                    self._children[row].append(number)
        self._tracks = [{} for _ in self._lanes]
        self._track_counts = [1] * len(self._lanes)
        for row in range(len(self._lanes)):
            self._restack(row, announce=False)

    def load_empty(self) -> None:
        """Forget everything (after signing out: nothing of the last user stays in memory)."""
        self.beginResetModel()
        self._snapshot = None
        self._rooms, self._room_by_id, self._room_cases = [], {}, {}
        self._lanes, self._lane_row, self._children = [], {}, []
        self._tracks, self._track_counts = [], []
        self._cases, self._closures, self._unit_closures = {}, {}, {}
        self.window_start = self.window_end = None
        self.endResetModel()

    def _in_window(self, case: CaseSummary) -> bool:
        if self.window_start is None or self.window_end is None:
            return True
        assert case.scheduled_start is not None
        assert case.scheduled_end is not None
        return case.scheduled_start < self.window_end and case.scheduled_end > self.window_start

    def _keys(self, case: CaseSummary, *, add: bool = False) -> list[str]:
        """The lanes (keys) a case goes in that the board has; ``add``: a surgeon or an
        anesthetist new to the window gets a lane, at the end."""
        keys = []
        for key in lanes_of(case, self.lane_mode):
            if key not in self._lane_row and add:
                lane = lane_for_new_key(key, case)
                if lane is not None:
                    self._append_lane(lane)
            if key in self._lane_row:
                keys.append(key)
        return keys

    def _append_lane(self, lane: Lane) -> None:
        row = len(self._lanes)
        self.beginInsertRows(QModelIndex(), row, row)
        self._lanes.append(lane)
        self._lane_row[lane.key] = row
        self._children.append([])
        self._tracks.append({})
        self._track_counts.append(1)
        self.endInsertRows()
        self.tracks_changed.emit()  # a row more: the heights below it moved

    def upsert_case(self, case: CaseSummary) -> None:
        """Take a case's new state: update it in place, move it, add it or drop it."""
        number = case.case_number
        wanted = on_board(case) and case.room_id in self._room_by_id and self._in_window(case)
        old = self._cases.get(number)
        if not wanted:
            if old is not None:
                self.remove_case(number)
            return
        assert case.room_id is not None
        old_keys = self._keys(old) if old is not None else []
        new_keys = self._keys(case, add=True)
        self._cases[number] = case
        if old is not None and old.room_id is not None:
            self._room_cases.get(old.room_id, {}).pop(number, None)
        self._room_cases.setdefault(case.room_id, {})[number] = None
        for key in old_keys:
            if key not in new_keys:
                self._remove_child(self._lane_row[key], number)
        for key in new_keys:
            row = self._lane_row[key]
            if key in old_keys:
                index = self.createIndex(self._children[row].index(number), 0, row + 1)
                last = self.index(index.row(), len(Column) - 1, index.parent())
                self.dataChanged.emit(index, last)
            else:
                children = self._children[row]
                self.beginInsertRows(self.index(row, 0), len(children), len(children))
                children.append(number)
                self.endInsertRows()
        self._restack_all({self._lane_row[k] for k in (*old_keys, *new_keys)})

    def _remove_child(self, lane_row: int, number: str) -> None:
        children = self._children[lane_row]
        row = children.index(number)
        self.beginRemoveRows(self.index(lane_row, 0), row, row)
        del children[row]
        self._tracks[lane_row].pop(number, None)
        self.endRemoveRows()

    def remove_case(self, case_number: str) -> None:
        case = self._cases.get(case_number)
        if case is None or case.room_id is None:
            return
        rows = [self._lane_row[k] for k in self._keys(case)]
        for lane_row in rows:
            self._remove_child(lane_row, case_number)
        del self._cases[case_number]
        self._room_cases.get(case.room_id, {}).pop(case_number, None)
        self._restack_all(set(rows))

    # -- tracks (stacked overlaps in lanes other than rooms) -------------------------------

    def _restack_all(self, rows: set[int]) -> None:
        if any([self._restack(row) for row in sorted(rows)]):
            self.tracks_changed.emit()

    def _restack(self, row: int, *, announce: bool = True) -> bool:
        """Tracks of one lane again; the cases whose track moved are announced
        (``dataChanged``). True when the lane's number of tracks changed."""
        if self.lane_mode is LaneMode.ROOMS:
            return False  # a room's cases never overlap (the services refuse it)
        numbers = self._children[row]
        spans = []
        for number in numbers:
            case = self._cases[number]
            assert case.scheduled_start is not None
            assert case.scheduled_end is not None
            spans.append((case.scheduled_start, case.scheduled_end))
        tracks, count = stack(spans)
        old = self._tracks[row]
        self._tracks[row] = dict(zip(numbers, tracks, strict=True))
        if announce:
            for i, (number, track) in enumerate(zip(numbers, tracks, strict=True)):
                if old.get(number, 0) != track:
                    index = self.createIndex(i, 0, row + 1)
                    self.dataChanged.emit(index, self.index(i, len(Column) - 1,
                                                            self.index(row, 0)),
                                          [BoardRole.TRACK])
        changed = count != self._track_counts[row]
        self._track_counts[row] = count
        return changed

    # -- lookups the view and the controller use --------------------------------------

    def rooms(self) -> list[RoomView]:
        """Every room of the loaded window (in any lane mode)."""
        return list(self._rooms)

    def room(self, room_id: int | None) -> RoomView | None:
        return self._room_by_id.get(room_id) if room_id is not None else None

    def room_at(self, row: int) -> RoomView | None:
        """The room of lane ``row`` (None when the lanes are not rooms)."""
        return self._lanes[row].room if 0 <= row < len(self._lanes) else None

    def room_row(self, room_id: int) -> int | None:
        """The lane row of a room (None when the lanes are not rooms)."""
        return self._lane_row.get(room_key(room_id))

    def blocks(self) -> tuple[OccurrenceView, ...]:
        """The loaded window's block occurrences (the bands, in room lanes)."""
        return self._snapshot.blocks if self._snapshot is not None else ()

    def lanes(self) -> list[Lane]:
        return list(self._lanes)

    def lane_at(self, row: int) -> Lane | None:
        return self._lanes[row] if 0 <= row < len(self._lanes) else None

    def lane_row(self, key: str) -> int | None:
        return self._lane_row.get(key)

    def case_lanes(self, case_number: str) -> list[str]:
        """The keys of the lanes holding a case, in ``lanes_of``'s order."""
        case = self._cases.get(case_number)
        return self._keys(case) if case is not None else []

    def memberships(self) -> list[tuple[str, str]]:
        """(case number, lane key) for every case in every lane: one bar each."""
        return [(number, lane.key) for lane, numbers in zip(self._lanes, self._children,
                                                            strict=True)
                for number in numbers]

    def track(self, case_number: str, lane_key: str) -> int:
        row = self._lane_row.get(lane_key)
        return self._tracks[row].get(case_number, 0) if row is not None else 0

    def track_counts(self) -> list[int]:
        return list(self._track_counts)

    def closures(self, room_id: int) -> list[ClosureView]:
        return list(self._closures.get(room_id, ()))

    def unit_closures(self, unit_id: int) -> list[EquipmentClosureView]:
        return list(self._unit_closures.get(unit_id, ()))

    def case(self, case_number: str) -> CaseSummary | None:
        return self._cases.get(case_number)

    def cases(self) -> list[CaseSummary]:
        return list(self._cases.values())

    def cases_in_room(self, room_id: int) -> list[CaseSummary]:
        return [self._cases[n] for n in self._room_cases.get(room_id, ())]

    def cases_in_lane(self, row: int) -> list[CaseSummary]:
        if not 0 <= row < len(self._children):
            return []
        return [self._cases[n] for n in self._children[row]]

    def case_index(self, case_number: str, lane_key: str | None = None) -> QModelIndex:
        """The case's index in ``lane_key``'s row (None: the first lane holding it)."""
        case = self._cases.get(case_number)
        if case is None:
            return QModelIndex()
        keys = [lane_key] if lane_key is not None else self._keys(case)
        for key in keys:
            lane_row = self._lane_row.get(key)
            if lane_row is not None and case_number in self._children[lane_row]:
                row = self._children[lane_row].index(case_number)
                return self.createIndex(row, 0, lane_row + 1)
        return QModelIndex()

    def lane_key_of(self, index: Index) -> str | None:
        """The lane an index is in (a lane row's own key, or its case's lane)."""
        if not index.isValid():
            return None
        row = index.row() if index.internalId() == _LANE_ID else index.internalId() - 1
        return self._lanes[row].key if 0 <= row < len(self._lanes) else None

    def case_at(self, index: Index) -> CaseSummary | None:
        if not index.isValid() or index.internalId() == _LANE_ID:
            return None
        lane_row = index.internalId() - 1
        if not 0 <= lane_row < len(self._children):
            return None
        children = self._children[lane_row]
        if not 0 <= index.row() < len(children):
            return None
        return self._cases.get(children[index.row()])

    # -- QAbstractItemModel ----------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column < 0 or column >= len(Column) or row < 0:
            return QModelIndex()
        if not parent.isValid():
            if row >= len(self._lanes):
                return QModelIndex()
            return self.createIndex(row, column, _LANE_ID)
        if parent.internalId() != _LANE_ID or parent.column() != 0:
            return QModelIndex()
        lane_row = parent.row()
        if lane_row >= len(self._children) or row >= len(self._children[lane_row]):
            return QModelIndex()
        return self.createIndex(row, column, lane_row + 1)

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or child.internalId() == _LANE_ID:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, _LANE_ID)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._lanes)
        if parent.internalId() == _LANE_ID and parent.column() == 0 \
                and parent.row() < len(self._children):
            return len(self._children[parent.row()])
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(Column)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return self.rowCount(parent) > 0

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(Column):
            return HEADERS[Column(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == _LANE_ID:
            lane = self.lane_at(index.row())
            return None if lane is None else self._lane_data(lane, index.column(), role)
        case = self.case_at(index)
        if case is None:
            return None
        lane_key = self._lanes[index.internalId() - 1].key
        if role == BoardRole.LANE:
            return lane_key
        if role == BoardRole.TRACK:
            return self.track(case.case_number, lane_key)
        return self._case_data(case, index.column(), role)

    @staticmethod
    def _lane_data(lane: Lane, column: int, role: int) -> Any:
        room = lane.room
        if role == Qt.ItemDataRole.DisplayRole:
            if column == Column.LABEL:
                return f"{lane.label} {lane.sublabel}".strip()
            if column == Column.STATUS:
                if room is not None:
                    return room.status.value
                return lane.unit.status.value if lane.unit is not None else None
            return None
        roles: dict[int, Any] = {
            BoardRole.KIND: "room" if room is not None else "lane",
            BoardRole.LANE: lane.key,
        }
        if room is not None:
            roles.update({BoardRole.ROOM_ID: room.id, BoardRole.ROOM: room,
                          BoardRole.VERSION: room.version})
        return roles.get(role)

    @staticmethod
    def _case_data(case: CaseSummary, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == Column.LABEL:
                return case_label(case)
            if column == Column.START:
                return _time_text(case.scheduled_start)
            if column == Column.END:
                return _time_text(case.scheduled_end)
            return case.status.value
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{case_label(case)} — {patient_label(case)}"
        roles: dict[int, Any] = {
            BoardRole.CASE_NUMBER: case.case_number,
            BoardRole.KIND: "case",
            BoardRole.START: case.scheduled_start,
            BoardRole.END: case.scheduled_end,
            BoardRole.ROOM_ID: case.room_id,
            BoardRole.STATUS: case.status,
            BoardRole.PRIORITY: case.priority,
            BoardRole.CASE: case,
            BoardRole.VERSION: case.version,
        }
        return roles.get(role)


class QueueModel(QAbstractListModel):
    """Requested (and postponed) cases waiting for a slot; drags carry the case number
    and the version the card showed (``CASE_VERSION_MIME_TYPE``)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._cases: list[CaseSummary] = []
        self.drag_enabled = False

    def load(self, cases: tuple[CaseSummary, ...] | list[CaseSummary]) -> None:
        self.beginResetModel()
        self._cases = sorted(cases, key=_queue_order)
        self.endResetModel()

    def case(self, case_number: str) -> CaseSummary | None:
        return next((c for c in self._cases if c.case_number == case_number), None)

    def cases(self) -> list[CaseSummary]:
        return list(self._cases)

    def row_of(self, case_number: str) -> int | None:
        return next((i for i, c in enumerate(self._cases) if c.case_number == case_number),
                    None)

    def upsert_case(self, case: CaseSummary) -> None:
        row = self.row_of(case.case_number)
        if not in_queue(case):
            if row is not None:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._cases[row]
                self.endRemoveRows()
            return
        if row is not None:
            self._cases[row] = case
            self.dataChanged.emit(self.index(row), self.index(row))
            return
        keys = [_queue_order(c) for c in self._cases]
        position = next((i for i, k in enumerate(keys) if k > _queue_order(case)), len(keys))
        self.beginInsertRows(QModelIndex(), position, position)
        self._cases.insert(position, case)
        self.endInsertRows()

    def remove_case(self, case_number: str) -> None:
        row = self.row_of(case_number)
        if row is not None:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._cases[row]
            self.endRemoveRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cases)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        row = index.row()
        # A card drags when the window allows editing and the services say this actor
        # may place this case (``CaseSummary.rights.move``).
        if self.drag_enabled and 0 <= row < len(self._cases) and self._cases[row].rights.move:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._cases):
            return None
        case = self._cases[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            minutes = case.estimated_duration_min
            return (f"{case_label(case)}\n{case.lead_surgeon_name} · {minutes // 60}h"
                    f"{minutes % 60:02d} · {case.priority.value} · {patient_label(case)}")
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{case_label(case)} ({case.status.value}) — drag onto the board to schedule"
        roles: dict[int, Any] = {
            BoardRole.CASE_NUMBER: case.case_number,
            BoardRole.KIND: "case",
            BoardRole.STATUS: case.status,
            BoardRole.PRIORITY: case.priority,
            BoardRole.CASE: case,
            BoardRole.VERSION: case.version,
        }
        return roles.get(role)

    def mimeTypes(self) -> list[str]:
        return [CASE_MIME_TYPE, CASE_VERSION_MIME_TYPE]

    def mimeData(self, indexes: Any) -> QMimeData:
        cases = [self._cases[i.row()] for i in indexes if i.isValid()]
        mime = QMimeData()
        if cases:
            mime.setData(CASE_MIME_TYPE, QByteArray(cases[0].case_number.encode("utf-8")))
            mime.setData(CASE_VERSION_MIME_TYPE,
                         QByteArray(str(cases[0].version).encode("ascii")))
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction


def _queue_order(case: CaseSummary) -> tuple[int, str]:
    rank = {"emergency": 0, "urgent": 1, "elective": 2}[case.priority.value]
    return rank, case.case_number


def case_number_from_mime(mime: QMimeData) -> str | None:
    if not mime.hasFormat(CASE_MIME_TYPE):
        return None
    raw = bytes(mime.data(CASE_MIME_TYPE).data()).decode("utf-8").strip()
    return raw or None


def case_version_from_mime(mime: QMimeData) -> int | None:
    """The version the dragged case had when the drag began (None: not said)."""
    if not mime.hasFormat(CASE_VERSION_MIME_TYPE):
        return None
    raw = bytes(mime.data(CASE_VERSION_MIME_TYPE).data()).decode("ascii", "replace").strip()
    return int(raw) if raw.isdigit() else None


def drop_problem(model: BoardModel, case_id: int | None, room_id: int, start: datetime,
                 end: datetime) -> str | None:
    """Why a drop would be refused, judged in memory from what the board holds (no query).

    The service layer decides for real on release; this only colours the ghost.
    """
    room = model.room(room_id)
    if room is None:
        return "no such room on the board"
    if start >= end:
        return "the start must be before the end"
    if room.status is not RoomStatus.ACTIVE:
        return f"{room.code} is {room.status.value.replace('_', ' ')}"
    for closure in model.closures(room_id):
        if intervals_overlap(start, end, closure.starts_at, closure.ends_at):
            return f"{room.code} is closed then ({closure.reason})"
    turnover = timedelta(minutes=room.turnover_minutes)
    candidate = Booking(case_id, room_id, start, end, turnover)
    for other in model.cases_in_room(room_id):
        if other.status not in OCCUPYING_STATUSES or other.id == case_id:
            continue
        assert other.scheduled_start is not None
        assert other.scheduled_end is not None
        if room_clash(candidate, Booking(other.id, room_id, other.scheduled_start,
                                         other.scheduled_end, turnover)):
            return f"{room.code} is taken by {other.case_number} (turnover included)"
    return None
