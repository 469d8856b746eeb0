"""Run Alembic from the app: upgrade, current revision, and the schema-version check.

Every start checks the database's revision against this version's head. That check reads
the ``alembic_version`` row with plain SQL and the scripts' ``revision`` and
``down_revision`` lines as text, so it never imports Alembic (a second of a CLI command's
start on a 2-core PC) or the migration scripts; Alembic is imported only to upgrade or
downgrade. ``tests/repository/test_migrations.py`` holds the text reading to Alembic's own.
"""

from __future__ import annotations

import re
import shutil
import sys
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from surgdesk.errors import SchemaMismatch

if TYPE_CHECKING:
    from alembic.config import Config

_REVISION = re.compile(r"^revision(?:\s*:\s*[^=]+)?\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?:\s*:\s*[^=]+)?\s*=\s*(?:['\"]([^'\"]+)['\"]|None)",
                   re.MULTILINE)


def migrations_dir() -> Path:
    """Where the Alembic scripts are: in the bundle, the installed package, or the repo."""
    here = Path(__file__).resolve()
    candidates = [
        Path(getattr(sys, "_MEIPASS", "")) / "migrations" if hasattr(sys, "_MEIPASS") else None,
        here.parent.parent / "_migrations",
        here.parents[3] / "migrations",
    ]
    for candidate in candidates:
        if candidate is not None and (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("the migrations folder is missing from this installation")


def alembic_config(engine: Engine | None = None, **attributes: object) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if engine is not None:
        config.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
    config.attributes.update(attributes)
    return config


@cache
def revision_graph() -> dict[str, str | None]:
    """Each script's revision and the one it revises (None: the first), read as text."""
    graph: dict[str, str | None] = {}
    for script in sorted((migrations_dir() / "versions").glob("*.py")):
        source = script.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision is None or down is None:
            raise SchemaMismatch(f"migration script {script.name} names no revision")
        graph[revision.group(1)] = down.group(1)
    return graph


def head_revision() -> str:
    """The one revision no other script revises."""
    graph = revision_graph()
    heads = set(graph) - {down for down in graph.values() if down is not None}
    if len(heads) != 1:
        raise SchemaMismatch(f"the migration scripts have {len(heads)} heads, not one")
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head", *, time_zone: str | None = None) -> None:
    from alembic import command

    with engine.begin() as conn:
        config = alembic_config(connection=conn, time_zone=time_zone)
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(alembic_config(connection=conn), revision)


def known_revisions() -> set[str]:
    return set(revision_graph())


def check_schema(engine: Engine) -> None:
    """Refuse a database whose schema this version does not match."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaMismatch("the database has no SurgDesk schema yet: run `surgdesk db upgrade`")
    if current not in known_revisions():
        raise SchemaMismatch(
            f"the database schema ({current}) is newer than this version of SurgDesk knows "
            f"({head}); install the newer SurgDesk"
        )
    raise SchemaMismatch(
        f"the database schema ({current}) is older than this version of SurgDesk ({head}); "
        "an administrator must run `surgdesk db upgrade`"
    )


def backup_sqlite_file(path: Path) -> Path | None:
    """Copy a SQLite file aside before upgrading it; returns the copy's path."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backup = path.with_name(f"{path.name}.{stamp}.bak")
    shutil.copy2(path, backup)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            shutil.copy2(side, backup.with_name(backup.name + suffix))
    return backup
