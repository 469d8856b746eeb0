"""Where the department forbids remembered sign-ins, the CLI signs in per command
(``--user`` / $SURGDESK_USERNAME, password on a terminal or standard input's first line):
a forbidden ``login`` is refused (and audited as refused), and no write is locked out."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.repository.database import make_nullpool_engine
from tests.cli.conftest import PASSWORD, CliRunner


def _actions(db_url: str) -> list[str]:
    engine = make_nullpool_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.scalars(select(m.AuditEvent.action).order_by(m.AuditEvent.id))
            return list(rows)
    finally:
        engine.dispose()


@pytest.fixture
def forbidden_cli(admin_cli: CliRunner) -> CliRunner:
    assert admin_cli("settings", "set", "--remember-me", "forbidden").code == 0
    return admin_cli


def test_login_where_remembering_is_forbidden_is_refused_and_says_what_to_do(
        forbidden_cli: CliRunner, db_url: str) -> None:
    logins_before = _actions(db_url).count("login")
    result = forbidden_cli("login", "--username", "admin", "--password-stdin", stdin=PASSWORD)
    assert result.code == 1
    assert "--user admin" in result.err
    actions = _actions(db_url)
    assert actions.count("login") == logins_before  # was audited as a successful login
    assert actions[-1] == "login_refused"


def test_the_admin_can_still_write_and_undo_the_setting(forbidden_cli: CliRunner) -> None:
    # The remembered session ended when remembering was forbidden.
    assert forbidden_cli("rooms", "add", "--code", "OR-7", "--name", "Seven").code == 1
    added = forbidden_cli("--user", "admin", "rooms", "add", "--code", "OR-7", "--name",
                          "Seven", stdin=PASSWORD + "\n")
    assert added.code == 0, added.err
    undone = forbidden_cli("--user", "admin", "settings", "set", "--remember-me", "allowed",
                           stdin=PASSWORD + "\n")
    assert undone.code == 0, undone.err
    again = forbidden_cli("login", "--username", "admin", "--password-stdin", stdin=PASSWORD)
    assert again.code == 0, again.err


def test_a_one_command_sign_in_is_not_remembered(forbidden_cli: CliRunner) -> None:
    shown = forbidden_cli("--user", "admin", "whoami", stdin=PASSWORD + "\n")
    assert "admin (admin" in shown.out
    assert "not signed in" in forbidden_cli("whoami").out


def test_the_user_can_come_from_the_environment(forbidden_cli: CliRunner,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SURGDESK_USERNAME", "admin")
    result = forbidden_cli("rooms", "add", "--code", "OR-8", "--name", "Eight",
                           stdin=PASSWORD + "\n")
    assert result.code == 0, result.err


def test_a_wrong_password_for_one_command_is_refused(forbidden_cli: CliRunner) -> None:
    result = forbidden_cli("--user", "admin", "rooms", "add", "--code", "OR-7", "--name",
                           "Seven", stdin="not-the-password\n")
    assert result.code == 1
    assert "password" in result.err
    assert "OR-7" not in forbidden_cli("rooms", "list").out


def test_no_password_for_one_command_is_bad_input(forbidden_cli: CliRunner) -> None:
    result = forbidden_cli("--user", "admin", "rooms", "add", "--code", "OR-7", "--name",
                           "Seven", stdin="")
    assert result.code == 2
    assert "password" in result.err


def test_users_add_reads_the_signers_password_then_the_new_users(
        forbidden_cli: CliRunner) -> None:
    result = forbidden_cli("--user", "admin", "users", "add", "--username", "sam",
                           "--role", "scheduler", "--display-name", "Sam Scheduler",
                           "--email", "sam@or.hospital.local", "--password-stdin",
                           stdin=f"{PASSWORD}\nsams-own-password-1\n")
    assert result.code == 0, result.err
    login = forbidden_cli("--user", "sam", "whoami", stdin="sams-own-password-1\n")
    assert "sam (scheduler" in login.out


def test_login_with_user_is_bad_input(admin_cli: CliRunner) -> None:
    result = admin_cli("--user", "admin", "login", "--username", "admin", "--password-stdin",
                       stdin=PASSWORD)
    assert result.code == 2
    assert "--user" in result.err
