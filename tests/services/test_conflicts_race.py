"""Several processes book overlapping slots in one room at the same moment: one wins.

On Postgres the exclusion constraint refuses the losers even though none of them saw the
winner's row when it checked; on SQLite writers queue behind BEGIN IMMEDIATE and the busy
timeout, so each later one sees the winner and the service refuses it. Either way the
losers get RoomConflict, never "database is locked".
"""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from multiprocessing.synchronize import Barrier
from typing import Any

import pytest

from surgdesk.domain.enums import CaseStatus, Laterality
from surgdesk.errors import RoomConflict
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services import case_scheduling as cases_module
from surgdesk.services.cases import CaseService
from surgdesk.services.context import Actor, FakeClock
from tests.services.factories import Kit, at, build_kit, kit

__all__ = ["kit"]

RACERS = 4
# Half the racers create new cases on a clock in 2027, whose case-number counter does not
# exist yet (so they race for that too); the other half schedule waiting cases.
NEXT_YEAR = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)


def _book(url: str, actor: Actor, case_number: str | None, start: datetime,
          barrier: Barrier, results: Any) -> None:
    """Runs in a spawned process: book OR1 as soon as every racer is ready."""
    db = Database(make_nullpool_engine(url))
    cases = CaseService(db, FakeClock(NEXT_YEAR))
    outcome = "error"
    try:
        barrier.wait(timeout=60)
        if case_number is None:
            result = cases.create_case(
                actor, procedure_name="Race", patient_id="MRN-R", patient_name="R",
                lead_surgeon="surg2", room="OR1", start=start, duration_min=60,
                laterality=Laterality.NOT_APPLICABLE)
            case_number = result.case.case_number
        else:
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
    waiting = [kit.new_case(room=None, patient_id=f"MRN-{i}").case.case_number
               for i in range(RACERS // 2)]
    racers: list[str | None] = [*waiting, *([None] * (RACERS - len(waiting)))]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(RACERS)
    results = ctx.Queue()
    workers = [
        # Starts ten minutes apart, an hour long: every pair overlaps.
        ctx.Process(target=_book, args=(db_url, kit["sched"], number, at(8, 10 * i),
                                        barrier, results))
        for i, number in enumerate(racers)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    assert sorted(outcome for _, outcome in outcomes) == ["conflict"] * (RACERS - 1) + ["won"]
    winner = next(number for number, outcome in outcomes if outcome == "won")
    scheduled = kit.cases.list_cases(kit["sched"], status=CaseStatus.SCHEDULED)
    assert [c.case_number for c in scheduled] == [winner]
    queued = kit.cases.list_cases(kit["sched"], status=CaseStatus.REQUESTED)
    assert {c.case_number for c in queued} == set(waiting) - {winner}


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
