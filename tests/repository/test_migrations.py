"""Migrations go up and down on both backends, and the models do not drift from them."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from surgdesk.domain.models import Base
from surgdesk.errors import SchemaMismatch
from surgdesk.repository import migrate
from surgdesk.repository.database import make_nullpool_engine


def test_upgrade_downgrade_upgrade(db_url: str) -> None:
    engine = make_nullpool_engine(db_url)
    assert migrate.current_revision(engine) == migrate.head_revision()
    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    names = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert names == set()
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    engine.dispose()


# SQLite cannot reflect the lower(name) indexes, so they are compared on Postgres only.
@pytest.mark.filterwarnings(
    "ignore:autogenerate skipping metadata-specified expression-based index")
def test_models_and_migrations_do_not_drift(db_url: str) -> None:
    engine = make_nullpool_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_default_who_templates_are_seeded(db_url: str) -> None:
    engine = make_nullpool_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT t.phase, i.section, i.item_code FROM template_item i "
                "JOIN checklist_template t ON t.id = i.template_id ORDER BY t.phase, i.position"
            )
        ).all()
    engine.dispose()
    codes = {phase: [code for p, _, code in rows if p == phase] for phase in ("pre_op", "post_op")}
    assert codes["pre_op"][:5] == [
        "RD-CONSENT", "RD-ASSESSMENT", "RD-RESULTS", "RD-FASTING", "RD-IMPLANTS"
    ]
    assert {"SI-IDENTITY", "TO-TEAM", "TO-CONFIRM"} <= set(codes["pre_op"])
    assert codes["post_op"] == [
        "SO-PROCEDURE", "SO-COUNTS", "SO-SPECIMEN", "SO-EQUIPMENT", "SO-RECOVERY", "HO-PACU"
    ]


def test_empty_database_is_refused_until_upgraded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_nullpool_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(SchemaMismatch, match="no SurgDesk schema"):
        migrate.check_schema(engine)
    migrate.upgrade(engine)
    migrate.check_schema(engine)
    engine.dispose()


def test_newer_schema_is_refused(db_url: str) -> None:
    engine = make_nullpool_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    with pytest.raises(SchemaMismatch, match="newer"):
        migrate.check_schema(engine)
    engine.dispose()


def test_an_older_local_file_is_backed_up_then_upgraded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from surgdesk.repository.connect import open_database

    path = tmp_path / "surgdesk.db"
    engine = make_nullpool_engine(f"sqlite:///{path}")
    migrate.upgrade(engine, "0001")
    engine.dispose()
    db = open_database(f"sqlite:///{path}")
    try:
        assert migrate.current_revision(db.engine) == migrate.head_revision()
    finally:
        db.dispose()
    backups = list(tmp_path.glob("surgdesk.db.*.bak"))
    assert len(backups) == 1
    old = make_nullpool_engine(f"sqlite:///{backups[0]}")
    assert migrate.current_revision(old) == "0001"  # the copy is the file as it was
    old.dispose()


@pytest.mark.postgres
def test_an_older_shared_database_is_refused_not_upgraded(postgres_url: str) -> None:
    from surgdesk.repository.connect import open_database

    engine = make_nullpool_engine(postgres_url)
    migrate.downgrade(engine, "0001")
    engine.dispose()
    with pytest.raises(SchemaMismatch, match="older"):
        open_database(postgres_url)


def test_the_revision_check_reads_the_scripts_as_alembic_does() -> None:
    """Start-up reads revisions as text (no Alembic import); Alembic must agree."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert migrate.head_revision() == script.get_current_head()
    assert migrate.revision_graph() == {
        rev.revision: rev.down_revision for rev in script.walk_revisions()}


def test_opening_a_database_does_not_import_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'x.db'}"
    migrate.upgrade(make_nullpool_engine(url))
    code = ("import sys; from surgdesk.repository.connect import open_database as o; "
            f"o({url!r}); print('alembic' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
