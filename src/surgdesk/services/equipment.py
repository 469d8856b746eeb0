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

from surgdesk.domain.enums import EquipmentStatus
from surgdesk.services.base import Service
from surgdesk.services.context import Actor
from surgdesk.services.dto import (
    EquipmentClosureView,
    EquipmentKindView,
    EquipmentUnitView,
    UnitChange,
)


class EquipmentService(Service):
    def kinds(self, actor: Actor, *, include_inactive: bool = True) -> list[EquipmentKindView]:
        raise NotImplementedError

    def add_kind(self, actor: Actor, name: str) -> EquipmentKindView:
        raise NotImplementedError

    def update_kind(self, actor: Actor, name: str, *, new_name: str | None = None,
                    active: bool | None = None,
                    expected_version: int | None = None) -> EquipmentKindView:
        raise NotImplementedError

    def units(self, actor: Actor, *, kind: str | None = None,
              include_retired: bool = True) -> list[EquipmentUnitView]:
        raise NotImplementedError

    def unit(self, actor: Actor, name: str) -> EquipmentUnitView:
        raise NotImplementedError

    def add_unit(self, actor: Actor, *, name: str, kind: str, rooms: Sequence[str] = (),
                 turnaround_min: int = 0, notes: str | None = None) -> EquipmentUnitView:
        """``rooms``: room codes (empty: any room)."""
        raise NotImplementedError

    def update_unit(self, actor: Actor, name: str, *, expected_version: int | None = None,
                    new_name: str | None = None, kind: str | None = None,
                    rooms: Sequence[str] | None = None, turnaround_min: int | None = None,
                    status: EquipmentStatus | None = None,
                    notes: str | None = None) -> UnitChange:
        raise NotImplementedError

    def closures(self, actor: Actor, name: str) -> list[EquipmentClosureView]:
        raise NotImplementedError

    def close_unit(self, actor: Actor, name: str, *, start: datetime, end: datetime,
                   reason: str) -> UnitChange:
        """Times without an offset are department time."""
        raise NotImplementedError

    def remove_closure(self, actor: Actor, closure_id: int, *,
                       expected_version: int | None = None) -> EquipmentUnitView:
        raise NotImplementedError
