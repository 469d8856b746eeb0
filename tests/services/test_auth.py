"""Login, lockout, sessions and passwords — on SQLite and on Postgres."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import Role
from surgdesk.errors import (
    AccountLocked,
    AuthenticationFailed,
    BadInput,
    NotLoggedIn,
    PermissionDenied,
)
from surgdesk.repository.database import Database
from surgdesk.services.auth import (
    LOCK_DURATION,
    MAX_FAILED_LOGINS,
    SESSION_LIFETIME,
    WRONG_CREDENTIALS,
    AuthService,
    token_hash,
)
from surgdesk.services.context import Actor, FakeClock
from surgdesk.services.settings import SettingsService
from tests.services.staff import (
    FAST_HASHER,
    PASSWORD,
    add_staff,
    auth,
    bootstrap_admin,
    clock,
    users,
)


@pytest.fixture
def clk() -> FakeClock:
    return clock()


@pytest.fixture
def admin(db: Database, clk: FakeClock) -> Actor:
    return bootstrap_admin(db, clk)


def _audit_actions(db: Database) -> list[str]:
    with db.new_session() as s:
        return list(s.scalars(select(m.AuditEvent.action).order_by(m.AuditEvent.id)))


def _user_row(db: Database, username: str) -> m.User:
    with db.new_session() as s:
        return s.scalars(select(m.User).where(m.User.username == username)).one()


def _fail(db: Database, clk: FakeClock, times: int, username: str = "admin") -> None:
    for _ in range(times):
        with pytest.raises(AuthenticationFailed):
            auth(db, clk).login(username, "wrong password!")


def test_login_with_the_right_password_gives_the_actor(db, clk, admin):
    result = auth(db, clk).login("admin", PASSWORD)
    assert result.actor.username == "admin"
    assert result.actor.role is Role.ADMIN
    assert result.token is None  # not asked to remember
    assert "login" in _audit_actions(db)


def test_username_is_matched_case_insensitively(db, clk, admin):
    assert auth(db, clk).login("  ADMIN ", PASSWORD).actor.username == "admin"


def test_wrong_password_and_unknown_user_get_the_same_message(db, clk, admin):
    with pytest.raises(AuthenticationFailed) as wrong_pw:
        auth(db, clk).login("admin", "not the password")
    with pytest.raises(AuthenticationFailed) as no_user:
        auth(db, clk).login("nobody", PASSWORD)
    assert str(wrong_pw.value) == str(no_user.value) == WRONG_CREDENTIALS
    assert _audit_actions(db).count("login_failed") == 2


class _CountingHasher(PasswordHasher):
    """argon2id with the cheap test parameters, remembering which hashes it checked."""

    checked: list[str]

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.checked.append(str(hash))
        return super().verify(hash, password)


def test_unknown_user_still_spends_a_hash(db, clk, admin):
    hasher = _CountingHasher(time_cost=1, memory_cost=1024, parallelism=1)
    hasher.checked = []
    with pytest.raises(AuthenticationFailed):
        AuthService(db, clk, hasher=hasher).login("nobody", PASSWORD)
    assert len(hasher.checked) == 1
    assert hasher.checked[0].startswith("$argon2id$")


def test_five_failures_in_a_row_lock_the_account(db, clk, admin):
    _fail(db, clk, MAX_FAILED_LOGINS - 1)
    with pytest.raises(AccountLocked, match="locked until"):
        auth(db, clk).login("admin", "wrong password!")
    # Even the right password is refused while locked.
    with pytest.raises(AccountLocked):
        auth(db, clk).login("admin", PASSWORD)
    actions = _audit_actions(db)
    assert actions.count("login_failed") == MAX_FAILED_LOGINS
    assert actions.count("account_locked") == 1


def test_lock_message_is_in_department_time(db, clk, admin):
    _fail(db, clk, MAX_FAILED_LOGINS - 1)
    with pytest.raises(AccountLocked) as locked:
        auth(db, clk).login("admin", "wrong password!")
    # T0 is 07:00 UTC = 08:00 CET; the lock runs to 08:15 in Berlin.
    assert "08:15 CET" in str(locked.value)


def test_success_resets_the_failure_count(db, clk, admin):
    _fail(db, clk, MAX_FAILED_LOGINS - 1)
    auth(db, clk).login("admin", PASSWORD)
    _fail(db, clk, MAX_FAILED_LOGINS - 1)  # four more: still not locked
    assert auth(db, clk).login("admin", PASSWORD).actor.username == "admin"


def test_lock_expires_after_fifteen_minutes(db, clk, admin):
    _fail(db, clk, MAX_FAILED_LOGINS - 1)
    with pytest.raises(AccountLocked):
        auth(db, clk).login("admin", "wrong password!")
    clk.advance(LOCK_DURATION - timedelta(seconds=1))
    with pytest.raises(AccountLocked):
        auth(db, clk).login("admin", PASSWORD)
    clk.advance(timedelta(seconds=1))
    assert auth(db, clk).login("admin", PASSWORD).actor.username == "admin"
    assert _user_row(db, "admin").failed_logins == 0


def test_after_a_lock_runs_out_one_mistake_does_not_relock(db, clk, admin):
    _fail(db, clk, MAX_FAILED_LOGINS - 1)
    with pytest.raises(AccountLocked):
        auth(db, clk).login("admin", "wrong password!")
    clk.advance(LOCK_DURATION)
    _fail(db, clk, 1)
    assert _user_row(db, "admin").failed_logins == 1
    assert auth(db, clk).login("admin", PASSWORD).actor.username == "admin"


def test_admin_unlocks_a_locked_account(db, clk, admin):
    nurse = add_staff(db, admin, Role.NURSE, clk=clk)
    _fail(db, clk, MAX_FAILED_LOGINS - 1, nurse.username)
    with pytest.raises(AccountLocked):
        auth(db, clk).login(nurse.username, "wrong password!")
    view = users(db, clk).unlock(admin, nurse.username)
    assert view.locked_until is None
    assert auth(db, clk).login(nurse.username, PASSWORD).actor.role is Role.NURSE
    assert "unlock_user" in _audit_actions(db)


def test_login_bookkeeping_does_not_bump_the_user_version(db, clk, admin):
    """An admin editing a user is not told 'changed meanwhile' because they logged in."""
    before = _user_row(db, "admin").version
    _fail(db, clk, 2)
    auth(db, clk).login("admin", PASSWORD)
    assert _user_row(db, "admin").version == before


def test_remember_gives_a_token_of_twelve_hours_stored_only_as_a_hash(db, clk, admin):
    result = auth(db, clk).login("admin", PASSWORD, remember=True)
    assert result.token is not None
    assert len(result.token) >= 43  # token_urlsafe(32)
    assert result.expires_at == clk.now() + SESSION_LIFETIME
    with db.new_session() as s:
        stored = s.scalars(select(m.UserSession)).one()
    assert stored.token_hash == token_hash(result.token) != result.token


def test_resume_expiry_and_logout(db, clk, admin):
    service = auth(db, clk)
    token = service.login("admin", PASSWORD, remember=True).token
    assert token is not None
    assert service.resume(token).username == "admin"
    clk.advance(SESSION_LIFETIME - timedelta(seconds=1))
    assert service.resume(token).username == "admin"
    clk.advance(timedelta(seconds=1))
    with pytest.raises(NotLoggedIn, match="expired"):
        service.resume(token)

    other = service.login("admin", PASSWORD, remember=True).token
    assert other is not None
    service.logout(other)
    service.logout(other)  # twice is fine
    with pytest.raises(NotLoggedIn):
        service.resume(other)
    with pytest.raises(NotLoggedIn):
        service.resume("not-a-token")
    assert "logout" in _audit_actions(db)


def test_remember_me_obeys_the_department_setting(db, clk, admin):
    SettingsService(db, clk).update(admin, remember_me_allowed=False)
    result = auth(db, clk).login("admin", PASSWORD, remember=True)
    assert result.token is None
    assert result.expires_at is None
    with db.new_session() as s:
        assert s.scalars(select(m.UserSession)).first() is None


def test_device_session_never_expires(db, clk, admin):
    users(db, clk).add_user(
        admin, username="wall-or", role=Role.VIEWER, display_name="OR wall display",
        email="wall@or.hospital.local", password=PASSWORD, is_device=True,
    )
    SettingsService(db, clk).update(admin, remember_me_allowed=False)
    result = auth(db, clk).login_device("wall-or", PASSWORD)
    assert result.token is not None
    assert result.expires_at is None
    assert result.actor.is_device
    assert result.actor.role is Role.VIEWER
    clk.advance(timedelta(days=400))
    assert auth(db, clk).resume(result.token).is_device


def test_login_device_refuses_a_person(db, clk, admin):
    with pytest.raises(AuthenticationFailed, match="not a device"):
        auth(db, clk).login_device("admin", PASSWORD)


def test_a_disabled_user_cannot_sign_in_or_resume(db, clk, admin):
    nurse = add_staff(db, admin, Role.NURSE, clk=clk)
    token = auth(db, clk).login(nurse.username, PASSWORD, remember=True).token
    assert token is not None
    users(db, clk).update_user(admin, nurse.username, active=False)
    with pytest.raises(AuthenticationFailed, match="not active"):
        auth(db, clk).login(nurse.username, PASSWORD)
    with pytest.raises(NotLoggedIn):
        auth(db, clk).resume(token)


def test_a_pending_access_request_cannot_sign_in(db, clk, admin):
    users(db, clk).request_access(
        username="newbie", display_name="New Nurse", email="newbie@or.hospital.local",
        password=PASSWORD,
    )
    with pytest.raises(AuthenticationFailed, match="not active"):
        auth(db, clk).login("newbie", PASSWORD)
    # With a wrong password it looks like any other wrong password.
    with pytest.raises(AuthenticationFailed, match=WRONG_CREDENTIALS):
        auth(db, clk).login("newbie", "wrong password!")


def test_an_account_without_password_never_signs_in(db, clk, admin):
    users(db, clk).add_user(
        admin, username="nopw", role=Role.NURSE, display_name="No Password",
        email="nopw@or.hospital.local",
    )
    with pytest.raises(AuthenticationFailed, match=WRONG_CREDENTIALS):
        auth(db, clk).login("nopw", "")


def test_hash_is_upgraded_when_the_parameters_change(db, clk, admin):
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    old_hash = _user_row(db, "admin").password_hash
    assert old_hash is not None
    assert stronger.check_needs_rehash(old_hash)
    AuthService(db, clk, hasher=stronger).login("admin", PASSWORD)
    new_hash = _user_row(db, "admin").password_hash
    assert new_hash is not None
    assert new_hash.startswith("$argon2id$")
    assert "m=2048,t=2,p=1" in new_hash
    assert not stronger.check_needs_rehash(new_hash)
    assert FAST_HASHER.verify(new_hash, PASSWORD)


def test_verify_password_counts_failures_like_login(db, clk, admin):
    service = auth(db, clk)
    service.verify_password(admin, PASSWORD)
    for _ in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthenticationFailed):
            service.verify_password(admin, "wrong password!")
    with pytest.raises(AccountLocked):
        service.verify_password(admin, "wrong password!")
    with pytest.raises(AccountLocked):
        service.verify_password(admin, PASSWORD)


def test_change_password_keeps_the_current_session_and_ends_the_others(db, clk, admin):
    service = auth(db, clk)
    here = service.login("admin", PASSWORD, remember=True).token
    elsewhere = service.login("admin", PASSWORD, remember=True).token
    assert here is not None
    assert elsewhere is not None
    with pytest.raises(AuthenticationFailed):
        service.change_password(admin, "wrong password!", "a brand new secret")
    with pytest.raises(BadInput, match="new_password"):
        service.change_password(admin, PASSWORD, "short")
    service.change_password(admin, PASSWORD, "a brand new secret", current_token=here)
    assert service.resume(here).username == "admin"
    with pytest.raises(NotLoggedIn):
        service.resume(elsewhere)
    with pytest.raises(AuthenticationFailed):
        service.login("admin", PASSWORD)
    assert service.login("admin", "a brand new secret").actor.username == "admin"
    with db.new_session() as s:
        details = s.scalars(
            select(m.AuditEvent.details).where(m.AuditEvent.action == "change_password")
        ).one()
    assert "argon2" not in str(details)


def test_a_scheduler_unlocks_editing_on_a_wall_display_under_their_own_name(db, clk, admin):
    users(db, clk).add_user(
        admin, username="wall-or", role=Role.VIEWER, display_name="OR wall display",
        email="wall@or.hospital.local", password=PASSWORD, is_device=True,
    )
    wall = auth(db, clk).login_device("wall-or", PASSWORD).actor
    scheduler = add_staff(db, admin, Role.SCHEDULER, clk=clk)
    nurse = add_staff(db, admin, Role.NURSE, clk=clk)
    editor = auth(db, clk).unlock_editing(wall, scheduler.username, PASSWORD)
    assert editor == scheduler
    with pytest.raises(PermissionDenied):
        auth(db, clk).unlock_editing(wall, nurse.username, PASSWORD)
    with pytest.raises(AuthenticationFailed):
        auth(db, clk).unlock_editing(wall, scheduler.username, "wrong password!")
    with db.new_session() as s:
        event = s.scalars(
            select(m.AuditEvent).where(m.AuditEvent.action == "unlock_editing")
        ).one()
    assert event.actor_id == scheduler.user_id
    assert event.details == {"device": "wall-or"}


def test_failures_from_several_pcs_at_once_all_count(db, clk, admin):
    """The counter is incremented in the database, so simultaneous failures are not lost."""
    from concurrent.futures import ThreadPoolExecutor

    def attempt(_: int) -> str:
        try:
            auth(db, clk).login("admin", "wrong password!")
        except (AuthenticationFailed, AccountLocked) as exc:
            return type(exc).__name__
        return "signed in"

    with ThreadPoolExecutor(max_workers=MAX_FAILED_LOGINS) as pool:
        outcomes = list(pool.map(attempt, range(MAX_FAILED_LOGINS)))
    assert "signed in" not in outcomes
    row = _user_row(db, "admin")
    assert row.failed_logins == MAX_FAILED_LOGINS
    assert row.locked_until is not None
