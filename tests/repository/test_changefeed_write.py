"""Every changed row leaves a change-log row in the same transaction — deletions of
orphans and cascades included — and a rolled-back flush leaves nothing behind."""

from __future__ import annotations

from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import TeamRole
from surgdesk.repository.database import Database
from surgdesk.repository.uow import UnitOfWork
from tests.services.factories import Kit, kit, team_case  # noqa: F401  (fixture)


def _log(db: Database) -> list[tuple[str, int, str]]:
    with db.new_session() as s:
        return [(c.table_name, c.row_id, c.op) for c in s.scalars(
            select(m.ChangeLog).order_by(m.ChangeLog.id))]


def test_an_orphan_removed_from_a_collection_is_logged_as_deleted(kit: Kit) -> None:  # noqa: F811
    number = team_case(kit)
    with UnitOfWork(kit.db) as uow:
        case = uow.cases.by_number(number)
        assert case is not None
        member = next(t for t in case.team if t.role is TeamRole.CIRCULATING_NURSE)
        member_id = member.id
        case.team.remove(member)  # no session.delete(): the flush finds the orphan
        uow.commit()
    assert ("care_team_member", member_id, "delete") in _log(kit.db)


def test_a_rolled_back_flush_leaves_no_deletion_for_the_next_transaction(kit: Kit) -> None:  # noqa: F811
    number = team_case(kit)
    before = _log(kit.db)
    with UnitOfWork(kit.db) as uow:
        case = uow.cases.by_number(number)
        assert case is not None
        case.team.remove(case.team[-1])
        uow.flush()
        uow.session.rollback()
        uow.session.add(m.CaseNumberCounter(year=1999, last_number=0))  # not a feed table
        uow.commit()
    assert _log(kit.db) == before
