"""The printed day list, read back from the PDF: every case of the day, in time order per
room, the cancelled and requested ones left off, patients masked for a viewer."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import CaseStatus, NoteType, Priority
from surgdesk.errors import BadInput
from surgdesk.services.context import ANONYMOUS
from surgdesk.services.registry import Services
from surgdesk.ui.printing.daylist import (
    BODY_PT,
    build_daylist,
    preview_and_print,
    print_daylist,
    render_daylist_pdf,
)
from tests.services.factories import DAY, Kit, at, team_case
from tests.ui.helpers import print_preview_to_pdf
from tests.ui.manage.fixtures import DEMO_START, Demo, demo_services, kit_services, sqlite_db

__all__ = ["demo_services", "kit_services", "sqlite_db"]

NUMBER = re.compile(r"\d{4}-\d{6}")


def _pages(path: Path) -> list[str]:
    """Each page's text on one line: cells wrap, and pypdf reads some gaps as tabs."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def _numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


@pytest.fixture
def day_of_cases(kit_services: tuple[Kit, Services]) -> dict[str, str]:
    """Tuesday's list: OR1 and OR2 out of time order of creation, plus what is left off."""
    kit, _ = kit_services
    made = {
        "or1_late": kit.new_case(start=at(13), patient_name="Late Patient",
                                 patient_id="MRN-13").case.case_number,
        "or1_early": team_case(kit, start=at(8), patient_name="Early Patient",
                               patient_id="MRN-8"),
        "or2_mid": kit.new_case(room="OR2", start=at(10), patient_name="Middle Patient",
                                patient_id="MRN-10", laterality="right",
                                priority=Priority.URGENT).case.case_number,
        "or1_noon": kit.new_case(start=at(10, 30), patient_name="Noon Patient",
                                 patient_id="MRN-11").case.case_number,
        "cancelled": kit.new_case(start=at(16), patient_name="Gone Patient",
                                  patient_id="MRN-16").case.case_number,
        "requested": kit.new_case(room=None, patient_name="Waiting Patient",
                                  patient_id="MRN-0").case.case_number,
        "tomorrow": kit.new_case(start=at(9, day=1), patient_name="Tomorrow Patient",
                                 patient_id="MRN-99").case.case_number,
    }
    kit.cases.set_status(kit["sched"], made["cancelled"], CaseStatus.CANCELLED,
                         reason="patient unwell")
    kit.cases.add_note(kit["sched"], made["or2_mid"], NoteType.DELAY,
                       "Implant tray arrives 09:45")
    return made


def test_pdf_has_every_case_of_the_day_in_time_order_per_room(
    tmp_path: Path, kit_services: tuple[Kit, Services], day_of_cases: dict[str, str]
) -> None:
    kit, services = kit_services
    out = render_daylist_pdf(services, kit["sched"], DAY.date(), tmp_path / "day.pdf")
    pages = _pages(out)
    text = " ".join(pages)
    cases = day_of_cases
    assert _numbers(text) == [cases["or1_early"], cases["or1_noon"], cases["or1_late"],
                              cases["or2_mid"]]
    assert text.index("OR1") < text.index(cases["or1_early"]) < text.index("OR2")
    assert text.index("OR2") < text.index(cases["or2_mid"])
    for left_off in ("Gone Patient", "Waiting Patient", "Tomorrow Patient"):
        assert left_off not in text
    for name in ("Early Patient", "Noon Patient", "Late Patient", "Middle Patient"):
        assert name in text
    assert "RIGHT" in text  # laterality spelled out
    assert "URGENT" in text
    assert "Implant tray arrives 09:45" in text  # notes flagged
    assert "Nurse1 Test" in text  # the team
    assert "Anes1 Test" in text
    assert "08:00–09:00" in text
    assert "Pre-op 0/" in text  # checklist state
    assert "No cases: OR3" in text


def test_viewer_and_anonymous_get_masked_patients(
    tmp_path: Path, kit_services: tuple[Kit, Services], day_of_cases: dict[str, str]
) -> None:
    kit, services = kit_services
    for actor in (kit["viewer"], ANONYMOUS, kit["wall"]):
        out = render_daylist_pdf(services, actor, DAY.date(), tmp_path / "masked.pdf")
        text = " ".join(_pages(out))
        assert len(_numbers(text)) == 4
        assert "Patient" in text  # the column header
        for secret in ("Early Patient", "Middle Patient", "MRN-8", "MRN-10"):
            assert secret not in text
        assert text.count("masked") >= 4


def test_clinician_sees_only_the_patients_of_their_own_cases(
    tmp_path: Path, kit_services: tuple[Kit, Services], day_of_cases: dict[str, str]
) -> None:
    kit, services = kit_services
    out = render_daylist_pdf(services, kit["nurse1"], DAY.date(), tmp_path / "nurse.pdf")
    text = " ".join(_pages(out))
    assert "Early Patient" in text  # nurse1 is on that team
    assert "Late Patient" not in text
    assert "masked" in text


def test_every_page_carries_the_day_page_number_and_print_time(
    tmp_path: Path, demo_services: Demo
) -> None:
    day = DEMO_START + timedelta(days=1)
    services = demo_services.services
    out = render_daylist_pdf(services, demo_services["admin"], day, tmp_path / "busy.pdf")
    pages = _pages(out)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert "OR day list — Tuesday 24 November 2026" in text
        assert f"page {number} of {len(pages)}" in text
        assert "Printed 24 Nov 2026 07:00 by" in text  # 06:00 UTC in Berlin
    expected = [c.case_number for c in services.cases.list_cases(
        demo_services["admin"], date_from=day, date_to=day)
        if c.status not in (CaseStatus.CANCELLED, CaseStatus.REQUESTED)]
    printed = _numbers(" ".join(pages))
    assert sorted(printed) == sorted(expected)
    assert len(printed) == len(set(printed))  # no row split over two pages, none twice


def test_each_room_section_is_in_time_order(demo_services: Demo) -> None:
    day = DEMO_START + timedelta(days=1)
    listing = build_daylist(demo_services.services, demo_services["admin"], day)
    assert listing.sections
    for section in listing.sections:
        starts = [d.case.scheduled_start for d in section.cases]
        assert starts == sorted(starts)  # type: ignore[type-var]
        assert all(d.case.room_id == section.room.id for d in section.cases)


def test_text_is_at_least_nine_points_and_the_page_is_landscape_a4(
    tmp_path: Path, kit_services: tuple[Kit, Services], day_of_cases: dict[str, str]
) -> None:
    kit, services = kit_services
    out = render_daylist_pdf(services, kit["admin"], DAY.date(), tmp_path / "a4.pdf")
    page = PdfReader(out).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)
    assert BODY_PT >= 9
    sizes: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float
              ) -> None:
        if text.strip():
            sizes.append(abs(size * tm[3] * cm[3]))

    page.extract_text(visitor_text=visit)
    assert sizes
    assert min(sizes) >= 8.9


def test_an_empty_day_still_prints_one_page(
    tmp_path: Path, kit_services: tuple[Kit, Services]
) -> None:
    kit, services = kit_services
    out = render_daylist_pdf(services, kit["sched"], date(2026, 3, 8), tmp_path / "empty.pdf")
    [text] = _pages(out)
    assert "No cases on this day" in text
    assert "page 1 of 1" in text


def test_bad_output_path_is_bad_input(tmp_path: Path, kit_services: tuple[Kit, Services]
                                      ) -> None:
    kit, services = kit_services
    with pytest.raises(BadInput) as bad:
        render_daylist_pdf(services, kit["sched"], DAY.date(), tmp_path / "day.png")
    assert bad.value.problems[0].field == "out"
    with pytest.raises(BadInput):
        render_daylist_pdf(services, kit["sched"], DAY.date(), tmp_path / "nope" / "d.pdf")


def test_print_preview_prints_and_closing_it_prints_nothing(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    kit_services: tuple[Kit, Services], day_of_cases: dict[str, str]
) -> None:
    kit, services = kit_services
    target = tmp_path / "printed.pdf"
    previewed: list[int] = []

    def print_from_preview(dialog: QPrintPreviewDialog) -> int:
        # What a person does: look at the pages, choose "Print to file (PDF)", print.
        preview = dialog.findChild(QPrintPreviewWidget)
        assert preview is not None
        preview.updatePreview()
        previewed.append(preview.pageCount())
        printer: QPrinter = dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(target))
        preview.print()
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(QPrintPreviewDialog, "exec", print_from_preview)
    assert print_daylist(services, kit["sched"], DAY.date())
    assert previewed == [1]  # the preview showed the page
    assert _numbers(" ".join(_pages(target)))[0] == day_of_cases["or1_early"]

    target.unlink()
    monkeypatch.setattr(QPrintPreviewDialog, "exec",
                        lambda dialog: int(QDialog.DialogCode.Rejected))
    assert not print_daylist(services, kit["sched"], DAY.date())
    assert not target.exists()


def test_preview_and_print_takes_a_built_day_list(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    kit_services: tuple[Kit, Services], day_of_cases: dict[str, str]
) -> None:
    kit, services = kit_services
    target = tmp_path / "built.pdf"
    daylist = build_daylist(services, kit["sched"], DAY.date())
    titles = print_preview_to_pdf(monkeypatch, target)
    parent = QWidget()
    qtbot.addWidget(parent)
    assert preview_and_print(parent, daylist)
    assert titles == [f"Day list of {DAY.date():%a %d %b %Y}"]
    assert day_of_cases["or1_early"] in " ".join(_pages(target))


def test_the_checklist_line_says_what_is_ready() -> None:
    from surgdesk.domain.enums import ChecklistStatus, ItemStatus, Phase
    from surgdesk.services.dto import ChecklistItemView, ChecklistView
    from surgdesk.ui.printing.daylist import checklist_lines

    def item(code: str, section: str, done: bool) -> ChecklistItemView:
        return ChecklistItemView.model_construct(
            item_code=code, section=section, is_required=True,
            status=ItemStatus.DONE if done else ItemStatus.PENDING)

    items = [item(f"RD-{n}", "Readiness", True) for n in range(4)]
    items += [item(f"SI-{n}", "Sign In", False) for n in range(13)]
    checklist = ChecklistView.model_construct(
        phase=Phase.PRE_OP, status=ChecklistStatus.IN_PROGRESS, items=tuple(items),
        signed_off_at=None)
    # Not "Pre-op 4/17 · ready", which reads as if 4 of 17 were enough.
    assert checklist_lines((checklist,)) == ["Pre-op 4/17 · Readiness done"]
