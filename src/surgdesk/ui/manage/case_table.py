"""The case table (``caseTable``): every case of a date range, sorted and filtered.

The source model holds what ``CaseService.list_cases`` returned for the range; room,
status, surgeon, priority and text narrow it in a QSortFilterProxyModel without another
read. Patient columns exist only for roles that may ever see a patient (DESIGN.md): a
viewer or a wall display gets none; a clinician sees "masked" on cases whose care team
they are not on, because the service sent ``None`` there.

The range is read through a ``ServiceRunner`` (the window's, or the widget's own), off the
GUI thread; the count line says "Loading…" meanwhile. The department's zone (for "today"
and the times shown) comes with the first read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.enums import CaseStatus, Laterality, Priority
from surgdesk.domain.permissions import Action, grant_for
from surgdesk.domain.timezones import zone
from surgdesk.errors import SurgDeskError
from surgdesk.services.context import Actor
from surgdesk.services.dto import CaseSummary
from surgdesk.services.registry import Services
from surgdesk.ui.case.common import MASKED, PRIORITY_TEXT, STATUS_TEXT, guarded
from surgdesk.ui.manage.common import Column, RowRole, RowsModel, compact_rows
from surgdesk.ui.runner import ServiceRunner

DEFAULT_SPAN_DAYS = 14

LATERALITY_TEXT = {
    Laterality.LEFT: "left",
    Laterality.RIGHT: "right",
    Laterality.BILATERAL: "bilateral",
    Laterality.NOT_APPLICABLE: "",
}
STATUS_ORDER = {status: n for n, status in enumerate(CaseStatus)}
PRIORITY_ORDER = {Priority.EMERGENCY: 0, Priority.URGENT: 1, Priority.ELECTIVE: 2}


def procedure_text(case: CaseSummary) -> str:
    side = LATERALITY_TEXT[case.laterality]
    return f"{case.procedure_name} ({side})" if side else case.procedure_name


def shows_patient_columns(actor: Actor) -> bool:
    """A role that may see some patients gets the columns; viewers and devices never."""
    return not actor.is_device and grant_for(actor.role, Action.SEE_PATIENT) is not None


def case_columns(tz: ZoneInfo, *, patients: bool) -> list[Column[CaseSummary]]:
    def local(value: datetime | None) -> datetime | None:
        return value.astimezone(tz) if value is not None else None

    def day(c: CaseSummary) -> str:
        start = local(c.scheduled_start)
        return f"{start:%a %d %b %Y}" if start else ""

    def hours(c: CaseSummary) -> str:
        start, end = local(c.scheduled_start), local(c.scheduled_end)
        return f"{start:%H:%M}–{end:%H:%M}" if start and end else ""

    def when(c: CaseSummary) -> float:
        return c.scheduled_start.timestamp() if c.scheduled_start else float("inf")

    columns: list[Column[CaseSummary]] = [
        Column("Case", lambda c: c.case_number),
        Column("Date", day, sort=when),
        Column("Time", hours, sort=when),
        Column("Room", lambda c: c.room_code or ""),
        Column("Procedure", procedure_text),
        Column("Specialty", lambda c: c.specialty),
        Column("Surgeon", lambda c: c.lead_surgeon_name),
        Column("Anesthetist", lambda c: c.anesthetist_name or ""),
        Column("Priority", lambda c: PRIORITY_TEXT[c.priority],
               sort=lambda c: PRIORITY_ORDER[c.priority]),
        Column("Status", lambda c: STATUS_TEXT[c.status],
               sort=lambda c: STATUS_ORDER[c.status]),
        Column("Checklist", lambda c: f"{c.checklist_done}/{c.checklist_total}",
               sort=lambda c: c.checklist_done / c.checklist_total if c.checklist_total else 0.0,
               align_right=True),
    ]
    if patients:
        columns += [
            Column("Patient", lambda c: c.patient_name or MASKED,
                   muted=lambda c: c.patient_masked),
            Column("MRN", lambda c: c.patient_id or MASKED, muted=lambda c: c.patient_masked),
        ]
    return columns


class CaseTableModel(RowsModel[CaseSummary]):
    def __init__(self, tz: ZoneInfo, *, patients: bool, parent: QWidget | None = None) -> None:
        super().__init__(case_columns(tz, patients=patients), key=lambda c: c.case_number,
                         parent=parent)
        self._patients = patients

    def set_zone(self, tz: ZoneInfo) -> None:
        """Times in ``tz`` from now on (the department's, once read)."""
        self.set_columns(case_columns(tz, patients=self._patients))


@dataclass(frozen=True)
class CaseRange:
    """One read (on the worker thread): the range read, its cases, and the zone when it
    was not known yet."""

    first: date
    last: date
    cases: tuple[CaseSummary, ...]
    tz: ZoneInfo | None = None


class CaseFilterProxy(QSortFilterProxyModel):
    """Room, status, surgeon and priority (None: any) and free text, all at once."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.room: str | None = None
        self.status: CaseStatus | None = None
        self.surgeon: str | None = None  # username
        self.priority: Priority | None = None
        self.text = ""
        self.setSortRole(RowRole.SORT)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_filters(self, *, room: str | None = None, status: CaseStatus | None = None,
                    surgeon: str | None = None, priority: Priority | None = None,
                    text: str = "") -> None:
        self._change_filter()
        # QComboBox hands enum data back as plain strings; make them enums again.
        self.room, self.surgeon = room, surgeon
        self.status = CaseStatus(status) if status is not None else None
        self.priority = Priority(priority) if priority is not None else None
        self.text = text.strip().lower()
        self._filter_changed()

    def _change_filter(self) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9
            self.beginFilterChange()

    def _filter_changed(self) -> None:
        # invalidateFilter() is deprecated from Qt 6.10 in favour of begin/endFilterChange.
        if hasattr(self, "endFilterChange"):
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - Qt < 6.10
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int,
                         source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, CaseTableModel) or source_parent.isValid():
            return True
        case = model.row_at(source_row)
        if self.room is not None and case.room_code != self.room:
            return False
        if self.status is not None and case.status is not self.status:
            return False
        if self.surgeon is not None and case.lead_surgeon_username != self.surgeon:
            return False
        if self.priority is not None and case.priority is not self.priority:
            return False
        return not self.text or self.text in _haystack(case)


def _haystack(case: CaseSummary) -> str:
    parts = [case.case_number, case.procedure_name, case.specialty, case.room_code,
             case.lead_surgeon_name, case.lead_surgeon_username, case.anesthetist_name,
             case.patient_name, case.patient_id]
    return " ".join(p for p in parts if p).lower()


class CaseTableWidget(QWidget):
    """Date range, filters and the table; double-click emits ``caseActivated(number)``."""

    caseActivated = Signal(str)  # noqa: N815 (the name the main window connects to)

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None,
                 *, start: date | None = None, days: int = DEFAULT_SPAN_DAYS,
                 runner: ServiceRunner | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseTableWidget")
        self.services = services
        self.actor = actor
        self.runner = runner if runner is not None else ServiceRunner(self)
        # The department's zone comes with the first read; until then the range starts
        # at ``start`` or (replaced by the department's today) the clock's UTC day.
        self.tz: ZoneInfo | None = None
        self._today_pending = start is None
        self._days = days
        today = start or services.clock.now().date()

        self.model = CaseTableModel(ZoneInfo("UTC"), patients=shows_patient_columns(actor),
                                    parent=self)
        self.proxy = CaseFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.date_from = _date_edit("caseTableFrom", today)
        self.date_to = _date_edit("caseTableTo", today + timedelta(days=days - 1))
        self.room_filter = _combo("caseTableRoom")
        self.status_filter = _combo("caseTableStatus")
        self.surgeon_filter = _combo("caseTableSurgeon")
        self.priority_filter = _combo("caseTablePriority")
        self.text_filter = QLineEdit()
        self.text_filter.setObjectName("caseTableSearch")
        patients = ", patient" if shows_patient_columns(actor) else ""
        self.text_filter.setPlaceholderText(f"Search case, procedure, surgeon{patients}")
        self.text_filter.setClearButtonEnabled(True)
        self.count = QLabel()
        self.count.setObjectName("caseTableCount")
        self.error = QLabel()
        self.error.setStyleSheet("color: #a40000;")
        self.error.hide()
        reload_button = QPushButton("Reload")
        reload_button.setObjectName("caseTableReload")

        self.status_filter.addItem("All statuses", None)
        for status in CaseStatus:
            self.status_filter.addItem(STATUS_TEXT[status], status)
        self.priority_filter.addItem("All priorities", None)
        for priority in Priority:
            self.priority_filter.addItem(PRIORITY_TEXT[priority], priority)

        self.view = QTableView()
        self.view.setObjectName("caseTable")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        compact_rows(self.view)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.doubleClicked.connect(self._activated)

        # Two short rows rather than one long one: the main window shows this in a dock.
        dates = QHBoxLayout()
        dates.addWidget(QLabel("From"))
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.date_to)
        dates.addWidget(reload_button)
        dates.addWidget(self.text_filter, 1)
        filters = QHBoxLayout()
        for combo in (self.room_filter, self.status_filter, self.surgeon_filter,
                      self.priority_filter):
            filters.addWidget(combo)
        filters.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(dates)
        layout.addLayout(filters)
        layout.addWidget(self.error)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count)

        self.date_from.dateChanged.connect(self.reload)
        self.date_to.dateChanged.connect(self.reload)
        reload_button.clicked.connect(self.reload)
        for combo in (self.room_filter, self.status_filter, self.surgeon_filter,
                      self.priority_filter):
            combo.currentIndexChanged.connect(self._apply_filters)
        self.text_filter.textChanged.connect(self._apply_filters)
        self.reload()

    # -- loading ----------------------------------------------------------------------

    def set_range(self, first: date, last: date) -> None:
        self.date_from.blockSignals(True)
        self.date_from.setDate(QDate(first.year, first.month, first.day))
        self.date_from.blockSignals(False)
        self.date_to.setDate(QDate(last.year, last.month, last.day))
        self.reload()

    def reload(self) -> None:
        """Read the range again (on the runner); shown when the answer is back."""
        first = _py_date(self.date_from.date())
        last = _py_date(self.date_to.date())
        self.error.hide()
        if last < first and not self._today_pending:
            self._fail("The end date is before the start date.")
            return
        self.count.setText("Loading…")
        self.runner.run(lambda: self._read(first, last, self.tz, self._today_pending),
                        done=guarded(self, self._show), failed=guarded(self, self._failed),
                        what="list the cases")

    def _read(self, first: date, last: date, known: ZoneInfo | None,
              from_today: bool) -> CaseRange:
        """On the worker thread: the zone (once), then the cases of the range."""
        tz = known or zone(self.services.settings.get(self.actor).time_zone)
        if from_today:
            first = self.services.clock.now().astimezone(tz).date()
            last = first + timedelta(days=self._days - 1)
        cases = self.services.cases.list_cases(self.actor, date_from=first, date_to=last)
        return CaseRange(first, last, tuple(cases), None if known else tz)

    def _failed(self, exc: SurgDeskError) -> None:
        self._fail(str(exc))

    def _show(self, read: CaseRange) -> None:
        if read.tz is not None:
            self.tz = read.tz
            self.model.set_zone(read.tz)
        if self._today_pending:
            self._today_pending = False
            for edit, value in ((self.date_from, read.first), (self.date_to, read.last)):
                edit.blockSignals(True)
                edit.setDate(QDate(value.year, value.month, value.day))
                edit.blockSignals(False)
        self.model.set_rows(read.cases)
        self._refill_choices(read.cases)
        self._apply_filters()
        self.view.resizeColumnsToContents()

    def _fail(self, message: str) -> None:
        self.model.set_rows([])
        self.error.setText(message)
        self.error.show()
        self._update_count()

    def _refill_choices(self, cases: Sequence[CaseSummary]) -> None:
        rooms = sorted({c.room_code for c in cases if c.room_code})
        surgeons = sorted({(c.lead_surgeon_name, c.lead_surgeon_username) for c in cases})
        _refill(self.room_filter, "All rooms", [(code, code) for code in rooms])
        _refill(self.surgeon_filter, "All surgeons", surgeons)

    def _apply_filters(self) -> None:
        self.proxy.set_filters(
            room=self.room_filter.currentData(),
            status=self.status_filter.currentData(),
            surgeon=self.surgeon_filter.currentData(),
            priority=self.priority_filter.currentData(),
            text=self.text_filter.text(),
        )
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count.setText(f"{shown} of {total} cases" if shown != total else f"{total} cases")

    # -- reading back -----------------------------------------------------------------

    def visible_case_numbers(self) -> list[str]:
        """The case numbers as the table shows them now (filtered, sorted)."""
        return [str(self.proxy.index(r, 0).data(RowRole.KEY))
                for r in range(self.proxy.rowCount())]

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.caseActivated.emit(str(index.data(RowRole.KEY)))


def _date_edit(name: str, value: date) -> QDateEdit:
    edit = QDateEdit(QDate(value.year, value.month, value.day))
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("ddd dd MMM yyyy")
    return edit


def _combo(name: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(name)
    combo.setSizeAdjustPolicy(
        QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(12)
    return combo


def _refill(combo: QComboBox, everything: str, choices: Sequence[tuple[str, str]]) -> None:
    """Replace a combo's choices, keeping the current one when it is still there."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(everything, None)
    for text, value in choices:
        combo.addItem(text, value)
    found = combo.findData(current) if current is not None else 0
    combo.setCurrentIndex(max(found, 0))
    combo.blockSignals(False)


def _py_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())
