"""What the block service tests share: the case kit plus a BlockService on its clock, and
block fields with defaults (Tuesdays 08:00-12:00 in OR1 for the orthopedics service,
from Monday 2 March 2026; naive times are Europe/Berlin in tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.repository.database import Database
from surgdesk.services.blocks import BlockFields, BlockService
from tests.services.factories import Kit, build_kit

FROM = date(2026, 3, 2)  # Monday, the kit clock's day
TUESDAY = date(2026, 3, 3)


def fields(**overrides: Any) -> BlockFields:
    values: dict[str, Any] = {"room": "OR1", "service": "orthopedics", "weekdays": (1,),
                              "start": time(8), "end": time(12), "valid_from": FROM}
    values.update(overrides)
    return BlockFields(**values)


@dataclass
class BlockKit:
    kit: Kit
    blocks: BlockService

    def __getitem__(self, username: str) -> Any:
        return self.kit[username]


@pytest.fixture
def bk(kit: Kit) -> BlockKit:
    return BlockKit(kit, BlockService(kit.db, kit.clock))


def audit_actions(db: Database, target_id: int) -> list[str]:
    with db.new_session() as s:
        stmt = (select(m.AuditEvent.action)
                .where(m.AuditEvent.target_class == "Block", m.AuditEvent.target_id == target_id)
                .order_by(m.AuditEvent.id))
        return list(s.scalars(stmt))


def feed_tables(db: Database) -> list[str]:
    """The block tables' rows on the change feed, in order (the kit's setup left out)."""
    with db.new_session() as s:
        stmt = (select(m.ChangeLog.table_name)
                .where(m.ChangeLog.table_name.like("or_block%")).order_by(m.ChangeLog.id))
        return list(s.scalars(stmt))


__all__ = ["FROM", "TUESDAY", "BlockKit", "audit_actions", "bk", "build_kit", "feed_tables",
           "fields"]
