"""What the management screens share: a typed table model, field-error labels, role guards,
and ``ServiceDialog``: service calls through a ``ServiceRunner``, off the GUI thread.

The screens only reflect rights: each constructor refuses an actor the permission matrix
does not allow (so a menu entry the lead forgot to hide still opens nothing), and the
services refuse every call of such an actor anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from enum import IntEnum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QDateTime,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTime,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.permissions import Action, allowed
from surgdesk.errors import BadInput, PermissionDenied, SurgDeskError
from surgdesk.services.context import Actor
from surgdesk.ui.case.common import guarded
from surgdesk.ui.runner import ServiceRunner

T = TypeVar("T")
R = TypeVar("R")
AnyIndex = QModelIndex | QPersistentModelIndex
ERROR_STYLE = "color: #a40000;"
MUTED = QColor("#707070")


class RowRole(IntEnum):
    """Item roles of every management table (the case table adds its own after these)."""

    ROW = Qt.ItemDataRole.UserRole + 1  # the row's DTO itself
    SORT = Qt.ItemDataRole.UserRole + 2  # what the column sorts by (str, int or float)
    KEY = Qt.ItemDataRole.UserRole + 3  # the row's identity: case number, username, id


@dataclass(frozen=True)
class Column(Generic[T]):
    title: str
    text: Callable[[T], str]
    sort: Callable[[T], str | int | float] | None = None
    align_right: bool = False
    tooltip: Callable[[T], str | None] | None = None
    muted: Callable[[T], bool] | None = None


class RowsModel(QAbstractTableModel, Generic[T]):
    """A read-only table of service results (frozen DTOs), one row each.

    ``set_rows`` replaces everything through a model reset: the management screens reload
    from the service after every change, and a reset keeps the proxy's sort and filter.
    """

    def __init__(self, columns: Sequence[Column[T]], key: Callable[[T], object],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._key = key
        self._rows: list[T] = []

    # -- data -------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def set_columns(self, columns: Sequence[Column[T]]) -> None:
        self.beginResetModel()
        self._columns = list(columns)
        self.endResetModel()

    def rows(self) -> list[T]:
        return list(self._rows)

    def row_at(self, row: int) -> T:
        return self._rows[row]

    def row_of(self, key: object) -> int:
        """The row of the item with this key, or -1."""
        return next((n for n, r in enumerate(self._rows) if self._key(r) == key), -1)

    def column_titles(self) -> list[str]:
        return [c.title for c in self._columns]

    # -- QAbstractTableModel ----------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) or not (
            0 <= index.column() < len(self._columns)
        ):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == RowRole.SORT:
            return column.sort(row) if column.sort is not None else column.text(row).lower()
        if role == RowRole.ROW:
            return row
        if role == RowRole.KEY:
            return self._key(row)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row)
        if role == Qt.ItemDataRole.ForegroundRole and column.muted is not None:
            return MUTED if column.muted(row) else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self._columns)):
            return self._columns[section].title
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class FieldErrors:
    """Puts a service's BadInput next to the fields it names, the rest in one general label.

    Each bound field gets a red label right under it; ``bind`` returns the field wrapped
    with its label, ready for a form row.
    """

    def __init__(self, general: QLabel) -> None:
        self.general = general
        self._labels: dict[str, QLabel] = {}
        _style(general)

    def bind(self, name: str, widget: QWidget, *aliases: str) -> QWidget:
        label = QLabel()
        label.setObjectName(f"error_{name}")
        _style(label)
        for key in (name, *aliases):
            self._labels[key] = label
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        # Spin boxes, time edits and combos keep their natural width; text fields stretch.
        if widget.sizePolicy().horizontalPolicy() == QSizePolicy.Policy.Expanding:
            layout.addWidget(widget)
        else:
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(label)
        return box

    def clear(self) -> None:
        for label in {*self._labels.values(), self.general}:
            label.clear()
            label.hide()

    def show(self, exc: SurgDeskError) -> None:
        """Show ``exc``: each problem beside its field, anything else in the general label."""
        self.clear()
        problems = exc.problems if isinstance(exc, BadInput) else [None]
        general: list[str] = []
        for problem in problems:
            field = problem.field if problem is not None else exc.field
            text = problem.reason if problem is not None else exc.message
            label = self._labels.get(field or "")
            if label is None:
                general.append(f"{field}: {text}" if problem is not None and field else text)
                continue
            label.setText(_sentence(text) if not label.text() else f"{label.text()} {text}")
            label.show()
        if general:
            self.general.setText(_sentence("; ".join(general)))
            self.general.show()

    def message(self, name: str) -> str:
        label = self._labels.get(name)
        return label.text() if label is not None and not label.isHidden() else ""

    def say(self, text: str) -> None:
        """A message of our own (not from a service) in the general label."""
        self.clear()
        self.general.setText(text)
        self.general.show()


def _style(label: QLabel) -> None:
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()


def _sentence(text: str) -> str:
    text = text.strip()
    return f"{text[:1].upper()}{text[1:]}" if text else text


def require_screen(actor: Actor, action: Action, screen: str) -> None:
    """Refuse to build a screen the actor's role may not use (DESIGN.md permissions)."""
    if actor.is_device or not allowed(actor.role, action):
        role = actor.role.value if actor.role else "no role"
        raise PermissionDenied(
            f"{actor.username or 'anonymous'} ({role}) may not open the {screen}"
        )


def may_open(actor: Actor, action: Action) -> bool:
    """Whether a menu should offer a screen guarded by ``action`` to this actor."""
    return not actor.is_device and allowed(actor.role, action)


def py_time(value: QTime) -> time:
    return time(value.hour(), value.minute())


def qt_time(value: time) -> QTime:
    return QTime(value.hour, value.minute)


def py_datetime(value: QDateTime) -> datetime:
    """A QDateTimeEdit's wall-clock value as a naive datetime (department time)."""
    d, t = value.date(), value.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())


def qt_datetime(value: datetime) -> QDateTime:
    return QDateTime(QDate(value.year, value.month, value.day),
                     QTime(value.hour, value.minute))


def table_view(name: str, model: QAbstractTableModel) -> QTableView:
    """A read-only, row-selecting, sortable table as every management list uses."""
    view = QTableView()
    view.setObjectName(name)
    proxy = QSortFilterProxyModel(view)
    proxy.setSourceModel(model)
    proxy.setSortRole(RowRole.SORT)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    compact_rows(view)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def compact_rows(view: QTableView) -> None:
    """One text line per row (the default leaves room for two on most styles)."""
    header = view.verticalHeader()
    header.hide()
    header.setDefaultSectionSize(view.fontMetrics().height() + 8)


def selected_row(view: QTableView) -> object | None:
    """The DTO of the selected row of a ``table_view``, or None."""
    rows = view.selectionModel().selectedRows()
    return rows[0].data(RowRole.ROW) if rows else None


def on_select(view: QTableView, kind: type[T], show: Callable[[T], None]) -> None:
    """Call ``show`` with the DTO of each row selected in a ``table_view``."""

    def selected() -> None:
        row = selected_row(view)
        if isinstance(row, kind):
            show(row)

    view.selectionModel().selectionChanged.connect(selected)


def select_key(view: QTableView, key: object) -> bool:
    """Select the row whose key is ``key``; False when there is none."""
    model = view.model()
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if index.data(RowRole.KEY) == key:
            view.selectRow(row)
            view.scrollTo(index)
            return True
    view.clearSelection()
    return False


def fit_columns(view: QTableView, splitter: QSplitter, window: QWidget) -> None:
    """Give a list the width its columns need: each column sized to its text, the list's
    pane of ``splitter`` as wide as the columns, ``window`` widened for it as far as the
    screen allows (columns were cut off at the pane's edge, the last ones unseen)."""
    view.resizeColumnsToContents()
    needed = (view.horizontalHeader().length() + view.verticalScrollBar().sizeHint().width()
              + 2 * view.frameWidth() + 4)
    sizes = splitter.sizes()
    total = sum(sizes)
    others = [splitter.widget(n) for n in range(1, splitter.count())]
    rest = sum(w.minimumSizeHint().width() for w in others if w is not None)
    short = needed + rest - total
    if short > 0:
        screen = window.screen()
        room = (screen.availableGeometry().width() - window.width()
                if screen is not None else short)
        grow = max(0, min(short, room))
        window.resize(window.width() + grow, window.height())
        total += grow
    left = max(min(needed, total - rest), sizes[0] if sizes else 0)
    splitter.setSizes([left, max(total - left, rest)])


def list_and_form(dialog: QDialog, left: QWidget, form: QWidget, below: QWidget, *,
                  sizes: tuple[int, int], height: int) -> QSplitter:
    """The shape of the screens that edit dated things of a record (rooms, equipment
    units): the list on the left, the selected record's form over ``below`` (its
    closures) on the right, Close at the bottom."""
    splitter = QSplitter()
    splitter.addWidget(left)
    right = QWidget()
    right_layout = QVBoxLayout(right)
    right_layout.setContentsMargins(0, 0, 0, 0)
    right_layout.addWidget(form)
    right_layout.addWidget(below, 1)
    splitter.addWidget(right)
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 2)
    splitter.setSizes(list(sizes))
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(splitter, 1)
    layout.addWidget(buttons)
    dialog.resize(sum(sizes), height)
    return splitter


def filter_box(view: QTableView, name: str, placeholder: str) -> QLineEdit:
    """A search line that narrows a ``table_view`` to rows with the text in any column."""
    proxy = view.model()
    assert isinstance(proxy, QSortFilterProxyModel)
    proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    edit.textChanged.connect(proxy.setFilterFixedString)
    return edit


class ServiceDialog(QDialog):
    """A management dialog whose service calls go through a ``ServiceRunner`` (the
    window's, or the dialog's own), off the GUI thread: the answer comes back on it.

    ``write`` is for a change (``last_ok`` then says whether it went through; None while
    under way), ``read`` for a look-up. While one is under way the ``busy_widgets`` (the
    dialog's Save buttons) are off, so a change is not sent twice. An unreachable
    database is reported by the runner, once; the dialog shows what it could not do.
    """

    def _init_calls(self, runner: ServiceRunner | None) -> None:
        self.runner = runner if runner is not None else ServiceRunner(self)
        self.last_ok: bool | None = None
        self.busy_widgets: list[QWidget] = []
        self._under_way = 0

    def write(self, call: Callable[[], R], done: Callable[[R], object],
              failed: Callable[[SurgDeskError], object], what: str = "") -> bool:
        """Start a change; True: started (``last_ok`` tells the outcome once answered)."""
        self.last_ok = None

        def ok(result: R) -> None:
            self.last_ok = True
            done(result)

        def refused(exc: SurgDeskError) -> None:
            self.last_ok = False
            failed(exc)

        self._run(call, ok, refused, what)
        return True

    def read(self, call: Callable[[], R], done: Callable[[R], object],
             failed: Callable[[SurgDeskError], object], what: str = "") -> None:
        """Start a look-up; ``done`` or ``failed`` once answered."""
        self._run(call, done, failed, what)

    def _run(self, call: Callable[[], R], done: Callable[[R], object],
             failed: Callable[[SurgDeskError], object], what: str) -> None:
        self._busy(+1)

        def answered(result: R) -> None:
            self._busy(-1)
            done(result)

        def not_answered(exc: SurgDeskError) -> None:
            self._busy(-1)
            failed(exc)

        self.runner.run(call, done=guarded(self, answered),
                        failed=guarded(self, not_answered), what=what)

    def _busy(self, step: int) -> None:
        self._under_way += step
        for widget in self.busy_widgets:
            widget.setEnabled(self._under_way == 0)
