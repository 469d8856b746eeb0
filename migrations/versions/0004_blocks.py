"""Blocks: a room's time reserved for a surgeon or a service, its exceptions and releases

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 17:00:00

Three tables (``or_block``, ``or_block_exception``, ``or_block_release``; the word
"block" alone is avoided as a table name) and the department's default release horizon,
``department_settings.block_release_days`` (7 days; the existing row gets it through the
server default).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _common() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "or_block",
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("surgeon_id", sa.Integer(), nullable=True),
        sa.Column("service", sa.String(length=64), nullable=True),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("ends_at", sa.Time(), nullable=False),
        sa.Column("every_weeks", sa.Integer(), nullable=False),
        sa.Column("weeks_of_month", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("release_days", sa.Integer(), nullable=True),
        *_common(),
        sa.CheckConstraint(
            "(surgeon_id IS NULL AND service IS NOT NULL) "
            "OR (surgeon_id IS NOT NULL AND service IS NULL)",
            name=op.f("ck_or_block_one_owner"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_or_block_block_order")),
        sa.CheckConstraint("every_weeks >= 1", name=op.f("ck_or_block_every_weeks")),
        sa.ForeignKeyConstraint(["room_id"], ["operating_room.id"],
                                name=op.f("fk_or_block_room_id_operating_room")),
        sa.ForeignKeyConstraint(["surgeon_id"], ["surgeon_profile.id"],
                                name=op.f("fk_or_block_surgeon_id_surgeon_profile")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_or_block")),
    )
    op.create_index("ix_or_block_room_from", "or_block", ["room_id", "valid_from"])
    op.create_table(
        "or_block_exception",
        sa.Column("block_id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=True),
        sa.Column("ends_at", sa.Time(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        *_common(),
        sa.CheckConstraint(
            "cancelled OR (starts_at IS NOT NULL AND ends_at IS NOT NULL "
            "AND ends_at > starts_at)",
            name=op.f("ck_or_block_exception_exception_hours"),
        ),
        sa.ForeignKeyConstraint(["block_id"], ["or_block.id"], ondelete="CASCADE",
                                name=op.f("fk_or_block_exception_block_id_or_block")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_or_block_exception")),
        sa.UniqueConstraint("block_id", "on_date", name="uq_or_block_exception_day"),
    )
    op.create_table(
        "or_block_release",
        sa.Column("block_id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("released_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=4000), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_back_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("taken_back_by_id", sa.Integer(), nullable=True),
        *_common(),
        sa.ForeignKeyConstraint(["block_id"], ["or_block.id"], ondelete="CASCADE",
                                name=op.f("fk_or_block_release_block_id_or_block")),
        sa.ForeignKeyConstraint(["released_by_id"], ["user_account.id"],
                                name=op.f("fk_or_block_release_released_by_id_user_account")),
        sa.ForeignKeyConstraint(["taken_back_by_id"], ["user_account.id"],
                                name=op.f("fk_or_block_release_taken_back_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_or_block_release")),
        sa.UniqueConstraint("block_id", "on_date", name="uq_or_block_release_day"),
    )
    op.create_index("ix_or_block_release_day", "or_block_release", ["on_date"])
    with op.batch_alter_table("department_settings") as batch:
        batch.add_column(sa.Column("block_release_days", sa.Integer(), nullable=False,
                                   server_default="7"))


def downgrade() -> None:
    with op.batch_alter_table("department_settings") as batch:
        batch.drop_column("block_release_days")
    op.drop_index("ix_or_block_release_day", table_name="or_block_release")
    op.drop_table("or_block_release")
    op.drop_table("or_block_exception")
    op.drop_index("ix_or_block_room_from", table_name="or_block")
    op.drop_table("or_block")
