"""The demo's shared equipment and preference cards read back through the services and the
tables: the fleet, the cards and the cases filled from them, no unit ever held by two
cases at once (turnaround included, checked by brute force over every case_equipment
row), and cases contending for the robot.

One small demo per module on SQLite (generation on both backends is tests/services/
test_demo.py's business); every test only reads it."""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from surgdesk.domain import equipment as eq
from surgdesk.domain import models as m
from surgdesk.domain.enums import CaseStatus, EquipmentStatus, Role
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services.context import Actor, FakeClock
from surgdesk.services.demo import DemoSummary, generate_demo
from surgdesk.services.dto import EquipmentUnitView, PreferenceCardView
from surgdesk.services.registry import Services

# Tuesday 24 November 2026, 11:17 in Berlin (as in test_demo): past, today and future.
NOW = datetime(2026, 11, 24, 10, 17, tzinfo=UTC)
ROOMS, DAYS = 12, 7
BERLIN = ZoneInfo("Europe/Berlin")
PLACED = {CaseStatus.SCHEDULED, CaseStatus.PREOP_READY, CaseStatus.IN_PROGRESS,
          CaseStatus.COMPLETED}


@dataclass(frozen=True)
class HoldRow:
    """A case_equipment row with its case, as the brute-force checks read it."""

    case_id: int
    case_number: str
    status: CaseStatus
    procedure: str
    surgeon_profile: int
    card_id: int | None
    room_id: int | None
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    kind_id: int
    unit_id: int | None
    starts_at: datetime | None
    held_until: datetime | None


@dataclass
class Demo:
    services: Services
    actor: Actor
    summary: DemoSummary
    units: list[EquipmentUnitView]
    cards: list[PreferenceCardView]
    rows: list[HoldRow]
    kinds: dict[int, str]
    unit_rows: dict[int, m.EquipmentUnit]
    closures: list[m.EquipmentClosure]
    rooms: dict[int, str]
    filled: list[tuple[str, int, int]]  # cases with a card: procedure, surgeon, card


def _utc(value: datetime | None) -> datetime | None:
    """SQLite gives naive UTC back on raw column reads; compare as aware."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    path = tmp_path_factory.mktemp("demo_equipment") / "demo.db"
    shutil.copyfile(sqlite_template, path)
    db = Database(make_nullpool_engine(f"sqlite:///{path}"))
    clock = FakeClock(NOW)
    summary = generate_demo(db, rooms=ROOMS, days=DAYS, seed=3, clock=clock)
    ce, c = m.CaseEquipment, m.SurgeryCase
    with db.new_session(read_only=True) as s:
        user = s.scalars(select(m.User).where(m.User.username == "scheduler1")).one()
        actor = Actor(user.id, user.username, Role.SCHEDULER, user.display_name)
        rows = [HoldRow(r.case_id, r.case_number, CaseStatus(r.status), r.procedure_name,
                        r.lead_surgeon_id, r.preference_card_id, r.operating_room_id,
                        _utc(r.scheduled_start), _utc(r.scheduled_end), r.kind_id,
                        r.unit_id, _utc(r.starts_at), _utc(r.held_until))
                for r in s.execute(
                    select(ce.case_id, c.case_number, c.status, c.procedure_name,
                           c.lead_surgeon_id, c.preference_card_id, c.operating_room_id,
                           c.scheduled_start, c.scheduled_end, ce.kind_id, ce.unit_id,
                           ce.starts_at, ce.held_until)
                    .join(c, c.id == ce.case_id).order_by(ce.id))]
        kinds = {k.id: k.name for k in s.scalars(select(m.EquipmentKind))}
        unit_rows = {u.id: u for u in s.scalars(select(m.EquipmentUnit))}
        closures = list(s.scalars(select(m.EquipmentClosure)))
        rooms = {r.id: r.code for r in s.scalars(select(m.OperatingRoom))}
        filled = [(p, surgeon, card) for p, surgeon, card in s.execute(
            select(c.procedure_name, c.lead_surgeon_id, c.preference_card_id)
            .where(c.preference_card_id.is_not(None))) if card is not None]
        s.expunge_all()
    services = Services.create(db, clock)
    units = services.equipment.units(actor)
    cards = services.cards.list_cards(actor)
    yield Demo(services, actor, summary, units, cards, rows, kinds, unit_rows, closures,
               rooms, filled)
    services.close()


def _robot(demo: Demo) -> EquipmentUnitView:
    return next(u for u in demo.units if u.kind == "Robot")


# --- the fleet and the cards -------------------------------------------------------------

def test_the_fleet_is_a_suites(demo: Demo) -> None:
    by_kind: dict[str, list[EquipmentUnitView]] = defaultdict(list)
    for unit in demo.units:
        by_kind[unit.kind].append(unit)
    assert sorted(by_kind) == ["C-arm", "Laser", "Microscope", "Robot"]
    robot, = by_kind["Robot"]
    assert len(robot.room_codes) == 2
    c_arms = Counter((u.status, u.turnaround_minutes) for u in by_kind["C-arm"])
    assert c_arms == {(EquipmentStatus.AVAILABLE, 15): 2,
                      (EquipmentStatus.MAINTENANCE, 15): 1}
    microscopes = by_kind["Microscope"]
    assert len(microscopes) == 2
    assert microscopes[0].room_codes  # kept in the neurosurgery rooms
    assert {u.room_codes for u in microscopes} == {microscopes[0].room_codes}
    laser, = by_kind["Laser"]
    assert laser.turnaround_minutes == 20
    closures = demo.services.equipment.closures(demo.actor, laser.name)
    assert len(closures) == 1
    assert closures[0].reason
    assert demo.summary.equipment_units == len(demo.units) == 7
    kinds = demo.services.equipment.kinds(demo.actor)
    assert all(k.active for k in kinds)


def test_surgeons_have_cards_for_common_and_equipment_procedures(demo: Demo) -> None:
    assert demo.summary.preference_cards == len(demo.cards)
    surgeons = {c.surgeon_username for c in demo.cards}
    assert len(surgeons) >= 10  # one or more per specialty
    assert any(c.equipment == ("Robot",) for c in demo.cards)
    assert any("C-arm" in c.equipment for c in demo.cards)
    for card in demo.cards:
        assert card.duration_min is not None
        assert card.positioning
        assert card.trays
        assert card.supplies
    pairs = Counter((c.surgeon_username, c.procedure_name.lower()) for c in demo.cards)
    assert max(pairs.values()) == 1  # one card per surgeon and procedure


def test_cases_filled_from_a_card_match_it(demo: Demo) -> None:
    cards = {c.id: c for c in demo.cards}
    assert len(demo.filled) > demo.summary.cases // 3
    for procedure, surgeon, card_id in demo.filled:
        card = cards[card_id]
        assert (card.surgeon_id, card.procedure_name) == (surgeon, procedure)
    # A case's needs are its card's equipment.
    needs: dict[int, list[str]] = defaultdict(list)
    card_of: dict[int, int | None] = {}
    for row in demo.rows:
        needs[row.case_id].append(demo.kinds[row.kind_id])
        card_of[row.case_id] = row.card_id
    for case_id, kinds in needs.items():
        filled_from = card_of[case_id]
        if filled_from is not None:
            assert sorted(cards[filled_from].equipment) == sorted(kinds)


# --- holds -------------------------------------------------------------------------------

def test_no_unit_is_ever_held_twice_at_once_turnaround_included(demo: Demo) -> None:
    held = [(r.unit_id, r.starts_at, r.held_until, r.case_number) for r in demo.rows
            if r.unit_id is not None and r.starts_at is not None
            and r.held_until is not None]
    assert len(held) == demo.summary.equipment_holds > 20
    for a_index, (unit, a_start, a_until, a_case) in enumerate(held):
        for other, b_start, b_until, b_case in held[a_index + 1:]:
            if unit == other:
                assert not (a_start < b_until and b_start < a_until), (
                    a_case, b_case, demo.unit_rows[unit].name)


def test_each_hold_is_the_cases_time_plus_the_units_turnaround(demo: Demo) -> None:
    closed = defaultdict(list)
    for closure in demo.closures:
        closed[closure.unit_id].append((_utc(closure.starts_at), _utc(closure.ends_at)))
    for row in demo.rows:
        if row.unit_id is None:
            continue
        assert row.starts_at is not None
        assert row.held_until is not None
        unit = demo.unit_rows[row.unit_id]
        assert row.status in PLACED
        assert unit.kind_id == row.kind_id
        assert unit.status is EquipmentStatus.AVAILABLE
        assert not unit.room_ids or row.room_id in unit.room_ids
        assert row.scheduled_end is not None
        assert row.starts_at == row.scheduled_start
        assert row.held_until == row.scheduled_end + timedelta(
            minutes=unit.turnaround_minutes)
        for start, end in closed[row.unit_id]:
            assert start is not None
            assert end is not None
            assert not (row.starts_at < end and start < row.held_until)


def test_queued_cancelled_and_postponed_cases_keep_needs_without_units(demo: Demo) -> None:
    waiting = [r for r in demo.rows if r.status not in PLACED]
    assert any(r.status is CaseStatus.REQUESTED for r in waiting)
    assert all(r.unit_id is None and r.starts_at is None for r in waiting)


def test_cases_read_through_the_services_show_their_units(demo: Demo) -> None:
    start = datetime(2026, 11, 25, 0, 0, tzinfo=BERLIN)
    board = demo.services.cases.board(demo.actor, start, start + timedelta(days=2))
    robot = _robot(demo).name
    with_robot = [c for c in board.cases if any(e.unit == robot for e in c.equipment)]
    assert with_robot
    queued = [c for c in board.queue if any(e.kind == "Robot" for e in c.equipment)]
    assert queued
    assert all(e.unit is None for c in queued for e in c.equipment)


# --- the robot ---------------------------------------------------------------------------

def test_cases_contend_for_the_robot(demo: Demo) -> None:
    robot = _robot(demo)
    holds = sorted((r for r in demo.rows if r.unit_id == robot.id),
                   key=lambda r: r.starts_at or NOW)
    by_day: dict[object, list[HoldRow]] = defaultdict(list)
    for row in holds:
        assert row.starts_at is not None
        by_day[row.starts_at.astimezone(BERLIN).date()].append(row)
    shared = {day: rows for day, rows in by_day.items()
              if len({r.room_id for r in rows}) == 2}
    assert len(shared) >= 2, by_day  # two days the robot moves between its rooms
    for rows in shared.values():
        assert all(r.status is not CaseStatus.COMPLETED for r in rows)  # days ahead
    queued = [r for r in demo.rows if r.kind_id == robot.kind_id
              and r.status is CaseStatus.REQUESTED]
    assert len(queued) >= 2
    # The obvious slot for a queued robot case, the other robot room at the time the
    # robot is in the first: refused, naming the case holding it.
    first = next(iter(shared.values()))[0]
    assert first.starts_at is not None
    assert first.held_until is not None
    other_room = next(r for r in demo.unit_rows[robot.id].room_ids if r != first.room_id)
    unit = eq.Unit(robot.id, robot.name, robot.kind_id, robot.status,
                   robot.turnaround_minutes, frozenset(robot.room_ids))
    hold = eq.Hold(robot.id, first.case_id, first.case_number,
                   demo.rooms[first.room_id or 0], first.starts_at, first.held_until)
    found = eq.allocate([eq.Need(robot.kind_id)], [unit], other_room, first.starts_at,
                        first.starts_at + timedelta(hours=2), [hold])
    assert isinstance(found, eq.Shortage)
    assert [h.case_number for h in found.blocked_by] == [first.case_number]


# --- determinism -------------------------------------------------------------------------

def _equipment_tables(db: Database) -> dict[str, list[tuple[object, ...]]]:
    out: dict[str, list[tuple[object, ...]]] = {}
    with db.new_session(read_only=True) as s:
        for model in (m.EquipmentKind, m.EquipmentUnit, m.EquipmentClosure, m.CaseEquipment,
                      m.PreferenceCard):
            table = model.__table__
            rows = s.execute(select(*table.columns).order_by(table.c.id)).all()
            out[model.__tablename__] = [tuple(r) for r in rows]
    return out


def test_the_same_seed_gives_the_same_fleet_cards_and_holds(
        sqlite_template: Path, tmp_path: Path) -> None:
    """Two small demos (about half a second each: the reason this test takes a second)."""
    tables = []
    for k in range(2):
        path = tmp_path / f"demo{k}.db"
        shutil.copyfile(sqlite_template, path)
        db = Database(make_nullpool_engine(f"sqlite:///{path}"))
        try:
            generate_demo(db, rooms=6, days=5, seed=4, clock=FakeClock(NOW))
            tables.append(_equipment_tables(db))
        finally:
            db.dispose()
    assert tables[0] == tables[1]
    assert tables[0]["case_equipment"]
