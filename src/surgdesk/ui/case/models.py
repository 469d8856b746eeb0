"""Item models of the case screens: care team, checklist tree, notes, history, my cases.

Each adapts frozen service results (DTOs) for a view and is replaced wholesale through a
model reset after every reload: the screens re-read from the service after each write, so
a refused write shows the stored state again by itself. ``data()`` answers None for an
invalid index or a role it has nothing for; custom roles are IntEnums from ``UserRole``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, overload
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from surgdesk.domain.enums import ItemStatus, Section, TeamRole
from surgdesk.services.dto import (
    AuditEntry,
    CaseSummary,
    ChecklistItemView,
    NoteView,
    TeamMemberView,
)
from surgdesk.ui.case.common import (
    ITEM_STATUS_TEXT,
    MASKED,
    NOTE_TYPE_TEXT,
    STATUS_TEXT,
    TEAM_ROLE_TEXT,
    local_text,
)

AnyIndex = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_MUTED = QColor("#6b6b6b")
_DONE = QColor("#1b6e20")
_BLOCKED = QColor("#a40000")


def _header(titles: Sequence[str], section: int, orientation: Qt.Orientation,
            role: int) -> str | None:
    if (orientation is Qt.Orientation.Horizontal and role == _DISPLAY
            and 0 <= section < len(titles)):
        return titles[section]
    return None


class _Rows(QAbstractTableModel):
    """A flat, read-only table of DTO rows (the base of all but the checklist tree)."""

    TITLES: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.TITLES)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = _DISPLAY) -> str | None:
        return _header(self.TITLES, section, orientation, role)

    def _row(self, index: AnyIndex) -> Any | None:
        if not index.isValid() or index.model() is not self:
            return None
        if not 0 <= index.row() < len(self._rows) or not 0 <= index.column() < len(self.TITLES):
            return None
        return self._rows[index.row()]


# ---- care team ----------------------------------------------------------------------------


class TeamRoleData(IntEnum):
    MEMBER = Qt.ItemDataRole.UserRole + 1  # the TeamMemberView
    USERNAME = Qt.ItemDataRole.UserRole + 2


class CareTeamModel(_Rows):
    TITLES = ("Name", "Role on the case", "Confirmed")

    def set_members(self, members: Sequence[TeamMemberView],
                    fixed: dict[str, str] | None = None) -> None:
        """``fixed``: username -> why the person is on the team by the case itself."""
        self.beginResetModel()
        self._rows = list(members)
        self._fixed = dict(fixed or {})
        self.endResetModel()

    def members(self) -> list[TeamMemberView]:
        return list(self._rows)

    def fixed_reason(self, username: str) -> str | None:
        return getattr(self, "_fixed", {}).get(username)

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        member: TeamMemberView | None = self._row(index)
        if member is None:
            return None
        col = index.column()
        if role == _DISPLAY:
            if col == 0:
                return f"{member.display_name} ({member.username})"
            if col == 1:
                return TEAM_ROLE_TEXT.get(member.role, member.role.value)
            return "Yes" if member.confirmed else "Not yet"
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            return self.fixed_reason(member.username)
        if role == Qt.ItemDataRole.ForegroundRole and col == 2 and not member.confirmed:
            return QBrush(_BLOCKED)
        if role == TeamRoleData.MEMBER:
            return member
        if role == TeamRoleData.USERNAME:
            return member.username
        return None


# ---- checklist ----------------------------------------------------------------------------


class ChecklistRole(IntEnum):
    ITEM = Qt.ItemDataRole.UserRole + 1  # ChecklistItemView (item rows only)
    ITEM_CODE = Qt.ItemDataRole.UserRole + 2
    SECTION = Qt.ItemDataRole.UserRole + 3  # the section's name (both kinds of row)
    IS_SECTION = Qt.ItemDataRole.UserRole + 4
    STATUS = Qt.ItemDataRole.UserRole + 5  # ItemStatus value (item rows)


@dataclass(frozen=True)
class SectionProgress:
    section: str
    done: int  # required items done
    required: int
    items: int

    @property
    def complete(self) -> bool:
        return self.done == self.required


def section_order(name: str) -> int:
    names = [s.value for s in Section]
    return names.index(name) if name in names else len(names)


def group_sections(items: Sequence[ChecklistItemView]) -> list[tuple[str, list[ChecklistItemView]]]:
    """Items by section, sections in the WHO order (unknown local ones last), items by
    position."""
    groups: dict[str, list[ChecklistItemView]] = {}
    for item in sorted(items, key=lambda i: i.position):
        groups.setdefault(item.section, []).append(item)
    return sorted(groups.items(), key=lambda kv: section_order(kv[0]))


def progress_of(section: str, items: Sequence[ChecklistItemView]) -> SectionProgress:
    required = [i for i in items if i.is_required]
    return SectionProgress(
        section=section,
        done=sum(1 for i in required if i.status is ItemStatus.DONE),
        required=len(required),
        items=len(items),
    )


class ChecklistModel(QAbstractItemModel):
    """One phase's checklist as a tree: sections at the top, their items below.

    Ticking is a request, not an edit: checking the status box emits ``tick_requested``
    and the widget calls the service, then reloads the model from the service's answer.
    """

    TITLES = ("Item", "Required", "Status", "Assigned to", "Note", "Ticked by", "When")
    COL_LABEL, COL_REQUIRED, COL_STATUS, COL_ASSIGNEE, COL_NOTE, COL_BY, COL_WHEN = range(7)
    # internalId of a section row; item rows carry their section's row + 1.
    _TOP = 0

    tick_requested = Signal(str, str)  # item code, ItemStatus value

    def __init__(self, tz: ZoneInfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        self._groups: list[tuple[str, list[ChecklistItemView]]] = []
        self._editable = False

    def set_zone(self, tz: ZoneInfo) -> None:
        """Times in ``tz`` from now on (the department's, once read)."""
        self._tz = tz

    def set_items(self, items: Sequence[ChecklistItemView]) -> None:
        self.beginResetModel()
        self._groups = group_sections(items)
        self.endResetModel()

    def set_editable(self, editable: bool) -> None:
        if editable != self._editable:
            self.beginResetModel()  # flags change for every row
            self._editable = editable
            self.endResetModel()

    @property
    def editable(self) -> bool:
        return self._editable

    def sections(self) -> list[SectionProgress]:
        return [progress_of(name, items) for name, items in self._groups]

    def items(self) -> list[ChecklistItemView]:
        return [item for _name, items in self._groups for item in items]

    def item_index(self, code: str, column: int = 0) -> QModelIndex:
        for s, (_name, items) in enumerate(self._groups):
            for r, item in enumerate(items):
                if item.item_code == code:
                    return self.createIndex(r, column, s + 1)
        return QModelIndex()

    # -- structure ----------------------------------------------------------------------

    def index(self, row: int, column: int,
              parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, self._TOP)
        if parent.internalId() != self._TOP:
            return QModelIndex()  # items have no children
        return self.createIndex(row, column, parent.row() + 1)

    @overload
    def parent(self) -> QObject | None: ...

    @overload
    def parent(self, index: AnyIndex) -> QModelIndex: ...

    def parent(self, index: AnyIndex | None = None) -> QObject | QModelIndex | None:
        """The parent row of ``index``; without one, the model's QObject parent (both of
        Qt's overloads, so ``model.parent()`` keeps meaning the owner)."""
        if index is None:
            return super().parent()
        if not index.isValid() or index.internalId() == self._TOP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, self._TOP)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._groups)
        if parent.internalId() == self._TOP and parent.column() == 0:
            return len(self._groups[parent.row()][1]) if parent.row() < len(self._groups) else 0
        return 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return len(self.TITLES)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = _DISPLAY) -> str | None:
        return _header(self.TITLES, section, orientation, role)

    def _lookup(self, index: AnyIndex) -> tuple[str, ChecklistItemView | None] | None:
        if not index.isValid() or index.model() is not self:
            return None
        if not 0 <= index.column() < len(self.TITLES):
            return None
        if index.internalId() == self._TOP:
            if not 0 <= index.row() < len(self._groups):
                return None
            return self._groups[index.row()][0], None
        s = index.internalId() - 1
        if not 0 <= s < len(self._groups) or not 0 <= index.row() < len(self._groups[s][1]):
            return None
        name, items = self._groups[s]
        return name, items[index.row()]

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        found = self._lookup(index)
        if found is None:
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        _name, item = found
        if item is not None and index.column() == self.COL_STATUS and self._editable:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        found = self._lookup(index)
        if found is None:
            return None
        name, item = found
        if item is None:
            return self._section_data(index, name, role)
        return self._item_data(index.column(), item, role)

    def _section_data(self, index: AnyIndex, name: str, role: int) -> Any:
        items = self._groups[index.row()][1]
        if role == _DISPLAY and index.column() == self.COL_LABEL:
            p = progress_of(name, items)
            return f"{name} — {p.done}/{p.required} required done"
        if role == Qt.ItemDataRole.FontRole and index.column() == self.COL_LABEL:
            font = QFont()
            font.setBold(True)
            return font
        if role == ChecklistRole.SECTION:
            return name
        if role == ChecklistRole.IS_SECTION:
            return True
        return None

    def _item_data(self, col: int, item: ChecklistItemView, role: int) -> Any:
        if role == _DISPLAY:
            if col == self.COL_LABEL:
                return item.label
            if col == self.COL_REQUIRED:
                return "required" if item.is_required else "optional"
            if col == self.COL_STATUS:
                return ITEM_STATUS_TEXT.get(item.status, item.status.value)
            if col == self.COL_ASSIGNEE:
                return item.assigned_to or ""
            if col == self.COL_NOTE:
                return item.notes or ""
            if col == self.COL_BY:
                return item.completed_by_name or item.completed_by or ""
            return local_text(item.completed_at, self._tz, "%d %b %H:%M")
        if role == Qt.ItemDataRole.CheckStateRole and col == self.COL_STATUS:
            return {
                ItemStatus.DONE: Qt.CheckState.Checked,
                ItemStatus.BLOCKED: Qt.CheckState.PartiallyChecked,
            }.get(item.status, Qt.CheckState.Unchecked)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.COL_LABEL:
                return f"{item.item_code}: {item.label}"
            if col == self.COL_NOTE and item.notes:
                return item.notes
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.COL_STATUS and item.status is ItemStatus.DONE:
                return QBrush(_DONE)
            if col == self.COL_STATUS and item.status is ItemStatus.BLOCKED:
                return QBrush(_BLOCKED)
            if col == self.COL_REQUIRED and not item.is_required:
                return QBrush(_MUTED)
            return None
        if role == ChecklistRole.ITEM:
            return item
        if role == ChecklistRole.ITEM_CODE:
            return item.item_code
        if role == ChecklistRole.SECTION:
            return item.section
        if role == ChecklistRole.IS_SECTION:
            return False
        if role == ChecklistRole.STATUS:
            return item.status.value
        return None

    def setData(self, index: AnyIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        """A click on the status box asks for a tick; the model itself stays as it is
        until the service has answered and the widget reloads it."""
        found = self._lookup(index)
        if (found is None or found[1] is None or role != Qt.ItemDataRole.CheckStateRole
                or index.column() != self.COL_STATUS or not self._editable):
            return False
        checked = _check_value(value) == Qt.CheckState.Checked.value
        target = ItemStatus.DONE if checked else ItemStatus.PENDING
        self.tick_requested.emit(found[1].item_code, target.value)
        return False


def _check_value(value: Any) -> int:
    if isinstance(value, Qt.CheckState):
        return int(value.value)
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


# ---- notes and history ---------------------------------------------------------------------


class NoteRole(IntEnum):
    NOTE = Qt.ItemDataRole.UserRole + 1


class NotesModel(_Rows):
    TITLES = ("When", "Type", "Author", "Note")

    def __init__(self, tz: ZoneInfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tz = tz

    def set_zone(self, tz: ZoneInfo) -> None:
        """Times in ``tz`` from now on (the department's, once read)."""
        self._tz = tz

    def set_notes(self, notes: Sequence[NoteView]) -> None:
        self.beginResetModel()
        self._rows = sorted(notes, key=lambda n: n.created_at, reverse=True)
        self.endResetModel()

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        note: NoteView | None = self._row(index)
        if note is None:
            return None
        col = index.column()
        if role == _DISPLAY:
            return (
                local_text(note.created_at, self._tz, "%d %b %Y %H:%M"),
                NOTE_TYPE_TEXT.get(note.note_type, note.note_type.value),
                note.author_name,
                note.message,
            )[col]
        if role == Qt.ItemDataRole.ToolTipRole and col == 3:
            return note.message
        if role == NoteRole.NOTE:
            return note
        return None


class HistoryRole(IntEnum):
    ENTRY = Qt.ItemDataRole.UserRole + 1


ACTION_TEXT = {
    "create_case": "Created the case",
    "update_case": "Edited the case",
    "schedule_case": "Scheduled",
    "move_case": "Moved",
    "set_status": "Changed the status",
    "status_auto": "Status followed the checklist",
    "view_case": "Opened the patient details",
    "assign_team": "Care team: assigned",
    "remove_team": "Care team: removed",
    "confirm_team": "Confirmed the assignment",
    "add_note": "Added a note",
    "tick_item": "Checklist item",
    "sign_off": "Signed off a checklist",
}
_CONTEXT_KEYS = ("item_code", "username", "phase", "note_type", "reason", "because")


def changes_text(details: dict[str, object]) -> str:
    """``field: before → after`` for each change, then the event's context (item, person)."""
    parts = [f"{key.replace('_', ' ')}: {details[key]}" for key in _CONTEXT_KEYS
             if key in details]
    for key, value in details.items():
        if isinstance(value, dict) and ("before" in value or "after" in value):
            before = value.get("before")
            after = value.get("after")
            parts.append(f"{key.replace('_', ' ')}: {_plain(before)} → {_plain(after)}")
    return "; ".join(parts)


def _plain(value: object) -> str:
    return "—" if value is None or value == "" else str(value)


class HistoryModel(_Rows):
    TITLES = ("When", "Who", "What", "Before → after")

    def __init__(self, tz: ZoneInfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tz = tz

    def set_zone(self, tz: ZoneInfo) -> None:
        """Times in ``tz`` from now on (the department's, once read)."""
        self._tz = tz

    def set_entries(self, entries: Sequence[AuditEntry]) -> None:
        self.beginResetModel()
        self._rows = sorted(entries, key=lambda e: (e.event_time, e.id), reverse=True)
        self.endResetModel()

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        entry: AuditEntry | None = self._row(index)
        if entry is None:
            return None
        col = index.column()
        if role in (_DISPLAY, Qt.ItemDataRole.ToolTipRole):
            if role == Qt.ItemDataRole.ToolTipRole and col != 3:
                return None
            return (
                local_text(entry.event_time, self._tz, "%d %b %Y %H:%M:%S"),
                entry.actor_name or entry.actor or "system",
                ACTION_TEXT.get(entry.action, entry.action),
                changes_text(entry.details),
            )[col]
        if role == HistoryRole.ENTRY:
            return entry
        return None


# ---- my cases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyCaseRow:
    case: CaseSummary
    my_role: TeamRole | None
    confirmed: bool
    waiting: tuple[str, ...]  # what is waiting on the signed-in person, in words


class MyCasesRole(IntEnum):
    CASE_NUMBER = Qt.ItemDataRole.UserRole + 1
    ROW = Qt.ItemDataRole.UserRole + 2
    NEEDS_CONFIRMATION = Qt.ItemDataRole.UserRole + 3


class MyCasesModel(_Rows):
    TITLES = ("When", "Case", "Patient", "Procedure", "Room", "Status", "Your role",
              "Waiting on you")
    COL_CASE, COL_PATIENT, COL_PROCEDURE, COL_WAITING = 1, 2, 3, 7

    def __init__(self, tz: ZoneInfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tz = tz

    def set_zone(self, tz: ZoneInfo) -> None:
        """Times in ``tz`` from now on (the department's, once read)."""
        self._tz = tz

    def set_cases(self, rows: Sequence[MyCaseRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def cases(self) -> list[MyCaseRow]:
        return list(self._rows)

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        row: MyCaseRow | None = self._row(index)
        if row is None:
            return None
        case = row.case
        col = index.column()
        if role == _DISPLAY:
            when = (local_text(case.scheduled_start, self._tz, "%a %d %b %H:%M")
                    if case.scheduled_start else "not placed")
            procedure = case.procedure_name
            if case.laterality.value in ("left", "right", "bilateral"):
                procedure += f" ({case.laterality.value})"
            patient = (MASKED if case.patient_masked
                       else f"{case.patient_name} ({case.patient_id})")
            return (
                when,
                case.case_number,
                patient,
                procedure,
                case.room_code or "—",
                STATUS_TEXT.get(case.status, case.status.value),
                TEAM_ROLE_TEXT.get(row.my_role, "") if row.my_role else "",
                "; ".join(row.waiting) if row.waiting else "nothing",
            )[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == self.COL_WAITING:
            return QBrush(_BLOCKED if row.waiting else _MUTED)
        if role == Qt.ItemDataRole.FontRole and col == self.COL_CASE:
            font = QFont()
            font.setUnderline(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and col == self.COL_CASE:
            return f"Open {case.case_number}"
        if role == MyCasesRole.CASE_NUMBER:
            return case.case_number
        if role == MyCasesRole.ROW:
            return row
        if role == MyCasesRole.NEEDS_CONFIRMATION:
            return not row.confirmed
        return None
