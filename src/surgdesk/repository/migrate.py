"""Run Alembic from the app: upgrade, current revision, and the schema-version check."""

from __future__ import annotations

import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from surgdesk.errors import SchemaMismatch


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
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if engine is not None:
        config.set_main_option(
            "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
        )
    config.attributes.update(attributes)
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head", *, time_zone: str | None = None) -> None:
    with engine.begin() as conn:
        config = alembic_config(connection=conn, time_zone=time_zone)
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(connection=conn), revision)


def known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


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
