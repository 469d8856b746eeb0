"""Demo data: fill an empty database with a realistic, deterministic OR department.

``generate_demo`` builds the whole schedule in memory first — staff, rooms, every room's
day packed case after case with its turnover, teams, checklists whose ticks agree with each
case's status and the clock — and then writes it in one transaction through the
repository's bulk writer (plain rows with ids allocated here, not ORM objects), so
60 rooms x 30 days take seconds, not minutes.

The same seed, start day and clock give the same data. The only soft conflicts are the
deliberate ones: a surgeon booked in two rooms at once, once or twice, so the board's
warning mark has something to show. Patient names come from a list of plainly made-up
names and never reach the log.
"""

from __future__ import annotations

import logging
import time as _time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

from argon2 import PasswordHasher

from surgdesk.domain import models as m
from surgdesk.domain.enums import CaseStatus, Role
from surgdesk.domain.timezones import zone
from surgdesk.errors import BadInput, FieldProblem, Refused
from surgdesk.repository.bulk import BulkWriter
from surgdesk.repository.database import Database
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.context import Clock, SystemClock
from surgdesk.services.demo.blocks import block_rows, plan_blocks
from surgdesk.services.demo.cards import card_rows, plan_cards
from surgdesk.services.demo.cases import plan_emergency_rooms, plan_lists, plan_queue
from surgdesk.services.demo.catalogue import EMAIL_DOMAIN
from surgdesk.services.demo.equipment import build_fleet, equipment_rows
from surgdesk.services.demo.history import assign_patients_and_numbers, assign_statuses
from surgdesk.services.demo.people import build_staff, double_book_surgeons, people_rows
from surgdesk.services.demo.plan import Plan
from surgdesk.services.demo.rooms import build_rooms, room_rows
from surgdesk.services.demo.rows import Rows, case_rows

__all__ = ["DEFAULT_PASSWORD", "EMAIL_DOMAIN", "MAX_DAYS", "MAX_ROOMS", "DemoSummary",
           "demo_range", "generate_demo"]

log = logging.getLogger(__name__)

DEFAULT_PASSWORD = "demo-password-1"
MAX_ROOMS = 200
MAX_DAYS = 366
_WEEK = 7


@dataclass(frozen=True)
class DemoSummary:
    """What ``generate_demo`` made. ``logins`` are (username, role, display name)."""

    first_day: date
    last_day: date
    users: int
    rooms: int
    cases: int
    checklist_items: int
    care_team_members: int
    notes: int
    by_status: dict[str, int]
    by_role: dict[str, int]
    logins: list[tuple[str, str, str]]
    password: str
    seconds: float
    blocks: int = 0
    block_releases: int = 0  # dates released by hand (the rule releases others when read)
    equipment_units: int = 0
    preference_cards: int = 0
    equipment_holds: int = 0  # cases' units held (case_equipment rows with a unit)

    def describe(self) -> str:
        statuses = ", ".join(f"{k} {v}" for k, v in self.by_status.items())
        return (
            f"{self.users} users, {self.rooms} rooms, {self.blocks} blocks "
            f"({self.block_releases} date{'' if self.block_releases == 1 else 's'} released "
            f"by hand), {self.equipment_units} equipment units, "
            f"{self.preference_cards} preference cards, {self.cases} cases "
            f"({statuses}), {self.checklist_items} checklist items, "
            f"{self.first_day.isoformat()} to {self.last_day.isoformat()}, "
            f"in {self.seconds:.1f} s"
        )


def demo_range(start: date | None, days: int, today: date) -> tuple[date, int]:
    """The first day and the number of days the demo fills.

    Given a start, exactly that. Without one, whole weeks from the Monday of ``today``'s
    week: ``days`` rounded up to a multiple of seven.
    """
    if start is not None:
        return start, days
    monday = today - timedelta(days=today.weekday())
    return monday, -(-days // _WEEK) * _WEEK


def _check_arguments(rooms: int, days: int, password: str) -> None:
    problems = []
    if not 1 <= rooms <= MAX_ROOMS:
        problems.append(FieldProblem("rooms", f"must be between 1 and {MAX_ROOMS}"))
    if not 1 <= days <= MAX_DAYS:
        problems.append(FieldProblem("days", f"must be between 1 and {MAX_DAYS}"))
    if len(password) < 8:
        problems.append(FieldProblem("password", "must be at least 8 characters"))
    if problems:
        raise BadInput(problems)


def generate_demo(
    db: Database,
    *,
    rooms: int = 12,
    days: int = 14,
    start: date | None = None,
    seed: int = 1,
    password: str = DEFAULT_PASSWORD,
    clock: Clock | None = None,
) -> DemoSummary:
    """Fill an empty database with demo staff, rooms, blocks and cases; refuse one that
    holds data.

    ``start`` is the first day. Without it the demo fills whole weeks: it starts on the
    Monday of this week (today from ``clock``, in the department's zone, so the board shows
    past, present and future) and ``days`` is rounded up to whole weeks; a week that
    started mid-way would show an empty first day. Every login gets ``password``.
    """
    _check_arguments(rooms, days, password)
    began = _time.perf_counter()
    clock = clock or SystemClock()
    now = clock.now().astimezone(UTC).replace(microsecond=0)
    with UnitOfWork(db) as uow:
        writer = BulkWriter(uow.session)
        writer.lock_for_load()
        if writer.holds_data():
            raise Refused(
                "the database already holds data (users, rooms or cases); "
                "the demo fills only an empty database"
            )
        tz = zone(uow.settings.get().time_zone)
        first_day, days = demo_range(start, days, now.astimezone(tz).date())
        tables = (m.User, m.SurgeonProfile, m.OperatingRoom, m.RoomClosure, m.Block,
                  m.BlockException, m.BlockRelease, m.EquipmentKind, m.EquipmentUnit,
                  m.EquipmentClosure, m.PreferenceCard, m.SurgeryCase, m.CaseEquipment,
                  m.CareTeamMember, m.Checklist, m.ChecklistItem, m.CaseNote)
        ids = {model.__tablename__: writer.next_id(model) for model in tables}
        plan = Plan(rooms=rooms, days=days, start=first_day, seed=seed, now=now, tz=tz,
                    templates=writer.active_templates(), ids=ids)
        build_rooms(plan)
        build_staff(plan)
        build_fleet(plan)  # before the lists: cases get units as they are booked
        plan_blocks(plan)  # before the lists: the lists are planned around the blocks
        plan_lists(plan)
        plan_emergency_rooms(plan)
        double_book_surgeons(plan)
        plan_queue(plan)
        assign_statuses(plan)
        assign_patients_and_numbers(plan)
        plan_cards(plan)
        planned = _time.perf_counter()

        rows = Rows()
        created = (now - timedelta(days=days + 60)).replace(microsecond=0)
        # One hash for every login: argon2id is slow on purpose, 200 of them would take
        # a minute. Every demo account shares the password anyway.
        people_rows(plan, rows, PasswordHasher().hash(password), created)
        room_rows(plan, rows, created)
        blocks, exceptions, releases = block_rows(plan, created)
        equipment = equipment_rows(plan, created)
        cards = card_rows(plan, created)
        case_rows(plan, rows)
        built = _time.perf_counter()

        writer.insert(m.User, rows.users)
        writer.insert(m.SurgeonProfile, rows.profiles)
        writer.insert(m.OperatingRoom, rows.rooms)
        writer.insert(m.RoomClosure, rows.closures)
        writer.insert(m.Block, blocks)
        writer.insert(m.BlockException, exceptions)
        writer.insert(m.BlockRelease, releases)
        writer.insert(m.EquipmentKind, equipment["kinds"])
        writer.insert(m.EquipmentUnit, equipment["units"])
        writer.insert(m.EquipmentClosure, equipment["closures"])
        writer.insert(m.PreferenceCard, cards)
        writer.insert(m.SurgeryCase, rows.cases)
        writer.insert(m.CaseEquipment, equipment["holds"])
        writer.insert(m.CareTeamMember, rows.team)
        writer.insert(m.Checklist, rows.checklists)
        writer.insert(m.ChecklistItem, rows.items)
        writer.insert(m.CaseNote, rows.notes)
        writer.set_case_counters(plan.counters, now)
        writer.advance_sequences(tables)

        by_status = Counter(c.status.value for c in plan.cases)
        by_role = Counter(p.role.value for p in plan.people)
        statuses = {s.value: by_status.get(s.value, 0) for s in CaseStatus}
        roles = {r.value: by_role.get(r.value, 0) for r in Role}
        details: dict[str, Any] = {
            "seed": seed, "rooms": rooms, "days": days, "first_day": first_day.isoformat(),
            "users": len(rows.users), "cases": len(rows.cases),
            "checklist_items": len(rows.items), "by_status": statuses,
            "surgeon_double_bookings": plan.conflicts, "blocks": len(blocks),
            "block_releases": len(releases), "equipment_units": len(equipment["units"]),
            "preference_cards": len(cards),
        }
        uow.audit.record(actor_id=None, action="demo_generated", target_class="Database",
                         target_id=None, details=details, at=now)
        uow.commit()
    done = _time.perf_counter()
    log.info(
        "demo data generated: %d users, %d rooms, %d cases, %d checklist items "
        "(plan %.2f s, rows %.2f s, write %.2f s)",
        len(rows.users), len(rows.rooms), len(rows.cases), len(rows.items),
        planned - began, built - planned, done - built,
    )
    return DemoSummary(
        first_day=first_day,
        last_day=first_day + timedelta(days=days - 1),
        users=len(rows.users),
        rooms=len(rows.rooms),
        cases=len(rows.cases),
        checklist_items=len(rows.items),
        care_team_members=len(rows.team),
        notes=len(rows.notes),
        by_status=statuses,
        by_role=roles,
        logins=[(p.username, p.role.value, p.display_name) for p in plan.people],
        password=password,
        seconds=done - began,
        blocks=len(blocks),
        block_releases=len(releases),
        equipment_units=len(equipment["units"]),
        preference_cards=len(cards),
        equipment_holds=sum(1 for r in equipment["holds"] if r["unit_id"] is not None),
    )
