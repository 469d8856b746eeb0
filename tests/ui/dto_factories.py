"""Hand-built service DTOs, for model and grid tests that need no database."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from surgdesk.domain.enums import CaseStatus, EquipmentStatus, Laterality, Priority, RoomStatus
from surgdesk.services.dto import (
    BoardSnapshot,
    CaseEquipmentView,
    CaseSummary,
    ClosureView,
    EquipmentClosureView,
    EquipmentUnitView,
    OccurrenceView,
    RoomView,
)

DAY = datetime(2026, 1, 13, tzinfo=UTC)


def room(room_id: int, *, status: RoomStatus = RoomStatus.ACTIVE, turnover: int = 30) -> RoomView:
    return RoomView(id=room_id, code=f"OR-{room_id:02d}", name=f"Theatre {room_id}",
                    location=None, specialty_tags=("general",), status=status,
                    turnover_minutes=turnover, opens_at=time(7), closes_at=time(19),
                    weekdays=(0, 1, 2, 3, 4), version=1)


def case(number: int, *, room_id: int | None = 1, start_h: float = 8.0, hours: float = 1.5,
         status: CaseStatus = CaseStatus.SCHEDULED, masked: bool = False,
         **overrides: Any) -> CaseSummary:
    start = DAY + timedelta(hours=start_h) if room_id is not None else None
    end = start + timedelta(hours=hours) if start is not None else None
    values: dict[str, Any] = dict(
        id=number, case_number=f"2026-{number:06d}", version=1, status=status,
        priority=Priority.ELECTIVE, procedure_name=f"Procedure {number}",
        laterality=Laterality.LEFT, specialty="general", room_id=room_id,
        room_code=f"OR-{room_id:02d}" if room_id else None, scheduled_start=start,
        scheduled_end=end, estimated_duration_min=int(hours * 60), lead_surgeon_user_id=5,
        lead_surgeon_username="dr.a", lead_surgeon_name="Dr. A", anesthetist_user_id=None,
        anesthetist_name=None, patient_masked=masked,
        patient_name=None if masked else f"Patient {number}",
        patient_id=None if masked else f"MRN{number:05d}", patient_dob=None,
        checklist_done=3, checklist_total=9, pre_op_complete=False, post_op_complete=False,
        actual_start=None, actual_end=None,
    )
    values.update(overrides)
    return CaseSummary(**values)


def unit(unit_id: int, kind: str = "C-arm", *, name: str | None = None,
         status: EquipmentStatus = EquipmentStatus.AVAILABLE,
         turnaround: int = 0) -> EquipmentUnitView:
    return EquipmentUnitView(id=unit_id, name=name or f"{kind} {unit_id}", kind_id=1,
                             kind=kind, status=status, turnaround_minutes=turnaround,
                             room_ids=(), room_codes=(), notes=None, version=1)


def holds(*units: EquipmentUnitView | str) -> tuple[CaseEquipmentView, ...]:
    """A case's equipment: a unit it holds, or a kind (str) it needs and does not hold."""
    return tuple(CaseEquipmentView(kind=u) if isinstance(u, str)
                 else CaseEquipmentView(kind=u.kind, unit_id=u.id, unit=u.name) for u in units)


def snapshot(cases: list[CaseSummary], *, rooms: list[RoomView] | None = None,
             queue: list[CaseSummary] | None = None,
             closures: list[ClosureView] | None = None,
             units: list[EquipmentUnitView] | None = None,
             unit_closures: list[EquipmentClosureView] | None = None,
             blocks: list[OccurrenceView] | None = None) -> BoardSnapshot:
    return BoardSnapshot(
        window_start=DAY, window_end=DAY + timedelta(days=1), time_zone="UTC",
        day_start=time(7), day_end=time(19), snap_minutes=5,
        rooms=tuple(rooms or [room(1), room(2), room(3)]), closures=tuple(closures or ()),
        cases=tuple(cases), queue=tuple(queue or ()), blocks=tuple(blocks or ()),
        equipment_units=tuple(units or ()), equipment_closures=tuple(unit_closures or ()),
    )
