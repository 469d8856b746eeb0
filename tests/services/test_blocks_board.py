"""Blocks on the board and when booking: the snapshot carries the window's occurrences,
a case in another owner's unreleased block is marked ``other_block`` and warned about in
words naming the owner; one's own block, released time and open time give nothing.

The orthopedics service holds OR1 on Tuesdays 08:00-12:00 and surg1 (orthopedics) holds
OR2 on Wednesdays 08:00-12:00; neither releases itself by rule here (release_days 0).
"""

from __future__ import annotations

from datetime import date, datetime, time

from surgdesk.domain.conflicts import OTHER_BLOCK
from surgdesk.services.case_checks import CaseCheckService
from surgdesk.services.dto import CaseResult
from tests.services.blocks_kit import TUESDAY, BlockKit, bk, fields
from tests.services.factories import at, kit

__all__ = ["bk", "kit"]


def _blocks(bk: BlockKit) -> tuple[int, int]:
    service = bk.blocks.create(bk["sched"], fields(release_days=0))
    surgeon = bk.blocks.create(bk["sched"], fields(room="OR2", service=None, surgeon="surg1",
                                                   weekdays=(2,), release_days=0))
    return service.id, surgeon.id


def _block_warnings(result: CaseResult) -> list[str]:
    return [w.message for w in result.warnings if w.code == OTHER_BLOCK]


def test_a_case_in_another_owners_block_is_warned_naming_the_owner(bk: BlockKit) -> None:
    service, _ = _blocks(bk)
    general = bk.kit.new_case(start=at(9), lead_surgeon="surg2", patient_id="MRN-G")
    assert _block_warnings(general) == ["in the Orthopedics service block until 12:00"]
    in_surgeons = bk.kit.new_case(room="OR2", start=at(9, day=1), lead_surgeon="surg2",
                                  patient_id="MRN-H")
    assert _block_warnings(in_surgeons) == ["in Surg1 Test's block (orthopedics) until 12:00"]
    # Its own block, open time, and released time: no warning.
    assert _block_warnings(bk.kit.new_case(start=at(10, 30), patient_id="MRN-O")) == []
    assert _block_warnings(bk.kit.new_case(start=at(14), lead_surgeon="surg2",
                                           patient_id="MRN-L")) == []
    bk.blocks.release(bk["sched"], service, date(2026, 3, 10), "list cancelled")
    assert _block_warnings(bk.kit.new_case(start=at(9, day=7), lead_surgeon="surg2",
                                           patient_id="MRN-R")) == []
    # The case form's preview says the same before anything is written.
    check = CaseCheckService(bk.kit.db, bk.kit.clock).check_case(
        bk["sched"], room="OR1", start=datetime(2026, 3, 17, 11), duration_min=90,
        lead_surgeon="surg2")
    assert [w.message for w in check.warnings if w.code == OTHER_BLOCK] == [
        "in the Orthopedics service block until 12:00"]


def test_the_board_carries_the_bands_and_the_other_block_mark(bk: BlockKit) -> None:
    service, surgeon = _blocks(bk)
    foreign = bk.kit.new_case(start=at(9), lead_surgeon="surg2", patient_id="MRN-G")
    own = bk.kit.new_case(start=at(10, 30), patient_id="MRN-O")
    snap = bk.kit.cases.board(bk["viewer"], datetime(2026, 3, 3), datetime(2026, 3, 5))
    bands = [(o.block_id, o.day, o.room_code, o.released) for o in snap.blocks]
    assert bands == [(service, TUESDAY, "OR1", False), (surgeon, date(2026, 3, 4), "OR2", False)]
    band = snap.blocks[0]
    assert (band.owner_label, band.colour_key) == ("Orthopedics service", "orthopedics")
    # The owner's case fills 10:30-11:30 of the four hours.
    assert (band.used_minutes, band.block_minutes) == (60, 240)
    marks = {c.case_number: c.conflicts for c in snap.cases}
    assert OTHER_BLOCK in marks[foreign.case.case_number]
    assert OTHER_BLOCK not in marks[own.case.case_number]
    # The live board's re-read marks the same.
    again = bk.kit.cases.summaries_by_ids(bk["viewer"], [foreign.case.id])
    assert OTHER_BLOCK in again[0].conflicts
    # Released, the block leaves the case unmarked.
    bk.blocks.release(bk["sched"], service, TUESDAY, "list cancelled")
    snap = bk.kit.cases.board(bk["viewer"], datetime(2026, 3, 3), datetime(2026, 3, 4))
    assert [o.released for o in snap.blocks] == [True]
    assert all(OTHER_BLOCK not in c.conflicts for c in snap.cases)


def test_a_board_window_off_day_bounds_still_sees_whole_occurrences(bk: BlockKit) -> None:
    _blocks(bk)
    bk.kit.new_case(start=at(8), patient_id="MRN-O")  # the owner's, 08:00-09:00
    snap = bk.kit.cases.board(bk["viewer"], datetime(2026, 3, 3, 10), datetime(2026, 3, 3, 18))
    (band,) = snap.blocks
    assert band.used_minutes == 60
    assert (band.start.time(), band.end.time()) == (time(7), time(11))  # UTC
