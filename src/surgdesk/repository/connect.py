"""Connecting to a database: URL handling, the schema check, and a clean error when down."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.exc import OperationalError

from surgdesk.errors import DatabaseUnavailable, SchemaMismatch
from surgdesk.repository import migrate
from surgdesk.repository.database import (
    OPERATION_DEADLINE_S,
    Database,
    describe_url,
    make_engine,
    normalize_url,
)

log = logging.getLogger(__name__)


def is_sqlite(url: str) -> bool:
    return normalize_url(url).get_backend_name() == "sqlite"


def has_password(url: str) -> bool:
    return bool(normalize_url(url).password)


def with_password(url: str, password: str) -> str:
    return normalize_url(url).set(password=password).render_as_string(hide_password=False)


def url_parts(url: str) -> dict[str, object]:
    """A URL's parts (never its password), to prefill a connection form."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return {"kind": "sqlite", "path": parsed.database or ""}
    return {"kind": "postgresql", "host": parsed.host or "localhost",
            "port": parsed.port or 5432, "database": parsed.database or "",
            "user": parsed.username or "", "sslmode": parsed.query.get("sslmode", "prefer")}


def schema_state(url: str) -> tuple[str, str | None, str]:
    """("ok" | "empty" | "older" | "newer", the database's revision, this version's head)
    — connecting without changing anything; DatabaseUnavailable when it cannot."""
    db = open_database(url, prepare=False)
    try:
        current = migrate.current_revision(db.engine)
    except OperationalError as exc:
        raise DatabaseUnavailable(f"{describe_url(url)}: {str(exc.orig).strip()[:160]}") from None
    finally:
        db.dispose()
    head = migrate.head_revision()
    if current == head:
        return "ok", current, head
    if current is None:
        return "empty", None, head
    return ("newer" if current not in migrate.known_revisions() else "older"), current, head


def describe(url: str) -> str:
    return describe_url(url)


def prepare_schema(db: Database) -> None:
    """Upgrade a local SQLite file in place (after a backup); refuse a shared database
    whose schema differs from this version's."""
    engine = db.engine
    if db.dialect != "sqlite":
        migrate.check_schema(engine)
        return
    current = migrate.current_revision(engine)
    if current == migrate.head_revision():
        return
    if current is not None and current not in migrate.known_revisions():
        migrate.check_schema(engine)  # raises: newer than this version knows
    path = Path(engine.url.database or "")
    if current is not None and path.exists():
        backup = migrate.backup_sqlite_file(path)
        log.info("backed up the database to %s before upgrading", backup)
    migrate.upgrade(engine)


def open_database(url: str, *, prepare: bool = True, interactive: bool = False) -> Database:
    """An open Database; with ``prepare`` its schema is upgraded (SQLite) or checked.

    ``interactive`` (the GUI): on Postgres no call waits for the server longer than
    ``OPERATION_DEADLINE_S``; it fails with ``DatabaseUnavailable`` instead of freezing
    the window on a silent network. Off for the CLI, migrations and bulk work."""
    db = Database(make_engine(url, deadline_s=OPERATION_DEADLINE_S if interactive else None))
    try:
        if prepare:
            prepare_schema(db)
        else:
            with db.engine.connect():
                pass
    except OperationalError as exc:
        db.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"
        raise DatabaseUnavailable(f"{describe_url(url)}: {reason}") from None
    except SchemaMismatch:
        db.dispose()
        raise
    return db
