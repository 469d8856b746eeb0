"""Block utilization over a range of dates (``BlockService.usage``), per block and summed,
released minutes apart, with the definition beside the number (issue 14 item 5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from surgdesk.errors import SurgDeskError
from surgdesk.services.dto import BlockUsageReport, BlockUsageRow
from surgdesk.ui.manage.block_form import date_edit, py_date, q_date
from surgdesk.ui.manage.common import Column, FieldErrors, RowsModel, table_view

# ``ServiceDialog.read`` of the dialog: (call, done, failed, what), off the GUI thread.
Reader = Callable[..., None]


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}".replace("%", " %")


def usage_columns() -> list[Column[BlockUsageRow]]:
    return [
        Column("Room", lambda r: r.room_code),
        Column("Owner", lambda r: r.owner_label),
        Column("Dates", lambda r: str(r.occurrences), sort=lambda r: r.occurrences,
               align_right=True),
        Column("Block min", lambda r: str(r.block_minutes), sort=lambda r: r.block_minutes,
               align_right=True),
        Column("Used min", lambda r: str(r.used_minutes), sort=lambda r: r.used_minutes,
               align_right=True),
        Column("Utilization", lambda r: percent(r.utilization),
               sort=lambda r: -1.0 if r.utilization is None else r.utilization,
               align_right=True),
        Column("Released", lambda r: f"{r.released_minutes} min "
               f"({r.released_occurrences} dates)", sort=lambda r: r.released_minutes,
               align_right=True),
    ]


def total_text(report: BlockUsageReport) -> str:
    return (f"Block utilization {percent(report.utilization)} — {report.used_minutes} of "
            f"{report.block_minutes} block minutes used, {report.first:%d %b %Y} to "
            f"{report.last:%d %b %Y}; {report.released_minutes} min released (apart).")


class UsagePanel(QWidget):
    """A range, a room (the dialog's filter), and the report."""

    def __init__(self, read: Reader, usage: Callable[[date, date], BlockUsageReport],
                 today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._read, self._usage = read, usage
        self.report: BlockUsageReport | None = None
        self.first = date_edit("usageFrom")
        self.last = date_edit("usageTo")
        self.set_range(today - timedelta(days=28), today - timedelta(days=1))
        show = QPushButton("Show")
        show.setObjectName("usageShow")
        show.clicked.connect(self.refresh)
        self.rows = RowsModel(usage_columns(), key=lambda r: (r.block_id, r.day), parent=self)
        self.view = table_view("usageTable", self.rows)
        self.total = QLabel()
        self.total.setObjectName("usageTotal")
        self.total.setWordWrap(True)
        self.definition = QLabel()
        self.definition.setObjectName("usageDefinition")
        self.definition.setWordWrap(True)
        self.definition.setStyleSheet("color: #505050;")
        self.error = QLabel()
        self.error.setObjectName("usageError")
        self.errors = FieldErrors(self.error)
        range_row = QHBoxLayout()
        range_row.addWidget(self.errors.bind("first", self.first, "from"))
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.errors.bind("last", self.last, "to"))
        range_row.addWidget(show)
        range_row.addStretch(1)
        form = QFormLayout()
        form.addRow("Dates", range_row)
        figures = QHBoxLayout()  # the number, and beside it what it means
        figures.addWidget(self.total, 1)
        figures.addWidget(self.definition, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(figures)
        layout.addWidget(self.view, 1)

    def set_range(self, first: date, last: date) -> None:
        self.first.setDate(q_date(first))
        self.last.setDate(q_date(last))

    def refresh(self) -> None:
        first, last = py_date(self.first.date()), py_date(self.last.date())
        self.errors.clear()
        self._read(lambda: self._usage(first, last), self._show, self._failed,
                   "compute block utilization")

    def _show(self, report: BlockUsageReport) -> None:
        self.report = report
        self.rows.set_rows(report.rows)
        self.view.resizeColumnsToContents()
        self.total.setText(total_text(report))
        self.definition.setText(report.definition)

    def _failed(self, exc: SurgDeskError) -> None:
        self.report = None
        self.rows.set_rows([])
        self.total.clear()
        self.errors.show(exc)
