"""What services return: plain, frozen values. No ORM object ever leaves the service layer.

Patient fields are ``None`` whenever the actor may not see them: a masked caller's data
never holds the name or the id at all (``patient_masked`` says so). Free text that may
name the patient (case notes, checklist item notes) is withheld from them too.
"""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel, ConfigDict

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


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class SoftConflict(_Frozen):
    """A warning the user may accept: the change is made and they are told.

    ``code`` is one of: ``outside_hours``, ``specialty``, ``surgeon_double_booked``,
    ``anesthetist_double_booked``, ``team_double_booked``, ``patient_double_booked``.
    """

    code: str
    message: str
    case_numbers: tuple[str, ...] = ()


class ClosureView(_Frozen):
    id: int
    room_id: int
    starts_at: datetime
    ends_at: datetime
    reason: str
    version: int


class RoomView(_Frozen):
    id: int
    code: str
    name: str
    location: str | None
    specialty_tags: tuple[str, ...]
    status: RoomStatus
    turnover_minutes: int
    opens_at: time
    closes_at: time
    weekdays: tuple[int, ...]
    version: int


class CaseEquipmentView(_Frozen):
    """One unit a case needs: its kind, and the unit it holds (None: not allocated — the
    case is in the queue, or lost its unit to maintenance and no other was free)."""

    kind: str
    unit_id: int | None = None
    unit: str | None = None
    pinned: bool = False  # the user chose this unit


class EquipmentKindView(_Frozen):
    id: int
    name: str
    active: bool
    unit_count: int  # units of the kind that are not retired
    version: int


class EquipmentClosureView(_Frozen):
    id: int
    unit_id: int
    starts_at: datetime
    ends_at: datetime
    reason: str
    version: int


class EquipmentUnitView(_Frozen):
    id: int
    name: str
    kind_id: int
    kind: str
    status: EquipmentStatus
    turnaround_minutes: int
    room_ids: tuple[int, ...]  # empty: any room
    room_codes: tuple[str, ...]
    notes: str | None
    version: int


class UnitChange(_Frozen):
    """A unit after an edit (status, rooms, turnaround, a closure), and what it did to
    the cases holding it from now on: ``reassigned`` got another unit of the kind,
    ``lost`` have none now (their bars show the ``equipment_missing`` mark)."""

    unit: EquipmentUnitView
    reassigned: tuple[str, ...] = ()  # case numbers
    lost: tuple[str, ...] = ()  # case numbers


class PreferenceCardView(_Frozen):
    id: int
    surgeon_id: int  # surgeon_profile id
    surgeon_username: str
    surgeon_name: str
    procedure_name: str
    duration_min: int | None
    equipment: tuple[str, ...]  # kind names, one per unit needed
    laterality_prompt: bool
    positioning: str | None
    trays: tuple[str, ...]
    supplies: tuple[str, ...]
    notes: str | None
    version: int
    can_edit: bool = False  # the asking actor may edit or delete it


class CaseRights(_Frozen):
    """What the signed-in actor may do with this case now, decided by the services.

    The UI only reflects these (shows, enables); every write checks again. Checklist
    gates (Sign In and Time Out before in_progress, Sign Out before completed) are not
    looked at here: the write refuses naming the items still missing."""

    # Statuses a person may choose now, in the machine's order: no automatic transitions
    # (preop_ready follows Readiness), no 'scheduled' for a case not on the board
    # (placing it schedules it).
    status_targets: tuple[CaseStatus, ...] = ()
    needs_reason: tuple[CaseStatus, ...] = ()  # those of status_targets that need a reason
    move: bool = False  # drag, resize, place from the queue, send back to the queue
    edit: bool = False  # change the case's own fields and its team
    tick: bool = False  # update checklist items
    sign_off: bool = False  # sign off a phase; start / complete the case
    add_note: bool = False
    see_patient: bool = False


class CaseSummary(_Frozen):
    """One case as lists and the board show it."""

    id: int
    case_number: str
    version: int
    status: CaseStatus
    priority: Priority
    procedure_name: str
    laterality: Laterality
    specialty: str
    room_id: int | None
    room_code: str | None
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    estimated_duration_min: int
    lead_surgeon_user_id: int
    lead_surgeon_username: str
    lead_surgeon_name: str
    anesthetist_user_id: int | None
    anesthetist_name: str | None
    patient_masked: bool
    patient_name: str | None
    patient_id: str | None
    patient_dob: date | None
    checklist_done: int
    checklist_total: int
    pre_op_complete: bool
    post_op_complete: bool
    actual_start: datetime | None
    actual_end: datetime | None
    # Equipment the case needs, with the units it holds (empty: needs none).
    equipment: tuple[CaseEquipmentView, ...] = ()
    # Soft-conflict codes that hold right now (the board's warning mark).
    conflicts: tuple[str, ...] = ()
    # What the actor the summary was read for may do with the case now.
    rights: CaseRights = CaseRights()


class CaseResult(_Frozen):
    """The case after a change, with the soft conflicts the change carries."""

    case: CaseSummary
    warnings: tuple[SoftConflict, ...] = ()


class TeamMemberView(_Frozen):
    id: int
    user_id: int
    username: str
    display_name: str
    role: TeamRole
    confirmed: bool
    version: int


class ChecklistItemView(_Frozen):
    id: int
    item_code: str
    section: str
    label: str
    is_required: bool
    status: ItemStatus
    assigned_to: str | None  # username
    completed_by: str | None  # username
    completed_by_name: str | None
    completed_at: datetime | None
    notes: str | None
    position: int
    version: int


class ChecklistView(_Frozen):
    id: int
    phase: Phase
    status: ChecklistStatus
    signed_off_by: str | None
    signed_off_at: datetime | None
    items: tuple[ChecklistItemView, ...]
    version: int


class NoteView(_Frozen):
    id: int
    author: str
    author_name: str
    note_type: NoteType
    message: str
    created_at: datetime


class CaseDetail(_Frozen):
    case: CaseSummary
    team: tuple[TeamMemberView, ...]
    checklists: tuple[ChecklistView, ...]
    notes: tuple[NoteView, ...]
    # What the actor's role grants on this case, whatever its status (the UI only
    # reflects; services still check). ``case.rights`` narrows these by the status: read
    # that; these stay for callers not yet moved to it.
    can_edit_schedule: bool
    can_update_checklist: bool
    can_sign_off: bool
    can_add_note: bool
    # The preference card the case was filled from: positioning, trays and supplies for
    # the team (None: the case was typed by hand, or its card was deleted).
    card: PreferenceCardView | None = None


class AuditEntry(_Frozen):
    id: int
    event_time: datetime
    actor: str | None  # username
    actor_name: str | None
    action: str
    target_class: str
    target_id: int | None
    details: dict[str, object]


class BoardSnapshot(_Frozen):
    """Everything the board needs for a window, in one read."""

    window_start: datetime
    window_end: datetime
    time_zone: str
    day_start: time
    day_end: time
    snap_minutes: int
    rooms: tuple[RoomView, ...]
    closures: tuple[ClosureView, ...]
    cases: tuple[CaseSummary, ...]
    # Requested (and postponed) cases waiting for a slot: the board's queue.
    queue: tuple[CaseSummary, ...]
    # Block occurrences overlapping the window (voided ones left out): the bands.
    blocks: tuple[OccurrenceView, ...] = ()
    # Every equipment unit that is not retired (the equipment lanes), and their closures
    # overlapping the window.
    equipment_units: tuple[EquipmentUnitView, ...] = ()
    equipment_closures: tuple[EquipmentClosureView, ...] = ()


class UserView(_Frozen):
    id: int
    username: str
    email: str
    display_name: str
    role: Role | None
    phone: str | None
    active: bool
    is_device: bool
    locked_until: datetime | None
    specialty: str | None  # surgeons only
    version: int


# ---- blocks (DESIGN.md "Planning the suite") ------------------------------------------------


class BlockExceptionView(_Frozen):
    day: date
    cancelled: bool
    start: time | None  # other hours that day (None when cancelled)
    end: time | None
    reason: str | None


class BlockView(_Frozen):
    """A block as lists and the management screen show it."""

    id: int
    version: int
    room_id: int
    room_code: str
    # The owner: a surgeon (user id, username, display name) or a service (a specialty).
    surgeon_user_id: int | None
    surgeon_username: str | None
    surgeon_name: str | None
    service: str | None
    # "Dr Lena Moreau (orthopedics)" or "Orthopedics service": how every screen names it.
    owner_label: str
    # The specialty the band's colour follows: the service, or the surgeon's specialty.
    colour_key: str
    weekdays: tuple[int, ...]
    start: time
    end: time
    every_weeks: int
    weeks_of_month: tuple[int, ...]
    valid_from: date
    valid_until: date | None
    release_days: int | None  # None: the department's default
    effective_release_days: int
    exceptions: tuple[BlockExceptionView, ...] = ()
    # "Mon, Wed 07:30–15:30, every week" (or "1st and 3rd Monday of the month ...").
    pattern_text: str


class OccurrenceView(_Frozen):
    """One date of a block (its span in UTC), with its release state and its use."""

    block_id: int
    room_id: int
    room_code: str
    day: date
    start: datetime
    end: datetime
    owner_label: str
    colour_key: str
    surgeon_user_id: int | None
    service: str | None
    released: bool
    released_by_rule: bool  # "released automatically"
    release_reason: str | None
    released_by_name: str | None
    # Days between the release and the occurrence's start ("released 3 d ahead").
    released_days_ahead: int | None
    # The owner's used minutes (cases plus turnover between them) and the share of the
    # block they fill (0..1; the hover's "booked share").
    used_minutes: int
    block_minutes: int
    utilization: float


class BlockUsageRow(_Frozen):
    """One block over a date range (or one occurrence, when ``day`` is set)."""

    block_id: int
    room_code: str
    owner_label: str
    day: date | None
    occurrences: int
    block_minutes: int  # minutes not released
    used_minutes: int
    released_minutes: int
    released_occurrences: int
    utilization: float | None  # used / block minutes; None when nothing is left unreleased


class BlockUsageReport(_Frozen):
    first: date
    last: date
    rows: tuple[BlockUsageRow, ...]
    block_minutes: int
    used_minutes: int
    released_minutes: int
    utilization: float | None
    # The definition, shown wherever the number appears.
    definition: str
