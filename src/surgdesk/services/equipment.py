"""Shared equipment: kinds, units, their status and closures.

Rules (DESIGN.md "Planning the suite"; the pure parts in ``domain.equipment``):

- Reading kinds and units is open to every signed-in role (``SEE_BOARD``); changing them
  is ``Action.MANAGE_EQUIPMENT`` (admins, schedulers).
- A kind's name is unique (case-insensitive); a kind with units cannot be deleted, only
  made inactive (no new case may ask for an inactive kind).
- A unit has a unique name, a kind, the rooms it may be used in (empty: any), a status
  (available / maintenance / retired), a turnaround (0-480 minutes, default 0) and notes.
- Editing a unit (status, rooms, turnaround, kind) or closing it for a dated time
  re-checks every hold of the unit that ends after now: a hold still valid stays; one
  that is not gets another free unit of the kind (``reassigned``) or none (``lost``; the
  case keeps its need and shows the ``equipment_missing`` mark). ``UnitChange`` names
  both, and every such case's version is bumped so other PCs see it.
- Every write is audited (``add_equipment_kind``, ``update_equipment_kind``,
  ``add_equipment``, ``update_equipment``, ``close_equipment``, ``remove_equipment_closure``)
  and goes to the change feed.

Bad input names the field: ``name``, ``kind``, ``rooms``, ``turnaround``, ``status``,
``notes``, ``start``, ``end``, ``reason``, ``unit`` (no such unit), ``closure_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from surgdesk.domain import models as m
from surgdesk.domain.enums import EquipmentStatus
from surgdesk.domain.permissions import Action
from surgdesk.domain.timezones import LocalTimeError, to_utc
from surgdesk.errors import BadInput, Duplicate, FieldProblem, NotFound
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services import equipment_alloc
from surgdesk.services.base import Claim, Service, diff, snapshot, validate
from surgdesk.services.context import Actor
from surgdesk.services.dto import (
    EquipmentClosureView,
    EquipmentKindView,
    EquipmentUnitView,
    UnitChange,
)
from surgdesk.services.equipment_input import (
    KindFields,
    UnitClosureFields,
    UnitFields,
    closure_view,
    kind_counts,
    kind_view,
    notes_text,
    room_list,
    unit_state,
    unit_view,
)
from surgdesk.services.fields import check_version

_KIND_FIELDS = ("name", "active")
# A change to one of these can make a hold of the unit invalid: its holds are re-checked.
_RECHECK_FIELDS = ("kind", "rooms", "turnaround_minutes", "status")


class EquipmentService(Service):
    # ---- kinds --------------------------------------------------------------------------

    def kinds(self, actor: Actor, *, include_inactive: bool = True) -> list[EquipmentKindView]:
        """By name (case-insensitive); ``unit_count``: the kind's units not retired."""
        self.require(actor, Action.SEE_BOARD, what="see equipment")
        with self.uow(read_only=True) as uow:
            counts = kind_counts(uow.equipment.units(include_retired=False))
            kinds = [k for k in uow.equipment.kinds() if include_inactive or k.active]
            kinds.sort(key=lambda k: (k.name.lower(), k.id))
            return [kind_view(k, counts.get(k.id, 0)) for k in kinds]

    def add_kind(self, actor: Actor, name: str, *, op_id: str | None = None
                 ) -> EquipmentKindView:
        self.require(actor, Action.MANAGE_EQUIPMENT, what="add equipment kinds")
        fields = validate(KindFields, {"name": name})
        with self.uow() as uow:
            with self.operation(uow, op_id, "add_equipment_kind") as claim:
                if not claim.replay:
                    self._check_kind_free(uow, fields.name, None)
                    kind = m.EquipmentKind(name=fields.name, active=True)
                    uow.equipment.add(kind)
                    uow.flush()
                    self.audit(uow, actor, "add_equipment_kind", kind,
                               diff({}, snapshot(kind, _KIND_FIELDS)))
                    self.remember_operation(uow, actor, kind)
                    uow.commit()
                    return kind_view(kind, 0)
            with self.replay_unit(uow, claim) as read:
                return self._kind_view(read, self._replayed(read, m.EquipmentKind, claim))

    def update_kind(self, actor: Actor, name: str, *, new_name: str | None = None,
                    active: bool | None = None,
                    expected_version: int | None = None) -> EquipmentKindView:
        """Rename a kind or make it (in)active; an inactive kind keeps its units and the
        cases holding them, but no new case may ask for it."""
        self.require(actor, Action.MANAGE_EQUIPMENT, what="change equipment kinds")
        with self.uow() as uow:
            kind = self._kind(uow, name)
            check_version(kind, expected_version, f"equipment kind {kind.name}")
            before = snapshot(kind, _KIND_FIELDS)
            fields = validate(KindFields, {
                "name": new_name if new_name is not None else kind.name,
                "active": active if active is not None else kind.active})
            if fields.name != kind.name:
                self._check_kind_free(uow, fields.name, kind.id)
            kind.name, kind.active = fields.name, fields.active
            changed = diff(before, snapshot(kind, _KIND_FIELDS))
            if changed:
                uow.flush()
                self.audit(uow, actor, "update_equipment_kind", kind, changed)
                uow.commit()
            return self._kind_view(uow, kind)

    # ---- units --------------------------------------------------------------------------

    def units(self, actor: Actor, *, kind: str | None = None,
              include_retired: bool = True) -> list[EquipmentUnitView]:
        """By name (case-insensitive); ``kind``: only units of that kind (by name)."""
        self.require(actor, Action.SEE_BOARD, what="see equipment")
        with self.uow(read_only=True) as uow:
            kind_ids = [self._kind(uow, kind).id] if kind is not None else None
            units = uow.equipment.units(kind_ids=kind_ids, include_retired=include_retired)
            units.sort(key=lambda u: (u.name.lower(), u.id))
            codes = self._room_codes(uow)
            return [unit_view(u, codes) for u in units]

    def unit(self, actor: Actor, name: str) -> EquipmentUnitView:
        self.require(actor, Action.SEE_BOARD, what="see equipment")
        with self.uow(read_only=True) as uow:
            return unit_view(self._unit(uow, name), self._room_codes(uow))

    def add_unit(self, actor: Actor, *, name: str, kind: str, rooms: Sequence[str] = (),
                 turnaround_min: int = 0, notes: str | None = None,
                 status: EquipmentStatus | str = EquipmentStatus.AVAILABLE,
                 op_id: str | None = None) -> EquipmentUnitView:
        """``rooms``: room codes (empty: any room)."""
        self.require(actor, Action.MANAGE_EQUIPMENT, what="add equipment")
        fields = validate(UnitFields, {
            "name": name, "kind": kind, "rooms": room_list(rooms),
            "turnaround": turnaround_min, "status": status, "notes": notes})
        text = notes_text(fields.notes)
        with self.uow() as uow:
            with self.operation(uow, op_id, "add_equipment") as claim:
                if not claim.replay:
                    self._check_unit_free(uow, fields.name, None)
                    found = self._kind(uow, fields.kind)
                    codes = self._room_codes(uow)
                    unit = m.EquipmentUnit(
                        name=fields.name, kind_id=found.id, kind=found, status=fields.status,
                        turnaround_minutes=fields.turnaround, notes=text,
                        room_ids=self._room_ids(codes, fields.rooms), closures=[])
                    uow.equipment.add(unit)
                    uow.flush()
                    self.audit(uow, actor, "add_equipment", unit,
                               diff({}, unit_state(unit, codes)))
                    self.remember_operation(uow, actor, unit)
                    uow.commit()
                    return unit_view(unit, codes)
            with self.replay_unit(uow, claim) as read:
                unit = self._replayed(read, m.EquipmentUnit, claim)
                return unit_view(unit, self._room_codes(read))

    def update_unit(self, actor: Actor, name: str, *, expected_version: int | None = None,
                    new_name: str | None = None, kind: str | None = None,
                    rooms: Sequence[str] | None = None, turnaround_min: int | None = None,
                    status: EquipmentStatus | None = None,
                    notes: str | None = None) -> UnitChange:
        """Change any of the given fields (None: as it is; ``notes=""`` clears them,
        ``rooms=()`` allows every room). A change of kind, rooms, turnaround or status
        re-checks the unit's holds from now on (see the module's rules)."""
        self.require(actor, Action.MANAGE_EQUIPMENT, what="change equipment")
        with self.uow() as uow:
            unit = self._unit(uow, name)
            uow.equipment.lock_units([unit.id])  # no allocation works from a stale unit
            check_version(unit, expected_version, f"equipment {unit.name}")
            codes = self._room_codes(uow)
            before = unit_state(unit, codes)
            fields = validate(UnitFields, {
                "name": new_name if new_name is not None else unit.name,
                "kind": kind if kind is not None else unit.kind.name,
                "rooms": room_list(rooms) if rooms is not None else tuple(before["rooms"]),
                "turnaround": (turnaround_min if turnaround_min is not None
                               else unit.turnaround_minutes),
                "status": status if status is not None else unit.status,
                "notes": notes if notes is not None else unit.notes})
            text = notes_text(fields.notes)
            if fields.name != unit.name:
                self._check_unit_free(uow, fields.name, unit.id)
            found = self._kind(uow, fields.kind) if kind is not None else unit.kind
            unit.name, unit.kind_id, unit.kind = fields.name, found.id, found
            unit.room_ids = self._room_ids(codes, fields.rooms)
            unit.turnaround_minutes, unit.status, unit.notes = (
                fields.turnaround, fields.status, text)
            changed = diff(before, unit_state(unit, codes))
            if not changed:
                return UnitChange(unit=unit_view(unit, codes))
            uow.flush()
            impact = (self._recheck(uow, unit) if any(k in changed for k in _RECHECK_FIELDS)
                      else equipment_alloc.UnitImpact())
            self.audit(uow, actor, "update_equipment", unit, {**changed, **_impact(impact)})
            uow.commit()
            return _change(unit, codes, impact)

    # ---- closures -----------------------------------------------------------------------

    def closures(self, actor: Actor, name: str) -> list[EquipmentClosureView]:
        """The unit's dated closures, by start."""
        self.require(actor, Action.SEE_BOARD, what="see equipment closures")
        with self.uow(read_only=True) as uow:
            unit = self._unit(uow, name)
            rows = sorted(unit.closures, key=lambda c: (c.starts_at, c.id))
            return [closure_view(c) for c in rows]

    def close_unit(self, actor: Actor, name: str, *, start: datetime, end: datetime,
                   reason: str, op_id: str | None = None) -> UnitChange:
        """Times without an offset are department time."""
        self.require(actor, Action.MANAGE_EQUIPMENT, what="close equipment")
        fields = validate(UnitClosureFields, {"start": start, "end": end, "reason": reason})
        with self.uow() as uow:
            unit = self._unit(uow, name)
            uow.equipment.lock_units([unit.id])
            with self.operation(uow, op_id, "close_equipment") as claim:
                if not claim.replay:
                    return self._close(uow, actor, unit, fields)
            with self.replay_unit(uow, claim) as read:
                unit = self._replayed(read, m.EquipmentUnit, claim)
                return UnitChange(unit=unit_view(unit, self._room_codes(read)))

    def remove_closure(self, actor: Actor, closure_id: int, *,
                       expected_version: int | None = None) -> EquipmentUnitView:
        """The unit is usable again over the closure's time; cases that lost it keep their
        missing mark until they are moved or their needs edited."""
        self.require(actor, Action.MANAGE_EQUIPMENT, what="remove equipment closures")
        if isinstance(closure_id, bool) or not isinstance(closure_id, int):
            raise BadInput(FieldProblem("closure_id", "must be a whole number"))
        with self.uow() as uow:
            closure = uow.session.get(m.EquipmentClosure, closure_id)
            if closure is None:
                raise NotFound(FieldProblem("closure_id", f"no equipment closure {closure_id}"))
            check_version(closure, expected_version, f"equipment closure {closure_id}")
            unit = closure.unit
            self.audit(uow, actor, "remove_equipment_closure", unit, {
                "closure_id": closure.id, **diff(_closure_state(closure),
                                                 dict.fromkeys(_closure_state(closure)))})
            # Deleted as a row, not taken out of the unit's list: the feed then names a
            # delete only (an orphaned child would also show as updated).
            uow.equipment.delete(closure)
            uow.flush()
            uow.session.expire(unit, ["closures"])
            uow.commit()
            return unit_view(unit, self._room_codes(uow))

    # ---- helpers ------------------------------------------------------------------------

    def _close(self, uow: UnitOfWork, actor: Actor, unit: m.EquipmentUnit,
               fields: UnitClosureFields) -> UnitChange:
        tz = self.department_zone(uow)
        lo, hi = _utc(fields.start, tz, "start"), _utc(fields.end, tz, "end")
        if hi <= lo:
            raise BadInput(FieldProblem("end", "must be after start"))
        closure = m.EquipmentClosure(unit_id=unit.id, starts_at=lo, ends_at=hi,
                                     reason=fields.reason)
        unit.closures.append(closure)
        uow.flush()
        impact = self._recheck(uow, unit)
        self.audit(uow, actor, "close_equipment", unit, {
            "closure_id": closure.id, **diff({}, _closure_state(closure)), **_impact(impact)})
        self.remember_operation(uow, actor, unit)
        uow.commit()
        return _change(unit, self._room_codes(uow), impact)

    def _recheck(self, uow: UnitOfWork, unit: m.EquipmentUnit) -> equipment_alloc.UnitImpact:
        impact = equipment_alloc.recheck_unit(uow, unit, since=self.now())
        uow.flush()
        return impact

    def _kind_view(self, uow: UnitOfWork, kind: m.EquipmentKind) -> EquipmentKindView:
        units = uow.equipment.units(kind_ids=[kind.id], include_retired=False)
        return kind_view(kind, len(units))

    @staticmethod
    def _replayed(uow: UnitOfWork, model: type[Any], claim: Claim) -> Any:
        row = uow.session.get(model, claim.target_id) if claim.target_id is not None else None
        if row is None:
            raise NotFound(FieldProblem("op_id", "what that operation wrote is gone"))
        return row

    @staticmethod
    def _kind(uow: UnitOfWork, name: str) -> m.EquipmentKind:
        kind = uow.equipment.kind_by_name(name) if name and name.strip() else None
        if kind is None:
            raise NotFound(FieldProblem("kind", f"no equipment kind {name!r}"))
        return kind

    @staticmethod
    def _unit(uow: UnitOfWork, name: str) -> m.EquipmentUnit:
        unit = uow.equipment.unit_by_name(name) if name and name.strip() else None
        if unit is None:
            raise NotFound(FieldProblem("unit", f"no equipment unit {name!r}"))
        return unit

    @staticmethod
    def _check_kind_free(uow: UnitOfWork, name: str, kind_id: int | None) -> None:
        other = uow.equipment.kind_by_name(name)
        if other is not None and other.id != kind_id:
            raise Duplicate(f"equipment kind {name!r} already exists ({other.name})",
                            field="name")

    @staticmethod
    def _check_unit_free(uow: UnitOfWork, name: str, unit_id: int | None) -> None:
        other = uow.equipment.unit_by_name(name)
        if other is not None and other.id != unit_id:
            raise Duplicate(f"equipment unit {name!r} already exists ({other.name})",
                            field="name")

    @staticmethod
    def _room_codes(uow: UnitOfWork) -> dict[int, str]:
        return {r.id: r.code for r in uow.rooms.all()}

    @staticmethod
    def _room_ids(codes: dict[int, str], wanted: Sequence[str]) -> list[int]:
        """Room codes (any case) as sorted ids; an unknown code is bad input on ``rooms``."""
        by_code = {code.upper(): room_id for room_id, code in codes.items()}
        unknown = [c for c in wanted if c.upper() not in by_code]
        if unknown:
            raise BadInput(FieldProblem(
                "rooms", "no room " + ", ".join(repr(c) for c in unknown)))
        return sorted({by_code[c.upper()] for c in wanted})


def _utc(value: datetime, tz: ZoneInfo, field: str) -> datetime:
    try:
        return to_utc(value, tz)
    except LocalTimeError as exc:
        raise BadInput(FieldProblem(field, str(exc))) from None


def _closure_state(closure: m.EquipmentClosure) -> dict[str, Any]:
    return {"start": closure.starts_at, "end": closure.ends_at, "reason": closure.reason}


def _impact(impact: equipment_alloc.UnitImpact) -> dict[str, Any]:
    """What a re-check did, for the audit trail (case numbers only)."""
    out: dict[str, Any] = {}
    if impact.reassigned:
        out["reassigned"] = sorted(impact.reassigned)
    if impact.lost:
        out["lost"] = sorted(impact.lost)
    return out


def _change(unit: m.EquipmentUnit, codes: dict[int, str],
            impact: equipment_alloc.UnitImpact) -> UnitChange:
    return UnitChange(unit=unit_view(unit, codes), reassigned=tuple(sorted(impact.reassigned)),
                      lost=tuple(sorted(impact.lost)))
