"""The demo's rooms: building them, whether one is free, and their rows."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from surgdesk.domain.demo_catalog import SPECIALTIES
from surgdesk.domain.enums import RoomStatus
from surgdesk.domain.intervals import intervals_overlap
from surgdesk.services.demo.catalogue import (
    DEFAULT_LOCATION,
    EVERY_DAY,
    LABEL,
    LIST_CLOSES,
    LIST_OPENS,
    LIST_WEEKDAYS,
    LOCATION,
    ROUND_THE_CLOCK,
    TURNOVER,
)
from surgdesk.services.demo.plan import Plan, Room, local
from surgdesk.services.demo.rows import Rows


def build_rooms(plan: Plan) -> None:
    """The rooms: one per specialty in turn, some untagged, one in maintenance, up to two
    emergency rooms; and a day's closure of the first room early in the range."""
    n = plan.n_rooms
    n_emergency = 2 if n >= 8 else (1 if n >= 4 else 0)
    n_regular = n - n_emergency
    maintenance = n_regular - 1 if n >= 3 else None
    for i in range(n):
        code = f"OR-{i + 1:02d}"
        if i >= n_regular:
            k = i - n_regular + 1
            plan.rooms.append(Room(
                id=plan.new_id("operating_room"), index=i, code=code,
                name=f"Emergency theatre {k}", location="Emergency department, level 0",
                tags=[], home=None, turnover=30, status=RoomStatus.ACTIVE, emergency=True,
            ))
            continue
        home = SPECIALTIES[i % len(SPECIALTIES)]
        tags = [] if i % 4 == 3 else [home]
        turnover = min(45, max(20, TURNOVER[home] + plan.rng.choice((-5, 0, 0, 5))))
        plan.rooms.append(Room(
            id=plan.new_id("operating_room"), index=i, code=code,
            name=f"Theatre {i + 1} ({LABEL[home]})" if tags else f"Theatre {i + 1}",
            location=LOCATION.get(home, DEFAULT_LOCATION), tags=tags,
            home=home, turnover=turnover,
            status=RoomStatus.MAINTENANCE if i == maintenance else RoomStatus.ACTIVE,
            emergency=False,
        ))
    if n >= 2:
        room = plan.rooms[0]
        offset = min(3, plan.days - 1)
        day = plan.start + timedelta(days=offset)
        for extra in range(7):
            candidate = day + timedelta(days=extra)
            if candidate.weekday() < 5 and (candidate - plan.start).days < plan.days:
                day = candidate
                break
        plan.closure = (room, local(day, time(6, 0), plan.tz),
                        local(day, time(20, 0), plan.tz), day)


def room_free(plan: Plan, room: Room, start: datetime, occupied: datetime) -> bool:
    """Nothing else holds ``room`` over [start, occupied), the turnover already added."""
    if plan.closure is not None and plan.closure[0] is room:
        _, c_start, c_end, _ = plan.closure
        if intervals_overlap(c_start, c_end, start, occupied):
            return False
    return not any(intervals_overlap(s, e, start, occupied) for s, e in room.bookings)


def room_rows(plan: Plan, rows: Rows, created: datetime) -> None:
    for r in plan.rooms:
        rows.rooms.append({
            "id": r.id, "created_at": created, "updated_at": created, "version": 1,
            "name": r.name, "code": r.code, "location": r.location,
            "specialty_tags": list(r.tags), "status": r.status.value,
            "turnover_minutes": r.turnover,
            "opens_at": ROUND_THE_CLOCK if r.emergency else LIST_OPENS,
            "closes_at": ROUND_THE_CLOCK if r.emergency else LIST_CLOSES,
            "weekdays": list(EVERY_DAY if r.emergency else LIST_WEEKDAYS),
        })
    if plan.closure is not None:
        room, starts, ends, _ = plan.closure
        rows.closures.append({
            "id": plan.new_id("room_closure"), "created_at": created, "updated_at": created,
            "version": 1, "room_id": room.id, "starts_at": starts, "ends_at": ends,
            "reason": "Deep clean and ventilation service",
        })
