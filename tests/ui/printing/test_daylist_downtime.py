"""The downtime day list: built from the board's summaries alone, with a red line on every
page that says it is a downtime copy, since when the database is unreachable and how old
the data is."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from surgdesk.domain.enums import CaseStatus, Role
from surgdesk.services.context import Actor
from surgdesk.services.dto import ClosureView
from surgdesk.ui.printing.daylist import (
    DayList,
    build_downtime_daylist,
    downtime_text,
    write_daylist_pdf,
)
from tests.ui.dto_factories import DAY, case, room

BERLIN = ZoneInfo("Europe/Berlin")
ACTOR = Actor(user_id=7, username="sched", display_name="Sam Scheduler", role=Role.SCHEDULER)


def _text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def _daylist(*, synced_at: datetime | None = datetime(2026, 1, 13, 9, 11, tzinfo=UTC)
             ) -> DayList:
    rooms = [room(1), room(2), room(3)]
    cases = [
        case(1, room_id=1, start_h=9),
        case(2, room_id=2, start_h=7, masked=True),
        case(3, room_id=1, start_h=7.5, procedure_name="Knee arthroscopy"),
        case(4, room_id=1, start_h=12, status=CaseStatus.CANCELLED),
        case(5, room_id=None, status=CaseStatus.REQUESTED),
        case(6, room_id=2, start_h=30),  # the next day
    ]
    closure = ClosureView(id=1, room_id=3, starts_at=DAY + timedelta(hours=12),
                          ends_at=DAY + timedelta(hours=14), reason="deep clean", version=1)
    return build_downtime_daylist(
        date(2026, 1, 13), BERLIN, rooms=rooms, closures={3: [closure]}, cases=cases,
        actor=ACTOR, now=datetime(2026, 1, 13, 9, 40, tzinfo=UTC),
        unreachable_since=datetime(2026, 1, 13, 9, 12, tzinfo=UTC), synced_at=synced_at)


def test_downtime_list_keeps_the_day_s_cases_per_room_in_time_order() -> None:
    daylist = _daylist()
    sections = {s.room.id: [d.case.case_number for d in s.cases]
                for s in daylist.sections}
    assert sections == {1: ["2026-000003", "2026-000001"], 2: ["2026-000002"], 3: []}
    assert daylist.any_masked
    assert downtime_text(daylist) == (
        "DOWNTIME COPY — database unreachable since 10:12; data as last synced at 10:11")


def test_downtime_pdf_carries_the_header_the_cases_and_masks(
        qtbot: QtBot, tmp_path: Path) -> None:
    out = write_daylist_pdf(_daylist(), tmp_path / "downtime.pdf")
    text = _text(out)
    assert "DOWNTIME COPY — database unreachable since 10:12" in text
    assert "data as last synced at 10:11" in text
    for number in ("2026-000001", "2026-000002", "2026-000003"):
        assert number in text
    for left_off in ("2026-000004", "2026-000005", "2026-000006"):
        assert left_off not in text
    assert "Knee arthroscopy" in text
    assert "Patient 1" in text
    assert "MRN00001" in text
    assert "Patient 2" not in text
    assert "masked" in text
    assert "Dr. A" in text
    assert "3/9 required done" in text
    assert "deep clean" in text
    assert "Sam Scheduler" in text
    assert "checklist items and notes are not included" in text


def test_an_unknown_sync_time_says_so() -> None:
    daylist = _daylist(synced_at=None)
    assert downtime_text(daylist).endswith("data as last synced at unknown")
