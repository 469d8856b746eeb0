"""Which cases hold which equipment units, when: ``case_equipment`` rows.

Reads for allocation and for the board come back as plain tuples (``HoldRow``) from one
SELECT over a window; the case's own rows are ORM objects (``m.CaseEquipment``) because
the service changes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified

from surgdesk.domain import models as m
from surgdesk.domain.intervals import MAX_CASE_DURATION
from surgdesk.repository.repos import _Repo

# The longest a hold can be: the longest case plus the longest turnaround (480 minutes,
# the CHECK on equipment_unit). Bounds the start so window reads stay on the index.
_LONGEST_HOLD = MAX_CASE_DURATION + timedelta(minutes=480)


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


def _hold_select() -> Any:
    ce, c = m.CaseEquipment, m.SurgeryCase
    return (
        select(ce.case_id, ce.kind_id, m.EquipmentKind.name, ce.unit_id,
               m.EquipmentUnit.name, ce.pinned, c.case_number, m.OperatingRoom.code,
               ce.starts_at, ce.held_until)
        .join(m.EquipmentKind, m.EquipmentKind.id == ce.kind_id)
        .join(c, c.id == ce.case_id)
        .outerjoin(m.EquipmentUnit, m.EquipmentUnit.id == ce.unit_id)
        .outerjoin(m.OperatingRoom, m.OperatingRoom.id == c.operating_room_id)
    )


class HoldRepo(_Repo):
    def overlapping(self, unit_ids: Iterable[int], start: datetime, end: datetime, *,
                    exclude_case: int | None = None) -> list[HoldRow]:
        """Holds of these units meeting ``[start, end)``, other than ``exclude_case``'s."""
        ids = sorted(set(unit_ids))
        if not ids:
            return []
        ce = m.CaseEquipment
        stmt = _hold_select().where(
            ce.unit_id.in_(ids),
            ce.starts_at < end,
            ce.starts_at > start - _LONGEST_HOLD,
            ce.held_until > start,
        )
        if exclude_case is not None:
            stmt = stmt.where(ce.case_id != exclude_case)
        stmt = stmt.order_by(ce.starts_at, ce.id)
        return [HoldRow(*row) for row in self.session.execute(stmt)]

    def of_cases(self, case_ids: Iterable[int]) -> dict[int, list[HoldRow]]:
        """Every case's needs and holds, by case id (cases with none are left out), in
        one SELECT — the board's summaries read them this way."""
        ids = sorted(set(case_ids))
        if not ids:
            return {}
        ce = m.CaseEquipment
        stmt = _hold_select().where(ce.case_id.in_(ids)).order_by(ce.case_id, ce.id)
        out: dict[int, list[HoldRow]] = {}
        for row in self.session.execute(stmt):
            hold = HoldRow(*row)
            out.setdefault(hold.case_id, []).append(hold)
        return out

    def of_unit_from(self, unit_id: int, since: datetime) -> list[m.CaseEquipment]:
        """The unit's holds ending after ``since`` (the ones an edit of the unit may
        break), with their cases loaded."""
        ce = m.CaseEquipment
        stmt = (
            select(ce)
            .where(ce.unit_id == unit_id, ce.held_until > since)
            .options(selectinload(ce.surgery_case).selectinload(m.SurgeryCase.equipment),
                     selectinload(ce.surgery_case)
                     .joinedload(m.SurgeryCase.operating_room))
            .order_by(ce.starts_at, ce.id)
        )
        return list(self.session.scalars(stmt))

    def touch_case(self, case: m.SurgeryCase, now: datetime) -> None:
        """Make the case's row part of the next flush (its version is bumped) even when
        none of its own columns changed: its holds did, and the change feed names cases
        by their version."""
        case.updated_at = now
        flag_modified(case, "updated_at")
