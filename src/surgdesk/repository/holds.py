"""Which cases hold which equipment units, when: ``case_equipment`` rows.

Reads for allocation and for the board come back as plain tuples (``HoldRow``) from one
SELECT over a window; the case's own rows are ORM objects (``m.CaseEquipment``) because
the service changes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from surgdesk.domain import models as m
from surgdesk.repository.repos import _Repo


class HoldRow(NamedTuple):
    case_id: int
    kind_id: int
    kind: str
    unit_id: int | None
    unit: str | None
    pinned: bool
    case_number: str
    room_code: str | None
    starts_at: datetime | None
    held_until: datetime | None


class HoldRepo(_Repo):
    def overlapping(self, unit_ids: Iterable[int], start: datetime, end: datetime, *,
                    exclude_case: int | None = None) -> list[HoldRow]:
        """Holds of these units meeting ``[start, end)``, other than ``exclude_case``'s."""
        raise NotImplementedError

    def of_cases(self, case_ids: Iterable[int]) -> dict[int, list[HoldRow]]:
        """Every case's needs and holds, by case id (cases with none are left out), in
        one SELECT — the board's summaries read them this way."""
        raise NotImplementedError

    def of_unit_from(self, unit_id: int, since: datetime) -> list[m.CaseEquipment]:
        """The unit's holds ending after ``since`` (the ones an edit of the unit may
        break), with their cases loaded."""
        raise NotImplementedError
