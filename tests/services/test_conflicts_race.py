"""Several processes book overlapping slots in one room at the same moment: one wins.

On Postgres the exclusion constraint refuses the losers even though none of them saw the
winner's row when it checked; on SQLite writers queue behind BEGIN IMMEDIATE and the busy
timeout, so each later one sees the winner and the service refuses it. Either way the
losers get RoomConflict, never "database is locked".
"""

from __future__ import annotations

import multiprocessing
from datetime import datetime
from multiprocessing.synchronize import Barrier
from typing import Any

import pytest

from surgdesk.domain.enums import CaseStatus
from surgdesk.errors import RoomConflict
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services import cases as cases_module
from surgdesk.services.cases import CaseService
from surgdesk.services.context import Actor
from tests.services.factories import Kit, at, build_kit, kit

__all__ = ["kit"]

RACERS = 3


def _book(url: str, actor: Actor, case_number: str, start: datetime, barrier: Barrier,
          results: Any) -> None:
    """Runs in a spawned process: schedule one case into OR1 as soon as all are ready."""
    db = Database(make_nullpool_engine(url))
    cases = CaseService(db)
    outcome = "error"
    try:
        barrier.wait(timeout=60)
        cases.schedule(actor, case_number, room="OR1", start=start, duration_min=60)
        outcome = "won"
    except RoomConflict:
        outcome = "conflict"
    except Exception as exc:  # reported to the parent, which fails the test with it
        outcome = f"error: {type(exc).__name__}: {exc}"
    finally:
        results.put((case_number, outcome))
        db.dispose()


def test_overlapping_bookings_race_and_exactly_one_wins(kit: Kit, db_url: str) -> None:
    numbers = [kit.new_case(room=None, patient_id=f"MRN-{i}").case.case_number
               for i in range(RACERS)]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(RACERS)
    results = ctx.Queue()
    workers = [
        # Starts ten minutes apart, an hour long: every pair overlaps.
        ctx.Process(target=_book, args=(db_url, kit["sched"], number, at(8, 10 * i),
                                        barrier, results))
        for i, number in enumerate(numbers)
    ]
    for worker in workers:
        worker.start()
    outcomes = dict(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    assert sorted(outcomes.values()) == ["conflict"] * (RACERS - 1) + ["won"]
    winner = next(n for n, outcome in outcomes.items() if outcome == "won")
    statuses = {c.case_number: c.status for c in kit.cases.list_cases(kit["sched"])}
    assert statuses == {n: CaseStatus.SCHEDULED if n == winner else CaseStatus.REQUESTED
                        for n in numbers}


@pytest.mark.postgres
def test_postgres_constraint_refuses_what_the_service_check_missed(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A racer's view: its check saw a free room (the other's row was not committed yet).
    Postgres's exclusion constraint still refuses the write, as RoomConflict."""
    db = Database(make_nullpool_engine(postgres_url))
    kit = build_kit(db)
    kit.new_case(start=at(8))
    later = kit.new_case(start=at(12), patient_id="MRN-1b").case.case_number
    monkeypatch.setattr(cases_module, "check_room", lambda *args, **kwargs: None)
    with pytest.raises(RoomConflict):
        kit.new_case(start=at(8, 30), patient_id="MRN-2")
    number = kit.new_case(room=None, patient_id="MRN-3").case.case_number
    with pytest.raises(RoomConflict):
        kit.cases.schedule(kit["sched"], number, room="OR1", start=at(9))
    with pytest.raises(RoomConflict):
        kit.cases.move(kit["sched"], later, start=at(9, 10))
    kit.new_case(start=at(9, 30), patient_id="MRN-4")  # after the turnover: fine
    assert len(kit.cases.list_cases(kit["sched"], status=CaseStatus.SCHEDULED)) == 3
    db.dispose()
