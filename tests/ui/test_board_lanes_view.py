"""The board view in lanes, on hand-made DTOs (no database): a double booking stacks in a
taller row, a case holding two units has a bar in each unit's row, bars carry their
equipment marks and lead with the room code, the bands stay in room lanes."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from pytestqt.qtbot import QtBot

from surgdesk.domain.conflicts import EQUIPMENT_MISSING
from surgdesk.domain.enums import Laterality
from surgdesk.ui.board import bands
from surgdesk.ui.board.bars import items_of
from surgdesk.ui.board.delegate import BarDelegate, BarShape
from surgdesk.ui.board.lanes import NOT_ALLOCATED, LaneMode
from surgdesk.ui.board.model import BoardModel
from surgdesk.ui.board.textlayout import (
    GLYPH_W,
    MARK_GAP,
    equipment_width,
    line_count,
    room_width,
)
from surgdesk.ui.board.view import BoardMode, BoardView

from .dto_factories import DAY, case, holds, snapshot, unit
from .test_block_bands import occurrence

ROBOT, CARM = unit(1, "Robot"), unit(2)


def board(qtbot: QtBot, mode: LaneMode, cases: list) -> BoardView:  # type: ignore[type-arg]
    model = BoardModel()
    model.load(snapshot(cases, units=[ROBOT, CARM]))
    bands.block_bands(model).load((occurrence(1),))
    model.set_lane_mode(mode)
    view = BoardView()
    qtbot.addWidget(view)
    view.resize(1400, 800)
    view.setModel(model)
    view.configure(tz=ZoneInfo("UTC"), start=DAY, end=DAY + timedelta(days=1),
                   mode=BoardMode.DAY, snap_minutes=5, day_start=time(0), day_end=time(0),
                   px_per_minute=1.5)
    return view


def test_a_double_booked_surgeon_shows_two_bars_stacked_in_a_taller_row(
        qtbot: QtBot) -> None:
    view = board(qtbot, LaneMode.SURGEONS,
                 [case(1, room_id=1, start_h=8), case(2, room_id=2, start_h=9),
                  case(3, room_id=3, start_h=12, lead_surgeon_user_id=6,
                       lead_surgeon_name="Dr. B")])
    assert view.rows.count == 2
    assert view.rows.span(0) == 2 * view.rows.row_height  # Dr. A: two tracks
    assert view.rows.top(1) == 2 * view.rows.row_height
    first, second = (items_of(view, f"2026-00000{n}")[0].scene_bar() for n in (1, 2))
    assert first.bottom() <= second.top() or second.bottom() <= first.top()
    assert max(first.bottom(), second.bottom()) <= view.rows.top(1)
    third = items_of(view, "2026-000003")[0].scene_bar()
    assert view.rows.row_at(third.center().y()) == 1
    # The room code leads the bar's title (the row says the surgeon, not the room); on a
    # bar too narrow for both, the procedure keeps its line and the room leads the next.
    bar = items_of(view, "2026-000001")[0]
    text = view.delegate.bar_text(bar.case, bar.local_shape)
    assert text.lines[0].text == "Procedure 1 (L)"
    assert text.lines[1].text.startswith("OR-01 · ")
    wide = bar.local_shape._replace(bar=QRectF(0, 0, 400, 54))
    assert view.delegate.bar_text(bar.case, wide).lines[0].room == "OR-01"


def test_a_case_holding_two_units_has_a_bar_in_each_units_row(qtbot: QtBot) -> None:
    both = case(1, start_h=8, hours=3, equipment=holds(ROBOT, CARM))
    missing = case(2, room_id=2, start_h=9, equipment=holds("Robot"),
                   conflicts=(EQUIPMENT_MISSING,))
    view = board(qtbot, LaneMode.EQUIPMENT, [both, missing, case(3, room_id=3)])
    model = view.model()
    assert model is not None
    bars_of_both = items_of(view, both.case_number)
    assert sorted(view.rows.row_at(b.scene_bar().center().y()) or 0 for b in bars_of_both) \
        == sorted([model.lane_row("unit:1") or 0, model.lane_row("unit:2") or 0])
    [lost] = items_of(view, missing.case_number)
    assert view.rows.row_at(lost.scene_bar().center().y()) == model.lane_row(NOT_ALLOCATED)
    assert items_of(view, "2026-000003") == []  # needs no equipment: in no unit's row
    # Selecting the case marks both its bars; each row's index gives its own rectangle.
    view.select_case(both.case_number)
    assert all(b.selected for b in bars_of_both)
    rects = {view.visualRect(model.case_index(both.case_number, key)).top()
             for key in ("unit:1", "unit:2")}
    assert len(rects) == 2
    # The marks: R and C on the wide bar, a red (not allocated) R on the other.
    line_marks = [m for line in view.delegate.bar_text(both, bars_of_both[0].local_shape).lines
                  for m in line.equipment]
    assert line_marks == [("R", True), ("C", True)]
    assert [m for line in view.delegate.bar_text(missing, lost.local_shape).lines
            for m in line.equipment] == [("R", False)]
    # A case that moves off a unit loses that row's bar only.
    model.upsert_case(case(1, start_h=8, hours=3, version=2, equipment=holds(ROBOT)))
    [still] = items_of(view, both.case_number)
    assert view.rows.row_at(still.scene_bar().center().y()) == model.lane_row("unit:1")


def test_block_bands_show_in_room_lanes_only(qtbot: QtBot) -> None:
    view = board(qtbot, LaneMode.SURGEONS, [case(1)])
    model = view.model()
    assert model is not None
    store = bands.block_bands(model)
    assert not any(r.bands for r in store.rows(view))
    model.set_lane_mode(LaneMode.ROOMS)
    store.load(model.blocks() or (occurrence(1),))
    view.configure_same()
    assert [len(r.bands) for r in store.rows(view)] == [1, 0, 0]


def test_lane_labels_paint_without_error_in_every_mode(qtbot: QtBot) -> None:
    view = board(qtbot, LaneMode.EQUIPMENT, [case(1, equipment=holds(ROBOT))])
    image = QImage(1400, 800, QImage.Format.Format_RGB32)
    for mode in LaneMode:
        assert view.model() is not None
        view.model().set_lane_mode(mode)  # type: ignore[union-attr]
        painter = QPainter(image)
        view.render(painter)
        painter.end()
    assert view.rows.height() > 0
    assert QRectF(0, 0, 1, 1).isValid()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(procedure=st.text(alphabet="abcdefghij -", min_size=1, max_size=40),
       width=st.floats(10, 600), height=st.floats(8, 70), units=st.integers(0, 3),
       missing=st.booleans(), room_first=st.booleans())
def test_any_layout_with_room_and_marks_fits_its_bar(
        qtbot: QtBot, procedure: str, width: float, height: float, units: int,
        missing: bool, room_first: bool) -> None:
    delegate = BarDelegate(ZoneInfo("UTC"))
    delegate.room_first = room_first
    kit = holds(*([ROBOT, CARM, unit(3, "Microscope")][:units]), *(["Laser"] if missing else []))
    bar_case = case(1, procedure_name=procedure.strip() or "x", equipment=kit,
                    laterality=Laterality.NOT_APPLICABLE)
    shape = BarShape(QRectF(0, 0, width, height), None)
    text = delegate.bar_text(bar_case, shape)
    area = delegate.text_area(bar_case, shape.bar)
    assert len(text.lines) <= line_count(area.height())
    metrics = delegate.layouts.metrics
    for line in text.lines:
        used = (GLYPH_W + MARK_GAP) * (line.glyph + line.warning) \
            + equipment_width(line.equipment) + room_width(line.room, metrics) \
            + (metrics.width(line.text, line.font) if line.text else 0.0)
        assert used <= int(area.width()) + MARK_GAP + 1, line


def test_the_room_code_stays_whole_where_the_surgeons_name_is_cut(qtbot: QtBot) -> None:
    delegate = BarDelegate(ZoneInfo("UTC"))
    delegate.room_first = True
    long = case(1, room_id=11, procedure_name="Incarcerated hernia repair",
                lead_surgeon_name="Dr. Hana Lee-Whitfield")
    for width in (90, 120, 150, 200):
        text = delegate.bar_text(long, BarShape(QRectF(0, 0, width, 54), None))
        rooms = [line.room for line in text.lines] + [line.text for line in text.lines]
        assert any(r == "OR-11" or r.startswith("OR-11 ·") or r == "OR-11 · …"
                   for r in rooms), (width, text)
