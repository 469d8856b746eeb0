"""The case form: validation as you type, saves through the service, conflicts, stale
saves, masking and the audit of opening a case."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import CaseStatus, Laterality, NoteType, Priority, TeamRole
from surgdesk.domain.limits import CASE_DURATION, IDENT_MAX, NAME_MAX
from surgdesk.services.dto import SoftConflict
from surgdesk.ui.case import CaseFormDialog, StaleChange, StaleChoice, case_form_factory
from surgdesk.ui.case.fields import NO_DOB_TEXT
from tests.ui.case.conftest import SLOT, Dept


class SettledForm(CaseFormDialog):
    """The form, waiting for its runner (calls off the GUI thread) once it is opened and
    after each save, so a test reads what a person sees once the answers are in."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        assert self.runner.settle()

    def save(self) -> bool:
        """True when everything was saved (the outcome, not just the start)."""
        return saved(self)


def saved(form: CaseFormDialog) -> bool:
    """Save and wait for the runner: True when everything was written."""
    if not CaseFormDialog.save(form):
        return False
    assert form.runner.settle()
    return form.save_ok is True


def settled(form: CaseFormDialog) -> CaseFormDialog:
    assert form.runner.settle()
    return form


def form_for(qtbot: QtBot, dept: Dept, username: str = "sched",
             case_number: str | None = None, **kwargs: object) -> CaseFormDialog:
    form = SettledForm(dept.services, dept[username], case_number, **kwargs)
    qtbot.addWidget(form)
    # No dialog may pop up in a test: each question fails loudly unless a test answers it.
    form.confirm_warnings = _unexpected
    form.resolve_stale = _unexpected
    form.confirm_discard = _unexpected
    return form


def _unexpected(*_args: object) -> bool:
    raise AssertionError("the form asked a question the test did not expect")


def choose(box: QComboBox, data: object) -> None:
    index = box.findData(data)
    assert index >= 0, f"{data!r} is not offered"
    box.setCurrentIndex(index)


def fill_valid(qtbot: QtBot, form: CaseFormDialog, *, room: str | None = "OR1") -> None:
    qtbot.keyClicks(form.patient_name, "John Doe")
    qtbot.keyClicks(form.patient_id, "MRN-2002")
    form.set_dob(date(1961, 4, 30))
    qtbot.keyClicks(form.procedure, "Hip replacement")
    choose(form.laterality, Laterality.RIGHT.value)
    choose(form.lead_surgeon, "surg1")
    choose(form.anesthetist, "anes1")
    choose(form.room, room)
    form.start_date.setDate(SLOT.date())
    form.start_time.setTime(SLOT.time())
    form.duration.setValue(120)


def case_count(dept: Dept) -> int:
    return len(dept.services.cases.list_cases(dept["admin"]))


# ---- validation and writing ---------------------------------------------------------------


def test_bad_values_show_field_messages_and_nothing_is_written(qtbot: QtBot, dept: Dept) -> None:
    form = form_for(qtbot, dept)
    assert not form.save_button.isEnabled()
    qtbot.keyClicks(form.patient_name, "John Doe")
    qtbot.keyClicks(form.procedure, "   ")

    assert form.field_error("patient_id") == "is required"
    assert form.field_error("procedure_name") == "is required"
    assert form.field_error("laterality").startswith("choose one")
    assert form.field_error("lead_surgeon") == "is required"
    assert form.field_error("patient_name") == ""
    assert form.field_error("patient_dob") == ""  # optional: not given is fine
    assert not form.save_button.isEnabled()

    assert form.save() is False
    assert case_count(dept) == 0


def test_date_of_birth_is_picked_between_1900_and_the_department_s_today(
        qtbot: QtBot, dept: Dept) -> None:
    # 23:30 UTC on Monday 12 January is already Tuesday in Berlin: the department's
    # today, whatever the PC's zone says.
    dept.clock.set(datetime(2026, 1, 12, 23, 30, tzinfo=UTC))
    form = form_for(qtbot, dept)
    assert form.patient_dob.calendarPopup()
    assert form.dob_value() is None
    assert form.patient_dob.text() == NO_DOB_TEXT
    assert form.patient_dob.maximumDate() == QDate(2026, 1, 13)
    assert form.patient_dob.minimumDate().addDays(1) == QDate(1900, 1, 1)
    form.set_dob(date(2026, 1, 13))
    assert form.dob_value() == date(2026, 1, 13)
    assert form.field_error("patient_dob") == ""
    form.set_dob(date(2099, 1, 1))  # the picker holds it at the department's today
    assert form.dob_value() == date(2026, 1, 13)
    form.set_dob(date(1900, 1, 1))
    assert form.field_error("patient_dob") == ""
    # Whatever reaches the checks outside the bounds is refused, naming the field.
    form.patient_dob.setMaximumDate(QDate(2100, 1, 1))
    form.set_dob(date(2099, 1, 1))
    assert form.field_error("patient_dob") == "is in the future"
    assert not form.save_button.isEnabled()


def test_a_new_case_has_no_laterality_until_one_is_chosen(qtbot: QtBot, dept: Dept) -> None:
    form = form_for(qtbot, dept)
    fill_valid(qtbot, form)
    choose(form.laterality, None)
    assert form.laterality.currentText() == "— choose —"
    assert form.field_error("laterality").startswith("choose one (not applicable")
    assert not form.save_button.isEnabled()
    choose(form.laterality, Laterality.NOT_APPLICABLE.value)
    assert form.field_error("laterality") == ""
    assert form.save() is True
    (case,) = dept.services.cases.list_cases(dept["admin"])
    assert case.laterality is Laterality.NOT_APPLICABLE


def test_field_limits_come_from_the_declared_limits(qtbot: QtBot, dept: Dept) -> None:
    form = form_for(qtbot, dept)
    fill_valid(qtbot, form)
    form.patient_id.setText("M" * (IDENT_MAX + 1))
    assert form.field_error("patient_id") == f"must be at most {IDENT_MAX} characters"
    form.procedure.setText("P" * (NAME_MAX + 1))
    assert form.field_error("procedure_name") == f"must be at most {NAME_MAX} characters"
    assert (form.duration.minimum(), form.duration.maximum()) == (
        CASE_DURATION.low, CASE_DURATION.high)


def test_valid_save_writes_one_case_with_an_audit_event(qtbot: QtBot, dept: Dept) -> None:
    form = form_for(qtbot, dept)
    fill_valid(qtbot, form)
    assert form.problems() == {}
    assert form.save_button.isEnabled()
    assert form.end_time.time().toString("HH:mm") == "10:00"  # start + duration

    with qtbot.waitSignal(form.caseChanged) as changed:
        assert form.save() is True
    assert form.result() == QDialog.DialogCode.Accepted

    cases = dept.services.cases.list_cases(dept["admin"])
    assert len(cases) == 1
    case = cases[0]
    assert changed.args == [case.case_number]
    assert (case.patient_name, case.patient_id, case.patient_dob) == (
        "John Doe", "MRN-2002", date(1961, 4, 30))
    assert (case.laterality, case.room_code, case.status) == (
        Laterality.RIGHT, "OR1", CaseStatus.SCHEDULED)
    assert case.estimated_duration_min == 120
    assert dept.actions(case.case_number).count("create_case") == 1


def test_a_request_without_a_room_goes_to_the_queue(qtbot: QtBot, dept: Dept) -> None:
    form = form_for(qtbot, dept)
    fill_valid(qtbot, form, room=None)
    assert form.save() is True
    (case,) = dept.services.cases.list_cases(dept["admin"])
    assert case.status is CaseStatus.REQUESTED
    assert case.room_code is None
    assert case.estimated_duration_min == 120


def test_end_time_sets_the_duration(qtbot: QtBot, dept: Dept) -> None:
    form = form_for(qtbot, dept)
    fill_valid(qtbot, form)
    form.end_time.setTime(form.end_time.time().fromString("09:15", "HH:mm"))
    assert form.duration.value() == 75
    form.end_time.setTime(form.end_time.time().fromString("07:00", "HH:mm"))
    assert form.duration.value() == 23 * 60  # an end before the start is the next day
    assert form.end_day.text() == "(+1 day)"


def test_the_service_s_bad_input_lands_beside_its_field(qtbot: QtBot, dept: Dept) -> None:
    form = form_for(qtbot, dept)
    fill_valid(qtbot, form)
    choose(form.lead_surgeon, "surg2")
    # surg2 leaves after the form listed them: only the service can know.
    dept.services.users.update_user(dept["admin"], "surg2", active=False)

    assert form.save() is False
    assert "deactivated" in form.field_error("lead_surgeon")
    assert form.last_message.startswith("Not saved")
    assert case_count(dept) == 0
    choose(form.lead_surgeon, "surg1")  # touching the field clears the service's message
    assert form.field_error("lead_surgeon") == ""


def test_a_hard_conflict_refuses_with_the_reason(qtbot: QtBot, dept: Dept) -> None:
    dept.new_case(room="OR1", start=SLOT)
    form = form_for(qtbot, dept)
    fill_valid(qtbot, form)
    choose(form.lead_surgeon, "surg2")
    choose(form.anesthetist, None)

    assert form.save() is False
    assert "OR1 is already booked" in form.last_message
    assert "already booked" in form.field_error("room")
    assert case_count(dept) == 1


def test_soft_conflicts_are_listed_and_asked(qtbot: QtBot, dept: Dept) -> None:
    first = dept.new_case(room="OR1", start=SLOT)
    form = form_for(qtbot, dept)
    fill_valid(qtbot, form, room="OR2")  # surg1 and anes1 again, same time, other room
    form.specialty.setCurrentText("cardiology")  # OR2 is the orthopedic room
    asked: list[Sequence[SoftConflict]] = []

    def refuse(warnings: Sequence[SoftConflict]) -> bool:
        asked.append(warnings)
        return False

    form.confirm_warnings = refuse
    assert form.save() is False
    codes = {w.code for w in asked[0]}
    assert {"surgeon_double_booked", "anesthetist_double_booked", "specialty"} <= codes
    assert any(first.case.case_number in w.message for w in asked[0])
    assert case_count(dept) == 1

    form.confirm_warnings = lambda warnings: True
    assert form.save() is True
    assert case_count(dept) == 2
    assert form.last_result is not None
    assert "surgeon_double_booked" in {w.code for w in form.last_result.warnings}


# ---- opening, masking, audit ------------------------------------------------------------------


def test_opening_as_a_scheduler_leaves_a_view_case_event(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    form = form_for(qtbot, dept, "sched", number)
    assert form.patient_name.text() == "Jane Roe"
    assert form.patient_name.isEnabled()
    assert not form.patient_name.isReadOnly()
    events = [e for e in dept.history(number) if e.action == "view_case"]
    assert len(events) == 1
    assert events[0].actor == "sched"


def test_a_viewer_cannot_open_patient_details(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    form = form_for(qtbot, dept, "viewer", number)
    assert form.patient_masked
    for edit in (form.patient_name, form.patient_id, form.patient_dob):
        assert edit.text() == "masked"
        assert not edit.isEnabled()
    assert "Jane Roe" not in form.windowTitle()
    assert form.findChild(QWidget, "patientMaskedNote").isVisibleTo(form)  # type: ignore[union-attr]
    assert not form.save_button.isVisibleTo(form)
    assert not form.procedure.isEnabled() or form.procedure.isReadOnly()
    assert "view_case" not in dept.actions(number)


def test_a_nurse_off_the_team_sees_the_case_masked(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    form = form_for(qtbot, dept, "nurse2", number)
    assert form.patient_name.text() == "masked"
    assert "view_case" not in dept.actions(number)
    dept.services.cases.assign_team_member(dept["sched"], number, "nurse2",
                                           TeamRole.SCRUB_NURSE)
    on_team = form_for(qtbot, dept, "nurse2", number)
    assert on_team.patient_name.text() == "Jane Roe"
    assert on_team.patient_name.isReadOnly()  # sees, but schedulers edit
    assert "view_case" in dept.actions(number)


# ---- editing an existing case -------------------------------------------------------------------


def test_editing_saves_only_what_changed(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    form = form_for(qtbot, dept, "sched", number)
    choose(form.priority, Priority.URGENT.value)
    form.start_time.setTime(form.start_time.time().addSecs(3600))
    with qtbot.waitSignal(form.caseChanged):
        assert form.save() is True
    case = dept.services.cases.get_case(dept["admin"], number).case
    assert case.priority is Priority.URGENT
    assert case.scheduled_start is not None
    assert case.scheduled_start.hour == 8  # 09:00 Berlin is 08:00 UTC
    actions = dept.actions(number)
    assert actions.count("update_case") == 1
    assert actions.count("move_case") == 1


def test_a_stale_save_is_caught_and_the_input_survives(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    form = form_for(qtbot, dept, "sched", number)
    form.patient_name.clear()
    qtbot.keyClicks(form.patient_name, "Jane Q. Roe")
    # Meanwhile someone else changes the procedure.
    dept.services.cases.update_case(dept["admin"], number, expected_version=None,
                                    procedure_name="Knee arthroscopy, revision")
    shown: list[Sequence[StaleChange]] = []

    def keep(changes: Sequence[StaleChange]) -> StaleChoice:
        shown.append(changes)
        return StaleChoice.KEEP

    form.resolve_stale = keep
    assert form.save() is False
    (change,) = shown[0]
    assert (change.field, change.was, change.now) == (
        "Procedure", "Knee arthroscopy", "Knee arthroscopy, revision")
    assert form.patient_name.text() == "Jane Q. Roe"  # the input survives
    assert "changed by someone else" in form.last_message
    stored = dept.services.cases.get_case(dept["admin"], number).case
    assert stored.patient_name == "Jane Roe"

    form.resolve_stale = lambda changes: StaleChoice.REAPPLY
    assert form.save() is True
    stored = dept.services.cases.get_case(dept["admin"], number).case
    assert stored.patient_name == "Jane Q. Roe"  # mine
    assert stored.procedure_name == "Knee arthroscopy, revision"  # theirs kept


def test_a_stale_save_can_reload_theirs(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    form = form_for(qtbot, dept, "sched", number)
    choose(form.priority, Priority.EMERGENCY.value)
    dept.services.cases.update_case(dept["admin"], number, expected_version=None,
                                    priority=Priority.URGENT)
    form.resolve_stale = lambda changes: StaleChoice.RELOAD
    assert form.save() is False
    assert form.priority.currentData() == Priority.URGENT.value
    assert not form.is_dirty()
    assert form.save() is True  # nothing to write, closes


def test_postponing_asks_for_the_reason_note(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    form = form_for(qtbot, dept, "sched", number)
    assert not form.reason.isVisibleTo(form)
    choose(form.status, CaseStatus.POSTPONED.value)
    assert form.reason.isVisibleTo(form)
    assert form.field_error("reason") == "is required"
    assert not form.save_button.isEnabled()
    qtbot.keyClicks(form.reason, "patient has a fever")
    assert form.save() is True
    detail = dept.services.cases.get_case(dept["admin"], number)
    assert detail.case.status is CaseStatus.POSTPONED
    assert [(n.note_type, n.message) for n in detail.notes] == [
        (NoteType.DELAY, "patient has a fever")]


def test_status_offers_only_allowed_transitions(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    sched = form_for(qtbot, dept, "sched", number)
    offered = {sched.status.itemData(i) for i in range(sched.status.count())}
    assert offered == {"scheduled", "requested", "postponed", "cancelled"}
    surgeon = form_for(qtbot, dept, "surg1", number)
    assert surgeon.status.count() == 1
    assert not surgeon.status.isEnabled()
    assert not surgeon.save_button.isVisibleTo(surgeon)


# ---- keyboard ----------------------------------------------------------------------------------


def test_enter_saves_and_escape_asks_when_dirty(qtbot: QtBot, dept: Dept) -> None:
    form = form_for(qtbot, dept)
    form.show()
    qtbot.waitExposed(form)
    fill_valid(qtbot, form)
    asked: list[bool] = []

    def stay() -> bool:
        asked.append(True)
        return False

    form.confirm_discard = stay
    qtbot.keyClick(form.procedure, Qt.Key.Key_Escape)
    assert asked == [True]
    assert form.isVisible()
    with qtbot.waitSignal(form.caseChanged):
        qtbot.keyClick(form.procedure, Qt.Key.Key_Return)
    assert form.result() == QDialog.DialogCode.Accepted
    assert case_count(dept) == 1


def test_escape_closes_an_untouched_form_without_asking(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    form = form_for(qtbot, dept, "sched", number)
    form.show()
    qtbot.waitExposed(form)
    qtbot.keyClick(form.procedure, Qt.Key.Key_Escape)
    assert form.result() == QDialog.DialogCode.Rejected


def test_tab_order_follows_the_form(qtbot: QtBot, dept: Dept) -> None:
    form = form_for(qtbot, dept)
    form.show()
    qtbot.waitExposed(form)
    wanted = ["patientName", "patientId", "patientDob", "procedureName", "laterality",
              "specialty", "priority", "leadSurgeon", "anesthetist", "room", "start",
              "startTime", "durationMin", "endTime"]
    # Walk Qt's focus chain as Tab does, keeping the form's own fields.
    seen: list[str] = []
    widget: QWidget = form.patient_name
    for _ in range(200):
        name = widget.objectName()
        if name in wanted and name not in seen and widget.isVisible() and (
                widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
            seen.append(name)
        widget = widget.nextInFocusChain()
        if widget is form.patient_name:
            break
    assert seen == wanted


def test_the_factory_fits_the_main_window_hook(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    parent = QWidget()
    qtbot.addWidget(parent)
    form = settled(case_form_factory(dept.services, dept["sched"])(parent, number))
    assert form.objectName() == "caseForm"
    assert form.case_number == number
    new = settled(case_form_factory(dept.services, dept["sched"])(parent, None))
    assert new.detail is None
    assert new.windowTitle() == "New case"


@pytest.mark.parametrize("username", ["surg1"])
def test_a_surgeon_requests_their_own_case(qtbot: QtBot, dept: Dept, username: str) -> None:
    form = form_for(qtbot, dept, username)
    assert form.lead_surgeon.currentData() == username
    assert not form.room.isEnabled()
    qtbot.keyClicks(form.patient_name, "John Doe")
    qtbot.keyClicks(form.patient_id, "MRN-3")
    qtbot.keyClicks(form.procedure, "Carpal tunnel release")
    choose(form.laterality, Laterality.LEFT.value)
    assert form.save() is True
    (case,) = dept.services.cases.list_cases(dept["admin"])
    assert case.status is CaseStatus.REQUESTED
    assert case.lead_surgeon_username == username


def test_enter_on_another_tab_does_not_save(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    form = form_for(qtbot, dept, "admin", number)
    form.show()
    qtbot.waitExposed(form)
    form.tabs.setCurrentWidget(form.checklist_tab)
    assert not form.save_button.isDefault()
    assert form.checklist is not None
    tree = form.checklist.pages[next(iter(form.checklist.pages))].tree
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert form.isVisible()
    form.tabs.setCurrentIndex(0)
    assert form.save_button.isDefault()


def test_a_queued_case_is_scheduled_by_choosing_a_room(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case(room=None).case.case_number
    form = form_for(qtbot, dept, "sched", number)
    assert form.room.currentData() is None
    assert form.start_value() == datetime(2026, 1, 13, 8, 0)  # tomorrow morning, not 2000
    choose(form.room, "OR1")
    form.start_date.setDate(SLOT.date())
    form.start_time.setTime(SLOT.time())
    assert form.save() is True
    case = dept.services.cases.get_case(dept["admin"], number).case
    assert (case.status, case.room_code, case.estimated_duration_min) == (
        CaseStatus.SCHEDULED, "OR1", 90)


def test_back_to_the_queue_clears_the_room(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    form = form_for(qtbot, dept, "sched", number)
    choose(form.room, None)
    assert "needs a room" in form.field_error("room")
    assert not form.save_button.isEnabled()
    choose(form.status, CaseStatus.REQUESTED.value)
    assert form.field_error("room") == ""
    assert form.save() is True
    case = dept.services.cases.get_case(dept["admin"], number).case
    assert (case.status, case.room_code) == (CaseStatus.REQUESTED, None)


def test_a_room_taken_after_the_preview_is_still_refused(qtbot: QtBot, dept: Dept,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    form = form_for(qtbot, dept)
    fill_valid(qtbot, form)
    # Someone books the slot between the preview and the write.
    original = form.checks.check_case

    def then_taken(*args: object, **kwargs: object) -> object:
        answer = original(*args, **kwargs)  # type: ignore[arg-type]
        dept.new_case(room="OR1", start=SLOT, lead_surgeon="surg2", anesthetist=None,
                      patient_id="MRN-77")
        return answer

    monkeypatch.setattr(form.checks, "check_case", then_taken)
    assert form.save() is False
    assert "already booked" in form.field_error("room")
    assert form.last_message.startswith("Not saved — OR1 is already booked")
    assert case_count(dept) == 1  # only theirs
    assert form.patient_name.text() == "John Doe"


def test_starting_a_case_is_refused_while_sign_in_is_open(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    dept.services.cases.assign_team_member(dept["sched"], number, "nurse1",
                                           TeamRole.CIRCULATING_NURSE)
    for code in ("RD-CONSENT", "RD-ASSESSMENT", "RD-RESULTS", "RD-FASTING"):
        dept.services.checklists.tick(dept["nurse1"], number, code)
    form = form_for(qtbot, dept, "nurse1", number)
    offered = [form.status.itemData(i) for i in range(form.status.count())]
    assert offered == ["preop_ready", "in_progress"]  # the nurse's only step
    assert form.procedure.isReadOnly()
    choose(form.status, CaseStatus.IN_PROGRESS.value)
    assert form.save_button.isEnabled()
    with qtbot.assertNotEmitted(form.caseChanged):
        assert form.save() is False
    assert "SI-IDENTITY" in form.last_message
    assert dept.services.cases.get_case(dept["admin"], number).case.status \
        is CaseStatus.PREOP_READY


def test_a_case_that_does_not_exist_opens_nothing(qtbot: QtBot, dept: Dept) -> None:
    form = form_for(qtbot, dept, "sched", "2026-999999")
    assert form.open_error is not None
    assert form.last_message.startswith("Cannot open 2026-999999")
    assert not form.save_button.isEnabled()
    assert form.checklist is None


def test_the_factory_follows_the_signed_in_actor_and_reports_writes(
        qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    current = {"actor": dept["viewer"]}
    heard: list[str] = []
    make = case_form_factory(dept.services, lambda: current["actor"], on_change=heard.append)
    parent = QWidget()
    qtbot.addWidget(parent)
    assert settled(make(parent, number)).patient_masked
    current["actor"] = dept["sched"]
    form = settled(make(parent, number))
    assert not form.patient_masked
    choose(form.priority, Priority.URGENT.value)
    assert saved(form) is True
    assert heard == [number]


def _answer_box(button_text: str) -> None:
    """Press a button of the message box the form is about to show (once the service's
    answer that makes it ask has come back from the runner)."""
    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, press)  # not asked yet
            return
        (button,) = [b for b in box.buttons() if b.text().replace("&", "") == button_text]
        button.click()

    QTimer.singleShot(0, press)


def test_the_real_stale_question_lists_the_changes(qtbot: QtBot, dept: Dept) -> None:
    number = dept.new_case().case.case_number
    form = form_for(qtbot, dept, "sched", number)
    form.resolve_stale = form._ask_stale  # the real dialog this time
    form.show()
    choose(form.priority, Priority.URGENT.value)
    dept.services.cases.update_case(dept["admin"], number, expected_version=None,
                                    procedure_name="Knee arthroscopy, revision")
    _answer_box("Re-apply mine")
    assert form.save() is True
    case = dept.services.cases.get_case(dept["admin"], number).case
    assert (case.priority, case.procedure_name) == (Priority.URGENT,
                                                    "Knee arthroscopy, revision")


def test_the_real_warning_question_can_refuse(qtbot: QtBot, dept: Dept) -> None:
    dept.new_case(room="OR1", start=SLOT)
    form = form_for(qtbot, dept)
    form.confirm_warnings = form._ask_warnings
    form.confirm_discard = lambda: True  # closed dirty at the end of the test
    form.show()
    fill_valid(qtbot, form, room="OR2")
    _answer_box("Cancel")
    assert form.save() is False
    assert case_count(dept) == 1


def _hold_create_case(dept: Dept, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The database is slow: creating a case waits until the returned event is set."""
    release = threading.Event()
    create = dept.services.cases.create_case

    def slow_create(*args: object, **kwargs: object) -> object:
        release.wait(5)
        return create(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(dept.services.cases, "create_case", slow_create)
    return release


def test_a_slow_save_keeps_the_window_turning_and_shows_it_is_busy(
        qtbot: QtBot, dept: Dept, monkeypatch: pytest.MonkeyPatch) -> None:
    release = _hold_create_case(dept, monkeypatch)
    form = form_for(qtbot, dept)
    form.show()
    fill_valid(qtbot, form, room=None)
    assert CaseFormDialog.save(form) is True  # started, not finished
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(10)
    qtbot.wait(300)  # the database is slow; the event loop is not
    assert form.busy_label.isVisible()
    assert form.busy_label.text() == "Saving…"
    assert not form.save_button.isEnabled()
    assert form.save_ok is None
    assert form.patient_name.text() == "John Doe"
    timer.stop()  # the gaps that count are those while the save was held
    assert len(ticks) > 10
    assert max(b - a for a, b in itertools.pairwise(ticks)) < 0.2
    release.set()
    assert form.runner.settle()
    assert form.save_ok is True
    assert form.result() == QDialog.DialogCode.Accepted
    assert case_count(dept) == 1


def test_closing_during_a_save_closes_the_form_and_the_save_completes(
        qtbot: QtBot, dept: Dept, monkeypatch: pytest.MonkeyPatch) -> None:
    release = _hold_create_case(dept, monkeypatch)
    form = form_for(qtbot, dept)
    form.show()
    fill_valid(qtbot, form, room=None)
    assert CaseFormDialog.save(form) is True
    form.close()  # e.g. the user signs out: nothing asked, the form goes
    assert not form.isVisible()
    release.set()
    assert form.runner.settle()
    assert form.save_ok is True
    assert case_count(dept) == 1
