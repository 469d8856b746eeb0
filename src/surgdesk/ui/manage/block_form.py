"""One block's pattern, as a scheduler gives it: room, owner (a surgeon or a service),
weekdays and hours, recurrence (every week, every N weeks, or weeks of the month), valid
from / until and release days; with a live preview of its next dates.

The preview asks ``BlockService.preview_dates`` (through the runner, a moment after the
last keystroke), which validates like ``create``: what the preview says is what saving
would say. Saving creates (with one operation id per form, so a retry after a lost
connection is not a second block) or updates (optimistic lock on the block's version).
"""

from __future__ import annotations

import uuid
from datetime import date, time
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.blocks import DEFAULT_RELEASE_DAYS, EVERY_WEEKS, RELEASE_DAYS
from surgdesk.domain.timezones import zone
from surgdesk.errors import BadInput, SurgDeskError
from surgdesk.services.blocks import BlockFields
from surgdesk.services.context import Actor
from surgdesk.services.dto import BlockView, OccurrenceView
from surgdesk.services.registry import Services
from surgdesk.ui.manage.common import FieldErrors, ServiceDialog, py_time, qt_time
from surgdesk.ui.runner import ServiceRunner

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ORDINALS = ("1st", "2nd", "3rd", "4th", "5th")
PREVIEW_DELAY_MS = 250
PREVIEW_COUNT = 8
WARNING_STYLE = "color: #8a5a00; font-weight: bold;"  # as the rooms screen's clash warning


def py_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def q_date(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def dates_text(days: list[date]) -> str:
    if not days:
        return "No dates from today on."
    return ", ".join(f"{d:%a %d %b %Y}" for d in days)


def clash_text(clashes: dict[date, str]) -> str:
    if not clashes:
        return ""
    first = min(clashes)
    more = f" and {len(clashes) - 1} more of these dates" if len(clashes) > 1 else ""
    return (f"Overlaps {clashes[first]} on {first:%a %d %b %Y}{more} — saving will be "
            "refused.")


def clashes_with(fields: BlockFields, days: list[date], others: list[OccurrenceView],
                 tz: ZoneInfo, block_id: int | None) -> dict[date, str]:
    """A hint while typing (the service decides on save): the previewed dates on which
    another block of the room holds overlapping hours, with its owner and hours."""
    wanted = set(days)
    found: dict[date, str] = {}
    for occ in others:
        start, end = occ.start.astimezone(tz), occ.end.astimezone(tz)
        if occ.block_id == block_id or occ.day not in wanted or occ.day in found:
            continue
        if start.time() < fields.end and fields.start < end.time():
            found[occ.day] = f"{occ.owner_label} {start:%H:%M}–{end:%H:%M}"
    return found


class BlockFormDialog(ServiceDialog):
    """Create a block (``block`` None) or edit one. ``rooms``: room codes; ``surgeons``:
    (username, display name) pairs; ``services``: specialties offered (any may be typed).
    ``saved`` holds the block once the service accepted it."""

    def __init__(self, services: Services, actor: Actor, *, rooms: list[str],
                 surgeons: list[tuple[str, str]], specialties: list[str], today: date,
                 block: BlockView | None = None, parent: QWidget | None = None,
                 runner: ServiceRunner | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("blockForm")
        self._init_calls(runner)
        self.services, self.actor, self.block = services, actor, block
        self.saved: BlockView | None = None
        self.preview: list[date] = []
        self.clashes: dict[date, str] = {}  # previewed dates another block of the room holds
        self._op_id = uuid.uuid4().hex
        self.setWindowTitle(f"Block {block.owner_label}, {block.room_code}" if block
                            else "New block")
        self._build(rooms, surgeons, specialties)
        self._fill(block, today)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh_preview)
        self._watch()
        self.busy_widgets = [self.save_button]
        self.refresh_preview()

    # -- building ---------------------------------------------------------------------

    def _build(self, rooms: list[str], surgeons: list[tuple[str, str]],
               specialties: list[str]) -> None:
        self.room = QComboBox()
        self.room.setObjectName("blockRoom")
        self.room.addItems(rooms)
        self.by_surgeon = QRadioButton("Surgeon")
        self.by_surgeon.setObjectName("blockBySurgeon")
        self.by_service = QRadioButton("Service")
        self.by_service.setObjectName("blockByService")
        kind = QButtonGroup(self)
        kind.addButton(self.by_surgeon)
        kind.addButton(self.by_service)
        self.surgeon = QComboBox()
        self.surgeon.setObjectName("blockSurgeon")
        for username, name in surgeons:
            self.surgeon.addItem(f"{name} ({username})", username)
        self.service = QComboBox()
        self.service.setObjectName("blockService")
        self.service.setEditable(True)
        self.service.addItems(specialties)
        owner = _row(self.by_surgeon, self.surgeon, self.by_service, self.service)
        self.weekdays = [QCheckBox(name) for name in WEEKDAYS]
        for n, box in enumerate(self.weekdays):
            box.setObjectName(f"blockDay{n}")
        self.start = time_edit("blockStart")
        self.end = time_edit("blockEnd")
        self.recurrence = QComboBox()
        self.recurrence.setObjectName("blockRecurrence")
        self.recurrence.addItems(["Every week", "Every N weeks", "Weeks of the month"])
        self.every_weeks = QSpinBox()
        self.every_weeks.setObjectName("blockEveryWeeks")
        self.every_weeks.setRange(EVERY_WEEKS.low, EVERY_WEEKS.high)
        self.every_weeks.setSuffix(" weeks")
        self.weeks_of_month = [QCheckBox(name) for name in ORDINALS]
        for n, box in enumerate(self.weeks_of_month):
            box.setObjectName(f"blockWeekOfMonth{n + 1}")
        self.valid_from = date_edit("blockFrom")
        self.has_until = QCheckBox("until")
        self.has_until.setObjectName("blockHasUntil")
        self.valid_until = date_edit("blockUntil")
        self.default_release = QCheckBox("department default")
        self.default_release.setObjectName("blockDefaultRelease")
        self.release_days = QSpinBox()
        self.release_days.setObjectName("blockReleaseDays")
        self.release_days.setRange(RELEASE_DAYS.low, RELEASE_DAYS.high)
        self.release_days.setSuffix(" days ahead")
        self.preview_label = QLabel()
        self.preview_label.setObjectName("blockPreview")
        self.preview_label.setWordWrap(True)
        # Room for the dates as they arrive (the dialog is not resized under the mouse).
        self.preview_label.setMinimumHeight(3 * self.preview_label.fontMetrics().lineSpacing())
        self.error = QLabel()
        self.error.setObjectName("blockError")
        self.errors = FieldErrors(self.error)
        e = self.errors
        form = QFormLayout()
        form.addRow("&Room", e.bind("room", self.room))
        form.addRow("&Owner", e.bind("owner", owner, "surgeon", "service"))
        form.addRow("&Weekdays", e.bind("weekdays", _row(*self.weekdays)))
        form.addRow("&Hours", e.bind("start", _row(self.start, QLabel("to"), self.end), "end"))
        form.addRow("Re&peat", e.bind("every_weeks", _row(self.recurrence, self.every_weeks,
                                                           *self.weeks_of_month),
                                      "weeks_of_month"))
        form.addRow("&From", e.bind("from", _row(self.valid_from, self.has_until,
                                                 self.valid_until), "until"))
        form.addRow("Re&lease", e.bind("release_days", _row(self.release_days,
                                                            self.default_release)))
        form.addRow("Next dates", self.preview_label)
        self.clash_label = QLabel()
        self.clash_label.setObjectName("blockClash")
        self.clash_label.setWordWrap(True)
        self.clash_label.setStyleSheet(WARNING_STYLE)
        self.clash_label.hide()
        form.addRow("", self.clash_label)
        self.save_button = QPushButton("Save block" if self.block else "Add block")
        self.save_button.setObjectName("blockSave")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _fill(self, block: BlockView | None, today: date) -> None:
        surgeon = block is None or block.surgeon_username is not None
        self.by_surgeon.setChecked(surgeon)
        self.by_service.setChecked(not surgeon)
        if block is None:
            for n, box in enumerate(self.weekdays):
                box.setChecked(n == 0)
            self.start.setTime(qt_time(time(7, 30)))
            self.end.setTime(qt_time(time(15, 30)))
            self.valid_from.setDate(q_date(today))
            self.valid_until.setDate(q_date(today))
            self.default_release.setChecked(True)
            self.release_days.setValue(DEFAULT_RELEASE_DAYS)
            self._sync_enabled()
            return
        self.room.setCurrentText(block.room_code)
        if block.surgeon_username is not None:
            self.surgeon.setCurrentIndex(max(0, self.surgeon.findData(block.surgeon_username)))
        self.service.setCurrentText(block.service or "")
        for n, box in enumerate(self.weekdays):
            box.setChecked(n in block.weekdays)
        self.start.setTime(qt_time(block.start))
        self.end.setTime(qt_time(block.end))
        self.recurrence.setCurrentIndex(2 if block.weeks_of_month else
                                        1 if block.every_weeks > 1 else 0)
        self.every_weeks.setValue(block.every_weeks)
        for n, box in enumerate(self.weeks_of_month):
            box.setChecked(n + 1 in block.weeks_of_month)
        self.valid_from.setDate(q_date(block.valid_from))
        self.has_until.setChecked(block.valid_until is not None)
        self.valid_until.setDate(q_date(block.valid_until or block.valid_from))
        self.default_release.setChecked(block.release_days is None)
        self.release_days.setValue(block.effective_release_days)
        self._sync_enabled()

    def _watch(self) -> None:
        for combo in (self.room, self.surgeon, self.recurrence):
            combo.currentIndexChanged.connect(self._changed)
        self.service.currentTextChanged.connect(self._changed)
        for button in (self.by_surgeon, self.by_service, self.has_until,
                       self.default_release, *self.weekdays, *self.weeks_of_month):
            button.toggled.connect(self._changed)
        for edit in (self.start, self.end):
            edit.timeChanged.connect(self._changed)
        for date_edit in (self.valid_from, self.valid_until):
            date_edit.dateChanged.connect(self._changed)
        for spin in (self.every_weeks, self.release_days):
            spin.valueChanged.connect(self._changed)

    def _changed(self) -> None:
        self._sync_enabled()
        self._timer.start()  # the preview a moment after the last change

    def _sync_enabled(self) -> None:
        self.surgeon.setEnabled(self.by_surgeon.isChecked())
        self.service.setEnabled(self.by_service.isChecked())
        mode = self.recurrence.currentIndex()
        self.every_weeks.setVisible(mode == 1)
        for box in self.weeks_of_month:
            box.setVisible(mode == 2)
        self.valid_until.setEnabled(self.has_until.isChecked())
        self.release_days.setEnabled(not self.default_release.isChecked())

    # -- the pattern ------------------------------------------------------------------

    def fields(self) -> BlockFields:
        """The form as the service takes it (the service validates it)."""
        mode = self.recurrence.currentIndex()
        surgeon = self.by_surgeon.isChecked()
        return BlockFields(
            room=self.room.currentText(),
            surgeon=self.surgeon.currentData() if surgeon else None,
            service=None if surgeon else self.service.currentText(),
            weekdays=tuple(n for n, box in enumerate(self.weekdays) if box.isChecked()),
            start=py_time(self.start.time()),
            end=py_time(self.end.time()),
            every_weeks=self.every_weeks.value() if mode == 1 else 1,
            weeks_of_month=tuple(n + 1 for n, box in enumerate(self.weeks_of_month)
                                 if box.isChecked()) if mode == 2 else (),
            valid_from=py_date(self.valid_from.date()),
            valid_until=py_date(self.valid_until.date()) if self.has_until.isChecked()
            else None,
            release_days=None if self.default_release.isChecked()
            else self.release_days.value(),
        )

    def refresh_preview(self) -> None:
        """Ask for the pattern's next dates; the answer (or why there are none) shows under
        the form and the problems beside their fields."""
        self._timer.stop()
        fields = self.fields()
        block_id = self.block.id if self.block is not None else None
        services, actor = self.services, self.actor

        def call() -> tuple[list[date], dict[date, str]]:
            days = services.blocks.preview_dates(actor, fields, count=PREVIEW_COUNT)
            if not days:
                return days, {}
            tz = zone(services.settings.get(actor).time_zone)
            others = services.blocks.occurrences(actor, days[0], days[-1], room=fields.room)
            return days, clashes_with(fields, days, others, tz, block_id)

        def shown(answer: tuple[list[date], dict[date, str]]) -> None:
            if fields != self.fields():
                return  # changed meanwhile: its own preview follows
            self.preview, self.clashes = answer
            self.errors.clear()
            self.preview_label.setText(dates_text(self.preview))
            self.clash_label.setText(clash_text(self.clashes))
            self.clash_label.setVisible(bool(self.clashes))

        def refused(exc: SurgDeskError) -> None:
            if fields != self.fields():
                return
            self.preview, self.clashes = [], {}
            self.clash_label.hide()
            if isinstance(exc, BadInput):
                self.preview_label.setText("No preview until the pattern is valid.")
                self.errors.show(exc)
            else:  # an overlap with another block, say: named in the preview
                self.preview_label.setText(f"No preview — {exc}")

        self.read(call, shown, refused, "preview the block's dates")

    def save(self) -> bool:
        fields = self.fields()
        block, op_id = self.block, self._op_id

        def saved(result: BlockView) -> None:
            self.saved = result
            self.accept()

        if block is None:
            return self.write(lambda: self.services.blocks.create(self.actor, fields,
                                                                  op_id=op_id),
                              saved, self.errors.show, "add the block")
        return self.write(lambda: self.services.blocks.update(self.actor, block.id,
                                                              block.version, fields),
                          saved, self.errors.show, "save the block")


def _row(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return box


def time_edit(name: str) -> QTimeEdit:
    edit = QTimeEdit()
    edit.setObjectName(name)
    edit.setDisplayFormat("HH:mm")
    return edit


def date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setObjectName(name)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("ddd dd MMM yyyy")
    return edit
