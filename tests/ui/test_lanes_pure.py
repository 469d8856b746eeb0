"""Board lanes as pure functions (``ui/board/lanes.py``): no Qt, no database."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from surgdesk.domain.conflicts import EQUIPMENT_MISSING
from surgdesk.domain.enums import CaseStatus, EquipmentStatus
from surgdesk.services.dto import OccurrenceView
from surgdesk.ui.board.lanes import (
    NO_ANESTHETIST,
    NOT_ALLOCATED,
    LaneMode,
    build_lanes,
    equipment_marks,
    kind_glyph,
    lanes_of,
    stack,
)

from .dto_factories import DAY, case, holds, snapshot, unit

ROBOT = unit(1, "Robot", name="Da Vinci")
CARM_1, CARM_2 = unit(2), unit(3)


def surgeon(number: int, user_id: int, name: str, **kw: object) -> object:
    return case(number, lead_surgeon_user_id=user_id, lead_surgeon_name=name, **kw)


def test_room_lanes_are_the_rooms_in_their_order() -> None:
    lanes = build_lanes(snapshot([case(1)]), LaneMode.ROOMS)
    assert [(lane.key, lane.label, lane.sublabel) for lane in lanes] == [
        ("room:1", "OR-01", "Theatre 1"), ("room:2", "OR-02", "Theatre 2"),
        ("room:3", "OR-03", "Theatre 3")]
    assert lanes_of(case(1, room_id=2), LaneMode.ROOMS) == ["room:2"]


def test_surgeon_lanes_hold_only_surgeons_with_cases_by_name_with_their_rooms() -> None:
    cases = [surgeon(1, 7, "Dr. Zed", room_id=1), surgeon(2, 7, "Dr. Zed", room_id=3),
             surgeon(3, 5, "Dr. Abel", room_id=2),
             surgeon(4, 9, "Dr. Queue", room_id=None, status=CaseStatus.REQUESTED)]
    lanes = build_lanes(snapshot(cases), LaneMode.SURGEONS)
    assert [(lane.key, lane.label) for lane in lanes] == [("surgeon:5", "Dr. Abel"),
                                                          ("surgeon:7", "Dr. Zed")]
    assert lanes[1].sublabel == "2 cases · OR-01, OR-03"
    assert lanes_of(cases[0], LaneMode.SURGEONS) == ["surgeon:7"]  # type: ignore[arg-type]


def test_a_surgeon_with_a_block_that_day_gets_a_lane_without_cases() -> None:
    block = OccurrenceView(
        block_id=1, room_id=2, room_code="OR-02", day=DAY.date(), start=DAY + timedelta(hours=8),
        end=DAY + timedelta(hours=12), owner_label="Dr Lena Moreau (orthopedics)",
        colour_key="orthopedics", surgeon_user_id=11, service=None, released=False,
        released_by_rule=False, release_reason=None, released_by_name=None,
        released_days_ahead=None, used_minutes=0, block_minutes=240, utilization=0.0)
    lanes = build_lanes(snapshot([case(1)], blocks=[block]), LaneMode.SURGEONS)
    assert ("surgeon:11", "Dr Lena Moreau", "block, no case yet") in [
        (lane.key, lane.label, lane.sublabel) for lane in lanes]


def test_anesthetist_lanes_end_with_the_cases_that_have_none() -> None:
    cases = [case(1), case(2, anesthetist_user_id=8, anesthetist_name="Dr. Gas")]
    lanes = build_lanes(snapshot(cases), LaneMode.ANESTHETISTS)
    assert [(lane.key, lane.label) for lane in lanes] == [("anesthetist:8", "Dr. Gas"),
                                                          (NO_ANESTHETIST, "No anesthetist")]
    assert lanes_of(cases[0], LaneMode.ANESTHETISTS) == [NO_ANESTHETIST]


def test_equipment_lanes_are_every_unit_by_kind_and_a_not_allocated_row() -> None:
    fleet = [ROBOT, CARM_2, CARM_1, unit(4, "Laser", status=EquipmentStatus.MAINTENANCE),
             unit(5, "Laser", status=EquipmentStatus.RETIRED)]
    lanes = build_lanes(snapshot([], units=fleet), LaneMode.EQUIPMENT)
    assert [lane.label for lane in lanes] == [
        "C-arm 2 · C-arm", "C-arm 3 · C-arm", "Laser 4 · Laser", "Da Vinci · Robot",
        "Not allocated"]
    assert lanes[2].inactive
    assert lanes[2].sublabel == "MAINTENANCE · any room"
    assert not lanes[0].inactive
    assert lanes[-1].key == NOT_ALLOCATED


def test_a_case_shows_in_the_row_of_each_unit_it_holds_and_missing_ones() -> None:
    both = case(1, equipment=holds(ROBOT, CARM_1))
    short = case(2, equipment=holds(CARM_2, "C-arm"), conflicts=(EQUIPMENT_MISSING,))
    bare = case(3)
    assert lanes_of(both, LaneMode.EQUIPMENT) == ["unit:1", "unit:2"]
    assert lanes_of(short, LaneMode.EQUIPMENT) == ["unit:3", NOT_ALLOCATED]
    assert lanes_of(bare, LaneMode.EQUIPMENT) == []
    assert equipment_marks(short) == (("C", True), ("C", False))


def test_kind_glyphs() -> None:
    assert [kind_glyph(k) for k in ("Robot", "C-arm", "Surgical robot", "Neuro microscope",
                                    "CO2 laser", "ultrasound", "")] == [
        "R", "C", "R", "M", "L", "U", "?"]


def at(minute: int) -> datetime:
    return DAY + timedelta(minutes=minute)


def test_overlapping_cases_stack_and_touching_ones_share_a_track() -> None:
    spans = [(at(0), at(60)), (at(30), at(90)), (at(60), at(120)), (at(100), at(110))]
    tracks, count = stack(spans)
    assert tracks == [0, 1, 0, 1]
    assert count == 2
    assert stack([]) == ([], 1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 600), st.integers(5, 180)), max_size=25))
def test_stacking_never_puts_overlapping_cases_on_one_track(
        raw: list[tuple[int, int]]) -> None:
    spans = [(at(start), at(start + length)) for start, length in raw]
    tracks, count = stack(spans)
    for i, (s1, e1) in enumerate(spans):
        for j, (s2, e2) in enumerate(spans[:i]):
            if s1 < e2 and s2 < e1:
                assert tracks[i] != tracks[j]
    # As few tracks as the deepest overlap needs (checked by brute force).
    depth = max((sum(1 for s, e in spans if s <= t < e) for t, _ in spans), default=1)
    assert count == max(1, depth)
