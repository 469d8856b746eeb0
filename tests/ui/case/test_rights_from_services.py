"""The case screens show what the services say the actor may do (``case.rights``); no
module under ui/ re-derives it from the status machine."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import CaseStatus, Phase
from surgdesk.services.dto import CaseDetail, CaseRights
from tests.ui.case.conftest import Dept
from tests.ui.case.test_case_form import form_for

UI = Path(__file__).resolve().parents[3] / "src" / "surgdesk" / "ui"


def test_no_ui_module_imports_the_status_machine() -> None:
    offenders = []
    for path in UI.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            if any(n.startswith("surgdesk.domain.status_machine") for n in names):
                offenders.append(str(path.relative_to(UI)))
    assert offenders == []


def _with_rights(dept: Dept, monkeypatch: pytest.MonkeyPatch, **rights: object) -> None:
    """Every case the services hand out carries these rights (whatever the role)."""
    original = dept.services.cases.open_case

    def open_case(*args: object, **kwargs: object) -> CaseDetail:
        detail = original(*args, **kwargs)  # type: ignore[arg-type]
        case = detail.case.model_copy(update={"rights": CaseRights(**rights)})
        return detail.model_copy(update={"case": case})

    monkeypatch.setattr(dept.services.cases, "open_case", open_case)


def test_the_form_offers_the_status_targets_and_rights_the_services_give(
        qtbot: QtBot, dept: Dept, monkeypatch: pytest.MonkeyPatch) -> None:
    number = dept.new_case().case.case_number
    _with_rights(dept, monkeypatch, status_targets=(CaseStatus.CANCELLED,),
                 needs_reason=(CaseStatus.CANCELLED,), edit=False, add_note=False,
                 see_patient=True)
    form = form_for(qtbot, dept, "sched", number)  # a scheduler, by role free to edit
    offered = [form.status.itemData(i) for i in range(form.status.count())]
    assert offered == ["scheduled", "cancelled"]  # now, and what the services allow
    assert form.procedure.isReadOnly()  # edit: False
    assert not form.room.isEnabled()
    assert form.notes_panel.editor.isHidden()  # add_note: False
    form.status.setCurrentIndex(1)
    assert form.reason.isVisibleTo(form)  # needs_reason names it
    assert form.field_error("reason") == "is required"


def test_the_checklist_follows_tick_and_sign_off_rights(
        qtbot: QtBot, dept: Dept, monkeypatch: pytest.MonkeyPatch) -> None:
    number = dept.new_case().case.case_number
    _with_rights(dept, monkeypatch, tick=False, sign_off=False, edit=False,
                 see_patient=True)
    form = form_for(qtbot, dept, "admin", number)  # an admin, by role free to tick
    assert form.checklist is not None
    assert not form.checklist.can_tick
    assert not form.checklist.can_sign_off
    page = form.checklist.pages[Phase.PRE_OP]
    assert not page.model.editable
    assert page.assign_button.isHidden()
