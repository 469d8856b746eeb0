"""What a login leaves in the append-only audit: a refused sign-in is audited as refused,
and text typed as a username is kept only when it names an existing user (a password
typed into the username field must not stay in the audit for ever)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.errors import AuthenticationFailed, RememberForbidden
from surgdesk.repository.database import Database
from surgdesk.services.auth import REMEMBER_FORBIDDEN
from surgdesk.services.context import Actor, FakeClock
from surgdesk.services.settings import SettingsService
from tests.services.staff import PASSWORD, auth, bootstrap_admin, clock


@pytest.fixture
def clk() -> FakeClock:
    return clock()


@pytest.fixture
def admin(db: Database, clk: FakeClock) -> Actor:
    return bootstrap_admin(db, clk)


def _events(db: Database, action: str) -> list[m.AuditEvent]:
    with db.new_session() as s:
        return list(s.scalars(select(m.AuditEvent).where(m.AuditEvent.action == action)
                              .order_by(m.AuditEvent.id)))


def _all_details(db: Database) -> str:
    with db.new_session() as s:
        details: list[dict[str, Any]] = list(s.scalars(select(m.AuditEvent.details)))
    return repr(details)


def test_a_password_typed_as_the_username_is_not_kept(db, clk, admin):
    with pytest.raises(AuthenticationFailed):
        auth(db, clk).login("Secret-Typed-Here-42", PASSWORD)
    [event] = _events(db, "login_failed")
    assert event.target_id is None
    assert event.details.get("unknown_user") is True
    assert "Secret-Typed-Here-42" not in _all_details(db)
    assert "secret-typed-here-42" not in _all_details(db).lower()


def test_a_failed_login_of_an_existing_user_names_the_user_by_id(db, clk, admin):
    with pytest.raises(AuthenticationFailed):
        auth(db, clk).login("admin", "not the password")
    [event] = _events(db, "login_failed")
    assert event.target_id == admin.user_id


def test_a_login_that_must_be_remembered_is_refused_and_audited_as_refused(db, clk, admin):
    SettingsService(db, clk).update(admin, remember_me_allowed=False)
    logins_before = len(_events(db, "login"))
    with pytest.raises(RememberForbidden) as refused:
        auth(db, clk).login("admin", PASSWORD, remember=True, only_remembered=True)
    assert str(refused.value) == REMEMBER_FORBIDDEN
    assert len(_events(db, "login")) == logins_before
    [event] = _events(db, "login_refused")
    assert event.target_id == admin.user_id
    assert event.details == {"reason": "remember_me_forbidden"}


def test_a_wrong_password_is_still_a_failure_when_remembering_is_forbidden(db, clk, admin):
    SettingsService(db, clk).update(admin, remember_me_allowed=False)
    with pytest.raises(AuthenticationFailed):
        auth(db, clk).login("admin", "not the password", remember=True, only_remembered=True)
    assert _events(db, "login_refused") == []
    assert len(_events(db, "login_failed")) == 1


def test_a_login_for_one_command_is_allowed_when_remembering_is_forbidden(db, clk, admin):
    SettingsService(db, clk).update(admin, remember_me_allowed=False)
    result = auth(db, clk).login("admin", PASSWORD)
    assert result.token is None
    assert result.actor.username == "admin"
