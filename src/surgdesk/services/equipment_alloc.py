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

Only case numbers, room codes, kind and unit names go into messages: never a patient.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from surgdesk.domain import equipment as eq
from surgdesk.domain import models as m
from surgdesk.domain.enums import OCCUPYING_STATUSES, CaseStatus, EquipmentStatus
from surgdesk.domain.types import utcnow
from surgdesk.errors import BadInput, EquipmentConflict, FieldProblem, NotFound
from surgdesk.repository.holds import HoldRow
from surgdesk.repository.uow import UnitOfWork

# Cases whose holds an edit of a unit may take away: not yet started (an in-progress case
# keeps the unit it is using, a completed one keeps its record).
_RECHECKED = frozenset({CaseStatus.SCHEDULED, CaseStatus.PREOP_READY})


@dataclass
class UnitImpact:
    """What re-checking a unit's holds did: case numbers."""

    reassigned: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)


# ---- needs ------------------------------------------------------------------------------


def set_needs(uow: UnitOfWork, case: m.SurgeryCase, kinds: Sequence[str],
              units: Sequence[str] = (), *, now: datetime | None = None) -> None:
    """Replace the case's needs: ``kinds`` by name (repeated for two of a kind), ``units``
    by name (each pins a need of its kind; a unit whose kind is not in ``kinds`` adds a
    need). A placed case is then allocated at once (``EquipmentConflict`` refuses).

    Unknown names are ``NotFound`` on ``equipment`` / ``units``; a kind no longer in use
    (unless the case already needs it), a retired unit or a unit named twice is
    ``BadInput``. Needs that stay the same keep their rows and units."""
    # Without autoflush the case's own changes and its holds reach the database in the
    # caller's one flush: one UPDATE, one version bump.
    with uow.session.no_autoflush:
        _set_needs(uow, case, kinds, units, now)


def _set_needs(uow: UnitOfWork, case: m.SurgeryCase, kinds: Sequence[str],
               units: Sequence[str], now: datetime | None) -> None:
    wanted, found = _wanted_needs(uow, case, kinds, units)
    current = [(row.kind_id, row.unit_id if row.pinned else None) for row in case.equipment]
    room, start, end = case.operating_room, case.scheduled_start, case.scheduled_end
    placed = _placed(case) and room is not None and start is not None and end is not None
    if sorted(wanted, key=_need_key) == sorted(current, key=_need_key):
        # The same needs: nothing to do. A lost unit is not sought here (the case form
        # sends its needs with every save, and an unrelated edit must not be refused);
        # moving the case seeks it.
        return
    if units and not placed:
        # A queued case holds no unit, and a chosen unit is stored as the one held.
        raise BadInput(FieldProblem("units", "only a case with a room and a time holds "
                                             "a unit: choose it when scheduling"))
    rows = _match_rows(case, wanted, found)
    for row in list(case.equipment):
        if all(row is not r for r in rows):
            case.equipment.remove(row)
    for row in rows:
        if all(row is not r for r in case.equipment):
            case.equipment.append(row)
    uow.holds.touch_case(case, now or utcnow())
    if placed and room is not None and start is not None and end is not None:
        pins = {i: unit_id for i, row in enumerate(case.equipment)
                for wanted_row, (_, unit_id) in zip(rows, wanted, strict=True)
                if row is wanted_row and unit_id is not None}
        allocate(uow, case, room, start, end, now=now, pins=pins)


def _need_key(need: tuple[int, int | None]) -> tuple[int, int]:
    return need[0], need[1] if need[1] is not None else -1


def _wanted_needs(uow: UnitOfWork, case: m.SurgeryCase, kinds: Sequence[str],
                  units: Sequence[str]
                  ) -> tuple[list[tuple[int, int | None]], dict[int, m.EquipmentKind]]:
    """(kind id, pinned unit id or None) per need, from the names given; the kinds."""
    had = {row.kind_id for row in case.equipment}
    needs: list[tuple[int, int | None]] = []
    found: dict[int, m.EquipmentKind] = {}
    for name in kinds:
        kind = uow.equipment.kind_by_name(name) if name and name.strip() else None
        if kind is None:
            raise NotFound(f"no equipment kind {name!r}", field="equipment")
        if not kind.active and kind.id not in had:
            raise BadInput(FieldProblem("equipment", f"{kind.name} is no longer in use"))
        needs.append((kind.id, None))
        found[kind.id] = kind
    seen: set[int] = set()
    for name in units:
        unit = uow.equipment.unit_by_name(name) if name and name.strip() else None
        if unit is None:
            raise NotFound(f"no equipment unit {name!r}", field="units")
        if unit.id in seen:
            raise BadInput(FieldProblem("units", f"{unit.name} is named twice"))
        if unit.status is EquipmentStatus.RETIRED:
            raise BadInput(FieldProblem("units", f"{unit.name} is retired"))
        seen.add(unit.id)
        found[unit.kind_id] = unit.kind
        free = next((i for i, (k, u) in enumerate(needs) if k == unit.kind_id and u is None),
                    None)
        if free is None:
            needs.append((unit.kind_id, unit.id))
        else:
            needs[free] = (unit.kind_id, unit.id)
    return needs, found


def _match_rows(case: m.SurgeryCase, wanted: list[tuple[int, int | None]],
                kinds: dict[int, m.EquipmentKind]) -> list[m.CaseEquipment]:
    """A row per wanted need, reusing the case's rows: a pinned need takes the row that
    holds its unit (so no two rows of the case swap units in one flush), then any row
    of the kind; new rows for the rest."""
    spare = list(case.equipment)
    out: list[m.CaseEquipment | None] = [None] * len(wanted)

    def take(i: int, match: m.CaseEquipment) -> None:
        spare.remove(match)
        match.pinned = wanted[i][1] is not None
        out[i] = match

    for i, (kind_id, unit_id) in enumerate(wanted):
        if unit_id is not None:
            row = next((r for r in spare if r.kind_id == kind_id and r.unit_id == unit_id),
                       None)
            if row is not None:
                take(i, row)
    for i, (kind_id, _) in enumerate(wanted):
        if out[i] is None:
            row = next((r for r in spare if r.kind_id == kind_id), None)
            if row is not None:
                take(i, row)
    rows: list[m.CaseEquipment] = []
    for i, (kind_id, unit_id) in enumerate(wanted):
        row = out[i] or m.CaseEquipment(kind_id=kind_id, kind=kinds[kind_id],
                                        pinned=unit_id is not None)
        rows.append(row)
    return rows


def pinned_units(case: m.SurgeryCase) -> dict[int, int]:
    """Row index -> the unit the user chose, for the pinned needs."""
    return {i: row.unit_id for i, row in enumerate(case.equipment)
            if row.pinned and row.unit_id is not None}


# ---- allocation -------------------------------------------------------------------------


def allocate(uow: UnitOfWork, case: m.SurgeryCase, room: m.OperatingRoom, start: datetime,
             end: datetime, *, now: datetime | None = None,
             pins: Mapping[int, int] | None = None) -> None:
    """Give every need of the case a unit for this placement, or refuse.

    ``pins``: need index -> the unit the user just chose (``set_needs``); otherwise a
    pinned need keeps the unit it holds. The case's changes are not flushed here (one
    UPDATE of the case with the caller's flush): its own holds are not read anyway."""
    if not case.equipment:
        return
    with uow.session.no_autoflush:
        _allocate(uow, case, room, start, end, now, pins)


def _allocate(uow: UnitOfWork, case: m.SurgeryCase, room: m.OperatingRoom, start: datetime,
              end: datetime, now: datetime | None, pins: Mapping[int, int] | None) -> None:
    rows = list(case.equipment)
    pins = pins or {}
    locked = uow.equipment.lock_kinds({row.kind_id for row in rows})
    units = _domain_units(uow, locked, start, end)
    holds = _holds(uow, units, start, end, case.id)
    needs = [eq.Need(row.kind_id, pins.get(i, row.unit_id if row.pinned else None))
             for i, row in enumerate(rows)]
    keep = {i: row.unit_id for i, row in enumerate(rows) if row.unit_id is not None}
    answer = eq.allocate(needs, units, room.id, start, end, holds, keep=keep)
    if isinstance(answer, eq.Shortage):
        kind = _kind_name(uow, answer.kind_id)
        raise EquipmentConflict(refusal(answer, kind, units, room.code), field="equipment")
    by_id = {u.id: u for u in locked}
    changed = False
    for i, row in enumerate(rows):
        unit = by_id[answer[i]]
        until = eq.held_until(end, unit.turnaround_minutes)
        if (row.unit_id, row.starts_at, row.held_until) != (unit.id, start, until):
            row.unit_id, row.unit = unit.id, unit
            row.starts_at, row.held_until = start, until
            changed = True
    if changed:
        uow.holds.touch_case(case, now or utcnow())


def release(case: m.SurgeryCase, *, uow: UnitOfWork | None = None,
            now: datetime | None = None) -> None:
    """The case no longer holds units (queued or cancelled); its needs stay (a pinned
    need forgets its unit: the case has no time to hold it at)."""
    changed = False
    for row in case.equipment:
        if row.unit_id is not None or row.starts_at is not None or row.pinned:
            row.unit_id, row.unit, row.starts_at, row.held_until = None, None, None, None
            row.pinned = False
            changed = True
    if changed and uow is not None:
        uow.holds.touch_case(case, now or utcnow())


def _placed(case: m.SurgeryCase) -> bool:
    return case.status in OCCUPYING_STATUSES


def _kind_name(uow: UnitOfWork, kind_id: int) -> str:
    kind = uow.equipment.kind(kind_id)
    return kind.name if kind is not None else "equipment"


def _domain_units(uow: UnitOfWork, units: Sequence[m.EquipmentUnit], start: datetime,
                  end: datetime) -> list[eq.Unit]:
    """The units as the pure rules see them, with their closures meeting the window
    (read after the lock: a closure added meanwhile is seen)."""
    longest = max((u.turnaround_minutes for u in units), default=0)
    closures: dict[int, list[tuple[datetime, datetime]]] = {}
    for c in uow.equipment.closures_overlapping([u.id for u in units], start,
                                                eq.held_until(end, longest)):
        closures.setdefault(c.unit_id, []).append((c.starts_at, c.ends_at))
    return [eq.Unit(u.id, u.name, u.kind_id, u.status, u.turnaround_minutes,
                    frozenset(u.room_ids or ()), tuple(closures.get(u.id, ())))
            for u in units]


def _holds(uow: UnitOfWork, units: Sequence[eq.Unit], start: datetime, end: datetime,
           case_id: int | None) -> list[eq.Hold]:
    longest = max((u.turnaround_minutes for u in units), default=0)
    rows = uow.holds.overlapping([u.id for u in units], start,
                                 eq.held_until(end, longest), exclude_case=case_id)
    return [_hold(r) for r in rows]


def _hold(row: HoldRow) -> eq.Hold:
    assert row.unit_id is not None
    assert row.starts_at is not None
    assert row.held_until is not None
    return eq.Hold(row.unit_id, row.case_id, row.case_number, row.room_code, row.starts_at,
                   row.held_until)


def preview(uow: UnitOfWork, room: m.OperatingRoom, start: datetime, end: datetime,
            kinds: Sequence[str], units: Sequence[str] = (), *,
            case_id: int | None = None) -> str | None:
    """The refusal a placement would meet for these needs, or None: for the case form's
    conflict preview (read-only, no lock; the write checks again). ``case_id``: the case
    being moved (its own holds do not count, its units are kept where free)."""
    found: list[eq.Need] = []
    for name in kinds:
        kind = uow.equipment.kind_by_name(name) if name and name.strip() else None
        if kind is None:
            return f"no equipment kind {name!r}"
        found.append(eq.Need(kind.id))
    for name in units:
        unit = uow.equipment.unit_by_name(name) if name and name.strip() else None
        if unit is None:
            return f"no equipment unit {name!r}"
        free = next((i for i, n in enumerate(found)
                     if n.kind_id == unit.kind_id and n.unit_id is None), None)
        if free is None:
            found.append(eq.Need(unit.kind_id, unit.id))
        else:
            found[free] = eq.Need(unit.kind_id, unit.id)
    if not found:
        return None
    plain = _domain_units(uow, uow.equipment.units(kind_ids={n.kind_id for n in found}),
                          start, end)
    holds = _holds(uow, plain, start, end, case_id)
    answer = eq.allocate(found, plain, room.id, start, end, holds)
    if isinstance(answer, eq.Shortage):
        return refusal(answer, _kind_name(uow, answer.kind_id), plain, room.code)
    return None


# ---- wording ----------------------------------------------------------------------------


def kind_label(name: str) -> str:
    """A kind's name inside a sentence: ``Robot`` -> ``robot``; ``C-arm``, ``CO2 laser``
    stay as they are."""
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def plural(name: str) -> str:
    return name + ("es" if name.endswith(("s", "x", "sh", "ch")) else "s")


def _why(reason: str, room_code: str) -> str:
    return {eq.MAINTENANCE: "in maintenance", eq.CLOSED: "closed at that time",
            eq.ROOM: f"not allowed in {room_code}"}.get(reason, reason)


def _holders(holds: Sequence[eq.Hold]) -> str:
    seen: list[str] = []
    for h in holds:
        text = f"{h.case_number} {h.room_code}" if h.room_code else h.case_number
        if text not in seen:
            seen.append(text)
    return ", ".join(seen)


def refusal(short: eq.Shortage, kind_name: str, units: Sequence[eq.Unit],
            room_code: str) -> str:
    """The refusal's words: which units of the kind are busy and with which cases
    (case number and room), or why they cannot be used."""
    kind = kind_label(kind_name)
    names = {u.id: u.name for u in units}
    in_use: dict[str, list[eq.Hold]] = {}
    for h in short.blocked_by:
        in_use.setdefault(names.get(h.unit_id, "?"), []).append(h)
    parts = [f"{name} is {_why(why, room_code)}" for name, why in short.unavailable]
    parts += [f"{name} is in use: {_holders(hs)}" for name, hs in in_use.items()]
    if short.unit_id is not None:
        unit = names.get(short.unit_id, "the unit chosen")
        return "; ".join(parts) if parts else f"{unit} is already taken by this case"
    if short.own == 0 and not short.unavailable and in_use:
        holders = _holders(short.blocked_by)
        count = len(in_use)
        if count == 1:
            return f"the {kind} is in use: {holders}"
        if count == 2:
            return f"both {plural(kind)} are in use: {holders}"
        return f"all {count} {plural(kind)} are in use: {holders}"
    if not parts:
        return (f"no other {kind} is free" if short.own else f"there is no {kind}")
    lead = f"no other {kind} is free" if short.own else f"no {kind} is free"
    return f"{lead}: " + "; ".join(parts)


def missing_message(kind_name: str) -> str:
    """The ``equipment_missing`` warning of a placed case with a need not allocated."""
    return (f"no {kind_label(kind_name)} allocated: its unit became unavailable and no "
            "other was free (move the case or pick a unit)")


# ---- re-checking a unit after its edit --------------------------------------------------


def recheck_unit(uow: UnitOfWork, unit: m.EquipmentUnit, since: datetime) -> UnitImpact:
    """After the unit was edited or closed: its holds ending after ``since`` that are no
    longer valid get another unit of the kind, or none.

    Holds are kept in start order while they still fit (the unit usable in the case's
    room, of the need's kind, outside its closures, not meeting an earlier kept hold with
    the unit's turnaround as it is now); the others are released, then each of their
    cases is offered another free unit of the kind (a pinned need gets none: its user
    chose this unit)."""
    impact = UnitImpact()
    rows = uow.holds.of_unit_from(unit.id, since)
    holds = [h for h in rows if h.surgery_case.status in _RECHECKED]
    if not holds:
        return impact
    fixed = [_hold_of(h) for h in rows if h.surgery_case.status not in _RECHECKED]
    lost = _release_broken(uow, unit, holds, fixed, since)
    uow.flush()  # the broken holds are gone before any other is extended or moved
    for row in holds:
        if row in lost:
            continue
        case = row.surgery_case
        assert case.scheduled_end is not None
        until = eq.held_until(case.scheduled_end, unit.turnaround_minutes)
        if row.held_until != until:
            row.held_until = until
            uow.holds.touch_case(case, since)
    uow.flush()
    for row in lost:
        case = row.surgery_case
        uow.holds.touch_case(case, since)
        if not row.pinned and _reassign(uow, case, row):
            impact.reassigned.append(case.case_number)
        else:
            impact.lost.append(case.case_number)
        row.pinned = False
        uow.flush()
    return impact


def _hold_of(row: m.CaseEquipment) -> eq.Hold:
    """A hold that stays as it is (a case under way or done)."""
    assert row.unit_id is not None
    assert row.starts_at is not None
    assert row.held_until is not None
    case = row.surgery_case
    return eq.Hold(row.unit_id, case.id, case.case_number, None, row.starts_at,
                   row.held_until)


def _release_broken(uow: UnitOfWork, unit: m.EquipmentUnit, holds: list[m.CaseEquipment],
                    fixed: list[eq.Hold], since: datetime) -> list[m.CaseEquipment]:
    """Release the holds that no longer fit the unit; the released rows."""
    last = max(h.surgery_case.scheduled_end or since for h in holds)
    closures = [(c.starts_at, c.ends_at) for c in uow.equipment.closures_overlapping(
        [unit.id], since - timedelta(days=1), eq.held_until(last, unit.turnaround_minutes))]
    plain = eq.Unit(unit.id, unit.name, unit.kind_id, unit.status, unit.turnaround_minutes,
                    frozenset(unit.room_ids or ()), tuple(closures))
    kept: list[eq.Hold] = list(fixed)
    lost: list[m.CaseEquipment] = []
    for row in sorted(holds, key=lambda h: (h.starts_at or since, h.id)):
        case = row.surgery_case
        start, end, room_id = case.scheduled_start, case.scheduled_end, case.operating_room_id
        if (start is None or end is None or room_id is None or row.kind_id != unit.kind_id
                or not eq.is_free(plain, room_id, start, end, kept)):
            lost.append(row)
            row.unit_id, row.unit, row.starts_at, row.held_until = None, None, None, None
            continue
        kept.append(eq.Hold(unit.id, case.id, case.case_number, None, start,
                            eq.held_until(end, unit.turnaround_minutes)))
    return lost


def _reassign(uow: UnitOfWork, case: m.SurgeryCase, row: m.CaseEquipment) -> bool:
    """Another free unit of the row's kind for the case's placement; False: none."""
    room, start, end = case.operating_room, case.scheduled_start, case.scheduled_end
    if room is None or start is None or end is None:
        return False
    locked = uow.equipment.lock_kinds([row.kind_id])
    units = _domain_units(uow, locked, start, end)
    holds = _holds(uow, units, start, end, case.id)
    taken = [r.unit_id for r in case.equipment if r is not row and r.unit_id is not None]
    free = eq.free_units(units, row.kind_id, room.id, start, end, holds, taken=taken)
    if not free:
        return False
    unit = next(u for u in locked if u.id == free[0].id)
    row.unit_id, row.unit = unit.id, unit
    row.starts_at, row.held_until = start, eq.held_until(end, unit.turnaround_minutes)
    return True
