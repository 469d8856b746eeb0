"""Scheduling a case: create (requested, or scheduled with a room and a start), schedule
from the queue, move and resize, and edit the case's own fields."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from surgdesk.domain import models as m
from surgdesk.domain.enums import FINAL_STATUSES, CaseStatus, Laterality, Priority, TeamRole
from surgdesk.domain.permissions import Action
from surgdesk.errors import BadInput, FieldProblem, NotFound, TransitionRefused
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services import equipment_alloc as alloc
from surgdesk.services.base import diff, validate
from surgdesk.services.case_common import (
    DEFAULT_DURATION_MIN,
    QUEUE_STATUSES,
    CaseEdit,
    CaseFields,
    CaseJob,
    audit_state,
    check_version,
    instant,
    minutes_of,
)
from surgdesk.services.checklists import copy_templates, find_case
from surgdesk.services.conflicts import check_room, occupied_until
from surgdesk.services.context import Actor
from surgdesk.services.dto import CaseResult


class CaseScheduling(CaseJob):
    """Create, place, move and edit cases (the scheduler's)."""

    def create_case(
        self,
        actor: Actor,
        *,
        procedure_name: str | None = None,
        patient_id: str,
        patient_name: str,
        lead_surgeon: str | None = None,
        patient_dob: date | None = None,
        laterality: Laterality | None = None,
        specialty: str | None = None,
        priority: Priority = Priority.ELECTIVE,
        anesthetist: str | None = None,
        room: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        duration_min: int | None = None,
        equipment: Sequence[str] | None = None,
        units: Sequence[str] = (),
        card: int | None = None,
        op_id: str | None = None,
    ) -> CaseResult:
        """With a room and a start the case is scheduled, without both it is requested.

        ``equipment``: kind names the case needs (repeated for two of a kind; None: not
        given — a card fills it —, an empty list: needs nothing); ``units``:
        unit names the user picked (each pins a need). ``card``: a preference card id
        whose surgeon, procedure, duration and equipment fill what is not given (a given
        surgeon other than the card's is bad input on ``card``); the case remembers it.
        ``laterality`` must be given (``not_applicable`` is a choice, never a default: the
        wrong-site-surgery guard).

        ``op_id`` (on every write here): the client's operation id; a retry with the same
        id returns the case as it is now instead of applying the change again."""
        placing = room is not None or start is not None
        self.require(actor, Action.SCHEDULE_CASES if placing else Action.REQUEST_CASE,
                     what="schedule cases" if placing else "request cases")
        if placing and room is None:
            raise BadInput(FieldProblem("room", "a start needs a room"))
        if placing and start is None:
            raise BadInput(FieldProblem("start", "a room needs a start"))
        if not placing and end is not None:
            raise BadInput(FieldProblem("start", "an end needs a room and a start"))
        if card is None:
            _required(procedure_name=procedure_name, lead_surgeon=lead_surgeon)
        with self.uow() as uow:
            with self.operation(uow, op_id, "create_case") as claim:
                if not claim.replay:
                    fill = _CardFill(procedure_name, lead_surgeon, duration_min,
                                     None if equipment is None else list(equipment))
                    if card is not None:
                        fill = self._from_card(uow, card, fill, given_end=end is not None)
                    procedure_name, lead_surgeon, duration_min = (
                        fill.procedure_name, fill.lead_surgeon, fill.duration_min)
                    assert lead_surgeon is not None
                    given = {
                        "procedure_name": procedure_name, "patient_id": patient_id,
                        "patient_name": patient_name, "patient_dob": patient_dob,
                        "laterality": laterality, "specialty": specialty,
                        "priority": priority,
                    }
                    tz = self.department_zone(uow)
                    span = None
                    estimate = self._duration(duration_min) or DEFAULT_DURATION_MIN
                    if start is not None:
                        span = self._span(tz, instant(start, tz, "start"), end, duration_min,
                                          timedelta(minutes=estimate))
                        estimate = minutes_of(span[1] - span[0])
                    fields = validate(CaseFields, {**given, "estimated_duration_min": estimate},
                                      context=self._field_context(tz))
                    room_row = self._room(uow, room) if room is not None else None
                    case = self._new_case(uow, actor, fields, tz, lead_surgeon, anesthetist)
                    case.preference_card_id = fill.card_id
                    if room_row is not None and span is not None:
                        check_room(uow, room_row, *span, case_id=None)
                        _place(case, room_row, *span)
                        case.status = CaseStatus.SCHEDULED
                    if fill.equipment or units:
                        alloc.set_needs(uow, case, fill.equipment or [], list(units),
                                        now=self.now())
                    uow.flush()
                    self.audit(uow, actor, "create_case", case, {
                        "case_number": case.case_number,
                        **diff({}, {k: v for k, v in audit_state(case).items() if v is not None}),
                    })
                    return self._finish(uow, actor, case, tz, readiness=True)
            return self._replayed_case(uow, actor, claim)

    def _from_card(self, uow: UnitOfWork, card_id: int, fill: _CardFill, *,
                   given_end: bool) -> _CardFill:
        """What the card fills in: procedure, lead surgeon, duration (unless an end or a
        duration is given) and equipment, each only when not given."""
        if isinstance(card_id, bool) or not isinstance(card_id, int):
            raise BadInput(FieldProblem("card", "must be a card id"))
        found = uow.cards.card(card_id)
        if found is None:
            raise NotFound(f"no preference card {card_id}", field="card")
        owner = found.surgeon.user
        if fill.lead_surgeon is not None:
            surgeon = self._surgeon(uow, fill.lead_surgeon)
            if surgeon.id != found.surgeon_id:
                raise BadInput(FieldProblem(
                    "card", f"is {owner.display_name}'s card, not "
                            f"{surgeon.user.display_name}'s"))
        kinds = fill.equipment
        if kinds is None:
            by_id = {k.id: k for k in uow.equipment.kinds()}
            # A kind made inactive since the card was written is left out, not refused.
            kinds = [by_id[k].name for k in found.equipment_kind_ids
                     if k in by_id and by_id[k].active]
        duration = fill.duration_min
        if duration is None and not given_end:
            duration = found.duration_min
        return _CardFill(
            fill.procedure_name if fill.procedure_name is not None else found.procedure_name,
            fill.lead_surgeon if fill.lead_surgeon is not None else owner.username,
            duration, kinds, found.id)

    def _new_case(
        self, uow: UnitOfWork, actor: Actor, fields: CaseFields, tz: ZoneInfo,
        lead_surgeon: str, anesthetist: str | None,
    ) -> m.SurgeryCase:
        """A requested case with its number, its two people on the team, and its
        checklists copied from the templates."""
        surgeon = self._surgeon(uow, lead_surgeon)
        anesth = self._anesthetist(uow, anesthetist) if anesthetist else None
        now = self.now()
        case = m.SurgeryCase(
            case_number=uow.cases.next_case_number(now.astimezone(tz).year),
            patient_name=fields.patient_name, patient_id=fields.patient_id,
            patient_dob=fields.patient_dob, procedure_name=fields.procedure_name,
            laterality=fields.laterality, specialty=fields.specialty or surgeon.specialty,
            priority=fields.priority, status=CaseStatus.REQUESTED,
            estimated_duration_min=fields.estimated_duration_min,
            lead_surgeon=surgeon, anesthetist=anesth, created_by_id=actor.user_id,
            created_at=now, updated_at=now,
        )
        uow.cases.add(case)
        _sync_team(case, previous=())
        copy_templates(uow, case)
        return case

    def schedule(
        self,
        actor: Actor,
        case_number: str,
        *,
        room: str,
        start: datetime,
        end: datetime | None = None,
        duration_min: int | None = None,
        expected_version: int | None = None,
        op_id: str | None = None,
    ) -> CaseResult:
        """Put a requested or postponed case into a room (it becomes scheduled, or
        preop_ready at once when its Readiness items are already done)."""
        self.require(actor, Action.SCHEDULE_CASES, what="schedule cases")
        with self.uow() as uow:
            case = find_case(uow, case_number)
            with self.operation(uow, op_id, "schedule_case", case=case) as claim:
                if not claim.replay:
                    check_version(case, expected_version)
                    if case.status not in QUEUE_STATUSES:
                        raise TransitionRefused(
                            f"{case.case_number} is {case.status.value}: only requested or "
                            "postponed cases are scheduled (move a scheduled one)"
                        )
                    return self._schedule_in(uow, actor, case, room, start, end, duration_min)
            return self._replayed_case(uow, actor, claim)

    def _schedule_in(
        self, uow: UnitOfWork, actor: Actor, case: m.SurgeryCase, room: str | None,
        start: datetime | None, end: datetime | None, duration_min: int | None,
    ) -> CaseResult:
        if room is None:
            raise BadInput(FieldProblem("room", "is required to schedule a case"))
        if start is None:
            raise BadInput(FieldProblem("start", "is required to schedule a case"))
        tz = self.department_zone(uow)
        span = self._span(tz, instant(start, tz, "start"), end, duration_min,
                          timedelta(minutes=case.estimated_duration_min))
        room_row = self._room(uow, room)
        check_room(uow, room_row, *span, case_id=case.id)
        before = audit_state(case)
        _place(case, room_row, *span)
        case.status = CaseStatus.SCHEDULED
        alloc.allocate(uow, case, room_row, *span, now=self.now())
        uow.flush()
        self.audit(uow, actor, "schedule_case", case,
                   {"case_number": case.case_number, **diff(before, audit_state(case))})
        return self._finish(uow, actor, case, tz, readiness=True)

    def move(
        self,
        actor: Actor,
        case_number: str,
        *,
        room: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        duration_min: int | None = None,
        expected_version: int | None = None,
        op_id: str | None = None,
    ) -> CaseResult:
        """Move to another room and/or time, or resize. A new start alone keeps the length;
        an end or a duration resizes."""
        self.require(actor, Action.SCHEDULE_CASES, what="move cases")
        with self.uow() as uow:
            case = find_case(uow, case_number)
            with self.operation(uow, op_id, "move_case", case=case) as claim:
                if not claim.replay:
                    check_version(case, expected_version)
                    return self._move(uow, actor, case, room, start, end, duration_min)
            return self._replayed_case(uow, actor, claim)

    def _move(
        self, uow: UnitOfWork, actor: Actor, case: m.SurgeryCase, room: str | None,
        start: datetime | None, end: datetime | None, duration_min: int | None,
    ) -> CaseResult:
        if case.status in QUEUE_STATUSES:
            return self._schedule_in(uow, actor, case, room, start, end, duration_min)
        if case.status not in (CaseStatus.SCHEDULED, CaseStatus.PREOP_READY):
            raise TransitionRefused(
                f"{case.case_number} is {case.status.value} and can no longer be moved"
            )
        tz = self.department_zone(uow)
        old_start, old_end = case.scheduled_start, case.scheduled_end
        assert old_start is not None
        assert old_end is not None
        assert case.operating_room is not None
        new_start = instant(start, tz, "start") if start is not None else old_start
        span = self._span(tz, new_start, end, duration_min, old_end - old_start)
        room_row = self._room(uow, room) if room is not None else case.operating_room
        if (room_row.id, *span) == (case.operating_room_id, old_start, old_end):
            return self._finish(uow, actor, case, tz)
        check_room(uow, room_row, *span, case_id=case.id)
        before = audit_state(case)
        _place(case, room_row, *span)
        alloc.allocate(uow, case, room_row, *span, now=self.now())
        uow.flush()
        self.audit(uow, actor, "move_case", case,
                   {"case_number": case.case_number, **diff(before, audit_state(case))})
        return self._finish(uow, actor, case, tz)

    def update_case(
        self, actor: Actor, case_number: str, *, expected_version: int | None,
        op_id: str | None = None, **fields: Any,
    ) -> CaseResult:
        """Edit the case form's fields: patient, procedure, laterality, specialty,
        priority, estimated duration, lead surgeon and anesthetist (usernames; the
        anesthetist may be None). The care team follows the two people."""
        self.require(actor, Action.SCHEDULE_CASES, what="edit cases")
        with self.uow() as uow:
            edit = validate(CaseEdit, fields,
                            context=self._field_context(self.department_zone(uow)))
            for name in edit.model_fields_set & {
                    "procedure_name", "patient_id", "patient_name", "laterality", "priority",
                    "lead_surgeon", "estimated_duration_min"}:
                if getattr(edit, name) is None:
                    raise BadInput(FieldProblem(name, "may not be empty"))
            case = find_case(uow, case_number)
            with self.operation(uow, op_id, "update_case", case=case) as claim:
                if not claim.replay:
                    check_version(case, expected_version)
                    return self._edit(uow, actor, case, edit)
            return self._replayed_case(uow, actor, claim)

    def _edit(self, uow: UnitOfWork, actor: Actor, case: m.SurgeryCase,
              edit: CaseEdit) -> CaseResult:
        given = edit.model_fields_set
        if case.status in FINAL_STATUSES:
            raise TransitionRefused(f"{case.case_number} is {case.status.value} (final)")
        tz = self.department_zone(uow)
        before = audit_state(case)
        previous = (case.lead_surgeon.user, case.anesthetist)
        # People first: an emptied specialty falls back to the (new) lead surgeon's.
        if "lead_surgeon" in given and edit.lead_surgeon is not None:
            case.lead_surgeon = self._surgeon(uow, edit.lead_surgeon)
        if "anesthetist" in given:
            name = (edit.anesthetist or "").strip()
            case.anesthetist = self._anesthetist(uow, name) if name else None
        for name in given - {"lead_surgeon", "anesthetist", "equipment", "units"}:
            value = getattr(edit, name)
            setattr(case, name, value if name != "specialty" or value else
                    case.lead_surgeon.specialty)
        _sync_team(case, previous=previous)
        if given & {"equipment", "units"}:
            self._edit_needs(uow, case, edit)
        changes = diff(before, audit_state(case))
        if changes:
            uow.flush()
            self.audit(uow, actor, "update_case",
                       case, {"case_number": case.case_number, **changes})
        return self._finish(uow, actor, case, tz)

    def _edit_needs(self, uow: UnitOfWork, case: m.SurgeryCase, edit: CaseEdit) -> None:
        """New needs from the edit: without ``equipment`` the kinds stay as they are;
        without ``units`` the chosen units whose kind is still needed stay chosen."""
        given = edit.model_fields_set
        kinds = (list(edit.equipment or ()) if "equipment" in given
                 else [row.kind.name for row in case.equipment])
        if "units" in given:
            units = list(edit.units or ())
        else:
            still = {k.strip().casefold() for k in kinds}
            units = [row.unit.name for row in case.equipment
                     if row.pinned and row.unit is not None
                     and row.kind.name.casefold() in still]
        alloc.set_needs(uow, case, kinds, units, now=self.now())


@dataclass(frozen=True)
class _CardFill:
    """A new case's fields a preference card may fill (None: not given; an empty
    equipment list is given: the case needs nothing, whatever the card says)."""

    procedure_name: str | None
    lead_surgeon: str | None
    duration_min: int | None
    equipment: list[str] | None
    card_id: int | None = None


def _required(**values: str | None) -> None:
    """Without a card, these fields must be given."""
    for name, value in values.items():
        if value is None:
            raise BadInput(FieldProblem(name, "is required"))


def _place(case: m.SurgeryCase, room: m.OperatingRoom, start: datetime, end: datetime) -> None:
    case.operating_room = room
    case.scheduled_start = start
    case.scheduled_end = end
    case.occupied_until = occupied_until(end, room.turnover_minutes)
    case.estimated_duration_min = minutes_of(end - start)


def _sync_team(case: m.SurgeryCase, previous: Iterable[m.User | None]) -> None:
    """Keep the lead surgeon and the anesthetist on the team as surgeon / anesthesiologist,
    dropping whoever held those places before."""
    wanted: dict[int, tuple[m.User, TeamRole]] = {
        case.lead_surgeon.user.id: (case.lead_surgeon.user, TeamRole.SURGEON)}
    if case.anesthetist is not None:
        wanted[case.anesthetist.id] = (case.anesthetist, TeamRole.ANESTHESIOLOGIST)
    members = {member.user.id: member for member in case.team}
    for old in previous:
        if old is not None and old.id not in wanted and old.id in members:
            case.team.remove(members.pop(old.id))
    for uid, (user, role) in wanted.items():
        member = members.get(uid)
        if member is None:
            case.team.append(m.CareTeamMember(user=user, role=role, confirmed=False))
        elif member.role is not role:
            member.role = role
