"""This PC's department config narrows the department's session settings, never widens."""

from __future__ import annotations

from pathlib import Path

import pytest

from surgdesk.config import DepartmentConfig, parse_department_config
from surgdesk.repository.database import Database
from surgdesk.services.auth import AuthService
from surgdesk.services.settings import SettingsService
from tests.services.staff import FAST_HASHER, PASSWORD, bootstrap_admin, clock


def machine(text: str) -> DepartmentConfig:
    return parse_department_config(text, Path("surgdesk.toml"))


FORBIDS = '[session]\nremember_me = "forbidden"\nidle_lock_minutes = 5\n'
ALLOWS_LONGER = '[session]\nremember_me = "allowed"\nidle_lock_minutes = 60\n'


def test_machine_that_forbids_remember_me_gets_no_token(db: Database) -> None:
    clk = clock()
    bootstrap_admin(db, clk)
    auth = AuthService(db, clk, hasher=FAST_HASHER, machine=machine(FORBIDS))
    assert auth.login("admin", PASSWORD, remember=True).token is None
    plain = AuthService(db, clk, hasher=FAST_HASHER)
    assert plain.login("admin", PASSWORD, remember=True).token is not None


@pytest.mark.parametrize(
    ("department_remember", "config", "allowed", "minutes"),
    [
        (True, None, True, 15),
        (True, FORBIDS, False, 5),
        (False, ALLOWS_LONGER, False, 15),  # the machine cannot widen either setting
    ],
)
def test_policy_takes_the_stricter_of_department_and_machine(
    db: Database, department_remember: bool, config: str | None, allowed: bool, minutes: int
) -> None:
    clk = clock()
    admin = bootstrap_admin(db, clk)
    SettingsService(db, clk).update(admin, remember_me_allowed=department_remember,
                                    idle_lock_minutes=15)
    service = SettingsService(db, clk, machine=machine(config) if config else None)
    policy = service.session_policy(admin)
    assert (policy.remember_me_allowed, policy.idle_lock_minutes) == (allowed, minutes)


def test_a_token_remembered_before_remember_me_was_turned_off_is_revoked(db: Database) -> None:
    """Shared PCs: a sign-in kept from before the department (or the PC) forbade it must
    not let the next person in; it is ended, not just refused."""
    from surgdesk.errors import NotLoggedIn

    clk = clock()
    bootstrap_admin(db, clk)
    auth = AuthService(db, clk, hasher=FAST_HASHER)
    login = auth.login("admin", PASSWORD, remember=True)
    assert login.token is not None
    assert auth.resume(login.token).username == "admin"

    forbidding_pc = AuthService(db, clk, hasher=FAST_HASHER, machine=machine(FORBIDS))
    with pytest.raises(NotLoggedIn, match="no longer remembered"):
        forbidding_pc.resume(login.token)
    with pytest.raises(NotLoggedIn, match="session was ended"):
        auth.resume(login.token)  # revoked, not merely refused on that PC
