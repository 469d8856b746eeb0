"""Equipment kinds, units and their closures: rows and lookups.

The units of a kind come back with their closures loaded (one extra SELECT, never a query
per unit): allocation reads every unit of the kinds a case needs at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from surgdesk.domain import models as m
from surgdesk.domain.enums import EquipmentStatus
from surgdesk.repository.repos import _Repo


def _key(name: str) -> str:
    return name.strip().lower()


class EquipmentRepo(_Repo):
    def kind_by_name(self, name: str) -> m.EquipmentKind | None:
        """Case-insensitive, trimmed."""
        k = m.EquipmentKind
        stmt = select(k).where(func.lower(k.name) == _key(name))
        return self.session.scalars(stmt).first()

    def kind(self, kind_id: int) -> m.EquipmentKind | None:
        return self.session.get(m.EquipmentKind, kind_id)

    def kinds(self) -> list[m.EquipmentKind]:
        k = m.EquipmentKind
        return list(self.session.scalars(select(k).order_by(k.name, k.id)))

    def unit_by_name(self, name: str) -> m.EquipmentUnit | None:
        """Case-insensitive, trimmed."""
        u = m.EquipmentUnit
        stmt = (select(u).where(func.lower(u.name) == _key(name))
                .options(selectinload(u.closures)))
        return self.session.scalars(stmt).first()

    def unit(self, unit_id: int) -> m.EquipmentUnit | None:
        return self.session.get(m.EquipmentUnit, unit_id)

    def units(self, *, kind_ids: Iterable[int] | None = None,
              include_retired: bool = True) -> list[m.EquipmentUnit]:
        """By name, closures loaded."""
        u = m.EquipmentUnit
        stmt = select(u).options(selectinload(u.closures), selectinload(u.kind))
        if kind_ids is not None:
            ids = sorted(set(kind_ids))
            if not ids:
                return []
            stmt = stmt.where(u.kind_id.in_(ids))
        if not include_retired:
            stmt = stmt.where(u.status != EquipmentStatus.RETIRED)
        return list(self.session.scalars(stmt.order_by(u.name, u.id)))

    def lane_units(self) -> list[m.EquipmentUnit]:
        """The units that are not retired, kind loaded in the same SELECT (closures not
        loaded): the board's equipment lanes."""
        u = m.EquipmentUnit
        stmt = (select(u).options(joinedload(u.kind))
                .where(u.status != EquipmentStatus.RETIRED).order_by(u.name, u.id))
        return list(self.session.scalars(stmt))

    def lock_units(self, unit_ids: Iterable[int]) -> None:
        """SELECT ... FOR UPDATE on the unit rows (Postgres; SQLite serialises writers):
        an edit of a unit and an allocation of it never work from each other's stale
        state. Every unit of their kinds is locked with them, in id order: an allocation
        locks whole kinds (``lock_kinds``), and lockers taking rows in one order cannot
        deadlock (an edit re-checking its unit's holds then locks the kind again)."""
        ids = sorted(set(unit_ids))
        if not ids:
            return
        u = m.EquipmentUnit
        same = aliased(u)  # not correlated with the outer rows
        kinds = select(same.kind_id).where(same.id.in_(ids))
        stmt = (select(u).where(or_(u.id.in_(ids), u.kind_id.in_(kinds))).order_by(u.id)
                .with_for_update().execution_options(populate_existing=True))
        list(self.session.scalars(stmt))

    def lock_kinds(self, kind_ids: Iterable[int]) -> list[m.EquipmentUnit]:
        """Every unit of these kinds, locked and re-read like ``lock_units`` (closures
        not loaded: read them with ``closures_overlapping`` after the lock), by id."""
        ids = sorted(set(kind_ids))
        if not ids:
            return []
        u = m.EquipmentUnit
        stmt = (select(u).where(u.kind_id.in_(ids)).order_by(u.id).with_for_update()
                .execution_options(populate_existing=True))
        return list(self.session.scalars(stmt))

    def closures_overlapping(self, unit_ids: Iterable[int] | None, start: datetime,
                             end: datetime) -> list[m.EquipmentClosure]:
        c = m.EquipmentClosure
        stmt = select(c).where(c.starts_at < end, c.ends_at > start)
        if unit_ids is not None:
            ids = sorted(set(unit_ids))
            if not ids:
                return []
            stmt = stmt.where(c.unit_id.in_(ids))
        return list(self.session.scalars(stmt.order_by(c.starts_at, c.id)))
