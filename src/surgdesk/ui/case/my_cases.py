""""My cases": the signed-in person's cases for today and the next days, and what is
waiting on them (an assignment to confirm, checklist items assigned to them, the items the
next step still needs). One click on the case number (or Enter) opens the case.

The list is read through a ``ServiceRunner`` (the window's, or the widget's own), off the
GUI thread; the summary line says "Loading…" meanwhile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.enums import FINAL_STATUSES, CaseStatus, ItemStatus, Section
from surgdesk.errors import SurgDeskError
from surgdesk.services.context import Actor
from surgdesk.services.dto import CaseDetail, CaseSummary
from surgdesk.services.registry import Services
from surgdesk.ui.case.common import ERROR_STYLE, department_zone, guarded
from surgdesk.ui.case.models import MyCaseRow, MyCasesModel, MyCasesRole
from surgdesk.ui.runner import ServiceRunner

RANGES = ((1, "Today"), (2, "Today and tomorrow"), (7, "Today and the next 6 days"),
          (14, "The next 2 weeks"))
# The sections the next step of a case still needs, by its status.
NEXT_GATE: dict[CaseStatus, tuple[str, tuple[Section, ...]]] = {
    CaseStatus.SCHEDULED: ("Readiness", (Section.READINESS,)),
    CaseStatus.PREOP_READY: ("Sign In / Time Out", (Section.SIGN_IN, Section.TIME_OUT)),
    CaseStatus.IN_PROGRESS: ("Sign Out", (Section.SIGN_OUT,)),
}


def waiting_on(detail: CaseDetail, actor: Actor) -> MyCaseRow:
    """What a case waits for from ``actor``, in words."""
    case = detail.case
    member = next((m for m in detail.team if m.user_id == actor.user_id), None)
    waiting: list[str] = []
    confirmed = member is None or member.confirmed
    if case.status in FINAL_STATUSES:
        return MyCaseRow(case, member.role if member else None, True, ())
    if not confirmed:
        waiting.append("Confirm your assignment")
    items = [i for c in detail.checklists for i in c.items]
    mine = [i for i in items if i.assigned_to == actor.username and i.status is not
            ItemStatus.DONE]
    if mine:
        waiting.append(f"{len(mine)} checklist item{'s' if len(mine) != 1 else ''} "
                       "assigned to you")
    gate = NEXT_GATE.get(case.status)
    if gate is not None and case.rights.tick:
        title, sections = gate
        names = {s.value for s in sections}
        left = [i for i in items if i.section in names and i.is_required
                and i.status is not ItemStatus.DONE]
        blocked = [i for i in left if i.status is ItemStatus.BLOCKED]
        if left:
            text = f"{title}: {len(left)} item{'s' if len(left) != 1 else ''} pending"
            if blocked:
                text += f" ({len(blocked)} blocked)"
            waiting.append(text)
    return MyCaseRow(case, member.role if member else None, confirmed, tuple(waiting))


@dataclass(frozen=True)
class MyCasesRead:
    """One read of the list (on the worker thread): the zone when it was not known yet,
    and the rows."""

    tz: ZoneInfo | None
    rows: tuple[MyCaseRow, ...]


class MyCasesWidget(QWidget):
    """``caseActivated(case_number)`` when the user opens a case from the list."""

    caseActivated = Signal(str)  # noqa: N815 (Qt signal naming, as the board wires it)
    caseChanged = Signal(str)  # noqa: N815 (Qt signal naming, as the board wires it)

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None, *,
                 runner: ServiceRunner | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("myCases")
        self.setWindowTitle("My cases")
        self.services = services
        self.actor = actor
        self.runner = runner if runner is not None else ServiceRunner(self)
        # The department's zone, read with the first list.
        self.tz: ZoneInfo | None = None
        self.model = MyCasesModel(ZoneInfo("UTC"), self)
        self.last_ok: bool | None = None

        self.title = QLabel(f"<b>My cases</b> — {actor.display_name}", self)
        self.title.setObjectName("myCasesTitle")
        self.range_box = QComboBox(self)
        self.range_box.setObjectName("myCasesRange")
        for days, text in RANGES:
            self.range_box.addItem(text, days)
        self.range_box.setCurrentIndex(2)
        range_label = QLabel("&Show:", self)
        range_label.setBuddy(self.range_box)
        self.refresh_button = QPushButton("&Refresh", self)
        self.refresh_button.setObjectName("myCasesRefresh")
        self.summary = QLabel(self)
        self.summary.setObjectName("myCasesSummary")

        self.table = QTableView(self)
        self.table.setObjectName("myCasesTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        # What waits on the user gets the room; the other columns fit their text.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(MyCasesModel.COL_WAITING, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)

        self.open_button = QPushButton("&Open case", self)
        self.open_button.setObjectName("myCasesOpen")
        self.confirm_button = QPushButton("&Confirm my assignment", self)
        self.confirm_button.setObjectName("myCasesConfirm")
        self.message = QLabel(self)
        self.message.setObjectName("myCasesMessage")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.hide()

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(range_label)
        top.addWidget(self.range_box)
        top.addWidget(self.refresh_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary)
        bottom.addStretch(1)
        bottom.addWidget(self.confirm_button)
        bottom.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(bottom)
        self.setTabOrder(self.range_box, self.refresh_button)
        self.setTabOrder(self.refresh_button, self.table)
        self.setTabOrder(self.table, self.confirm_button)
        self.setTabOrder(self.confirm_button, self.open_button)

        self.range_box.currentIndexChanged.connect(lambda _i: self.reload())
        self.refresh_button.clicked.connect(self.reload)
        self.table.activated.connect(self._activated)
        self.table.clicked.connect(self._clicked)
        self.open_button.clicked.connect(self._open_current)
        self.confirm_button.clicked.connect(self.confirm_current)
        self.table.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())
        self.reload()

    def today(self) -> date:
        """The department's today (the injected clock, the department's zone)."""
        return self.services.clock.now().astimezone(self.tz or ZoneInfo("UTC")).date()

    def reload(self) -> None:
        """Read the list again (on the runner); shown when the answer is back."""
        days = int(self.range_box.currentData())
        known = self.tz
        self.summary.setText("Loading…")
        self.runner.run(lambda: self._read(known, days), done=guarded(self, self._show),
                        failed=guarded(self, self._read_failed), what="read your cases")

    def _read(self, known: ZoneInfo | None, days: int) -> MyCasesRead:
        """On the worker thread."""
        tz = known or department_zone(self.services, self.actor)
        first = self.services.clock.now().astimezone(tz).date()
        cases: list[CaseSummary] = self.services.cases.my_cases(
            self.actor, date_from=first, date_to=first + timedelta(days=days - 1))
        rows = tuple(waiting_on(self.services.cases.get_case(self.actor, c.case_number),
                                self.actor) for c in cases)
        return MyCasesRead(None if known else tz, rows)

    def _read_failed(self, exc: SurgDeskError) -> None:
        self.summary.setText("")
        self.message.setText(f"Cannot read your cases — {exc}")
        self.message.show()

    def _show(self, read: MyCasesRead) -> None:
        if read.tz is not None:
            self.tz = read.tz
            self.model.set_zone(read.tz)
        rows = list(read.rows)
        current = self.current_case()
        self.message.hide()
        self.model.set_cases(rows)
        waiting = sum(1 for r in rows if r.waiting)
        self.summary.setText(
            f"{len(rows)} case{'s' if len(rows) != 1 else ''} · "
            f"{waiting} waiting on you" if rows else
            "No cases of yours in this range.")
        if current:
            self.select(current)
        elif rows:
            self.table.setCurrentIndex(self.model.index(0, 0))
        self._update_buttons()

    def select(self, case_number: str) -> None:
        for row in range(self.model.rowCount()):
            index = self.model.index(row, 0)
            if index.data(MyCasesRole.CASE_NUMBER) == case_number:
                self.table.setCurrentIndex(index)
                return

    def current_case(self) -> str | None:
        index = self.table.currentIndex()
        value = index.data(MyCasesRole.CASE_NUMBER) if index.isValid() else None
        return str(value) if value else None

    def _update_buttons(self) -> None:
        index = self.table.currentIndex()
        self.open_button.setEnabled(index.isValid())
        needs = bool(index.data(MyCasesRole.NEEDS_CONFIRMATION)) if index.isValid() else False
        self.confirm_button.setEnabled(needs)

    def _activated(self, index: QModelIndex) -> None:
        number = index.data(MyCasesRole.CASE_NUMBER)
        if number:
            self.caseActivated.emit(str(number))

    def _clicked(self, index: QModelIndex) -> None:
        if index.column() == MyCasesModel.COL_CASE:  # the case number works as a link
            self._activated(index)

    def _open_current(self) -> None:
        number = self.current_case()
        if number:
            self.caseActivated.emit(number)

    def confirm_current(self) -> bool:
        """Start confirming the current case's assignment; False when none is chosen."""
        number = self.current_case()
        if number is None:
            return False
        self.last_ok = None

        def done(_result: object) -> None:
            self.last_ok = True
            self.caseChanged.emit(number)
            self.reload()

        def failed(exc: SurgDeskError) -> None:
            self.last_ok = False
            self.message.setText(str(exc))
            self.message.show()

        self.runner.run(lambda: self.services.cases.confirm_assignment(self.actor, number),
                        done=guarded(self, done), failed=guarded(self, failed),
                        what="confirm the assignment")
        return True
