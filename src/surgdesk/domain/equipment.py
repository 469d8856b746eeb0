"""Shared equipment, pure: which unit of a kind is free for a case, and who holds it.

A unit is held by a case from the case's start to its end plus the unit's turnaround
(``[start, end + turnaround)``, like a room's turnover). A unit may be used in a room
when its room list is empty or names the room; it is usable only while ``available`` and
outside its dated closures. Nothing here touches the database: the service layer reads
units and holds, asks these functions, and writes the answer.

Freeness is a property of the unit alone (every need of a case asks for the same window),
so serving pinned needs first and then any free unit by name finds an allocation whenever
one exists: ``allocate`` is exact, not a heuristic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from surgdesk.domain.enums import EquipmentStatus

# Why a unit of the kind is not usable, whatever the other cases do (Shortage.unavailable).
MAINTENANCE = "maintenance"
RETIRED = "retired"
CLOSED = "closed"
ROOM = "room"  # not allowed in the case's room


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
    room, the holds that block it (in unit-name then start order).

    ``unavailable``: (unit name, why) for the units that cannot serve whatever the other
    cases do — ``MAINTENANCE``, ``CLOSED``, ``ROOM`` (retired units are left out).
    ``unit_id``: the pinned unit that could not be given (None: any unit of the kind).
    ``own``: units of the kind the case already got for its other needs."""

    kind_id: int
    blocked_by: tuple[Hold, ...]
    unavailable: tuple[tuple[str, str], ...] = ()
    unit_id: int | None = None
    own: int = 0


def held_until(end: datetime, turnaround_minutes: int) -> datetime:
    return end + timedelta(minutes=turnaround_minutes)


def usable_in(unit: Unit, room_id: int) -> bool:
    """In service and allowed in the room (closures are a matter of time: ``free``)."""
    if unit.status is not EquipmentStatus.AVAILABLE:
        return False
    return not unit.room_ids or room_id in unit.room_ids


def _meets(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def closed_during(unit: Unit, start: datetime, end: datetime) -> bool:
    """A closure of the unit meets the case's hold ``[start, end + turnaround)``."""
    until = held_until(end, unit.turnaround_minutes)
    return any(_meets(start, until, c_start, c_end) for c_start, c_end in unit.closures)


def blocking_holds(unit: Unit, start: datetime, end: datetime,
                   holds: Sequence[Hold]) -> list[Hold]:
    """Other cases' holds of the unit meeting ``[start, end + turnaround)``, by start."""
    until = held_until(end, unit.turnaround_minutes)
    found = [h for h in holds
             if h.unit_id == unit.id and _meets(start, until, h.start, h.held_until)]
    return sorted(found, key=lambda h: (h.start, h.case_number))


def is_free(unit: Unit, room_id: int, start: datetime, end: datetime,
            holds: Sequence[Hold]) -> bool:
    return (usable_in(unit, room_id) and not closed_during(unit, start, end)
            and not blocking_holds(unit, start, end, holds))


def free_units(units: Sequence[Unit], kind_id: int, room_id: int, start: datetime,
               end: datetime, holds: Sequence[Hold], *, taken: Sequence[int] = ()
               ) -> list[Unit]:
    """Units of ``kind_id`` usable in the room and free over ``[start, end + their own
    turnaround)``, not in ``taken`` (already given to another need of the same case), in
    a stable order (by name)."""
    skip = set(taken)
    found = [u for u in units if u.kind_id == kind_id and u.id not in skip
             and is_free(u, room_id, start, end, holds)]
    return sorted(found, key=lambda u: (u.name, u.id))


def _why_not(unit: Unit, room_id: int, start: datetime, end: datetime) -> str | None:
    if unit.status is EquipmentStatus.RETIRED:
        return RETIRED
    if unit.status is EquipmentStatus.MAINTENANCE:
        return MAINTENANCE
    if unit.room_ids and room_id not in unit.room_ids:
        return ROOM
    if closed_during(unit, start, end):
        return CLOSED
    return None


def shortage(kind_id: int, units: Sequence[Unit], room_id: int, start: datetime,
             end: datetime, holds: Sequence[Hold], *, taken: Sequence[int] = (),
             unit_id: int | None = None) -> Shortage:
    """What stops a need of ``kind_id`` (or the pinned ``unit_id``) from being met."""
    own = set(taken)
    blocked: list[Hold] = []
    unavailable: list[tuple[str, str]] = []
    candidates = [u for u in units if u.kind_id == kind_id
                  and (unit_id is None or u.id == unit_id)]
    for unit in sorted(candidates, key=lambda u: (u.name, u.id)):
        if unit.id in own and unit_id is None:
            continue
        why = _why_not(unit, room_id, start, end)
        if why == RETIRED:
            continue
        if why is not None:
            unavailable.append((unit.name, why))
            continue
        blocked.extend(blocking_holds(unit, start, end, holds))
    own_count = sum(1 for u in units if u.kind_id == kind_id and u.id in own)
    return Shortage(kind_id, tuple(blocked), tuple(unavailable), unit_id, own_count)


def allocate(needs: Sequence[Need], units: Sequence[Unit], room_id: int, start: datetime,
             end: datetime, holds: Sequence[Hold], *,
             keep: Mapping[int, int] | None = None) -> dict[int, int] | Shortage:
    """A unit for every need (need index -> unit id), or the first shortage.

    ``holds``: other cases' holds overlapping the window (never the case's own).
    ``keep``: need index -> the unit it holds now; kept when still free, so a moved case
    keeps its units where it can. A pinned need gets its unit or a shortage."""
    keep = keep or {}
    by_id = {u.id: u for u in units}
    given: dict[int, int] = {}
    # Pinned needs first (nobody else may take their unit), then the needs whose current
    # unit is still free keep it, then the rest take the first free unit by name: each
    # of those can use any free unit of its kind, so this order never loses a solution.
    for i, need in enumerate(needs):
        if need.unit_id is None:
            continue
        unit = by_id.get(need.unit_id)
        if (unit is None or unit.kind_id != need.kind_id or unit.id in given.values()
                or not is_free(unit, room_id, start, end, holds)):
            return shortage(need.kind_id, units, room_id, start, end, holds,
                            taken=list(given.values()), unit_id=need.unit_id)
        given[i] = unit.id
    for i, need in enumerate(needs):
        current = by_id.get(keep.get(i, -1))
        if (i not in given and current is not None and current.kind_id == need.kind_id
                and current.id not in given.values()
                and is_free(current, room_id, start, end, holds)):
            given[i] = current.id
    for i, need in enumerate(needs):
        if i in given:
            continue
        free = free_units(units, need.kind_id, room_id, start, end, holds,
                          taken=list(given.values()))
        if not free:
            return shortage(need.kind_id, units, room_id, start, end, holds,
                            taken=list(given.values()))
        given[i] = free[0].id
    return dict(sorted(given.items()))
