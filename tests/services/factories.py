"""Test staff, rooms and services for the case tests, made straight with the ORM.

Import the fixtures into a test module (``from tests.services.factories import kit``);
``kit`` gives a fresh database on each backend with one user of every role, rooms, a
fake clock and the case and checklist services.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

import pytest

from surgdesk.domain import models as m
from surgdesk.domain.enums import Priority, Role, RoomStatus
from surgdesk.repository.database import Database
from surgdesk.services.cases import CaseService
from surgdesk.services.checklists import ChecklistService
from surgdesk.services.context import Actor, FakeClock
from surgdesk.services.dto import CaseResult

# Monday 2 March 2026, before the working day (Berlin is UTC+1 then).
NOW = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
# Tuesday 3 March 2026, department wall-clock (naive = Europe/Berlin in tests).
DAY = datetime(2026, 3, 3)


def at(hour: int, minute: int = 0, *, day: int = 0) -> datetime:
    """A naive department time on the test Tuesday (plus ``day`` days)."""
    return DAY.replace(day=DAY.day + day, hour=hour, minute=minute)


PEOPLE: dict[str, tuple[Role, str | None]] = {
    "admin": (Role.ADMIN, None),
    "sched": (Role.SCHEDULER, None),
    "surg1": (Role.SURGEON, "orthopedics"),
    "surg2": (Role.SURGEON, "general"),
    "anes1": (Role.ANESTHESIOLOGIST, None),
    "anes2": (Role.ANESTHESIOLOGIST, None),
    "nurse1": (Role.NURSE, None),
    "nurse2": (Role.NURSE, None),
    "viewer": (Role.VIEWER, None),
}


def add_user(db: Database, username: str, role: Role, *, specialty: str | None = None,
             active: bool = True, is_device: bool = False) -> Actor:
    with db.new_session() as s:
        user = m.User(username=username, email=f"{username}@or.hospital.local", role=role,
                      display_name=f"{username.title()} Test", active=active,
                      is_device=is_device)
        s.add(user)
        if specialty is not None:
            s.add(m.SurgeonProfile(user=user, specialty=specialty))
        s.commit()
        return Actor(user.id, username, role, user.display_name, is_device=is_device)


def add_room(db: Database, code: str, **fields: Any) -> int:
    values: dict[str, Any] = {
        "name": f"Room {code}", "specialty_tags": [], "turnover_minutes": 30,
        "opens_at": time(7), "closes_at": time(19), "weekdays": [0, 1, 2, 3, 4],
        "status": RoomStatus.ACTIVE,
    }
    values.update(fields)
    with db.new_session() as s:
        room = m.OperatingRoom(code=code, **values)
        s.add(room)
        s.commit()
        return room.id


@dataclass
class Kit:
    db: Database
    clock: FakeClock
    cases: CaseService
    checklists: ChecklistService
    actors: dict[str, Actor] = field(default_factory=dict)

    def __getitem__(self, username: str) -> Actor:
        return self.actors[username]

    def new_case(self, *, room: str | None = "OR1", start: datetime | None = None,
                 duration_min: int | None = 60, **overrides: Any) -> CaseResult:
        """A case by the scheduler: scheduled when a room is given (default 08:00)."""
        fields: dict[str, Any] = {
            "procedure_name": "Knee arthroscopy", "patient_id": "MRN-1",
            "patient_name": "Erika Mustermann", "lead_surgeon": "surg1",
            "anesthetist": "anes1", "priority": Priority.ELECTIVE,
        }
        fields.update(overrides)
        if room is not None:
            fields.update(room=room, start=start or at(8), duration_min=duration_min)
        elif duration_min is not None:
            fields["duration_min"] = duration_min
        actor = fields.pop("actor", self.actors["sched"])
        return self.cases.create_case(actor, **fields)

    def tick_all(self, case_number: str, *sections: str) -> None:
        """Tick every required item of the given sections, as the admin."""
        for checklist in self.checklists.checklists(self["admin"], case_number):
            for item in checklist.items:
                if item.section in sections and item.is_required:
                    self.checklists.tick(self["admin"], case_number, item.item_code)


def build_kit(db: Database) -> Kit:
    clock = FakeClock(NOW)
    kit = Kit(db, clock, CaseService(db, clock), ChecklistService(db, clock))
    for username, (role, specialty) in PEOPLE.items():
        kit.actors[username] = add_user(db, username, role, specialty=specialty)
    kit.actors["wall"] = add_user(db, "wall", Role.VIEWER, is_device=True)
    add_room(db, "OR1")
    add_room(db, "OR2", specialty_tags=["orthopedics"], turnover_minutes=15)
    add_room(db, "OR3", status=RoomStatus.MAINTENANCE)
    return kit


@pytest.fixture
def kit(db: Database) -> Iterator[Kit]:
    yield build_kit(db)
