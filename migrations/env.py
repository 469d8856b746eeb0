"""Alembic environment: runs on a connection the app passes in, or on the ini's URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from surgdesk.domain.models import Base
from surgdesk.repository.database import make_nullpool_engine

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables. Always on so a
        # migration written against Postgres also runs on SQLite.
        render_as_batch=True,
        compare_type=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_nullpool_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()
