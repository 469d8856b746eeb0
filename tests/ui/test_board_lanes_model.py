"""The board model in every lane mode, without any widget: rows per lane, a case in each
lane that holds it, stacked overlaps, incremental changes (pytest-qt's model tester)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from surgdesk.domain.conflicts import EQUIPMENT_MISSING
from surgdesk.domain.enums import CaseStatus
from surgdesk.ui.board.lanes import NOT_ALLOCATED, LaneMode
from surgdesk.ui.board.model import BoardModel, BoardRole, drop_problem

from .dto_factories import DAY, case, holds, snapshot, unit

ROBOT, CARM_1, CARM_2 = unit(1, "Robot"), unit(2), unit(3)
UNITS = [ROBOT, CARM_1, CARM_2]


def people_case(number: int, surgeon: int, **kw: object):  # type: ignore[no-untyped-def]
    return case(number, lead_surgeon_user_id=surgeon, lead_surgeon_name=f"Dr. {surgeon}",
                **kw)


def board_cases() -> list:  # type: ignore[type-arg]
    return [
        people_case(1, 5, room_id=1, start_h=8, equipment=holds(ROBOT, CARM_1)),
        people_case(2, 5, room_id=2, start_h=8.5, anesthetist_user_id=9,
                    anesthetist_name="Dr. Gas"),  # surgeon 5 double booked
        people_case(3, 6, room_id=3, start_h=10, equipment=holds("C-arm"),
                    conflicts=(EQUIPMENT_MISSING,)),
        people_case(4, 6, room_id=2, start_h=13, equipment=holds(CARM_2)),
    ]


def loaded(mode: LaneMode) -> BoardModel:
    model = BoardModel()
    model.set_lane_mode(mode)
    model.load(snapshot(board_cases(), units=UNITS))
    return model


def lane_children(model: BoardModel) -> dict[str, list[str]]:
    out = {}
    for row in range(model.rowCount()):
        parent = model.index(row, 0)
        out[model.data(parent, BoardRole.LANE)] = sorted(
            model.data(model.index(r, 0, parent), BoardRole.CASE_NUMBER)[-1:]
            for r in range(model.rowCount(parent)))
    return out


@pytest.mark.parametrize("mode", list(LaneMode))
def test_every_lane_mode_passes_the_model_tester(qtmodeltester: ModelTester,
                                                 mode: LaneMode) -> None:
    model = loaded(mode)
    qtmodeltester.check(model)
    # ...and stays consistent through incremental changes of every kind.
    model.upsert_case(people_case(2, 6, room_id=2, start_h=15, version=2))  # other surgeon
    model.upsert_case(people_case(7, 8, room_id=1, start_h=16,
                                  equipment=holds(CARM_2)))  # a surgeon new to the window
    model.upsert_case(people_case(3, 6, room_id=3, start_h=10, version=2,
                                  equipment=holds(CARM_1)))  # got a unit
    model.upsert_case(people_case(1, 5, room_id=1, start_h=9, version=2,
                                  equipment=holds(ROBOT, CARM_1)))  # still both units
    model.remove_case("2026-000004")
    model.upsert_case(people_case(1, 5, room_id=None, status=CaseStatus.REQUESTED))
    qtmodeltester.check(model)
    model.set_lane_mode(LaneMode.ROOMS if mode is not LaneMode.ROOMS else LaneMode.EQUIPMENT)
    qtmodeltester.check(model)


def test_surgeon_lanes_put_a_surgeons_day_across_rooms_in_one_row() -> None:
    model = loaded(LaneMode.SURGEONS)
    assert [lane.label for lane in model.lanes()] == ["Dr. 5", "Dr. 6"]
    assert lane_children(model) == {"surgeon:5": ["1", "2"], "surgeon:6": ["3", "4"]}
    first = model.index(0, 0)
    assert model.data(first, BoardRole.KIND) == "lane"
    assert model.data(first, BoardRole.ROOM) is None
    # The two overlapping cases of surgeon 5 are stacked: two tracks in the row.
    assert model.track_counts() == [2, 1]
    assert {model.track(n, "surgeon:5") for n in ("2026-000001", "2026-000002")} == {0, 1}
    assert model.room_row(1) is None
    assert model.room(1) is not None


def test_anesthetist_lanes_gather_cases_without_one_in_their_own_row() -> None:
    model = loaded(LaneMode.ANESTHETISTS)
    assert [lane.label for lane in model.lanes()] == ["Dr. Gas", "No anesthetist"]
    assert lane_children(model)["anesthetist:-"] == ["1", "3", "4"]


def test_equipment_lanes_show_a_case_in_each_unit_it_holds() -> None:
    model = loaded(LaneMode.EQUIPMENT)
    assert [lane.label for lane in model.lanes()] == [
        "C-arm 2 · C-arm", "C-arm 3 · C-arm", "Robot 1 · Robot", "Not allocated"]
    assert lane_children(model) == {"unit:2": ["1"], "unit:3": ["4"], "unit:1": ["1"],
                                    NOT_ALLOCATED: ["3"]}
    assert model.case_lanes("2026-000001") == ["unit:1", "unit:2"]
    # Each of the case's rows has its own index; without a lane, the first.
    robot_row, carm_row = model.lane_row("unit:1"), model.lane_row("unit:2")
    assert model.case_index("2026-000001").parent().row() == robot_row
    assert model.case_index("2026-000001", "unit:2").parent().row() == carm_row
    assert model.case("2026-000002") is not None  # held, though in no equipment row


def test_rows_grow_and_shrink_with_double_bookings(qtbot: QtBot) -> None:
    model = loaded(LaneMode.SURGEONS)
    with qtbot.waitSignal(model.tracks_changed):
        model.upsert_case(people_case(2, 5, room_id=2, start_h=15, version=2))
    assert model.track_counts() == [1, 1]
    with qtbot.waitSignal(model.dataChanged) as changed:
        model.upsert_case(people_case(4, 6, room_id=2, start_h=9.5, version=2, hours=2))
    assert changed.args is not None
    assert model.track_counts() == [1, 2]


def test_switching_lanes_needs_no_read_and_keeps_the_cases(qtbot: QtBot) -> None:
    model = loaded(LaneMode.ROOMS)
    model.upsert_case(people_case(2, 7, room_id=2, start_h=15, version=2))  # from the feed
    with qtbot.waitSignal(model.modelReset):
        model.set_lane_mode(LaneMode.SURGEONS)
    assert "surgeon:7" in [lane.key for lane in model.lanes()]
    assert len(model.cases()) == 4
    model.set_lane_mode(LaneMode.ROOMS)
    assert model.room_row(2) == 1
    assert model.data(model.index(1, 0), BoardRole.KIND) == "room"


def test_the_drop_check_reads_the_room_in_any_lanes() -> None:
    model = loaded(LaneMode.SURGEONS)
    start = DAY.replace(hour=8)
    assert drop_problem(model, 99, 1, start, start.replace(hour=9)) is not None  # case 1
    assert drop_problem(model, 99, 3, start, start.replace(hour=9)) is None
    assert model.lane_key_of(QModelIndex()) is None
