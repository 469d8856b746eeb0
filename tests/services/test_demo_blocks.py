"""The demo's block schedule read back through the block and case services: elective rooms
blocked, emergency rooms not, no overlap, releases by hand and by rule, utilization true to
life, and the cases in their owners' blocks (no booking warning but the deliberate ones).

One demo per module on SQLite (generation on both backends is tests/services/test_demo.py's
business); every test only reads it."""

from __future__ import annotations

import shutil
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.blocks import BlockPattern, DayException, first_overlap
from surgdesk.domain.conflicts import OTHER_BLOCK
from surgdesk.domain.enums import Priority, Role, RoomStatus
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services.context import Actor, FakeClock
from surgdesk.services.demo import DemoSummary, generate_demo
from surgdesk.services.dto import BlockView, OccurrenceView
from surgdesk.services.registry import Services

# Tuesday 24 November 2026, 11:17 in Berlin (as in test_demo): past, today and future.
NOW = datetime(2026, 11, 24, 10, 17, tzinfo=UTC)
ROOMS, DAYS = 20, 14


@dataclass
class Demo:
    services: Services
    actor: Actor
    summary: DemoSummary
    blocks: list[BlockView]
    occurrences: list[OccurrenceView]


@pytest.fixture(scope="module")
def demo(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    path = tmp_path_factory.mktemp("demo_blocks") / "demo.db"
    shutil.copyfile(sqlite_template, path)
    db = Database(make_nullpool_engine(f"sqlite:///{path}"))
    clock = FakeClock(NOW)
    summary = generate_demo(db, rooms=ROOMS, days=DAYS, seed=3, clock=clock)
    with db.new_session(read_only=True) as s:
        user = s.scalars(select(m.User).where(m.User.username == "scheduler1")).one()
        actor = Actor(user.id, user.username, Role.SCHEDULER, user.display_name)
    services = Services.create(db, clock)
    blocks = services.blocks.list_blocks(actor)
    occurrences = services.blocks.occurrences(actor, summary.first_day, summary.last_day)
    yield Demo(services, actor, summary, blocks, occurrences)
    services.close()


def test_elective_rooms_are_blocked_and_emergency_rooms_are_not(demo: Demo) -> None:
    rooms = demo.services.rooms.list_rooms(demo.actor)
    blocked = {b.room_code for b in demo.blocks}
    emergency = {r.code for r in rooms if r.name.startswith("Emergency")}
    elective = {r.code for r in rooms if r.code not in emergency}
    assert len(emergency) == 2
    assert not blocked & emergency
    assert blocked == elective
    assert demo.summary.blocks == len(demo.blocks)


def test_services_own_most_blocks_and_a_few_surgeons_theirs(demo: Demo) -> None:
    by_service = [b for b in demo.blocks if b.service is not None]
    by_surgeon = [b for b in demo.blocks if b.surgeon_username is not None]
    assert len(by_service) > 2 * len(by_surgeon) > 0
    assert any(b.every_weeks == 2 for b in by_surgeon)
    assert any(b.weeks_of_month == (1, 3) for b in by_surgeon)
    assert any(b.valid_until is not None for b in by_surgeon)  # one ends
    # A service block covers the weeks a fortnightly surgeon block leaves.
    assert any(b.every_weeks == 2 for b in by_service)
    # Weekdays only, in the day's working hours.
    assert all(max(b.weekdays) <= 4 for b in demo.blocks)
    assert all(b.start.hour >= 7 and b.end.hour <= 16 for b in demo.blocks)
    # A shared room (no specialty tag) lends a day to a second service.
    services_per_room: dict[str, set[str]] = defaultdict(set)
    for b in by_service:
        assert b.service is not None
        services_per_room[b.room_code].add(b.service)
    assert any(len(s) > 1 for s in services_per_room.values())


def _pattern(b: BlockView) -> BlockPattern:
    return BlockPattern(weekdays=b.weekdays, start=b.start, end=b.end, valid_from=b.valid_from,
                        valid_until=b.valid_until, every_weeks=b.every_weeks,
                        weeks_of_month=b.weeks_of_month)


def _exceptions(b: BlockView) -> dict[date, DayException]:
    return {e.day: DayException(e.day, e.cancelled, e.start, e.end) for e in b.exceptions}


def test_no_two_blocks_of_a_room_ever_overlap(demo: Demo) -> None:
    by_room: dict[str, list[BlockView]] = defaultdict(list)
    for b in demo.blocks:
        by_room[b.room_code].append(b)
    for blocks in by_room.values():
        for i, a in enumerate(blocks):
            for b in blocks[i + 1:]:
                assert first_overlap(_pattern(a), _exceptions(a), _pattern(b),
                                     _exceptions(b)) is None, (a.id, b.id)


def test_one_date_has_other_hours(demo: Demo) -> None:
    changed = [e for b in demo.blocks for e in b.exceptions]
    assert len(changed) == 1
    assert not changed[0].cancelled
    assert changed[0].reason


def test_dates_released_by_hand_and_by_rule(demo: Demo) -> None:
    by_hand = [o for o in demo.occurrences if o.released and not o.released_by_rule]
    by_rule = [o for o in demo.occurrences if o.released_by_rule]
    assert by_hand
    assert by_rule
    assert all(o.release_reason and o.released_by_name for o in by_hand)
    assert all(o.released_days_ahead is not None and o.released_days_ahead >= 0
               for o in by_hand)
    assert len(by_hand) == demo.summary.block_releases
    # The rule released only what its owner left empty, and near enough (or past).
    for o in by_rule:
        assert o.used_minutes == 0
        assert o.start - timedelta(days=14) <= NOW
    # Most dates are kept by their owners.
    assert len(by_hand) + len(by_rule) < len(demo.occurrences) // 5


def test_utilization_is_true_to_life(demo: Demo) -> None:
    report = demo.services.blocks.usage(demo.actor, demo.summary.first_day,
                                        demo.summary.last_day)
    assert report.utilization is not None
    assert 0.6 <= report.utilization <= 0.85
    assert report.released_minutes > 0
    held = [o for o in demo.occurrences if not o.released]
    typical = [o for o in held if 0.6 <= o.utilization <= 0.95]
    poorly = [o for o in held if o.utilization < 0.5]
    assert len(typical) >= 0.6 * len(held)
    assert 0 < len(poorly) <= 0.2 * len(held)


def test_cases_are_booked_in_their_owners_blocks(demo: Demo) -> None:
    """Nothing sits in someone else's held block (the board's booking warning), and an
    elective list's cases mostly fall in their owner's block."""
    tz_start = datetime.combine(demo.summary.first_day, datetime.min.time(), UTC)
    board = demo.services.cases.board(demo.actor, tz_start - timedelta(hours=2),
                                      tz_start + timedelta(days=DAYS))
    assert not [c.case_number for c in board.cases if OTHER_BLOCK in c.conflicts]
    assert {code for c in board.cases for code in c.conflicts} <= {"surgeon_double_booked"}

    spans = defaultdict(list)
    for o in demo.occurrences:
        spans[o.room_code].append(o)
    rooms = {r.code: r for r in demo.services.rooms.list_rooms(demo.actor)}
    inside = total = 0
    for case in board.cases:
        room = rooms.get(case.room_code or "")
        if room is None or room.status is not RoomStatus.ACTIVE or room.name.startswith(
                "Emergency") or case.priority is not Priority.ELECTIVE:
            continue
        assert case.scheduled_start is not None
        total += 1
        inside += any(o.start <= case.scheduled_start < o.end and not o.released
                      for o in spans[room.code])
    assert inside >= 0.5 * total  # the rest: open time after the blocks and on open days


def test_the_same_seed_gives_the_same_blocks(demo: Demo, sqlite_template: Path,
                                             tmp_path: Path) -> None:
    path = tmp_path / "again.db"
    shutil.copyfile(sqlite_template, path)
    db = Database(make_nullpool_engine(f"sqlite:///{path}"))
    try:
        generate_demo(db, rooms=ROOMS, days=DAYS, seed=3, clock=FakeClock(NOW))
        again = Services.create(db, FakeClock(NOW))
        assert again.blocks.list_blocks(demo.actor) == demo.blocks
        assert again.blocks.occurrences(demo.actor, demo.summary.first_day,
                                        demo.summary.last_day) == demo.occurrences
    finally:
        db.dispose()
