"""Case DTOs from ORM rows, masked for the actor. No ORM object leaves through here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from surgdesk.domain import models as m
from surgdesk.domain.conflicts import EQUIPMENT_MISSING
from surgdesk.domain.enums import OCCUPYING_STATUSES, CaseStatus
from surgdesk.repository.holds import HoldRow
from surgdesk.repository.repos import CaseRow
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.card_views import card_view
from surgdesk.services.case_rights import rights_of_rows
from surgdesk.services.context import Actor
from surgdesk.services.dto import (
    CaseEquipmentView,
    CaseResult,
    CaseRights,
    CaseSummary,
    ChecklistItemView,
    ChecklistView,
    EquipmentClosureView,
    EquipmentUnitView,
    NoteView,
    PreferenceCardView,
    SoftConflict,
    TeamMemberView,
)
from surgdesk.services.equipment_input import closure_view, unit_view


def rights_of_case(uow: UnitOfWork, actor: Actor, case: m.SurgeryCase) -> CaseRights:
    """What the actor may do with one case now (see ``case_rights``)."""
    row = case_row(case)
    return rights_of_rows(uow, actor, [row])[row.id]


def sees_patient(uow: UnitOfWork, actor: Actor, case: m.SurgeryCase) -> bool:
    """Whether the actor may see the case's patient (a wall display never does)."""
    return rights_of_case(uow, actor, case).see_patient


def case_row(case: m.SurgeryCase) -> CaseRow:
    """An ORM case in the board's row shape, so one builder makes every summary."""
    room = case.operating_room
    surgeon = case.lead_surgeon.user
    anesthetist = case.anesthetist
    return CaseRow(
        case.id, case.case_number, case.version, case.status, case.priority,
        case.procedure_name, case.laterality, case.specialty, case.operating_room_id,
        room.code if room is not None else None, case.scheduled_start, case.scheduled_end,
        case.estimated_duration_min, surgeon.id, surgeon.username, surgeon.display_name,
        anesthetist.id if anesthetist is not None else None,
        anesthetist.display_name if anesthetist is not None else None,
        case.patient_name, case.patient_id, case.patient_dob, case.pre_op_complete,
        case.post_op_complete, case.actual_start, case.actual_end,
    )


def row_summary(
    row: CaseRow,
    *,
    rights: CaseRights,
    progress: tuple[int, int] = (0, 0),
    conflicts: Sequence[str] = (),
    equipment: Sequence[HoldRow] = (),
) -> CaseSummary:
    """The summary as ``rights`` lets the actor see it (patient masked unless
    ``rights.see_patient``); ``equipment``: the case's needs and holds
    (``HoldRepo.of_cases``)."""
    see_patient = rights.see_patient
    done, total = progress
    # model_construct: every value comes typed from the database, and the board builds
    # thousands of these per refresh.
    values = row._asdict()
    if not see_patient:
        values.update(patient_name=None, patient_id=None, patient_dob=None)
    return CaseSummary.model_construct(
        **values,
        patient_masked=not see_patient,
        checklist_done=done,
        checklist_total=total,
        conflicts=tuple(conflicts),
        rights=rights,
        equipment=equipment_views(equipment),
    )


def equipment_views(rows: Sequence[HoldRow]) -> tuple[CaseEquipmentView, ...]:
    return tuple(CaseEquipmentView.model_construct(kind=r.kind, unit_id=r.unit_id,
                                                   unit=r.unit, pinned=r.pinned)
                 for r in rows)


def equipment_missing(status: CaseStatus, rows: Sequence[HoldRow]) -> bool:
    """A placed case with a need no unit is allocated to (the bar's mark)."""
    return status in OCCUPYING_STATUSES and any(r.unit_id is None for r in rows)


def with_equipment_mark(conflicts: Sequence[str], status: CaseStatus,
                        rows: Sequence[HoldRow]) -> tuple[str, ...]:
    """The conflict codes plus ``equipment_missing`` when it holds, sorted."""
    if not equipment_missing(status, rows) or EQUIPMENT_MISSING in conflicts:
        return tuple(conflicts)
    return tuple(sorted([*conflicts, EQUIPMENT_MISSING]))


def case_summary(
    case: m.SurgeryCase,
    *,
    rights: CaseRights,
    progress: tuple[int, int] = (0, 0),
    conflicts: Sequence[str] = (),
    equipment: Sequence[HoldRow] = (),
) -> CaseSummary:
    return row_summary(case_row(case), rights=rights, progress=progress, conflicts=conflicts,
                       equipment=equipment)


def case_result(
    uow: UnitOfWork, actor: Actor, case: m.SurgeryCase, warnings: Sequence[SoftConflict] = ()
) -> CaseResult:
    """The case after a change (flushed), with the warnings the change carries."""
    progress = uow.cases.checklist_progress([case.id]).get(case.id, (0, 0))
    codes = sorted({w.code for w in warnings})
    holds = uow.holds.of_cases([case.id]).get(case.id, [])
    summary = case_summary(case, rights=rights_of_case(uow, actor, case), progress=progress,
                           conflicts=with_equipment_mark(codes, case.status, holds),
                           equipment=holds)
    return CaseResult(case=summary, warnings=tuple(warnings))


def team_member_view(member: m.CareTeamMember) -> TeamMemberView:
    return TeamMemberView(
        id=member.id,
        user_id=member.user_id,
        username=member.user.username,
        display_name=member.user.display_name,
        role=member.role,
        confirmed=member.confirmed,
        version=member.version,
    )


def item_view(item: m.ChecklistItem, *, see_notes: bool = True) -> ChecklistItemView:
    # Free-text notes may name the patient: they go only to those who may see the patient.
    return ChecklistItemView(
        id=item.id,
        item_code=item.item_code,
        section=item.section,
        label=item.label,
        is_required=item.is_required,
        status=item.status,
        assigned_to=item.assigned_to.username if item.assigned_to else None,
        completed_by=item.completed_by.username if item.completed_by else None,
        completed_by_name=item.completed_by.display_name if item.completed_by else None,
        completed_at=item.completed_at,
        notes=item.notes if see_notes else None,
        position=item.position,
        version=item.version,
    )


def checklist_view(checklist: m.Checklist, *, see_notes: bool = True) -> ChecklistView:
    return ChecklistView(
        id=checklist.id,
        phase=checklist.phase,
        status=checklist.status,
        signed_off_by=checklist.signed_off_by.username if checklist.signed_off_by else None,
        signed_off_at=checklist.signed_off_at,
        items=tuple(item_view(i, see_notes=see_notes)
                    for i in sorted(checklist.items, key=lambda i: i.position)),
        version=checklist.version,
    )


def note_view(note: m.CaseNote) -> NoteView:
    return NoteView(
        id=note.id,
        author=note.author.username,
        author_name=note.author.display_name,
        note_type=note.note_type,
        message=note.message,
        created_at=note.created_at,
    )


def board_units(units: Sequence[m.EquipmentUnit],
                rooms: Sequence[m.OperatingRoom]) -> tuple[EquipmentUnitView, ...]:
    """The board's equipment lanes: units by kind name, then unit name."""
    codes = {r.id: r.code for r in rooms}
    ordered = sorted(units, key=lambda u: (u.kind.name.casefold(), u.name.casefold(), u.id))
    return tuple(unit_view(u, codes) for u in ordered)


def board_closures(uow: UnitOfWork, units: Sequence[m.EquipmentUnit], start: datetime,
                   end: datetime) -> tuple[EquipmentClosureView, ...]:
    """Closures of the lanes' units meeting the window (one query; none without units)."""
    if not units:
        return ()
    shown = {u.id for u in units}
    return tuple(closure_view(c) for c in uow.equipment.closures_overlapping(None, start, end)
                 if c.unit_id in shown)


def case_card(uow: UnitOfWork, actor: Actor,
              case: m.SurgeryCase) -> PreferenceCardView | None:
    """The preference card the case was filled from, as the actor may use it."""
    card = uow.cards.card(case.preference_card_id) if case.preference_card_id else None
    if card is None:
        return None
    names = {k.id: k.name for k in uow.equipment.kinds()}
    return card_view(card, names, actor)
