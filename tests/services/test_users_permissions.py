"""Who may do what, for every action of the user, room and settings services.

Table-driven: each action is tried by one user of each of the six roles; the roles that
DESIGN.md's permission table allows succeed, the others get PermissionDenied (exit 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from surgdesk.domain.enums import Role
from surgdesk.errors import PermissionDenied
from surgdesk.repository.database import Database
from surgdesk.services.context import ANONYMOUS, Actor
from surgdesk.services.rooms import RoomService
from surgdesk.services.settings import SettingsService
from tests.services.staff import PASSWORD, one_of_each, users

EVERYONE = frozenset(Role)
ADMIN = frozenset({Role.ADMIN})
ROOM_MANAGERS = frozenset({Role.ADMIN, Role.SCHEDULER})
ROLES = list(Role)


@dataclass
class World:
    db: Database
    closure_ids: list[int]


Call = Callable[[World, Actor, int], Any]


def _rooms(w: World) -> RoomService:
    return RoomService(w.db)


CASES: dict[str, tuple[frozenset[Role], Call]] = {
    "add_user": (ADMIN, lambda w, a, n: users(w.db).add_user(
        a, username=f"new{n}", role=Role.NURSE, display_name="New",
        email=f"new{n}@or.hospital.local")),
    "list_users": (ADMIN, lambda w, a, n: users(w.db).list_users(a)),
    "see_another_user": (ADMIN, lambda w, a, n: users(w.db).get_user(a, "admin")),
    "update_user": (ADMIN, lambda w, a, n: users(w.db).update_user(
        a, "nurse", display_name=f"Nurse {n}")),
    "unlock_user": (ADMIN, lambda w, a, n: users(w.db).unlock(a, "nurse")),
    "reset_password": (ADMIN, lambda w, a, n: users(w.db).reset_password(
        a, "nurse", f"new password {n}")),
    "pending_requests": (ADMIN, lambda w, a, n: users(w.db).pending_requests(a)),
    "approve_request": (ADMIN, lambda w, a, n: users(w.db).approve_request(
        a, f"req{n}", Role.NURSE)),
    "refuse_request": (ADMIN, lambda w, a, n: users(w.db).refuse_request(a, f"req{n}")),
    "users_with_roles": (EVERYONE, lambda w, a, n: users(w.db).users_with_roles(
        a, [Role.SURGEON])),
    "list_rooms": (EVERYONE, lambda w, a, n: _rooms(w).list_rooms(a)),
    "add_room": (ROOM_MANAGERS, lambda w, a, n: _rooms(w).add_room(
        a, code=f"R{n}", name=f"Room {n}")),
    "update_room": (ROOM_MANAGERS, lambda w, a, n: _rooms(w).update_room(
        a, "OR1", name=f"Room one {n}")),
    "add_closure": (ROOM_MANAGERS, lambda w, a, n: _rooms(w).add_closure(
        a, "OR1", starts_at=datetime(2026, 2, 1 + n, 8), ends_at=datetime(2026, 2, 1 + n, 12),
        reason="deep clean")),
    "remove_closure": (ROOM_MANAGERS, lambda w, a, n: _rooms(w).remove_closure(
        a, w.closure_ids[n])),
    "closures": (EVERYONE, lambda w, a, n: _rooms(w).closures(a, "OR1")),
    "cases_clashing_with_closure": (ROOM_MANAGERS, lambda w, a, n: (
        _rooms(w).cases_clashing_with_closure(
            a, "OR1", datetime(2026, 3, 2, 8), datetime(2026, 3, 2, 12)))),
    "see_settings": (EVERYONE, lambda w, a, n: SettingsService(w.db).get(a)),
    "change_settings": (ADMIN, lambda w, a, n: SettingsService(w.db).update(
        a, idle_lock_minutes=10 + n)),
}


@pytest.fixture
def world(db: Database) -> tuple[World, dict[Role, Actor]]:
    actors = one_of_each(db)
    admin = actors[Role.ADMIN]
    for n in range(len(ROLES)):
        users(db).request_access(username=f"req{n}", display_name=f"Request {n}",
                                 email=f"req{n}@or.hospital.local", password=PASSWORD)
    rooms = RoomService(db)
    rooms.add_room(admin, code="OR1", name="Room one")
    closure_ids = [
        rooms.add_closure(admin, "OR1", starts_at=datetime(2026, 4, 1 + n, 8),
                          ends_at=datetime(2026, 4, 1 + n, 9), reason="staffing").id
        for n in range(len(ROLES))
    ]
    return World(db, closure_ids), actors


@pytest.mark.parametrize("action", sorted(CASES))
def test_each_role_may_do_exactly_what_the_table_says(world, action):
    state, actors = world
    allowed_roles, call = CASES[action]
    for n, role in enumerate(ROLES):
        if role in allowed_roles:
            call(state, actors[role], n)
        else:
            with pytest.raises(PermissionDenied):
                call(state, actors[role], n)
    # Without a login one answers as a viewer would, and changes nothing.
    if Role.VIEWER not in allowed_roles:
        with pytest.raises(PermissionDenied):
            call(state, ANONYMOUS, 0)

