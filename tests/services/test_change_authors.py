"""Who changed a case, for live updates: ``ChangeImpact.authors`` (case -> user of its
newest change) and ``ChangeService.author_names`` (staff display names, one query)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event

from surgdesk.domain.enums import TeamRole
from surgdesk.repository.feed import Change
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.changes import ChangeImpact, ChangeService
from tests.services.factories import Kit, at, kit

__all__ = ["kit"]


def _impact_of(kit: Kit, write: Callable[[], object]) -> tuple[ChangeService, ChangeImpact]:
    feed = ChangeService(kit.db)
    position = feed.start()
    write()
    return feed, feed.impact(feed.read(position).changes)


def test_a_move_names_its_author_and_their_display_name(kit: Kit) -> None:
    case = kit.new_case(start=at(8)).case
    feed, impact = _impact_of(kit, lambda: kit.cases.move(
        kit["sched"], case.case_number, start=at(12)))
    assert impact.authors == {case.id: kit["sched"].user_id}
    assert feed.author_names(impact.authors.values()) == {
        kit["sched"].user_id: kit["sched"].display_name}


def test_the_newest_change_of_a_case_names_its_author(kit: Kit) -> None:
    case = kit.new_case(start=at(8)).case

    def write() -> None:
        kit.cases.move(kit["sched"], case.case_number, start=at(11))
        kit.cases.move(kit["admin"], case.case_number, start=at(12))

    _, impact = _impact_of(kit, write)
    assert impact.authors == {case.id: kit["admin"].user_id}


def test_a_checklist_tick_names_whoever_ticked_it(kit: Kit) -> None:
    first = kit.new_case(start=at(8)).case
    second = kit.new_case(room="OR2", start=at(8)).case
    for number in (first.case_number, second.case_number):
        kit.cases.assign_team_member(kit["sched"], number, "nurse1", TeamRole.SCRUB_NURSE)

    def write() -> None:
        kit.checklists.tick(kit["nurse1"], first.case_number, "RD-CONSENT")
        kit.checklists.tick(kit["admin"], second.case_number, "RD-CONSENT")

    _, impact = _impact_of(kit, write)
    assert impact.child_case_ids >= {first.id, second.id}
    assert impact.authors[first.id] == kit["nurse1"].user_id
    assert impact.authors[second.id] == kit["admin"].user_id


def test_a_system_change_names_no_one_not_an_earlier_author(kit: Kit) -> None:
    case = kit.new_case(start=at(8)).case
    feed = ChangeService(kit.db)
    impact = feed.impact([
        Change(1, "surgery_case", case.id, 2, "update", kit["sched"].user_id),
        Change(2, "surgery_case", case.id, 3, "update", None),
    ])
    assert impact.authors == {}
    assert impact.case_versions == {case.id: 3}


def test_author_names_reads_staff_names_in_one_query_and_skips_unknown_ids(kit: Kit) -> None:
    feed = ChangeService(kit.db)
    ids = [kit["sched"].user_id, kit["nurse1"].user_id, 999_999]
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(kit.db.engine, "before_cursor_execute", seen)
    try:
        names = feed.author_names(i for i in ids if i is not None)
    finally:
        event.remove(kit.db.engine, "before_cursor_execute", seen)
    assert names == {kit["sched"].user_id: kit["sched"].display_name,
                     kit["nurse1"].user_id: kit["nurse1"].display_name}
    assert len([s for s in statements if "user_account" in s]) == 1
    assert all("surgery_case" not in s for s in statements)  # staff only, no patients
    assert feed.author_names([]) == {}


def test_a_blank_display_name_falls_back_to_the_username(kit: Kit) -> None:
    from surgdesk.domain import models as m

    with UnitOfWork(kit.db) as uow:
        user = uow.session.get(m.User, kit["nurse2"].user_id)
        assert user is not None
        user.display_name = "  "
        uow.commit()
    assert ChangeService(kit.db).author_names([kit["nurse2"].user_id]) == {
        kit["nurse2"].user_id: "nurse2"}
