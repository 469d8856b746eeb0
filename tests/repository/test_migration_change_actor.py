"""Migration 0003 adds change_log.actor_id (nullable, no foreign key) and takes it away
again, on both backends, keeping the log's rows."""

from __future__ import annotations

from sqlalchemy import inspect, text

from surgdesk.repository import migrate
from surgdesk.repository.database import make_nullpool_engine


def _columns(engine, table: str) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {c["name"]: c["nullable"] for c in inspect(engine).get_columns(table)}


def test_change_log_actor_goes_down_and_up_with_the_rows_kept(db_url: str) -> None:
    engine = make_nullpool_engine(db_url)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert _columns(engine, "change_log")["actor_id"] is True  # nullable
        # Append-only history must never stop a user being deleted or anonymised.
        assert inspect(engine).get_foreign_keys("change_log") == []
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO change_log (table_name, row_id, row_version, op, actor_id, "
                "created_at, updated_at) VALUES ('surgery_case', 7, 2, 'update', 42, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))

        migrate.downgrade(engine, "0002")
        assert migrate.current_revision(engine) == "0002"
        assert "actor_id" not in _columns(engine, "change_log")
        with engine.connect() as conn:
            assert conn.execute(text(
                "SELECT table_name, row_id, row_version, op FROM change_log "
                "WHERE row_id = 7")).all() == [("surgery_case", 7, 2, "update")]

        migrate.upgrade(engine, "0003")
        assert migrate.current_revision(engine) == "0003"
        with engine.connect() as conn:
            # Rows from before the column name no one.
            assert conn.execute(text(
                "SELECT actor_id FROM change_log WHERE row_id = 7")).all() == [(None,)]
    finally:
        engine.dispose()
