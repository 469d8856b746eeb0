"""The idle lock during a database outage (services.auth): a password proven in this process
(login or unlock) is kept as a second argon2id hash in memory, so the lock can be opened on
this PC while the database is unreachable; wrong passwords are counted here and, after 5,
refused until the database answers again — then it checks and counts as before. On SQLite
and on Postgres; the outage is the service pointed at a port nobody listens on."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.errors import AccountLocked, AuthenticationFailed, DatabaseUnavailable
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services.auth import (
    MAX_FAILED_LOGINS,
    NOT_CHECKABLE_OFFLINE,
    TOO_MANY_OFFLINE,
    WRONG_CREDENTIALS,
    AuthService,
    PasswordCheck,
)
from surgdesk.services.context import Actor, FakeClock
from tests.services.staff import PASSWORD, auth, bootstrap_admin, clock

WRONG = "wrong password!"


@pytest.fixture
def clk() -> FakeClock:
    return clock()


@pytest.fixture
def admin(db: Database, clk: FakeClock) -> Actor:
    return bootstrap_admin(db, clk)


@pytest.fixture
def service(db: Database, clk: FakeClock, admin: Actor) -> AuthService:
    return auth(db, clk)


@pytest.fixture
def nowhere() -> Iterator[Database]:
    """A database on a local port that refuses connections: unreachable at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = Database(make_nullpool_engine(
        f"postgresql+psycopg://postgres@127.0.0.1:{port}/nowhere?connect_timeout=3"))
    yield dead
    dead.dispose()


@contextmanager
def outage(service: AuthService, nowhere: Database) -> Iterator[None]:
    """The database is unreachable for ``service`` until the block ends."""
    reachable, service.db = service.db, nowhere
    try:
        yield
    finally:
        service.db = reachable


def _user_row(db: Database, username: str = "admin") -> m.User:
    with db.new_session() as s:
        return s.scalars(select(m.User).where(m.User.username == username)).one()


def _offline_audits(db: Database) -> list[dict[str, object]]:
    with db.new_session() as s:
        events = s.scalars(select(m.AuditEvent).where(m.AuditEvent.action == "login_failed")
                           .order_by(m.AuditEvent.id))
        return [e.details for e in events if e.details.get("checked_on_this_pc")]


def test_the_right_password_after_a_login_is_checked_on_this_pc(service, admin, nowhere):
    service.login("admin", PASSWORD)
    with outage(service, nowhere):
        assert service.can_check_on_this_pc(admin)
        assert service.verify_password(admin, PASSWORD) is PasswordCheck.THIS_PC


def test_an_unlock_checked_by_the_database_is_kept_for_an_outage_too(service, admin, nowhere):
    assert service.verify_password(admin, PASSWORD) is PasswordCheck.DATABASE
    with outage(service, nowhere):
        assert service.verify_password(admin, PASSWORD) is PasswordCheck.THIS_PC


def test_the_caller_that_knows_the_database_is_down_does_not_wait_for_it(
        service, admin, monkeypatch):
    service.login("admin", PASSWORD)

    def no_database(*_a: object, **_k: object) -> None:
        raise AssertionError("the database was asked although known to be down")

    monkeypatch.setattr(service, "uow", no_database)
    assert service.verify_password(admin, PASSWORD, database_down=True) is PasswordCheck.THIS_PC
    with pytest.raises(AuthenticationFailed):
        service.verify_password(admin, WRONG, database_down=True)


def test_a_wrong_password_offline_fails_and_is_not_written_to_the_account(
        db, service, admin, nowhere):
    service.login("admin", PASSWORD)
    with outage(service, nowhere), pytest.raises(AuthenticationFailed) as failed:
        service.verify_password(admin, WRONG)
    assert str(failed.value) == WRONG_CREDENTIALS
    assert _user_row(db).failed_logins == 0


def test_five_wrong_offline_refuse_every_attempt_until_the_database_is_back(
        db, service, admin, nowhere):
    service.login("admin", PASSWORD)
    with outage(service, nowhere):
        for _ in range(MAX_FAILED_LOGINS - 1):
            with pytest.raises(AuthenticationFailed):
                service.verify_password(admin, WRONG)
        with pytest.raises(AccountLocked, match="too many wrong passwords on this PC"):
            service.verify_password(admin, WRONG)
        with pytest.raises(AccountLocked) as refused:  # even the right one now
            service.verify_password(admin, PASSWORD)
        assert str(refused.value) == TOO_MANY_OFFLINE
    # Back: the database checks it, and its own counter was never touched.
    assert service.verify_password(admin, PASSWORD) is PasswordCheck.DATABASE
    row = _user_row(db)
    assert row.failed_logins == 0
    assert row.locked_until is None
    with outage(service, nowhere):  # the offline count started again from zero
        assert service.verify_password(admin, PASSWORD) is PasswordCheck.THIS_PC


def test_a_right_password_offline_resets_the_count_in_a_row(service, admin, nowhere):
    service.login("admin", PASSWORD)
    with outage(service, nowhere):
        for _ in range(MAX_FAILED_LOGINS - 1):
            with pytest.raises(AuthenticationFailed):
                service.verify_password(admin, WRONG)
        assert service.verify_password(admin, PASSWORD) is PasswordCheck.THIS_PC
        with pytest.raises(AuthenticationFailed):  # counted from one again, not locked
            service.verify_password(admin, WRONG)


def test_the_wrong_passwords_refused_offline_are_audited_once_the_database_is_back(
        db, service, admin, nowhere):
    service.login("admin", PASSWORD)
    with outage(service, nowhere):
        for _ in range(2):
            with pytest.raises(AuthenticationFailed):
                service.verify_password(admin, WRONG)
        service.verify_password(admin, PASSWORD)  # still down: nothing written yet
    assert _offline_audits(db) == []
    service.verify_password(admin, PASSWORD)
    audits = _offline_audits(db)
    assert [a["failures_on_this_pc"] for a in audits] == [1, 2]
    assert all(a["via"] == "verify_password" for a in audits)
    service.verify_password(admin, PASSWORD)
    assert len(_offline_audits(db)) == 2  # written once


def test_a_session_resumed_without_a_password_cannot_be_unlocked_offline(
        db, clk, service, admin, nowhere):
    token = service.login("admin", PASSWORD, remember=True).token
    assert token is not None
    restarted = auth(db, clk)  # the next start of the program: the keyring's token only
    actor = restarted.resume(token)
    assert not restarted.can_check_on_this_pc(actor)
    with outage(restarted, nowhere), pytest.raises(DatabaseUnavailable) as unavailable:
        restarted.verify_password(actor, PASSWORD)
    assert str(unavailable.value) == NOT_CHECKABLE_OFFLINE
    assert "cannot be checked until it is back" in str(unavailable.value)
    assert "someone else needs the database too" in str(unavailable.value)


def test_back_online_the_database_checks_and_counts_as_before(db, service, admin, nowhere):
    service.login("admin", PASSWORD)
    with outage(service, nowhere):
        assert service.verify_password(admin, PASSWORD) is PasswordCheck.THIS_PC
    with pytest.raises(AuthenticationFailed):
        service.verify_password(admin, WRONG)
    assert _user_row(db).failed_logins == 1
    for _ in range(MAX_FAILED_LOGINS - 2):
        with pytest.raises(AuthenticationFailed):
            service.verify_password(admin, WRONG)
    with pytest.raises(AccountLocked, match="the account is locked until"):
        service.verify_password(admin, WRONG)
    assert _user_row(db).locked_until is not None
    # Locked by the database: this PC no longer lets the user in either.
    assert not service.can_check_on_this_pc(admin)
    with outage(service, nowhere), pytest.raises(DatabaseUnavailable):
        service.verify_password(admin, PASSWORD)


def test_a_mistyped_unlock_checked_by_the_database_keeps_the_verifier(
        service, admin, nowhere):
    service.login("admin", PASSWORD)
    with pytest.raises(AuthenticationFailed):
        service.verify_password(admin, WRONG)
    with outage(service, nowhere):
        assert service.verify_password(admin, PASSWORD) is PasswordCheck.THIS_PC


def test_logout_forgets_the_verifier(service, admin, nowhere):
    token = service.login("admin", PASSWORD, remember=True).token
    assert token is not None
    service.logout(token)
    assert not service.can_check_on_this_pc(admin)
    with outage(service, nowhere), pytest.raises(DatabaseUnavailable, match="cannot be checked"):
        service.verify_password(admin, PASSWORD)


def test_signing_out_on_this_pc_forgets_the_verifier_even_while_the_database_is_down(
        service, admin, nowhere):
    service.login("admin", PASSWORD)
    with outage(service, nowhere):
        service.forget_password(admin)
        with pytest.raises(DatabaseUnavailable, match="cannot be checked"):
            service.verify_password(admin, PASSWORD)


def test_changing_the_password_forgets_the_old_one(service, admin, nowhere):
    service.login("admin", PASSWORD)
    service.change_password(admin, PASSWORD, "a brand new passphrase")
    with outage(service, nowhere), pytest.raises(DatabaseUnavailable):
        service.verify_password(admin, PASSWORD)


def test_the_plain_password_is_not_kept(service, admin):
    service.login("admin", PASSWORD)
    service.verify_password(admin, PASSWORD)
    assert PASSWORD not in repr(vars(service))
