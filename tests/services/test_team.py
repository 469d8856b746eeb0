"""The care team: who may join as what, confirming, removing, and what membership grants."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import CaseStatus, TeamRole
from surgdesk.errors import BadInput, NotFound, PermissionDenied, Refused, TransitionRefused
from tests.services.factories import Kit, at, case_in, kit

__all__ = ["kit"]


FITS = [
    ("nurse1", TeamRole.SCRUB_NURSE, True),
    ("nurse1", TeamRole.CIRCULATING_NURSE, True),
    ("nurse1", TeamRole.COORDINATOR, True),
    ("sched", TeamRole.COORDINATOR, True),
    ("surg2", TeamRole.ASSISTANT_SURGEON, True),
    ("anes2", TeamRole.ANESTHESIOLOGIST, True),
    ("nurse1", TeamRole.ASSISTANT_SURGEON, False),
    ("surg2", TeamRole.SCRUB_NURSE, False),
    ("anes2", TeamRole.CIRCULATING_NURSE, False),
    ("viewer", TeamRole.COORDINATOR, False),
    ("sched", TeamRole.SCRUB_NURSE, False),
]


def test_member_role_must_match_the_user_role(kit: Kit) -> None:
    wrong = []
    for day, (username, role, fits) in enumerate(FITS):
        number = kit.new_case(start=at(8, day=day)).case.case_number
        try:
            view = kit.cases.assign_team_member(kit["sched"], number, username, role)
        except BadInput as exc:
            if fits or exc.field != "role":
                wrong.append(f"{username} as {role}: refused ({exc})")
        else:
            if not fits or (view.username, view.role, view.confirmed) != (username, role, False):
                wrong.append(f"{username} as {role}: {view}")
    assert wrong == []


def test_inactive_user_cannot_join(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    with kit.db.new_session() as s:
        s.scalars(select(m.User).where(m.User.username == "nurse2")).one().active = False
        s.commit()
    with pytest.raises(BadInput) as err:
        kit.cases.assign_team_member(kit["sched"], number, "nurse2", TeamRole.SCRUB_NURSE)
    assert err.value.field == "username"


def test_assigning_again_changes_the_role_and_is_audited(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    kit.cases.assign_team_member(kit["sched"], number, "nurse1", TeamRole.SCRUB_NURSE)
    view = kit.cases.assign_team_member(kit["sched"], number, "nurse1",
                                        TeamRole.CIRCULATING_NURSE)
    assert view.role is TeamRole.CIRCULATING_NURSE
    roles = [e.details["role"] for e in kit.cases.history(kit["admin"], number)
             if e.action == "assign_team"]
    assert roles == [{"before": "scrub_nurse", "after": "circulating_nurse"},
                     {"before": None, "after": "scrub_nurse"}]
    team = kit.cases.get_case(kit["admin"], number).team
    assert len(team) == 3


def test_lead_surgeon_and_anesthetist_keep_their_places(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    with pytest.raises(Refused):
        kit.cases.assign_team_member(kit["sched"], number, "surg1", TeamRole.ASSISTANT_SURGEON)
    with pytest.raises(Refused):
        kit.cases.remove_team_member(kit["sched"], number, "anes1")


def test_remove_member_takes_away_their_rights(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    kit.cases.assign_team_member(kit["sched"], number, "nurse1", TeamRole.SCRUB_NURSE)
    kit.checklists.tick(kit["nurse1"], number, "SI-OXIMETER")
    assert kit.cases.get_case(kit["nurse1"], number).case.patient_name is not None
    kit.cases.remove_team_member(kit["sched"], number, "nurse1")
    with pytest.raises(PermissionDenied):
        kit.checklists.tick(kit["nurse1"], number, "SI-ALLERGY")
    assert kit.cases.get_case(kit["nurse1"], number).case.patient_name is None
    with pytest.raises(NotFound):
        kit.cases.remove_team_member(kit["sched"], number, "nurse1")
    assert kit.cases.history(kit["admin"], number)[0].action == "remove_team"


def test_confirm_assignment_is_the_member_s_own(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    kit.cases.assign_team_member(kit["sched"], number, "nurse1", TeamRole.SCRUB_NURSE)
    with pytest.raises(PermissionDenied):
        kit.cases.confirm_assignment(kit["nurse2"], number)
    view = kit.cases.confirm_assignment(kit["nurse1"], number)
    assert view.confirmed
    assert kit.cases.confirm_assignment(kit["nurse1"], number).confirmed  # again: no-op
    confirms = [e for e in kit.cases.history(kit["admin"], number) if e.action == "confirm_team"]
    assert len(confirms) == 1


def test_only_schedulers_assign(kit: Kit) -> None:
    number = kit.new_case().case.case_number
    for who in ("surg1", "anes1", "nurse1", "viewer"):
        with pytest.raises(PermissionDenied):
            kit.cases.assign_team_member(kit[who], number, "nurse2", TeamRole.SCRUB_NURSE)
    kit.cases.assign_team_member(kit["admin"], number, "nurse2", TeamRole.SCRUB_NURSE)


def test_final_cases_keep_their_team(kit: Kit) -> None:
    number = case_in(kit, CaseStatus.CANCELLED)
    with pytest.raises(TransitionRefused):
        kit.cases.assign_team_member(kit["sched"], number, "nurse2", TeamRole.SCRUB_NURSE)
