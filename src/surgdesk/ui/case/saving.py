"""The case form's save path (``CaseSaving``, between the fields and the dialog).

How a save goes — every service call on the runner's worker thread, each answer back on
the GUI thread, the form busy ("Saving…", Save disabled) until the last one:

1. The form's own checks pass (Save is disabled otherwise).
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
   same ids, so what did commit is answered as already done and saved once. The runner
   reports the outage itself (its ``unreachable``), once, for the whole window.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMessageBox

from surgdesk.domain.enums import CaseStatus
from surgdesk.errors import (
    BadInput,
    DatabaseUnavailable,
    EquipmentConflict,
    RoomConflict,
    StaleVersion,
    SurgDeskError,
)
from surgdesk.services.case_checks import CaseCheck
from surgdesk.services.dto import CaseDetail, CaseResult, SoftConflict
from surgdesk.ui.case.common import guarded
from surgdesk.ui.case.equipment_field import NeedValue, needs_value
from surgdesk.ui.case.fields import (
    EDIT_FIELDS,
    FIELD_ALIASES,
    FIELD_TITLES,
    PATIENT_FIELDS,
    PLACE_FIELDS,
    CaseFields,
    show_value,
)
from surgdesk.ui.runner import Job

T = TypeVar("T")

UNREACHABLE_TEXT = ("Not saved — the database cannot be reached; your input is kept. Save "
                    "again when the connection is back (it will be saved once)")
PARTLY_UNREACHABLE_TEXT = ("Not everything was saved — the database cannot be reached; your "
                           "input is kept. Save again when the connection is back (each part "
                           "will be saved once)")
SAVING_TEXT = "Saving…"
LEAVING = (CaseStatus.REQUESTED, CaseStatus.POSTPONED, CaseStatus.CANCELLED)


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


@dataclass
class EditPlan:
    """The writes one save of an existing case makes, decided on the GUI thread."""

    case_number: str
    version: int
    edits: dict[str, Any]
    move: dict[str, Any] | None
    status: CaseStatus | None
    reason: str | None
    op_ids: dict[str, str]


@dataclass
class EditProgress:
    """What the worker got done (read on the GUI thread once the call is delivered)."""

    wrote: bool = False
    result: CaseResult | None = None


class CaseSaving(CaseFields):
    """Saving a new or an existing case, and what a stale save asks."""

    caseChanged = Signal(str)  # noqa: N815 (Qt signal naming, as the board wires it)

    def _init_saving(self) -> None:
        self.last_result: CaseResult | None = None
        # True / False once the last save finished; None while one is under way.
        self.save_ok: bool | None = None
        # The save attempt's client operation ids, one per step, and the input they were
        # made for: reused while the input stays the same, new after a success or a change.
        self._attempt: tuple[str, dict[str, str]] | None = None
        # Questions the form asks; tests replace them to answer without a dialog.
        self.confirm_warnings: Callable[[Sequence[SoftConflict]], bool] = self._ask_warnings
        self.resolve_stale: Callable[[Sequence[StaleChange]], StaleChoice] = self._ask_stale

    # Provided by the dialog.
    def load(self, detail: CaseDetail) -> None:
        raise NotImplementedError

    def _set_busy(self, text: str | None) -> None:
        raise NotImplementedError

    def card_id(self) -> int | None:
        """The preference card a new case was filled from (None: typed by hand)."""
        return None

    def _call(self, call: Callable[[], T], done: Callable[[T], object],
              failed: Callable[[SurgDeskError], object], what: str) -> Job[T]:
        """Run ``call`` on the runner; ``done``/``failed`` only while the form exists."""
        return self.runner.run(call, done=guarded(self, done), failed=guarded(self, failed),
                               what=what)

    # ---- saving ------------------------------------------------------------------------

    def save(self) -> bool:
        """Start saving; the dialog closes once everything is written, and stays with the
        input when nothing or not everything was (``save_ok`` then says which). False
        when nothing was started (the form's checks fail, or a call is under way)."""
        if self._busy is not None or not self._validate():
            return False
        self.save_ok = None
        self._set_busy(SAVING_TEXT)
        v = self.values()
        if self.detail is None:
            self._preview(v, lambda: self._save_new(v))
        else:
            self._save_existing(v)
        return True

    def _finish(self, ok: bool) -> None:
        self._set_busy(None)
        self.save_ok = ok
        if ok:
            self._attempt = None
            self.accept()

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

    def _preview(self, v: dict[str, Any], then: Callable[[], None]) -> None:
        """Hard conflicts refuse, soft ones ask; ``then`` writes."""
        if v["room"] is None or not self.can_place:
            then()
            return
        case_number = self.case_number if self.detail is not None else None
        self._call(lambda: self.checks.check_case(
            self.actor, room=v["room"], start=v["start"], duration_min=v["duration_min"],
            lead_surgeon=v["lead_surgeon"], anesthetist=v["anesthetist"],
            specialty=v["specialty"] or None, patient_id=v["patient_id"],
            case_number=case_number),
            lambda check: self._previewed(check, then), self._preview_failed,
            "check the case")

    def _previewed(self, check: CaseCheck, then: Callable[[], None]) -> None:
        if check.hard is not None:
            self._say(f"Not saved — {check.hard}")
            self._server_problem("room", check.hard)
            self._finish(False)
        elif check.warnings and not self.confirm_warnings(check.warnings):
            self._say("Not saved — the warnings were not accepted")
            self._finish(False)
        else:
            then()

    def _preview_failed(self, exc: SurgDeskError) -> None:
        if isinstance(exc, BadInput):
            self._show_service_problems(exc)
        elif isinstance(exc, DatabaseUnavailable):
            self._failed(exc)
        else:
            self._say(str(exc))
        self._finish(False)

    def _save_new(self, v: dict[str, Any]) -> None:
        placed = v["room"] is not None
        op_id = self.op_id("create")
        dob = v["patient_dob"] if isinstance(v["patient_dob"], date) else None
        kinds, units = equipment_args(v["equipment"])
        card = self.card_id()
        self._call(lambda: self.services.cases.create_case(
            self.actor,
            procedure_name=v["procedure_name"], patient_id=v["patient_id"] or "",
            patient_name=v["patient_name"] or "", lead_surgeon=v["lead_surgeon"] or "",
            patient_dob=dob, laterality=v["laterality"], specialty=v["specialty"] or None,
            priority=v["priority"], anesthetist=v["anesthetist"],
            room=v["room"], start=v["start"] if placed else None,
            duration_min=v["duration_min"], equipment=kinds, units=units, card=card,
            op_id=op_id),
            self._created, self._save_failed, "save the case")

    def _created(self, result: CaseResult) -> None:
        self.last_result = result
        self.case_number = result.case.case_number
        self.caseChanged.emit(result.case.case_number)
        self._finish(True)

    def _save_failed(self, exc: SurgDeskError) -> None:
        self._failed(exc)
        self._finish(False)

    def _plan(self, v: dict[str, Any]) -> tuple[EditPlan, bool]:
        """The writes of this save, and whether they need a preview first."""
        assert self.detail is not None
        base = self.base
        case = self.detail.case
        edits = {k: v[k] for k in EDIT_FIELDS
                 if v[k] != base[k] and not (k in PATIENT_FIELDS and self.patient_masked)}
        status = v["status"]
        status_change = status is not None and status is not case.status
        leaving = status_change and status in LEAVING
        placement = (not leaving and v["room"] is not None
                     and any(v[k] != base[k] for k in PLACE_FIELDS))
        if v["room"] is None and v["duration_min"] != base["duration_min"]:
            edits["estimated_duration_min"] = v["duration_min"]
        if v["equipment"] != base["equipment"]:
            edits["equipment"], edits["units"] = equipment_args(v["equipment"])
        if "specialty" in edits and not edits["specialty"]:
            edits["specialty"] = None
        people_changed = "lead_surgeon" in edits or "anesthetist" in edits
        preview = ((placement or (people_changed and v["room"] is not None)
                    or "patient_id" in edits) and not leaving)
        plan = EditPlan(
            case_number=case.case_number, version=case.version, edits=edits,
            move=({"room": v["room"], "start": v["start"], "duration_min": v["duration_min"]}
                  if placement else None),
            status=status if status_change else None,
            reason=self.reason.text().strip() if self._needs_reason(status) else None,
            op_ids={step: self.op_id(step) for step in ("edit", "move", "status")})
        return plan, preview

    def _save_existing(self, v: dict[str, Any]) -> None:
        plan, preview = self._plan(v)
        if preview:
            self._preview(v, lambda: self._write_plan(plan))
        else:
            self._write_plan(plan)

    def _write_plan(self, plan: EditPlan) -> None:
        progress = EditProgress()
        self._call(lambda: self._write_steps(plan, progress),
                   lambda _none: self._steps_done(plan, progress, None),
                   lambda exc: self._steps_done(plan, progress, exc), "save the case")

    def _write_steps(self, plan: EditPlan, progress: EditProgress) -> None:
        """On the worker thread: edit, move, status, each on the version the last left."""
        cases = self.services.cases
        version = plan.version
        steps: list[Callable[[int], CaseResult]] = []
        if plan.edits:
            steps.append(lambda ver: cases.update_case(
                self.actor, plan.case_number, expected_version=ver,
                op_id=plan.op_ids["edit"], **plan.edits))
        if plan.move is not None:
            move = plan.move
            steps.append(lambda ver: cases.move(
                self.actor, plan.case_number, room=move["room"], start=move["start"],
                duration_min=move["duration_min"], expected_version=ver,
                op_id=plan.op_ids["move"]))
        if plan.status is not None:
            status = plan.status
            steps.append(lambda ver: cases.set_status(
                self.actor, plan.case_number, status, reason=plan.reason,
                expected_version=ver, op_id=plan.op_ids["status"]))
        for step in steps:
            result = step(version)
            version, progress.wrote, progress.result = result.case.version, True, result

    def _steps_done(self, plan: EditPlan, progress: EditProgress,
                    exc: SurgDeskError | None) -> None:
        if progress.result is not None:
            self.last_result = progress.result
        if exc is None:
            if progress.wrote:
                self.caseChanged.emit(plan.case_number)
            self._finish(True)
        elif isinstance(exc, DatabaseUnavailable):
            # Keep the base as it was: Save again repeats every step with its same id, and
            # the steps that did commit are answered as done.
            self._failed(exc)
            if progress.wrote:
                self.caseChanged.emit(plan.case_number)
                self._say(PARTLY_UNREACHABLE_TEXT)
            self._finish(False)
        elif isinstance(exc, StaleVersion) and not progress.wrote:
            self._stale(exc)
        elif progress.wrote:  # our own first step moved the version: keep what was written
            self._rebase(lambda: self._save_failed(exc))
        else:
            self._save_failed(exc)

    def _failed(self, exc: SurgDeskError) -> None:
        if isinstance(exc, DatabaseUnavailable):
            self._say(UNREACHABLE_TEXT)
        elif isinstance(exc, BadInput):
            self._show_service_problems(exc)
        elif isinstance(exc, EquipmentConflict):
            self._server_problem("equipment", exc.message)
            self._say(f"Not saved — {exc.message}")
        elif isinstance(exc, RoomConflict):
            self._server_problem("room", exc.message)
            self._say(f"Not saved — {exc.message}")
        else:
            self._say(f"Not saved — {exc}")

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

    # ---- someone else saved first --------------------------------------------------------------

    def _reread(self, then: Callable[[CaseDetail | None], None]) -> None:
        """Read the stored case again; ``then(None)`` when it cannot be read (said)."""
        number = self.case_number
        assert number is not None

        def failed(exc: SurgDeskError) -> None:
            self._say(f"Cannot re-read {number} — {exc}")
            then(None)

        self._call(lambda: self.services.cases.get_case(self.actor, number), then, failed,
                   "re-read the case")

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
            "equipment": needs_value(case.equipment),
        }

    def stale_changes(self, current: CaseDetail) -> list[StaleChange]:
        """Fields the stored case has changed since the form loaded it, with the user's."""
        now = self._values_of(current)
        mine = self.values()
        return [
            StaleChange(FIELD_TITLES.get(key, key), show_value(self.base.get(key)),
                        show_value(now[key]), show_value(mine.get(key)))
            for key in now
            if now[key] != self.base.get(key)
        ]

    def _stale(self, exc: StaleVersion) -> None:
        def decide(current: CaseDetail | None) -> None:
            if current is None:
                self._finish(False)
                return
            choice = self.resolve_stale(self.stale_changes(current))
            if choice is StaleChoice.RELOAD:
                self.load(current)
                self._say(f"Reloaded {current.case.case_number}: your changes were dropped")
                self._finish(False)
            elif choice is StaleChoice.REAPPLY:
                self._merge(current)
                self._save_existing(self.values())
            else:
                self._say(f"Not saved — {exc.message}")
                self._finish(False)

        self._reread(decide)

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

    def _rebase(self, then: Callable[[], None] | None = None) -> None:
        """After a write from a tab (or a partial save), take the stored case as the base,
        keeping whatever the user has typed but not saved; then ``then``."""
        def merge(current: CaseDetail | None) -> None:
            if current is not None:
                self._merge(current)
            if then is not None:
                then()

        self._reread(merge)

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


def equipment_args(needs: tuple[NeedValue, ...]) -> tuple[list[str], list[str]]:
    """The form's needs as the services take them: kind names (one per unit) and the
    names of the units picked."""
    return [kind for kind, _unit in needs], [unit for _kind, unit in needs if unit]
