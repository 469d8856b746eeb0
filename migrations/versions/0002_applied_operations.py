"""Applied operations: each client write's operation id, so a retried save applies once

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 07:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "applied_operation",
        sa.Column("op_id", sa.String(length=64), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_class", sa.String(length=64), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"],
                                name=op.f("fk_applied_operation_actor_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applied_operation")),
        sa.UniqueConstraint("op_id", name=op.f("uq_applied_operation_op_id")),
    )


def downgrade() -> None:
    op.drop_table("applied_operation")
