"""The case form (``caseForm``): create and edit a case, with its team, checklists, notes
and history on tabs.

How a save goes:

1. Validation as you type mirrors the service's rules so Save is enabled only when the
   form is valid; the service still checks everything, and its ``BadInput`` problems are
   mapped back onto the fields they name.
2. A case that will sit in a room is previewed first (``CaseCheckService.check_case``): a
   hard conflict refuses with the reason and writes nothing; soft conflicts are listed and
   the user confirms them.
3. The writes carry the version the form was loaded with. ``StaleVersion`` means someone
   else changed the case: the form lists what changed and the user reloads or re-applies
   their own edits onto the new version. Their input is never thrown away unasked.
4. Each write also carries a client operation id, one per step (create; edit, move,
   status), kept for as long as the input is unchanged: when the database does not answer
   (``DatabaseUnavailable``: the write may or may not have committed) the dialog stays
   open with the input, and pressing Save again once the connection is back sends the
   same ids, so what did commit is answered as already done and saved once.

Opening an existing case goes through ``open_case``, which audits the view of the
patient's details; a caller who may not see the patient gets a DTO without them and the
form says "masked".
"""

from __future__ import annotations

import enum
import html
import itertools
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QTime, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.enums import (
    FINAL_STATUSES,
    CaseStatus,
    Laterality,
    Priority,
    Role,
    RoomStatus,
)
from surgdesk.domain.limits import NAME_MAX
from surgdesk.domain.permissions import Action, allowed
from surgdesk.domain.status_machine import (
    ALLOWED_TRANSITIONS,
    AUTOMATIC_TRANSITIONS,
    CLINICAL_TARGETS,
    NEEDS_REASON,
)
from surgdesk.domain.timezones import LocalTimeError, to_utc
from surgdesk.errors import (
    BadInput,
    DatabaseUnavailable,
    RoomConflict,
    StaleVersion,
    SurgDeskError,
)
from surgdesk.services.context import Actor
from surgdesk.services.dto import CaseDetail, CaseResult, RoomView, SoftConflict, UserView
from surgdesk.services.registry import Services
from surgdesk.ui.case.checklist import ChecklistWidget
from surgdesk.ui.case.common import (
    CONFLICT_TEXT,
    ERROR_STYLE,
    LATERALITY_TEXT,
    MASKED,
    PRIORITY_TEXT,
    STATUS_TEXT,
    camel,
    department_zone,
    error_label,
)
from surgdesk.ui.case.panels import CareTeamPanel, HistoryPanel, NotesPanel

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
DEFAULT_DURATION_MIN = 60
MAX_DURATION_MIN = 24 * 60
PATIENT_FIELDS = ("patient_name", "patient_id", "patient_dob")
# The fields ``update_case`` takes, in the form's order.
EDIT_FIELDS = (*PATIENT_FIELDS, "procedure_name", "laterality", "specialty", "priority",
               "lead_surgeon", "anesthetist")
PLACE_FIELDS = ("room", "start", "duration_min")
# What the service calls a field, where the form shows it.
FIELD_ALIASES = {"estimated_duration_min": "duration_min", "end": "duration_min",
                 "username": "lead_surgeon"}
FIELD_TITLES = {
    "patient_name": "Patient name", "patient_id": "Patient id (MRN)",
    "patient_dob": "Date of birth", "procedure_name": "Procedure", "laterality": "Laterality",
    "specialty": "Specialty", "priority": "Priority", "lead_surgeon": "Lead surgeon",
    "anesthetist": "Anesthetist", "room": "Room", "start": "Start",
    "duration_min": "Duration", "status": "Status", "reason": "Reason",
}
UNREACHABLE_TEXT = ("Not saved — the database cannot be reached; your input is kept. Save "
                    "again when the connection is back (it will be saved once)")
PARTLY_UNREACHABLE_TEXT = ("Not everything was saved — the database cannot be reached; your "
                           "input is kept. Save again when the connection is back (each part "
                           "will be saved once)")


class StaleChoice(enum.Enum):
    RELOAD = "reload"  # take the stored case, drop my edits
    REAPPLY = "reapply"  # put my edits onto the stored case and save again
    KEEP = "keep"  # neither yet: stay in the form with my input


@dataclass(frozen=True)
class StaleChange:
    """One field someone else changed: what it was when the form opened, what it is now,
    and what the user typed."""

    field: str
    was: str
    now: str
    yours: str


def _show(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def _text_problem(value: str, *, required: bool, max_len: int) -> str | None:
    text = value.strip()
    if not text:
        return "is required" if required else None
    if len(text) > max_len:
        return f"must be at most {max_len} characters"
    if _CONTROL.search(text):
        return "must not contain control characters"
    return None


class CaseFormDialog(QDialog):
    """New case (``case_number`` None) or an existing one. ``caseChanged(case_number)``
    fires after every successful write from the form or any of its tabs."""

    caseChanged = Signal(str)  # noqa: N815 (Qt signal naming, as the board wires it)
    # A save or a read found the database unreachable (the reason), from the form or its
    # checklist tab: the window may report the outage (``LiveFeed.report_failure``).
    unreachable = Signal(str)

    def __init__(self, services: Services, actor: Actor, case_number: str | None = None,
                 parent: QWidget | None = None, *, default_room: str | None = None,
                 default_start: datetime | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseForm")
        self.services = services
        self.actor = actor
        self.checks = services.checks
        self.tz: ZoneInfo = department_zone(services, actor)
        self.case_number = case_number
        self.detail: CaseDetail | None = None
        self.last_message = ""
        self.last_result: CaseResult | None = None
        # The save attempt's client operation ids, one per step, and the input they were
        # made for: reused while the input stays the same, new after a success or a change.
        self._attempt: tuple[str, dict[str, str]] | None = None
        self.open_error: str | None = None
        # Questions the form asks; tests replace them to answer without a dialog.
        self.confirm_warnings: Callable[[Sequence[SoftConflict]], bool] = self._ask_warnings
        self.resolve_stale: Callable[[Sequence[StaleChange]], StaleChoice] = self._ask_stale
        self.confirm_discard: Callable[[], bool] = self._ask_discard

        self._problems: dict[str, str] = {}
        self._server_problems: dict[str, str] = {}
        self._server_values: dict[str, Any] = {}
        self._syncing = False
        self.can_edit = False
        self.can_place = False
        self.patient_masked = False
        self.history_visible = False
        self.base: dict[str, Any] = {}
        # Signals fire while the fields are built and filled: no validation until loaded.
        self._loading = True
        self._build()
        self._fill_choices()
        if case_number is None:
            self._start_new(default_room, default_start)
        else:
            self._open(case_number)
        self._validate()

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

    def _build(self) -> None:
        self.errors: dict[str, QLabel] = {}
        self.inputs: dict[str, QWidget] = {}
        self.header = QLabel(self)
        self.header.setObjectName("caseHeader")
        font = self.header.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.header.setFont(font)

        # Patient
        self.patient_name = QLineEdit(self)
        self.patient_name.setMaxLength(NAME_MAX + 1)
        self.patient_id = QLineEdit(self)
        self.patient_dob = QLineEdit(self)
        self.patient_dob.setPlaceholderText("YYYY-MM-DD (optional)")
        patient_box, g = self._group("Patient")
        self._field(g, 0, "patient_name", "Patient &name", self.patient_name)
        self._field(g, 1, "patient_id", "Patient &id (MRN)", self.patient_id)
        self._field(g, 2, "patient_dob", "Date of &birth", self.patient_dob)
        self.masked_note = QLabel("Patient details are masked for your role.", self)
        self.masked_note.setObjectName("patientMaskedNote")
        self.masked_note.setStyleSheet("color: #6b6b6b; font-style: italic;")
        self.masked_note.hide()
        g.addWidget(self.masked_note, 6, 0, 1, 2)

        # Procedure
        self.procedure = QLineEdit(self)
        self.laterality = QComboBox(self)
        self.specialty = QComboBox(self)
        self.specialty.setEditable(True)
        line = self.specialty.lineEdit()
        if line is not None:
            line.setPlaceholderText("the lead surgeon's")
        self.priority = QComboBox(self)
        procedure_box, g = self._group("Procedure")
        self._field(g, 0, "procedure_name", "&Procedure", self.procedure)
        self._field(g, 1, "laterality", "&Laterality", self.laterality)
        self._field(g, 2, "specialty", "Specialt&y", self.specialty)
        self._field(g, 3, "priority", "P&riority", self.priority)

        # People
        self.lead_surgeon = QComboBox(self)
        self.anesthetist = QComboBox(self)
        people_box, g = self._group("People")
        self._field(g, 0, "lead_surgeon", "Lead sur&geon", self.lead_surgeon)
        self._field(g, 1, "anesthetist", "&Anesthetist", self.anesthetist)

        # Time and place
        self.room = QComboBox(self)
        self.start_date = QDateEdit(self)
        self.start_date.setCalendarPopup(True)
        self.start_date.setDisplayFormat("ddd dd MMM yyyy")
        self.start_time = QTimeEdit(self)
        self.start_time.setDisplayFormat("HH:mm")
        self.start_time.setObjectName("startTime")
        self.duration = QSpinBox(self)
        self.duration.setRange(1, MAX_DURATION_MIN)
        self.duration.setSingleStep(15)
        self.duration.setSuffix(" min")
        self.duration.setValue(DEFAULT_DURATION_MIN)
        self.end_time = QTimeEdit(self)
        self.end_time.setDisplayFormat("HH:mm")
        self.end_time.setObjectName("endTime")
        self.end_day = QLabel(self)
        self.end_day.setObjectName("endDayNote")
        self.zone_note = QLabel(self)
        self.zone_note.setObjectName("zoneNote")
        self.zone_note.setStyleSheet("color: #6b6b6b;")
        place_box, g = self._group("Time and place")
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

        # Status
        self.status = QComboBox(self)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("why — kept as a note on the case")
        status_box, g = self._group("Status")
        self._field(g, 0, "status", "Stat&us", self.status)
        self._field(g, 1, "reason", "Reason (&why)", self.reason)
        self.reason_label = self.findChild(QLabel, "reasonLabel")
        self.conflicts = QLabel(self)
        self.conflicts.setObjectName("caseConflicts")
        self.conflicts.setStyleSheet("color: #8a5a00;")
        self.conflicts.setWordWrap(True)
        self.conflicts.hide()
        g.addWidget(self.conflicts, 4, 0, 1, 2)

        form_page = QWidget(self)
        form_page.setObjectName("caseFormPage")
        columns = QGridLayout(form_page)
        columns.addWidget(patient_box, 0, 0)
        columns.addWidget(procedure_box, 1, 0)
        columns.addWidget(people_box, 0, 1)
        columns.addWidget(place_box, 1, 1)
        columns.addWidget(status_box, 2, 0, 1, 2)
        columns.setColumnStretch(0, 1)
        columns.setColumnStretch(1, 1)
        columns.setRowStretch(3, 1)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("caseTabs")
        self.tabs.addTab(form_page, "&Case")
        self.team_panel = CareTeamPanel(self.services, self.actor, self)
        self.tabs.addTab(self.team_panel, "Care &team")
        self.checklist: ChecklistWidget | None = None
        self.checklist_tab = QWidget(self)
        self.checklist_layout = QVBoxLayout(self.checklist_tab)
        self.tabs.addTab(self.checklist_tab, "Chec&klists")
        self.notes_panel = NotesPanel(self.services, self.actor, self.tz, self)
        self.tabs.addTab(self.notes_panel, "N&otes")
        self.history_panel = HistoryPanel(self.services, self.actor, self.tz, self)
        self.history_index = self.tabs.addTab(self.history_panel, "&History")
        self.tabs.currentChanged.connect(self._tab_changed)

        self.message = QLabel(self)
        self.message.setObjectName("formMessage")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.hide()
        self.buttons = QDialogButtonBox(self)
        self.save_button = QPushButton("Save", self)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.setAutoDefault(True)
        self.cancel_button = QPushButton("Close", self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setAutoDefault(False)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        order: list[QWidget] = [
            self.patient_name, self.patient_id, self.patient_dob, self.procedure,
            self.laterality, self.specialty, self.priority, self.lead_surgeon,
            self.anesthetist, self.room, self.start_date, self.start_time, self.duration,
            self.end_time, self.status, self.reason, self.save_button, self.cancel_button,
        ]
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)

        for edit in (self.patient_name, self.patient_id, self.patient_dob, self.procedure,
                     self.reason):
            edit.textChanged.connect(self._edited)
        for box in (self.laterality, self.priority, self.lead_surgeon, self.anesthetist,
                    self.room, self.status):
            box.currentIndexChanged.connect(self._edited)
        self.specialty.currentTextChanged.connect(self._edited)
        self.start_date.dateChanged.connect(self._start_changed)
        self.start_time.timeChanged.connect(self._start_changed)
        self.duration.valueChanged.connect(self._duration_changed)
        self.end_time.timeChanged.connect(self._end_changed)
        self.team_panel.changed.connect(self._side_write)
        self.notes_panel.changed.connect(self._side_write)
        self.team_panel.unreachable.connect(self.unreachable)
        self.notes_panel.unreachable.connect(self.unreachable)
        self.resize(980, 620)

    def _fill_choices(self) -> None:
        self.laterality.addItem("— choose —", None)
        for lat in Laterality:
            self.laterality.addItem(LATERALITY_TEXT[lat], lat.value)
        for prio in Priority:
            self.priority.addItem(PRIORITY_TEXT[prio], prio.value)
        self.surgeons: list[UserView] = []
        self.anesthetists: list[UserView] = []
        self.rooms: list[RoomView] = []
        try:
            self.surgeons = self.services.users.users_with_roles(self.actor, [Role.SURGEON])
            self.anesthetists = self.services.users.users_with_roles(
                self.actor, [Role.ANESTHESIOLOGIST])
            self.rooms = self.services.rooms.list_rooms(self.actor)
        except SurgDeskError as exc:
            self._say(f"Cannot read the staff and rooms — {exc}")
        self.lead_surgeon.addItem("— choose —", None)
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
        self.zone_note.setText(f"Times are {self.tz.key} time")

    # ---- loading -----------------------------------------------------------------------

    def _today(self) -> date:
        return self.services.clock.now().astimezone(self.tz).date()

    def _start_new(self, default_room: str | None, default_start: datetime | None) -> None:
        self._loading = True
        self.setWindowTitle("New case")
        self.header.setText("<b>New case</b>")
        start = default_start
        if start is not None and start.tzinfo is not None:
            start = start.astimezone(self.tz).replace(tzinfo=None)
        if start is None:
            start = datetime.combine(self._today() + timedelta(days=1), time(8, 0))
        self._set_start(start)
        self.duration.setValue(DEFAULT_DURATION_MIN)
        self._sync_end()
        if default_room:
            self._select(self.room, default_room)
        if self.actor.role is Role.SURGEON:
            self._select(self.lead_surgeon, self.actor.username)
        self.can_edit = allowed(self.actor.role, Action.REQUEST_CASE)
        self.can_place = allowed(self.actor.role, Action.SCHEDULE_CASES)
        self.patient_masked = False
        self.status.clear()
        self.status.addItem(STATUS_TEXT[CaseStatus.REQUESTED], CaseStatus.REQUESTED.value)
        self.status.setEnabled(False)
        self.team_panel.load(None)
        self.notes_panel.load(None)
        for index in range(1, self.tabs.count()):
            self.tabs.setTabEnabled(index, False)
        self._apply_rights()
        self._loading = False
        self.base = self.values()

    def _open(self, case_number: str) -> None:
        try:
            detail = self.services.cases.open_case(self.actor, case_number)
        except SurgDeskError as exc:
            self.open_error = str(exc)
            self._say(f"Cannot open {case_number} — {exc}")
            self.setWindowTitle(case_number)
            for widget in self.inputs.values():
                widget.setEnabled(False)
            self.save_button.setEnabled(False)
            self.can_edit = self.can_place = False
            self._loading = False
            self.base = self.values()
            return
        self.load(detail)
        self.checklist = ChecklistWidget(self.services, self.actor, detail.case.case_number,
                                         self, detail=detail, tz=self.tz)
        self.checklist_layout.addWidget(self.checklist)
        self.checklist.caseChanged.connect(self._side_write)
        self.checklist.unreachable.connect(self.unreachable)
        self.history_visible = allowed(self.actor.role, Action.READ_AUDIT)
        self.tabs.setTabVisible(self.history_index, self.history_visible)

    def load(self, detail: CaseDetail) -> None:
        """Show ``detail`` in every field (the user's input is replaced)."""
        self._loading = True
        self.detail = detail
        case = detail.case
        self.case_number = case.case_number
        self.setWindowTitle(f"{case.case_number} — {case.procedure_name}")
        self.patient_masked = case.patient_masked
        if case.patient_masked:
            for edit in (self.patient_name, self.patient_id, self.patient_dob):
                edit.setText(MASKED)
        else:
            self.patient_name.setText(case.patient_name or "")
            self.patient_id.setText(case.patient_id or "")
            self.patient_dob.setText(case.patient_dob.isoformat() if case.patient_dob else "")
        self.masked_note.setVisible(case.patient_masked)
        self.procedure.setText(case.procedure_name)
        self._select(self.laterality, case.laterality.value)
        self.specialty.setCurrentText(case.specialty)
        self._select(self.priority, case.priority.value)
        self._select(self.lead_surgeon, case.lead_surgeon_username,
                     fallback=f"{case.lead_surgeon_name} ({case.lead_surgeon_username})")
        anesth = next((m.username for m in detail.team
                       if m.user_id == case.anesthetist_user_id), None)
        self._select(self.anesthetist, anesth, fallback=case.anesthetist_name)
        self._select(self.room, case.room_code)
        if case.scheduled_start is not None:
            self._set_start(case.scheduled_start.astimezone(self.tz).replace(tzinfo=None))
        else:  # a queued case: where a room, once chosen, would start
            self._set_start(datetime.combine(self._today() + timedelta(days=1), time(8, 0)))
        self.duration.setValue(case.estimated_duration_min)
        self._sync_end()
        self.can_edit = detail.can_edit_schedule and case.status not in FINAL_STATUSES
        self.can_place = self.can_edit
        self._fill_status(detail)
        self.reason.clear()
        self._update_header()
        self.team_panel.load(detail)
        self.notes_panel.load(detail)
        # Notes are free text and may name the patient: shown to those who see the patient.
        self.tabs.setTabVisible(self.tabs.indexOf(self.notes_panel), not case.patient_masked)
        self._apply_rights()
        self._loading = False
        self.base = self.values()
        self._server_problems.clear()
        self._attempt = None  # a new base: a new attempt
        self._validate()

    def _update_header(self) -> None:
        if self.detail is None:
            return
        case = self.detail.case
        self.header.setText(
            f"<b>{case.case_number}</b> · {STATUS_TEXT.get(case.status, case.status.value)}"
            f" · {html.escape(case.procedure_name)}")
        warnings = [CONFLICT_TEXT.get(code, code) for code in case.conflicts]
        self.conflicts.setText("⚠ " + "; ".join(warnings) if warnings else "")
        self.conflicts.setVisible(bool(warnings))

    def _fill_status(self, detail: CaseDetail) -> None:
        current = detail.case.status
        self.status.clear()
        self.status.addItem(f"{STATUS_TEXT[current]} (now)", current.value)
        placed = detail.case.room_code is not None
        for target in sorted(ALLOWED_TRANSITIONS[current], key=list(CaseStatus).index):
            if (current, target) in AUTOMATIC_TRANSITIONS:
                continue  # preop_ready follows the Readiness checklist
            if target is CaseStatus.SCHEDULED and not placed:
                continue  # choosing a room and a start schedules a queued case
            ok = detail.can_sign_off if target in CLINICAL_TARGETS else detail.can_edit_schedule
            if ok:
                label = ("Requested — back to the queue" if target is CaseStatus.REQUESTED
                         else STATUS_TEXT[target])
                self.status.addItem(label, target.value)
        self.status.setEnabled(self.status.count() > 1)

    @staticmethod
    def _read_only(edit: QLineEdit, read_only: bool) -> None:
        """A read-only field looks read-only (the style paints it like an editable one) and
        its text can still be selected and copied (an MRN, say)."""
        edit.setReadOnly(read_only)
        palette = edit.palette()
        normal = QApplication.palette(edit)
        palette.setColor(QPalette.ColorRole.Base, normal.color(
            QPalette.ColorRole.Window if read_only else QPalette.ColorRole.Base))
        edit.setPalette(palette)

    def _apply_rights(self) -> None:
        patient_ok = self.can_edit and not self.patient_masked
        for edit in (self.patient_name, self.patient_id, self.patient_dob):
            self._read_only(edit, not patient_ok)
            edit.setEnabled(not self.patient_masked)
        self._read_only(self.procedure, not self.can_edit)
        for box in (self.laterality, self.specialty, self.priority, self.lead_surgeon,
                    self.anesthetist):
            box.setEnabled(self.can_edit)
        if self.actor.role is Role.SURGEON and self.detail is None:
            self.lead_surgeon.setEnabled(False)  # a surgeon requests their own cases
        for widget in (self.room, self.start_date, self.start_time, self.duration,
                       self.end_time):
            widget.setEnabled(self.can_place)
        if not self.can_place and self.detail is None:
            self.duration.setEnabled(self.can_edit)  # the estimate of a requested case
        writable = self.can_edit or self.status.isEnabled()
        self.save_button.setVisible(writable)
        self.cancel_button.setText("Cancel" if writable else "Close")

    @staticmethod
    def _select(box: QComboBox, value: str | None, *, fallback: str | None = None) -> None:
        index = box.findData(value)
        if index < 0 and value is not None:
            # Someone no longer in the picker (deactivated): show them, never drop them.
            box.addItem(fallback or value, value)
            index = box.count() - 1
        box.setCurrentIndex(max(index, 0))

    # ---- values --------------------------------------------------------------------------

    def _set_start(self, start: datetime) -> None:
        self.start_date.setDate(QDate(start.year, start.month, start.day))
        self.start_time.setTime(QTime(start.hour, start.minute))

    def start_value(self) -> datetime:
        d = self.start_date.date()
        t = self.start_time.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())

    def values(self) -> dict[str, Any]:
        """What the form holds, as comparable values (None: not given)."""
        room = self.room.currentData()
        dob_text = self.patient_dob.text().strip()
        try:
            dob: date | str | None = date.fromisoformat(dob_text) if dob_text else None
        except ValueError:
            dob = dob_text
        lat = self.laterality.currentData()
        return {
            "patient_name": None if self.patient_masked else self.patient_name.text().strip(),
            "patient_id": None if self.patient_masked else self.patient_id.text().strip(),
            "patient_dob": None if self.patient_masked else dob,
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
        }

    def set_values(self, values: dict[str, Any]) -> None:
        """Put values (as ``values()`` gives them) back into the fields."""
        for key, value in values.items():
            if key in PATIENT_FIELDS and self.patient_masked:
                continue
            if key == "patient_dob":
                self.patient_dob.setText(value.isoformat() if isinstance(value, date)
                                         else (value or ""))
            elif key in ("patient_name", "patient_id", "procedure_name"):
                {"patient_name": self.patient_name, "patient_id": self.patient_id,
                 "procedure_name": self.procedure}[key].setText(value or "")
            elif key == "specialty":
                self.specialty.setCurrentText(value or "")
            elif key in ("laterality", "priority", "status"):
                box = {"laterality": self.laterality, "priority": self.priority,
                       "status": self.status}[key]
                self._select(box, value.value if value is not None else None)
            elif key in ("lead_surgeon", "anesthetist", "room"):
                box = {"lead_surgeon": self.lead_surgeon, "anesthetist": self.anesthetist,
                       "room": self.room}[key]
                self._select(box, value)
            elif key == "start" and value is not None:
                self._set_start(value)
            elif key == "duration_min":
                self.duration.setValue(int(value))
        self._sync_end()

    def is_dirty(self) -> bool:
        return self.values() != self.base or bool(self.reason.text().strip())

    # ---- validation as you type --------------------------------------------------------------

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
            self.duration.setValue(min(max(1, minutes), MAX_DURATION_MIN))
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

    def problems(self) -> dict[str, str]:
        """The form's own checks (the service repeats them): field -> reason."""
        v = self.values()
        out: dict[str, str] = {}
        if self.can_edit and not self.patient_masked:
            for key, max_len in (("patient_name", NAME_MAX), ("patient_id", 64)):
                problem = _text_problem(v[key] or "", required=True, max_len=max_len)
                if problem:
                    out[key] = problem
            dob = v["patient_dob"]
            if isinstance(dob, str):
                out["patient_dob"] = "must be a date like 1970-01-31"
            elif dob is not None and dob > self._today():
                out["patient_dob"] = "is in the future"
            elif dob is not None and dob.year < 1900:
                out["patient_dob"] = "is before 1900"
        if self.can_edit:
            problem = _text_problem(v["procedure_name"], required=True, max_len=NAME_MAX)
            if problem:
                out["procedure_name"] = problem
            if v["laterality"] is None:
                out["laterality"] = "choose one (not applicable if the procedure has no side)"
            problem = _text_problem(v["specialty"], required=False, max_len=64)
            if problem:
                out["specialty"] = problem
            if v["lead_surgeon"] is None:
                out["lead_surgeon"] = "is required"
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
            if status in NEEDS_REASON and status is not self.detail.case.status:
                problem = _text_problem(self.reason.text(), required=True, max_len=4000)
                if problem:
                    out["reason"] = problem
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
        status = current.get("status")
        needs_reason = (self.detail is not None and status in NEEDS_REASON
                        and status is not self.detail.case.status)
        self.reason.setVisible(needs_reason)
        if self.reason_label is not None:
            self.reason_label.setVisible(needs_reason)
        if not needs_reason:
            self.errors["reason"].hide()
        writable = self.can_edit or self.status.isEnabled()
        ok = writable and not self._problems and self.open_error is None
        self.save_button.setEnabled(ok)
        return ok

    def field_error(self, key: str) -> str:
        """The message shown beside a field ('' when none)."""
        label = self.errors[key]
        return label.text() if label.isVisibleTo(self) else ""

    # ---- saving ------------------------------------------------------------------------

    def save(self) -> bool:
        """Save and close; False (and the dialog stays, with the input) when nothing or
        not everything was written."""
        if not self._validate():
            return False
        ok = self._save_new() if self.detail is None else self._save_existing()
        if ok:
            self._attempt = None
            self.accept()
        return ok

    def _input_key(self) -> str:
        return repr((sorted(self.values().items()), self.reason.text().strip()))

    def op_id(self, step: str) -> str:
        """The client operation id of one step of the current save attempt ("create",
        "edit", "move", "status"). The same while the input is unchanged, so a Save
        pressed again after the database did not answer repeats the same operations."""
        key = self._input_key()
        if self._attempt is None or self._attempt[0] != key:
            self._attempt = (key, {})
        return self._attempt[1].setdefault(step, uuid.uuid4().hex)

    def _preview(self, v: dict[str, Any]) -> bool:
        """Hard conflicts refuse, soft ones ask. True: go on and write."""
        if v["room"] is None or not self.can_place:
            return True
        try:
            check = self.checks.check_case(
                self.actor, room=v["room"], start=v["start"], duration_min=v["duration_min"],
                lead_surgeon=v["lead_surgeon"], anesthetist=v["anesthetist"],
                specialty=v["specialty"] or None, patient_id=v["patient_id"],
                case_number=self.case_number if self.detail is not None else None)
        except BadInput as exc:
            self._show_service_problems(exc)
            return False
        except DatabaseUnavailable as exc:
            return self._failed(exc)
        except SurgDeskError as exc:
            self._say(str(exc))
            return False
        if check.hard is not None:
            self._say(f"Not saved — {check.hard}")
            self._server_problem("room", check.hard)
            return False
        if check.warnings and not self.confirm_warnings(check.warnings):
            self._say("Not saved — the warnings were not accepted")
            return False
        return True

    def _save_new(self) -> bool:
        v = self.values()
        if not self._preview(v):
            return False
        placed = v["room"] is not None
        try:
            result = self.services.cases.create_case(
                self.actor,
                procedure_name=v["procedure_name"], patient_id=v["patient_id"] or "",
                patient_name=v["patient_name"] or "", lead_surgeon=v["lead_surgeon"] or "",
                patient_dob=v["patient_dob"] if isinstance(v["patient_dob"], date) else None,
                laterality=v["laterality"], specialty=v["specialty"] or None,
                priority=v["priority"], anesthetist=v["anesthetist"],
                room=v["room"], start=v["start"] if placed else None,
                duration_min=v["duration_min"], op_id=self.op_id("create"))
        except SurgDeskError as exc:
            return self._failed(exc)
        self._written(result)
        return True

    def _save_existing(self) -> bool:
        assert self.detail is not None
        v = self.values()
        base = self.base
        case = self.detail.case
        edits = {k: v[k] for k in EDIT_FIELDS
                 if v[k] != base[k] and not (k in PATIENT_FIELDS and self.patient_masked)}
        status = v["status"]
        status_change = status is not None and status is not case.status
        leaving = status_change and status in (CaseStatus.REQUESTED, CaseStatus.POSTPONED,
                                               CaseStatus.CANCELLED)
        placement = (not leaving and v["room"] is not None
                     and any(v[k] != base[k] for k in PLACE_FIELDS))
        if v["room"] is None and v["duration_min"] != base["duration_min"]:
            edits["estimated_duration_min"] = v["duration_min"]
        people_changed = "lead_surgeon" in edits or "anesthetist" in edits
        if ((placement or (people_changed and v["room"] is not None) or "patient_id" in edits)
                and not leaving and not self._preview(v)):
            return False
        version = case.version
        wrote = False
        try:
            if edits:
                if "specialty" in edits and not edits["specialty"]:
                    edits["specialty"] = None
                result = self.services.cases.update_case(
                    self.actor, case.case_number, expected_version=version,
                    op_id=self.op_id("edit"), **edits)
                version, wrote = result.case.version, True
                self.last_result = result
            if placement:
                result = self.services.cases.move(
                    self.actor, case.case_number, room=v["room"], start=v["start"],
                    duration_min=v["duration_min"], expected_version=version,
                    op_id=self.op_id("move"))
                version, wrote = result.case.version, True
                self.last_result = result
            if status_change and status is not None:
                result = self.services.cases.set_status(
                    self.actor, case.case_number, status,
                    reason=self.reason.text().strip() if status in NEEDS_REASON else None,
                    expected_version=version, op_id=self.op_id("status"))
                version, wrote = result.case.version, True
                self.last_result = result
        except StaleVersion as exc:
            if wrote:  # our own first step moved the version: keep what was written
                self._rebase()
                return self._failed(exc)
            return self._stale(exc)
        except DatabaseUnavailable as exc:
            # Keep the base as it was: Save again repeats every step with its same id, and
            # the steps that did commit are answered as done.
            self._failed(exc)
            if wrote:
                self.caseChanged.emit(case.case_number)
                self._say(PARTLY_UNREACHABLE_TEXT)
            return False
        except SurgDeskError as exc:
            if wrote:
                self._rebase()
            return self._failed(exc)
        if wrote:
            self.caseChanged.emit(case.case_number)
        return True

    def _written(self, result: CaseResult) -> None:
        self.last_result = result
        self.case_number = result.case.case_number
        self.caseChanged.emit(result.case.case_number)

    def _failed(self, exc: SurgDeskError) -> bool:
        if isinstance(exc, DatabaseUnavailable):
            self._say(UNREACHABLE_TEXT)
            self.unreachable.emit(str(exc))
        elif isinstance(exc, BadInput):
            self._show_service_problems(exc)
        elif isinstance(exc, RoomConflict):
            self._server_problem("room", exc.message)
            self._say(f"Not saved — {exc.message}")
        else:
            self._say(f"Not saved — {exc}")
        return False

    def _show_service_problems(self, exc: BadInput) -> None:
        stray = []
        for problem in exc.problems:
            key = FIELD_ALIASES.get(problem.field, problem.field)
            if key in self.errors:
                self._server_problem(key, problem.reason)
            else:
                stray.append(f"{problem.field}: {problem.reason}")
        self._say("Not saved — " + ("; ".join(stray) if stray else
                                      "check the fields marked in red"))

    def _server_problem(self, key: str, reason: str) -> None:
        self._server_problems[key] = reason
        self._server_values = self.values()
        label = self.errors.get(key)
        if label is not None:
            label.setText(reason)
            label.show()

    def _say(self, text: str) -> None:
        self.last_message = text
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # ---- someone else saved first --------------------------------------------------------------

    def changed_elsewhere(self, version: int, by: str | None = None) -> bool:
        """The live feed says the case is at ``version`` now: if that is newer than what
        this form was loaded from, say so — by whom (``by``: a display name from
        ``RemoteUpdate.authors``) and when it was heard, in the department's time (the
        input stays; Save then asks to reload or re-apply). True when the banner was
        shown."""
        if self.detail is None or version <= self.detail.case.version:
            return False
        heard = self.services.clock.now().astimezone(self.tz).strftime("%H:%M")
        who = by.strip() if by and by.strip() else "someone else"
        self._say(f"{self.case_number} was changed by {who} at {heard} — Save will ask you "
                  "to reload or re-apply your changes")
        return True

    def _current(self) -> CaseDetail | None:
        assert self.case_number is not None
        try:
            return self.services.cases.get_case(self.actor, self.case_number)
        except SurgDeskError as exc:
            self._say(f"Cannot re-read {self.case_number} — {exc}")
            return None

    def _values_of(self, detail: CaseDetail) -> dict[str, Any]:
        case = detail.case
        anesth = next((m.username for m in detail.team if m.user_id == case.anesthetist_user_id),
                      None)
        start = (case.scheduled_start.astimezone(self.tz).replace(tzinfo=None)
                 if case.scheduled_start is not None and case.room_code else None)
        return {
            "patient_name": None if case.patient_masked else case.patient_name,
            "patient_id": None if case.patient_masked else case.patient_id,
            "patient_dob": None if case.patient_masked else case.patient_dob,
            "procedure_name": case.procedure_name, "laterality": case.laterality,
            "specialty": case.specialty, "priority": case.priority,
            "lead_surgeon": case.lead_surgeon_username, "anesthetist": anesth,
            "room": case.room_code, "start": start,
            "duration_min": case.estimated_duration_min, "status": case.status,
        }

    def stale_changes(self, current: CaseDetail) -> list[StaleChange]:
        """Fields the stored case has changed since the form loaded it, with the user's."""
        now = self._values_of(current)
        mine = self.values()
        return [
            StaleChange(FIELD_TITLES.get(key, key), _show(self.base.get(key)), _show(now[key]),
                        _show(mine.get(key)))
            for key in now
            if now[key] != self.base.get(key)
        ]

    def _stale(self, exc: StaleVersion) -> bool:
        current = self._current()
        if current is None:
            return False
        choice = self.resolve_stale(self.stale_changes(current))
        if choice is StaleChoice.RELOAD:
            self.load(current)
            self._say(f"Reloaded {current.case.case_number}: your changes were dropped")
            return False
        if choice is StaleChoice.REAPPLY:
            self._merge(current)
            return self._save_existing()
        self._say(f"Not saved — {exc.message}")
        return False

    def _merge(self, current: CaseDetail) -> None:
        """Make ``current`` the base, keeping the user's own edits on top of it."""
        mine = self.values()
        old_base = self.base
        edited = {k for k in mine if mine[k] != old_base.get(k)}
        reason = self.reason.text()
        self.load(current)
        status = mine.get("status")
        self.set_values({k: mine[k] for k in edited
                         if k != "status" or self.status.findData(
                             status.value if status else None) >= 0})
        self.reason.setText(reason)
        self._validate()

    def _rebase(self) -> None:
        """After a write from a tab (or a partial save), take the stored case as the base,
        keeping whatever the user has typed but not saved."""
        current = self._current()
        if current is not None:
            self._merge(current)

    def _side_write(self) -> None:
        if self.case_number is None:
            return
        self._rebase()
        if self.detail is not None:
            if self.checklist is not None and self.sender() is not self.checklist:
                self.checklist.reload(self.detail)
            if self.tabs.currentWidget() is self.history_panel:
                self.history_panel.load(self.case_number)
        self.caseChanged.emit(self.case_number)

    def _tab_changed(self, index: int) -> None:
        # Enter saves on the Case tab only: on the other tabs it belongs to their lists
        # (a tree view passes an unused Enter up to the dialog, which would press Save).
        on_form = index == 0
        self.save_button.setDefault(on_form)
        self.save_button.setAutoDefault(on_form)
        if self.tabs.widget(index) is self.history_panel and self.case_number:
            self.history_panel.load(self.case_number)

    # ---- asking ------------------------------------------------------------------------------

    def _ask_warnings(self, warnings: Sequence[SoftConflict]) -> bool:
        text = "\n".join(f"• {w.message}" for w in warnings)
        answer = QMessageBox.warning(
            self, "Save with warnings?",
            f"This case would be saved with these warnings:\n\n{text}\n\nSave anyway?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Save

    def _ask_stale(self, changes: Sequence[StaleChange]) -> StaleChoice:
        lines = "\n".join(f"• {c.field}: was {c.was}, now {c.now} (yours: {c.yours})"
                          for c in changes) or "• (its checklist or team)"
        box = QMessageBox(QMessageBox.Icon.Warning, "Changed by someone else",
                          f"{self.case_number} was changed by someone else since you opened "
                          f"it:\n\n{lines}\n\nReload theirs (your edits are dropped), or "
                          "re-apply your edits on top of theirs?", parent=self)
        reload = box.addButton("&Reload", QMessageBox.ButtonRole.DestructiveRole)
        reapply = box.addButton("Re-&apply mine", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("&Keep editing", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is reload:
            return StaleChoice.RELOAD
        if box.clickedButton() is reapply:
            return StaleChoice.REAPPLY
        return StaleChoice.KEEP

    def _ask_discard(self) -> bool:
        answer = QMessageBox.question(
            self, "Discard changes?", "This case has unsaved changes. Discard them?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    def reject(self) -> None:
        """Esc / Cancel: ask first when something typed would be lost."""
        if (self.can_edit or self.status.isEnabled()) and self.is_dirty() \
                and not self.confirm_discard():
            return
        super().reject()


def case_form_factory(
    services: Services, actor: Actor | Callable[[], Actor], *,
    on_change: Callable[[str], object] | None = None,
    on_unreachable: Callable[[str], object] | None = None,
) -> Callable[[QWidget, str | None], CaseFormDialog]:
    """The main window's ``case_form_factory`` hook: ``(parent, case_number | None)``.

    ``actor`` may be a callable (e.g. ``lambda: window.actor``) so a switched user gets
    forms of their own; ``on_change`` (e.g. the board's refresh) hears every write while
    the form is still open; ``on_unreachable`` (e.g. the window's outage report) hears
    the form, its checklist or its tabs find the database unreachable.
    """

    def make(parent: QWidget, case_number: str | None) -> CaseFormDialog:
        who = actor() if callable(actor) else actor
        form = CaseFormDialog(services, who, case_number, parent)
        if on_change is not None:
            form.caseChanged.connect(on_change)
        if on_unreachable is not None:
            form.unreachable.connect(on_unreachable)
        return form

    return make
