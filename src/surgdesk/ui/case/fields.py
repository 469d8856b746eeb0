"""The case form's fields: building them, reading and writing their values, and the checks
made as you type (``CaseFields``, the base of ``CaseFormDialog``).

The checks mirror the service's so Save is enabled only when the form is valid; the limits
come from ``domain.limits`` (declared once), and the service checks everything again.
"""

from __future__ import annotations

import enum
import itertools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QTime
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDateEdit,
    QDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QWidget,
)

from surgdesk.domain.enums import CaseStatus, Laterality, Priority, RoomStatus
from surgdesk.domain.limits import (
    CASE_DURATION,
    DEFAULT_CASE_DURATION_MIN,
    EARLIEST_DOB,
    IDENT_MAX,
    NAME_MAX,
    TEXT_MAX,
    dob_problem,
)
from surgdesk.domain.timezones import LocalTimeError, to_utc
from surgdesk.services.case_checks import CaseCheckService
from surgdesk.services.context import Actor
from surgdesk.services.dto import CaseDetail, EquipmentUnitView, RoomView, UserView
from surgdesk.services.registry import Services
from surgdesk.ui.case.common import (
    ERROR_STYLE,
    LATERALITY_TEXT,
    MASKED,
    PRIORITY_TEXT,
    STATUS_TEXT,
    camel,
    error_label,
)
from surgdesk.ui.case.equipment_field import EquipmentField
from surgdesk.ui.runner import ServiceRunner

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
PATIENT_FIELDS = ("patient_name", "patient_id", "patient_dob")
# The fields ``update_case`` takes, in the form's order.
EDIT_FIELDS = (*PATIENT_FIELDS, "procedure_name", "laterality", "specialty", "priority",
               "lead_surgeon", "anesthetist")
PLACE_FIELDS = ("room", "start", "duration_min")
# What the service calls a field, where the form shows it.
FIELD_ALIASES = {"estimated_duration_min": "duration_min", "end": "duration_min",
                 "username": "lead_surgeon", "units": "equipment"}
FIELD_TITLES = {
    "patient_name": "Patient name", "patient_id": "Patient id (MRN)",
    "patient_dob": "Date of birth", "procedure_name": "Procedure", "laterality": "Laterality",
    "specialty": "Specialty", "priority": "Priority", "lead_surgeon": "Lead surgeon",
    "anesthetist": "Anesthetist", "room": "Room", "start": "Start",
    "duration_min": "Duration", "status": "Status", "reason": "Reason",
    "equipment": "Equipment",
}
# The date of birth picker's "not given": the day before the earliest date it takes,
# shown as text (a QDateEdit always holds some date).
NO_DOB = EARLIEST_DOB - timedelta(days=1)
NO_DOB_TEXT = "— not given —"
CHOOSE_TEXT = "— choose —"


@dataclass(frozen=True)
class FormChoices:
    """What the pickers offer, and the department's zone, read once when the form opens."""

    tz: ZoneInfo
    surgeons: tuple[UserView, ...] = ()
    anesthetists: tuple[UserView, ...] = ()
    rooms: tuple[RoomView, ...] = ()
    kinds: tuple[str, ...] = ()  # active equipment kinds, and the units to pick from
    units: tuple[EquipmentUnitView, ...] = ()


def text_problem(value: str, *, required: bool, max_len: int) -> str | None:
    text = value.strip()
    if not text:
        return "is required" if required else None
    if len(text) > max_len:
        return f"must be at most {max_len} characters"
    if _CONTROL.search(text):
        return "must not contain control characters"
    return None


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


class CaseFields(QDialog):
    """The fields of the Case tab, their values and their checks. The dialog
    (``CaseFormDialog``) adds loading, rights, the other tabs and saving."""

    services: Services
    checks: CaseCheckService
    actor: Actor
    runner: ServiceRunner
    case_number: str | None
    detail: CaseDetail | None

    def _init_fields(self) -> None:
        self.tz: ZoneInfo = ZoneInfo("UTC")  # the department's, once the choices are read
        self.last_message = ""
        self.open_error: str | None = None
        self._problems: dict[str, str] = {}
        self._server_problems: dict[str, str] = {}
        self._server_values: dict[str, Any] = {}
        self._syncing = False
        self._busy: str | None = None  # "Loading…", "Saving…" while a call is under way
        self.can_edit = False
        self.can_place = False
        self.patient_masked = False
        self.base: dict[str, Any] = {}
        self.rooms: list[RoomView] = []
        self.surgeons: list[UserView] = []
        self.anesthetists: list[UserView] = []
        # Signals fire while the fields are built and filled: no validation until loaded.
        self._loading = True

    # ---- building ----------------------------------------------------------------------

    def _field(self, grid: QGridLayout, row: int, key: str, text: str, widget: QWidget,
               extra: QWidget | None = None) -> None:
        """A row: label (with mnemonic, buddy = the field), the field, its message under."""
        widget.setObjectName(camel(key))
        label = QLabel(text, self)
        label.setBuddy(widget)
        label.setObjectName(f"{camel(key)}Label")
        err = error_label(camel(key), self)
        self.errors[key] = err
        self.inputs[key] = widget
        grid.addWidget(label, row * 2, 0)
        if extra is not None:
            box = QHBoxLayout()
            box.addWidget(widget, 1)
            box.addWidget(extra)
            grid.addLayout(box, row * 2, 1)
        else:
            grid.addWidget(widget, row * 2, 1)
        grid.addWidget(err, row * 2 + 1, 1)

    def _group(self, title: str) -> tuple[QGroupBox, QGridLayout]:
        box = QGroupBox(title, self)
        grid = QGridLayout(box)
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(2)
        grid.setColumnMinimumWidth(0, 110)
        grid.setRowStretch(99, 1)  # fields at the top, whatever the neighbour's height
        return box, grid

    def _build_fields(self) -> QWidget:
        """The Case tab: patient, procedure, people, time and place, status."""
        self.errors: dict[str, QLabel] = {}
        self.inputs: dict[str, QWidget] = {}
        page = QWidget(self)
        page.setObjectName("caseFormPage")
        columns = QGridLayout(page)
        columns.addWidget(self._patient_box(), 0, 0)
        columns.addWidget(self._procedure_box(), 1, 0)
        columns.addWidget(self._people_box(), 0, 1)
        columns.addWidget(self._place_box(), 1, 1)
        columns.addWidget(self._equipment_box(), 2, 0)
        columns.addWidget(self._status_box(), 2, 1)
        columns.setColumnStretch(0, 1)
        columns.setColumnStretch(1, 1)
        columns.setRowStretch(3, 1)
        self._build_buttons()
        self._wire_fields()
        return page

    def _patient_box(self) -> QGroupBox:
        self.patient_name = QLineEdit(self)
        self.patient_name.setMaxLength(NAME_MAX + 1)  # one more: "at most" is then said
        self.patient_id = QLineEdit(self)
        self.patient_id.setMaxLength(IDENT_MAX + 1)
        # Picked, not typed: bounded by the earliest date of birth and the department's
        # today (set once its zone is known); the minimum itself means "not given".
        self.patient_dob = QDateEdit(self)
        self.patient_dob.setCalendarPopup(True)
        self.patient_dob.setDisplayFormat("yyyy-MM-dd")
        self.patient_dob.setMinimumDate(_qdate(NO_DOB))
        self.patient_dob.setSpecialValueText(NO_DOB_TEXT)
        self.patient_dob.setDate(_qdate(NO_DOB))
        self.patient_dob.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        box, g = self._group("Patient")
        self._field(g, 0, "patient_name", "Patient &name", self.patient_name)
        self._field(g, 1, "patient_id", "Patient &id (MRN)", self.patient_id)
        self._field(g, 2, "patient_dob", "Date of &birth", self.patient_dob)
        self.masked_note = QLabel("Patient details are masked for your role.", self)
        self.masked_note.setObjectName("patientMaskedNote")
        self.masked_note.setStyleSheet("color: #6b6b6b; font-style: italic;")
        self.masked_note.hide()
        g.addWidget(self.masked_note, 6, 0, 1, 2)
        return box

    def _procedure_box(self) -> QGroupBox:
        self.procedure = QLineEdit(self)
        self.procedure.setMaxLength(NAME_MAX + 1)
        # No default: not_applicable is a choice a person makes (the wrong-site guard).
        self.laterality = QComboBox(self)
        self.laterality.addItem(CHOOSE_TEXT, None)
        for lat in Laterality:
            self.laterality.addItem(LATERALITY_TEXT[lat], lat.value)
        self.specialty = QComboBox(self)
        self.specialty.setEditable(True)
        line = self.specialty.lineEdit()
        if line is not None:
            line.setPlaceholderText("the lead surgeon's")
            line.setMaxLength(IDENT_MAX + 1)
        self.priority = QComboBox(self)
        for prio in Priority:
            self.priority.addItem(PRIORITY_TEXT[prio], prio.value)
        box, g = self._group("Procedure")
        self._field(g, 0, "procedure_name", "&Procedure", self.procedure)
        self._field(g, 1, "laterality", "&Laterality", self.laterality)
        self._field(g, 2, "specialty", "Specialt&y", self.specialty)
        self._field(g, 3, "priority", "P&riority", self.priority)
        self.card_note = QLabel(self)  # "Filled from …'s card" (card_panel.CardFill)
        self.card_note.setObjectName("cardNote")
        self.card_note.setWordWrap(True)
        self.card_note.hide()
        g.addWidget(self.card_note, 8, 0, 1, 2)
        return box

    def _equipment_box(self) -> QGroupBox:
        self.equipment = EquipmentField(self)
        box, g = self._group("Equipment")
        self._field(g, 0, "equipment", "E&quipment", self.equipment)
        return box

    def _people_box(self) -> QGroupBox:
        self.lead_surgeon = QComboBox(self)
        self.anesthetist = QComboBox(self)
        box, g = self._group("People")
        self._field(g, 0, "lead_surgeon", "Lead sur&geon", self.lead_surgeon)
        self._field(g, 1, "anesthetist", "&Anesthetist", self.anesthetist)
        return box

    def _place_box(self) -> QGroupBox:
        self.room = QComboBox(self)
        self.start_date = QDateEdit(self)
        self.start_date.setCalendarPopup(True)
        self.start_date.setDisplayFormat("ddd dd MMM yyyy")
        self.start_time = QTimeEdit(self)
        self.start_time.setDisplayFormat("HH:mm")
        self.start_time.setObjectName("startTime")
        self.duration = QSpinBox(self)
        self.duration.setRange(CASE_DURATION.low, CASE_DURATION.high)
        self.duration.setSingleStep(15)
        self.duration.setSuffix(" min")
        self.duration.setValue(DEFAULT_CASE_DURATION_MIN)
        self.end_time = QTimeEdit(self)
        self.end_time.setDisplayFormat("HH:mm")
        self.end_time.setObjectName("endTime")
        self.end_day = QLabel(self)
        self.end_day.setObjectName("endDayNote")
        self.zone_note = QLabel(self)
        self.zone_note.setObjectName("zoneNote")
        self.zone_note.setStyleSheet("color: #6b6b6b;")
        box, g = self._group("Time and place")
        self._field(g, 0, "room", "Roo&m", self.room)
        self._field(g, 1, "start", "&Start", self.start_date, self.start_time)
        self._field(g, 2, "duration_min", "&Duration", self.duration)
        end_row = QHBoxLayout()
        end_row.addWidget(self.end_time)
        end_row.addWidget(self.end_day)
        end_row.addStretch(1)
        end_label = QLabel("&End", self)
        end_label.setBuddy(self.end_time)
        g.addWidget(end_label, 6, 0)
        g.addLayout(end_row, 6, 1)
        g.addWidget(self.zone_note, 7, 1)
        return box

    def _status_box(self) -> QGroupBox:
        self.status = QComboBox(self)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("why — kept as a note on the case")
        self.reason.setMaxLength(TEXT_MAX + 1)
        box, g = self._group("Status")
        self._field(g, 0, "status", "Stat&us", self.status)
        self._field(g, 1, "reason", "Reason (&why)", self.reason)
        self.reason_label = self.findChild(QLabel, "reasonLabel")
        self.conflicts = QLabel(self)
        self.conflicts.setObjectName("caseConflicts")
        self.conflicts.setStyleSheet("color: #8a5a00;")
        self.conflicts.setWordWrap(True)
        self.conflicts.hide()
        g.addWidget(self.conflicts, 4, 0, 1, 2)
        return box

    def _build_buttons(self) -> None:
        self.message = QLabel(self)
        self.message.setObjectName("formMessage")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.hide()
        self.busy_label = QLabel(self)
        self.busy_label.setObjectName("formBusy")
        self.busy_label.setStyleSheet("color: #6b6b6b;")
        self.busy_label.hide()
        self.save_button = QPushButton("Save", self)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.setAutoDefault(True)
        self.cancel_button = QPushButton("Close", self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAutoDefault(False)

    def _wire_fields(self) -> None:
        order: list[QWidget] = [
            self.patient_name, self.patient_id, self.patient_dob, self.procedure,
            self.laterality, self.specialty, self.priority, self.lead_surgeon,
            self.anesthetist, self.room, self.start_date, self.start_time, self.duration,
            self.end_time, *self.equipment.focus_order(), self.status, self.reason,
            self.save_button, self.cancel_button,
        ]
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)
        for edit in (self.patient_name, self.patient_id, self.procedure, self.reason):
            edit.textChanged.connect(self._edited)
        self.patient_dob.dateChanged.connect(self._edited)
        for box in (self.laterality, self.priority, self.lead_surgeon, self.anesthetist,
                    self.room, self.status):
            box.currentIndexChanged.connect(self._edited)
        self.specialty.currentTextChanged.connect(self._edited)
        self.equipment.changed.connect(self._edited)
        self.room.currentIndexChanged.connect(
            lambda _i: self.equipment.set_room(self.room.currentData()))
        self.start_date.dateChanged.connect(self._start_changed)
        self.start_time.timeChanged.connect(self._start_changed)
        self.duration.valueChanged.connect(self._duration_changed)
        self.end_time.timeChanged.connect(self._end_changed)

    def _fill_choices(self, choices: FormChoices) -> None:
        """Fill the pickers (once, when the form opens)."""
        self.tz = choices.tz
        self.surgeons = list(choices.surgeons)
        self.anesthetists = list(choices.anesthetists)
        self.rooms = list(choices.rooms)
        self.lead_surgeon.addItem(CHOOSE_TEXT, None)
        for user in self.surgeons:
            spec = f" · {user.specialty}" if user.specialty else ""
            self.lead_surgeon.addItem(f"{user.display_name} ({user.username}){spec}",
                                      user.username)
        self.anesthetist.addItem("— none yet —", None)
        for user in self.anesthetists:
            self.anesthetist.addItem(f"{user.display_name} ({user.username})", user.username)
        self.room.addItem("— none: request (to the queue) —", None)
        for room in self.rooms:
            state = "" if room.status is RoomStatus.ACTIVE else f" — {room.status.value}"
            self.room.addItem(f"{room.code} · {room.name}{state}", room.code)
        specialties = sorted({u.specialty for u in self.surgeons if u.specialty}
                             | {t for r in self.rooms for t in r.specialty_tags})
        self.specialty.addItem("")
        self.specialty.addItems(specialties)
        self.equipment.set_choices(choices.kinds, choices.units)
        self.zone_note.setText(f"Times are {self.tz.key} time")
        self.patient_dob.setMaximumDate(_qdate(self._today()))

    # ---- small helpers -----------------------------------------------------------------

    def _today(self) -> date:
        """The department's today (the injected clock, the department's zone)."""
        return self.services.clock.now().astimezone(self.tz).date()

    @staticmethod
    def _read_only(edit: QLineEdit | QAbstractSpinBox, read_only: bool) -> None:
        """A read-only field looks read-only (the style paints it like an editable one) and
        its text can still be selected and copied (an MRN, say)."""
        edit.setReadOnly(read_only)
        palette = edit.palette()
        normal = QApplication.palette(edit)
        palette.setColor(QPalette.ColorRole.Base, normal.color(
            QPalette.ColorRole.Window if read_only else QPalette.ColorRole.Base))
        edit.setPalette(palette)

    @staticmethod
    def _select(box: QComboBox, value: str | None, *, fallback: str | None = None) -> None:
        index = box.findData(value)
        if index < 0 and value is not None:
            # Someone no longer in the picker (deactivated): show them, never drop them.
            box.addItem(fallback or value, value)
            index = box.count() - 1
        box.setCurrentIndex(max(index, 0))

    def _show_masked(self, masked: bool) -> None:
        self.patient_dob.setSpecialValueText(MASKED if masked else NO_DOB_TEXT)
        if masked:
            for edit in (self.patient_name, self.patient_id):
                edit.setText(MASKED)
            self.patient_dob.setDate(_qdate(NO_DOB))
        self.masked_note.setVisible(masked)

    # ---- values --------------------------------------------------------------------------

    def _set_start(self, start: datetime) -> None:
        self.start_date.setDate(QDate(start.year, start.month, start.day))
        self.start_time.setTime(QTime(start.hour, start.minute))

    def start_value(self) -> datetime:
        d = self.start_date.date()
        t = self.start_time.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())

    def dob_value(self) -> date | None:
        d = self.patient_dob.date()
        value = date(d.year(), d.month(), d.day())
        return None if value <= NO_DOB else value

    def set_dob(self, value: date | None) -> None:
        """Show ``value`` (None: not given). A date outside the picker's range is held at
        its bound by the picker; the checks then name the field."""
        self.patient_dob.setDate(_qdate(value) if value is not None else _qdate(NO_DOB))

    def values(self) -> dict[str, Any]:
        """What the form holds, as comparable values (None: not given)."""
        room = self.room.currentData()
        lat = self.laterality.currentData()
        return {
            "patient_name": None if self.patient_masked else self.patient_name.text().strip(),
            "patient_id": None if self.patient_masked else self.patient_id.text().strip(),
            "patient_dob": None if self.patient_masked else self.dob_value(),
            "procedure_name": self.procedure.text().strip(),
            "laterality": Laterality(lat) if lat else None,
            "specialty": self.specialty.currentText().strip(),
            "priority": Priority(self.priority.currentData()),
            "lead_surgeon": self.lead_surgeon.currentData(),
            "anesthetist": self.anesthetist.currentData(),
            "room": room,
            "start": self.start_value() if room else None,
            "duration_min": self.duration.value(),
            "status": CaseStatus(self.status.currentData()) if self.status.count() else None,
            "equipment": self.equipment.value(),
        }

    def set_values(self, values: dict[str, Any]) -> None:
        """Put values (as ``values()`` gives them) back into the fields."""
        texts = {"patient_name": self.patient_name, "patient_id": self.patient_id,
                 "procedure_name": self.procedure}
        choices = {"laterality": self.laterality, "priority": self.priority,
                   "status": self.status}
        pickers = {"lead_surgeon": self.lead_surgeon, "anesthetist": self.anesthetist,
                   "room": self.room}
        for key, value in values.items():
            if key in PATIENT_FIELDS and self.patient_masked:
                continue
            if key == "patient_dob":
                self.set_dob(value if isinstance(value, date) else None)
            elif key in texts:
                texts[key].setText(value or "")
            elif key == "specialty":
                self.specialty.setCurrentText(value or "")
            elif key in choices:
                self._select(choices[key], value.value if value is not None else None)
            elif key in pickers:
                self._select(pickers[key], value)
            elif key == "start" and value is not None:
                self._set_start(value)
            elif key == "duration_min":
                self.duration.setValue(int(value))
            elif key == "equipment":
                self.equipment.set_value(value)
        self._sync_end()

    def is_dirty(self) -> bool:
        return self.values() != self.base or bool(self.reason.text().strip())

    # ---- start, duration and end follow each other ---------------------------------------

    def _edited(self, *_args: object) -> None:
        if self._loading:
            return
        self._validate()

    def _start_changed(self, *_args: object) -> None:
        if not self._loading:
            self._sync_end()
        self._edited()

    def _duration_changed(self, *_args: object) -> None:
        if not self._loading:
            self._sync_end()
        self._edited()

    def _end_changed(self, *_args: object) -> None:
        if self._loading or self._syncing:
            return
        start = self.start_value()
        t = self.end_time.time()
        end = datetime.combine(start.date(), time(t.hour(), t.minute()))
        if end <= start:
            end += timedelta(days=1)  # an end before the start is the next morning
        minutes = int((end - start).total_seconds() // 60)
        self._syncing = True
        try:
            self.duration.setValue(min(max(CASE_DURATION.low, minutes), CASE_DURATION.high))
            self._show_end_day(end, start)
        finally:
            self._syncing = False
        self._edited()

    def _sync_end(self) -> None:
        if self._syncing:
            return
        start = self.start_value()
        end = start + timedelta(minutes=self.duration.value())
        self._syncing = True
        try:
            self.end_time.setTime(QTime(end.hour, end.minute))
            self._show_end_day(end, start)
        finally:
            self._syncing = False

    def _show_end_day(self, end: datetime, start: datetime) -> None:
        days = (end.date() - start.date()).days
        self.end_day.setText(f"(+{days} day)" if days else "")

    # ---- checks as you type ----------------------------------------------------------------

    def _needs_reason(self, status: CaseStatus | None) -> bool:
        """The chosen status change needs a reason (the service's rights say which)."""
        return (self.detail is not None and status is not None
                and status is not self.detail.case.status
                and status in self.detail.case.rights.needs_reason)

    def problems(self) -> dict[str, str]:
        """The form's own checks (the service repeats them): field -> reason."""
        v = self.values()
        out: dict[str, str] = {}
        if self.can_edit and not self.patient_masked:
            for key, max_len in (("patient_name", NAME_MAX), ("patient_id", IDENT_MAX)):
                problem = text_problem(v[key] or "", required=True, max_len=max_len)
                if problem:
                    out[key] = problem
            dob = v["patient_dob"]
            problem = dob_problem(dob, self._today()) if dob is not None else None
            if problem:
                out["patient_dob"] = problem
        if self.can_edit:
            out.update(self._procedure_problems(v))
        if v["room"] is not None and self.can_place:
            try:
                to_utc(v["start"], self.tz)
            except LocalTimeError as exc:
                out["start"] = str(exc)
            room = next((r for r in self.rooms if r.code == v["room"]), None)
            if room is not None and room.status is not RoomStatus.ACTIVE:
                out["room"] = f"{room.code} is {room.status.value} and takes no case"
        status = v["status"]
        if self.detail is not None and status is not None:
            placed_now = self.detail.case.room_code is not None
            if (v["room"] is None and placed_now and status not in
                    (CaseStatus.REQUESTED, CaseStatus.POSTPONED, CaseStatus.CANCELLED)):
                out["room"] = "a scheduled case needs a room (or choose status Requested " \
                              "to send it back to the queue)"
            if self._needs_reason(status):
                problem = text_problem(self.reason.text(), required=True, max_len=TEXT_MAX)
                if problem:
                    out["reason"] = problem
        return out

    @staticmethod
    def _procedure_problems(v: dict[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        problem = text_problem(v["procedure_name"], required=True, max_len=NAME_MAX)
        if problem:
            out["procedure_name"] = problem
        if v["laterality"] is None:
            out["laterality"] = "choose one (not applicable if the procedure has no side)"
        problem = text_problem(v["specialty"], required=False, max_len=IDENT_MAX)
        if problem:
            out["specialty"] = problem
        if v["lead_surgeon"] is None:
            out["lead_surgeon"] = "is required"
        return out

    def _validate(self) -> bool:
        if self._loading:
            return False
        self._problems = self.problems()
        current = self.values()
        # A service's complaint stays until the user touches that field.
        for key in list(self._server_problems):
            if current.get(key) != self._server_values.get(key):
                del self._server_problems[key]
        shown = {**self._server_problems, **self._problems}
        for key, label in self.errors.items():
            text = shown.get(key)
            label.setText(text or "")
            label.setVisible(text is not None)
        if self.detail is None and self.status.count():
            # A new case with a room and a start is scheduled at once, else requested.
            self.status.setItemText(0, STATUS_TEXT[CaseStatus.SCHEDULED if current["room"]
                                                   else CaseStatus.REQUESTED])
        needs_reason = self._needs_reason(current.get("status"))
        self.reason.setVisible(needs_reason)
        if self.reason_label is not None:
            self.reason_label.setVisible(needs_reason)
        if not needs_reason:
            self.errors["reason"].hide()
        ok = (self.writable() and not self._problems and self.open_error is None
              and self._busy is None)
        self.save_button.setEnabled(ok)
        return ok

    def writable(self) -> bool:
        return self.can_edit or self.status.isEnabled()

    def field_error(self, key: str) -> str:
        """The message shown beside a field ('' when none)."""
        label = self.errors[key]
        return label.text() if label.isVisibleTo(self) else ""

    def _say(self, text: str) -> None:
        self.last_message = text
        self.message.setText(text)
        self.message.setVisible(bool(text))


def show_value(value: object) -> str:
    """A value as the stale-save question lists it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, tuple):  # equipment needs: (kind, picked unit or None)
        return ", ".join(f"{k} ({u})" if u else str(k) for k, u in value) or "—"
    return str(value)

