"""Blocks: their rows, exceptions and releases, and the cases' times as plain tuples.

Reads for the board and for block utilization cover many days and rooms at once, so the
cases come back as plain column tuples from one SELECT (no ORM objects, no query per
occurrence); the service expands the blocks in memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, DateTime, String, and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import joinedload, selectinload

from surgdesk.domain import models as m
from surgdesk.domain.enums import OCCUPYING_STATUSES, CaseStatus, RoomStatus
from surgdesk.domain.intervals import MAX_CASE_DURATION
from surgdesk.repository.repos import _Repo

# Cases whose time counts in a block: those holding the room, and those done in it.
BLOCK_CASE_STATUSES: frozenset[CaseStatus] = OCCUPYING_STATUSES | {CaseStatus.COMPLETED}


class CaseSpan(NamedTuple):
    """One case as the block rules see it: its room, lead surgeon, specialty and the times
    that count (UTC) — scheduled, or actual once the case is completed."""

    id: int
    room_id: int
    lead_user_id: int
    specialty: str
    start: datetime
    end: datetime


def counted_times(status: CaseStatus, scheduled_start: datetime, scheduled_end: datetime,
                  actual_start: datetime | None, actual_end: datetime | None
                  ) -> tuple[datetime, datetime]:
    """The times a case counts with in a block: scheduled; actual once completed."""
    if status is CaseStatus.COMPLETED and actual_start is not None \
            and actual_end is not None and actual_end > actual_start:
        return actual_start, actual_end
    return scheduled_start, scheduled_end


class BlockRow(NamedTuple):
    """A block as the occurrence reads need it (board, occurrences, usage), read without
    ORM objects."""

    id: int
    version: int
    room_id: int
    room_code: str
    room_status: RoomStatus
    turnover_minutes: int
    surgeon_user_id: int | None
    surgeon_username: str | None
    surgeon_name: str | None
    surgeon_specialty: str | None
    service: str | None
    weekdays: list[int]
    starts_at: time
    ends_at: time
    every_weeks: int
    weeks_of_month: list[int]
    valid_from: date
    valid_until: date | None
    release_days: int | None


class ExceptionRow(NamedTuple):
    block_id: int
    on_date: date
    cancelled: bool
    starts_at: time | None
    ends_at: time | None


def _block_load() -> tuple[Any, ...]:
    return (
        joinedload(m.Block.room),
        joinedload(m.Block.surgeon).joinedload(m.SurgeonProfile.user),
        selectinload(m.Block.exceptions),
    )


def _narrowed(stmt: Any, first: date | None, last: date | None,
              room_ids: Sequence[int] | None, surgeon_ids: Sequence[int] | None,
              service: str | None) -> Any:
    """The block filters ``valid_between`` and ``rows_between`` share, and their order."""
    b = m.Block
    if last is not None:
        stmt = stmt.where(b.valid_from <= last)
    if first is not None:
        stmt = stmt.where(or_(b.valid_until.is_(None), b.valid_until >= first))
    if room_ids is not None:
        stmt = stmt.where(b.room_id.in_(list(room_ids)))
    owners: list[ColumnElement[bool]] = []
    if surgeon_ids is not None:
        owners.append(b.surgeon_id.in_(list(surgeon_ids)))
    if service is not None:
        owners.append(func.lower(b.service) == service.lower())
    if owners:
        stmt = stmt.where(or_(*owners))
    return stmt.order_by(m.OperatingRoom.code, b.valid_from, b.starts_at, b.id)


class BlockRepo(_Repo):
    def get(self, block_id: int) -> m.Block | None:
        stmt = select(m.Block).options(*_block_load()).where(m.Block.id == block_id)
        return self.session.scalars(stmt).unique().one_or_none()

    def valid_between(
        self, first: date | None, last: date | None, *, room_ids: Sequence[int] | None = None,
        surgeon_ids: Sequence[int] | None = None, service: str | None = None,
    ) -> list[m.Block]:
        """Blocks whose validity meets [first, last] (either end open), with their room,
        surgeon and exceptions, by room code then start. ``surgeon_ids`` and ``service``
        together: blocks of either owner."""
        b = m.Block
        stmt = (select(b).options(*_block_load())
                .join(m.OperatingRoom, m.OperatingRoom.id == b.room_id))
        stmt = _narrowed(stmt, first, last, room_ids, surgeon_ids, service)
        return list(self.session.scalars(stmt).unique())

    def rows_between(
        self, first: date | None, last: date | None, *, room_ids: Sequence[int] | None = None,
        surgeon_ids: Sequence[int] | None = None, service: str | None = None,
    ) -> tuple[list[BlockRow], list[ExceptionRow]]:
        """``valid_between`` as plain rows, and their exceptions: two SELECTs, no ORM
        objects (the board reads them on every load)."""
        b, room, p, u = m.Block, m.OperatingRoom, m.SurgeonProfile, m.User
        stmt = (
            select(b.id, b.version, b.room_id, room.code, room.status, room.turnover_minutes,
                   u.id, u.username, u.display_name, p.specialty, b.service, b.weekdays,
                   b.starts_at, b.ends_at, b.every_weeks, b.weeks_of_month, b.valid_from,
                   b.valid_until, b.release_days)
            .join(room, room.id == b.room_id)
            .outerjoin(p, p.id == b.surgeon_id)
            .outerjoin(u, u.id == p.user_id)
        )
        stmt = _narrowed(stmt, first, last, room_ids, surgeon_ids, service)
        blocks = [BlockRow(*row) for row in self.session.execute(stmt)]
        if not blocks:
            return [], []
        e = m.BlockException
        ids = [row.id for row in blocks]
        exceptions = self.session.execute(
            select(e.block_id, e.on_date, e.cancelled, e.starts_at, e.ends_at)
            .where(e.block_id.in_(ids)))
        return blocks, [ExceptionRow(*row) for row in exceptions]

    def of_room(self, room_id: int) -> list[m.Block]:
        """Every block of a room (for the overlap rule), with exceptions."""
        return self.valid_between(None, None, room_ids=[room_id])

    def specialty(self, name: str) -> str | None:
        """``name`` as surgeons' profiles spell it (case-insensitive), or None when no
        surgeon has that specialty."""
        p = m.SurgeonProfile
        stmt = (select(p.specialty).where(func.lower(p.specialty) == name.lower())
                .order_by(p.id).limit(1))
        return self.session.scalars(stmt).first()

    def service_in_use(self, name: str) -> bool:
        stmt = select(m.Block.id).where(func.lower(m.Block.service) == name.lower()).limit(1)
        return self.session.scalars(stmt).first() is not None

    def releases(self, block_ids: Iterable[int], first: date, last: date
                 ) -> list[m.BlockRelease]:
        """Release rows (taken back or not) of these blocks on [first, last]."""
        ids = list(block_ids)
        if not ids:
            return []
        r = m.BlockRelease
        stmt = (
            select(r)
            .options(joinedload(r.released_by))
            .where(r.block_id.in_(ids), r.on_date >= first, r.on_date <= last)
        )
        return list(self.session.scalars(stmt))

    def release(self, block_id: int, day: date) -> m.BlockRelease | None:
        r = m.BlockRelease
        stmt = (select(r).options(joinedload(r.released_by))
                .where(r.block_id == block_id, r.on_date == day))
        return self.session.scalars(stmt).one_or_none()

    def exception(self, block_id: int, day: date) -> m.BlockException | None:
        e = m.BlockException
        stmt = select(e).where(e.block_id == block_id, e.on_date == day)
        return self.session.scalars(stmt).one_or_none()

    def drop_after(self, block_id: int, day: date) -> None:
        """Exceptions and releases of a block after ``day`` (the block ends then). Loaded
        and deleted one by one so each deletion reaches the change feed."""
        for model in (m.BlockException, m.BlockRelease):
            stmt = select(model).where(model.block_id == block_id, model.on_date > day)
            for row in self.session.scalars(stmt):
                self.session.delete(row)

    def case_spans(self, start: datetime, end: datetime, *,
                   room_ids: Sequence[int] | None = None) -> list[CaseSpan]:
        """Cases placed in a room whose scheduled times meet [start, end), holding the
        room or completed, as plain tuples in one SELECT (``counted_times`` worked out
        by the database, so two instants per row are read, not four)."""
        c, p = m.SurgeryCase, m.SurgeonProfile
        done = and_(c.status == CaseStatus.COMPLETED, c.actual_start.is_not(None),
                    c.actual_end > c.actual_start)
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        # Read the instants as the driver gives them: SQLite's fixed-format UTC text is
        # parsed in one C call (the column type's own conversion, a regex and a
        # ``replace`` per value, was most of the time of a 60-room quarter); Postgres
        # hands over aware datetimes already.
        raw: Any = String() if sqlite else DateTime(timezone=True)
        stmt = (
            select(c.id, c.operating_room_id, p.user_id, c.specialty,
                   type_coerce(case((done, c.actual_start), else_=c.scheduled_start), raw),
                   type_coerce(case((done, c.actual_end), else_=c.scheduled_end), raw))
            .join(p, p.id == c.lead_surgeon_id)
            .where(
                c.status.in_(list(BLOCK_CASE_STATUSES)),
                c.operating_room_id.is_not(None),
                c.scheduled_start < end,
                # The lower bound keeps the query on the start index.
                c.scheduled_start > start - MAX_CASE_DURATION,
                c.scheduled_end > start,
            )
        )
        if room_ids is not None:
            stmt = stmt.where(c.operating_room_id.in_(list(room_ids)))
        rows = self.session.execute(stmt).all()
        if sqlite:
            utc = _sqlite_utc
            return [CaseSpan(i, room, lead, spec, utc(lo), utc(hi))
                    for i, room, lead, spec, lo, hi in rows]
        return [CaseSpan(*row) for row in rows]


def _sqlite_utc(text: str) -> datetime:
    """``2026-03-03 07:00:00.000000`` (how ``UTCDateTime`` stores UTC on SQLite) as an
    aware UTC instant."""
    return datetime.fromisoformat(text + "+00:00")
