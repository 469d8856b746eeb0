"""Initial schema, the room-overlap exclusion constraint, audit triggers and seed data

Revision ID: 0001
Revises:
Create Date: 2026-11-24 06:13:52.080181
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from surgdesk.domain.timezones import machine_zone_name


revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('case_number_counter',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_number_counter')),
    sa.UniqueConstraint('year', name=op.f('uq_case_number_counter_year'))
    )
    op.create_table('change_log',
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=True),
    sa.Column('op', sa.String(length=8), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_log'))
    )
    op.create_table('checklist_template',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phase', sa.Enum('pre_op', 'post_op', name='phase', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('specialty', sa.String(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_template'))
    )
    op.create_table('department_settings',
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('day_start', sa.Time(), nullable=False),
    sa.Column('day_end', sa.Time(), nullable=False),
    sa.Column('remember_me_allowed', sa.Boolean(), nullable=False),
    sa.Column('idle_lock_minutes', sa.Integer(), nullable=False),
    sa.Column('on_time_grace_minutes', sa.Integer(), nullable=False),
    sa.Column('snap_minutes', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_department_settings_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department_settings'))
    )
    op.create_table('operating_room',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('specialty_tags', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('active', 'maintenance', 'closed', name='room_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('turnover_minutes', sa.Integer(), nullable=False),
    sa.Column('opens_at', sa.Time(), nullable=False),
    sa.Column('closes_at', sa.Time(), nullable=False),
    sa.Column('weekdays', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('turnover_minutes >= 0 AND turnover_minutes <= 240', name=op.f('ck_operating_room_turnover')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operating_room')),
    sa.UniqueConstraint('code', name=op.f('uq_operating_room_code'))
    )
    op.create_table('user_account',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('role', sa.Enum('admin', 'scheduler', 'surgeon', 'anesthesiologist', 'nurse', 'viewer', name='role', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('is_device', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email')),
    sa.UniqueConstraint('username', name=op.f('uq_user_account_username'))
    )
    op.create_table('audit_event',
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_class', sa.String(length=64), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('event_time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_target', ['target_class', 'target_id'], unique=False)
        batch_op.create_index('ix_audit_event_time', ['event_time'], unique=False)

    op.create_table('room_closure',
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_room_closure_closure_order')),
    sa.ForeignKeyConstraint(['room_id'], ['operating_room.id'], name=op.f('fk_room_closure_room_id_operating_room'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_closure'))
    )
    with op.batch_alter_table('room_closure', schema=None) as batch_op:
        batch_op.create_index('ix_room_closure_room_time', ['room_id', 'starts_at'], unique=False)

    op.create_table('surgeon_profile',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('specialty', sa.String(length=64), nullable=False),
    sa.Column('license_number', sa.String(length=64), nullable=True),
    sa.Column('pager', sa.String(length=32), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_surgeon_profile_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surgeon_profile')),
    sa.UniqueConstraint('user_id', name=op.f('uq_surgeon_profile_user_id'))
    )
    op.create_table('template_item',
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=32), nullable=False),
    sa.Column('section', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=500), nullable=False),
    sa.Column('is_required', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['checklist_template.id'], name=op.f('fk_template_item_template_id_checklist_template'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_template_item')),
    sa.UniqueConstraint('template_id', 'item_code', name='uq_template_item_code')
    )
    with op.batch_alter_table('template_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_template_item_template_id'), ['template_id'], unique=False)

    op.create_table('user_session',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_session_token_hash'))
    )
    op.create_table('surgery_case',
    sa.Column('case_number', sa.String(length=32), nullable=False),
    sa.Column('patient_name', sa.String(length=200), nullable=False),
    sa.Column('patient_id', sa.String(length=64), nullable=False),
    sa.Column('patient_dob', sa.Date(), nullable=True),
    sa.Column('procedure_name', sa.String(length=200), nullable=False),
    sa.Column('laterality', sa.Enum('left', 'right', 'bilateral', 'not_applicable', name='laterality', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('specialty', sa.String(length=64), nullable=False),
    sa.Column('priority', sa.Enum('elective', 'urgent', 'emergency', name='priority', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('requested', 'scheduled', 'preop_ready', 'in_progress', 'completed', 'postponed', 'cancelled', name='case_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('scheduled_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scheduled_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('occupied_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('estimated_duration_min', sa.Integer(), nullable=False),
    sa.Column('operating_room_id', sa.Integer(), nullable=True),
    sa.Column('lead_surgeon_id', sa.Integer(), nullable=False),
    sa.Column('anesthetist_id', sa.Integer(), nullable=True),
    sa.Column('pre_op_complete', sa.Boolean(), nullable=False),
    sa.Column('post_op_complete', sa.Boolean(), nullable=False),
    sa.Column('actual_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actual_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('estimated_duration_min > 0', name=op.f('ck_surgery_case_duration_positive')),
    sa.CheckConstraint('scheduled_end IS NULL OR scheduled_start IS NULL OR scheduled_end > scheduled_start', name=op.f('ck_surgery_case_case_order')),
    sa.ForeignKeyConstraint(['anesthetist_id'], ['user_account.id'], name=op.f('fk_surgery_case_anesthetist_id_user_account')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_surgery_case_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['lead_surgeon_id'], ['surgeon_profile.id'], name=op.f('fk_surgery_case_lead_surgeon_id_surgeon_profile')),
    sa.ForeignKeyConstraint(['operating_room_id'], ['operating_room.id'], name=op.f('fk_surgery_case_operating_room_id_operating_room')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surgery_case')),
    sa.UniqueConstraint('case_number', name=op.f('uq_surgery_case_case_number'))
    )
    with op.batch_alter_table('surgery_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surgery_case_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index('ix_surgery_case_room_start', ['operating_room_id', 'scheduled_start'], unique=False)
        batch_op.create_index('ix_surgery_case_start', ['scheduled_start'], unique=False)
        batch_op.create_index('ix_surgery_case_status', ['status'], unique=False)
        batch_op.create_index('ix_surgery_case_surgeon_start', ['lead_surgeon_id', 'scheduled_start'], unique=False)

    op.create_table('care_team_member',
    sa.Column('surgery_case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('surgeon', 'assistant_surgeon', 'anesthesiologist', 'circulating_nurse', 'scrub_nurse', 'coordinator', name='team_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['surgery_case_id'], ['surgery_case.id'], name=op.f('fk_care_team_member_surgery_case_id_surgery_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_care_team_member_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_team_member')),
    sa.UniqueConstraint('surgery_case_id', 'user_id', name='uq_team_case_user')
    )
    with op.batch_alter_table('care_team_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_team_member_user_id'), ['user_id'], unique=False)

    op.create_table('case_note',
    sa.Column('surgery_case_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('note_type', sa.Enum('general', 'anesthesia', 'nursing', 'delay', 'cancellation', name='note_type', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_case_note_author_id_user_account')),
    sa.ForeignKeyConstraint(['surgery_case_id'], ['surgery_case.id'], name=op.f('fk_case_note_surgery_case_id_surgery_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_note'))
    )
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_note_surgery_case_id'), ['surgery_case_id'], unique=False)

    op.create_table('checklist',
    sa.Column('surgery_case_id', sa.Integer(), nullable=False),
    sa.Column('phase', sa.Enum('pre_op', 'post_op', name='phase', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('pending', 'in_progress', 'completed', name='checklist_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('signed_off_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_off_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['signed_off_by_id'], ['user_account.id'], name=op.f('fk_checklist_signed_off_by_id_user_account')),
    sa.ForeignKeyConstraint(['surgery_case_id'], ['surgery_case.id'], name=op.f('fk_checklist_surgery_case_id_surgery_case'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist')),
    sa.UniqueConstraint('surgery_case_id', 'phase', name='uq_checklist_phase')
    )
    op.create_table('checklist_item',
    sa.Column('checklist_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=32), nullable=False),
    sa.Column('section', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=500), nullable=False),
    sa.Column('is_required', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'done', 'blocked', name='item_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['user_account.id'], name=op.f('fk_checklist_item_assigned_to_id_user_account')),
    sa.ForeignKeyConstraint(['checklist_id'], ['checklist.id'], name=op.f('fk_checklist_item_checklist_id_checklist'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['completed_by_id'], ['user_account.id'], name=op.f('fk_checklist_item_completed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_item')),
    sa.UniqueConstraint('checklist_id', 'item_code', name='uq_checklist_item_code')
    )
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_item_checklist_id'), ['checklist_id'], unique=False)


    _postgres_room_overlap()
    _audit_append_only()
    _seed()


def downgrade() -> None:
    _drop_audit_triggers()
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE surgery_case DROP CONSTRAINT IF EXISTS no_room_overlap")
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_item_checklist_id'))

    op.drop_table('checklist_item')
    op.drop_table('checklist')
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_note_surgery_case_id'))

    op.drop_table('case_note')
    with op.batch_alter_table('care_team_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_team_member_user_id'))

    op.drop_table('care_team_member')
    with op.batch_alter_table('surgery_case', schema=None) as batch_op:
        batch_op.drop_index('ix_surgery_case_surgeon_start')
        batch_op.drop_index('ix_surgery_case_status')
        batch_op.drop_index('ix_surgery_case_start')
        batch_op.drop_index('ix_surgery_case_room_start')
        batch_op.drop_index(batch_op.f('ix_surgery_case_patient_id'))

    op.drop_table('surgery_case')
    op.drop_table('user_session')
    with op.batch_alter_table('template_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_template_item_template_id'))

    op.drop_table('template_item')
    op.drop_table('surgeon_profile')
    with op.batch_alter_table('room_closure', schema=None) as batch_op:
        batch_op.drop_index('ix_room_closure_room_time')

    op.drop_table('room_closure')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_time')
        batch_op.drop_index('ix_audit_event_target')

    op.drop_table('audit_event')
    op.drop_table('user_account')
    op.drop_table('operating_room')
    op.drop_table('department_settings')
    op.drop_table('checklist_template')
    op.drop_table('change_log')
    op.drop_table('case_number_counter')


# --- beyond what autogenerate writes -------------------------------------------------------

OCCUPYING = "('scheduled', 'preop_ready', 'in_progress')"


def _postgres_room_overlap() -> None:
    """Two PCs racing cannot both book a room: the database itself refuses the second."""
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite serialises writers (BEGIN IMMEDIATE); the service check suffices.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(
        f"""
        ALTER TABLE surgery_case ADD CONSTRAINT no_room_overlap EXCLUDE USING gist (
            operating_room_id WITH =,
            tstzrange(scheduled_start, occupied_until, '[)') WITH &&
        ) WHERE (status IN {OCCUPYING}
                 AND operating_room_id IS NOT NULL
                 AND scheduled_start IS NOT NULL
                 AND occupied_until IS NOT NULL)
        """
    )


def _audit_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_event_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
            f"BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: {verb} refused'); END"
        )


def _drop_audit_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")


# The WHO Surgical Safety Checklist (2009) with a local Readiness section, as DESIGN.md
# lists it. Frozen here: later template edits are data changes made by admins.
READINESS, SIGN_IN, TIME_OUT, SIGN_OUT, HANDOFF = (
    "Readiness", "Sign In", "Time Out", "Sign Out", "Handoff"
)
PRE_OP_ITEMS = [
    ("RD-CONSENT", READINESS, "Surgical and anesthesia consent signed", True),
    ("RD-ASSESSMENT", READINESS, "Pre-anesthesia assessment done", True),
    ("RD-RESULTS", READINESS, "Required labs and imaging available", True),
    ("RD-FASTING", READINESS, "Fasting instructions given and confirmed", True),
    ("RD-IMPLANTS", READINESS, "Implants and special equipment available", False),
    ("SI-IDENTITY", SIGN_IN, "Patient has confirmed identity, site, procedure and consent", True),
    ("SI-SITE", SIGN_IN, "Site marked (or not applicable)", True),
    ("SI-ANESTH", SIGN_IN, "Anesthesia machine and medication check complete", True),
    ("SI-OXIMETER", SIGN_IN, "Pulse oximeter on the patient and functioning", True),
    ("SI-ALLERGY", SIGN_IN, "Known allergy checked", True),
    ("SI-AIRWAY", SIGN_IN,
     "Difficult airway / aspiration risk assessed; equipment and assistance available", True),
    ("SI-BLOOD", SIGN_IN,
     "Risk of >500 ml blood loss (7 ml/kg in children) assessed; access and fluids planned",
     True),
    ("TO-TEAM", TIME_OUT, "All team members introduced by name and role", True),
    ("TO-CONFIRM", TIME_OUT, "Patient, procedure and incision site confirmed", True),
    ("TO-ANTIBIOTIC", TIME_OUT,
     "Antibiotic prophylaxis given within the last 60 minutes (or not applicable)", True),
    ("TO-SURGEON", TIME_OUT,
     "Surgeon: critical or non-routine steps, duration, anticipated blood loss", True),
    ("TO-ANESTH", TIME_OUT, "Anesthesiologist: patient-specific concerns", True),
    ("TO-NURSING", TIME_OUT, "Nursing: sterility confirmed, equipment issues or concerns", True),
    ("TO-IMAGING", TIME_OUT, "Essential imaging displayed", False),
]
POST_OP_ITEMS = [
    ("SO-PROCEDURE", SIGN_OUT, "Name of the procedure recorded", True),
    ("SO-COUNTS", SIGN_OUT, "Instrument, sponge and needle counts complete", True),
    ("SO-SPECIMEN", SIGN_OUT, "Specimens labelled (read aloud, including patient name)", True),
    ("SO-EQUIPMENT", SIGN_OUT, "Equipment problems to be addressed identified", True),
    ("SO-RECOVERY", SIGN_OUT,
     "Key concerns for recovery and management of the patient handed over", True),
    ("HO-PACU", HANDOFF, "Handover to recovery / ward completed", True),
]


def _stamps() -> tuple[sa.ColumnClause[dt.datetime], ...]:
    return tuple(sa.column(c, sa.DateTime(timezone=True)) for c in ("created_at", "updated_at"))


def _seed() -> None:
    now = dt.datetime.now(dt.UTC)
    bind = op.get_bind()
    config = op.get_context().config
    time_zone = config.attributes.get("time_zone") if config is not None else None
    settings = sa.table(
        "department_settings",
        sa.column("day_start", sa.Time()),
        sa.column("day_end", sa.Time()),
        *_stamps(),
        *(sa.column(c) for c in ("id", "time_zone", "remember_me_allowed", "idle_lock_minutes",
                                 "on_time_grace_minutes", "snap_minutes", "version")),
    )
    bind.execute(settings.insert().values(
        id=1, time_zone=time_zone or machine_zone_name(), day_start=dt.time(7, 0),
        day_end=dt.time(19, 0), remember_me_allowed=True, idle_lock_minutes=15,
        on_time_grace_minutes=15, snap_minutes=5, version=1, created_at=now, updated_at=now,
    ))
    template = sa.table("checklist_template", *_stamps(), *(sa.column(c) for c in (
        "id", "name", "phase", "specialty", "active", "version")))
    item = sa.table("template_item", *_stamps(), *(sa.column(c) for c in (
        "template_id", "item_code", "section", "label", "is_required", "position", "retired",
        "version")))
    for template_id, (phase, name, items) in enumerate(
        [("pre_op", "WHO Surgical Safety Checklist — pre-op", PRE_OP_ITEMS),
         ("post_op", "WHO Surgical Safety Checklist — post-op", POST_OP_ITEMS)], start=1
    ):
        bind.execute(template.insert().values(
            id=template_id, name=name, phase=phase, specialty=None, active=True, version=1,
            created_at=now, updated_at=now))
        bind.execute(item.insert(), [
            {"template_id": template_id, "item_code": code, "section": section, "label": label,
             "is_required": required, "position": position, "retired": False, "version": 1,
             "created_at": now, "updated_at": now}
            for position, (code, section, label, required) in enumerate(items, start=1)
        ])
    if bind.dialect.name == "postgresql":
        # Explicit ids above leave the sequence behind; move it past them.
        bind.execute(sa.text(
            "SELECT setval(pg_get_serial_sequence('checklist_template', 'id'), 2)"))
