"""The database itself, for the CLI's `db upgrade`, `db current` and `demo`: which schema
it has and bringing it to this version's. No actor: whoever can reach the database file or
server already holds these rights; the app's permission matrix governs what is in it.

The CLI calls these rather than the repository (the layers: cli → services → repository).
"""

from __future__ import annotations

from dataclasses import dataclass

from surgdesk.repository import connect, migrate
from surgdesk.repository.database import Database


@dataclass(frozen=True)
class SchemaRevisions:
    current: str | None  # None: no SurgDesk schema yet
    head: str  # what this version of SurgDesk expects

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def revisions(db: Database) -> SchemaRevisions:
    return SchemaRevisions(migrate.current_revision(db.engine), migrate.head_revision())


def upgrade(db: Database) -> tuple[str | None, str | None]:
    """Bring the schema to this version's: (revision before, revision after). A local
    SQLite file that has a schema is copied aside first (see ``connect.prepare_schema``)."""
    before = migrate.current_revision(db.engine)
    if db.dialect == "sqlite" and before is not None:
        connect.prepare_schema(db)
    else:
        migrate.upgrade(db.engine)
    return before, migrate.current_revision(db.engine)


def prepare_for_demo(db: Database) -> None:
    """A database with no schema at all is being set up for the demo: create it; one with
    a schema is upgraded (SQLite) or checked (Postgres) as on any start."""
    if migrate.current_revision(db.engine) is None:
        migrate.upgrade(db.engine)
    connect.prepare_schema(db)
