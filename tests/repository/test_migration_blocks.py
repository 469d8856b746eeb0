"""Migration 0004 adds the block tables and the department's block_release_days, and
takes them away again, on both backends; the database itself keeps a block to one owner
and one exception and one release per date."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from surgdesk.repository import migrate
from surgdesk.repository.database import make_nullpool_engine

TABLES = {"or_block", "or_block_exception", "or_block_release"}
_NOW = "CURRENT_TIMESTAMP"


def _block(conn: object, *, surgeon_id: str = "NULL", service: str = "'orthopedics'") -> None:
    conn.execute(text(  # type: ignore[attr-defined]
        "INSERT INTO or_block (room_id, surgeon_id, service, weekdays, starts_at, ends_at, "
        "every_weeks, weeks_of_month, valid_from, version, created_at, updated_at) "
        f"VALUES (1, {surgeon_id}, {service}, '[1]', '08:00:00', '12:00:00', 1, '[]', "
        f"'2026-03-02', 1, {_NOW}, {_NOW})"))


def _columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def test_blocks_go_down_and_up_and_the_database_keeps_their_rules(db_url: str) -> None:
    engine = make_nullpool_engine(db_url)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert set(inspect(engine).get_table_names()) >= TABLES
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO operating_room (name, code, specialty_tags, status, "
                "turnover_minutes, opens_at, closes_at, weekdays, version, created_at, "
                f"updated_at) VALUES ('Room 1', 'OR1', '[]', 'active', 30, '07:00:00', "
                f"'19:00:00', '[0]', 1, {_NOW}, {_NOW})"))
            _block(conn)
            conn.execute(text(
                "INSERT INTO or_block_release (block_id, on_date, reason, released_at, "
                f"version, created_at, updated_at) VALUES (1, '2026-03-03', 'congress', "
                f"{_NOW}, 1, {_NOW}, {_NOW})"))
            assert conn.execute(text(
                "SELECT block_release_days FROM department_settings")).scalar_one() == 7
        for bad in ({"service": "NULL"}, {"surgeon_id": "1"}):  # no owner; two owners
            with pytest.raises(IntegrityError), engine.begin() as conn:
                _block(conn, **bad)
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO or_block_release (block_id, on_date, released_at, version, "
                f"created_at, updated_at) VALUES (1, '2026-03-03', {_NOW}, 1, {_NOW}, {_NOW})"))

        migrate.downgrade(engine, "0003")
        assert migrate.current_revision(engine) == "0003"
        assert not TABLES & set(inspect(engine).get_table_names())
        assert "block_release_days" not in _columns(engine, "department_settings")

        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert "block_release_days" in _columns(engine, "department_settings")
        with engine.connect() as conn:
            assert conn.execute(text(
                "SELECT block_release_days FROM department_settings")).scalar_one() == 7
            assert conn.execute(text("SELECT count(*) FROM or_block")).scalar_one() == 0
    finally:
        engine.dispose()
