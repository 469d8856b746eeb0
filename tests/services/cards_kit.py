"""What the equipment and preference-card tests share: the case kit (one user of every
role, rooms OR1-OR3, a fake clock on Monday 2 March 2026) plus the equipment and card
services on its clock, a small fleet, and readers for the audit trail and the feed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.repository.database import Database
from surgdesk.services.cards import PreferenceCardService
from surgdesk.services.equipment import EquipmentService
from tests.services.factories import Kit, build_kit

# Everyone but admins and schedulers: refused every equipment write.
NOT_MANAGERS = ("surg1", "anes1", "nurse1", "viewer")
EVERYONE = ("admin", "sched", "surg1", "anes1", "nurse1", "viewer", "wall")


@dataclass
class EquipKit:
    kit: Kit
    equipment: EquipmentService
    cards: PreferenceCardService

    def __getitem__(self, username: str) -> Any:
        return self.kit[username]

    @property
    def db(self) -> Database:
        return self.kit.db

    def fleet(self) -> None:
        """Kinds C-arm and Robot; units C-arm 1 (any room), C-arm 2 (OR1 and OR2, 15 min
        turnaround) and Robot (OR1)."""
        admin = self["admin"]
        for kind in ("C-arm", "Robot"):
            self.equipment.add_kind(admin, kind)
        self.equipment.add_unit(admin, name="C-arm 1", kind="C-arm")
        self.equipment.add_unit(admin, name="C-arm 2", kind="c-arm", rooms=["OR1", "or2"],
                                turnaround_min=15)
        self.equipment.add_unit(admin, name="Robot", kind="Robot", rooms=["OR1"])


@pytest.fixture
def ek(db: Database) -> EquipKit:
    kit = build_kit(db)
    return EquipKit(kit, EquipmentService(db, kit.clock), PreferenceCardService(db, kit.clock))


def audit_actions(db: Database, target_class: str, target_id: int | None = None
                  ) -> list[str]:
    with db.new_session() as s:
        stmt = select(m.AuditEvent.action).where(m.AuditEvent.target_class == target_class)
        if target_id is not None:
            stmt = stmt.where(m.AuditEvent.target_id == target_id)
        return list(s.scalars(stmt.order_by(m.AuditEvent.id)))


def audit_details(db: Database, action: str) -> list[dict[str, Any]]:
    with db.new_session() as s:
        stmt = (select(m.AuditEvent.details).where(m.AuditEvent.action == action)
                .order_by(m.AuditEvent.id))
        return [dict(d) for d in s.scalars(stmt)]


def feed(db: Database, table: str) -> list[tuple[int, str, int | None]]:
    """The feed's (row id, op, actor id) for one table, in order."""
    with db.new_session() as s:
        stmt = (select(m.ChangeLog.row_id, m.ChangeLog.op, m.ChangeLog.actor_id)
                .where(m.ChangeLog.table_name == table).order_by(m.ChangeLog.id))
        return [(r, o, a) for r, o, a in s.execute(stmt)]


__all__ = ["EVERYONE", "NOT_MANAGERS", "EquipKit", "audit_actions", "audit_details", "ek",
           "feed"]
