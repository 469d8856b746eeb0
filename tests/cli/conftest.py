"""Run the CLI in-process against a fresh database, capturing exit code and output."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from surgdesk.cli.main import main
from surgdesk.credentials import CredentialStore, StoredSession, database_key
from surgdesk.domain.enums import Role
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services.context import ANONYMOUS, Actor
from surgdesk.services.rooms import RoomService
from surgdesk.services.users import UserService
from tests.conftest import _pg_url, clone_sqlite, fold_wal
from tests.pgpool import PostgresPool

PASSWORD = "correct-horse-battery"


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


CliRunner = Callable[..., Run]


def cheap_hasher() -> PasswordHasher:
    # Still argon2id, at test-sized cost: these tests are about the CLI, not hash strength.
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _run(url: str, args: list[str], stdin: str | None) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        patch.setattr("surgdesk.services.auth.PasswordHasher", cheap_hasher)
        patch.setattr("sys.stdin", io.StringIO(stdin or ""))
        code = main(["--database", url, *args])
    return Run(code, out.getvalue(), err.getvalue())


# The admin's database: an admin signed in, two rooms, two surgeons, an anesthesiologist
# and a nurse — made with the CLI itself, once per backend and test process, then cloned.
ADMIN_STEPS: list[tuple[list[str], str | None]] = [
    (["users", "add", "--username", "admin", "--role", "admin", "--display-name",
      "Ada Admin", "--email", "admin@or.hospital.local", "--password-stdin"], PASSWORD),
    (["login", "--username", "admin", "--password-stdin"], PASSWORD),
    (["users", "add", "--username", "dr.grey", "--role", "surgeon", "--display-name",
      "Meredith Grey", "--email", "grey@or.hospital.local", "--specialty", "general",
      "--password-stdin"], PASSWORD),
    (["users", "add", "--username", "dr.shep", "--role", "surgeon", "--display-name",
      "Derek Shepherd", "--email", "shep@or.hospital.local", "--specialty", "neuro",
      "--password-stdin"], PASSWORD),
    (["users", "add", "--username", "gas", "--role", "anesthesiologist", "--display-name",
      "Ann Esthesia", "--email", "gas@or.hospital.local", "--password-stdin"], PASSWORD),
    (["users", "add", "--username", "nurse1", "--role", "nurse", "--display-name",
      "Nora Nurse", "--email", "nurse1@or.hospital.local", "--password-stdin"], PASSWORD),
    (["rooms", "add", "--code", "OR-1", "--name", "Theatre 1", "--specialty", "general",
      "--turnover", "30", "--opens", "07:00", "--closes", "19:00"], None),
    (["rooms", "add", "--code", "OR-2", "--name", "Theatre 2", "--turnover", "20"], None),
]


def _build_admin_database(url: str) -> StoredSession:
    """Run the steps on ``url``; the admin's remembered session comes back."""
    for args, stdin in ADMIN_STEPS:
        result = _run(url, args, stdin)
        assert result.code == 0, (args, result.err)
    session = CredentialStore().load_session(database_key(url))
    assert session is not None
    return session


class _AdminDatabases:
    """The prepared admin database per backend for this test process (see ``db_url``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sqlite: tuple[Path, StoredSession] | None = None
        self.postgres: dict[str, StoredSession] = {}  # pool database -> its admin session

    def sqlite_clone(self, template: Path, directory: Path) -> tuple[str, StoredSession]:
        if self.sqlite is None:
            url = clone_sqlite(template, self.folder)
            session = _build_admin_database(url)
            path = Path(url.removeprefix("sqlite:///"))
            fold_wal(path)
            self.sqlite = (path, session)
        path, session = self.sqlite
        target = directory / "admin.db"
        shutil.copyfile(path, target)
        return f"sqlite:///{target}", session

    def postgres_clone(self, pool: PostgresPool) -> tuple[str, str, StoredSession]:
        built: list[StoredSession] = []
        name, fresh = pool.acquire_prepared(
            "cli_admin", lambda url: built.append(_build_admin_database(url)))
        if fresh:
            self.postgres[name] = built[0]
        return name, _pg_url(name), self.postgres[name]


@pytest.fixture(scope="session")
def admin_databases(tmp_path_factory: pytest.TempPathFactory) -> _AdminDatabases:
    return _AdminDatabases(tmp_path_factory.mktemp("cli-admin"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """As the shared ``db_url``; for a test that asks for ``admin_cli`` the database
    already holds the admin's set-up (cloned, not rebuilt: eight CLI runs per test cost
    more than most tests themselves), with the admin's session in this test's keyring."""
    if "admin_cli" not in request.fixturenames:
        fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
        yield request.getfixturevalue(fixture)
        return
    prepared: _AdminDatabases = request.getfixturevalue("admin_databases")
    release: Callable[[], None] | None = None
    if request.param == "sqlite":
        url, session = prepared.sqlite_clone(request.getfixturevalue("sqlite_template"),
                                             tmp_path)
    else:
        pool: PostgresPool = request.getfixturevalue("postgres_pool")
        name, url, session = prepared.postgres_clone(pool)
        release = lambda: pool.release(name)  # noqa: E731
    CredentialStore().save_session(database_key(url), session.username, session.token,
                                   session.expires_at)
    yield url
    if release is not None:
        release()


def runner(url: str, capsys: pytest.CaptureFixture[str],
           monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI in-process on ``url``: exit code and captured output per call."""
    monkeypatch.setattr("surgdesk.services.auth.PasswordHasher", cheap_hasher)

    def run(*args: str, stdin: str | None = None) -> Run:
        capsys.readouterr()
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin if stdin is not None else ""))
        code = main(["--database", url, *args])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err, captured.err
        return Run(code, captured.out, captured.err)

    return run


def staff_department(url: str) -> Actor:
    """Through the services: an admin, dr.grey (general), dr.shep (neuro), nurse1; OR-1
    (general, 30 min turnover) and OR-2 (20 min). The admin comes back."""
    db = Database(make_nullpool_engine(url))
    try:
        users = UserService(db, hasher=cheap_hasher())
        admin = users.add_user(ANONYMOUS, username="admin", role=Role.ADMIN,
                               display_name="Ada Admin", email="admin@or.hospital.local",
                               password=PASSWORD)
        actor = Actor(admin.id, admin.username, Role.ADMIN, admin.display_name)
        for username, role, name, specialty in (
                ("dr.grey", Role.SURGEON, "Meredith Grey", "general"),
                ("dr.shep", Role.SURGEON, "Derek Shepherd", "neuro"),
                ("nurse1", Role.NURSE, "Nora Nurse", None)):
            users.add_user(actor, username=username, role=role, display_name=name,
                           email=f"{username.replace('.', '')}@or.hospital.local",
                           password=PASSWORD, specialty=specialty)
        rooms = RoomService(db)
        rooms.add_room(actor, code="OR-1", name="Theatre 1", specialty_tags=("general",),
                       turnover_minutes=30)
        rooms.add_room(actor, code="OR-2", name="Theatre 2", turnover_minutes=20)
    finally:
        db.dispose()
    return actor


def signed_in_copy(template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                   monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI on a fresh copy of a module's SQLite template, the admin signed in."""
    copy = tmp_path / template.name
    shutil.copyfile(template, copy)
    run = runner(f"sqlite:///{copy}", capsys, monkeypatch)
    signed_in = run("login", "--username", "admin", "--password-stdin", stdin=PASSWORD)
    assert signed_in.code == 0, signed_in.err
    return run


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    return runner(db_url, capsys, monkeypatch)


@pytest.fixture
def admin_cli(cli: CliRunner) -> CliRunner:
    """A database with an admin signed in, two rooms, two surgeons, an anesthesiologist
    and a nurse (``ADMIN_STEPS``; ``db_url`` hands it over prepared)."""
    return cli
