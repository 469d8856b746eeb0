"""The board's item models: rooms with their cases (a tree), and the queue (a list).

Top-level rows are operating rooms; each room's children are the cases placed in it within
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
)

from surgdesk.domain.enums import OCCUPYING_STATUSES, CaseStatus, RoomStatus
from surgdesk.domain.intervals import Booking, intervals_overlap, room_clash
from surgdesk.services.dto import BoardSnapshot, CaseSummary, ClosureView, RoomView

Index = QModelIndex | QPersistentModelIndex
CASE_MIME_TYPE = "application/x-surgdesk-case-number"
# The version of the dragged case when the drag began: a drop of a case changed since
# (on another PC, while the drag was in flight) is refused rather than written.
CASE_VERSION_MIME_TYPE = "application/x-surgdesk-case-version"

_ROOM_ID = 0  # internal id of a top-level (room) index; a case's is its room's row + 1


class BoardRole(IntEnum):
    """Custom roles. ``CASE_NUMBER`` is ``Qt.UserRole`` itself: tests and scripts find a
    case with ``model.match(model.index(0, 0), Qt.UserRole, number, 1, Qt.MatchRecursive)``.
    """

    CASE_NUMBER = Qt.ItemDataRole.UserRole
    KIND = Qt.ItemDataRole.UserRole + 1  # "room" or "case"
    START = Qt.ItemDataRole.UserRole + 2  # aware UTC datetime
    END = Qt.ItemDataRole.UserRole + 3
    ROOM_ID = Qt.ItemDataRole.UserRole + 4
    STATUS = Qt.ItemDataRole.UserRole + 5  # CaseStatus
    PRIORITY = Qt.ItemDataRole.UserRole + 6
    CASE = Qt.ItemDataRole.UserRole + 7  # the CaseSummary
    ROOM = Qt.ItemDataRole.UserRole + 8  # the RoomView
    VERSION = Qt.ItemDataRole.UserRole + 9


class Column(IntEnum):
    LABEL = 0
    START = 1
    END = 2
    STATUS = 3


HEADERS = {Column.LABEL: "Room / case", Column.START: "Start", Column.END: "End",
           Column.STATUS: "Status"}


def on_board(case: CaseSummary) -> bool:
    """Whether a case has a place on the board (room, start and end)."""
    return (
        case.room_id is not None
        and case.scheduled_start is not None
        and case.scheduled_end is not None
        and case.status is not CaseStatus.REQUESTED
    )


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
    """Rooms (rows) and the cases placed in them, for one window of time."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rooms: list[RoomView] = []
        self._room_row: dict[int, int] = {}
        self._children: list[list[str]] = []  # per room row: case numbers
        self._cases: dict[str, CaseSummary] = {}
        self._closures: dict[int, list[ClosureView]] = {}
        self.window_start: datetime | None = None
        self.window_end: datetime | None = None

    # -- loading and incremental updates --------------------------------------------

    def load(self, snapshot: BoardSnapshot) -> None:
        self.beginResetModel()
        self._rooms = list(snapshot.rooms)
        self._room_row = {room.id: row for row, room in enumerate(self._rooms)}
        self._children = [[] for _ in self._rooms]
        self._cases = {}
        self._closures = {}
        for closure in snapshot.closures:
            self._closures.setdefault(closure.room_id, []).append(closure)
        self.window_start, self.window_end = snapshot.window_start, snapshot.window_end
        for case in snapshot.cases:
            if on_board(case) and case.room_id in self._room_row:
                self._cases[case.case_number] = case
                self._children[self._room_row[case.room_id]].append(case.case_number)
        self.endResetModel()

    def load_empty(self) -> None:
        """Forget everything (after signing out: nothing of the last user stays in memory)."""
        self.beginResetModel()
        self._rooms, self._room_row, self._children = [], {}, []
        self._cases, self._closures = {}, {}
        self.window_start = self.window_end = None
        self.endResetModel()

    def _in_window(self, case: CaseSummary) -> bool:
        if self.window_start is None or self.window_end is None:
            return True
        assert case.scheduled_start is not None
        assert case.scheduled_end is not None
        return case.scheduled_start < self.window_end and case.scheduled_end > self.window_start

    def upsert_case(self, case: CaseSummary) -> None:
        """Take a case's new state: update it in place, move it, add it or drop it."""
        wanted = on_board(case) and case.room_id in self._room_row and self._in_window(case)
        old = self._cases.get(case.case_number)
        if not wanted:
            if old is not None:
                self.remove_case(case.case_number)
            return
        assert case.room_id is not None
        if old is not None and old.room_id == case.room_id:
            self._cases[case.case_number] = case
            index = self.case_index(case.case_number)
            last = self.index(index.row(), len(Column) - 1, index.parent())
            self.dataChanged.emit(index, last)
            return
        if old is not None:
            self.remove_case(case.case_number)
        room_row = self._room_row[case.room_id]
        children = self._children[room_row]
        parent = self.index(room_row, 0)
        self.beginInsertRows(parent, len(children), len(children))
        children.append(case.case_number)
        self._cases[case.case_number] = case
        self.endInsertRows()

    def remove_case(self, case_number: str) -> None:
        case = self._cases.get(case_number)
        if case is None or case.room_id is None:
            return
        room_row = self._room_row[case.room_id]
        row = self._children[room_row].index(case_number)
        self.beginRemoveRows(self.index(room_row, 0), row, row)
        del self._children[room_row][row]
        del self._cases[case_number]
        self.endRemoveRows()

    # -- lookups the view and the controller use --------------------------------------

    def rooms(self) -> list[RoomView]:
        return list(self._rooms)

    def room_at(self, row: int) -> RoomView | None:
        return self._rooms[row] if 0 <= row < len(self._rooms) else None

    def room_row(self, room_id: int) -> int | None:
        return self._room_row.get(room_id)

    def closures(self, room_id: int) -> list[ClosureView]:
        return list(self._closures.get(room_id, ()))

    def case(self, case_number: str) -> CaseSummary | None:
        return self._cases.get(case_number)

    def cases(self) -> list[CaseSummary]:
        return list(self._cases.values())

    def cases_in_room(self, room_id: int) -> list[CaseSummary]:
        row = self._room_row.get(room_id)
        if row is None:
            return []
        return [self._cases[n] for n in self._children[row]]

    def case_index(self, case_number: str) -> QModelIndex:
        case = self._cases.get(case_number)
        if case is None or case.room_id is None:
            return QModelIndex()
        room_row = self._room_row[case.room_id]
        row = self._children[room_row].index(case_number)
        return self.createIndex(row, 0, room_row + 1)

    def case_at(self, index: Index) -> CaseSummary | None:
        if not index.isValid() or index.internalId() == _ROOM_ID:
            return None
        room_row = index.internalId() - 1
        if not 0 <= room_row < len(self._children):
            return None
        children = self._children[room_row]
        if not 0 <= index.row() < len(children):
            return None
        return self._cases.get(children[index.row()])

    # -- QAbstractItemModel ----------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column < 0 or column >= len(Column) or row < 0:
            return QModelIndex()
        if not parent.isValid():
            if row >= len(self._rooms):
                return QModelIndex()
            return self.createIndex(row, column, _ROOM_ID)
        if parent.internalId() != _ROOM_ID or parent.column() != 0:
            return QModelIndex()
        room_row = parent.row()
        if room_row >= len(self._children) or row >= len(self._children[room_row]):
            return QModelIndex()
        return self.createIndex(row, column, room_row + 1)

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or child.internalId() == _ROOM_ID:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, _ROOM_ID)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._rooms)
        if parent.internalId() == _ROOM_ID and parent.column() == 0:
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
        if index.internalId() == _ROOM_ID:
            room = self.room_at(index.row())
            return None if room is None else self._room_data(room, index.column(), role)
        case = self.case_at(index)
        return None if case is None else self._case_data(case, index.column(), role)

    @staticmethod
    def _room_data(room: RoomView, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == Column.LABEL:
                return f"{room.code} {room.name}"
            if column == Column.STATUS:
                return room.status.value
            return None
        if role == BoardRole.KIND:
            return "room"
        if role == BoardRole.ROOM_ID:
            return room.id
        if role == BoardRole.ROOM:
            return room
        if role == BoardRole.VERSION:
            return room.version
        return None

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
    row = model.room_row(room_id)
    room = model.room_at(row) if row is not None else None
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
