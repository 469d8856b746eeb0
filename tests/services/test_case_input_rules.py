"""Rules of a case's fields that once lived only in the case form, now the service's:
laterality is chosen for every new case, a date of birth is plausible by the department's
own today, text carries no control character, and an absurd date is bad input naming
its field (never an overflow)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from functools import partial
from typing import Any

import pytest
from sqlalchemy import func, select

from surgdesk.domain import models as m
from surgdesk.domain.enums import CaseStatus, ItemStatus, Laterality, NoteType
from surgdesk.errors import BadInput
from tests.services.factories import DAY, Kit, at, kit  # noqa: F401  (fixture)


def _cases(setup: Kit) -> int:
    with setup.db.new_session() as s:
        return int(s.scalar(select(func.count(m.SurgeryCase.id))) or 0)


def _bad(call: Any, field: str) -> BadInput:
    with pytest.raises(BadInput) as err:
        call()
    assert err.value.field == field, err.value
    return err.value


def test_laterality_must_be_chosen_for_a_new_case(kit: Kit) -> None:  # noqa: F811
    _bad(lambda: kit.new_case(laterality=None), "laterality")
    _bad(lambda: kit.new_case(room=None, laterality=None), "laterality")
    assert _cases(kit) == 0
    # not_applicable is a choice a person makes, and is taken.
    case = kit.new_case(laterality=Laterality.NOT_APPLICABLE).case
    assert case.laterality is Laterality.NOT_APPLICABLE


def test_a_date_of_birth_before_1900_is_bad_input(kit: Kit) -> None:  # noqa: F811
    err = _bad(lambda: kit.new_case(patient_dob=date(1899, 12, 31)), "patient_dob")
    assert "1900" in str(err)
    number = kit.new_case(patient_dob=date(1900, 1, 1)).case.case_number
    _bad(lambda: kit.cases.update_case(kit["sched"], number, expected_version=None,
                                       patient_dob=date(1, 1, 1)), "patient_dob")


def test_the_future_is_the_departments_not_the_pcs(kit: Kit) -> None:  # noqa: F811
    """Before: the service took today from the PC's clock (``date.today()``), so a date
    of birth after the injected clock's today was taken."""
    tomorrow = kit.clock.now().date() + timedelta(days=1)
    _bad(lambda: kit.new_case(patient_dob=tomorrow), "patient_dob")
    # 23:30 UTC is already the next day in Berlin (the department's zone): born "today".
    kit.clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=UTC))
    case = kit.new_case(patient_dob=date(2026, 3, 3)).case
    assert case.patient_dob == date(2026, 3, 3)
    _bad(lambda: kit.cases.update_case(kit["sched"], case.case_number, expected_version=None,
                                       patient_dob=date(2026, 3, 4)), "patient_dob")


CONTROL = ["\x00", "\x1b[31m", "\n", "\r", "\x7f", "\x9b"]
LINE_FIELDS = ["procedure_name", "patient_name", "patient_id", "specialty"]


@pytest.mark.parametrize("field", LINE_FIELDS)
def test_control_characters_in_case_fields_are_bad_input(kit: Kit, field: str) -> None:  # noqa: F811
    """Before: a NUL was stored on SQLite (and an internal error on Postgres), an escape
    sequence or a line break forged rows in ``cases list``."""
    for bad in (f"Knee{char}x" for char in CONTROL):
        _bad(partial(kit.new_case, **{field: bad}), field)
    assert _cases(kit) == 0
    case = kit.new_case().case
    for bad in (f"Knee{char}x" for char in CONTROL):
        _bad(partial(kit.cases.update_case, kit["sched"], case.case_number,
                     expected_version=None, **{field: bad}), field)
    assert kit.cases.get_case(kit["sched"], case.case_number).case.version == case.version


def test_control_characters_in_notes_and_reasons_are_bad_input(kit: Kit) -> None:  # noqa: F811
    number = kit.new_case().case.case_number
    for char in ("\x00", "\x1b[2J", "\x9b"):
        bad = f"late{char}"
        _bad(partial(kit.cases.add_note, kit["sched"], number, NoteType.GENERAL, bad),
             "message")
        _bad(partial(kit.cases.set_status, kit["sched"], number, CaseStatus.POSTPONED,
                     reason=bad), "reason")
        _bad(partial(kit.checklists.tick, kit["admin"], number, "RD-CONSENT", note=bad),
             "note")
    detail = kit.cases.get_case(kit["sched"], number)
    assert detail.notes == ()
    assert detail.case.status is CaseStatus.SCHEDULED
    # Line breaks and tabs are a note's own; a Windows line end is kept as one break.
    note = kit.cases.add_note(kit["sched"], number, NoteType.GENERAL, "first\r\nsecond\tend")
    assert note.message == "first\nsecond\tend"
    kit.checklists.tick(kit["admin"], number, "RD-CONSENT", status=ItemStatus.DONE,
                        note="line one\nline two")


ABSURD = [datetime(1, 1, 1, 8), datetime(9999, 12, 31, 22)]


@pytest.mark.parametrize("when", ABSURD)
def test_an_absurd_start_is_bad_input(kit: Kit, when: datetime) -> None:  # noqa: F811
    _bad(lambda: kit.new_case(start=when), "start")
    number = kit.new_case().case.case_number
    _bad(lambda: kit.cases.move(kit["sched"], number, start=when), "start")
    _bad(lambda: kit.cases.move(kit["sched"], number, end=when), "end")
    queued = kit.new_case(room=None).case.case_number
    _bad(lambda: kit.cases.schedule(kit["sched"], queued, room="OR1", start=when), "start")
    _bad(lambda: kit.cases.board(kit["viewer"], when, DAY), "start")
    _bad(lambda: kit.cases.board(kit["viewer"], DAY, when), "end")
    from surgdesk.services.case_checks import CaseCheckService
    checks = CaseCheckService(kit.db, kit.clock)
    _bad(lambda: checks.check_case(kit["sched"], room="OR1", start=when, duration_min=60,
                                   lead_surgeon="surg1"), "start")


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 31)])
def test_absurd_days_in_lists_are_bad_input(kit: Kit, day: date) -> None:  # noqa: F811
    _bad(lambda: kit.cases.list_cases(kit["viewer"], date_from=day), "date_from")
    _bad(lambda: kit.cases.list_cases(kit["viewer"], date_to=day), "date_to")
    _bad(lambda: kit.cases.my_cases(kit["nurse1"], date_to=day), "date_to")
    _bad(lambda: kit.cases.day_sheet(kit["sched"], day), "day")
    _bad(lambda: kit.cases.record_downtime_print(kit["sched"], day, datetime.now(UTC),
                                                 False, 0), "day")
    printed = datetime.combine(day, datetime.min.time(), tzinfo=timezone(timedelta(hours=1)))
    _bad(lambda: kit.cases.record_downtime_print(kit["sched"], DAY.date(), printed,
                                                 False, 0), "printed_at")


def test_the_edges_of_the_dates_taken_still_work(kit: Kit) -> None:  # noqa: F811
    assert kit.cases.list_cases(kit["viewer"], date_from=date(1900, 1, 1),
                                date_to=date(2999, 12, 31)) == []
    assert kit.cases.day_sheet(kit["sched"], date(2999, 12, 31)) == []
    assert kit.new_case(start=at(8)).case.status is CaseStatus.SCHEDULED
