"""Cases: create, schedule, move, resize, unschedule, edit, read, list, board, notes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from surgdesk.domain import models as m
from surgdesk.domain.enums import CaseStatus, Laterality, NoteType, Priority, TeamRole
from surgdesk.errors import BadInput, NotFound, PermissionDenied, StaleVersion, TransitionRefused
from surgdesk.services.cases import DEFAULT_DURATION_MIN
from tests.services.factories import Kit, at, kit

__all__ = ["kit"]

BERLIN_WINTER = timedelta(hours=1)


def utc(naive_berlin: datetime) -> datetime:
    """A naive test time (Berlin, winter) as UTC."""
    return (naive_berlin - BERLIN_WINTER).replace(tzinfo=UTC)


def _count(kit: Kit, model: type[m.Base]) -> int:
    with kit.db.new_session() as s:
        return int(s.scalar(select(func.count(model.id))) or 0)


# ---- create ---------------------------------------------------------------------------


def test_create_with_room_and_start_schedules_the_case(kit: Kit) -> None:
    result = kit.new_case(start=at(8), duration_min=90)
    case = result.case
    assert case.status is CaseStatus.SCHEDULED
    assert case.case_number == "2026-000001"
    assert case.room_code == "OR1"
    assert case.scheduled_start == utc(at(8))
    assert case.scheduled_end == utc(at(9, 30))
    assert case.estimated_duration_min == 90
    assert case.specialty == "orthopedics"  # the lead surgeon's
    assert case.patient_name == "Erika Mustermann"
    assert case.lead_surgeon_username == "surg1"
    assert case.anesthetist_name == "Anes1 Test"
    assert result.warnings == ()
    assert kit.new_case(room=None).case.case_number == "2026-000002"


def test_create_without_a_room_requests_the_case_with_the_default_length(kit: Kit) -> None:
    case = kit.new_case(room=None, duration_min=None, actor=kit["surg2"],
                        lead_surgeon="surg2").case
    assert case.status is CaseStatus.REQUESTED
    assert case.room_code is None
    assert case.scheduled_start is None
    assert case.estimated_duration_min == DEFAULT_DURATION_MIN


def test_create_with_an_end_sets_the_estimate(kit: Kit) -> None:
    case = kit.new_case(start=at(8), duration_min=None, end=at(10, 15)).case
    assert case.estimated_duration_min == 135


def test_lead_surgeon_and_anesthetist_join_the_team(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    team = kit.cases.get_case(kit["admin"], number).team
    assert {(t.username, t.role) for t in team} == {
        ("surg1", TeamRole.SURGEON), ("anes1", TeamRole.ANESTHESIOLOGIST)}


def test_create_audits_the_new_case(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    [entry] = kit.cases.history(kit["sched"], number)
    assert entry.action == "create_case"
    assert entry.actor == "sched"
    assert entry.details["room"] == {"before": None, "after": "OR1"}
    assert entry.details["status"] == {"before": None, "after": "scheduled"}


BAD_INPUT: list[tuple[dict[str, object], str]] = [
    ({"procedure_name": "  "}, "procedure_name"),
    ({"patient_name": ""}, "patient_name"),
    ({"patient_id": "x" * 65}, "patient_id"),
    ({"patient_dob": date(2999, 1, 1)}, "patient_dob"),
    ({"laterality": "sideways"}, "laterality"),
    ({"duration_min": -5}, "duration_min"),
    ({"duration_min": 24 * 60 + 1}, "duration_min"),
    ({"end": at(7)}, "end"),
    ({"end": at(8)}, "end"),
    ({"end": at(9), "duration_min": 30}, "duration_min"),
    ({"start": datetime(2026, 3, 29, 2, 30)}, "start"),  # Berlin DST gap
    ({"start": datetime(2026, 10, 25, 2, 30)}, "start"),  # Berlin DST fold
    ({"lead_surgeon": "nobody"}, "lead_surgeon"),
    ({"lead_surgeon": "anes1"}, "lead_surgeon"),
    ({"anesthetist": "nurse1"}, "anesthetist"),
    ({"room": "OR9"}, "room"),
]


def test_bad_input_names_the_field_and_writes_nothing(kit: Kit) -> None:
    """One database for the whole table: a refusal writes nothing, so rows cannot meet."""
    wrong = []
    for fields, field in BAD_INPUT:
        try:
            kit.new_case(**fields)
        except BadInput as exc:
            if exc.field != field:
                wrong.append(f"{fields}: field {exc.field}, expected {field}")
        else:
            wrong.append(f"{fields}: accepted")
    assert wrong == []
    assert _count(kit, m.SurgeryCase) == 0
    assert _count(kit, m.AuditEvent) == 0


def test_a_room_without_a_start_or_a_start_without_a_room_is_bad_input(kit: Kit) -> None:
    with pytest.raises(BadInput) as err:
        kit.cases.create_case(kit["sched"], procedure_name="x", patient_id="1",
                              patient_name="P", lead_surgeon="surg1", room="OR1")
    assert err.value.field == "start"
    with pytest.raises(BadInput) as err:
        kit.cases.create_case(kit["sched"], procedure_name="x", patient_id="1",
                              patient_name="P", lead_surgeon="surg1", start=at(8))
    assert err.value.field == "room"


def test_aware_times_are_taken_as_they_are(kit: Kit) -> None:
    start = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    case = kit.new_case(start=start).case
    assert case.scheduled_start == start


# ---- schedule, move, resize, unschedule --------------------------------------------------


def test_schedule_a_requested_case_uses_its_estimate(kit: Kit) -> None:
    number = kit.new_case(room=None, duration_min=45).case.case_number
    case = kit.cases.schedule(kit["sched"], number, room="OR2", start=at(9)).case
    assert case.status is CaseStatus.SCHEDULED
    assert (case.room_code, case.scheduled_end) == ("OR2", utc(at(9, 45)))


def test_schedule_refuses_a_case_already_on_the_board(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    with pytest.raises(TransitionRefused):
        kit.cases.schedule(kit["sched"], number, room="OR2", start=at(9))


def test_move_to_a_new_start_keeps_the_length(kit: Kit) -> None:
    number = kit.new_case(start=at(8), duration_min=90).case.case_number
    case = kit.cases.move(kit["sched"], number, start=at(13)).case
    assert (case.scheduled_start, case.scheduled_end) == (utc(at(13)), utc(at(14, 30)))
    assert case.room_code == "OR1"


def test_move_to_another_room_keeps_the_times(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    case = kit.cases.move(kit["sched"], number, room="or2").case
    assert case.room_code == "OR2"
    assert case.scheduled_start == utc(at(8))


def test_resize_by_end_or_duration(kit: Kit) -> None:
    number = kit.new_case(start=at(8), duration_min=60).case.case_number
    case = kit.cases.move(kit["sched"], number, end=at(10)).case
    assert case.scheduled_end == utc(at(10))
    assert case.estimated_duration_min == 120
    case = kit.cases.move(kit["sched"], number, duration_min=30).case
    assert case.scheduled_end == utc(at(8, 30))


def test_move_into_its_own_old_slot_is_not_a_conflict_with_itself(kit: Kit) -> None:
    number = kit.new_case(start=at(8), duration_min=60).case.case_number
    case = kit.cases.move(kit["sched"], number, start=at(8, 30)).case
    assert case.scheduled_start == utc(at(8, 30))


def test_move_audits_before_and_after(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    kit.cases.move(kit["sched"], number, room="OR2", start=at(11))
    entry = kit.cases.history(kit["admin"], number)[0]
    assert entry.action == "move_case"
    assert entry.details["room"] == {"before": "OR1", "after": "OR2"}
    assert entry.details["scheduled_start"]["after"] == utc(at(11)).isoformat()


def test_move_a_requested_case_with_room_and_start_schedules_it(kit: Kit) -> None:
    number = kit.new_case(room=None).case.case_number
    with pytest.raises(BadInput) as err:
        kit.cases.move(kit["sched"], number, start=at(9))
    assert err.value.field == "room"
    assert kit.cases.move(kit["sched"], number, room="OR1", start=at(9)).case.status is (
        CaseStatus.SCHEDULED)


def test_in_progress_case_cannot_be_moved(kit: Kit) -> None:
    from tests.services.factories import case_in

    number = case_in(kit, CaseStatus.IN_PROGRESS)
    with pytest.raises(TransitionRefused):
        kit.cases.move(kit["sched"], number, start=at(12))


def test_unschedule_clears_room_and_times(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    case = kit.cases.unschedule(kit["sched"], number).case
    assert case.status is CaseStatus.REQUESTED
    assert (case.room_code, case.scheduled_start, case.scheduled_end) == (None, None, None)


def test_stale_version_is_refused_and_nothing_changes(kit: Kit) -> None:
    first = kit.new_case().case
    kit.cases.move(kit["sched"], first.case_number, start=at(10),
                   expected_version=first.version)
    for call in (
        lambda: kit.cases.move(kit["sched"], first.case_number, start=at(12),
                               expected_version=first.version),
        lambda: kit.cases.unschedule(kit["sched"], first.case_number,
                                     expected_version=first.version),
        lambda: kit.cases.set_status(kit["sched"], first.case_number, CaseStatus.CANCELLED,
                                     reason="x", expected_version=first.version),
        lambda: kit.cases.update_case(kit["sched"], first.case_number,
                                      expected_version=first.version, procedure_name="y"),
    ):
        with pytest.raises(StaleVersion) as err:
            call()
        assert err.value.current_version == first.version + 1
    case = kit.cases.get_case(kit["admin"], first.case_number).case
    assert (case.scheduled_start, case.status) == (utc(at(10)), CaseStatus.SCHEDULED)


def test_unknown_case_room_and_user_are_not_found(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    for call, field in (
        (lambda: kit.cases.move(kit["sched"], "2026-999999", start=at(9)), "case_number"),
        (lambda: kit.cases.move(kit["sched"], number, room="NOPE"), "room"),
        (lambda: kit.cases.get_case(kit["sched"], "nope"), "case_number"),
        (lambda: kit.cases.assign_team_member(kit["sched"], number, "ghost",
                                              TeamRole.SCRUB_NURSE), "username"),
    ):
        with pytest.raises(NotFound) as err:
            call()
        assert err.value.field == field


# ---- update_case ------------------------------------------------------------------------


def test_update_case_edits_fields_and_keeps_the_team_in_step(kit: Kit) -> None:
    case = kit.new_case().case
    result = kit.cases.update_case(
        kit["sched"], case.case_number, expected_version=case.version,
        procedure_name="Hip replacement", laterality=Laterality.LEFT, priority="urgent",
        lead_surgeon="surg2", anesthetist="anes2", patient_name="Max Mustermann",
    )
    new = result.case
    assert (new.procedure_name, new.laterality, new.priority) == (
        "Hip replacement", Laterality.LEFT, Priority.URGENT)
    assert new.lead_surgeon_username == "surg2"
    assert new.patient_name == "Max Mustermann"
    team = kit.cases.get_case(kit["admin"], case.case_number).team
    assert {(t.username, t.role) for t in team} == {
        ("surg2", TeamRole.SURGEON), ("anes2", TeamRole.ANESTHESIOLOGIST)}
    entry = kit.cases.history(kit["admin"], case.case_number)[0]
    assert entry.action == "update_case"
    assert entry.details["lead_surgeon"] == {"before": "surg1", "after": "surg2"}
    kit.cases.update_case(kit["sched"], case.case_number, expected_version=None,
                          anesthetist=None)
    team = kit.cases.get_case(kit["admin"], case.case_number).team
    assert [t.username for t in team] == ["surg2"]


def test_emptied_specialty_follows_the_new_lead_surgeon(kit: Kit) -> None:
    number = kit.new_case(specialty="trauma").case.case_number
    case = kit.cases.update_case(kit["sched"], number, expected_version=None,
                                 lead_surgeon="surg2", specialty=None).case
    assert case.specialty == "general"


def test_update_case_refuses_unknown_and_empty_fields(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    with pytest.raises(BadInput) as err:
        kit.cases.update_case(kit["sched"], number, expected_version=None, colour="red")
    assert err.value.field == "colour"
    with pytest.raises(BadInput) as err:
        kit.cases.update_case(kit["sched"], number, expected_version=None, patient_name=None)
    assert err.value.field == "patient_name"


# ---- reading ----------------------------------------------------------------------------


def test_viewer_and_wall_display_see_no_patient(kit: Kit) -> None:
    number = kit.new_case(patient_dob=date(1970, 5, 1)).case.case_number
    for who in ("viewer", "wall", "nurse2", "surg2"):
        case = kit.cases.get_case(kit[who], number).case
        assert case.patient_masked
        assert (case.patient_name, case.patient_id, case.patient_dob) == (None, None, None)
        assert "Mustermann" not in case.model_dump_json()
    for who in ("admin", "sched", "surg1", "anes1"):
        case = kit.cases.get_case(kit[who], number).case
        assert (case.patient_name, case.patient_id) == ("Erika Mustermann", "MRN-1")


def test_open_case_audits_a_view_of_the_patient_only(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    kit.cases.open_case(kit["viewer"], number)
    kit.cases.open_case(kit["surg1"], number)
    views = [e for e in kit.cases.history(kit["admin"], number) if e.action == "view_case"]
    assert [e.actor for e in views] == ["surg1"]


def test_case_detail_says_what_the_actor_may_do(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    mine = kit.cases.get_case(kit["surg1"], number)
    assert (mine.can_edit_schedule, mine.can_update_checklist, mine.can_sign_off,
            mine.can_add_note) == (False, True, True, True)
    other = kit.cases.get_case(kit["sched"], number)
    assert (other.can_edit_schedule, other.can_update_checklist, other.can_add_note) == (
        True, False, True)


def test_list_cases_by_department_days_inclusive(kit: Kit) -> None:
    early = kit.new_case(start=at(8)).case.case_number
    overnight = kit.new_case(start=at(23, 30), duration_min=60).case.case_number
    next_day = kit.new_case(start=at(9, day=1), patient_id="MRN-2").case.case_number
    requested = kit.new_case(room=None).case.case_number
    day = DAY_DATE
    numbers = [c.case_number for c in kit.cases.list_cases(kit["viewer"], date_from=day,
                                                             date_to=day)]
    assert numbers == [early, overnight]
    numbers = [c.case_number for c in kit.cases.list_cases(
        kit["viewer"], date_from=day + timedelta(days=1), date_to=day + timedelta(days=1))]
    assert numbers == [overnight, next_day]  # any part in the day counts
    everything = [c.case_number for c in kit.cases.list_cases(kit["viewer"])]
    assert everything == [early, overnight, next_day, requested]
    queued = kit.cases.list_cases(kit["viewer"], status=CaseStatus.REQUESTED)
    assert [c.case_number for c in queued] == [requested]
    in_or2 = kit.cases.list_cases(kit["viewer"], room="OR2")
    assert in_or2 == []
    with pytest.raises(BadInput):
        kit.cases.list_cases(kit["viewer"], date_from=day, date_to=day - timedelta(days=1))


DAY_DATE = date(2026, 3, 3)


def test_my_cases_lists_the_care_team_s_cases(kit: Kit) -> None:
    mine = kit.new_case().case.case_number
    kit.new_case(start=at(11), lead_surgeon="surg2", anesthetist="anes2")
    kit.cases.assign_team_member(kit["sched"], mine, "nurse1", TeamRole.SCRUB_NURSE)
    listed = kit.cases.my_cases(kit["nurse1"], date_from=DAY_DATE, date_to=DAY_DATE)
    assert [c.case_number for c in listed] == [mine]
    assert listed[0].patient_name == "Erika Mustermann"
    assert kit.cases.my_cases(kit["nurse2"], date_from=DAY_DATE, date_to=DAY_DATE) == []


def test_board_shows_rooms_cases_queue_and_progress_but_not_cancelled(kit: Kit) -> None:
    shown = kit.new_case().case.case_number
    cancelled = kit.new_case(start=at(12)).case.case_number
    kit.cases.set_status(kit["sched"], cancelled, CaseStatus.CANCELLED, reason="declined")
    queued = kit.new_case(room=None).case.case_number
    kit.checklists.tick(kit["surg1"], shown, "RD-CONSENT")
    board = kit.cases.board(kit["viewer"], at(0), at(0, day=1))
    assert [r.code for r in board.rooms] == ["OR1", "OR2", "OR3"]
    assert [c.case_number for c in board.cases] == [shown]
    assert [c.case_number for c in board.queue] == [queued]
    assert board.time_zone == "Europe/Berlin"
    assert board.cases[0].checklist_done == 1
    assert board.cases[0].checklist_total > 10
    assert all(c.patient_name is None and c.patient_masked for c in board.cases + board.queue)
    assert kit.cases.board(kit["sched"], at(0), at(0, day=1)).cases[0].patient_name == (
        "Erika Mustermann")


def test_board_marks_soft_conflicts(kit: Kit) -> None:
    a = kit.new_case(start=at(8)).case.case_number
    b = kit.new_case(room="OR2", start=at(8, 30)).case.case_number
    c = kit.new_case(start=at(20), lead_surgeon="surg2", anesthetist="anes2",
                     patient_id="MRN-9").case.case_number
    board = kit.cases.board(kit["viewer"], at(0), at(0, day=1))
    marks = {case.case_number: set(case.conflicts) for case in board.cases}
    both = {"surgeon_double_booked", "anesthetist_double_booked", "patient_double_booked"}
    assert marks[a] == both
    assert marks[b] == both
    assert marks[c] == {"outside_hours"}


def test_board_window_must_be_forward_and_bounded(kit: Kit) -> None:
    with pytest.raises(BadInput):
        kit.cases.board(kit["viewer"], at(8), at(7))
    with pytest.raises(BadInput):
        kit.cases.board(kit["viewer"], at(0), at(0) + timedelta(days=90))


def test_history_is_for_admin_and_scheduler(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    with pytest.raises(PermissionDenied):
        kit.cases.history(kit["surg1"], number)


# ---- notes ------------------------------------------------------------------------------


def test_add_note_by_the_care_team(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    note = kit.cases.add_note(kit["anes1"], number, NoteType.ANESTHESIA, " difficult airway ")
    assert (note.author, note.message, note.note_type) == (
        "anes1", "difficult airway", NoteType.ANESTHESIA)
    assert note.created_at == kit.clock.now()
    assert kit.cases.get_case(kit["admin"], number).notes == (note,)
    with pytest.raises(PermissionDenied):
        kit.cases.add_note(kit["anes2"], number, NoteType.GENERAL, "hello")
    with pytest.raises(BadInput) as err:
        kit.cases.add_note(kit["anes1"], number, NoteType.GENERAL, "   ")
    assert err.value.field == "message"
    with pytest.raises(BadInput) as err:
        kit.cases.add_note(kit["anes1"], number, "gossip", "x")  # type: ignore[arg-type]
    assert err.value.field == "note_type"
