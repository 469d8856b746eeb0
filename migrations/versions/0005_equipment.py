"""Shared equipment and preference cards

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 19:40:00

Equipment kinds (an admin-editable list), units of a kind with the rooms they may be used
in, a status and a turnaround, dated unit closures, the units a case needs and holds
(``case_equipment``, one row a unit), and surgeons' preference cards, which a case
remembers it was filled from (``surgery_case.preference_card_id``).

On Postgres ``no_equipment_overlap`` makes the database itself refuse a second hold of a
unit over an overlapping time (turnaround included), as ``no_room_overlap`` does for
rooms: two PCs racing for the last C-arm cannot both win.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _common() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]



def _equipment_tables() -> None:
    op.create_table(
        "equipment_kind",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_common(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_kind")),
        sa.UniqueConstraint("name", name=op.f("uq_equipment_kind_name")),
    )
    op.create_table(
        "equipment_unit",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("available", "maintenance", "retired",
                                    name="equipment_status", native_enum=False,
                                    create_constraint=True, length=32), nullable=False),
        sa.Column("turnaround_minutes", sa.Integer(), nullable=False),
        sa.Column("room_ids", sa.JSON(), nullable=False),
        sa.Column("notes", sa.String(length=4000), nullable=True),
        *_common(),
        sa.CheckConstraint("turnaround_minutes >= 0 AND turnaround_minutes <= 480",
                           name=op.f("ck_equipment_unit_turnaround")),
        sa.ForeignKeyConstraint(["kind_id"], ["equipment_kind.id"],
                                name=op.f("fk_equipment_unit_kind_id_equipment_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_unit")),
        sa.UniqueConstraint("name", name=op.f("uq_equipment_unit_name")),
    )
    op.create_table(
        "equipment_closure",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        *_common(),
        sa.CheckConstraint("ends_at > starts_at",
                           name=op.f("ck_equipment_closure_closure_order")),
        sa.ForeignKeyConstraint(["unit_id"], ["equipment_unit.id"], ondelete="CASCADE",
                                name=op.f("fk_equipment_closure_unit_id_equipment_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equipment_closure")),
    )
    op.create_index("ix_equipment_closure_unit_time", "equipment_closure",
                    ["unit_id", "starts_at"])


def _card_and_case_tables() -> None:
    op.create_table(
        "preference_card",
        sa.Column("surgeon_id", sa.Integer(), nullable=False),
        sa.Column("procedure_name", sa.String(length=200), nullable=False),
        sa.Column("duration_min", sa.Integer(), nullable=True),
        sa.Column("equipment_kind_ids", sa.JSON(), nullable=False),
        sa.Column("laterality_prompt", sa.Boolean(), nullable=False),
        sa.Column("positioning", sa.String(length=4000), nullable=True),
        sa.Column("trays", sa.JSON(), nullable=False),
        sa.Column("supplies", sa.JSON(), nullable=False),
        sa.Column("notes", sa.String(length=4000), nullable=True),
        *_common(),
        sa.CheckConstraint(
            "duration_min IS NULL OR (duration_min > 0 AND duration_min <= 1440)",
            name=op.f("ck_preference_card_card_duration")),
        sa.ForeignKeyConstraint(["surgeon_id"], ["surgeon_profile.id"],
                                name=op.f("fk_preference_card_surgeon_id_surgeon_profile")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preference_card")),
        sa.UniqueConstraint("surgeon_id", "procedure_name",
                            name="uq_preference_card_procedure"),
    )
    op.create_table(
        "case_equipment",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("held_until", sa.DateTime(timezone=True), nullable=True),
        *_common(),
        sa.CheckConstraint(
            "unit_id IS NULL OR (starts_at IS NOT NULL AND held_until IS NOT NULL "
            "AND held_until > starts_at)",
            name=op.f("ck_case_equipment_hold_span")),
        sa.ForeignKeyConstraint(["case_id"], ["surgery_case.id"], ondelete="CASCADE",
                                name=op.f("fk_case_equipment_case_id_surgery_case")),
        sa.ForeignKeyConstraint(["kind_id"], ["equipment_kind.id"],
                                name=op.f("fk_case_equipment_kind_id_equipment_kind")),
        sa.ForeignKeyConstraint(["unit_id"], ["equipment_unit.id"],
                                name=op.f("fk_case_equipment_unit_id_equipment_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_equipment")),
    )
    op.create_index("ix_case_equipment_case", "case_equipment", ["case_id"])
    op.create_index("ix_case_equipment_unit_time", "case_equipment", ["unit_id", "starts_at"])
    with op.batch_alter_table("surgery_case") as batch:
        batch.add_column(sa.Column("preference_card_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_surgery_case_preference_card_id_preference_card"), "preference_card",
            ["preference_card_id"], ["id"], ondelete="SET NULL")


def _case_insensitive_names() -> None:
    """Names unique whatever the case of their letters, in the database itself: two PCs
    saving "Robot" and "robot" at once cannot both win."""
    op.create_index("uq_equipment_kind_name_ci", "equipment_kind", [sa.text("lower(name)")],
                    unique=True)
    op.create_index("uq_equipment_unit_name_ci", "equipment_unit", [sa.text("lower(name)")],
                    unique=True)
    op.create_index("uq_preference_card_procedure_ci", "preference_card",
                    ["surgeon_id", sa.text("lower(procedure_name)")], unique=True)


def _postgres_equipment_overlap() -> None:
    """One unit, one case at a time (turnaround included), refused by the database."""
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite serialises writers; the service check suffices.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(
        """
        ALTER TABLE case_equipment ADD CONSTRAINT no_equipment_overlap EXCLUDE USING gist (
            unit_id WITH =,
            tstzrange(starts_at, held_until, '[)') WITH &&
        ) WHERE (unit_id IS NOT NULL)
        """
    )


def upgrade() -> None:
    _equipment_tables()
    _card_and_case_tables()
    _case_insensitive_names()
    _postgres_equipment_overlap()


def downgrade() -> None:
    with op.batch_alter_table("surgery_case") as batch:
        batch.drop_constraint(op.f("fk_surgery_case_preference_card_id_preference_card"),
                              type_="foreignkey")
        batch.drop_column("preference_card_id")
    op.drop_index("uq_preference_card_procedure_ci", table_name="preference_card")
    op.drop_index("uq_equipment_unit_name_ci", table_name="equipment_unit")
    op.drop_index("uq_equipment_kind_name_ci", table_name="equipment_kind")
    op.drop_index("ix_case_equipment_unit_time", table_name="case_equipment")
    op.drop_index("ix_case_equipment_case", table_name="case_equipment")
    op.drop_table("case_equipment")
    op.drop_table("preference_card")
    op.drop_index("ix_equipment_closure_unit_time", table_name="equipment_closure")
    op.drop_table("equipment_closure")
    op.drop_table("equipment_unit")
    op.drop_table("equipment_kind")
