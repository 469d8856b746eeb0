"""ORM models: every entity of DESIGN.md, typed with SQLAlchemy 2 ``Mapped[]``.

No sessions and no I/O here; the repository layer opens sessions and writes SQL.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from surgdesk.domain.blocks import DEFAULT_RELEASE_DAYS
from surgdesk.domain.enums import (
    CaseStatus,
    ChecklistStatus,
    EquipmentStatus,
    ItemStatus,
    Laterality,
    NoteType,
    Phase,
    Priority,
    Role,
    RoomStatus,
    TeamRole,
)
from surgdesk.domain.limits import CODE_MAX, IDENT_MAX, NAME_MAX, TEXT_MAX
from surgdesk.domain.types import UTCDateTime, utcnow

# Stable constraint names: SQLite batch migrations and Alembic drift checks need them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Field lengths are declared once, in domain/limits.py (re-exported here for the columns).


def _enum(cls: type[Any], name: str) -> Enum:
    """Store enum *values* as text with a CHECK constraint (portable across backends)."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Versioned:
    """Optimistic locking: every UPDATE checks and bumps ``version``."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 (declared_attr takes the class)
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class User(Versioned, Base):
    __tablename__ = "user_account"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # None while an access request waits for an admin to grant a role.
    role: Mapped[Role | None] = mapped_column(_enum(Role, "role"))
    display_name: Mapped[str] = mapped_column(String(NAME_MAX))
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A wall display signs in as a device: viewer, never expires, patients always masked.
    is_device: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column()

    surgeon_profile: Mapped[SurgeonProfile | None] = relationship(back_populates="user")


class UserSession(Base):
    """A remembered login. Only a hash of the token is stored."""

    __tablename__ = "user_session"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column()  # None: a device session
    revoked_at: Mapped[datetime | None] = mapped_column()
    last_seen_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship()


class OperatingRoom(Versioned, Base):
    __tablename__ = "operating_room"

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    code: Mapped[str] = mapped_column(String(CODE_MAX), unique=True)
    location: Mapped[str | None] = mapped_column(String(NAME_MAX))
    specialty_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[RoomStatus] = mapped_column(
        _enum(RoomStatus, "room_status"), default=RoomStatus.ACTIVE
    )
    turnover_minutes: Mapped[int] = mapped_column(Integer, default=30)
    opens_at: Mapped[time] = mapped_column(Time, default=time(7, 0))
    closes_at: Mapped[time] = mapped_column(Time, default=time(19, 0))
    # Monday = 0 ... Sunday = 6.
    weekdays: Mapped[list[int]] = mapped_column(JSON, default=lambda: [0, 1, 2, 3, 4])

    closures: Mapped[list[RoomClosure]] = relationship(
        back_populates="room", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("turnover_minutes >= 0 AND turnover_minutes <= 240", name="turnover"),
    )


class RoomClosure(Versioned, Base):
    __tablename__ = "room_closure"

    room_id: Mapped[int] = mapped_column(ForeignKey("operating_room.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    reason: Mapped[str] = mapped_column(String(NAME_MAX))

    room: Mapped[OperatingRoom] = relationship(back_populates="closures")

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="closure_order"),
        Index("ix_room_closure_room_time", "room_id", "starts_at"),
    )


class SurgeonProfile(Versioned, Base):
    __tablename__ = "surgeon_profile"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    specialty: Mapped[str] = mapped_column(String(64))
    license_number: Mapped[str | None] = mapped_column(String(64))
    pager: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    user: Mapped[User] = relationship(back_populates="surgeon_profile")


class SurgeryCase(Versioned, Base):
    __tablename__ = "surgery_case"

    case_number: Mapped[str] = mapped_column(String(32), unique=True)
    patient_name: Mapped[str] = mapped_column(String(NAME_MAX))
    patient_id: Mapped[str] = mapped_column(String(64), index=True)
    patient_dob: Mapped[date | None] = mapped_column(Date)
    procedure_name: Mapped[str] = mapped_column(String(NAME_MAX))
    laterality: Mapped[Laterality] = mapped_column(
        _enum(Laterality, "laterality"), default=Laterality.NOT_APPLICABLE
    )
    specialty: Mapped[str] = mapped_column(String(64))
    priority: Mapped[Priority] = mapped_column(
        _enum(Priority, "priority"), default=Priority.ELECTIVE
    )
    status: Mapped[CaseStatus] = mapped_column(
        _enum(CaseStatus, "case_status"), default=CaseStatus.REQUESTED
    )
    scheduled_start: Mapped[datetime | None] = mapped_column()
    scheduled_end: Mapped[datetime | None] = mapped_column()
    # scheduled_end plus the room's turnover: the room is held until then. Stored so the
    # Postgres exclusion constraint can compare ranges without a join.
    occupied_until: Mapped[datetime | None] = mapped_column()
    estimated_duration_min: Mapped[int] = mapped_column(Integer)
    operating_room_id: Mapped[int | None] = mapped_column(ForeignKey("operating_room.id"))
    lead_surgeon_id: Mapped[int] = mapped_column(ForeignKey("surgeon_profile.id"))
    anesthetist_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    pre_op_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    post_op_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    actual_start: Mapped[datetime | None] = mapped_column()
    actual_end: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The preference card the case was filled from (None: typed by hand). The card's
    # positioning, trays and supplies are read through it; a deleted card sets NULL.
    preference_card_id: Mapped[int | None] = mapped_column(
        ForeignKey("preference_card.id", ondelete="SET NULL"))

    operating_room: Mapped[OperatingRoom | None] = relationship()
    preference_card: Mapped[PreferenceCard | None] = relationship()
    equipment: Mapped[list[CaseEquipment]] = relationship(
        back_populates="surgery_case", cascade="all, delete-orphan", order_by="CaseEquipment.id"
    )
    lead_surgeon: Mapped[SurgeonProfile] = relationship()
    anesthetist: Mapped[User | None] = relationship(foreign_keys=[anesthetist_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    team: Mapped[list[CareTeamMember]] = relationship(
        back_populates="surgery_case", cascade="all, delete-orphan"
    )
    checklists: Mapped[list[Checklist]] = relationship(
        back_populates="surgery_case", cascade="all, delete-orphan", order_by="Checklist.phase"
    )
    notes: Mapped[list[CaseNote]] = relationship(
        back_populates="surgery_case", cascade="all, delete-orphan", order_by="CaseNote.id"
    )

    __table_args__ = (
        CheckConstraint(
            "scheduled_end IS NULL OR scheduled_start IS NULL OR scheduled_end > scheduled_start",
            name="case_order",
        ),
        CheckConstraint("estimated_duration_min > 0", name="duration_positive"),
        Index("ix_surgery_case_room_start", "operating_room_id", "scheduled_start"),
        Index("ix_surgery_case_start", "scheduled_start"),
        Index("ix_surgery_case_status", "status"),
        Index("ix_surgery_case_surgeon_start", "lead_surgeon_id", "scheduled_start"),
    )


class CareTeamMember(Versioned, Base):
    __tablename__ = "care_team_member"

    surgery_case_id: Mapped[int] = mapped_column(
        ForeignKey("surgery_case.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[TeamRole] = mapped_column(_enum(TeamRole, "team_role"))
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)

    surgery_case: Mapped[SurgeryCase] = relationship(back_populates="team")
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("surgery_case_id", "user_id", name="uq_team_case_user"),)


class Checklist(Versioned, Base):
    __tablename__ = "checklist"

    surgery_case_id: Mapped[int] = mapped_column(
        ForeignKey("surgery_case.id", ondelete="CASCADE")
    )
    phase: Mapped[Phase] = mapped_column(_enum(Phase, "phase"))
    status: Mapped[ChecklistStatus] = mapped_column(
        _enum(ChecklistStatus, "checklist_status"), default=ChecklistStatus.PENDING
    )
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signed_off_at: Mapped[datetime | None] = mapped_column()

    surgery_case: Mapped[SurgeryCase] = relationship(back_populates="checklists")
    signed_off_by: Mapped[User | None] = relationship()
    items: Mapped[list[ChecklistItem]] = relationship(
        back_populates="checklist", cascade="all, delete-orphan", order_by="ChecklistItem.position"
    )

    __table_args__ = (UniqueConstraint("surgery_case_id", "phase", name="uq_checklist_phase"),)


class ChecklistItem(Versioned, Base):
    __tablename__ = "checklist_item"

    checklist_id: Mapped[int] = mapped_column(
        ForeignKey("checklist.id", ondelete="CASCADE"), index=True
    )
    item_code: Mapped[str] = mapped_column(String(CODE_MAX))
    section: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(500))
    is_required: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[ItemStatus] = mapped_column(
        _enum(ItemStatus, "item_status"), default=ItemStatus.PENDING
    )
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    completed_at: Mapped[datetime | None] = mapped_column()
    notes: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)

    checklist: Mapped[Checklist] = relationship(back_populates="items")
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])

    __table_args__ = (
        UniqueConstraint("checklist_id", "item_code", name="uq_checklist_item_code"),
    )


class ChecklistTemplate(Versioned, Base):
    __tablename__ = "checklist_template"

    name: Mapped[str] = mapped_column(String(NAME_MAX))
    phase: Mapped[Phase] = mapped_column(_enum(Phase, "phase"))
    specialty: Mapped[str | None] = mapped_column(String(64))  # None: every specialty
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    items: Mapped[list[TemplateItem]] = relationship(
        back_populates="template", cascade="all, delete-orphan", order_by="TemplateItem.position"
    )


class TemplateItem(Versioned, Base):
    __tablename__ = "template_item"

    template_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_template.id", ondelete="CASCADE"), index=True
    )
    item_code: Mapped[str] = mapped_column(String(CODE_MAX))
    section: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(500))
    is_required: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer)
    # Retired items stay for history; new checklists skip them, old ones keep their copy.
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    template: Mapped[ChecklistTemplate] = relationship(back_populates="items")

    __table_args__ = (
        UniqueConstraint("template_id", "item_code", name="uq_template_item_code"),
    )


class CaseNote(Versioned, Base):
    __tablename__ = "case_note"

    surgery_case_id: Mapped[int] = mapped_column(
        ForeignKey("surgery_case.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    note_type: Mapped[NoteType] = mapped_column(_enum(NoteType, "note_type"))
    message: Mapped[str] = mapped_column(Text)

    surgery_case: Mapped[SurgeryCase] = relationship(back_populates="notes")
    author: Mapped[User] = relationship()


class AuditEvent(Base):
    """Append-only: database triggers refuse UPDATE and DELETE (see the migrations)."""

    __tablename__ = "audit_event"

    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(64))
    target_class: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    event_time: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_audit_event_target", "target_class", "target_id"),
        Index("ix_audit_event_time", "event_time"),
    )


class DepartmentSettings(Versioned, Base):
    """Exactly one row (id 1)."""

    __tablename__ = "department_settings"

    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    day_start: Mapped[time] = mapped_column(Time, default=time(7, 0))
    day_end: Mapped[time] = mapped_column(Time, default=time(19, 0))
    remember_me_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    idle_lock_minutes: Mapped[int] = mapped_column(Integer, default=15)
    on_time_grace_minutes: Mapped[int] = mapped_column(Integer, default=15)
    snap_minutes: Mapped[int] = mapped_column(Integer, default=5)
    # A block's unused date is released this many days ahead unless the block says
    # otherwise (0: never by rule).
    block_release_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_RELEASE_DAYS)

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)


class Block(Versioned, Base):
    """A room's time reserved on a recurring pattern for a surgeon or a service.

    Hours are local wall-clock times in the department's zone (start before end, same
    day); the pattern's meaning is ``domain.blocks.BlockPattern``'s."""

    __tablename__ = "or_block"

    room_id: Mapped[int] = mapped_column(ForeignKey("operating_room.id"))
    # The owner: exactly one of a surgeon or a service (a specialty).
    surgeon_id: Mapped[int | None] = mapped_column(ForeignKey("surgeon_profile.id"))
    service: Mapped[str | None] = mapped_column(String(IDENT_MAX))
    weekdays: Mapped[list[int]] = mapped_column(JSON)  # Monday = 0 ... Sunday = 6
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    every_weeks: Mapped[int] = mapped_column(Integer, default=1)
    weeks_of_month: Mapped[list[int]] = mapped_column(JSON, default=list)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)  # inclusive; None: open-ended
    release_days: Mapped[int | None] = mapped_column(Integer)  # None: the department's

    room: Mapped[OperatingRoom] = relationship()
    surgeon: Mapped[SurgeonProfile | None] = relationship()
    exceptions: Mapped[list[BlockException]] = relationship(
        back_populates="block", cascade="all, delete-orphan", order_by="BlockException.on_date"
    )
    releases: Mapped[list[BlockRelease]] = relationship(
        back_populates="block", cascade="all, delete-orphan", order_by="BlockRelease.on_date"
    )

    __table_args__ = (
        CheckConstraint(
            "(surgeon_id IS NULL AND service IS NOT NULL) "
            "OR (surgeon_id IS NOT NULL AND service IS NULL)",
            name="one_owner",
        ),
        CheckConstraint("ends_at > starts_at", name="block_order"),
        CheckConstraint("every_weeks >= 1", name="every_weeks"),
        Index("ix_or_block_room_from", "room_id", "valid_from"),
    )


class BlockException(Versioned, Base):
    """One date of a block: cancelled, or other hours that day."""

    __tablename__ = "or_block_exception"

    block_id: Mapped[int] = mapped_column(ForeignKey("or_block.id", ondelete="CASCADE"))
    on_date: Mapped[date] = mapped_column(Date)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_at: Mapped[time | None] = mapped_column(Time)
    ends_at: Mapped[time | None] = mapped_column(Time)
    reason: Mapped[str | None] = mapped_column(String(NAME_MAX))

    block: Mapped[Block] = relationship(back_populates="exceptions")

    __table_args__ = (
        UniqueConstraint("block_id", "on_date", name="uq_or_block_exception_day"),
        CheckConstraint(
            "cancelled OR (starts_at IS NOT NULL AND ends_at IS NOT NULL "
            "AND ends_at > starts_at)",
            name="exception_hours",
        ),
    )


class BlockRelease(Versioned, Base):
    """One date of a block given up for others to book.

    ``released_by_id`` NULL: released by rule. A release taken back keeps its row with
    ``taken_back_at`` set, and the date then stays kept (the rule does not release it
    again); releasing it again updates the row."""

    __tablename__ = "or_block_release"

    block_id: Mapped[int] = mapped_column(ForeignKey("or_block.id", ondelete="CASCADE"))
    on_date: Mapped[date] = mapped_column(Date)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str | None] = mapped_column(String(TEXT_MAX))
    released_at: Mapped[datetime] = mapped_column()
    taken_back_at: Mapped[datetime | None] = mapped_column()
    taken_back_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    block: Mapped[Block] = relationship(back_populates="releases")
    released_by: Mapped[User | None] = relationship(foreign_keys=[released_by_id])
    taken_back_by: Mapped[User | None] = relationship(foreign_keys=[taken_back_by_id])

    __table_args__ = (
        UniqueConstraint("block_id", "on_date", name="uq_or_block_release_day"),
        Index("ix_or_block_release_day", "on_date"),
    )


class EquipmentKind(Versioned, Base):
    """What a case asks for: robot, C-arm, microscope, laser... (admin-editable)."""

    __tablename__ = "equipment_kind"

    name: Mapped[str] = mapped_column(String(IDENT_MAX), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    # "Robot" and "robot" are one kind, even when two PCs save them at once.
    __table_args__ = (Index("uq_equipment_kind_name_ci", func.lower(name), unique=True),)


class EquipmentUnit(Versioned, Base):
    """One physical device of a kind, which two cases cannot hold at once."""

    __tablename__ = "equipment_unit"

    name: Mapped[str] = mapped_column(String(IDENT_MAX), unique=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("equipment_kind.id"))
    status: Mapped[EquipmentStatus] = mapped_column(
        _enum(EquipmentStatus, "equipment_status"), default=EquipmentStatus.AVAILABLE
    )
    # Reprocessing or moving between cases: the unit is held this long after a case ends.
    turnaround_minutes: Mapped[int] = mapped_column(Integer, default=0)
    # The rooms it may be used in (operating_room ids); empty: any room.
    room_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(String(TEXT_MAX))

    kind: Mapped[EquipmentKind] = relationship()
    closures: Mapped[list[EquipmentClosure]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="EquipmentClosure.starts_at"
    )

    __table_args__ = (
        CheckConstraint("turnaround_minutes >= 0 AND turnaround_minutes <= 480",
                        name="turnaround"),
        Index("uq_equipment_unit_name_ci", func.lower(name), unique=True),
    )


class EquipmentClosure(Versioned, Base):
    """A dated time a unit cannot be used (service, loan, repair), like a room closure."""

    __tablename__ = "equipment_closure"

    unit_id: Mapped[int] = mapped_column(ForeignKey("equipment_unit.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    reason: Mapped[str] = mapped_column(String(NAME_MAX))

    unit: Mapped[EquipmentUnit] = relationship(back_populates="closures")

    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="closure_order"),
        Index("ix_equipment_closure_unit_time", "unit_id", "starts_at"),
    )


class CaseEquipment(Versioned, Base):
    """One unit of a kind that a case needs, and the unit allocated to it.

    A case needing two C-arms has two rows. ``unit_id`` is set while the case is placed
    (NULL in the queue, or when the unit was lost to maintenance and no other was free);
    ``starts_at`` / ``held_until`` copy the case's start and its end plus the unit's
    turnaround so the Postgres exclusion constraint ``no_equipment_overlap`` can compare
    ranges without a join. ``pinned``: the user chose this unit (moves keep it or refuse)."""

    __tablename__ = "case_equipment"

    case_id: Mapped[int] = mapped_column(ForeignKey("surgery_case.id", ondelete="CASCADE"))
    kind_id: Mapped[int] = mapped_column(ForeignKey("equipment_kind.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("equipment_unit.id"))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    starts_at: Mapped[datetime | None] = mapped_column()
    held_until: Mapped[datetime | None] = mapped_column()

    surgery_case: Mapped[SurgeryCase] = relationship(back_populates="equipment")
    kind: Mapped[EquipmentKind] = relationship()
    unit: Mapped[EquipmentUnit | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "unit_id IS NULL OR (starts_at IS NOT NULL AND held_until IS NOT NULL "
            "AND held_until > starts_at)",
            name="hold_span",
        ),
        Index("ix_case_equipment_case", "case_id"),
        Index("ix_case_equipment_unit_time", "unit_id", "starts_at"),
    )


class PreferenceCard(Versioned, Base):
    """How a surgeon does a procedure: it fills a new case so nobody retypes it."""

    __tablename__ = "preference_card"

    surgeon_id: Mapped[int] = mapped_column(ForeignKey("surgeon_profile.id"))
    procedure_name: Mapped[str] = mapped_column(String(NAME_MAX))
    duration_min: Mapped[int | None] = mapped_column(Integer)
    # Equipment kind ids, one entry per unit needed ([c_arm, c_arm] = two C-arms).
    equipment_kind_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # The form asks for laterality explicitly (it never defaults) when this is set.
    laterality_prompt: Mapped[bool] = mapped_column(Boolean, default=False)
    positioning: Mapped[str | None] = mapped_column(String(TEXT_MAX))
    trays: Mapped[list[str]] = mapped_column(JSON, default=list)  # one tray per line
    supplies: Mapped[list[str]] = mapped_column(JSON, default=list)  # one item per line
    notes: Mapped[str | None] = mapped_column(String(TEXT_MAX))

    surgeon: Mapped[SurgeonProfile] = relationship()

    __table_args__ = (
        UniqueConstraint("surgeon_id", "procedure_name", name="uq_preference_card_procedure"),
        # One card per surgeon and procedure whatever the case of its letters.
        Index("uq_preference_card_procedure_ci", "surgeon_id", func.lower(procedure_name),
              unique=True),
        CheckConstraint("duration_min IS NULL OR (duration_min > 0 AND duration_min <= 1440)",
                        name="card_duration"),
    )


class ChangeLog(Base):
    """What changed, for the live feed: table, row id, new version, and who — never
    patient data.

    ``actor_id`` is the signed-in user whose write it was (NULL: the system — migrations,
    demo and import loads, the CLI without a login). It has no foreign key on purpose: the
    log is append-only history and must not stop a user being deleted or anonymised.
    """

    __tablename__ = "change_log"

    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[int] = mapped_column(Integer)
    row_version: Mapped[int | None] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(8))  # insert / update / delete
    actor_id: Mapped[int | None] = mapped_column(Integer)


class AppliedOperation(Base):
    """A client's write, by the operation id it carried: a retry after a lost reply finds
    it here and is answered with the current state instead of being applied again."""

    __tablename__ = "applied_operation"

    op_id: Mapped[str] = mapped_column(String(64), unique=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(64))
    target_class: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[int | None] = mapped_column(Integer)


class CaseNumberCounter(Base):
    """The last case number handed out per year (row-locked while a case is created)."""

    __tablename__ = "case_number_counter"

    year: Mapped[int] = mapped_column(Integer, unique=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
