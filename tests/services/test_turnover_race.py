"""A booking made while someone changes the room's turnover uses the committed turnover:
the booking waits for the room's row lock (Postgres) instead of computing the room's
hold from a value that is about to change."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from surgdesk.domain import models as m
from surgdesk.repository.database import Database, make_nullpool_engine
from tests.services.factories import Kit, at, build_kit


@pytest.fixture
def pg_kit(postgres_url: str) -> Iterator[Kit]:
    """Postgres only: SQLite serialises writers, so the race cannot happen there."""
    db = Database(make_nullpool_engine(postgres_url))
    yield build_kit(db)
    db.dispose()


@pytest.mark.postgres
def test_booking_waits_for_a_turnover_edit_and_uses_the_new_turnover(pg_kit: Kit) -> None:
    kit = pg_kit
    editor = kit.db.engine.connect()
    edit = editor.begin()
    # Another PC is mid-way through changing OR1's turnover from 30 to 60 minutes.
    editor.execute(text("UPDATE operating_room SET turnover_minutes = 60, "
                        "version = version + 1 WHERE code = 'OR1'"))
    booked: list[str] = []
    failed: list[BaseException] = []

    def book() -> None:
        try:
            booked.append(kit.new_case(start=at(8), duration_min=60).case.case_number)
        except BaseException as exc:  # surfaced below
            failed.append(exc)

    booking = threading.Thread(target=book)
    booking.start()
    booking.join(timeout=1.0)
    assert booking.is_alive(), "the booking did not wait for the room's row lock"
    edit.commit()
    editor.close()
    booking.join(timeout=30)
    assert not failed, failed
    with kit.db.new_session() as s:
        case = s.query(m.SurgeryCase).filter_by(case_number=booked[0]).one()
        assert case.scheduled_end is not None
        assert case.occupied_until == case.scheduled_end + timedelta(minutes=60)
