"""Shared equipment, pure: which unit of a kind is free for a case, and who holds it.

A unit is held by a case from the case's start to its end plus the unit's turnaround
(``[start, end + turnaround)``, like a room's turnover). A unit may be used in a room
when its room list is empty or names the room; it is usable only while ``available`` and
outside its dated closures. Nothing here touches the database: the service layer reads
units and holds, asks these functions, and writes the answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from surgdesk.domain.enums import EquipmentStatus


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    kind_id: int
    status: EquipmentStatus
    turnaround_minutes: int
    room_ids: frozenset[int]  # empty: any room
    closures: tuple[tuple[datetime, datetime], ...] = ()


@dataclass(frozen=True)
class Hold:
    """A unit held by another case: what a refusal names."""

    unit_id: int
    case_id: int
    case_number: str
    room_code: str | None
    start: datetime
    held_until: datetime


@dataclass(frozen=True)
class Need:
    """One unit of a kind a case needs; ``unit_id``: the unit the user chose (pinned)."""

    kind_id: int
    unit_id: int | None = None


@dataclass(frozen=True)
class Shortage:
    """Why a need cannot be met: the kind, and for each unit of the kind allowed in the
    room, the holds that block it (empty tuple: closed or out of service, see
    ``unavailable``)."""

    kind_id: int
    blocked_by: tuple[Hold, ...]
    unavailable: tuple[str, ...] = ()  # unit names: maintenance, retired, closed, room


def held_until(end: datetime, turnaround_minutes: int) -> datetime:
    return end + timedelta(minutes=turnaround_minutes)


def usable_in(unit: Unit, room_id: int) -> bool:
    raise NotImplementedError


def free_units(units: Sequence[Unit], kind_id: int, room_id: int, start: datetime,
               end: datetime, holds: Sequence[Hold], *, taken: Sequence[int] = ()
               ) -> list[Unit]:
    """Units of ``kind_id`` usable in the room and free over ``[start, end + their own
    turnaround)``, not in ``taken`` (already given to another need of the same case), in
    a stable order (by name)."""
    raise NotImplementedError


def allocate(needs: Sequence[Need], units: Sequence[Unit], room_id: int, start: datetime,
             end: datetime, holds: Sequence[Hold], *,
             keep: Mapping[int, int] | None = None) -> dict[int, int] | Shortage:
    """A unit for every need (need index -> unit id), or the first shortage.

    ``holds``: other cases' holds overlapping the window (never the case's own).
    ``keep``: need index -> the unit it holds now; kept when still free, so a moved case
    keeps its units where it can. A pinned need gets its unit or a shortage."""
    raise NotImplementedError
