"""The case table: a few hundred demo cases, filtered and sorted through the proxy."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import CaseStatus, Priority
from surgdesk.services.dto import CaseSummary
from surgdesk.services.registry import Services
from surgdesk.ui.manage.case_table import MASKED, CaseTableModel, CaseTableWidget
from surgdesk.ui.manage.common import RowRole
from tests.services.factories import Kit, team_case
from tests.ui.manage.fixtures import (
    DEMO_DAYS,
    DEMO_START,
    Demo,
    demo_services,
    kit_services,
    sqlite_db,
)

__all__ = ["demo_services", "kit_services", "sqlite_db"]

LAST_DAY = DEMO_START + timedelta(days=DEMO_DAYS - 1)


@pytest.fixture
def table(qtbot: QtBot, demo_services: Demo) -> CaseTableWidget:
    widget = CaseTableWidget(demo_services.services, demo_services["admin"], start=DEMO_START,
                             days=DEMO_DAYS)
    qtbot.add_widget(widget)
    assert widget.runner.settle()  # read off the GUI thread
    return widget


def _all(demo: Demo) -> list[CaseSummary]:
    return demo.services.cases.list_cases(demo["admin"], date_from=DEMO_START,
                                          date_to=LAST_DAY)


def test_the_range_loads_a_few_hundred_cases(table: CaseTableWidget, demo_services: Demo
                                             ) -> None:
    cases = _all(demo_services)
    assert len(cases) >= 200
    assert table.model.rowCount() == len(cases)
    assert table.view.objectName() == "caseTable"
    assert table.count.text() == f"{len(cases)} cases"


def test_model_passes_the_model_tester(qtmodeltester: ModelTester, demo_services: Demo
                                       ) -> None:
    model = CaseTableModel(ZoneInfo("Europe/Berlin"), patients=True)
    model.set_rows(_all(demo_services)[:50])
    qtmodeltester.check(model)
    assert model.data(model.index(-1, 0)) is None
    assert model.data(model.index(0, 0), RowRole.KEY) == model.row_at(0).case_number


def test_each_filter_and_all_together_match_the_service_list(
    table: CaseTableWidget, demo_services: Demo
) -> None:
    cases = _all(demo_services)
    room = cases[0].room_code
    surgeon = cases[0].lead_surgeon_username

    def choose(combo_name: str, value: object) -> None:
        combo = getattr(table, combo_name)
        index = combo.findData(value)
        assert index >= 0, value
        combo.setCurrentIndex(index)

    choose("room_filter", room)
    assert set(table.visible_case_numbers()) == {c.case_number for c in cases
                                                 if c.room_code == room}
    choose("status_filter", CaseStatus.COMPLETED)
    expected = {c.case_number for c in cases
                if c.room_code == room and c.status is CaseStatus.COMPLETED}
    assert expected
    assert set(table.visible_case_numbers()) == expected
    choose("room_filter", None)
    choose("status_filter", None)
    choose("surgeon_filter", surgeon)
    choose("priority_filter", Priority.ELECTIVE)
    expected = {c.case_number for c in cases
                if c.lead_surgeon_username == surgeon and c.priority is Priority.ELECTIVE}
    assert set(table.visible_case_numbers()) == expected
    assert table.count.text() == f"{len(expected)} of {len(cases)} cases"
    choose("surgeon_filter", None)
    choose("priority_filter", None)
    assert table.proxy.rowCount() == len(cases)


def test_free_text_finds_procedure_patient_and_case_number(
    table: CaseTableWidget, demo_services: Demo
) -> None:
    cases = _all(demo_services)
    target = cases[len(cases) // 2]
    table.text_filter.setText(target.case_number)
    assert table.visible_case_numbers() == [target.case_number]
    assert target.patient_name is not None
    table.text_filter.setText(target.patient_name.upper())
    assert target.case_number in table.visible_case_numbers()
    word = target.procedure_name.split()[0].lower()
    table.text_filter.setText(word)
    assert set(table.visible_case_numbers()) == {
        c.case_number for c in cases
        if any(word in (v or "").lower() for v in (
            c.case_number, c.procedure_name, c.specialty, c.room_code, c.lead_surgeon_name,
            c.lead_surgeon_username, c.anesthetist_name, c.patient_name, c.patient_id))
    }
    table.text_filter.setText("no such thing anywhere")
    assert table.visible_case_numbers() == []
    assert table.count.text() == f"0 of {len(cases)} cases"


def test_sorting_by_start_status_and_priority(table: CaseTableWidget, demo_services: Demo
                                              ) -> None:
    cases = {c.case_number: c for c in _all(demo_services)}
    titles = table.model.column_titles()
    table.view.sortByColumn(titles.index("Time"), Qt.SortOrder.AscendingOrder)
    starts = [cases[n].scheduled_start for n in table.visible_case_numbers()]
    assert starts == sorted(starts)  # type: ignore[type-var]
    table.view.sortByColumn(titles.index("Time"), Qt.SortOrder.DescendingOrder)
    starts = [cases[n].scheduled_start for n in table.visible_case_numbers()]
    assert starts == sorted(starts, reverse=True)  # type: ignore[type-var]
    table.view.sortByColumn(titles.index("Priority"), Qt.SortOrder.AscendingOrder)
    ranks = [list(Priority).index(cases[n].priority) for n in table.visible_case_numbers()]
    assert ranks == sorted(ranks, reverse=True)  # emergency first: reverse of enum order
    table.view.sortByColumn(titles.index("Case"), Qt.SortOrder.AscendingOrder)
    numbers = table.visible_case_numbers()
    assert numbers == sorted(numbers)
    # Sorting survives a filter change and a reload.
    table.status_filter.setCurrentIndex(table.status_filter.findData(CaseStatus.SCHEDULED))
    table.reload()
    assert table.runner.settle()
    numbers = table.visible_case_numbers()
    assert numbers == sorted(numbers)
    assert all(cases[n].status is CaseStatus.SCHEDULED for n in numbers)


def test_double_click_emits_case_activated(qtbot: QtBot, table: CaseTableWidget) -> None:
    table.resize(1200, 600)
    table.show()
    qtbot.waitExposed(table)
    index = table.proxy.index(3, 2)
    number = table.visible_case_numbers()[3]
    table.view.scrollTo(index)
    rect = table.view.visualRect(index)
    # QAbstractItemView only takes a double-click on the index a press went to first.
    qtbot.mouseClick(table.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(table.caseActivated) as signal:
        qtbot.mouseDClick(table.view.viewport(), Qt.MouseButton.LeftButton,
                          pos=rect.center())
    assert signal.args == [number]


def test_a_narrower_range_reloads(table: CaseTableWidget, demo_services: Demo) -> None:
    table.set_range(DEMO_START, DEMO_START)
    assert table.runner.settle()
    one_day = demo_services.services.cases.list_cases(
        demo_services["admin"], date_from=DEMO_START, date_to=DEMO_START)
    assert table.model.rowCount() == len(one_day)
    table.set_range(LAST_DAY, DEMO_START)
    assert table.model.rowCount() == 0
    assert "before the start" in table.error.text()


def test_viewer_has_no_patient_columns(qtbot: QtBot, demo_services: Demo) -> None:
    widget = CaseTableWidget(demo_services.services, demo_services["viewer"],
                             start=DEMO_START, days=DEMO_DAYS)
    qtbot.add_widget(widget)
    assert widget.runner.settle()
    titles = widget.model.column_titles()
    assert "Patient" not in titles
    assert "MRN" not in titles
    assert widget.model.rowCount() > 100
    assert all(c.patient_name is None for c in widget.model.rows())


def test_clinician_sees_own_team_patients_and_masked_otherwise(
    qtbot: QtBot, kit_services: tuple[Kit, Services]
) -> None:
    kit, services = kit_services
    mine = team_case(kit)  # nurse1 on the team
    other = kit.new_case(start=kit.clock.now().replace(hour=12) + timedelta(days=1),
                         patient_id="MRN-9", patient_name="Other Patient").case.case_number
    widget = CaseTableWidget(services, kit["nurse1"], start=kit.clock.now().date(), days=3)
    qtbot.add_widget(widget)
    assert widget.runner.settle()
    titles = widget.model.column_titles()
    patient = titles.index("Patient")
    shown = {widget.proxy.index(r, 0).data(): widget.proxy.index(r, patient).data()
             for r in range(widget.proxy.rowCount())}
    assert shown[mine] == "Erika Mustermann"
    assert shown[other] == MASKED


def test_without_a_start_the_range_begins_on_the_department_s_today(
    qtbot: QtBot, kit_services: tuple[Kit, Services]
) -> None:
    kit, services = kit_services
    tz = ZoneInfo(services.settings.get(kit["admin"]).time_zone)
    widget = CaseTableWidget(services, kit["admin"], days=3)
    qtbot.add_widget(widget)
    assert widget.count.text() == "Loading…"  # the read is off the GUI thread
    assert widget.runner.settle()
    today = kit.clock.now().astimezone(tz).date()
    assert widget.date_from.date() == QDate(today.year, today.month, today.day)
    last = today + timedelta(days=2)
    assert widget.date_to.date() == QDate(last.year, last.month, last.day)
    assert widget.tz == tz
