"""Connecting to a database: URL handling, the schema check, and a clean error when down."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.exc import DatabaseError, OperationalError

from surgdesk.errors import BadInput, DatabaseUnavailable, FieldProblem, SchemaMismatch
from surgdesk.paths import PRIVATE_FILE, ensure_private_dir, make_private
from surgdesk.repository import migrate
from surgdesk.repository.database import (
    OPERATION_DEADLINE_S,
    Database,
    describe_url,
    make_engine,
    normalize_url,
)

log = logging.getLogger(__name__)

# Every SQLite database file starts with these 16 bytes.
SQLITE_HEADER = b"SQLite format 3\x00"


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


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for Postgres and in-memory SQLite."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser()


def _file_problem(path: Path, *, create: bool) -> str | None:
    """What stops SurgDesk from using (or, with ``create``, making) a database at
    ``path``; None when it can go ahead."""
    if path.is_dir():
        return "is a folder, not a database file"
    if not path.exists():
        if not path.parent.is_dir():
            return f"does not exist, and neither does its folder {path.parent}"
        if not create:
            return "does not exist (`surgdesk db upgrade` makes a new database there)"
        return None
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_HEADER))
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if not head and not create:
        return ("is an empty file (0 bytes), not a SurgDesk database "
                "(`surgdesk db upgrade` makes a new database in it)")
    if head and head != SQLITE_HEADER:
        return "is not a SQLite database file"
    if not os.access(path, os.R_OK | os.W_OK):
        return "is read-only: SurgDesk writes to its database"
    if not os.access(path.parent, os.W_OK):
        return f"is in a read-only folder ({path.parent}): SQLite writes its journal there"
    return None


def check_sqlite_file(url: str, *, create: bool = False, private_folders: bool = False,
                      dry_run: bool = False) -> None:
    """Refuse, naming the file and what is wrong with it, a SQLite database SurgDesk cannot
    use — missing, empty, a folder, not SQLite, unreadable, read-only — rather than making
    a new empty database where the user pointed by mistake (a typo, a share not mounted).

    ``create``: a missing (or 0-byte) file may become a new database; it is created
    readable by this user only (0600; SQLite gives its -wal and -shm files the same mode).
    ``private_folders``: the missing folders are created too, readable by this user only
    (0700) — the default location in the user's data folder. ``dry_run``: only check.
    """
    path = sqlite_path(url)
    if path is None:
        return
    if create and private_folders and not dry_run:
        ensure_private_dir(path.parent)
    if (problem := _file_problem(path, create=create)) is not None:
        raise BadInput(FieldProblem("database", f"{path}: {problem}"))
    if dry_run:
        return
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    if private_folders:
        for file in (path, *(path.with_name(path.name + side) for side in ("-wal", "-shm"))):
            if file.exists():
                make_private(file, PRIVATE_FILE)


def prepare_schema(db: Database, *, new_schema: bool = True) -> None:
    """Upgrade a local SQLite file in place (after a backup); refuse a shared database
    whose schema differs from this version's. ``new_schema`` False: a SQLite file with no
    SurgDesk schema is refused, not filled (only ``db upgrade`` and the default file
    are made into new databases)."""
    engine = db.engine
    if db.dialect != "sqlite":
        migrate.check_schema(engine)
        return
    current = migrate.current_revision(engine)
    if current == migrate.head_revision():
        return
    if current is None and not new_schema:
        where = engine.url.database
        if inspect(engine).get_table_names():
            problem = "is a SQLite database of another program (no SurgDesk schema)"
        else:
            problem = ("holds no SurgDesk database yet "
                       "(`surgdesk db upgrade` makes a new database in it)")
        raise BadInput(FieldProblem("database", f"{where}: {problem}"))
    if current is not None and current not in migrate.known_revisions():
        migrate.check_schema(engine)  # raises: newer than this version knows
    path = Path(engine.url.database or "")
    if current is not None and path.exists():
        backup = migrate.backup_sqlite_file(path)
        log.info("backed up the database to %s before upgrading", backup)
    migrate.upgrade(engine)


def open_database(url: str, *, prepare: bool = True, interactive: bool = False,
                  new_schema: bool = True) -> Database:
    """An open Database; with ``prepare`` its schema is upgraded (SQLite) or checked
    (``new_schema``: see :func:`prepare_schema`).

    ``interactive`` (the GUI): on Postgres no call waits for the server longer than
    ``OPERATION_DEADLINE_S``; it fails with ``DatabaseUnavailable`` instead of freezing
    the window on a silent network. Off for the CLI, migrations and bulk work."""
    db = Database(make_engine(url, deadline_s=OPERATION_DEADLINE_S if interactive else None))
    try:
        if prepare:
            prepare_schema(db, new_schema=new_schema)
        else:
            with db.engine.connect():
                pass
    except DatabaseError as exc:
        db.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "no answer"
        if db.dialect == "sqlite" and not _busy(reason):
            # The file itself is the problem (damaged, not a database, read-only): say
            # which file and what, as bad input — not an internal error.
            raise BadInput(FieldProblem("database", f"{describe_url(url)}: cannot be used "
                                                    f"as a database ({reason})")) from None
        if not isinstance(exc, OperationalError):
            raise
        raise DatabaseUnavailable(f"{describe_url(url)}: {reason}") from None
    except (SchemaMismatch, BadInput):
        db.dispose()
        raise
    return db


def _busy(reason: str) -> bool:
    """SQLite's "another writer holds the file": the database is there, just busy."""
    return "locked" in reason or "busy" in reason
