"""The change log says who made each change: the acting user's id on every row of their
transaction, NULL for the system (no signed-in user) — never anything about the patient."""

from __future__ import annotations

from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import TeamRole
from surgdesk.repository.database import Database
from surgdesk.repository.feed import Change, ChangeReader
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.context import ANONYMOUS
from surgdesk.services.users import UserService
from tests.services.factories import Kit, at, kit

__all__ = ["kit"]


def _rows_after(db: Database, high: int) -> list[tuple[str, int, str, int | None]]:
    with db.new_session() as s:
        cl = m.ChangeLog
        stmt = select(cl.table_name, cl.row_id, cl.op, cl.actor_id).where(cl.id > high) \
            .order_by(cl.id)
        return [tuple(r) for r in s.execute(stmt)]  # type: ignore[misc]


def test_a_move_leaves_change_rows_naming_the_user_who_moved(kit: Kit) -> None:
    case = kit.new_case(start=at(8)).case
    high = ChangeReader(kit.db).latest_id()
    kit.cases.move(kit["sched"], case.case_number, start=at(13))
    rows = _rows_after(kit.db, high)
    assert ("surgery_case", case.id, "update", kit["sched"].user_id) in rows
    # The service flushed the move before it audited: those rows are attributed too.
    assert {actor for *_, actor in rows} == {kit["sched"].user_id}


def test_every_row_of_a_transaction_names_its_user_children_included(kit: Kit) -> None:
    high = ChangeReader(kit.db).latest_id()
    created = kit.new_case(start=at(8)).case
    kit.cases.assign_team_member(kit["sched"], created.case_number, "nurse1",
                                 TeamRole.SCRUB_NURSE)
    kit.checklists.tick(kit["nurse1"], created.case_number, "RD-CONSENT")
    rows = _rows_after(kit.db, high)
    tables = {t for t, *_ in rows}
    assert {"surgery_case", "checklist", "checklist_item", "care_team_member"} <= tables
    assert None not in {actor for *_, actor in rows}
    ticked = [r for r in rows if r[0] == "checklist_item" and r[2] == "update"]
    assert ticked
    assert {actor for *_, actor in ticked} == {kit["nurse1"].user_id}


def test_the_reader_hands_out_the_actor(kit: Kit) -> None:
    reader = ChangeReader(kit.db)
    position = reader.start_position()
    case = kit.new_case(start=at(8)).case
    kit.cases.move(kit["admin"], case.case_number, start=at(14))
    changes = reader.read_since(position).changes
    moved = [c for c in changes if c.table_name == "surgery_case" and c.op == "update"]
    assert moved
    assert moved[-1].actor_id == kit["admin"].user_id


def test_a_change_built_without_an_actor_still_works_positionally() -> None:
    change = Change(1, "surgery_case", 7, 2, "update")
    assert change.actor_id is None


def test_a_unit_of_work_without_an_actor_writes_as_the_system(kit: Kit) -> None:
    high = ChangeReader(kit.db).latest_id()
    with UnitOfWork(kit.db) as uow:
        room = uow.rooms.by_code("OR1")
        assert room is not None
        room.turnover_minutes = 45
        uow.commit()
    rows = _rows_after(kit.db, high)
    assert rows
    assert {actor for *_, actor in rows} == {None}


def test_a_unit_names_its_actor_up_front_or_later_and_the_first_name_stands(
        kit: Kit) -> None:
    admin, sched = kit["admin"].user_id, kit["sched"].user_id
    high = ChangeReader(kit.db).latest_id()
    with UnitOfWork(kit.db, actor_id=admin) as uow:
        room = uow.rooms.by_code("OR1")
        assert room is not None
        room.turnover_minutes = 40
        uow.act_as(sched)  # one unit, one person: ignored
        uow.commit()
    assert {actor for *_, actor in _rows_after(kit.db, high)} == {admin}
    high = ChangeReader(kit.db).latest_id()
    with UnitOfWork(kit.db) as uow:
        room = uow.rooms.by_code("OR1")
        assert room is not None
        room.turnover_minutes = 35
        uow.flush()  # written while no one is named yet
        uow.act_as(sched)
        room.turnover_minutes = 30
        uow.commit()
    rows = _rows_after(kit.db, high)
    assert len(rows) == 2
    assert {actor for *_, actor in rows} == {sched}


def test_the_actor_does_not_outlive_its_unit_of_work(kit: Kit) -> None:
    with UnitOfWork(kit.db, actor_id=kit["admin"].user_id) as uow:
        uow.commit()
    high = ChangeReader(kit.db).latest_id()
    with UnitOfWork(kit.db) as uow:  # the pool may hand out the same connection
        room = uow.rooms.by_code("OR2")
        assert room is not None
        room.turnover_minutes = 50
        uow.commit()
    assert {actor for *_, actor in _rows_after(kit.db, high)} == {None}


def test_a_rolled_back_attempt_leaves_nothing_to_attribute_later(kit: Kit) -> None:
    high = ChangeReader(kit.db).latest_id()
    with UnitOfWork(kit.db) as uow:
        room = uow.rooms.by_code("OR1")
        assert room is not None
        room.turnover_minutes = 55
        uow.flush()
        uow.session.rollback()
        uow.act_as(kit["sched"].user_id)
        room = uow.rooms.by_code("OR2")
        assert room is not None
        room.turnover_minutes = 25
        uow.commit()
    rows = _rows_after(kit.db, high)
    assert [(t, op, actor) for t, _, op, actor in rows] == [
        ("operating_room", "update", kit["sched"].user_id)]


def test_the_first_admin_made_without_a_login_is_logged_as_the_system(db: Database) -> None:
    UserService(db).add_user(ANONYMOUS, username="first", role="admin",
                             display_name="First Admin", email="first@or.hospital.local",
                             password="correct-horse-battery")
    rows = _rows_after(db, 0)
    assert ("user_account", "insert") in {(t, op) for t, _, op, _ in rows}
    assert {actor for *_, actor in rows} == {None}

