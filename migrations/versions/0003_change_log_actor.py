"""Change log: who made each change (actor_id), so live updates can name the author

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 10:00:00

``actor_id`` is a plain nullable integer, deliberately without a foreign key to
``user_account``: the change log is append-only history, and a constraint from it would
block deleting or anonymising a user (or force a cascade that rewrites history). A row
whose user is gone simply names no one. NULL means the system (migrations, demo and import
loads, the CLI without a signed-in user); rows written before this revision are NULL too.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite rebuilds the table (a plain ADD COLUMN on Postgres).
    with op.batch_alter_table("change_log") as batch:
        batch.add_column(sa.Column("actor_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("change_log") as batch:
        batch.drop_column("actor_id")
