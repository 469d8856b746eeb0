"""Allocating equipment units to a case, inside a case write's unit of work.

The case services call these while scheduling, moving, resizing, editing needs and
unscheduling; the equipment service calls ``recheck_unit`` after a unit's edit. Rules:

- A placed case (scheduled, preop_ready, in_progress; completed keeps its record) holds
  one unit per need over ``[start, end + the unit's turnaround)``; a queued (requested,
  postponed) or cancelled case holds none (its needs stay, unit_id NULL).
- Placing or moving: every need gets a free unit usable in the room (a moved case keeps
  its units when they are still free; a pinned need gets its unit or nothing). A need
  that cannot be met refuses the whole write with ``EquipmentConflict`` naming the cases
  holding the kind's units: "both C-arms are in use: 2026-000123 OR-04, 2026-000131 OR-07"
  ("the robot is in use: ...", "no C-arm is free: C-arm 2 is in maintenance; C-arm 1 is
  in use: ...").
- The unit rows are locked before the check (Postgres), and ``no_equipment_overlap``
  refuses what a race lets through.
- Any change to a case's holds bumps the case's version (the feed names the case).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from surgdesk.domain import models as m
from surgdesk.repository.uow import UnitOfWork


@dataclass
class UnitImpact:
    """What re-checking a unit's holds did: case numbers."""

    reassigned: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)


def set_needs(uow: UnitOfWork, case: m.SurgeryCase, kinds: Sequence[str],
              units: Sequence[str] = ()) -> None:
    """Replace the case's needs: ``kinds`` by name (repeated for two of a kind), ``units``
    by name (each pins a need of its kind; a unit whose kind is not in ``kinds`` adds a
    need). A placed case is then allocated at once (``EquipmentConflict`` refuses)."""
    raise NotImplementedError


def allocate(uow: UnitOfWork, case: m.SurgeryCase, room: m.OperatingRoom, start: datetime,
             end: datetime) -> None:
    """Give every need of the case a unit for this placement, or refuse."""
    raise NotImplementedError


def release(case: m.SurgeryCase) -> None:
    """The case no longer holds units (queued or cancelled); its needs stay."""
    raise NotImplementedError


def recheck_unit(uow: UnitOfWork, unit: m.EquipmentUnit, since: datetime) -> UnitImpact:
    """After the unit was edited or closed: its holds ending after ``since`` that are no
    longer valid get another unit of the kind, or none."""
    raise NotImplementedError
