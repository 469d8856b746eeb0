"""The reused Postgres test databases are as fresh as new clones (tests/pgpool.py)."""

from __future__ import annotations

import psycopg
import pytest

from tests.conftest import _pg_url
from tests.pgpool import PostgresPool

pytestmark = pytest.mark.postgres


def _state(url: str) -> tuple[object, ...]:
    """Rows of a seeded table, a row count of a written one, and a sequence's next value."""
    with psycopg.connect(url) as conn:
        settings = conn.execute(
            "SELECT id, time_zone, snap_minutes FROM department_settings").fetchall()
        items = conn.execute("SELECT count(*) FROM template_item").fetchone()
        users = conn.execute("SELECT count(*) FROM user_account").fetchone()
        audit = conn.execute("SELECT count(*) FROM audit_event").fetchone()
        room_seq = conn.execute(
            "SELECT last_value, is_called FROM operating_room_id_seq").fetchone()
        conn.rollback()
    return settings, items, users, audit, room_seq


def _write(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("UPDATE department_settings SET snap_minutes = 30")
        conn.execute(
            "INSERT INTO operating_room (name, code, specialty_tags, status, turnover_minutes,"
            " opens_at, closes_at, weekdays, version, created_at, updated_at) VALUES"
            " ('X', 'X1', '[]', 'active', 30, '07:00', '19:00', '[0]', 1, now(), now())")
        conn.execute(
            "INSERT INTO audit_event (action, target_class, details, event_time, created_at,"
            " updated_at) VALUES ('test', 'x', '{}', now(), now(), now())")
        conn.execute("DELETE FROM template_item")
        conn.commit()


def test_a_database_is_put_back_as_the_template_left_it(postgres_pool: PostgresPool) -> None:
    name = postgres_pool.acquire()
    fresh = _state(_pg_url(name))
    _write(_pg_url(name))
    assert _state(_pg_url(name)) != fresh
    idle = psycopg.connect(_pg_url(name))  # a connection the test forgot to close
    idle.execute("SELECT 1")
    postgres_pool.release(name)
    again = postgres_pool.acquire()
    try:
        assert again == name  # reused, not re-created
        assert _state(_pg_url(again)) == fresh
    finally:
        postgres_pool.release(again)
        idle.close()


@pytest.mark.parametrize("change", [
    "ALTER TABLE operating_room ADD COLUMN extra integer",
    "ALTER TABLE audit_event DISABLE TRIGGER USER",
    "DROP TRIGGER audit_event_append_only ON audit_event",
    "CREATE TABLE stray (id integer)",
])
def test_a_database_whose_schema_moved_is_dropped(postgres_pool: PostgresPool,
                                                  change: str) -> None:
    name = postgres_pool.acquire()
    with psycopg.connect(_pg_url(name), autocommit=True) as conn:
        conn.execute(change)  # type: ignore[arg-type]
    postgres_pool.release(name)
    again = postgres_pool.acquire()
    try:
        assert again != name
        with psycopg.connect(_pg_url("postgres"), autocommit=True) as conn:
            gone = conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s",
                                (name,)).fetchone()
        assert gone == (0,)
    finally:
        postgres_pool.release(again)
