"""Board lanes: what the board's rows are — rooms (the default), surgeons, anesthetists
or equipment units — and which rows a case goes in. Pure: no Qt, no service call.

A lane is keyed by a string that names its kind ("room:3", "surgeon:12",
"anesthetist:-" for cases with none, "unit:4", "unit:-" for cases missing a unit they
need), so keys of different modes never meet. ``build_lanes`` reads one
``BoardSnapshot`` (the board's one read) and ``lanes_of`` one case: both O(cases).

Cases that overlap in one lane (a surgeon booked twice at once) are stacked into tracks
(``stack``), so a double booking shows as two bars one above the other, at a glance.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from surgdesk.domain.conflicts import EQUIPMENT_MISSING
from surgdesk.domain.enums import CaseStatus, EquipmentStatus
from surgdesk.services.dto import BoardSnapshot, CaseSummary, EquipmentUnitView, RoomView

NO_ANESTHETIST = "anesthetist:-"
NOT_ALLOCATED = "unit:-"
# A window this short is one day: surgeons with a block in it get a lane even with no case.
_ONE_DAY = timedelta(hours=26)


class LaneMode(Enum):
    ROOMS = "rooms"
    SURGEONS = "surgeons"
    ANESTHETISTS = "anesthetists"
    EQUIPMENT = "equipment"

    @property
    def title(self) -> str:
        return {"rooms": "Rooms", "surgeons": "Surgeons", "anesthetists": "Anesthetists",
                "equipment": "Equipment"}[self.value]


@dataclass(frozen=True, slots=True)
class Lane:
    """One row of the board: its key, the label column's two lines, and what it stands
    for (the room of a room lane, the unit of an equipment lane)."""

    key: str
    label: str
    sublabel: str = ""
    room: RoomView | None = None
    unit: EquipmentUnitView | None = None

    @property
    def inactive(self) -> bool:
        """Painted hatched: a room not in use, a unit in maintenance."""
        if self.room is not None:
            return self.room.status.value != "active"
        return self.unit is not None and self.unit.status is not EquipmentStatus.AVAILABLE


def on_board(case: CaseSummary) -> bool:
    """Whether a case has a place on the board (room, start and end)."""
    return (
        case.room_id is not None
        and case.scheduled_start is not None
        and case.scheduled_end is not None
        and case.status is not CaseStatus.REQUESTED
    )


def room_key(room_id: int) -> str:
    return f"room:{room_id}"


def unit_key(unit_id: int) -> str:
    return f"unit:{unit_id}"


def missing_equipment(case: CaseSummary) -> bool:
    """A needed unit is not allocated (the ``equipment_missing`` mark)."""
    return EQUIPMENT_MISSING in case.conflicts or any(e.unit_id is None for e in case.equipment)


def lanes_of(case: CaseSummary, mode: LaneMode) -> list[str]:
    """The keys of the lanes a case shows in (several for a case holding several units;
    none for a case needing no equipment, in equipment lanes)."""
    if mode is LaneMode.ROOMS:
        return [room_key(case.room_id)] if case.room_id is not None else []
    if mode is LaneMode.SURGEONS:
        return [f"surgeon:{case.lead_surgeon_user_id}"]
    if mode is LaneMode.ANESTHETISTS:
        if case.anesthetist_user_id is None:
            return [NO_ANESTHETIST]
        return [f"anesthetist:{case.anesthetist_user_id}"]
    keys = list(dict.fromkeys(unit_key(e.unit_id) for e in case.equipment
                              if e.unit_id is not None))
    if missing_equipment(case):
        keys.append(NOT_ALLOCATED)
    return keys


def build_lanes(snapshot: BoardSnapshot, mode: LaneMode) -> list[Lane]:
    """The board's rows for a snapshot. Rooms and units always show (empty or not);
    surgeons and anesthetists only those with cases in the window (and, in a one-day
    window, surgeons owning a block that day), by name."""
    if mode is LaneMode.ROOMS:
        return [Lane(room_key(r.id), r.code, r.name, room=r) for r in snapshot.rooms]
    placed = [c for c in snapshot.cases if on_board(c)]
    if mode is LaneMode.EQUIPMENT:
        return _unit_lanes(snapshot.equipment_units)
    if mode is LaneMode.SURGEONS:
        return _people_lanes(snapshot, placed, surgeons=True)
    return _people_lanes(snapshot, placed, surgeons=False)


def lane_for_new_key(key: str, case: CaseSummary) -> Lane | None:
    """A lane for a key that appears after the load (a case moved in whose surgeon or
    anesthetist had no lane yet); None for room and unit keys (those are all loaded)."""
    if key.startswith("surgeon:"):
        return Lane(key, case.lead_surgeon_name, "")
    if key == NO_ANESTHETIST:
        return Lane(key, "No anesthetist", "cases with none named")
    if key.startswith("anesthetist:"):
        return Lane(key, case.anesthetist_name or "Anesthetist", "")
    return None


def _people_lanes(snapshot: BoardSnapshot, placed: list[CaseSummary], *,
                  surgeons: bool) -> list[Lane]:
    names: dict[str, str] = {}
    rooms: dict[str, set[str]] = {}
    counts: dict[str, int] = {}
    mode = LaneMode.SURGEONS if surgeons else LaneMode.ANESTHETISTS
    for case in placed:
        key = lanes_of(case, mode)[0]
        name = case.lead_surgeon_name if surgeons else case.anesthetist_name
        names.setdefault(key, name or "No anesthetist")
        rooms.setdefault(key, set()).add(case.room_code or "")
        counts[key] = counts.get(key, 0) + 1
    if surgeons and snapshot.window_end - snapshot.window_start <= _ONE_DAY:
        for occ in snapshot.blocks:
            if occ.surgeon_user_id is not None:
                names.setdefault(f"surgeon:{occ.surgeon_user_id}",
                                 occ.owner_label.split(" (")[0])
    lanes = []
    for key, name in sorted(names.items(), key=lambda kv: (kv[0] == NO_ANESTHETIST,
                                                           kv[1].casefold(), kv[0])):
        count = counts.get(key, 0)
        codes = ", ".join(sorted(r for r in rooms.get(key, ()) if r))
        sub = f"{count} case{'' if count == 1 else 's'} · {codes}" if count else \
            "block, no case yet"
        lanes.append(Lane(key, "No anesthetist" if key == NO_ANESTHETIST else name, sub))
    return lanes


def _unit_lanes(units: Iterable[EquipmentUnitView]) -> list[Lane]:
    lanes = []
    for unit in sorted(units, key=lambda u: (u.kind.casefold(), u.name.casefold())):
        if unit.status is EquipmentStatus.RETIRED:
            continue
        where = ", ".join(unit.room_codes) if unit.room_codes else "any room"
        sub = f"{unit.status.value.upper()} · {where}" \
            if unit.status is not EquipmentStatus.AVAILABLE else where
        lanes.append(Lane(unit_key(unit.id), f"{unit.name} · {unit.kind}", sub, unit=unit))
    lanes.append(Lane(NOT_ALLOCATED, "Not allocated", "a needed unit is missing"))
    return lanes


def stack(spans: Sequence[tuple[datetime, datetime]]) -> tuple[list[int], int]:
    """Tracks for intervals sharing a lane: overlapping ones get different tracks, each
    the lowest free one (a Gantt's stacking). Returns the track of each span, in the
    given order, and how many tracks there are (at least 1). O(n log n)."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], spans[i][1]))
    tracks = [0] * len(spans)
    busy: list[tuple[datetime, int]] = []  # (end, track) of the spans still running
    free: list[int] = []
    count = 0
    for i in order:
        start, end = spans[i]
        while busy and busy[0][0] <= start:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            track = heapq.heappop(free)
        else:
            track, count = count, count + 1
        tracks[i] = track
        heapq.heappush(busy, (end, track))
    return tracks, max(1, count)


# -- equipment marks on a bar ----------------------------------------------------------------

_KIND_GLYPHS = {"robot": "R", "c-arm": "C", "carm": "C", "microscope": "M", "laser": "L"}


def kind_glyph(kind: str) -> str:
    """A short mark for an equipment kind: R robot, C C-arm, M microscope, L laser, the
    first letter otherwise."""
    name = kind.strip().casefold()
    for word, glyph in _KIND_GLYPHS.items():
        if word in name:
            return glyph
    return (kind.strip()[:1] or "?").upper()


def equipment_marks(case: CaseSummary) -> tuple[tuple[str, bool], ...]:
    """The bar's equipment marks: (glyph, allocated) per unit the case needs."""
    return tuple((kind_glyph(e.kind), e.unit_id is not None) for e in case.equipment)
