"""A small department for the case screens, made through the services themselves: one
person of each role (two surgeons, two nurses), two rooms, a fake clock on a winter
Monday. Every test gets a fresh migrated SQLite database (``sqlite_url``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from surgdesk.domain.enums import Laterality, Role
from surgdesk.repository.database import Database, make_engine
from surgdesk.services.context import Actor, FakeClock
from surgdesk.services.dto import AuditEntry, CaseResult
from surgdesk.services.registry import Services
from tests.services.staff import add_staff, bootstrap_admin

# Monday 12 January 2026, 07:00 in Berlin (the tests' department zone).
NOW = datetime(2026, 1, 12, 6, 0, tzinfo=UTC)
# Tuesday 13 January 2026, 08:00 department time (naive = department wall clock).
SLOT = datetime(2026, 1, 13, 8, 0)

STAFF: dict[str, Role] = {
    "sched": Role.SCHEDULER,
    "surg1": Role.SURGEON,
    "surg2": Role.SURGEON,
    "anes1": Role.ANESTHESIOLOGIST,
    "nurse1": Role.NURSE,
    "nurse2": Role.NURSE,
    "viewer": Role.VIEWER,
}


@dataclass
class Dept:
    services: Services
    clock: FakeClock
    people: dict[str, Actor]

    def __getitem__(self, username: str) -> Actor:
        return self.people[username]

    def new_case(self, *, room: str | None = "OR1", start: datetime | None = SLOT,
                 patient_id: str = "MRN-1001", **fields: object) -> CaseResult:
        values: dict[str, object] = {
            "procedure_name": "Knee arthroscopy", "patient_id": patient_id,
            "patient_name": "Jane Roe", "lead_surgeon": "surg1", "anesthetist": "anes1",
            "laterality": Laterality.LEFT, "duration_min": 90, **fields,
        }
        return self.services.cases.create_case(
            self["sched"], room=room, start=start if room else None, **values)  # type: ignore[arg-type]

    def history(self, case_number: str) -> list[AuditEntry]:
        return self.services.cases.history(self["admin"], case_number)

    def actions(self, case_number: str) -> list[str]:
        return [e.action for e in self.history(case_number)]


@pytest.fixture
def dept(sqlite_url: str) -> Iterator[Dept]:
    yield from _department(sqlite_url)


@pytest.fixture
def dept_any(db_url: str) -> Iterator[Dept]:
    """The department on each backend (for the service-level checks the form relies on)."""
    yield from _department(db_url)


def _department(url: str) -> Iterator[Dept]:
    db = Database(make_engine(url))  # pooled, as the app's
    clock = FakeClock(NOW)
    admin = bootstrap_admin(db, clock)
    people = {"admin": admin}
    for username, role in STAFF.items():
        people[username] = add_staff(db, admin, role, username, clk=clock)
    services = Services.create(db, clock)
    services.rooms.add_room(admin, code="OR1", name="General 1")
    services.rooms.add_room(admin, code="OR2", name="Orthopedics", specialty_tags=["orthopedics"])
    yield Dept(services, clock, people)
    db.dispose()
