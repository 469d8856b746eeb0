"""The case form's other tabs: care team, notes, history. Each writes through the service
at once (every change audited on its own) and the form re-reads the case afterwards.

Their service calls go through the form's ``ServiceRunner`` (off the GUI thread); an
unreachable database is reported by the runner, once: a panel only says what it could
not save and keeps the input. ``last_ok`` tells whether the panel's last write went
through (None while it is under way).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from surgdesk.domain.enums import NoteType, TeamRole
from surgdesk.domain.limits import TEXT_MAX
from surgdesk.errors import DatabaseUnavailable, SurgDeskError
from surgdesk.services.cases import TEAM_ROLE_USERS
from surgdesk.services.context import Actor
from surgdesk.services.dto import AuditEntry, CaseDetail, UserView
from surgdesk.services.registry import Services
from surgdesk.ui.case.common import (
    ERROR_STYLE,
    NOTE_TYPE_TEXT,
    TEAM_ROLE_TEXT,
    error_label,
    guarded,
)
from surgdesk.ui.case.models import (
    CareTeamModel,
    HistoryModel,
    NotesModel,
    TeamRoleData,
)
from surgdesk.ui.runner import ServiceRunner


def _table(name: str, parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setStretchLastSection(True)
    view.setWordWrap(False)
    return view


class CareTeamPanel(QWidget):
    """The care team table; schedulers add and remove, a member confirms their own place.

    Its writes need no operation id: adding someone already on the team in that role,
    and confirming twice, change nothing; removing someone already removed is refused
    as "not on the team" (and the re-read table shows them gone)."""

    changed = Signal()

    def __init__(self, services: Services, actor: Actor, parent: QWidget | None = None, *,
                 runner: ServiceRunner | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("careTeamPanel")
        self.services = services
        self.actor = actor
        self.runner = runner if runner is not None else ServiceRunner(self)
        self.last_ok: bool | None = None
        self.case_number: str | None = None
        self.detail: CaseDetail | None = None
        self.can_assign = False
        self.model = CareTeamModel(self)
        self.table = _table("careTeamTable", self)
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)

        self.role_box = QComboBox(self)
        self.role_box.setObjectName("teamRole")
        for role in TeamRole:
            self.role_box.addItem(TEAM_ROLE_TEXT[role], role.value)
        self.role_box.setCurrentIndex(self.role_box.findData(TeamRole.CIRCULATING_NURSE.value))
        self.person_box = QComboBox(self)
        self.person_box.setObjectName("teamPerson")
        self.person_box.setMinimumContentsLength(22)
        self.add_button = QPushButton("&Add to team", self)
        self.add_button.setObjectName("teamAdd")
        self.remove_button = QPushButton("Re&move", self)
        self.remove_button.setObjectName("teamRemove")
        self.confirm_button = QPushButton("Confirm m&y assignment", self)
        self.confirm_button.setObjectName("confirmAssignment")
        self.hint = QLabel(self)
        self.hint.setObjectName("careTeamHint")
        self.hint.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setObjectName("careTeamMessage")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.hide()

        role_label = QLabel("&Role:", self)
        role_label.setBuddy(self.role_box)
        person_label = QLabel("&Person:", self)
        person_label.setBuddy(self.person_box)
        adder = QHBoxLayout()
        adder.addWidget(role_label)
        adder.addWidget(self.role_box)
        adder.addWidget(person_label)
        adder.addWidget(self.person_box, 1)
        adder.addWidget(self.add_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addLayout(adder)
        layout.addWidget(self.message)

        self.role_box.currentIndexChanged.connect(self._fill_people)
        self.add_button.clicked.connect(self._add_current)
        self.remove_button.clicked.connect(self._remove_current)
        self.confirm_button.clicked.connect(self.confirm)
        self.table.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())
        self.setTabOrder(self.table, self.remove_button)
        self.setTabOrder(self.remove_button, self.confirm_button)
        self.setTabOrder(self.confirm_button, self.role_box)
        self.setTabOrder(self.role_box, self.person_box)
        self.setTabOrder(self.person_box, self.add_button)

    def load(self, detail: CaseDetail | None) -> None:
        self.detail = detail
        if detail is None:  # a new case: the team comes after the first save
            self.case_number = None
            self.can_assign = False
            self.model.set_members([])
            self.hint.setText("Save the case first: the lead surgeon and the anesthetist join "
                              "its team by themselves, then add the others here.")
            self._update_buttons()
            return
        case = detail.case
        self.case_number = case.case_number
        self.can_assign = case.rights.edit
        fixed = {case.lead_surgeon_username: "The case's lead surgeon (change it on the "
                                              "Case tab)"}
        for member in detail.team:
            if member.user_id == case.anesthetist_user_id:
                fixed[member.username] = "The case's anesthetist (change it on the Case tab)"
        self.model.set_members(detail.team, fixed)
        self.hint.setText("The lead surgeon and the anesthetist are on the team by the case "
                          "itself; each member confirms their own assignment.")
        if self.can_assign and self.person_box.count() == 0:
            self._fill_people()
        self._update_buttons()

    def _fill_people(self) -> None:
        role = TeamRole(self.role_box.currentData())
        self.person_box.clear()
        self.runner.run(
            lambda: self.services.users.users_with_roles(self.actor, TEAM_ROLE_USERS[role]),
            done=guarded(self, lambda people: self._show_people(role, people)),
            failed=guarded(self, lambda exc: self._error(str(exc))), what="list the staff")

    def _show_people(self, role: TeamRole, people: list[UserView]) -> None:
        if TeamRole(self.role_box.currentData()) is not role:
            return  # the role changed meanwhile: its own list is on the way
        self.person_box.clear()
        on_team = {m.username for m in self.model.members()}
        for user in people:
            if user.is_device:
                continue
            suffix = " — on the team" if user.username in on_team else ""
            self.person_box.addItem(f"{user.display_name} ({user.username}){suffix}",
                                    user.username)
        self._update_buttons()

    def _my_member_unconfirmed(self) -> bool:
        return any(m.user_id == self.actor.user_id and not m.confirmed
                   for m in self.model.members())

    def _current_username(self) -> str | None:
        index = self.table.currentIndex()
        value = index.siblingAtColumn(0).data(TeamRoleData.USERNAME) if index.isValid() else None
        return str(value) if value else None

    def _update_buttons(self) -> None:
        for widget in (self.role_box, self.person_box, self.add_button, self.remove_button):
            widget.setVisible(self.can_assign)
        current = self._current_username()
        self.remove_button.setEnabled(
            self.can_assign and current is not None and self.model.fixed_reason(current) is None)
        self.add_button.setEnabled(self.can_assign and self.person_box.count() > 0)
        mine = self._my_member_unconfirmed()
        self.confirm_button.setVisible(mine)
        self.confirm_button.setEnabled(mine)

    def _add_current(self) -> None:
        username = self.person_box.currentData()
        if username:
            self.assign(str(username), TeamRole(self.role_box.currentData()))

    def _remove_current(self) -> None:
        username = self._current_username()
        if username:
            self.remove(username)

    def assign(self, username: str, role: TeamRole) -> bool:
        """Start adding ``username`` in ``role``; False when there is no case yet."""
        number = self.case_number
        if number is None:
            return False
        return self._write(lambda: self.services.cases.assign_team_member(
            self.actor, number, username, role), "add to the care team")

    def remove(self, username: str) -> bool:
        number = self.case_number
        if number is None:
            return False
        return self._write(lambda: self.services.cases.remove_team_member(
            self.actor, number, username), "remove from the care team")

    def confirm(self) -> bool:
        number = self.case_number
        if number is None:
            return False
        return self._write(lambda: self.services.cases.confirm_assignment(
            self.actor, number), "confirm the assignment")

    def _write(self, call: Callable[[], object], what: str) -> bool:
        self.last_ok = None
        self.runner.run(call, done=guarded(self, self._written),
                        failed=guarded(self, self._not_written), what=what)
        return True

    def _written(self, _result: object) -> None:
        self.last_ok = True
        self.message.hide()
        self.changed.emit()

    def _not_written(self, exc: SurgDeskError) -> None:
        self.last_ok = False
        if isinstance(exc, DatabaseUnavailable):
            self._error("Not saved — the database cannot be reached. Do it again when the "
                        "connection is back")
        else:
            self._error(str(exc))

    def _error(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()


class NotesPanel(QWidget):
    """The case's notes, newest first, and a line to add one.

    A note the database did not answer keeps its text and its operation id: adding the
    same text again once the connection is back adds it once, whether or not the first
    attempt reached the database."""

    changed = Signal()

    def __init__(self, services: Services, actor: Actor, tz: ZoneInfo,
                 parent: QWidget | None = None, *, runner: ServiceRunner | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notesPanel")
        self.services = services
        self.actor = actor
        self.runner = runner if runner is not None else ServiceRunner(self)
        self.last_ok: bool | None = None
        self.case_number: str | None = None
        # (case, type, text) of a note the database did not answer, and its operation id.
        self._unanswered: tuple[tuple[str, str, str], str] | None = None
        self.model = NotesModel(tz, self)
        self.table = _table("notesTable", self)
        self.table.setModel(self.model)
        self.table.setWordWrap(True)
        self.type_box = QComboBox(self)
        self.type_box.setObjectName("noteType")
        for kind in NoteType:
            self.type_box.addItem(NOTE_TYPE_TEXT[kind], kind.value)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("noteText")
        self.text.setPlaceholderText("Write a note for the team…")
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(64)
        self.text_error = error_label("noteText", self)
        self.add_button = QPushButton("Add &note", self)
        self.add_button.setObjectName("addNote")
        self.add_button.setEnabled(False)
        type_label = QLabel("T&ype:", self)
        type_label.setBuddy(self.type_box)
        row = QHBoxLayout()
        row.addWidget(type_label)
        row.addWidget(self.type_box)
        row.addWidget(self.text, 1)
        row.addWidget(self.add_button)
        self.editor = QWidget(self)
        self.editor.setLayout(row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.editor)
        layout.addWidget(self.text_error)
        self.text.textChanged.connect(self._validate)
        self.add_button.clicked.connect(self.add_current)

    def load(self, detail: CaseDetail | None) -> None:
        self.case_number = detail.case.case_number if detail is not None else None
        self.model.set_notes(detail.notes if detail is not None else ())
        self.table.resizeColumnsToContents()
        self.editor.setVisible(detail is not None and detail.case.rights.add_note)

    def set_zone(self, tz: ZoneInfo) -> None:
        self.model.set_zone(tz)

    def _validate(self) -> bool:
        text = self.text.toPlainText().strip()
        problem = None
        if len(text) > TEXT_MAX:
            problem = f"at most {TEXT_MAX} characters"
        self.text_error.setText(problem or "")
        self.text_error.setVisible(problem is not None)
        ok = bool(text) and problem is None
        self.add_button.setEnabled(ok)
        return ok

    def add_current(self) -> bool:
        """Start adding the note typed; False when there is nothing (valid) to add."""
        number = self.case_number
        if not self._validate() or number is None:
            return False
        kind = NoteType(self.type_box.currentData())
        text = self.text.toPlainText()
        key = (number, kind.value, text.strip())
        op_id = (self._unanswered[1] if self._unanswered is not None
                 and self._unanswered[0] == key else uuid.uuid4().hex)
        self._unanswered = None
        self.last_ok = None
        self.add_button.setEnabled(False)  # once, until this one is answered

        def failed(exc: SurgDeskError) -> None:
            self.last_ok = False
            if isinstance(exc, DatabaseUnavailable):
                self._unanswered = (key, op_id)
                self.text_error.setText("Note not saved — the database cannot be reached; "
                                        "your text is kept. Add it again when the connection "
                                        "is back (it will be added once)")
            else:
                self.text_error.setText(str(exc))
            self.text_error.show()
            self.add_button.setEnabled(True)

        self.runner.run(lambda: self.services.cases.add_note(self.actor, number, kind, text,
                                                             op_id=op_id),
                        done=guarded(self, self._added), failed=guarded(self, failed),
                        what="add the note")
        return True

    def _added(self, _result: object) -> None:
        self.last_ok = True
        self.text.clear()
        self.changed.emit()


class HistoryPanel(QWidget):
    """The case's audit trail, newest first (admin and scheduler)."""

    def __init__(self, services: Services, actor: Actor, tz: ZoneInfo,
                 parent: QWidget | None = None, *, runner: ServiceRunner | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self.services = services
        self.actor = actor
        self.runner = runner if runner is not None else ServiceRunner(self)
        self.model = HistoryModel(tz, self)
        self.table = _table("historyTable", self)
        self.table.setModel(self.model)
        self.message = QLabel(self)
        self.message.setObjectName("historyMessage")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)

    def set_zone(self, tz: ZoneInfo) -> None:
        self.model.set_zone(tz)

    def load(self, case_number: str | None) -> None:
        if case_number is None:
            self.model.set_entries([])
            return
        self.runner.run(lambda: self.services.cases.history(self.actor, case_number),
                        done=guarded(self, self._show), failed=guarded(self, self._failed),
                        what="read the case history")

    def _failed(self, exc: SurgDeskError) -> None:
        self.message.setText(str(exc))
        self.message.show()

    def _show(self, entries: list[AuditEntry]) -> None:
        self.model.set_entries(entries)
        self.message.hide()
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
