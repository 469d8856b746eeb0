"""Where a case would go, asked before writing: the case form's conflict preview.

``CaseService`` reports soft conflicts only after a change is made; the case form asks
first, so the user confirms the warnings before anything is written. This runs the same
rules (``services.conflicts``) over plain values in a read-only unit of work. The write
itself still checks everything again: a preview is advice, never a permit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from surgdesk.domain import models as m
from surgdesk.domain.limits import CASE_DURATION, date_problem
from surgdesk.domain.permissions import Action
from surgdesk.domain.timezones import LocalTimeError, to_utc
from surgdesk.errors import BadInput, FieldProblem, RoomConflict
from surgdesk.services.base import Service
from surgdesk.services.conflicts import (
    ANESTHETIST_DOUBLE_BOOKED,
    SURGEON_DOUBLE_BOOKED,
    Placement,
    case_people,
    check_room,
    check_span,
    placement_warnings,
)
from surgdesk.services.context import Actor
from surgdesk.services.dto import SoftConflict
from surgdesk.services.equipment_alloc import preview


class CaseCheck(BaseModel):
    """A preview: the hard refusal (None when the room takes the case) and the warnings."""

    model_config = ConfigDict(frozen=True)

    hard: str | None
    warnings: tuple[SoftConflict, ...] = ()
    # Which field the hard refusal is about: "room" (taken, closed, not active) or
    # "equipment" (no free unit of a needed kind); None when there is none.
    hard_field: str | None = None


class CaseCheckService(Service):
    def check_case(
        self,
        actor: Actor,
        *,
        room: str,
        start: datetime,
        duration_min: int,
        lead_surgeon: str | None,
        anesthetist: str | None = None,
        specialty: str | None = None,
        patient_id: str | None = None,
        case_number: str | None = None,
        equipment: Sequence[str] | None = None,
        units: Sequence[str] = (),
    ) -> CaseCheck:
        """What placing a case (new, or ``case_number``) in ``room`` from ``start`` for
        ``duration_min`` minutes would meet. Naive times are department time.

        ``patient_id`` None (a masked caller, or not typed yet) skips the patient check;
        for an existing case the stored patient is used then. ``equipment`` (kind names,
        one per unit) and ``units`` (picked unit names): the needs the form holds; None
        takes an existing case's own needs (and its pinned units).
        """
        self.require(actor, Action.SEE_BOARD, what="check cases")
        with self.uow(read_only=True) as uow:
            tz = self.department_zone(uow)
            if (problem := date_problem(start.date())) is not None:
                raise BadInput(FieldProblem("start", problem))
            if (problem := CASE_DURATION.problem(duration_min)) is not None:
                raise BadInput(FieldProblem("duration_min", problem))
            try:
                lo = to_utc(start, tz)
            except LocalTimeError as exc:
                raise BadInput(FieldProblem("start", str(exc))) from None
            hi = lo + timedelta(minutes=duration_min)
            check_span(lo, hi, end_field="duration_min")
            room_row = uow.rooms.by_code(room.strip()) if room.strip() else None
            if room_row is None:
                return CaseCheck(hard=f"no room {room!r}")
            case = uow.cases.by_number(case_number) if case_number else None
            case_id = case.id if case is not None else None
            try:
                check_room(uow, room_row, lo, hi, case_id=case_id)
            except RoomConflict as exc:
                return CaseCheck(hard=exc.message, hard_field="room")
            if equipment is None:
                equipment, units = _case_needs(case)
            refusal = preview(uow, room_row, lo, hi, equipment, units, case_id=case_id)
            if refusal is not None:
                return CaseCheck(hard=refusal, hard_field="equipment")
            # The specialty the case would have: typed, the case's own, else the surgeon's.
            surgeon = uow.users.by_username(lead_surgeon) if lead_surgeon else None
            profile = uow.users.surgeon_profile(surgeon.id) if surgeon is not None else None
            spec = (specialty or "").strip() or (
                case.specialty if case is not None and not lead_surgeon else None) or (
                profile.specialty if profile is not None else None)
            people: dict[int, tuple[str, str]] = {}
            if case is not None:
                # The lead surgeon and anesthetist are the form's (they may be replaced).
                fixed = {case.lead_surgeon.user_id, case.anesthetist_id}
                people = {uid: who for uid, who in case_people(case).items()
                          if uid not in fixed}
                if surgeon is None:
                    surgeon = case.lead_surgeon.user
            anesth = uow.users.by_username(anesthetist) if anesthetist else None
            if anesth is not None:
                people[anesth.id] = (ANESTHETIST_DOUBLE_BOOKED, anesth.display_name)
            if surgeon is not None:
                people[surgeon.id] = (SURGEON_DOUBLE_BOOKED, surgeon.display_name)
            pid = (patient_id or "").strip() or (case.patient_id if case is not None else "")
            placement = Placement(room=room_row, start=lo, end=hi, specialty=spec,
                                  patient_id=pid or None, people=people, case_id=case_id,
                                  now=self.now())
            out = placement_warnings(uow, placement, tz)
            return CaseCheck(hard=None, warnings=tuple(out))


def _case_needs(case: m.SurgeryCase | None) -> tuple[list[str], list[str]]:
    """A stored case's needs as the form would send them: kind names, pinned unit names."""
    if case is None:
        return [], []
    kinds = [need.kind.name for need in case.equipment]
    units = [need.unit.name for need in case.equipment if need.pinned and need.unit]
    return kinds, units
