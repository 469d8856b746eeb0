"""The case form (``caseForm``): create and edit a case, with its team, checklists, notes
and history on tabs.

The dialog assembles the parts: the fields and their checks (``fields.py``), the save
path (``saving.py``), the other tabs (``panels.py``, ``checklist.py``). Every service call
goes through a ``ServiceRunner`` (the window's, or the form's own): the form opens at
once, says "Loading…" until the case and the pickers are read, and says "Saving…" while
it saves, so a slow database never freezes the window.

What the actor may do comes from the services: a new case from the permission matrix
(who may request, who may place), an existing one from ``detail.case.rights`` (status
targets, the ones needing a reason, edit, tick, sign off, add a note).

Opening an existing case goes through ``open_case``, which audits the view of the
patient's details; a caller who may not see the patient gets a DTO without them and the
form says "masked".
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime, time, timedelta

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.enums import CaseStatus, Role
from surgdesk.domain.permissions import Action, allowed
from surgdesk.errors import SurgDeskError
from surgdesk.services.context import Actor
from surgdesk.services.dto import CaseDetail
from surgdesk.services.registry import Services
from surgdesk.ui.case.card_panel import CardFill, CardPanel
from surgdesk.ui.case.checklist import ChecklistWidget
from surgdesk.ui.case.common import CONFLICT_TEXT, STATUS_TEXT, department_zone
from surgdesk.ui.case.fields import FormChoices
from surgdesk.ui.case.panels import CareTeamPanel, HistoryPanel, NotesPanel
from surgdesk.ui.case.saving import (
    PARTLY_UNREACHABLE_TEXT,
    UNREACHABLE_TEXT,
    CaseSaving,
    StaleChange,
    StaleChoice,
)
from surgdesk.ui.runner import ServiceRunner

__all__ = ["PARTLY_UNREACHABLE_TEXT", "UNREACHABLE_TEXT", "CaseFormDialog", "StaleChange",
           "StaleChoice", "case_form_factory"]

LOADING_TEXT = "Loading…"


def read_choices(services: Services, actor: Actor) -> FormChoices:
    """On the worker thread: the department's zone and what the pickers offer."""
    return FormChoices(
        tz=department_zone(services, actor),
        surgeons=tuple(services.users.users_with_roles(actor, [Role.SURGEON])),
        anesthetists=tuple(services.users.users_with_roles(actor, [Role.ANESTHESIOLOGIST])),
        rooms=tuple(services.rooms.list_rooms(actor)),
        kinds=tuple(k.name for k in services.equipment.kinds(actor, include_inactive=False)),
        units=tuple(services.equipment.units(actor, include_retired=False)))


class CaseFormDialog(CaseSaving):
    """New case (``case_number`` None) or an existing one. ``caseChanged(case_number)``
    fires after every successful write from the form or any of its tabs."""

    def __init__(self, services: Services, actor: Actor, case_number: str | None = None,
                 parent: QWidget | None = None, *, default_room: str | None = None,
                 default_start: datetime | None = None,
                 runner: ServiceRunner | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseForm")
        self.services = services
        self.actor = actor
        self.checks = services.checks
        self.runner = runner if runner is not None else ServiceRunner(self)
        self.case_number = case_number
        self.detail: CaseDetail | None = None
        self.history_visible = False
        self.checklist: ChecklistWidget | None = None
        self.confirm_discard: Callable[[], bool] = self._ask_discard
        self._init_fields()
        self._init_saving()
        self._build()
        self.setWindowTitle(case_number or "New case")
        self._set_busy(LOADING_TEXT)
        self._call(lambda: read_choices(services, actor), self._choices_read,
                   self._choices_failed, "read the staff and rooms")
        if case_number is None:
            self._defaults = (default_room, default_start)
        else:
            self._call(lambda: services.cases.open_case(actor, case_number), self._opened,
                       self._open_failed, "open the case")

    def card_id(self) -> int | None:
        card = self.card_fill.card if self.detail is None else None
        # The form always sends its equipment list (empty: none, even if the card has
        # some), so the card fills nothing behind the user's back.
        return card.id if card is not None else None

    @property
    def unreachable(self) -> SignalInstance:
        """The runner's report of an unreachable database (reported there, once)."""
        return self.runner.unreachable

    # ---- building ----------------------------------------------------------------------

    def _build(self) -> None:
        self.header = self._header_label()
        form_page = self._build_fields()
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("caseTabs")
        self.tabs.addTab(form_page, "&Case")
        self.team_panel = CareTeamPanel(self.services, self.actor, self, runner=self.runner)
        self.tabs.addTab(self.team_panel, "Care &team")
        self.checklist_tab = QWidget(self)
        self.checklist_layout = QVBoxLayout(self.checklist_tab)
        self.tabs.addTab(self.checklist_tab, "Chec&klists")
        self.notes_panel = NotesPanel(self.services, self.actor, self.tz, self,
                                      runner=self.runner)
        self.tabs.addTab(self.notes_panel, "N&otes")
        self.history_panel = HistoryPanel(self.services, self.actor, self.tz, self,
                                          runner=self.runner)
        self.history_index = self.tabs.addTab(self.history_panel, "&History")
        self.card_panel = CardPanel(self)
        self.card_index = self.tabs.addTab(self.card_panel, "Pre&ference card")
        self.tabs.setTabVisible(self.card_index, False)
        self.card_fill = CardFill(self, self._call, self.card_note)
        self.tabs.currentChanged.connect(self._tab_changed)

        self.buttons = QDialogButtonBox(self)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.busy_label)
        layout.addWidget(self.buttons)

        self.team_panel.changed.connect(self._side_write)
        self.notes_panel.changed.connect(self._side_write)
        self.resize(980, 620)

    def _header_label(self) -> QLabel:
        header = QLabel(self)
        header.setObjectName("caseHeader")
        font = header.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        header.setFont(font)
        return header

    def _set_busy(self, text: str | None) -> None:
        """Show that a call is under way: the tabs wait (the input stays as typed), Save
        is off, and a line says what the form is doing."""
        self._busy = text
        self.busy_label.setText(text or "")
        self.busy_label.setVisible(text is not None)
        self.tabs.setEnabled(text is None)
        if text is None:
            self._validate()
        else:
            self.save_button.setEnabled(False)

    # ---- loading -----------------------------------------------------------------------

    def _choices_read(self, choices: FormChoices) -> None:
        self._fill_choices(choices)
        self.notes_panel.set_zone(self.tz)
        self.history_panel.set_zone(self.tz)
        if self.case_number is None:
            self._start_new(*self._defaults)
            self._set_busy(None)

    def _choices_failed(self, exc: SurgDeskError) -> None:
        self._say(f"Cannot read the staff and rooms — {exc}")
        self._choices_read(FormChoices(tz=self.tz))

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
        self._sync_end()
        if default_room:
            self._select(self.room, default_room)
        if self.actor.role is Role.SURGEON:
            self._select(self.lead_surgeon, self.actor.username)
        # No case yet, so no case rights: the matrix says who may request and place.
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
        self._validate()

    def _open_failed(self, exc: SurgDeskError) -> None:
        number = self.case_number
        self.open_error = str(exc)
        self._say(f"Cannot open {number} — {exc}")
        for widget in self.inputs.values():
            widget.setEnabled(False)
        self.can_edit = self.can_place = False
        self._loading = False
        self.base = self.values()
        self._set_busy(None)

    def _opened(self, detail: CaseDetail) -> None:
        self.load(detail)
        self.checklist = ChecklistWidget(self.services, self.actor, detail.case.case_number,
                                         self, detail=detail, tz=self.tz, runner=self.runner)
        self.checklist_layout.addWidget(self.checklist)
        self.checklist.caseChanged.connect(self._side_write)
        self.history_visible = allowed(self.actor.role, Action.READ_AUDIT)
        self.tabs.setTabVisible(self.history_index, self.history_visible)
        self._set_busy(None)

    def load(self, detail: CaseDetail) -> None:
        """Show ``detail`` in every field (the user's input is replaced)."""
        self._loading = True
        self.detail = detail
        case = detail.case
        self.case_number = case.case_number
        self.setWindowTitle(f"{case.case_number} — {case.procedure_name}")
        self.patient_masked = case.patient_masked
        self._show_masked(case.patient_masked)
        if not case.patient_masked:
            self.patient_name.setText(case.patient_name or "")
            self.patient_id.setText(case.patient_id or "")
            self.set_dob(case.patient_dob)
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
        self.equipment.show_case(case.equipment, placed=case.room_code is not None)
        self.card_panel.load(detail.card)
        self.tabs.setTabVisible(self.card_index, detail.card is not None)
        self.can_edit = case.rights.edit
        self.can_place = case.rights.edit
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
        """The statuses the services say this actor may choose now."""
        current = detail.case.status
        self.status.clear()
        self.status.addItem(f"{STATUS_TEXT[current]} (now)", current.value)
        for target in detail.case.rights.status_targets:
            label = ("Requested — back to the queue" if target is CaseStatus.REQUESTED
                     else STATUS_TEXT[target])
            self.status.addItem(label, target.value)
        self.status.setEnabled(self.status.count() > 1)

    def _apply_rights(self) -> None:
        patient_ok = self.can_edit and not self.patient_masked
        self._read_only(self.patient_name, not patient_ok)
        self._read_only(self.patient_id, not patient_ok)
        self._read_only(self.patient_dob, not patient_ok)
        for edit in (self.patient_name, self.patient_id, self.patient_dob):
            edit.setEnabled(not self.patient_masked)
        self._read_only(self.procedure, not self.can_edit)
        for box in (self.laterality, self.specialty, self.priority, self.lead_surgeon,
                    self.anesthetist, self.equipment):
            box.setEnabled(self.can_edit)
        if self.actor.role is Role.SURGEON and self.detail is None:
            self.lead_surgeon.setEnabled(False)  # a surgeon requests their own cases
        for widget in (self.room, self.start_date, self.start_time, self.duration,
                       self.end_time):
            widget.setEnabled(self.can_place)
        if not self.can_place and self.detail is None:
            self.duration.setEnabled(self.can_edit)  # the estimate of a requested case
        writable = self.writable()
        self.save_button.setVisible(writable)
        self.cancel_button.setText("Cancel" if writable else "Close")

    # ---- someone else saved first, or a tab wrote ------------------------------------------------

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

    def _side_write(self) -> None:
        if self.case_number is None:
            return
        number = self.case_number
        from_checklist = self.sender() is self.checklist

        def after() -> None:
            if self.detail is not None:
                if self.checklist is not None and not from_checklist:
                    self.checklist.reload(self.detail)
                if self.tabs.currentWidget() is self.history_panel:
                    self.history_panel.load(number)
            self.caseChanged.emit(number)

        self._rebase(after)

    def _tab_changed(self, index: int) -> None:
        # Enter saves on the Case tab only: on the other tabs it belongs to their lists
        # (a tree view passes an unused Enter up to the dialog, which would press Save).
        on_form = index == 0
        self.save_button.setDefault(on_form)
        self.save_button.setAutoDefault(on_form)
        if self.tabs.widget(index) is self.history_panel and self.case_number:
            self.history_panel.load(self.case_number)

    # ---- closing -----------------------------------------------------------------------------

    def _ask_discard(self) -> bool:
        answer = QMessageBox.question(
            self, "Discard changes?", "This case has unsaved changes. Discard them?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    def reject(self) -> None:
        """Esc / Cancel / close: ask first when something typed would be lost. While a
        call is under way nothing is asked: the form closes (a signing-out user's form
        must go) and a save already sent completes or fails on its own."""
        if self._busy is None and self.writable() and self.is_dirty() \
                and not self.confirm_discard():
            return
        super().reject()


def case_form_factory(
    services: Services, actor: Actor | Callable[[], Actor], *,
    on_change: Callable[[str], object] | None = None,
    runner: ServiceRunner | None = None,
    on_unreachable: Callable[[str], object] | None = None,
) -> Callable[[QWidget, str | None], CaseFormDialog]:
    """The main window's ``case_form_factory`` hook: ``(parent, case_number | None)``.

    ``actor`` may be a callable (e.g. ``lambda: window.actor``) so a switched user gets
    forms of their own; ``on_change`` (e.g. the board's refresh) hears every write while
    the form is still open; ``runner`` (the window's) runs the forms' service calls and
    reports an unreachable database in one place. ``on_unreachable`` is for a caller
    that does not pass its runner yet: it hears each form's own runner (ignored when
    ``runner`` is given — the window hears its runner itself).
    """

    def make(parent: QWidget, case_number: str | None) -> CaseFormDialog:
        who = actor() if callable(actor) else actor
        form = CaseFormDialog(services, who, case_number, parent, runner=runner)
        if on_change is not None:
            form.caseChanged.connect(on_change)
        if runner is None and on_unreachable is not None:
            form.runner.unreachable.connect(on_unreachable)
        return form

    return make
