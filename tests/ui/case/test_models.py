"""The case screens' item models, without any widget: the model tester, roles, text."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QModelIndex, QObject, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import ItemStatus, NoteType, TeamRole
from surgdesk.services.dto import AuditEntry, ChecklistItemView, NoteView, TeamMemberView
from surgdesk.ui.case.models import (
    CareTeamModel,
    ChecklistModel,
    ChecklistRole,
    HistoryModel,
    MyCaseRow,
    MyCasesModel,
    MyCasesRole,
    NotesModel,
    TeamRoleData,
    changes_text,
    group_sections,
)
from tests.ui.case.conftest import Dept

TZ = ZoneInfo("Europe/Berlin")
T = datetime(2026, 1, 12, 7, 30, tzinfo=UTC)


def checklist_item(code: str, section: str, position: int, *, required: bool = True,
                   status: ItemStatus = ItemStatus.PENDING) -> ChecklistItemView:
    return ChecklistItemView(
        id=position, item_code=code, section=section, label=f"label of {code}",
        is_required=required, status=status, assigned_to=None,
        completed_by="nurse1" if status is ItemStatus.DONE else None,
        completed_by_name="Nurse One" if status is ItemStatus.DONE else None,
        completed_at=T if status is ItemStatus.DONE else None, notes=None,
        position=position, version=1)


ITEMS = [
    checklist_item("SI-IDENTITY", "Sign In", 6),
    checklist_item("RD-CONSENT", "Readiness", 1, status=ItemStatus.DONE),
    checklist_item("RD-IMPLANTS", "Readiness", 2, required=False),
    checklist_item("TO-TEAM", "Time Out", 8, status=ItemStatus.BLOCKED),
    checklist_item("LOCAL-WARM", "Warming", 9),
]


def test_checklist_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = ChecklistModel(TZ)
    model.set_items(ITEMS)
    qtmodeltester.check(model)
    model.set_editable(True)
    qtmodeltester.check(model)
    model.set_items([])
    qtmodeltester.check(model)


def test_checklist_model_groups_items_by_section_in_who_order() -> None:
    model = ChecklistModel(TZ)
    model.set_items(ITEMS)
    sections = [model.index(r, 0).data(ChecklistRole.SECTION) for r in range(model.rowCount())]
    assert sections == ["Readiness", "Sign In", "Time Out", "Warming"]  # local ones last
    readiness = model.index(0, 0)
    assert readiness.data() == "Readiness — 1/1 required done"
    assert readiness.data(ChecklistRole.IS_SECTION) is True
    assert model.rowCount(readiness) == 2
    first = model.index(0, 0, readiness)
    assert first.data(ChecklistRole.ITEM_CODE) == "RD-CONSENT"
    assert first.parent() == readiness
    assert model.index(1, ChecklistModel.COL_REQUIRED, readiness).data() == "optional"
    done = model.index(0, ChecklistModel.COL_STATUS, readiness)
    assert done.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert model.index(0, ChecklistModel.COL_WHEN, readiness).data() == "12 Jan 08:30"
    blocked = model.item_index("TO-TEAM", ChecklistModel.COL_STATUS)
    assert blocked.data() == "Blocked"
    assert blocked.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.PartiallyChecked
    assert model.data(QModelIndex()) is None
    assert [p.section for p in model.sections()] == sections
    assert [code for _s, items in group_sections(ITEMS) for code in
            (i.item_code for i in items)][:2] == ["RD-CONSENT", "RD-IMPLANTS"]


def test_checking_an_item_is_a_request_not_an_edit(qtbot: QtBot) -> None:
    model = ChecklistModel(TZ)
    model.set_items(ITEMS)
    index = model.item_index("SI-IDENTITY", ChecklistModel.COL_STATUS)
    assert model.setData(index, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole) is False
    model.set_editable(True)
    with qtbot.waitSignal(model.tick_requested) as asked:
        assert model.setData(index, Qt.CheckState.Checked.value,
                             Qt.ItemDataRole.CheckStateRole) is False
    assert asked.args == ["SI-IDENTITY", "done"]
    assert index.data(ChecklistRole.STATUS) == "pending"  # unchanged until reloaded
    with qtbot.waitSignal(model.tick_requested) as asked:
        model.setData(model.item_index("RD-CONSENT", ChecklistModel.COL_STATUS),
                      Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert asked.args == ["RD-CONSENT", "pending"]


def test_team_notes_and_history_models_pass_the_model_tester(
        qtmodeltester: ModelTester) -> None:
    team = CareTeamModel()
    team.set_members([
        TeamMemberView(id=1, user_id=3, username="surg1", display_name="Surg One",
                       role=TeamRole.SURGEON, confirmed=True, version=1),
        TeamMemberView(id=2, user_id=6, username="nurse1", display_name="Nurse One",
                       role=TeamRole.SCRUB_NURSE, confirmed=False, version=1),
    ], {"surg1": "lead surgeon"})
    qtmodeltester.check(team)
    assert team.index(1, 1).data() == "Scrub nurse"
    assert team.index(1, 2).data() == "Not yet"
    assert team.index(0, 0).data(TeamRoleData.USERNAME) == "surg1"
    assert team.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "lead surgeon"

    notes = NotesModel(TZ)
    notes.set_notes([
        NoteView(id=1, author="sched", author_name="Sched", note_type=NoteType.GENERAL,
                 message="first", created_at=T),
        NoteView(id=2, author="nurse1", author_name="Nurse One", note_type=NoteType.DELAY,
                 message="second", created_at=T.replace(hour=9)),
    ])
    qtmodeltester.check(notes)
    assert [notes.index(r, 3).data() for r in range(2)] == ["second", "first"]  # newest first
    assert notes.index(0, 1).data() == "Delay"

    history = HistoryModel(TZ)
    history.set_entries([
        AuditEntry(id=1, event_time=T, actor="sched", actor_name="Sched", action="create_case",
                   target_class="SurgeryCase", target_id=1, details={}),
        AuditEntry(id=2, event_time=T.replace(hour=8), actor="nurse1", actor_name="Nurse One",
                   action="tick_item", target_class="SurgeryCase", target_id=1,
                   details={"item_code": "RD-CONSENT",
                            "status": {"before": "pending", "after": "done"}}),
    ])
    qtmodeltester.check(history)
    assert history.index(0, 1).data() == "Nurse One"
    assert history.index(0, 3).data() == "item code: RD-CONSENT; status: pending → done"
    assert history.index(1, 2).data() == "Created the case"


def test_changes_text_lists_before_and_after() -> None:
    details: dict[str, object] = {
        "case_number": "2026-000001",
        "room": {"before": None, "after": "OR1"},
        "status": {"before": "requested", "after": "scheduled"},
    }
    assert changes_text(details) == "room: — → OR1; status: requested → scheduled"


def test_my_cases_model_passes_the_model_tester(qtmodeltester: ModelTester,
                                                dept: Dept) -> None:
    case = dept.new_case().case
    model = MyCasesModel(TZ)
    model.set_cases([MyCaseRow(case, TeamRole.SURGEON, False, ("confirm your assignment",))])
    qtmodeltester.check(model)
    assert model.index(0, 0).data() == "Tue 13 Jan 08:00"
    assert model.index(0, 2).data() == "Jane Roe (MRN-1001)"
    assert model.index(0, 3).data() == "Knee arthroscopy (left)"
    assert model.index(0, 7).data() == "confirm your assignment"
    assert model.index(0, 3).data(MyCasesRole.CASE_NUMBER) == case.case_number
    assert model.index(0, 0).data(MyCasesRole.NEEDS_CONFIRMATION) is True


def test_checklist_model_keeps_both_parent_overloads(qtbot: QtBot) -> None:
    owner = QObject()
    model = ChecklistModel(TZ, owner)
    model.set_items(ITEMS)
    assert model.parent() is owner
    section = model.index(0, 0)
    assert model.parent(section) == QModelIndex()
    assert model.parent(model.index(0, 0, section)) == section


_SECTIONS = st.sampled_from(["Readiness", "Sign In", "Time Out", "Sign Out", "Handoff",
                             "Warming", "Glucose"])


@st.composite
def checklists(draw: st.DrawFn) -> list[ChecklistItemView]:
    count = draw(st.integers(min_value=0, max_value=12))
    positions = draw(st.lists(st.integers(1, 99), min_size=count, max_size=count,
                              unique=True))
    return [
        checklist_item(f"IT-{p}", draw(_SECTIONS), p, required=draw(st.booleans()),
                       status=draw(st.sampled_from(list(ItemStatus))))
        for p in positions
    ]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=checklists())
def test_any_checklist_makes_a_sound_tree(qtmodeltester: ModelTester,
                                          items: list[ChecklistItemView]) -> None:
    model = ChecklistModel(TZ)
    model.set_items(items)
    qtmodeltester.check(model)
    shown = [model.index(r, 0, model.index(s, 0)).data(ChecklistRole.ITEM_CODE)
             for s in range(model.rowCount()) for r in range(model.rowCount(model.index(s, 0)))]
    assert sorted(shown) == sorted(i.item_code for i in items)  # each item once
    order = [model.index(s, 0).data(ChecklistRole.SECTION) for s in range(model.rowCount())]
    who = ["Readiness", "Sign In", "Time Out", "Sign Out", "Handoff"]
    known = [s for s in order if s in who]
    assert known == sorted(known, key=who.index)
    assert order[:len(known)] == known  # local sections after the WHO ones
    for progress in model.sections():
        assert 0 <= progress.done <= progress.required <= progress.items
