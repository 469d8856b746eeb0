"""The checklist widget (``checklistWidget``): one tab per phase, items by section.

Ticking goes straight to the service and the widget re-reads the case afterwards, so what
it shows is always what is stored (including the case status the Readiness section
drives). Who may tick, sign off and assign comes from the services (``case.rights``);
roles that may not tick see the same view read-only, and the service refuses them anyway.

Every service call goes through a ``ServiceRunner`` (the form's, or the widget's own), off
the GUI thread; ``caseChanged`` fires once a write is through and the case re-read, and
``last_ok`` says whether the last write went through (None while under way). An
unreachable database is reported by the runner, once.

Every write carries a client operation id. When the database does not answer, the write
may or may not have committed: the widget keeps what it shows (a clicked box goes back),
says it was not saved, and keeps the id, so doing the same again once the connection is
back is the same operation — saved once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.enums import ChecklistStatus, ItemStatus, Phase, Section
from surgdesk.errors import DatabaseUnavailable, SurgDeskError
from surgdesk.services.context import Actor
from surgdesk.services.dto import CaseDetail, ChecklistItemView, ChecklistView
from surgdesk.services.registry import Services
from surgdesk.ui.case.common import (
    ERROR_STYLE,
    PHASE_TEXT,
    STATUS_TEXT,
    department_zone,
    guarded,
    local_text,
)
from surgdesk.ui.case.models import ChecklistModel, ChecklistRole, SectionProgress
from surgdesk.ui.runner import ServiceRunner

READ_ONLY_TEXT = ("Read-only — only the case's care team (and admins) tick checklist items.")


def gate_text(progress: SectionProgress, all_sections: dict[str, SectionProgress]) -> str:
    """What a section gates, in words, and how far it is."""
    left = progress.required - progress.done
    to_go = f"{left} required item{'s' if left != 1 else ''} to go"
    name = progress.section
    if name == Section.READINESS:
        return ("Readiness complete — the case is pre-op ready" if progress.complete
                else f"{to_go} — then the case is pre-op ready")
    if name in (Section.SIGN_IN, Section.TIME_OUT):
        other = Section.TIME_OUT if name == Section.SIGN_IN else Section.SIGN_IN
        other_done = other in all_sections and all_sections[other].complete
        if progress.complete and other_done:
            # Said once, on the Time Out row (the last of the two); Sign In just is done.
            return ("Sign In complete" if name == Section.SIGN_IN
                    else "Time Out complete — Sign In too: the case can start")
        if progress.complete:
            return f"{name} complete — with {other.value}, the case can start"
        return f"{to_go} — Sign In and Time Out let the case start"
    if name == Section.SIGN_OUT:
        return ("Sign Out complete — the case can be completed" if progress.complete
                else f"{to_go} — then the case can be completed")
    return (f"{name} complete" if progress.complete
            else f"{to_go} — needed to sign off the checklist")


def _object_suffix(section: str) -> str:
    return "".join(part.title() for part in section.replace("-", " ").split())


class PhasePage(QWidget):
    """One phase: section progress and gates above, the item tree, then the actions."""

    def __init__(self, phase: Phase, tz: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.phase = phase
        self.setObjectName(f"checklistPage_{phase.value}")
        self.model = ChecklistModel(tz, self)
        self._progress = QGridLayout()
        self._progress.setColumnStretch(2, 1)
        self._progress.setHorizontalSpacing(12)
        self._bars: dict[str, tuple[QProgressBar, QLabel]] = {}

        self.tree = QTreeView(self)
        self.tree.setObjectName(f"checklistTree_{phase.value}")
        self.tree.setModel(self.model)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(ChecklistModel.COL_LABEL, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(ChecklistModel.TITLES)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)

        suffix = "pre-op" if phase is Phase.PRE_OP else "post-op"
        self.done_button = QPushButton("Mark &done", self)
        self.done_button.setObjectName(f"markDone_{phase.value}")
        self.pending_button = QPushButton("Reop&en", self)
        self.pending_button.setObjectName(f"markPending_{phase.value}")
        self.blocked_button = QPushButton("Mark &blocked…", self)
        self.blocked_button.setObjectName(f"markBlocked_{phase.value}")
        self.note_button = QPushButton("&Note…", self)
        self.note_button.setObjectName(f"itemNote_{phase.value}")
        self.assign_button = QPushButton("Assi&gn…", self)
        self.assign_button.setObjectName(f"itemAssign_{phase.value}")
        self.sign_off_button = QPushButton(f"&Sign off {suffix}", self)
        self.sign_off_button.setObjectName(f"signOff_{phase.value}")
        self.signed_label = QLabel(self)
        self.signed_label.setObjectName(f"signedOff_{phase.value}")

        actions = QHBoxLayout()
        for button in (self.done_button, self.pending_button, self.blocked_button,
                       self.note_button, self.assign_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.signed_label)
        actions.addWidget(self.sign_off_button)

        layout = QVBoxLayout(self)
        layout.addLayout(self._progress)
        layout.addWidget(self.tree, 1)
        layout.addLayout(actions)

    def show_checklist(self, checklist: ChecklistView, tz: ZoneInfo) -> None:
        current = self.current_code()
        self.model.set_items(checklist.items)
        self.tree.expandAll()
        progress = {p.section: p for p in self.model.sections()}
        for row, p in enumerate(progress.values()):
            if p.section not in self._bars:
                name = QLabel(p.section, self)
                bar = QProgressBar(self)
                bar.setObjectName(f"progress{_object_suffix(p.section)}")
                bar.setMinimumWidth(140)
                bar.setMaximumWidth(220)
                gate = QLabel(self)
                gate.setObjectName(f"gate{_object_suffix(p.section)}")
                self._progress.addWidget(name, row, 0)
                self._progress.addWidget(bar, row, 1)
                self._progress.addWidget(gate, row, 2)
                self._bars[p.section] = (bar, gate)
            bar, gate = self._bars[p.section]
            bar.setRange(0, max(1, p.required))
            bar.setValue(p.done if p.required else 1)
            bar.setFormat(f"{p.done}/{p.required} required")
            gate.setText(gate_text(p, progress))
            gate.setStyleSheet("" if p.complete else "color: #444;")
            font = gate.font()
            font.setBold(p.complete)
            gate.setFont(font)
        if checklist.status is ChecklistStatus.COMPLETED:
            by = checklist.signed_off_by or "?"
            self.signed_label.setText(
                f"Signed off by {by}, {local_text(checklist.signed_off_at, tz, '%d %b %H:%M')}")
        else:
            self.signed_label.setText("")
        if current:
            self.select(current)
        elif self.model.rowCount() and self.model.rowCount(self.model.index(0, 0)):
            self.tree.setCurrentIndex(self.model.index(0, 0, self.model.index(0, 0)))

    def current_code(self) -> str | None:
        index = self.tree.currentIndex()
        if not index.isValid():
            return None
        code = index.siblingAtColumn(0).data(ChecklistRole.ITEM_CODE)
        return str(code) if code else None

    def current_item(self) -> ChecklistItemView | None:
        index = self.tree.currentIndex()
        item = index.siblingAtColumn(0).data(ChecklistRole.ITEM) if index.isValid() else None
        return item if isinstance(item, ChecklistItemView) else None

    def select(self, code: str) -> None:
        index = self.model.item_index(code)
        if index.isValid():
            self.tree.setCurrentIndex(index)

    def all_required_done(self) -> bool:
        return all(p.complete for p in self.model.sections())


class ChecklistWidget(QWidget):
    """The checklists of one case. Emits ``caseChanged(case_number)`` after every write."""

    caseChanged = Signal(str)  # noqa: N815 (Qt signal naming, as the board wires it)

    def __init__(self, services: Services, actor: Actor, case_number: str,
                 parent: QWidget | None = None, *, detail: CaseDetail | None = None,
                 tz: ZoneInfo | None = None, runner: ServiceRunner | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checklistWidget")
        self.setWindowTitle(f"Checklists — {case_number}")
        self.services = services
        self.actor = actor
        self.case_number = case_number
        self.runner = runner if runner is not None else ServiceRunner(self)
        # The department's zone: given by the form, else read with the first reload.
        self._zone_known = tz is not None
        self.tz = tz or ZoneInfo("UTC")
        self.detail: CaseDetail | None = None
        self.can_tick = False
        self.can_sign_off = False
        self.last_error = ""
        self.last_ok: bool | None = None
        # Operation ids of writes the database did not answer, by what they do: the same
        # write again reuses its id (until the widget has read the case again).
        self._unanswered: dict[Hashable, str] = {}
        # Asked for a note when blocking an item or writing one; tests replace it.
        self.ask_note: Callable[[str, str], str | None] = self._ask_note
        # (question, choices, current) -> the chosen label, None when cancelled
        self.ask_choice: Callable[[str, list[str], int], str | None] = self._ask_choice

        self.status_label = QLabel(self)
        self.status_label.setObjectName("checklistCaseStatus")
        self.read_only_label = QLabel(READ_ONLY_TEXT, self)
        self.read_only_label.setObjectName("checklistReadOnly")
        self.read_only_label.setStyleSheet("color: #6b6b6b; font-style: italic;")
        self.busy_label = QLabel("Saving…", self)
        self.busy_label.setObjectName("checklistBusy")
        self.busy_label.setStyleSheet("color: #6b6b6b;")
        self.busy_label.hide()
        self._writes = 0  # writes under way (shown as "Saving…")
        self.message = QLabel(self)
        self.message.setObjectName("checklistMessage")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.hide()

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("checklistTabs")
        self.pages: dict[Phase, PhasePage] = {}
        for phase in Phase:
            page = PhasePage(phase, self.tz, self)
            self.pages[phase] = page
            self.tabs.addTab(page, PHASE_TEXT[phase])
            self._wire(page)

        top = QHBoxLayout()
        top.addWidget(self.status_label)
        top.addStretch(1)
        top.addWidget(self.busy_label)
        top.addWidget(self.read_only_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        if detail is not None and self._zone_known:
            self.show_detail(detail)
        else:
            self.reload()

    def _wire(self, page: PhasePage) -> None:
        phase = page.phase
        page.model.tick_requested.connect(
            lambda code, status: self.tick(code, ItemStatus(status)))
        page.done_button.clicked.connect(lambda: self._tick_current(phase, ItemStatus.DONE))
        page.pending_button.clicked.connect(
            lambda: self._tick_current(phase, ItemStatus.PENDING))
        page.blocked_button.clicked.connect(
            lambda: self._tick_current(phase, ItemStatus.BLOCKED))
        page.note_button.clicked.connect(lambda: self._note_current(phase))
        page.assign_button.clicked.connect(lambda: self._assign_current(phase))
        page.sign_off_button.clicked.connect(lambda: self.sign_off(phase))
        page.tree.selectionModel().currentChanged.connect(
            lambda _cur, _prev: self._update_buttons())
        page.tree.installEventFilter(self)

    # -- reading -----------------------------------------------------------------------

    def reload(self, detail: CaseDetail | None = None,
               then: Callable[[], object] | None = None) -> None:
        """Show ``detail``, or read the case again (on the runner) and show it; then
        ``then`` (also when it could not be read)."""
        if detail is not None:
            self.show_detail(detail)
            if then is not None:
                then()
            return
        need_zone = not self._zone_known
        number = self.case_number

        def read() -> tuple[ZoneInfo | None, CaseDetail]:
            tz = department_zone(self.services, self.actor) if need_zone else None
            return tz, self.services.cases.get_case(self.actor, number)

        def done(answer: tuple[ZoneInfo | None, CaseDetail]) -> None:
            tz, read_detail = answer
            if tz is not None:
                self._set_zone(tz)
            self.show_detail(read_detail)
            if then is not None:
                then()

        def failed(exc: SurgDeskError) -> None:
            self._show_error(f"Cannot read {number} — {exc}")
            if then is not None:
                then()

        self.runner.run(read, done=guarded(self, done), failed=guarded(self, failed),
                        what="read the checklists")

    def _set_zone(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._zone_known = True
        for page in self.pages.values():
            page.model.set_zone(tz)

    def show_detail(self, detail: CaseDetail) -> None:
        """Show what is stored (as read by the caller)."""
        self.detail = detail
        # What is stored is on screen now: a write from here on is a new operation.
        self._unanswered.clear()
        rights = detail.case.rights
        self.can_tick = rights.tick
        self.can_sign_off = rights.sign_off
        self.status_label.setText(
            f"<b>{detail.case.case_number}</b> · "
            f"{STATUS_TEXT.get(detail.case.status, detail.case.status.value)}")
        self.read_only_label.setVisible(not self.can_tick)
        for checklist in detail.checklists:
            page = self.pages.get(checklist.phase)
            if page is None:
                continue
            page.model.set_editable(
                self.can_tick and checklist.status is not ChecklistStatus.COMPLETED)
            page.show_checklist(checklist, self.tz)
            # Item notes are free text that may name the patient, like case notes.
            page.tree.setColumnHidden(ChecklistModel.COL_NOTE, detail.case.patient_masked)
        self._update_buttons()

    def checklist(self, phase: Phase) -> ChecklistView | None:
        if self.detail is None:
            return None
        return next((c for c in self.detail.checklists if c.phase is phase), None)

    def _update_buttons(self) -> None:
        for phase, page in self.pages.items():
            checklist = self.checklist(phase)
            signed = checklist is not None and checklist.status is ChecklistStatus.COMPLETED
            item = page.current_item()
            editable = page.model.editable and item is not None
            page.done_button.setEnabled(editable and item is not None
                                        and item.status is not ItemStatus.DONE)
            page.pending_button.setEnabled(editable and item is not None
                                           and item.status is not ItemStatus.PENDING)
            page.blocked_button.setEnabled(editable and item is not None
                                           and item.status is not ItemStatus.BLOCKED)
            page.note_button.setEnabled(editable)
            # Schedulers assign work without ticking; signed-off phases no longer change.
            may_assign = self.can_tick or (self.detail is not None
                                           and self.detail.case.rights.edit)
            page.assign_button.setVisible(may_assign)
            page.assign_button.setEnabled(may_assign and item is not None and not signed)
            for button in (page.done_button, page.pending_button, page.blocked_button,
                           page.note_button):
                button.setVisible(self.can_tick)
            page.sign_off_button.setVisible(self.can_sign_off or signed)
            page.sign_off_button.setEnabled(
                self.can_sign_off and not signed and checklist is not None
                and page.all_required_done())
            page.sign_off_button.setToolTip(
                "" if page.all_required_done() or signed
                else "Every required item must be done before signing off")

    # -- writing -----------------------------------------------------------------------

    def _item(self, code: str) -> ChecklistItemView | None:
        if self.detail is None:
            return None
        for checklist in self.detail.checklists:
            for item in checklist.items:
                if item.item_code == code:
                    return item
        return None

    def _write(self, key: Hashable, call: Callable[[str], object], not_done: str,
               not_saved: str, again: str) -> bool:
        """Start one service write with its operation id (True: started). Refused: re-read
        and say why (``not_done``: "SI-IDENTITY not changed"). Not answered: what is shown
        stays (the stored state, as last read), the id is kept for doing the same again
        (``not_saved``: "SI-IDENTITY not saved"; ``again``: "Tick it again")."""
        op_id = self._unanswered.pop(key, None) or uuid.uuid4().hex
        number = self.case_number
        self.last_ok = None
        self._writing(+1)

        def done(_result: object) -> None:
            self._writing(-1)
            self.last_ok = True
            self._clear_error()
            self.reload(then=lambda: self.caseChanged.emit(number))

        def failed(exc: SurgDeskError) -> None:
            self._writing(-1)
            self.last_ok = False
            if isinstance(exc, DatabaseUnavailable):
                self._unanswered[key] = op_id
                self._show_error(f"{not_saved} — the database cannot be reached. {again} "
                                 "when the connection is back (it will be saved once)")
            else:
                self.reload(then=lambda: self._show_error(f"{not_done} — {exc}"))

        self.runner.run(lambda: call(op_id), done=guarded(self, done),
                        failed=guarded(self, failed), what="save the checklist")
        return True

    def tick(self, code: str, status: ItemStatus, *, note: str | None = None) -> bool:
        """Set an item's status (and note) through the service; True when it was written."""
        item = self._item(code)
        version = item.version if item is not None else None
        return self._write(
            ("tick", code.upper(), status, note),
            lambda op_id: self.services.checklists.tick(
                self.actor, self.case_number, code, status=status, note=note,
                expected_version=version, op_id=op_id),
            f"{code} not changed", f"{code} not saved", "Tick it again")

    def sign_off(self, phase: Phase) -> bool:
        return self._write(
            ("sign_off", phase),
            lambda op_id: self.services.checklists.sign_off(
                self.actor, self.case_number, phase, op_id=op_id),
            f"{PHASE_TEXT[phase]} not signed off", f"{PHASE_TEXT[phase]} sign-off not saved",
            "Sign off again")

    def _writing(self, step: int) -> None:
        self._writes += step
        self.busy_label.setVisible(self._writes > 0)

    def _tick_current(self, phase: Phase, status: ItemStatus) -> None:
        item = self.pages[phase].current_item()
        if item is None:
            return
        note = None
        if status is ItemStatus.BLOCKED:
            note = self.ask_note(f"Why is {item.item_code} blocked? (optional)",
                                 item.notes or "")
            if note is None:
                return
        self.tick(item.item_code, status, note=note)

    def _note_current(self, phase: Phase) -> None:
        item = self.pages[phase].current_item()
        if item is None:
            return
        note = self.ask_note(f"Note on {item.item_code}", item.notes or "")
        if note is not None:
            self.tick(item.item_code, item.status, note=note)

    NOBODY = "(nobody)"

    def _assign_current(self, phase: Phase) -> None:
        item = self.pages[phase].current_item()
        if item is None or self.detail is None:
            return
        members = {f"{t.display_name} ({t.username})": t.username for t in self.detail.team}
        labels = [self.NOBODY, *members]
        current = next((n for n, (label, user) in enumerate(members.items(), start=1)
                        if user == item.assigned_to), 0)
        chosen = self.ask_choice(f"Who does {item.item_code}?", labels, current)
        if chosen is None:
            return
        self.assign(item.item_code, members.get(chosen))

    def assign(self, code: str, username: str | None) -> bool:
        """Give an item to a care-team member (None: nobody) through the service."""
        item = self._item(code)
        version = item.version if item is not None else None
        return self._write(
            ("assign", code.upper(), username),
            lambda op_id: self.services.checklists.assign(
                self.actor, self.case_number, code, username, expected_version=version,
                op_id=op_id),
            f"{code} not assigned", f"Assignment of {code} not saved", "Assign it again")

    def _ask_choice(self, question: str, choices: list[str], current: int) -> str | None:
        text, ok = QInputDialog.getItem(self, "Assign checklist item", question, choices,
                                        current, False)
        return text if ok else None

    def _ask_note(self, question: str, current: str) -> str | None:
        text, ok = QInputDialog.getText(self, "Checklist note", question, text=current)
        return text.strip() if ok else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Space on an item toggles it done / pending (whatever column is current)."""
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Space and self.can_tick):
            for phase, page in self.pages.items():
                if watched is page.tree and page.model.editable:
                    item = page.current_item()
                    if item is not None:
                        target = (ItemStatus.PENDING if item.status is ItemStatus.DONE
                                  else ItemStatus.DONE)
                        self.tick(item.item_code, target)
                        self.pages[phase].select(item.item_code)
                    return True
        return super().eventFilter(watched, event)

    def _show_error(self, text: str) -> None:
        self.last_error = text
        self.message.setText(text)
        self.message.show()

    def _clear_error(self) -> None:
        self.last_error = ""
        self.message.clear()
        self.message.hide()

    def current_index(self, phase: Phase) -> QModelIndex:
        return self.pages[phase].tree.currentIndex()
