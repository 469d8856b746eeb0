"""What the equipment allocation tests share: the case kit plus a small fleet made
straight with the ORM (fast; no EquipmentService needed), and readers of the holds.

Fleet: two C-arms (any room) and one robot (any room), no turnaround."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import EquipmentStatus
from surgdesk.repository.database import Database
from surgdesk.services.context import Actor
from surgdesk.services.dto import CaseResult
from tests.services.factories import Kit, add_room, build_kit


def add_kind(db: Database, name: str, *, active: bool = True) -> int:
    with db.new_session() as s:
        kind = m.EquipmentKind(name=name, active=active)
        s.add(kind)
        s.commit()
        return kind.id


def add_unit(db: Database, name: str, kind: str, *, turnaround: int = 0,
             rooms: tuple[str, ...] = (),
             status: EquipmentStatus = EquipmentStatus.AVAILABLE) -> int:
    with db.new_session() as s:
        kind_row = s.scalars(select(m.EquipmentKind).where(m.EquipmentKind.name == kind)).one()
        room_ids = [s.scalars(select(m.OperatingRoom.id).where(m.OperatingRoom.code == c)).one()
                    for c in rooms]
        unit = m.EquipmentUnit(name=name, kind_id=kind_row.id, status=status,
                               turnaround_minutes=turnaround, room_ids=room_ids)
        s.add(unit)
        s.commit()
        return unit.id


def set_unit(db: Database, name: str, **values: Any) -> None:
    """Change a unit's row directly (no re-check of its holds)."""
    with db.new_session() as s:
        unit = s.scalars(select(m.EquipmentUnit).where(m.EquipmentUnit.name == name)).one()
        for key, value in values.items():
            setattr(unit, key, value)
        s.commit()


def close_unit(db: Database, name: str, start: datetime, end: datetime) -> None:
    """A dated closure of the unit (aware datetimes)."""
    with db.new_session() as s:
        unit = s.scalars(select(m.EquipmentUnit).where(m.EquipmentUnit.name == name)).one()
        s.add(m.EquipmentClosure(unit_id=unit.id, starts_at=start, ends_at=end,
                                 reason="service"))
        s.commit()


class Held(NamedTuple):
    case_number: str
    kind: str
    unit: str | None
    starts_at: datetime | None
    held_until: datetime | None
    pinned: bool


def holds(db: Database) -> list[Held]:
    """Every case_equipment row, by case number, kind and unit."""
    ce = m.CaseEquipment
    with db.new_session() as s:
        stmt = (select(m.SurgeryCase.case_number, m.EquipmentKind.name, m.EquipmentUnit.name,
                       ce.starts_at, ce.held_until, ce.pinned)
                .join(m.SurgeryCase, m.SurgeryCase.id == ce.case_id)
                .join(m.EquipmentKind, m.EquipmentKind.id == ce.kind_id)
                .outerjoin(m.EquipmentUnit, m.EquipmentUnit.id == ce.unit_id))
        rows = [Held(*r) for r in s.execute(stmt)]
    return sorted(rows, key=lambda h: (h.case_number, h.kind, h.unit or ""))


def held_units(db: Database, case_number: str) -> list[str | None]:
    return sorted((h.unit for h in holds(db) if h.case_number == case_number),
                  key=lambda u: u or "")


@dataclass
class EquipKit:
    kit: Kit

    @property
    def db(self) -> Database:
        return self.kit.db

    def __getitem__(self, username: str) -> Actor:
        return self.kit[username]

    def case(self, *, room: str | None = "OR1", start: datetime | None = None,
             equipment: tuple[str, ...] = ("C-arm",), **extra: Any) -> CaseResult:
        """A case needing ``equipment`` (scheduled at ``start`` in ``room``, default 08:00
        in OR1, an hour long)."""
        return self.kit.new_case(room=room, start=start, equipment=list(equipment), **extra)


def build_equip_kit(db: Database) -> EquipKit:
    kit = build_kit(db)
    add_kind(db, "C-arm")
    add_kind(db, "Robot")
    add_unit(db, "C-arm 1", "C-arm")
    add_unit(db, "C-arm 2", "C-arm")
    add_unit(db, "Robot", "Robot")
    add_room(db, "OR4")
    return EquipKit(kit)


@pytest.fixture
def ek(db: Database) -> EquipKit:
    return build_equip_kit(db)
