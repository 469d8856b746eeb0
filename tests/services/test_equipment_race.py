"""Eight PCs race for the last free C-arm, each scheduling its own case into its own room at
the same time: exactly one wins, the others are refused with EquipmentConflict.

Each racer locks the C-arm rows before it reads the holds, so on Postgres the others wait
for the winner's commit and then see its hold; on SQLite writers queue behind one another.
Without the service's check, Postgres's ``no_equipment_overlap`` still refuses."""

from __future__ import annotations

import threading

import pytest

from surgdesk.domain.enums import CaseStatus
from surgdesk.errors import EquipmentConflict
from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services import equipment_alloc
from surgdesk.services.cases import CaseService
from tests.services.equipment_kit import EquipKit, build_equip_kit, ek, holds
from tests.services.factories import add_room, at

__all__ = ["ek"]

RACERS = 8


def test_eight_pcs_race_for_the_last_c_arm_and_exactly_one_wins(ek: EquipKit,
                                                                 db_url: str) -> None:
    holder = ek.case(start=at(8)).case.case_number  # C-arm 1 is taken: one C-arm left
    rooms = ["OR2", "OR4"] + [f"OR{n}" for n in range(5, 5 + RACERS - 2)]
    for code in rooms[2:]:
        add_room(ek.db, code)
    waiting = [ek.case(room=None, patient_id=f"MRN-{i}").case.case_number
               for i in range(RACERS)]
    barrier = threading.Barrier(RACERS)
    outcomes: dict[str, object] = {}
    messages: dict[str, str] = {}

    def racer(number: str, room: str, minute: int) -> None:
        db = Database(make_nullpool_engine(db_url))
        cases = CaseService(db, ek.kit.clock)
        try:
            barrier.wait(timeout=30)
            cases.schedule(ek["sched"], number, room=room, start=at(8, minute))
            outcomes[number] = "won"
        except EquipmentConflict as exc:
            outcomes[number] = "conflict"
            messages[number] = exc.message
        except Exception as exc:  # handed to the assertion below
            outcomes[number] = exc
        finally:
            db.dispose()

    threads = [threading.Thread(target=racer, args=(number, room, 5 * i))
               for i, (number, room) in enumerate(zip(waiting, rooms, strict=True))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(map(str, outcomes.values())) == ["conflict"] * (RACERS - 1) + ["won"], \
        outcomes
    (winner,) = [n for n, o in outcomes.items() if o == "won"]
    # Each loser waited for the winner's lock and then saw its hold: the service refused
    # it by name (not the constraint's generic message).
    assert all(winner in text and holder in text for text in messages.values()), messages
    assert {h.case_number: h.unit for h in holds(ek.db) if h.unit} == {
        holder: "C-arm 1", winner: "C-arm 2"}
    scheduled = ek.kit.cases.list_cases(ek["sched"], status=CaseStatus.SCHEDULED)
    assert sorted(c.case_number for c in scheduled) == sorted([holder, winner])


@pytest.mark.postgres
def test_postgres_constraint_refuses_what_the_service_check_missed(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A racer's view: its check saw no hold (the other's was not committed yet). The
    exclusion constraint still refuses the write, as EquipmentConflict on equipment."""
    db = Database(make_nullpool_engine(postgres_url))
    ek = build_equip_kit(db)
    ek.case(equipment=("Robot",))
    later = ek.case(room="OR2", start=at(12), equipment=("Robot",)).case.case_number
    monkeypatch.setattr(equipment_alloc, "_holds", lambda *args, **kwargs: [])
    with pytest.raises(EquipmentConflict) as err:
        ek.case(room="OR2", start=at(8, 30), equipment=("Robot",))
    assert err.value.field == "equipment"
    with pytest.raises(EquipmentConflict):
        ek.kit.cases.move(ek["sched"], later, start=at(8, 15))
    ek.case(room="OR4", start=at(9), equipment=("Robot",))  # touching, not overlapping
    assert len([h for h in holds(db) if h.unit == "Robot"]) == 3
    db.dispose()


def test_a_unit_edit_racing_case_writes_never_deadlocks(ek: EquipKit, db_url: str) -> None:
    """C-arm 1 goes to maintenance while three PCs schedule C-arm cases: every write ends
    (scheduled or refused by name), and afterwards no case holds C-arm 1 and no unit is
    held twice."""
    from surgdesk.domain.enums import EquipmentStatus
    from surgdesk.services.equipment import EquipmentService
    ek.case(start=at(8))  # holds C-arm 1: the edit has a hold to re-check
    waiting = [ek.case(room=None, patient_id=f"MRN-{i}").case.case_number for i in range(3)]
    barrier = threading.Barrier(len(waiting) + 1)
    outcomes: list[object] = []

    def run(call: object) -> None:
        db = Database(make_nullpool_engine(db_url))
        try:
            barrier.wait(timeout=30)
            call(db)  # type: ignore[operator]
            outcomes.append("done")
        except EquipmentConflict:
            outcomes.append("conflict")
        except Exception as exc:  # handed to the assertion below
            outcomes.append(exc)
        finally:
            db.dispose()

    def edit(db: Database) -> None:
        EquipmentService(db, ek.kit.clock).update_unit(
            ek["admin"], "C-arm 1", status=EquipmentStatus.MAINTENANCE)

    def book(number: str, room: str) -> object:
        return lambda db: CaseService(db, ek.kit.clock).schedule(
            ek["sched"], number, room=room, start=at(10))

    threads = [threading.Thread(target=run, args=(edit,))] + [
        threading.Thread(target=run, args=(book(n, r),))
        for n, r in zip(waiting, ["OR1", "OR2", "OR4"], strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(o in ("done", "conflict") for o in outcomes), outcomes
    assert len(outcomes) == len(threads)
    held = [h for h in holds(ek.db) if h.unit is not None]
    assert "C-arm 1" not in {h.unit for h in held}
    at_ten = [h for h in held if h.starts_at is not None and h.starts_at.hour == 9]
    assert len(at_ten) <= 1  # one C-arm left for the three 10:00 cases
