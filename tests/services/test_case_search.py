"""Finding a case by what a person types, on both backends: by number, procedure and
surgeon for everyone; by patient only where the actor sees that patient; masked like
the board."""

from __future__ import annotations

import pytest

from surgdesk.domain.enums import CaseStatus, TeamRole
from surgdesk.errors import BadInput, PermissionDenied
from surgdesk.services.case_search import CaseSearchService
from surgdesk.services.context import ANONYMOUS
from tests.services.factories import Kit, at, kit  # noqa: F401 (fixture)


@pytest.fixture
def search(kit: Kit) -> CaseSearchService:  # noqa: F811
    return CaseSearchService(kit.db, kit.clock)


def numbers(found: list) -> list[str]:  # type: ignore[type-arg]
    return [c.case_number for c in found]


def test_finds_by_number_procedure_and_surgeon_ignoring_case(
        kit: Kit, search: CaseSearchService) -> None:  # noqa: F811
    knee = kit.new_case(procedure_name="Knee arthroscopy").case.case_number
    hernia = kit.new_case(procedure_name="Inguinal hernia repair", lead_surgeon="surg2",
                          start=at(10)).case.case_number
    viewer = kit["viewer"]
    assert numbers(search.find(viewer, "ARTHRO")) == [knee]
    assert numbers(search.find(viewer, hernia[-4:])) == [hernia]
    assert numbers(search.find(viewer, "surg2 test")) == [hernia]  # the display name
    assert numbers(search.find(viewer, "surg1")) == [knee]  # the username
    assert search.find(viewer, "   ") == []
    assert search.find(viewer, "no such thing") == []


def test_patient_match_only_for_whoever_sees_that_patient(
        kit: Kit, search: CaseSearchService) -> None:  # noqa: F811
    number = kit.new_case(patient_name="Erika Mustermann", patient_id="MRN-77").case.case_number
    kit.cases.assign_team_member(kit["sched"], number, "nurse1", TeamRole.CIRCULATING_NURSE)
    found = search.find(kit["sched"], "mustermann")
    assert numbers(found) == [number]
    assert found[0].patient_name == "Erika Mustermann"
    assert numbers(search.find(kit["nurse1"], "MRN-77")) == [number]  # on its team
    # Not on the team, a viewer, the wall, nobody signed in: the patient finds nothing.
    for who in ("nurse2", "viewer", "wall"):
        assert search.find(kit[who], "Mustermann") == [], who
    assert search.find(ANONYMOUS, "MRN-77") == []


def test_answers_are_masked_like_the_board(kit: Kit, search: CaseSearchService) -> None:  # noqa: F811
    kit.new_case(procedure_name="Hip replacement")
    found = search.find(kit["viewer"], "hip")
    assert len(found) == 1
    case = found[0]
    assert case.patient_masked
    assert (case.patient_name, case.patient_id, case.patient_dob) == (None, None, None)


def test_nearest_to_now_first_limit_and_no_cancelled_or_unplaced(
        kit: Kit, search: CaseSearchService) -> None:  # noqa: F811
    later = kit.new_case(procedure_name="Shoulder A", start=at(8, day=2)).case.case_number
    sooner = kit.new_case(procedure_name="Shoulder B", start=at(8)).case.case_number
    gone = kit.new_case(procedure_name="Shoulder C", start=at(12)).case.case_number
    kit.cases.set_status(kit["sched"], gone, CaseStatus.CANCELLED, reason="patient unwell")
    kit.new_case(room=None, procedure_name="Shoulder D")  # requested: not on the board
    viewer = kit["viewer"]
    assert numbers(search.find(viewer, "shoulder")) == [sooner, later]
    assert numbers(search.find(viewer, "shoulder", limit=1)) == [sooner]


def test_wildcards_are_taken_literally(kit: Kit, search: CaseSearchService) -> None:  # noqa: F811
    kit.new_case(procedure_name="Knee arthroscopy")
    assert search.find(kit["viewer"], "%") == []
    assert search.find(kit["viewer"], "K_ee") == []


def test_text_too_long_is_bad_input_naming_the_field(
        kit: Kit, search: CaseSearchService) -> None:  # noqa: F811
    with pytest.raises(BadInput, match="text"):
        search.find(kit["viewer"], "x" * 201)


def test_no_role_finds_nothing(kit: Kit, search: CaseSearchService) -> None:  # noqa: F811
    from surgdesk.services.context import Actor

    nobody = Actor(user_id=None, username="x", role=None, display_name="x")
    with pytest.raises(PermissionDenied):
        search.find(nobody, "knee")
