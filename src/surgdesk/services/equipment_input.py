"""What a person gives for equipment (kinds, units, closures), checked field by field, and
the views the equipment service answers with.

The checks here name the field a bad value came in; finding rows (a kind by name, rooms by
code) is ``EquipmentService``'s job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from surgdesk.domain import models as m
from surgdesk.domain.enums import EquipmentStatus
from surgdesk.domain.limits import IDENT_MAX, NAME_MAX, TEXT_MAX, TURNAROUND
from surgdesk.errors import BadInput, FieldProblem
from surgdesk.services.dto import EquipmentClosureView, EquipmentKindView, EquipmentUnitView
from surgdesk.services.fields import free_text, required_text

UNIT_FIELDS = ("name", "kind", "rooms", "turnaround_minutes", "status", "notes")


def _turnaround(value: int) -> int:
    if (problem := TURNAROUND.problem(value)) is not None:
        raise ValueError(problem)
    return value


class KindFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, required_text(IDENT_MAX)]
    active: bool = True


class UnitFields(BaseModel):
    """A unit's own fields; its kind and rooms are names the service looks up."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, required_text(IDENT_MAX)]
    kind: Annotated[str, required_text(IDENT_MAX)]
    rooms: tuple[Annotated[str, required_text(IDENT_MAX)], ...] = ()
    turnaround: Annotated[int, Field(strict=True), AfterValidator(_turnaround)] = 0
    status: EquipmentStatus = EquipmentStatus.AVAILABLE
    notes: str | None = None


class UnitClosureFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: datetime
    end: datetime
    reason: Annotated[str, required_text(NAME_MAX)]


def notes_text(value: str | None) -> str | None:
    """Free text (line breaks kept), blank is none; bad input on ``notes``."""
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > TEXT_MAX:
        raise BadInput(FieldProblem("notes", f"must be at most {TEXT_MAX} characters"))
    try:
        return free_text(text)
    except ValueError as exc:
        raise BadInput(FieldProblem("notes", str(exc))) from None


def room_list(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """Room codes as given: one code as a plain string is one code, not letters."""
    if values is None:
        return ()
    return (values,) if isinstance(values, str) else tuple(values)


def kind_view(kind: m.EquipmentKind, unit_count: int) -> EquipmentKindView:
    return EquipmentKindView(id=kind.id, name=kind.name, active=kind.active,
                             unit_count=unit_count, version=kind.version)


def unit_view(unit: m.EquipmentUnit, room_codes: Mapping[int, str]) -> EquipmentUnitView:
    """``room_codes``: every room's code by id (a unit names a few of them)."""
    ids = tuple(sorted(unit.room_ids or (), key=lambda i: room_codes.get(i, "")))
    return EquipmentUnitView(
        id=unit.id, name=unit.name, kind_id=unit.kind_id, kind=unit.kind.name,
        status=unit.status, turnaround_minutes=unit.turnaround_minutes, room_ids=ids,
        room_codes=tuple(room_codes.get(i, f"#{i}") for i in ids), notes=unit.notes,
        version=unit.version)


def closure_view(closure: m.EquipmentClosure) -> EquipmentClosureView:
    return EquipmentClosureView(id=closure.id, unit_id=closure.unit_id,
                                starts_at=closure.starts_at, ends_at=closure.ends_at,
                                reason=closure.reason, version=closure.version)


def unit_state(unit: m.EquipmentUnit, room_codes: Mapping[int, str]) -> dict[str, Any]:
    """A unit as the audit trail compares it (names and codes, not ids)."""
    return {
        "name": unit.name, "kind": unit.kind.name,
        "rooms": sorted(room_codes.get(i, f"#{i}") for i in unit.room_ids or ()),
        "turnaround_minutes": unit.turnaround_minutes, "status": unit.status,
        "notes": unit.notes,
    }


def kind_counts(units: Sequence[m.EquipmentUnit]) -> dict[int, int]:
    """Units per kind id (the caller passes the units that count)."""
    counts: dict[int, int] = {}
    for unit in units:
        counts[unit.kind_id] = counts.get(unit.kind_id, 0) + 1
    return counts
