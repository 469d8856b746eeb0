"""Blocks: create, list, update, end and exceptions; every bad input names its field; two
blocks of a room never overlap (exceptions included); audit and change feed."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from surgdesk.errors import BadInput, NotFound, PermissionDenied, StaleVersion
from surgdesk.services.blocks import BlockConflict
from tests.services.blocks_kit import (
    FROM,
    TUESDAY,
    BlockKit,
    audit_actions,
    bk,
    feed_tables,
    fields,
)
from tests.services.factories import kit

__all__ = ["bk", "kit"]


def test_create_list_update_and_end_a_block(bk: BlockKit) -> None:
    svc, sched = bk.blocks, bk["sched"]
    made = svc.create(sched, fields(weekdays=(0, 2), start=time(7, 30), end=time(15, 30)))
    assert (made.room_code, made.service, made.owner_label) == ("OR1", "orthopedics",
                                                                "Orthopedics service")
    assert made.pattern_text == "Mon, Wed 07:30\u201315:30, every week"
    assert made.effective_release_days == 7
    assert made.release_days is None
    mine = svc.create(sched, fields(room="OR2", service=None, surgeon="surg1",
                                    weekdays=(0,), weeks_of_month=(1, 3), release_days=3))
    assert mine.owner_label == "Surg1 Test (orthopedics)"
    assert mine.colour_key == "orthopedics"
    assert mine.effective_release_days == 3
    assert mine.pattern_text == "1st and 3rd Monday of the month 08:00\u201312:00"

    assert [b.id for b in svc.list_blocks(bk["viewer"])] == [made.id, mine.id]
    assert [b.id for b in svc.list_blocks(sched, room="or2")] == [mine.id]
    assert [b.id for b in svc.list_blocks(sched, owner="surg1")] == [mine.id]
    assert [b.id for b in svc.list_blocks(sched, owner="Orthopedics")] == [made.id]
    with pytest.raises(NotFound) as err:
        svc.list_blocks(sched, owner="cardiology")
    assert err.value.field == "owner"

    changed = svc.update(sched, made.id, made.version,
                         fields(weekdays=(0, 2), start=time(8), end=time(15, 30),
                                every_weeks=2))
    assert (changed.start, changed.every_weeks, changed.version) == (time(8), 2, 2)
    with pytest.raises(StaleVersion):
        svc.update(sched, made.id, made.version, fields(weekdays=(0,)))

    ended = svc.end(sched, made.id, date(2026, 3, 31))
    assert ended.valid_until == date(2026, 3, 31)
    assert [b.id for b in svc.list_blocks(sched, active_on=date(2026, 4, 1))] == [mine.id]
    with pytest.raises(BadInput) as bad:
        svc.end(sched, made.id, date(2026, 4, 30))  # extending is an edit, not an end
    assert bad.value.field == "after"

    assert audit_actions(bk.kit.db, made.id) == ["add_block", "update_block", "end_block"]
    assert feed_tables(bk.kit.db).count("or_block") == 4


def test_ending_a_block_drops_its_later_exceptions_and_releases(bk: BlockKit) -> None:
    svc, sched = bk.blocks, bk["sched"]
    block = svc.create(sched, fields())
    svc.set_exception(sched, block.id, date(2026, 3, 10), cancelled=True, reason="audit day")
    svc.set_exception(sched, block.id, date(2026, 3, 24), cancelled=False, start=time(9))
    svc.release(sched, block.id, date(2026, 3, 31), "congress")
    ended = svc.end(sched, block.id, date(2026, 3, 17))
    assert [e.day for e in ended.exceptions] == [date(2026, 3, 10)]
    days = [o.day for o in svc.occurrences(sched, FROM, date(2026, 4, 30))]
    assert days == [TUESDAY, date(2026, 3, 17)]
    assert "or_block_release" in feed_tables(bk.kit.db)


def test_exceptions_cancel_a_date_or_change_its_hours(bk: BlockKit) -> None:
    svc, sched = bk.blocks, bk["sched"]
    block = svc.create(sched, fields())
    svc.set_exception(sched, block.id, date(2026, 3, 10), cancelled=True, reason="audit day")
    view = svc.set_exception(sched, block.id, date(2026, 3, 17), cancelled=False,
                             start=time(9), end=time(13))
    assert [(e.day, e.cancelled, e.start, e.end) for e in view.exceptions] == [
        (date(2026, 3, 10), True, None, None), (date(2026, 3, 17), False, time(9), time(13))]
    hours = {o.day: (o.start.hour, o.end.hour)
             for o in svc.occurrences(sched, FROM, date(2026, 3, 20))}
    assert hours == {TUESDAY: (7, 11), date(2026, 3, 17): (8, 12)}  # UTC (Berlin + 1)
    cleared = svc.clear_exception(sched, block.id, date(2026, 3, 10))
    assert [e.day for e in cleared.exceptions] == [date(2026, 3, 17)]
    with pytest.raises(BadInput) as err:  # a Wednesday: not one of the block's dates
        svc.set_exception(sched, block.id, date(2026, 3, 11), cancelled=True)
    assert err.value.field == "date"
    with pytest.raises(NotFound):
        svc.clear_exception(sched, block.id, date(2026, 3, 10))
    assert audit_actions(bk.kit.db, block.id) == [
        "add_block", "set_block_exception", "set_block_exception", "clear_block_exception"]


BAD: list[tuple[str, dict[str, Any]]] = [
    ("room", {"room": "OR9"}),
    ("surgeon", {"service": None, "surgeon": "nobody"}),
    ("surgeon", {"service": None, "surgeon": "nurse1"}),
    ("surgeon", {"surgeon": "surg1"}),  # and a service: both
    ("surgeon", {"service": None}),  # neither
    ("service", {"service": "cardiology"}),  # no surgeon has that specialty
    ("weekdays", {"weekdays": ()}),
    ("weekdays", {"weekdays": (7,)}),
    # The 5th Monday of February 2026: none (a pattern with no dates).
    ("weekdays", {"weekdays": (0,), "weeks_of_month": (5,), "valid_from": date(2026, 2, 1),
                  "valid_until": date(2026, 2, 28)}),
    ("end", {"start": time(12), "end": time(8)}),
    ("end", {"start": time(12), "end": time(12)}),
    ("until", {"valid_until": date(2026, 3, 1)}),
    ("from", {"valid_from": date(1800, 1, 1)}),
    ("every_weeks", {"every_weeks": 0}),
    ("every_weeks", {"every_weeks": 9}),
    ("weeks_of_month", {"weeks_of_month": (6,)}),
    ("weeks_of_month", {"weeks_of_month": (1,), "every_weeks": 2}),
    # Berlin skips 02:00-03:00 on Sunday 29 March 2026.
    ("start", {"weekdays": (6,), "start": time(2, 30), "end": time(4)}),
    ("end", {"weekdays": (6,), "start": time(1), "end": time(2, 15)}),
    ("start", {"start": time(8, 0, 30)}),
    ("release_days", {"release_days": 91}),
    ("release_days", {"release_days": -1}),
]


def test_bad_input_names_the_field_and_writes_nothing(bk: BlockKit) -> None:
    svc, sched = bk.blocks, bk["sched"]
    for field, overrides in BAD:
        with pytest.raises(BadInput) as err:
            svc.create(sched, fields(**overrides))
        assert err.value.field == field, f"{overrides}: {err.value}"
        with pytest.raises(BadInput):
            svc.preview_dates(sched, fields(**overrides))
    assert svc.list_blocks(sched) == []
    assert feed_tables(bk.kit.db) == []


def test_only_admins_and_schedulers_manage_blocks(bk: BlockKit) -> None:
    svc = bk.blocks
    for who in ("surg1", "nurse1", "anes1", "viewer"):
        with pytest.raises(PermissionDenied):
            svc.create(bk[who], fields())
    block = svc.create(bk["admin"], fields())
    for who in ("surg1", "viewer"):
        with pytest.raises(PermissionDenied):
            svc.end(bk[who], block.id, date(2026, 4, 1))
        with pytest.raises(PermissionDenied):
            svc.set_exception(bk[who], block.id, date(2026, 3, 10), cancelled=True)
    assert svc.get(bk["viewer"], block.id).id == block.id


def test_overlapping_blocks_of_a_room_are_refused_naming_the_other(bk: BlockKit) -> None:
    svc, sched = bk.blocks, bk["sched"]
    first = svc.create(sched, fields())
    with pytest.raises(BlockConflict) as err:
        svc.create(sched, fields(service=None, surgeon="surg2", weekdays=(0, 1),
                                 start=time(11), end=time(14), valid_from=date(2026, 3, 5)))
    message = str(err.value)
    assert f"block {first.id}" in message
    assert "Orthopedics service" in message
    assert "2026-03-10" in message  # the first Tuesday from 5 March
    # Back to back, another room, or another day: no overlap.
    svc.create(sched, fields(service="general", start=time(12), end=time(16)))
    svc.create(sched, fields(room="OR2"))
    svc.create(sched, fields(weekdays=(3,)))
    assert len(svc.list_blocks(sched)) == 4


def test_every_n_weeks_phases_that_never_meet_are_accepted(bk: BlockKit) -> None:
    svc, sched = bk.blocks, bk["sched"]
    svc.create(sched, fields(every_weeks=2))  # 3, 17, 31 March ...
    svc.create(sched, fields(service="general", every_weeks=2, valid_from=date(2026, 3, 9)))
    with pytest.raises(BlockConflict):  # every 4 weeks from the first block's phase
        svc.create(sched, fields(service="general", every_weeks=4,
                                 valid_from=date(2026, 3, 16)))
    # Weeks of the month: the 1st and 3rd Monday against the 2nd and 4th.
    svc.create(sched, fields(weekdays=(0,), weeks_of_month=(1, 3)))
    svc.create(sched, fields(service="general", weekdays=(0,), weeks_of_month=(2, 4)))
    with pytest.raises(BlockConflict):
        svc.create(sched, fields(surgeon="surg2", service=None, weekdays=(0,),
                                 weeks_of_month=(4, 5)))


def test_an_exception_with_other_hours_counts_for_the_overlap_rule(bk: BlockKit) -> None:
    svc, sched = bk.blocks, bk["sched"]
    first = svc.create(sched, fields())
    svc.set_exception(sched, first.id, date(2026, 3, 10), cancelled=False,
                      start=time(13), end=time(15))
    with pytest.raises(BlockConflict) as err:
        svc.create(sched, fields(service="general", start=time(13), end=time(15),
                                 valid_until=date(2026, 3, 31)))
    assert "2026-03-10" in str(err.value)
    later = svc.create(sched, fields(service="general", start=time(13), end=time(15),
                                     valid_from=date(2026, 3, 11)))
    # And an exception may not run into another block either.
    with pytest.raises(BlockConflict):
        svc.set_exception(sched, first.id, date(2026, 3, 17), cancelled=False,
                          start=time(8), end=time(14))
    # A date the second block gives up can then be used by the first.
    svc.set_exception(sched, later.id, date(2026, 3, 24), cancelled=True)
    svc.set_exception(sched, first.id, date(2026, 3, 24), cancelled=False, end=time(15))
    with pytest.raises(BlockConflict):  # the second block's own hours would come back
        svc.clear_exception(sched, later.id, date(2026, 3, 24))


def test_preview_dates_lists_the_next_dates_from_today(bk: BlockKit) -> None:
    svc = bk.blocks
    got = svc.preview_dates(bk["sched"], fields(weekdays=(0,), weeks_of_month=(1, 3),
                                                valid_from=date(2026, 1, 1)), count=4)
    # Today (the kit's clock) is Monday 2 March 2026: the 1st Monday of March.
    assert got == [date(2026, 3, 2), date(2026, 3, 16), date(2026, 4, 6), date(2026, 4, 20)]
    assert svc.list_blocks(bk["sched"]) == []


def test_create_with_an_operation_id_applies_once(bk: BlockKit) -> None:
    svc, sched = bk.blocks, bk["sched"]
    first = svc.create(sched, fields(), op_id="op-block-0001")
    again = svc.create(sched, fields(), op_id="op-block-0001")
    assert again.id == first.id
    assert len(svc.list_blocks(sched)) == 1
    assert audit_actions(bk.kit.db, first.id) == ["add_block"]
