"""Test staff, rooms and services for the case tests, made straight with the ORM.

Import the fixtures into a test module (``from tests.services.factories import kit``);
``kit`` gives a fresh database on each backend with one user of every role, rooms, a
fake clock and the case and checklist services.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import (
    CaseStatus,
    ItemStatus,
    Laterality,
    Priority,
    Role,
    RoomStatus,
    TeamRole,
)
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


ROOM_DEFAULTS: dict[str, Any] = {
    "specialty_tags": [], "turnover_minutes": 30, "opens_at": time(7), "closes_at": time(19),
    "weekdays": [0, 1, 2, 3, 4], "status": RoomStatus.ACTIVE,
}
# OR1 takes anything; OR2 is the orthopedic room; OR3 is in maintenance.
ROOMS: dict[str, dict[str, Any]] = {
    "OR1": {},
    "OR2": {"specialty_tags": ["orthopedics"], "turnover_minutes": 15},
    "OR3": {"status": RoomStatus.MAINTENANCE},
}


def add_room(db: Database, code: str, **fields: Any) -> int:
    values: dict[str, Any] = {**ROOM_DEFAULTS, "name": f"Room {code}", **fields}
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
            "procedure_name": "Knee arthroscopy", "laterality": Laterality.LEFT,
            "patient_id": "MRN-1", "patient_name": "Erika Mustermann", "lead_surgeon": "surg1",
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


def mark_done(kit: Kit, case_number: str, *sections: str, but: str | None = None) -> None:
    """Set required items of ``sections`` done straight in the database (fast setup).

    Nothing else follows (no status change, no audit): tick the last one through the
    service when the case should react.
    """
    with kit.db.new_session() as s:
        stmt = (
            select(m.ChecklistItem)
            .join(m.Checklist)
            .join(m.SurgeryCase)
            .where(
                m.SurgeryCase.case_number == case_number,
                m.ChecklistItem.section.in_(sections),
                m.ChecklistItem.is_required.is_(True),
            )
        )
        for item in s.scalars(stmt):
            if item.item_code != but:
                item.status = ItemStatus.DONE
                item.completed_at = NOW
        s.commit()


def build_kit(db: Database) -> Kit:
    """Everyone and every room in one transaction (setup runs for every test)."""
    clock = FakeClock(NOW)
    kit = Kit(db, clock, CaseService(db, clock), ChecklistService(db, clock))
    people = {name: (role, specialty, False) for name, (role, specialty) in PEOPLE.items()}
    people["wall"] = (Role.VIEWER, None, True)
    with db.new_session() as s:
        users = {}
        for username, (role, specialty, device) in people.items():
            users[username] = user = m.User(
                username=username, email=f"{username}@or.hospital.local", role=role,
                display_name=f"{username.title()} Test", active=True, is_device=device)
            s.add(user)
            if specialty is not None:
                s.add(m.SurgeonProfile(user=user, specialty=specialty))
        for code, extra in ROOMS.items():
            s.add(m.OperatingRoom(code=code, **{**ROOM_DEFAULTS, "name": f"Room {code}",
                                               **extra}))
        s.commit()
        for username, user in users.items():
            kit.actors[username] = Actor(user.id, username, user.role, user.display_name,
                                         is_device=user.is_device)
    return kit


@pytest.fixture
def kit(db: Database) -> Kit:
    return build_kit(db)


PRE_OP_GATES = ("Sign In", "Time Out")
POST_OP_GATES = ("Sign Out",)


def case_in(kit: Kit, status: CaseStatus, *, day: int = 0, hour: int = 8) -> str:
    """A case number in ``status``, placed (when placed) at ``hour`` on test day ``day``.

    Every case except the plain scheduled one has its Sign In, Time Out and Sign Out
    items ticked, so the clinical steps out of it are not held back by the checklist.
    """
    s = CaseStatus
    if status is s.REQUESTED:
        return kit.new_case(room=None).case.case_number
    number = kit.new_case(start=at(hour, day=day)).case.case_number
    if status is s.SCHEDULED:
        return number
    if status in (s.POSTPONED, s.CANCELLED):
        kit.cases.set_status(kit["sched"], number, status, reason="theatre list overran")
        return number
    mark_done(kit, number, "Readiness", *PRE_OP_GATES, *POST_OP_GATES, but="RD-CONSENT")
    # The last Readiness item through the service, so the case turns preop_ready itself.
    kit.checklists.tick(kit["admin"], number, "RD-CONSENT")
    if status is s.PREOP_READY:
        return number
    kit.cases.set_status(kit["admin"], number, s.IN_PROGRESS)
    if status is s.COMPLETED:
        kit.cases.set_status(kit["admin"], number, s.COMPLETED)
    return number


def team_case(kit: Kit, **overrides: Any) -> str:
    """A scheduled case of surg1 and anes1 with nurse1 on its team as circulating nurse."""
    number = kit.new_case(**overrides).case.case_number
    kit.cases.assign_team_member(kit["sched"], number, "nurse1", TeamRole.CIRCULATING_NURSE)
    return number


def race(call: Callable[[], object], ceiling: float = 30.0) -> list[object]:
    """Run ``call`` on two threads released at the same moment (a retry racing its
    original); what each returned or raised, in the order they finished."""
    outcomes: list[object] = []
    barrier = threading.Barrier(2)

    def attempt() -> None:
        barrier.wait()
        try:
            outcomes.append(call())
        except Exception as exc:  # handed to the test
            outcomes.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=ceiling)
    return outcomes
