"""Equipment kinds, units and their closures: rows and lookups.

The units of a kind come back with their closures loaded (one extra SELECT, never a query
per unit): allocation reads every unit of the kinds a case needs at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from surgdesk.domain import models as m
from surgdesk.repository.repos import _Repo


class EquipmentRepo(_Repo):
    def kind_by_name(self, name: str) -> m.EquipmentKind | None:
        """Case-insensitive, trimmed."""
        raise NotImplementedError

    def kinds(self) -> list[m.EquipmentKind]:
        raise NotImplementedError

    def unit_by_name(self, name: str) -> m.EquipmentUnit | None:
        """Case-insensitive, trimmed."""
        raise NotImplementedError

    def unit(self, unit_id: int) -> m.EquipmentUnit | None:
        raise NotImplementedError

    def units(self, *, kind_ids: Iterable[int] | None = None,
              include_retired: bool = True) -> list[m.EquipmentUnit]:
        """By name, closures loaded."""
        raise NotImplementedError

    def lock_units(self, unit_ids: Iterable[int]) -> None:
        """SELECT ... FOR UPDATE on the unit rows (Postgres; SQLite serialises writers):
        an edit of a unit and an allocation of it never work from each other's stale
        state."""
        raise NotImplementedError

    def closures_overlapping(self, unit_ids: Iterable[int] | None, start: datetime,
                             end: datetime) -> list[m.EquipmentClosure]:
        raise NotImplementedError
