"""Equipment allocation through the case services, on both backends: a free unit for each
need when a case is placed, refusals naming the holders, turnaround, maintenance, room
limits, closures, chosen units, moves, what releases, and the summaries' equipment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from surgdesk.domain.conflicts import EQUIPMENT_MISSING
from surgdesk.domain.enums import CaseStatus, EquipmentStatus
from surgdesk.errors import BadInput, EquipmentConflict, NotFound
from tests.services.equipment_kit import (
    EquipKit,
    add_unit,
    close_unit,
    ek,
    held_units,
    holds,
    set_unit,
)
from tests.services.factories import DAY, at

__all__ = ["ek"]


def utc(hour: int, minute: int = 0) -> datetime:
    """A test-Tuesday time as UTC (Berlin is UTC+1 in March)."""
    return datetime(DAY.year, DAY.month, DAY.day, hour - 1, minute, tzinfo=UTC)


def test_a_scheduled_case_gets_the_first_free_unit(ek: EquipKit) -> None:
    first = ek.case().case
    assert [(e.kind, e.unit, e.pinned) for e in first.equipment] == [("C-arm", "C-arm 1", False)]
    second = ek.case(room="OR2").case
    assert [e.unit for e in second.equipment] == ["C-arm 2"]
    (held,) = [h for h in holds(ek.db) if h.case_number == first.case_number]
    assert (held.starts_at, held.held_until) == (utc(8), utc(9))


def test_both_units_in_use_refuses_naming_the_holders(ek: EquipKit) -> None:
    a = ek.case().case.case_number
    b = ek.case(room="OR2", start=at(8, 30)).case.case_number
    before = holds(ek.db)
    with pytest.raises(EquipmentConflict) as err:
        ek.case(room="OR4", start=at(8, 45))
    assert err.value.field == "equipment"
    assert err.value.message == f"both C-arms are in use: {a} OR1, {b} OR2"
    assert holds(ek.db) == before  # nothing written
    assert len(ek.kit.cases.list_cases(ek["sched"])) == 2


def test_the_robot_in_use(ek: EquipKit) -> None:
    a = ek.case(equipment=("Robot",)).case.case_number
    with pytest.raises(EquipmentConflict, match=rf"^equipment: the robot is in use: {a} OR1$"):
        ek.case(room="OR2", equipment=("robot",))


def test_turnaround_keeps_the_unit_busy_after_the_case(ek: EquipKit) -> None:
    set_unit(ek.db, "Robot", turnaround_minutes=30)
    a = ek.case(equipment=("Robot",)).case.case_number  # 08:00-09:00, held to 09:30
    with pytest.raises(EquipmentConflict, match=a):
        ek.case(room="OR2", start=at(9, 15), equipment=("Robot",))
    # Nor may a new case run into it: ending 07:45 holds the robot to 08:15.
    with pytest.raises(EquipmentConflict, match=a):
        ek.case(room="OR2", start=at(6, 45), equipment=("Robot",))
    ek.case(room="OR2", start=at(9, 30), equipment=("Robot",))
    ek.case(room="OR4", start=at(6, 30), equipment=("Robot",))  # held until 08:00


def test_maintenance_is_named_with_the_holders(ek: EquipKit) -> None:
    set_unit(ek.db, "C-arm 2", status=EquipmentStatus.MAINTENANCE)
    a = ek.case().case.case_number
    with pytest.raises(EquipmentConflict) as err:
        ek.case(room="OR2")
    assert err.value.message == (f"no C-arm is free: C-arm 2 is in maintenance; "
                                 f"C-arm 1 is in use: {a} OR1")


def test_room_limits_and_closures(ek: EquipKit) -> None:
    set_unit(ek.db, "C-arm 1", status=EquipmentStatus.RETIRED)
    add_unit(ek.db, "C-arm 3", "C-arm", rooms=("OR2",))
    close_unit(ek.db, "C-arm 2", utc(7), utc(12))
    with pytest.raises(EquipmentConflict) as err:
        ek.case()
    assert err.value.message == ("no C-arm is free: C-arm 2 is closed at that time; "
                                 "C-arm 3 is not allowed in OR1")
    assert [e.unit for e in ek.case(room="OR2").case.equipment] == ["C-arm 3"]
    assert [e.unit for e in ek.case(start=at(13)).case.equipment] == ["C-arm 2"]


def test_a_chosen_unit_is_kept_or_refused(ek: EquipKit) -> None:
    case = ek.case(units=["C-arm 2"]).case
    assert [(e.unit, e.pinned) for e in case.equipment] == [("C-arm 2", True)]
    other = ek.case(room="OR2", start=at(10), units=["C-arm 2"]).case.case_number
    # C-arm 1 is free at 10:00, but the user chose C-arm 2: the move is refused.
    with pytest.raises(EquipmentConflict, match=rf"^equipment: C-arm 2 is in use: {other} OR2$"):
        ek.kit.cases.move(ek["sched"], case.case_number, start=at(10, 30))
    moved = ek.kit.cases.move(ek["sched"], case.case_number, start=at(12)).case
    assert [(e.unit, e.pinned) for e in moved.equipment] == [("C-arm 2", True)]


def test_a_moved_case_keeps_its_unit_while_free_else_takes_another(ek: EquipKit) -> None:
    a = ek.case().case.case_number
    ek.case(room="OR2", start=at(11))  # C-arm 1: free at 11:00
    assert held_units(ek.db, a) == ["C-arm 1"]
    b = ek.case(room="OR4", start=at(11)).case.case_number
    assert held_units(ek.db, b) == ["C-arm 2"]
    ek.kit.cases.move(ek["sched"], a, start=at(9))
    assert held_units(ek.db, a) == ["C-arm 1"]
    c = ek.case(room="OR2", start=at(13)).case.case_number
    assert held_units(ek.db, c) == ["C-arm 1"]
    # Onto 13:00 in OR1: C-arm 1 is C's, so A moves to C-arm 2.
    ek.kit.cases.move(ek["sched"], a, start=at(13, 0), room="OR4")
    assert held_units(ek.db, a) == ["C-arm 2"]
    with pytest.raises(EquipmentConflict):
        ek.kit.cases.move(ek["sched"], b, room="OR1", start=at(13, 30))
    assert held_units(ek.db, b) == ["C-arm 2"]  # the refused move changed nothing
    held = {h.case_number: h for h in holds(ek.db)}
    assert held[a].starts_at == utc(13)


def test_cancel_and_postpone_release_the_units(ek: EquipKit) -> None:
    a = ek.case(equipment=("Robot",)).case.case_number
    version = ek.kit.cases.get_case(ek["sched"], a).case.version
    cancelled = ek.kit.cases.set_status(ek["sched"], a, CaseStatus.CANCELLED, reason="ill")
    assert [(e.kind, e.unit) for e in cancelled.case.equipment] == [("Robot", None)]
    assert cancelled.case.version > version
    b = ek.case(room="OR2", equipment=("Robot",)).case.case_number
    postponed = ek.kit.cases.set_status(ek["sched"], b, CaseStatus.POSTPONED, reason="later")
    assert [e.unit for e in postponed.case.equipment] == [None]
    assert EQUIPMENT_MISSING not in postponed.case.conflicts  # queued: no mark
    c = ek.case(room="OR4", equipment=("Robot",)).case.case_number
    assert held_units(ek.db, c) == ["Robot"]
    # Back on the board, the postponed case needs the robot again: C holds it.
    with pytest.raises(EquipmentConflict, match=c):
        ek.kit.cases.schedule(ek["sched"], b, room="OR2", start=at(8))
    again = ek.kit.cases.schedule(ek["sched"], b, room="OR2", start=at(10)).case
    assert [e.unit for e in again.equipment] == ["Robot"]
    ek.kit.cases.unschedule(ek["sched"], c)
    assert held_units(ek.db, c) == [None]


def test_completed_and_running_cases_keep_their_holds(ek: EquipKit) -> None:
    from tests.services.factories import mark_done
    a = ek.case(equipment=("Robot",)).case.case_number
    mark_done(ek.kit, a, "Readiness", "Sign In", "Time Out", "Sign Out", but="RD-CONSENT")
    ek.kit.checklists.tick(ek["admin"], a, "RD-CONSENT")
    ek.kit.cases.set_status(ek["admin"], a, CaseStatus.IN_PROGRESS)
    assert held_units(ek.db, a) == ["Robot"]
    ek.kit.cases.set_status(ek["admin"], a, CaseStatus.COMPLETED)
    assert held_units(ek.db, a) == ["Robot"]


def test_two_of_a_kind(ek: EquipKit) -> None:
    a = ek.case(equipment=("C-arm", "C-arm")).case
    assert sorted(e.unit or "" for e in a.equipment) == ["C-arm 1", "C-arm 2"]
    with pytest.raises(EquipmentConflict, match=a.case_number):
        ek.case(room="OR2")
    ek.kit.cases.move(ek["sched"], a.case_number, start=at(10))
    b = ek.case(room="OR2", start=at(8)).case.case_number
    assert held_units(ek.db, b) == ["C-arm 1"]
    with pytest.raises(EquipmentConflict) as err:
        ek.kit.cases.move(ek["sched"], a.case_number, start=at(8, 30))
    assert err.value.message == f"no other C-arm is free: C-arm 1 is in use: {b} OR2"


def test_unknown_or_inactive_names_are_refused(ek: EquipKit) -> None:
    with pytest.raises(NotFound) as missing:
        ek.case(equipment=("Laser",))
    assert missing.value.field == "equipment"
    with pytest.raises(NotFound) as unit:
        ek.case(units=["C-arm 9"])
    assert unit.value.field == "units"
    with pytest.raises(BadInput) as twice:
        ek.case(units=["C-arm 1", "c-arm 1"])
    assert twice.value.problems[0].field == "units"
    with pytest.raises(BadInput) as queued:
        ek.case(room=None, units=["C-arm 1"])
    assert queued.value.problems[0].field == "units"
    assert holds(ek.db) == []


def test_a_requested_case_keeps_its_needs_until_placed(ek: EquipKit) -> None:
    queued = ek.case(room=None, equipment=("Robot", "C-arm")).case
    assert sorted((e.kind, e.unit) for e in queued.equipment) == [
        ("C-arm", None), ("Robot", None)]
    assert EQUIPMENT_MISSING not in queued.conflicts
    placed = ek.kit.cases.schedule(ek["sched"], queued.case_number, room="OR1",
                                   start=at(8)).case
    assert sorted((e.kind, e.unit or "") for e in placed.equipment) == [
        ("C-arm", "C-arm 1"), ("Robot", "Robot")]


def test_editing_the_needs_reallocates_and_is_audited(ek: EquipKit) -> None:
    case = ek.case().case
    edited = ek.kit.cases.update_case(ek["sched"], case.case_number,
                                      expected_version=case.version,
                                      equipment=["C-arm", "Robot"]).case
    assert sorted(e.unit or "" for e in edited.equipment) == ["C-arm 1", "Robot"]
    assert edited.version == case.version + 1
    pinned = ek.kit.cases.update_case(ek["sched"], case.case_number,
                                      expected_version=edited.version,
                                      units=["C-arm 2"]).case
    assert sorted((e.unit or "", e.pinned) for e in pinned.equipment) == [
        ("C-arm 2", True), ("Robot", False)]
    # Other fields only: the chosen unit stays chosen.
    kept = ek.kit.cases.update_case(ek["sched"], case.case_number, expected_version=None,
                                    equipment=["robot", "C-arm"]).case
    assert sorted((e.unit or "", e.pinned) for e in kept.equipment) == [
        ("C-arm 2", True), ("Robot", False)]
    other = ek.case(room="OR2", equipment=("Robot",), start=at(12)).case.case_number
    with pytest.raises(EquipmentConflict, match=case.case_number):
        ek.kit.cases.move(ek["sched"], other, start=at(8))
    history = ek.kit.cases.history(ek["admin"], case.case_number)
    changes = [e.details["equipment"] for e in reversed(history) if "equipment" in e.details]
    assert changes[:3] == [
        {"before": None, "after": ["C-arm: C-arm 1"]},
        {"before": ["C-arm: C-arm 1"], "after": ["C-arm: C-arm 1", "Robot: Robot"]},
        {"before": ["C-arm: C-arm 1", "Robot: Robot"],
         "after": ["C-arm: C-arm 2 (chosen)", "Robot: Robot"]},
    ]
    assert len(changes) == 3  # the edit that changed nothing is not audited as a change


# ---- preference cards fill the case -----------------------------------------------------


def _card(ek: EquipKit, **extra: object) -> int:
    from surgdesk.services.cards import PreferenceCardService
    cards = PreferenceCardService(ek.db, ek.kit.clock)
    values: dict[str, object] = {"surgeon": "surg1", "procedure": "Hip replacement",
                                 "duration_min": 150, "equipment": ["C-arm"],
                                 "positioning": "supine", "trays": ["Hip tray"]}
    values.update(extra)
    return cards.create_card(ek["sched"], **values).id  # type: ignore[arg-type]


def _from_card(ek: EquipKit, card: int, **extra: object) -> object:
    values: dict[str, object] = {"patient_id": "MRN-7", "patient_name": "Max Muster",
                                 "laterality": "left", "room": "OR1", "start": at(8),
                                 "card": card}
    values.update(extra)
    return ek.kit.cases.create_case(ek["sched"], **values)  # type: ignore[arg-type]


def test_a_card_fills_procedure_surgeon_duration_and_equipment(ek: EquipKit) -> None:
    card = _card(ek)
    case = _from_card(ek, card).case  # type: ignore[attr-defined]
    assert (case.procedure_name, case.lead_surgeon_username) == ("Hip replacement", "surg1")
    assert case.scheduled_end - case.scheduled_start == timedelta(minutes=150)
    assert [(e.kind, e.unit) for e in case.equipment] == [("C-arm", "C-arm 1")]
    detail = ek.kit.cases.get_case(ek["sched"], case.case_number)
    assert detail.card is not None
    assert (detail.card.id, detail.card.positioning, detail.card.trays) == (
        card, "supine", ("Hip tray",))
    assert detail.card.can_edit
    assert ek.kit.cases.get_case(ek["surg1"], case.case_number).card.can_edit  # type: ignore[union-attr]
    assert not ek.kit.cases.get_case(ek["surg2"], case.case_number).card.can_edit  # type: ignore[union-attr]


def test_what_is_given_wins_over_the_card(ek: EquipKit) -> None:
    card = _card(ek)
    case = _from_card(ek, card, procedure_name="Hip revision", duration_min=200,
                      lead_surgeon="surg1", equipment=["Robot"]).case  # type: ignore[attr-defined]
    assert case.procedure_name == "Hip revision"
    assert case.scheduled_end - case.scheduled_start == timedelta(minutes=200)
    assert [e.kind for e in case.equipment] == ["Robot"]
    queued = _from_card(ek, card, room=None, start=None).case  # type: ignore[attr-defined]
    assert queued.estimated_duration_min == 150
    assert [(e.kind, e.unit) for e in queued.equipment] == [("C-arm", None)]


def test_an_empty_equipment_list_is_none_not_the_cards(ek: EquipKit) -> None:
    """None is "not given" (the card fills it); an empty list is the user's "none"."""
    card = _card(ek)
    case = _from_card(ek, card, equipment=[]).case  # type: ignore[attr-defined]
    assert case.equipment == ()
    assert ek.kit.cases.get_case(ek["sched"], case.case_number).card is not None


def test_card_refusals(ek: EquipKit) -> None:
    card = _card(ek)
    with pytest.raises(BadInput) as other:
        _from_card(ek, card, lead_surgeon="surg2")
    assert other.value.problems[0].field == "card"
    with pytest.raises(NotFound) as missing:
        _from_card(ek, card + 100)
    assert missing.value.field == "card"
    with pytest.raises(BadInput) as side:
        _from_card(ek, card, laterality=None)
    assert side.value.problems[0].field == "laterality"
    for absent in ("procedure_name", "lead_surgeon"):
        values = {"procedure_name": "Knee", "lead_surgeon": "surg1"}
        del values[absent]
        with pytest.raises(BadInput) as required:
            ek.kit.cases.create_case(ek["sched"], patient_id="MRN-7", patient_name="Max",
                                     laterality="left", **values)  # type: ignore[arg-type]
        assert required.value.problems[0].field == absent
    assert ek.kit.cases.list_cases(ek["sched"]) == []


# ---- a unit's edit re-checks its holds; the missing mark ---------------------------------


def _equipment_service(ek: EquipKit) -> object:
    from surgdesk.services.equipment import EquipmentService
    return EquipmentService(ek.db, ek.kit.clock)


def test_maintenance_reassigns_or_loses_and_marks_the_case(ek: EquipKit) -> None:
    a = ek.case().case
    b = ek.case(room="OR2").case.case_number  # C-arm 2
    c = ek.case(start=at(12)).case  # C-arm 1
    service = _equipment_service(ek)
    change = service.update_unit(ek["admin"], "C-arm 1",  # type: ignore[attr-defined]
                                 status=EquipmentStatus.MAINTENANCE)
    assert (change.lost, change.reassigned) == ((a.case_number,), (c.case_number,))
    assert held_units(ek.db, a.case_number) == [None]
    assert held_units(ek.db, c.case_number) == ["C-arm 2"]
    assert held_units(ek.db, b) == ["C-arm 2"]
    board = ek.kit.cases.board(ek["sched"], at(0), at(0, day=1))
    marks = {s.case_number: s.conflicts for s in board.cases}
    assert EQUIPMENT_MISSING in marks[a.case_number]
    assert EQUIPMENT_MISSING not in marks[c.case_number]
    summaries = ek.kit.cases.summaries_by_ids(ek["sched"], [a.id])
    assert EQUIPMENT_MISSING in summaries[0].conflicts
    assert summaries[0].version > a.version
    # A write on the case carries the warning, naming the kind.
    result = ek.kit.cases.update_case(ek["sched"], a.case_number, expected_version=None,
                                      priority="urgent")
    (warning,) = [w for w in result.warnings if w.code == EQUIPMENT_MISSING]
    assert "C-arm" in warning.message
    # Moving it where a unit is free gives it one again, and the mark goes.
    moved = ek.kit.cases.move(ek["sched"], a.case_number, start=at(15)).case
    assert [e.unit for e in moved.equipment] == ["C-arm 2"]
    assert EQUIPMENT_MISSING not in moved.conflicts


def test_a_longer_turnaround_or_a_closure_rechecks_later_holds(ek: EquipKit) -> None:
    a = ek.case(equipment=("Robot",)).case.case_number  # 08-09
    b = ek.case(room="OR2", start=at(9, 15), equipment=("Robot",)).case.case_number
    service = _equipment_service(ek)
    change = service.update_unit(ek["admin"], "Robot",  # type: ignore[attr-defined]
                                 turnaround_min=30)
    assert change.lost == (b,)  # the earlier case keeps the robot, with its turnaround
    held = {h.case_number: h for h in holds(ek.db)}
    assert held[a].held_until == utc(9, 30)
    assert held[b].unit is None
    change = service.close_unit(ek["admin"], "Robot",  # type: ignore[attr-defined]
                                start=at(7), end=at(8, 30), reason="service")
    assert change.lost == (a,)
    board = ek.kit.cases.board(ek["sched"], at(0), at(0, day=1))
    assert [(u.kind, u.name) for u in board.equipment_units] == [
        ("C-arm", "C-arm 1"), ("C-arm", "C-arm 2"), ("Robot", "Robot")]
    assert [c.reason for c in board.equipment_closures] == ["service"]


def test_board_and_lists_show_the_equipment(ek: EquipKit) -> None:
    a = ek.case(equipment=("Robot", "C-arm")).case.case_number
    ek.case(room=None, equipment=("Robot",))
    board = ek.kit.cases.board(ek["sched"], at(0), at(0, day=1))
    (case,) = board.cases
    assert sorted((e.kind, e.unit or "") for e in case.equipment) == [
        ("C-arm", "C-arm 1"), ("Robot", "Robot")]
    (queued,) = board.queue
    assert [(e.kind, e.unit) for e in queued.equipment] == [("Robot", None)]
    listed = {c.case_number: c for c in ek.kit.cases.list_cases(ek["sched"])}
    assert len(listed[a].equipment) == 2


def _selects(ek: EquipKit) -> int:
    from sqlalchemy import event
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(ek.db.engine, "before_cursor_execute", count)
    try:
        ek.kit.cases.board(ek["sched"], at(0), at(0, day=1))
    finally:
        event.remove(ek.db.engine, "before_cursor_execute", count)
    return sum(1 for q in statements if q.lstrip().upper().startswith("SELECT"))


def test_equipment_costs_the_board_a_fixed_number_of_queries(ek: EquipKit) -> None:
    """One query for every case's holds (window and queue), one for the units with their
    kinds, one for the closures: not one per case or unit."""
    ek.kit.new_case(room=None)
    ek.kit.new_case(start=at(8))
    few = _selects(ek)
    close_unit(ek.db, "Robot", utc(7), utc(8))
    for hour in range(8, 11):
        ek.case(room="OR2", start=at(hour), equipment=("C-arm", "Robot"), duration_min=30)
        ek.case(room=None, equipment=("Robot",))
    for n in range(3, 8):
        add_unit(ek.db, f"C-arm {n}", "C-arm")
    assert _selects(ek) == few


def test_the_preview_gives_the_refusal_a_write_would_meet(ek: EquipKit) -> None:
    from surgdesk.repository.uow import UnitOfWork
    from surgdesk.services.equipment_alloc import preview
    a = ek.case(equipment=("Robot",)).case
    with UnitOfWork(ek.db, read_only=True) as uow:
        room = uow.rooms.by_code("OR2")
        assert room is not None
        assert preview(uow, room, utc(8, 30), utc(9), ["Robot"]) == (
            f"the robot is in use: {a.case_number} OR1")
        assert preview(uow, room, utc(8, 30), utc(9), ["Robot"], case_id=a.id) is None
        assert preview(uow, room, utc(9), utc(10), ["Robot", "C-arm"]) is None
        assert preview(uow, room, utc(9), utc(10), [], ["C-arm 2"]) is None
        assert preview(uow, room, utc(9), utc(10), ["Laser"]) == "no equipment kind 'Laser'"
