"""The board's item models, tested without any widget."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester

from surgdesk.domain.enums import CaseStatus, RoomStatus
from surgdesk.ui.board.model import (
    BoardModel,
    BoardRole,
    QueueModel,
    case_number_from_mime,
    drop_problem,
)

from .dto_factories import DAY, case, room, snapshot


def loaded(*cases, **kwargs) -> BoardModel:  # type: ignore[no-untyped-def]
    model = BoardModel()
    model.load(snapshot(list(cases), **kwargs))
    return model


def test_board_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = loaded(case(1), case(2, room_id=2), case(3, start_h=11))
    qtmodeltester.check(model)
    # ...and stays consistent through incremental changes.
    model.upsert_case(case(4, room_id=3))
    model.upsert_case(case(1, room_id=2, start_h=12))
    model.upsert_case(case(2, start_h=14, version=2))
    model.remove_case("2026-000003")
    model.upsert_case(case(4, room_id=None, status=CaseStatus.REQUESTED))
    qtmodeltester.check(model)


def test_queue_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    queue = QueueModel()
    queue.load([case(7, room_id=None, status=CaseStatus.REQUESTED),
                case(8, room_id=None, status=CaseStatus.POSTPONED)])
    qtmodeltester.check(queue)
    queue.upsert_case(case(9, room_id=None, status=CaseStatus.REQUESTED))
    queue.upsert_case(case(7, room_id=1))  # scheduled: leaves the queue
    qtmodeltester.check(queue)
    assert [c.case_number for c in queue.cases()] == ["2026-000008", "2026-000009"]
    queue.remove_case("2026-000008")  # gone on another PC
    queue.remove_case("2026-000404")  # not held: nothing happens
    qtmodeltester.check(queue)
    assert [c.case_number for c in queue.cases()] == ["2026-000009"]


def test_user_role_finds_a_case_recursively() -> None:
    model = loaded(case(1), case(2, room_id=3))
    hits = model.match(model.index(0, 0), Qt.ItemDataRole.UserRole, "2026-000002", 1,
                       Qt.MatchFlag.MatchRecursive)
    assert len(hits) == 1
    index = hits[0]
    assert index.column() == 0
    assert index.parent().row() == 2  # room 3
    assert index.data(BoardRole.START) == DAY + timedelta(hours=8)
    assert index.data(BoardRole.END) == DAY + timedelta(hours=9.5)
    assert index.data(BoardRole.STATUS) == CaseStatus.SCHEDULED  # a StrEnum comes back as str


def test_data_is_none_for_an_invalid_index_and_unknown_roles() -> None:
    model = loaded(case(1))
    assert model.data(QModelIndex(), Qt.ItemDataRole.DisplayRole) is None
    assert model.data(QModelIndex(), BoardRole.CASE_NUMBER) is None
    assert model.index(0, 0).data(BoardRole.CASE_NUMBER) is None  # a room has no number
    assert model.index(0, 0, model.index(0, 0)).data(Qt.ItemDataRole.DecorationRole) is None


def test_moving_to_another_room_removes_and_inserts_rows(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = loaded(case(1), case(2))
    with qtbot.waitSignals([model.rowsRemoved, model.rowsInserted]):
        model.upsert_case(case(1, room_id=2, start_h=10, version=2))
    assert [c.case_number for c in model.cases_in_room(1)] == ["2026-000002"]
    assert [c.case_number for c in model.cases_in_room(2)] == ["2026-000001"]


def test_a_change_in_place_is_one_data_changed(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = loaded(case(1))
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.upsert_case(case(1, start_h=9, version=2))
    assert blocker.args[0] == model.case_index("2026-000001")


def test_masked_cases_hold_no_patient_data() -> None:
    model = loaded(case(1, masked=True), case(2, masked=True))
    for number in ("2026-000001", "2026-000002"):
        index = model.case_index(number)
        summary = index.data(BoardRole.CASE)
        assert summary.patient_name is None
        assert summary.patient_id is None
        texts = [str(index.siblingAtColumn(c).data(r)) for c in range(4)
                 for r in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)]
        assert not any("Patient 1" in t or "MRN" in t for t in texts)
        assert "Patient hidden" in index.data(Qt.ItemDataRole.ToolTipRole)


def test_requested_cases_stay_off_the_board() -> None:
    model = loaded(case(1), case(2, room_id=None, status=CaseStatus.REQUESTED))
    assert [c.case_number for c in model.cases()] == ["2026-000001"]


def test_drop_problem_counts_turnover_closed_rooms_and_closures() -> None:
    model = loaded(case(1, start_h=8, hours=2), rooms=[room(1, turnover=30),
                                                      room(2, status=RoomStatus.MAINTENANCE)])
    start = DAY + timedelta(hours=10, minutes=15)  # inside case 1's turnover
    assert "taken by 2026-000001" in (drop_problem(model, 99, 1, start,
                                                   start + timedelta(hours=1)) or "")
    later = DAY + timedelta(hours=10, minutes=30)
    assert drop_problem(model, 99, 1, later, later + timedelta(hours=1)) is None
    assert "maintenance" in (drop_problem(model, 99, 2, later, later + timedelta(hours=1)) or "")
    # A case does not clash with itself.
    assert drop_problem(model, 1, 1, DAY + timedelta(hours=8, minutes=5),
                        DAY + timedelta(hours=10, minutes=5)) is None


def test_queue_mime_data_carries_the_case_number() -> None:
    queue = QueueModel()
    queue.load([case(7, room_id=None, status=CaseStatus.REQUESTED)])
    mime = queue.mimeData([queue.index(0)])
    assert case_number_from_mime(mime) == "2026-000007"
