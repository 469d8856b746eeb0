"""What the actor may do with a case is decided by the services and rides on every
summary they return (board, lists, results, details): the UI reads it, never re-derives it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from surgdesk.domain.enums import CaseStatus
from surgdesk.services.dto import CaseRights
from tests.services.factories import (
    DAY,
    Kit,
    at,
    case_in,
    kit,  # noqa: F401  (fixture)
    team_case,
)

S = CaseStatus
SCHEDULING = (S.REQUESTED, S.POSTPONED, S.CANCELLED)


def _board_rights(setup: Kit, who: str, number: str) -> CaseRights:
    board = setup.cases.board(setup[who], DAY, DAY + timedelta(days=1))
    [case] = [c for c in (*board.cases, *board.queue) if c.case_number == number]
    return case.rights


def test_a_nurse_on_the_team_may_start_the_case(kit: Kit) -> None:  # noqa: F811
    number = team_case(kit)
    kit.tick_all(number, "Readiness")  # preop_ready by itself
    rights = _board_rights(kit, "nurse1", number)
    assert rights.status_targets == (S.IN_PROGRESS,)
    assert rights.needs_reason == ()
    assert (rights.tick, rights.sign_off, rights.add_note, rights.see_patient) == (
        True, True, True, True)
    assert (rights.move, rights.edit) == (False, False)


def test_a_nurse_off_the_team_may_do_nothing_but_look(kit: Kit) -> None:  # noqa: F811
    number = team_case(kit)
    kit.tick_all(number, "Readiness")
    assert _board_rights(kit, "nurse2", number) == CaseRights()


def test_the_lead_surgeon_starts_and_completes(kit: Kit) -> None:  # noqa: F811
    number = case_in(kit, S.PREOP_READY)
    assert _board_rights(kit, "surg1", number).status_targets == (S.IN_PROGRESS,)
    kit.cases.set_status(kit["surg1"], number, S.IN_PROGRESS)
    assert kit.cases.get_case(kit["surg1"], number).case.rights.status_targets == (
        S.COMPLETED,)
    # Another surgeon is not on the team.
    assert kit.cases.get_case(kit["surg2"], number).case.rights == CaseRights()


def test_the_scheduler_moves_and_changes_status_but_never_starts(kit: Kit) -> None:  # noqa: F811
    number = case_in(kit, S.PREOP_READY)
    rights = _board_rights(kit, "sched", number)
    # preop_ready -> scheduled follows Readiness by itself: not a choice.
    assert rights.status_targets == (S.POSTPONED, S.CANCELLED)
    assert rights.needs_reason == (S.POSTPONED, S.CANCELLED)
    assert (rights.move, rights.edit, rights.add_note, rights.see_patient) == (
        True, True, True, True)
    assert (rights.tick, rights.sign_off) == (False, False)


def test_a_scheduled_case_goes_back_to_the_queue_but_not_ready_by_hand(kit: Kit) -> None:  # noqa: F811
    number = kit.new_case().case.case_number
    rights = kit.new_case(start=at(11)).case.rights  # a result carries rights too
    assert rights.status_targets == (S.REQUESTED, S.POSTPONED, S.CANCELLED)
    assert kit.cases.get_case(kit["sched"], number).case.rights.status_targets == (
        S.REQUESTED, S.POSTPONED, S.CANCELLED)


def test_a_queued_case_is_scheduled_by_placing_it(kit: Kit) -> None:  # noqa: F811
    requested = case_in(kit, S.REQUESTED)
    postponed = case_in(kit, S.POSTPONED)
    assert _board_rights(kit, "sched", requested).status_targets == (S.POSTPONED, S.CANCELLED)
    rights = _board_rights(kit, "sched", postponed)
    assert rights.status_targets == (S.REQUESTED,)
    assert rights.needs_reason == ()
    assert rights.move


def test_the_admin_may_do_everything_the_machine_allows(kit: Kit) -> None:  # noqa: F811
    number = case_in(kit, S.PREOP_READY)
    rights = _board_rights(kit, "admin", number)
    assert rights.status_targets == (S.IN_PROGRESS, S.POSTPONED, S.CANCELLED)
    assert rights.needs_reason == (S.POSTPONED, S.CANCELLED)
    assert all((rights.move, rights.edit, rights.tick, rights.sign_off, rights.add_note,
                rights.see_patient))


def test_a_viewer_and_the_wall_may_do_nothing(kit: Kit) -> None:  # noqa: F811
    number = team_case(kit)
    assert _board_rights(kit, "viewer", number) == CaseRights()
    assert _board_rights(kit, "wall", number) == CaseRights()


@pytest.mark.parametrize("status", [S.COMPLETED, S.CANCELLED])
def test_a_final_case_has_no_status_target(kit: Kit, status: CaseStatus) -> None:  # noqa: F811
    number = case_in(kit, status)
    for who in ("admin", "sched", "surg1", "anes1"):
        rights = kit.cases.get_case(kit[who], number).case.rights
        assert rights.status_targets == ()
        assert not rights.move
        assert not rights.edit
    # The team may still write notes; a cancelled case's checklists no longer change.
    rights = kit.cases.get_case(kit["surg1"], number).case.rights
    assert rights.add_note
    assert rights.tick is (status is S.COMPLETED)


def test_every_list_carries_the_rights(kit: Kit) -> None:  # noqa: F811
    number = team_case(kit)
    [listed] = kit.cases.list_cases(kit["nurse1"], date_from=DAY.date(), date_to=DAY.date())
    [mine] = kit.cases.my_cases(kit["nurse1"])
    [by_id] = kit.cases.summaries_by_ids(kit["nurse1"], [listed.id])
    opened = kit.cases.open_case(kit["nurse1"], number)
    for summary in (listed, mine, by_id, opened.case):
        assert summary.rights.tick
        assert summary.rights.see_patient
    assert (opened.can_update_checklist, opened.can_sign_off, opened.can_edit_schedule) == (
        True, True, False)


def test_rights_for_answers_for_another_actor_by_case_number(kit: Kit) -> None:  # noqa: F811
    number = team_case(kit)
    rights = kit.cases.rights_for(kit["sched"], [number, "2026-999999"])
    assert list(rights) == [number]
    assert rights[number].move
    assert rights[number].status_targets == (S.REQUESTED, S.POSTPONED, S.CANCELLED)
    assert kit.cases.rights_for(kit["nurse1"], [number])[number].tick
    assert kit.cases.rights_for(kit["sched"], []) == {}
