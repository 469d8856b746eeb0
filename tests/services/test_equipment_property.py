"""Property: after any sequence of schedule / move / cancel / postpone / unschedule through
the case services, no equipment unit is ever held twice at once (turnaround included),
checked by a brute-force minute scan over the case_equipment rows; every hold matches its
case's placement, and only placed cases hold units.

Examples share one database (each adds its own cases), so later examples also run
against what earlier ones left on the board."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import OCCUPYING_STATUSES, CaseStatus
from surgdesk.errors import Refused
from surgdesk.repository.database import Database, make_nullpool_engine
from tests.services.equipment_kit import EquipKit, add_unit, build_equip_kit, set_unit
from tests.services.factories import at

ROOMS = ("OR1", "OR2", "OR4")
NEEDS = (("C-arm",), ("Robot",), ("C-arm", "Robot"), ("C-arm", "C-arm"))

op_st = st.one_of(
    st.tuples(st.just("place"), st.integers(0, 2), st.integers(0, 2),
              st.integers(0, 24), st.sampled_from([30, 45, 60, 90])),
    st.tuples(st.sampled_from(["cancel", "postpone", "unschedule"]), st.integers(0, 2)),
)


def _fleet(db: Database) -> EquipKit:
    ek = build_equip_kit(db)
    set_unit(db, "C-arm 1", turnaround_minutes=15)
    set_unit(db, "Robot", turnaround_minutes=30)
    add_unit(db, "C-arm 3", "C-arm", rooms=("OR2", "OR4"), turnaround=45)
    return ek


def _apply(ek: EquipKit, numbers: list[str], op: tuple) -> None:  # type: ignore[type-arg]
    cases, sched = ek.kit.cases, ek["sched"]
    number = numbers[op[1]]
    try:
        if op[0] == "place":
            _, _, room, slot, minutes = op
            start = at(7) + timedelta(minutes=15 * slot)
            status = cases.get_case(sched, number).case.status
            if status in (CaseStatus.REQUESTED, CaseStatus.POSTPONED):
                cases.schedule(sched, number, room=ROOMS[room], start=start,
                               duration_min=minutes)
            else:
                cases.move(sched, number, room=ROOMS[room], start=start, duration_min=minutes)
        elif op[0] == "unschedule":
            cases.unschedule(sched, number)
        else:
            target = CaseStatus.CANCELLED if op[0] == "cancel" else CaseStatus.POSTPONED
            cases.set_status(sched, number, target, reason="list overran")
    except Refused:
        pass  # a refusal writes nothing; the invariant below must hold all the same


def _check(db: Database) -> None:
    """The brute-force scan: minutes each unit is held, never twice."""
    ce, c, u = m.CaseEquipment, m.SurgeryCase, m.EquipmentUnit
    with db.new_session() as s:
        rows = s.execute(select(ce.unit_id, ce.starts_at, ce.held_until, c.status,
                                c.scheduled_start, c.scheduled_end, u.turnaround_minutes)
                         .join(c, c.id == ce.case_id)
                         .outerjoin(u, u.id == ce.unit_id)).all()
    held: dict[int, set[int]] = defaultdict(set)
    for unit_id, start, until, status, c_start, c_end, turnaround in rows:
        if unit_id is None:
            # Only cases off the board lose their units (no unit changes in this test).
            assert status not in OCCUPYING_STATUSES
            continue
        assert status in OCCUPYING_STATUSES
        assert (start, until) == (c_start, c_end + timedelta(minutes=turnaround))
        minutes = set(range(int(start.timestamp() // 60), int(until.timestamp() // 60)))
        assert not held[unit_id] & minutes, "a unit is held twice at once"
        held[unit_id] |= minutes


def _run(ek: EquipKit, needs: list[int], ops: list[tuple]) -> None:  # type: ignore[type-arg]
    numbers = [ek.case(room=None, equipment=NEEDS[n], patient_id=f"MRN-{i}")
               .case.case_number for i, n in enumerate(needs)]
    for op in ops:
        _apply(ek, numbers, op)
        _check(ek.db)


PROPERTY = given(needs=st.lists(st.integers(0, len(NEEDS) - 1), min_size=3, max_size=3),
                 ops=st.lists(op_st, min_size=1, max_size=6))


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@PROPERTY
def test_no_unit_is_ever_held_twice_sqlite(sqlite_url: str, needs: list[int],
                                           ops: list[tuple]) -> None:  # type: ignore[type-arg]
    _run(_kit_for(sqlite_url), needs, ops)


@pytest.mark.postgres
@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@PROPERTY
def test_no_unit_is_ever_held_twice_postgres(postgres_url: str, needs: list[int],
                                             ops: list[tuple]) -> None:  # type: ignore[type-arg]
    _run(_kit_for(postgres_url), needs, ops)


_KITS: dict[str, EquipKit] = {}


def _kit_for(url: str) -> EquipKit:
    """One fleet per database for the examples of a test (a pooled Postgres database is
    put back to its template after each test, so a cached fleet is checked first)."""
    cached = _KITS.get(url)
    if cached is not None:
        with cached.db.new_session() as s:
            if s.scalars(select(m.EquipmentUnit.id).where(
                    m.EquipmentUnit.name == "C-arm 3")).first() is not None:
                return cached
        cached.db.dispose()
    _KITS.clear()
    _KITS[url] = _fleet(Database(make_nullpool_engine(url)))
    return _KITS[url]
