"""Shared fixtures: a migrated template database per backend, cloned for every test.

Migrating takes about a second; a clone is a file copy on SQLite, and on Postgres a clone
of the template that each test process keeps and puts back to the template's state after
every test (``tests/pgpool.py``: re-creating a database costs the server a file sync), so
every test gets a fully migrated database of its own, as fresh as a new clone.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import contextlib
import itertools
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import psycopg
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from PySide6.QtCore import QSettings

from surgdesk.repository import migrate
from surgdesk.repository.database import Database, make_engine, make_nullpool_engine
from tests.pgpool import PostgresPool, prepare_template

# Every test database reads naive times in this zone, whatever the machine's own zone.
TEST_TIME_ZONE = "Europe/Berlin"
PG_ADMIN_URL = os.environ.get("SURGDESK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
UNDER_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
_counter = itertools.count()


def _pg_url(dbname: str) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{dbname}"


def _pg_admin(sql: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def postgres_available() -> bool:
    try:
        _pg_admin("SELECT 1")
    except psycopg.OperationalError:
        return False
    return True


class MemoryKeyring(KeyringBackend):
    """A throwaway keyring: tests never touch the developer's own."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


@pytest.fixture(autouse=True)
def memory_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    # The per-user data folder (SQLite default, fallback session file) goes to tmp too.
    monkeypatch.setenv("SURGDESK_DATA_DIR", str(tmp_path / "userdata"))
    # Per-user Qt settings (the chosen database...) too, never the developer's own.
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.NativeFormat, scope, str(tmp_path / "qsettings"))
    monkeypatch.delenv("SURGDESK_DATABASE_URL", raising=False)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_nullpool_engine(f"sqlite:///{path}")
    migrate.upgrade(engine, time_zone=TEST_TIME_ZONE)
    engine.dispose()
    fold_wal(path)
    return path


def fold_wal(path: Path) -> None:
    """Fold a SQLite file's WAL into the main file, so one file copy clones everything."""
    with contextlib.closing(sqlite3.connect(path)) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    if not postgres_available():
        if UNDER_CI:
            pytest.fail(f"Postgres is not reachable at {PG_ADMIN_URL} (required under CI)")
        pytest.skip("Postgres is not reachable (set CI=true to make this a failure)")
    name = f"sd_tmpl_{uuid.uuid4().hex[:10]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    engine = make_nullpool_engine(_pg_url(name))
    migrate.upgrade(engine, time_zone=TEST_TIME_ZONE)
    engine.dispose()
    prepare_template(_pg_url(name))
    yield name
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_pool(postgres_template: str) -> Iterator[PostgresPool]:
    """This test process's clones of the template, put back and reused (tests/pgpool.py)."""
    pool = PostgresPool(PG_ADMIN_URL, _pg_url, postgres_template)
    yield pool
    pool.close()


def clone_sqlite(template: Path, directory: Path) -> str:
    target = directory / f"surgdesk-{next(_counter)}.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    return clone_sqlite(sqlite_template, tmp_path)


@pytest.fixture
def postgres_url(postgres_pool: PostgresPool) -> Iterator[str]:
    """A database of the test's own, exactly as freshly migrated: a clone of the template,
    put back to the template's state after the test before anyone else gets it."""
    name = postgres_pool.acquire()
    yield _pg_url(name)
    postgres_pool.release(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """A fresh migrated database on each backend: every service test runs on both."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """The test's database behind a pooled engine, as the app has one: a connection per
    unit of work (NullPool) made the Postgres server fork a backend dozens of times per
    test — a third of the suite's time. Disposed before the database is put back."""
    database = Database(make_engine(db_url))
    yield database
    database.dispose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests first (the installer build takes minutes): under pytest-xdist the worker
    that draws them builds while the other works through the rest and then steals from
    it, instead of the build trailing alone at the end of the run."""
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        items[:] = slow + [item for item in items if not item.get_closest_marker("slow")]
