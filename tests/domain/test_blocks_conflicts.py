"""A case in another owner's unreleased block: the board's marks (window_conflicts with
blocks) and the services' helper (blocks_hit)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surgdesk.domain.blocks import BlockSpan, Owner
from surgdesk.domain.conflicts import (
    OTHER_BLOCK,
    PlacedCase,
    RoomRules,
    blocks_hit,
    window_conflicts,
)
from surgdesk.domain.timezones import zone

UTC_ZONE = zone("UTC")
MONDAY = datetime(2026, 3, 2, tzinfo=UTC)
LENA, OMAR = 7, 8  # surgeons' user ids
ORTHO = Owner(service="Orthopedics")
ROOMS = {1: RoomRules((), time(0), time(23, 59), (0, 1, 2, 3, 4, 5, 6)),
         2: RoomRules((), time(0), time(23, 59), (0, 1, 2, 3, 4, 5, 6))}


def at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    return MONDAY + timedelta(days=days, hours=hour, minutes=minute)


def span(owner: Owner, start: datetime, end: datetime, *, room_id: int = 1,
         released: bool = False, block_id: int = 1) -> BlockSpan:
    return BlockSpan(block_id, room_id, start.date(), start, end, owner, released)


def case(case_id: int, start: datetime, end: datetime, *, lead: int = OMAR,
         specialty: str = "cardiac", room_id: int | None = 1) -> PlacedCase:
    return PlacedCase(case_id, room_id, start, end, specialty, f"P{case_id}", lead, None)


LENAS_MORNING = span(Owner(surgeon_user_id=LENA), at(7, 30), at(12), block_id=10)
ORTHO_AFTERNOON = span(ORTHO, at(12), at(15, 30), block_id=11)


@pytest.mark.parametrize(
    ("placed", "marked"),
    [
        (case(1, at(8), at(9)), True),  # Omar in Lena's block
        (case(1, at(8), at(9), lead=LENA), False),  # Lena in her own
        (case(1, at(13), at(14), specialty="ORTHOPEDICS"), False),  # the service's case
        (case(1, at(13), at(14)), True),  # a cardiac case in the orthopedics block
        (case(1, at(11, 59), at(12, 1), lead=LENA), True),  # Lena's runs into ortho's
        (case(1, at(15, 30), at(17)), False),  # starts as the block ends
        (case(1, at(6), at(7, 30)), False),  # ends as the block starts
        (case(1, at(6), at(18)), True),  # covers both
        (case(1, at(8), at(9), room_id=2), False),  # another room
        (case(1, at(8), at(9), room_id=None), False),  # unplaced
        (case(1, at(8, days=1), at(9, days=1)), False),  # another day
    ],
)
def test_a_case_in_another_owners_block_is_marked(placed: PlacedCase, marked: bool) -> None:
    codes = window_conflicts([placed], ROOMS, UTC_ZONE, [LENAS_MORNING, ORTHO_AFTERNOON])
    assert (OTHER_BLOCK in codes.get(placed.case_id, ())) is marked


def test_released_blocks_and_no_blocks_mark_nothing() -> None:
    placed = case(1, at(8), at(9))
    released = span(Owner(surgeon_user_id=LENA), at(7, 30), at(12), released=True)
    assert window_conflicts([placed], ROOMS, UTC_ZONE, [released]) == {}
    assert window_conflicts([placed], ROOMS, UTC_ZONE) == {}


def test_block_marks_sit_beside_the_other_conflicts() -> None:
    first = case(1, at(8), at(10))
    second = case(2, at(9), at(10), room_id=2)  # Omar in two rooms at once
    codes = window_conflicts([first, second], ROOMS, UTC_ZONE, [LENAS_MORNING])
    assert codes == {1: ("other_block", "surgeon_double_booked"),
                     2: ("surgeon_double_booked",)}


def test_blocks_hit_names_the_other_owners_spans_in_start_order() -> None:
    spans = [ORTHO_AFTERNOON, LENAS_MORNING,
             span(ORTHO, at(7), at(8), room_id=2, block_id=12),
             span(ORTHO, at(16), at(17), released=True, block_id=13)]
    assert blocks_hit(1, at(11), at(17), OMAR, "cardiac", spans) == [
        LENAS_MORNING, ORTHO_AFTERNOON]
    assert blocks_hit(1, at(11), at(17), LENA, "orthopedics", spans) == []
    assert blocks_hit(1, at(11), at(17), LENA, "cardiac", spans) == [ORTHO_AFTERNOON]
    assert blocks_hit(1, at(11), at(17), OMAR, None, spans) == [
        LENAS_MORNING, ORTHO_AFTERNOON]
    assert blocks_hit(1, at(15, 30), at(17), OMAR, "cardiac", spans) == []


OWNERS = [Owner(surgeon_user_id=LENA), Owner(surgeon_user_id=OMAR), ORTHO,
          Owner(service="cardiac")]
quarter_hours = st.integers(0, 4 * 24 * 3)  # three days in quarter hours


@st.composite
def spans(draw: st.DrawFn) -> BlockSpan:
    start, length = draw(quarter_hours), draw(st.integers(1, 40))
    begins = MONDAY + timedelta(minutes=15 * start)
    return BlockSpan(draw(st.integers(1, 9)), draw(st.integers(1, 2)), date(2026, 3, 2),
                     begins, begins + timedelta(minutes=15 * length),
                     draw(st.sampled_from(OWNERS)), draw(st.booleans()))


@st.composite
def cases(draw: st.DrawFn, case_id: int) -> PlacedCase:
    start, length = draw(quarter_hours), draw(st.integers(1, 40))
    begins = MONDAY + timedelta(minutes=15 * start)
    return case(case_id, begins, begins + timedelta(minutes=15 * length),
                lead=draw(st.sampled_from([LENA, OMAR])),
                specialty=draw(st.sampled_from(["orthopedics", "cardiac"])),
                room_id=draw(st.sampled_from([1, 2, None])))


@settings(max_examples=100, deadline=None)
@given(st.lists(spans(), max_size=12),
       st.integers(1, 12).flatmap(lambda n: st.tuples(*(cases(i) for i in range(n)))))
def test_board_marks_are_the_pairwise_check(blocks: list[BlockSpan],
                                            placed: tuple[PlacedCase, ...]) -> None:
    # Spans may even overlap here (bad data): the index must still find every one.
    codes = window_conflicts(placed, ROOMS, UTC_ZONE, blocks)
    for c in placed:
        expected = sorted((s for s in blocks
                           if s.room_id == c.room_id and not s.released
                           and s.start < c.end and c.start < s.end
                           and not s.owner.owns(c.lead_user_id, c.specialty)),
                          key=lambda s: (s.start, s.block_id))
        assert (OTHER_BLOCK in codes.get(c.case_id, ())) is bool(expected)
        if c.room_id is not None:
            assert blocks_hit(c.room_id, c.start, c.end, c.lead_user_id, c.specialty,
                              blocks) == expected
