"""The connection settings' logic: a validated spec, its URL, the keyring password, and
"test connection" telling a matching, empty, newer or unreachable database apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from surgdesk import startup
from surgdesk.connection import (
    ConnectionSpec,
    check,
    create_local_database,
    save_password,
    upgrade_schema,
)
from surgdesk.errors import BadInput
from surgdesk.repository.database import make_nullpool_engine
from tests.conftest import MemoryKeyring, _pg_admin, _pg_url


def pg_spec(url: str) -> ConnectionSpec:
    return ConnectionSpec.from_url(url)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "sqlite"}, "path"),
        ({"kind": "postgresql", "database": "sd", "user": "u"}, "host"),
        ({"kind": "postgresql", "host": "db", "user": "u"}, "database"),
        ({"kind": "postgresql", "host": "db", "database": "sd"}, "user"),
        ({"kind": "postgresql", "host": "db:5432", "database": "sd", "user": "u"}, "host"),
        ({"kind": "postgresql", "host": "db", "database": "sd", "user": "u", "port": 0}, "port"),
        ({"kind": "postgresql", "host": "db", "database": "sd", "user": "u",
          "sslmode": "maybe"}, "sslmode"),
    ],
)
def test_bad_fields_are_named(fields: dict[str, object], field: str) -> None:
    with pytest.raises(BadInput) as exc:
        ConnectionSpec.parse(**fields)
    assert field in str(exc.value)


def test_url_round_trip_offers_verify_full_and_never_holds_a_password() -> None:
    spec = ConnectionSpec.parse(kind="postgresql", host="db.or.hospital.local", port=5433,
                                database="surgdesk", user="sched", sslmode="verify-full")
    assert spec.url() == ("postgresql://sched@db.or.hospital.local:5433/surgdesk"
                          "?sslmode=verify-full")
    assert ConnectionSpec.from_url(spec.url()) == spec


def test_local_file_states(tmp_path: Path, sqlite_url: str) -> None:
    new = ConnectionSpec.parse(kind="sqlite", path=str(tmp_path / "new.db"))
    assert check(new).state == "new_file"
    assert check(new).usable
    ready = ConnectionSpec.from_url(sqlite_url)
    assert check(ready).state == "ok"


def test_a_new_file_in_a_missing_folder_cannot_be_used(tmp_path: Path) -> None:
    spec = ConnectionSpec.parse(kind="sqlite", path=str(tmp_path / "no" / "new.db"))
    outcome = check(spec)
    assert outcome.state == "unreachable"
    assert "folder" in outcome.message
    assert not (tmp_path / "no").exists()


def test_a_chosen_new_file_is_created_private_and_ready(tmp_path: Path) -> None:
    spec = ConnectionSpec.parse(kind="sqlite", path=str(tmp_path / "new.db"))
    create_local_database(spec)
    assert ((tmp_path / "new.db").stat().st_mode & 0o077) == 0
    assert check(spec).state == "ok"
    startup.open_database(spec.url()).dispose()  # opens as an existing database now


@pytest.mark.postgres
def test_shared_database_states_and_upgrade(postgres_url: str) -> None:
    assert check(pg_spec(postgres_url)).state == "ok"
    empty_name = postgres_url.rsplit("/", 1)[1] + "_empty"
    _pg_admin(f'CREATE DATABASE "{empty_name}"')
    try:
        empty = pg_spec(_pg_url(empty_name))
        result = check(empty)
        assert (result.state, result.usable) == ("empty", False)
        assert upgrade_schema(empty)
        assert check(empty).state == "ok"
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{empty_name}" WITH (FORCE)')
    engine = make_nullpool_engine(postgres_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    engine.dispose()
    newer = check(pg_spec(postgres_url))
    assert newer.state == "newer"
    assert "newer SurgDesk" in newer.message


def test_unreachable_server_is_said_plainly() -> None:
    spec = ConnectionSpec.parse(kind="postgresql", host="127.0.0.1", port=1,
                                database="x", user="u")
    result = check(spec)
    assert result.state == "unreachable"
    assert "cannot connect" in result.message


def test_password_goes_to_the_keyring_reaches_the_connection_and_no_file(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    spec = ConnectionSpec.parse(kind="postgresql", host="db.or.hospital.local",
                                database="surgdesk", user="sched")
    save_password(spec, "s3cret-Passw0rd")
    assert "s3cret-Passw0rd" in memory_keyring.store.values()
    url = startup.with_stored_password(spec.url())
    assert ":s3cret-Passw0rd@" in url  # what the driver is handed
    data = Path(str(tmp_path / "userdata"))
    written = [p for p in data.rglob("*") if p.is_file()] if data.exists() else []
    assert all("s3cret" not in p.read_text(errors="ignore") for p in written)
    save_password(spec, None)
    assert "s3cret-Passw0rd" not in memory_keyring.store.values()
