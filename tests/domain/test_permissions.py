"""DESIGN.md's permission table, cell by cell."""

from __future__ import annotations

import pytest

from surgdesk.domain.enums import Role
from surgdesk.domain.permissions import Action, Grant, allowed, grant_for

A, R = Action, Role
Y, T = Grant.ALWAYS, Grant.CARE_TEAM
ROLES = (R.ADMIN, R.SCHEDULER, R.SURGEON, R.ANESTHESIOLOGIST, R.NURSE, R.VIEWER)
# action: grants in the order of ROLES (None: no).
TABLE: dict[Action, tuple[Grant | None, ...]] = {
    A.MANAGE_USERS: (Y, None, None, None, None, None),
    A.MANAGE_TEMPLATES: (Y, None, None, None, None, None),
    A.MANAGE_ROOMS: (Y, Y, None, None, None, None),
    A.SCHEDULE_CASES: (Y, Y, None, None, None, None),
    A.REQUEST_CASE: (Y, Y, Y, None, None, None),
    A.SEE_BOARD: (Y, Y, Y, Y, Y, Y),
    A.SEE_PATIENT: (Y, Y, T, T, T, None),
    A.UPDATE_CHECKLIST: (Y, None, T, T, T, None),
    A.SIGN_OFF: (Y, None, T, T, T, None),
    A.ADD_NOTE: (Y, Y, T, T, T, None),
    A.READ_AUDIT: (Y, Y, None, None, None, None),
}


@pytest.mark.parametrize("action", list(TABLE))
def test_grants_match_design(action: Action) -> None:
    assert tuple(grant_for(role, action) for role in ROLES) == TABLE[action]


@pytest.mark.parametrize("action", list(TABLE))
def test_care_team_grants_need_membership(action: Action) -> None:
    for role, grant in zip(ROLES, TABLE[action], strict=True):
        assert allowed(role, action, on_care_team=True) is (grant is not None)
        assert allowed(role, action, on_care_team=False) is (grant is Y)


def test_no_role_may_do_nothing() -> None:
    assert not any(allowed(None, action, on_care_team=True) for action in Action)
