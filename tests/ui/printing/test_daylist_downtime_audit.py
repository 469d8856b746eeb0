"""A downtime copy's audit record waits among the pending saves and is written once, when
the database is back; a live list is audited as it is read and queues nothing."""

from __future__ import annotations

from datetime import UTC, timedelta

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.timezones import day_bounds, zone
from surgdesk.services.context import Actor
from surgdesk.services.registry import Services
from surgdesk.ui.pending import PendingSaves
from surgdesk.ui.printing.daylist import (
    DayList,
    build_daylist,
    build_downtime_daylist,
    queue_downtime_audit,
)
from tests.services.factories import DAY, Kit, at
from tests.ui.manage.fixtures import kit_services, sqlite_db  # noqa: F401  (fixtures)


def _events(kit: Kit) -> list[m.AuditEvent]:
    with kit.db.new_session() as s:
        return list(s.scalars(select(m.AuditEvent).where(
            m.AuditEvent.action == "print_day_list")))


def _downtime_copy(services: Services, actor: Actor) -> DayList:
    tz = zone(services.settings.get(actor).time_zone)
    start, end = day_bounds(DAY.date(), tz)
    snapshot = services.cases.board(actor, start, end)
    closures = {r.id: [c for c in snapshot.closures if c.room_id == r.id]
                for r in snapshot.rooms}
    now = services.clock.now()
    return build_downtime_daylist(DAY.date(), tz, rooms=snapshot.rooms, closures=closures,
                                  cases=snapshot.cases, actor=actor, now=now,
                                  unreachable_since=now - timedelta(minutes=5),
                                  synced_at=now - timedelta(minutes=6))


def test_a_downtime_copy_is_audited_once_the_database_is_back(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:  # noqa: F811
    kit, services = kit_services
    first = kit.new_case(start=at(8)).case.case_number
    second = kit.new_case(start=at(11)).case.case_number
    actor = kit["sched"]
    copy = _downtime_copy(services, actor)
    pending = PendingSaves()
    messages: list[str] = []
    pending.message.connect(messages.append)

    op_id = queue_downtime_audit(pending, services, actor, copy)

    assert op_id is not None
    assert op_id in pending
    assert len(pending) == 1
    assert _events(kit) == []  # nothing written while the database is away
    kit.clock.advance(timedelta(minutes=30))
    pending.retry_all()
    assert len(pending) == 0
    [event] = _events(kit)
    assert event.actor_id == actor.user_id
    assert event.details["downtime"] is True
    assert event.details["shows_patients"] is True
    assert event.details["case_count"] == 2
    assert event.details["case_numbers"] == [first, second]
    assert event.details["printed_at"] == copy.printed_at.astimezone(UTC).isoformat()
    assert "Erika" not in str(event.details)  # never the patient
    assert messages[-1].endswith("saved")
    # The same record once more (say the first reply was lost): still one event.
    queue_downtime_audit(pending, services, actor, copy, op_id=op_id)
    pending.retry_all()
    assert len(_events(kit)) == 1


def test_a_masked_copy_records_no_case_numbers(
        qtbot: QtBot, kit_services: tuple[Kit, Services]) -> None:  # noqa: F811
    kit, services = kit_services
    kit.new_case(start=at(8))
    pending = PendingSaves()
    queue_downtime_audit(pending, services, kit["viewer"],
                         _downtime_copy(services, kit["viewer"]))
    pending.retry_all()
    [event] = _events(kit)
    assert (event.details["shows_patients"], event.details["case_numbers"],
            event.details["case_count"]) == (False, [], 1)


def test_a_live_list_queues_nothing(qtbot: QtBot,
                                    kit_services: tuple[Kit, Services]) -> None:  # noqa: F811
    kit, services = kit_services
    kit.new_case(start=at(8))
    pending = PendingSaves()
    live = build_daylist(services, kit["sched"], DAY.date())  # audited as it was read
    assert queue_downtime_audit(pending, services, kit["sched"], live) is None
    assert len(pending) == 0
    assert len(_events(kit)) == 1
