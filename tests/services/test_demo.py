"""The demo-data generator, on SQLite and Postgres: counts, consistency, determinism, speed."""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Table, func, select

from surgdesk.domain import models as m
from surgdesk.domain.enums import (
    OCCUPYING_STATUSES,
    CaseStatus,
    ChecklistStatus,
    ItemStatus,
    Phase,
    Role,
    RoomStatus,
    Section,
)
from surgdesk.errors import BadInput, Refused
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.context import FakeClock
from surgdesk.services.demo import EMAIL_DOMAIN, DemoSummary, demo_range, generate_demo
from tests.conftest import _pg_url as pg_url
from tests.conftest import clone_sqlite
from tests.pgpool import PostgresPool

# Tuesday 24 November 2026, 11:17 in Berlin: past, running and future cases all exist.
NOW = datetime(2026, 11, 24, 10, 17, tzinfo=UTC)
ROOMS, DAYS = 12, 7


def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def demo(db: Database) -> DemoSummary:
    """A demo of the test's own, for the tests that change it."""
    return generate_demo(db, rooms=ROOMS, days=DAYS, seed=7, clock=clock())


SharedDemo = tuple[Database, DemoSummary]


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_demo(request: pytest.FixtureRequest, sqlite_template: Path,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedDemo]:
    """One demo per backend for the tests that only read it (generating one takes about
    a second on the 2-core machine; two dozen tests read the same)."""
    release: Callable[[], None] | None = None
    if request.param == "sqlite":
        url = clone_sqlite(sqlite_template, tmp_path_factory.mktemp("demo"))
    else:
        pool: PostgresPool = request.getfixturevalue("postgres_pool")
        name = pool.acquire()
        url, release = pg_url(name), lambda: pool.release(name)
    database = Database(make_nullpool_engine(url))
    try:
        yield database, generate_demo(database, rooms=ROOMS, days=DAYS, seed=7, clock=clock())
    finally:
        database.dispose()
        if release is not None:
            release()


def _cases(db: Database) -> list[m.SurgeryCase]:
    with db.new_session(read_only=True) as s:
        return list(s.scalars(select(m.SurgeryCase).order_by(m.SurgeryCase.id)))


def _rooms(db: Database) -> dict[int, m.OperatingRoom]:
    with db.new_session(read_only=True) as s:
        return {r.id: r for r in s.scalars(select(m.OperatingRoom))}


Phases = dict[Phase, tuple[m.Checklist, list[m.ChecklistItem]]]


def _items_by_case(db: Database) -> dict[int, Phases]:
    out: dict[int, Phases] = defaultdict(dict)
    with db.new_session(read_only=True) as s:
        lists = {c.id: c for c in s.scalars(select(m.Checklist))}
        items: dict[int, list[m.ChecklistItem]] = defaultdict(list)
        for item in s.scalars(select(m.ChecklistItem).order_by(m.ChecklistItem.position)):
            items[item.checklist_id].append(item)
    for cl in lists.values():
        out[cl.surgery_case_id][cl.phase] = (cl, items[cl.id])
    return out


# --- staff and rooms --------------------------------------------------------------------


def test_staff_of_every_role(shared_demo: SharedDemo) -> None:
    db, demo = shared_demo
    with db.new_session(read_only=True) as s:
        users = list(s.scalars(select(m.User)))
        profiles = list(s.scalars(select(m.SurgeonProfile)))
    by_role: dict[Role | None, int] = defaultdict(int)
    for u in users:
        by_role[u.role] += 1
    assert by_role[Role.ADMIN] == 1
    assert by_role[Role.SCHEDULER] == 2
    assert by_role[Role.SURGEON] >= ROOMS - 2  # about one per room
    assert by_role[Role.ANESTHESIOLOGIST] >= ROOMS // 2
    assert by_role[Role.NURSE] >= 2 * (ROOMS - 2)
    assert by_role[Role.VIEWER] == 2
    devices = [u for u in users if u.is_device]
    assert [(d.username, d.role) for d in devices] == [("wall.display", Role.VIEWER)]
    assert all(u.email.endswith(f"@{EMAIL_DOMAIN}") for u in users)
    assert {p.specialty for p in profiles} >= {
        "general", "orthopedics", "cardiac", "neuro", "urology", "gynecology", "ENT",
        "plastics", "vascular", "ophthalmology"}
    assert len(profiles) == by_role[Role.SURGEON]
    # Summary agrees with the database, and names the logins.
    assert demo.users == len(users)
    assert demo.by_role["surgeon"] == by_role[Role.SURGEON]
    logins = {u: (r, n) for u, r, n in demo.logins}
    assert logins["admin"][0] == "admin"
    assert logins["scheduler1"][0] == "scheduler"
    assert logins["wall.display"][0] == "viewer"
    assert any(u.startswith("dr.") for u in logins)
    assert demo.password == "demo-password-1"


def test_one_hash_for_every_login_and_it_verifies(shared_demo: SharedDemo) -> None:
    db, demo = shared_demo
    with db.new_session(read_only=True) as s:
        hashes = set(s.scalars(select(m.User.password_hash)))
    assert len(hashes) == 1
    (hashed,) = hashes
    assert hashed is not None
    assert hashed.startswith("$argon2id$")
    assert PasswordHasher().verify(hashed, demo.password)


def test_rooms(shared_demo: SharedDemo) -> None:
    db = shared_demo[0]
    rooms = sorted(_rooms(db).values(), key=lambda r: r.code)
    assert [r.code for r in rooms] == [f"OR-{i:02d}" for i in range(1, ROOMS + 1)]
    assert sum(r.status is RoomStatus.MAINTENANCE for r in rooms) == 1
    assert any(r.specialty_tags == [] for r in rooms)
    assert any(r.specialty_tags for r in rooms)
    assert all(20 <= r.turnover_minutes <= 45 for r in rooms)
    around_the_clock = [r for r in rooms if r.weekdays == [0, 1, 2, 3, 4, 5, 6]]
    assert len(around_the_clock) == 2
    with db.new_session(read_only=True) as s:
        closures = list(s.scalars(select(m.RoomClosure)))
    assert len(closures) == 1
    closure = closures[0]
    # Nothing occupies the closed room during its closure, nothing the room in maintenance.
    for case in _cases(db):
        if case.scheduled_start is None or case.status not in OCCUPYING_STATUSES | {
                CaseStatus.COMPLETED}:
            continue
        if case.operating_room_id == closure.room_id:
            assert case.occupied_until is not None
            assert not (case.scheduled_start < closure.ends_at
                        and closure.starts_at < case.occupied_until)
        room = next(r for r in rooms if r.id == case.operating_room_id)
        assert room.status is RoomStatus.ACTIVE


# --- the schedule -----------------------------------------------------------------------


def test_every_status_present(shared_demo: SharedDemo) -> None:
    db, demo = shared_demo
    cases = _cases(db)
    statuses = {c.status for c in cases}
    assert statuses == set(CaseStatus)
    assert demo.cases == len(cases)
    assert demo.by_status == {s.value: sum(c.status is s for c in cases) for s in CaseStatus}
    queue = [c for c in cases if c.status is CaseStatus.REQUESTED]
    assert 10 <= len(queue) <= 20
    assert all(c.scheduled_start is None and c.operating_room_id is None for c in queue)
    # Today (Berlin) has cases in every working status.
    today_start = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    today = [c for c in cases if c.scheduled_start is not None
             and today_start <= c.scheduled_start < today_start + timedelta(days=1)]
    assert {c.status for c in today} >= {
        CaseStatus.COMPLETED, CaseStatus.IN_PROGRESS, CaseStatus.PREOP_READY,
        CaseStatus.SCHEDULED}


def test_no_two_occupying_cases_in_a_room_overlap(shared_demo: SharedDemo) -> None:
    """Brute force over every pair in each room, turnover included."""
    db = shared_demo[0]
    rooms = _rooms(db)
    by_room: dict[int, list[m.SurgeryCase]] = defaultdict(list)
    for case in _cases(db):
        if case.status in OCCUPYING_STATUSES:
            assert case.operating_room_id is not None
            by_room[case.operating_room_id].append(case)
    assert by_room
    for room_id, cases in by_room.items():
        turnover = timedelta(minutes=rooms[room_id].turnover_minutes)
        for i, a in enumerate(cases):
            for b in cases[i + 1:]:
                assert a.scheduled_start
                assert a.scheduled_end
                assert b.scheduled_start
                assert b.scheduled_end
                clash = (a.scheduled_start < b.scheduled_end + turnover
                         and b.scheduled_start < a.scheduled_end + turnover)
                assert not clash, (a.case_number, b.case_number)


def test_completed_cases_did_not_overlap_either(shared_demo: SharedDemo) -> None:
    """The plan had no clashes before statuses were given out: check all timed cases."""
    db = shared_demo[0]
    rooms = _rooms(db)
    by_room: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for case in _cases(db):
        if case.scheduled_start is not None and case.operating_room_id is not None:
            assert case.occupied_until is not None
            by_room[case.operating_room_id].append((case.scheduled_start, case.occupied_until))
    for room_id, spans in by_room.items():
        spans.sort()
        for (_, first_until), (second_start, _) in itertools.pairwise(spans):
            assert first_until <= second_start, rooms[room_id].code


def test_occupied_until_is_end_plus_turnover(shared_demo: SharedDemo) -> None:
    db = shared_demo[0]
    rooms = _rooms(db)
    timed = [c for c in _cases(db) if c.scheduled_start is not None]
    assert timed
    for case in timed:
        assert case.scheduled_end is not None
        assert case.operating_room_id is not None
        turnover = timedelta(minutes=rooms[case.operating_room_id].turnover_minutes)
        assert case.occupied_until == case.scheduled_end + turnover
        assert case.scheduled_end - case.scheduled_start == timedelta(  # type: ignore[operator]
            minutes=case.estimated_duration_min)


def test_statuses_agree_with_the_clock(shared_demo: SharedDemo) -> None:
    db = shared_demo[0]
    notes: dict[int, list[m.CaseNote]] = defaultdict(list)
    with db.new_session(read_only=True) as s:
        for note in s.scalars(select(m.CaseNote)):
            notes[note.surgery_case_id].append(note)
    for case in _cases(db):
        start, end = case.scheduled_start, case.scheduled_end
        if case.status is CaseStatus.COMPLETED:
            assert end is not None
            assert end <= NOW
            assert case.actual_start is not None
            assert case.actual_end is not None
            assert case.actual_start < case.actual_end <= NOW
            assert abs(case.actual_start - start) < timedelta(hours=3)  # type: ignore[operator]
        elif case.status is CaseStatus.IN_PROGRESS:
            assert start is not None
            assert end is not None
            assert start <= NOW < end
            assert case.actual_start is not None
            assert case.actual_start <= NOW
            assert case.actual_end is None
        elif case.status in (CaseStatus.SCHEDULED, CaseStatus.PREOP_READY):
            assert start is not None
            assert start > NOW
            assert case.actual_start is None
        elif case.status in (CaseStatus.CANCELLED, CaseStatus.POSTPONED):
            assert [n.note_type.value for n in notes[case.id]] == [
                "cancellation" if case.status is CaseStatus.CANCELLED else "delay"]
            assert case.actual_start is None
        assert case.created_at <= NOW


def test_checklists_consistent_with_statuses(shared_demo: SharedDemo) -> None:
    db, demo = shared_demo
    checklists = _items_by_case(db)
    total_items = 0
    for case in _cases(db):
        phases = checklists[case.id]
        assert set(phases) == {Phase.PRE_OP, Phase.POST_OP}
        pre_cl, pre = phases[Phase.PRE_OP]
        post_cl, post = phases[Phase.POST_OP]
        total_items += len(pre) + len(post)
        for item in pre + post:
            if item.status is ItemStatus.DONE:
                assert item.completed_by_id is not None
                assert item.completed_at is not None
                assert item.completed_at <= NOW
            else:
                assert item.completed_by_id is None
                assert item.completed_at is None

        def done(items: list[m.ChecklistItem], *sections: Section) -> bool:
            names = {s.value for s in sections}
            return all(i.status is ItemStatus.DONE for i in items
                       if i.is_required and i.section in names)

        readiness = done(pre, Section.READINESS)
        status = case.status
        if status is CaseStatus.PREOP_READY:
            assert readiness
        if status is CaseStatus.SCHEDULED:
            assert not readiness  # it would have become preop_ready by itself
        if status is CaseStatus.IN_PROGRESS:
            assert readiness
            assert done(pre, Section.SIGN_IN, Section.TIME_OUT)
            assert post_cl.signed_off_at is None
        if status is CaseStatus.COMPLETED:
            assert all(i.status is ItemStatus.DONE for i in pre + post)
            for cl in (pre_cl, post_cl):
                assert cl.status is ChecklistStatus.COMPLETED
                assert cl.signed_off_by_id is not None
                assert cl.signed_off_at is not None
            assert case.pre_op_complete
            assert case.post_op_complete
        if status not in (CaseStatus.IN_PROGRESS, CaseStatus.COMPLETED):
            assert pre_cl.signed_off_at is None
            assert not done(pre, Section.SIGN_IN)
            assert not case.pre_op_complete
        assert case.pre_op_complete == (pre_cl.signed_off_at is not None)
        assert case.post_op_complete == (post_cl.signed_off_at is not None)
    assert total_items == demo.checklist_items


def test_checklists_copy_the_seeded_templates(shared_demo: SharedDemo) -> None:
    db = shared_demo[0]
    with db.new_session(read_only=True) as s:
        expected = {
            t.phase: [(i.item_code, i.section, i.label, i.is_required, i.position)
                      for i in sorted(t.items, key=lambda i: i.position) if not i.retired]
            for t in s.scalars(select(m.ChecklistTemplate))
        }
    for phases in _items_by_case(db).values():
        for phase, (_, items) in phases.items():
            assert [(i.item_code, i.section, i.label, i.is_required, i.position)
                    for i in items] == expected[phase]


def test_teams_and_people(shared_demo: SharedDemo) -> None:
    db, demo = shared_demo
    with db.new_session(read_only=True) as s:
        profiles = {p.id: p for p in s.scalars(select(m.SurgeonProfile))}
        users = {u.id: u for u in s.scalars(select(m.User))}
        team: dict[int, dict[str, int]] = defaultdict(dict)
        for member in s.scalars(select(m.CareTeamMember)):
            team[member.surgery_case_id][member.role.value] = member.user_id
    for case in _cases(db):
        lead = profiles[case.lead_surgeon_id]
        assert team[case.id]["surgeon"] == lead.user_id
        if case.status is CaseStatus.REQUESTED:
            continue
        assert lead.specialty == case.specialty
        assert case.anesthetist_id is not None
        assert users[case.anesthetist_id].role is Role.ANESTHESIOLOGIST
        assert team[case.id]["anesthesiologist"] == case.anesthetist_id
        assert users[team[case.id]["circulating_nurse"]].role is Role.NURSE
        assert users[team[case.id]["scrub_nurse"]].role is Role.NURSE
    assert demo.care_team_members == sum(len(t) for t in team.values())


def test_only_deliberate_people_conflicts(shared_demo: SharedDemo) -> None:
    """A surgeon in two rooms at once once or twice; nobody else double-booked; patients
    who come back do so on another occasion."""
    db = shared_demo[0]
    cases = {c.id: c for c in _cases(db) if c.status in OCCUPYING_STATUSES}
    with db.new_session(read_only=True) as s:
        members = [(t.surgery_case_id, t.user_id, t.role.value)
                   for t in s.scalars(select(m.CareTeamMember))]
    by_user: dict[int, list[tuple[m.SurgeryCase, str]]] = defaultdict(list)
    for case_id, user_id, role in members:
        if case_id in cases:
            by_user[user_id].append((cases[case_id], role))
    clashes: list[str] = []
    for entries in by_user.values():
        for i, (a, role) in enumerate(entries):
            for b, _ in entries[i + 1:]:
                assert a.scheduled_start
                assert a.scheduled_end
                assert b.scheduled_start
                assert b.scheduled_end
                if a.scheduled_start < b.scheduled_end and b.scheduled_start < a.scheduled_end:
                    clashes.append(role)
    assert 1 <= len(clashes) <= 2
    assert set(clashes) == {"surgeon"}
    by_patient: dict[str, list[m.SurgeryCase]] = defaultdict(list)
    for case in _cases(db):
        by_patient[case.patient_id].append(case)
    assert any(len(v) > 1 for v in by_patient.values())  # some patients come twice
    for visits in by_patient.values():
        timed = [c for c in visits if c.scheduled_start is not None]
        for i, a in enumerate(timed):
            for b in timed[i + 1:]:
                assert a.scheduled_start
                assert a.scheduled_end
                assert b.scheduled_start
                assert b.scheduled_end
                assert not (a.scheduled_start < b.scheduled_end
                            and b.scheduled_start < a.scheduled_end)
        assert len({(c.patient_name, c.patient_dob) for c in visits}) == 1


def test_emergencies_at_night_and_over_midnight(shared_demo: SharedDemo) -> None:
    db = shared_demo[0]
    with db.new_session(read_only=True) as s:
        tz_name = s.get(m.DepartmentSettings, 1).time_zone  # type: ignore[union-attr]
    tz = ZoneInfo(tz_name)
    emergencies = [c for c in _cases(db) if c.priority.value == "emergency"
                   and c.scheduled_start is not None]
    assert emergencies
    local = [(c.scheduled_start.astimezone(tz), c.scheduled_end.astimezone(tz))  # type: ignore[union-attr]
             for c in emergencies]
    assert any(s.hour < 6 or s.hour >= 22 for s, _ in local)
    assert any(s.date() != e.date() for s, e in local)
    priorities = {c.priority.value for c in _cases(db)}
    assert priorities == {"elective", "urgent", "emergency"}
    lateralities = {c.laterality.value for c in _cases(db)}
    assert lateralities >= {"left", "right", "not_applicable"}


def test_case_numbers_follow_the_counter(shared_demo: SharedDemo) -> None:
    db = shared_demo[0]
    cases = _cases(db)
    numbers = [c.case_number for c in cases]
    assert len(set(numbers)) == len(numbers)
    per_year: dict[int, list[int]] = defaultdict(list)
    for n in numbers:
        year, _, seq = n.partition("-")
        assert len(year) == 4
        assert len(seq) == 6
        per_year[int(year)].append(int(seq))
    with db.new_session(read_only=True) as s:
        counters = {c.year: c.last_number for c in s.scalars(select(m.CaseNumberCounter))}
    assert counters == {y: max(v) for y, v in per_year.items()}
    for seqs in per_year.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))
    with UnitOfWork(db) as uow:
        this_year = NOW.year
        expected = f"{this_year}-{counters.get(this_year, 0) + 1:06d}"
        assert uow.cases.next_case_number(this_year) == expected


def test_one_audit_event_without_patient_data(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        generate_demo(db, rooms=4, days=3, clock=clock())
    with db.new_session(read_only=True) as s:
        events = list(s.scalars(select(m.AuditEvent)))
        names = set(s.scalars(select(m.SurgeryCase.patient_name)))
        mrns = set(s.scalars(select(m.SurgeryCase.patient_id)))
    assert [e.action for e in events] == ["demo_generated"]
    text = str(events[0].details) + caplog.text
    assert "cases" in events[0].details
    for secret in names | mrns:
        assert secret not in text


# --- refusal, arguments, determinism ----------------------------------------------------


def test_refuses_a_database_that_holds_data(shared_demo: SharedDemo) -> None:
    db = shared_demo[0]
    before = len(_cases(db))
    with pytest.raises(Refused, match="already holds data"):
        generate_demo(db, rooms=2, days=1, clock=clock())
    assert len(_cases(db)) == before


def test_refuses_a_database_with_only_a_user(db: Database) -> None:
    with db.new_session() as s:
        s.add(m.User(username="first", email="first@or.hospital.local", role=Role.ADMIN,
                     display_name="First Admin"))
        s.commit()
    with pytest.raises(Refused, match="already holds data"):
        generate_demo(db, rooms=2, days=1, clock=clock())
    with db.new_session(read_only=True) as s:
        assert s.scalar(select(func.count(m.User.id))) == 1


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"rooms": 0}, "rooms"), ({"days": 0}, "days"), ({"password": "short"}, "password"),
])
def test_bad_arguments(db: Database, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(BadInput) as info:
        generate_demo(db, clock=clock(), **kwargs)
    assert info.value.field == field


def _snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every generated row, minus the password hash (argon2 salts each hash)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.new_session(read_only=True) as s:
        for model in (m.User, m.SurgeonProfile, m.OperatingRoom, m.RoomClosure,
                      m.SurgeryCase, m.CareTeamMember, m.Checklist, m.ChecklistItem,
                      m.CaseNote, m.CaseNumberCounter):
            table = cast(Table, model.__table__)
            columns = [c for c in table.columns if c.name != "password_hash"]
            rows = s.execute(select(*columns).order_by(*table.primary_key.columns)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


def test_deterministic_for_one_seed(db: Database, sqlite_template: Path,
                                    tmp_path: Path) -> None:
    """The same seed, start and clock give the same rows — here on this backend and on a
    second (SQLite) database."""
    start = date(2026, 11, 20)
    first = generate_demo(db, rooms=6, days=5, start=start, seed=3, clock=clock())
    other = Database(make_nullpool_engine(clone_sqlite(sqlite_template, tmp_path)))
    try:
        second = generate_demo(other, rooms=6, days=5, start=start, seed=3, clock=clock())
        assert _snapshot(db) == _snapshot(other)
    finally:
        other.dispose()
    assert first.logins == second.logins
    assert first.by_status == second.by_status
    assert first.first_day == start


def test_another_seed_gives_other_data(db: Database, sqlite_template: Path,
                                       tmp_path: Path) -> None:
    generate_demo(db, rooms=6, days=5, seed=3, clock=clock())
    other = Database(make_nullpool_engine(clone_sqlite(sqlite_template, tmp_path)))
    try:
        generate_demo(other, rooms=6, days=5, seed=4, clock=clock())
        assert _snapshot(db)["surgery_case"] != _snapshot(other)["surgery_case"]
    finally:
        other.dispose()


def test_default_start_is_the_monday_of_this_week_and_fills_whole_weeks(db: Database) -> None:
    # Before: two days before today (a Sunday here), so the board's first day was empty.
    # Issue 13: "An empty first day because demo data starts mid-week is a demo defect".
    summary = generate_demo(db, rooms=3, days=5, clock=clock())
    assert summary.first_day == date(2026, 11, 23)  # NOW is Tuesday 24 November
    assert summary.last_day == date(2026, 11, 29)
    assert summary.first_day.weekday() == 0
    with db.new_session(read_only=True) as s:
        starts = [c.scheduled_start for c in s.scalars(select(m.SurgeryCase))
                  if c.scheduled_start is not None]
    berlin = ZoneInfo("Europe/Berlin")
    assert min(starts).astimezone(berlin).date() == summary.first_day


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (None, 1, (date(2026, 11, 23), 7)),
        (None, 7, (date(2026, 11, 23), 7)),
        (None, 8, (date(2026, 11, 23), 14)),
        (None, 30, (date(2026, 11, 23), 35)),
        (date(2026, 11, 25), 5, (date(2026, 11, 25), 5)),  # a start given: as asked
    ],
)
def test_demo_range(start: date | None, days: int, expected: tuple[date, int]) -> None:
    assert demo_range(start, days, date(2026, 11, 24)) == expected
    assert demo_range(None, days, date(2026, 11, 29))[0] == date(2026, 11, 23)  # a Sunday
    assert demo_range(None, days, date(2026, 11, 30))[0] == date(2026, 11, 30)  # a Monday


def test_daylight_saving_change_inside_the_range(db: Database) -> None:
    """Berlin springs forward on 29 March 2026: no crash, no overlap, no gap times."""
    spring = FakeClock(datetime(2026, 3, 30, 9, 0, tzinfo=UTC))
    generate_demo(db, rooms=8, days=6, start=date(2026, 3, 26), clock=spring)
    rooms = _rooms(db)
    spans: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for case in _cases(db):
        if case.status in OCCUPYING_STATUSES:
            assert case.operating_room_id is not None
            assert case.scheduled_start is not None
            assert case.occupied_until is not None
            spans[case.operating_room_id].append((case.scheduled_start, case.occupied_until))
    for room_id, items in spans.items():
        items.sort()
        for (_, until), (nxt, _) in itertools.pairwise(items):
            assert until <= nxt, rooms[room_id].code


# --- after the demo: the database is ordinary ------------------------------------------


def test_new_rows_after_the_demo_get_fresh_ids(db: Database, demo: DemoSummary) -> None:
    """On Postgres the sequences were moved past the explicit ids; plain inserts work."""
    with db.new_session() as s:
        user = m.User(username="newbie", email="newbie@or.hospital.local", role=Role.NURSE,
                      display_name="New Nurse")
        surgeon = m.User(username="dr.new", email="dr.new@or.hospital.local",
                         role=Role.SURGEON, display_name="Dr. New")
        profile = m.SurgeonProfile(user=surgeon, specialty="general")
        room = m.OperatingRoom(name="Extra", code="OR-99")
        s.add_all([user, surgeon, profile, room])
        s.flush()
        case = m.SurgeryCase(
            case_number="2099-000001", patient_name="Test Person", patient_id="MRN0000001",
            procedure_name="Cystoscopy", specialty="general", estimated_duration_min=30,
            lead_surgeon=profile, status=CaseStatus.REQUESTED)
        s.add(case)
        s.flush()
        checklist = m.Checklist(surgery_case=case, phase=Phase.PRE_OP)
        s.add_all([
            m.CareTeamMember(surgery_case=case, user=user, role="circulating_nurse"),
            checklist,
            m.CaseNote(surgery_case=case, author=user, note_type="general", message="hello"),
            m.RoomClosure(room=room, starts_at=NOW, ends_at=NOW + timedelta(hours=1),
                          reason="test"),
        ])
        s.flush()
        s.add(m.ChecklistItem(checklist=checklist, item_code="X-1", section="Local",
                              label="Local item", position=1))
        s.commit()
        assert user.id > demo.users
        assert case.id > demo.cases


def test_moderate_scale_fills_every_case_with_its_checklists(db: Database) -> None:
    # Speed is measured by benchmarks/run.py, never asserted here (a loaded CI box varies).
    summary = generate_demo(db, rooms=20, days=14, clock=clock())
    assert summary.cases > 1_000
    assert summary.checklist_items == 25 * summary.cases


def test_the_demo_emergency_rooms_can_be_edited_and_read_as_round_the_clock(
        db: Database, demo: DemoSummary) -> None:
    """The demo writes emergency rooms open 00:00-00:00; the room service refused to save
    any edit of one ('closes_at must be after opens_at') before round-the-clock rooms."""
    from surgdesk.services.context import Actor
    from surgdesk.services.rooms import RoomService

    with db.new_session(read_only=True) as s:
        admin = s.scalars(select(m.User).where(m.User.username == "admin")).one()
        actor = Actor(admin.id, admin.username, Role.ADMIN, admin.display_name)
    service = RoomService(db, clock())
    emergency = [r for r in service.list_rooms(actor) if r.name.startswith("Emergency")]
    assert len(emergency) == 2
    for room in emergency:
        assert (room.opens_at, room.closes_at) == (time(0), time(0))
        edited = service.update_room(actor, room.code, location="Emergency department, level -1",
                                     expected_version=room.version)
        assert edited.location == "Emergency department, level -1"
        assert (edited.opens_at, edited.closes_at) == (time(0), time(0))


def test_the_board_marks_only_the_deliberate_conflicts(shared_demo: SharedDemo) -> None:
    """Read back through the case service: the surgeon double-booking shows as the board's
    warning mark, and nothing else. (A night case running past midnight in an emergency
    room was flagged outside hours before round-the-clock rooms were fixed; it is not.)"""
    db = shared_demo[0]
    from surgdesk.services.cases import CaseService
    from surgdesk.services.context import Actor

    with db.new_session(read_only=True) as s:
        scheduler = s.scalars(select(m.User).where(m.User.username == "scheduler1")).one()
        actor = Actor(scheduler.id, scheduler.username, Role.SCHEDULER, scheduler.display_name)
    lo = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Monday 23 November, Berlin
    board = CaseService(db, clock()).board(actor, lo, lo + timedelta(days=DAYS))
    assert len(board.queue) >= 10
    marked = [c for c in board.cases if c.conflicts]
    codes = {code for c in marked for code in c.conflicts}
    assert codes == {"surgeon_double_booked"}
    tz = ZoneInfo(board.time_zone)
    assert any(c.scheduled_start is not None and c.scheduled_end is not None
               and c.scheduled_start.astimezone(tz).date()
               != c.scheduled_end.astimezone(tz).date() for c in board.cases)


def test_two_loads_at_once_one_wins(db: Database) -> None:
    """Two demo runs racing on one empty database: one fills it, the other is refused
    (never a half-filled database or a duplicate-key crash)."""
    from concurrent.futures import ThreadPoolExecutor

    def run(seed: int) -> str:
        try:
            generate_demo(db, rooms=3, days=2, seed=seed, clock=clock())
        except Refused as exc:
            return "refused" if "already holds data" in str(exc) else str(exc)
        return "done"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(run, (1, 2)))
    assert outcomes == ["done", "refused"]
    with db.new_session(read_only=True) as s:
        assert s.scalar(select(func.count(m.AuditEvent.id))) == 1
