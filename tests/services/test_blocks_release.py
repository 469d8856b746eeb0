"""Releasing a block's date: by each allowed role, refused for the others; by rule with the
injected clock; taken back while nobody else has booked the time; closures void dates.

The kit's clock stands at Monday 2 March 2026, 06:00 in Berlin. The orthopedics service
block holds OR1 on Tuesdays 08:00-12:00; surg2 (general) has OR2 on Wednesdays.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from surgdesk.domain.enums import RoomStatus
from surgdesk.errors import BadInput, PermissionDenied, Refused
from surgdesk.services.dto import BlockView
from surgdesk.services.rooms import RoomService
from surgdesk.services.settings import SettingsService
from tests.services.blocks_kit import FROM, TUESDAY, BlockKit, audit_actions, bk, fields
from tests.services.factories import at, kit

__all__ = ["bk", "kit"]

MAR = {day: date(2026, 3, day) for day in range(1, 32)}
BERLIN = ZoneInfo("Europe/Berlin")


def _two_blocks(bk: BlockKit) -> tuple[BlockView, BlockView]:
    service = bk.blocks.create(bk["sched"], fields())
    surgeon = bk.blocks.create(bk["sched"], fields(room="OR2", service=None, surgeon="surg2",
                                                   weekdays=(2,)))
    return service, surgeon


def test_release_by_each_allowed_role_and_refusal_for_the_others(bk: BlockKit) -> None:
    svc = bk.blocks
    service, surgeon = _two_blocks(bk)
    by_admin = svc.release(bk["admin"], service.id, MAR[17], "congress")
    assert by_admin.released
    assert not by_admin.released_by_rule
    assert (by_admin.release_reason, by_admin.released_by_name) == ("congress", "Admin Test")
    assert by_admin.released_days_ahead == 15  # 2 March 06:00 to 17 March 08:00
    assert svc.release(bk["sched"], service.id, MAR[24], "leave").released
    # A surgeon of the service releases the service's block, and their own.
    assert svc.release(bk["surg1"], service.id, MAR[31], "theatre list short").released
    assert svc.release(bk["surg2"], surgeon.id, MAR[18], "on call").released
    refused = [("surg1", surgeon.id, MAR[25]), ("surg2", service.id, MAR[10]),
               *((who, service.id, MAR[10]) for who in ("nurse1", "anes1", "viewer", "wall"))]
    for who, block_id, day in refused:
        with pytest.raises(PermissionDenied):
            svc.release(bk[who], block_id, day, "not mine")
    released = {(o.block_id, o.day) for o in svc.occurrences(bk["viewer"], FROM, MAR[31])
                if o.released and not o.released_by_rule}
    assert released == {(service.id, MAR[17]), (service.id, MAR[24]), (service.id, MAR[31]),
                        (surgeon.id, MAR[18])}
    assert audit_actions(bk.kit.db, service.id).count("release_block") == 3


def test_a_release_needs_a_reason_a_date_of_the_block_and_time_to_come(bk: BlockKit) -> None:
    svc, sched = bk.blocks, bk["sched"]
    service, _ = _two_blocks(bk)
    for reason in ("", "   ", None):
        with pytest.raises(BadInput) as err:
            svc.release(sched, service.id, MAR[17], reason)  # type: ignore[arg-type]
        assert err.value.field == "reason"
    with pytest.raises(BadInput) as err:
        svc.release(sched, service.id, MAR[18], "a Wednesday")
    assert err.value.field == "date"
    with pytest.raises(BadInput) as err:
        svc.release(sched, 999, MAR[17], "no such block")
    assert err.value.field == "block_id"
    svc.release(sched, service.id, MAR[17], "congress")
    with pytest.raises(Refused, match="already released"):
        svc.release(sched, service.id, MAR[17], "again")
    bk.kit.clock.set(datetime(2026, 3, 24, 9, 0, tzinfo=BERLIN))
    with pytest.raises(Refused, match="started"):
        svc.release(sched, service.id, MAR[24], "too late")


def test_a_block_releases_itself_ahead_when_its_owner_has_booked_nothing(bk: BlockKit) -> None:
    svc, sched, clock = bk.blocks, bk["sched"], bk.kit.clock
    service, _ = _two_blocks(bk)

    def state(day: date) -> tuple[bool, bool, int | None]:
        (o,) = [o for o in svc.occurrences(sched, day, day) if o.block_id == service.id]
        return o.released, o.released_by_rule, o.released_days_ahead

    assert state(TUESDAY) == (True, True, 7)  # a day ahead, nothing booked
    assert state(MAR[10]) == (False, False, None)  # eight days ahead
    with pytest.raises(Refused, match="automatically released"):
        svc.release(sched, service.id, TUESDAY, "already free")
    # Someone else's case does not keep it; the owner's (any orthopedic surgeon) does.
    bk.kit.new_case(start=at(9, day=7), lead_surgeon="surg2", patient_id="MRN-G")
    clock.advance(timedelta(days=1, hours=3))  # Tuesday 3 March, 09:00
    assert state(MAR[10]) == (True, True, 7)
    bk.kit.new_case(start=at(11, day=7), room="OR1", patient_id="MRN-O")
    assert state(MAR[10]) == (False, False, None)
    # The department's default, and a block's own figure (0: never by rule).
    SettingsService(bk.kit.db, clock).update(bk["admin"], block_release_days=1)
    assert state(MAR[17])[0] is False
    clock.advance(timedelta(days=13))  # Monday 16 March, 09:00
    assert state(MAR[17]) == (True, True, 1)
    svc.update(sched, service.id, svc.get(sched, service.id).version, fields(release_days=0))
    assert state(MAR[17]) == (False, False, None)


def test_take_back_by_a_scheduler_while_nobody_else_has_booked(bk: BlockKit) -> None:
    svc, sched = bk.blocks, bk["sched"]
    service, _ = _two_blocks(bk)
    svc.release(bk["surg1"], service.id, MAR[17], "congress")
    with pytest.raises(PermissionDenied):
        svc.unrelease(bk["surg1"], service.id, MAR[17])
    kept = svc.unrelease(sched, service.id, MAR[17])
    assert not kept.released
    with pytest.raises(Refused, match="not released"):
        svc.unrelease(sched, service.id, MAR[17])
    again = svc.release(sched, service.id, MAR[17], "congress after all")
    assert again.release_reason == "congress after all"
    # Someone else books the released time: it can no longer be taken back.
    other = bk.kit.new_case(start=at(9, day=14), lead_surgeon="surg2", patient_id="MRN-G")
    with pytest.raises(Refused, match=other.case.case_number):
        svc.unrelease(sched, service.id, MAR[17])
    # The owner's own case in released time does not stand in the way.
    svc.release(sched, service.id, MAR[24], "leave")
    bk.kit.new_case(start=at(9, day=21), patient_id="MRN-O")
    assert not svc.unrelease(sched, service.id, MAR[24]).released
    assert audit_actions(bk.kit.db, service.id).count("unrelease_block") == 2


def test_a_release_by_rule_taken_back_stays_kept(bk: BlockKit) -> None:
    svc, sched = bk.blocks, bk["sched"]
    service, _ = _two_blocks(bk)
    assert svc.occurrences(sched, TUESDAY, TUESDAY)[0].released_by_rule
    kept = svc.unrelease(sched, service.id, TUESDAY)
    assert not kept.released
    bk.kit.clock.advance(timedelta(hours=1))
    assert not svc.occurrences(sched, TUESDAY, TUESDAY)[0].released
    # Released again by hand, it is released by that person.
    again = svc.release(sched, service.id, TUESDAY, "list cancelled")
    assert (again.released, again.released_by_rule) == (True, False)


def test_closures_and_a_room_out_of_service_void_the_dates(bk: BlockKit) -> None:
    svc, sched = bk.blocks, bk["sched"]
    service, _ = _two_blocks(bk)
    rooms = RoomService(bk.kit.db, bk.kit.clock)
    rooms.add_closure(bk["admin"], "OR1", starts_at=datetime(2026, 3, 10, 11),
                      ends_at=datetime(2026, 3, 10, 18), reason="deep clean")
    days = [o.day for o in svc.occurrences(sched, FROM, MAR[17], room="OR1")]
    assert days == [TUESDAY, MAR[17]]
    with pytest.raises(BadInput) as err:
        svc.release(sched, service.id, MAR[10], "closed anyway")
    assert err.value.field == "date"
    rooms.update_room(bk["admin"], "OR1", status=RoomStatus.MAINTENANCE)
    assert svc.occurrences(sched, FROM, MAR[31], room="OR1") == []
    assert svc.usage(sched, FROM, MAR[31], room="OR1").rows == ()
    assert len(svc.occurrences(sched, FROM, MAR[31])) == 4  # OR2's Wednesdays



def test_a_release_with_an_operation_id_applies_once(bk: BlockKit) -> None:
    svc, sched = bk.blocks, bk["sched"]
    service, _ = _two_blocks(bk)
    first = svc.release(sched, service.id, MAR[17], "congress", op_id="op-release-01")
    again = svc.release(sched, service.id, MAR[17], "congress", op_id="op-release-01")
    assert again == first
    assert audit_actions(bk.kit.db, service.id).count("release_block") == 1
    with pytest.raises(BadInput) as err:  # the same id for another operation
        svc.create(sched, fields(room="OR2"), op_id="op-release-01")
    assert err.value.field == "op_id"
