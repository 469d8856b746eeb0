"""Block utilization on hand-made days, each answer worked out by hand below.

The orthopedics service holds OR2 (turnover 15 min) on Tuesdays 08:00-12:00 (240 min);
surg2 (general) holds OR1 on Wednesdays 08:00-10:00 (120 min) and books nothing. Neither
releases itself (release_days 0). Times are Berlin wall-clock.

Tuesday 3 March: the owner's cases 08:00-09:00 and 09:30-10:30, and a general case
11:00-11:30 (not the owner's). Used = 60 + min(30 gap, 15 turnover) + 60 = 135.

Tuesday 10 March: an owner's case booked 07:00-09:00 but done 07:30-08:30 (actual times
count once completed: 08:00-08:30 inside the block = 30), and one booked 11:30-13:00
(11:30-12:00 inside = 30); the 180 min between them count as one turnover, 15.
Used = 30 + 15 + 30 = 75.

Tuesday 17 March: released by hand: 240 released minutes, out of the block's minutes.

OR2 over 2-17 March: block minutes 480, used 210, utilization 210 / 480 = 0.4375.
OR1's block adds 2 x 120 block minutes and nothing used.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import event

from surgdesk.domain.enums import CaseStatus
from surgdesk.services.blocks import DEFINITION
from tests.services.blocks_kit import FROM, TUESDAY, BlockKit, bk, fields
from tests.services.factories import POST_OP_GATES, PRE_OP_GATES, at, kit, mark_done

__all__ = ["bk", "kit"]

BERLIN_OFFSET = timedelta(hours=1)  # March 2026 before the clock change
LAST = date(2026, 3, 17)


def _complete(bk: BlockKit, number: str, started: datetime, ended: datetime) -> None:
    """Run a case from ``started`` to ``ended`` (naive Berlin times) with the clock."""
    clock = bk.kit.clock
    mark_done(bk.kit, number, "Readiness", *PRE_OP_GATES, *POST_OP_GATES, but="RD-CONSENT")
    bk.kit.checklists.tick(bk["admin"], number, "RD-CONSENT")
    clock.set((started - BERLIN_OFFSET).replace(tzinfo=UTC))
    bk.kit.cases.set_status(bk["admin"], number, CaseStatus.IN_PROGRESS)
    clock.set((ended - BERLIN_OFFSET).replace(tzinfo=UTC))
    bk.kit.cases.set_status(bk["admin"], number, CaseStatus.COMPLETED)


@pytest.fixture
def days(bk: BlockKit) -> tuple[int, int]:
    svc, sched, new = bk.blocks, bk["sched"], bk.kit.new_case
    ortho = svc.create(sched, fields(room="OR2", release_days=0)).id
    general = svc.create(sched, fields(service=None, surgeon="surg2", weekdays=(2,),
                                       end=time(10), release_days=0)).id
    new(room="OR2", start=at(8), patient_id="P1")
    new(room="OR2", start=at(9, 30), patient_id="P2")
    new(room="OR2", start=at(11), duration_min=30, lead_surgeon="surg2", patient_id="P3")
    done = new(room="OR2", start=at(7, day=7), duration_min=120, patient_id="P4")
    new(room="OR2", start=at(11, 30, day=7), duration_min=90, patient_id="P5")
    svc.release(sched, ortho, LAST, "surgeons at a congress")
    _complete(bk, done.case.case_number, at(7, 30, day=7), at(8, 30, day=7))
    return ortho, general


def test_usage_per_block_and_per_occurrence_on_hand_made_days(bk: BlockKit,
                                                             days: tuple[int, int]) -> None:
    ortho, general = days
    report = bk.blocks.usage(bk["viewer"], FROM, LAST)
    rows = {r.block_id: r for r in report.rows}
    assert [r.room_code for r in report.rows] == ["OR1", "OR2"]
    o = rows[ortho]
    assert (o.occurrences, o.block_minutes, o.used_minutes) == (3, 480, 210)
    assert (o.released_minutes, o.released_occurrences) == (240, 1)
    assert o.utilization == pytest.approx(210 / 480)
    g = rows[general]
    assert (g.occurrences, g.block_minutes, g.used_minutes, g.utilization) == (2, 240, 0, 0.0)
    assert (report.block_minutes, report.used_minutes, report.released_minutes) == (
        720, 210, 240)
    assert report.utilization == pytest.approx(210 / 720)
    assert report.definition == DEFINITION
    assert "turnover" in DEFINITION
    assert "Released" in DEFINITION

    per_day = bk.blocks.usage(bk["viewer"], FROM, LAST, room="OR2", per_occurrence=True)
    assert [(r.day, r.used_minutes, r.block_minutes, r.released_minutes, r.utilization)
            for r in per_day.rows] == [
        (TUESDAY, 135, 240, 0, pytest.approx(135 / 240)),
        (date(2026, 3, 10), 75, 240, 0, pytest.approx(75 / 240)),
        (LAST, 0, 0, 240, None),
    ]
    used = {o.day: o.used_minutes for o in bk.blocks.occurrences(bk["viewer"], FROM, LAST,
                                                                 room="OR2")}
    assert used == {TUESDAY: 135, date(2026, 3, 10): 75, LAST: 0}


def test_usage_reads_a_fixed_number_of_queries_however_many_days(
        bk: BlockKit, days: tuple[int, int]) -> None:
    statements: list[str] = []
    engine = bk.kit.db.engine

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        bk.blocks.usage(bk["viewer"], FROM, FROM + timedelta(days=6))
        week = len(statements)
        statements.clear()
        bk.blocks.usage(bk["viewer"], FROM, FROM + timedelta(days=90))
        quarter = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert quarter == week
