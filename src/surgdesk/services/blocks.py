"""Blocks: list, create, edit, end, exceptions, release and take-back, occurrences, usage.

Rules (DESIGN.md "Planning the suite"; pure parts in ``domain.blocks``):

- Managing blocks (create, edit, end, exceptions, take a release back) is
  ``Action.MANAGE_BLOCKS`` (admins, schedulers). Releasing one date is
  ``Action.RELEASE_BLOCK``: admins and schedulers always, a surgeon on their own block or
  a block of their service (``owns=``).
- Two blocks of one room never overlap on any date: refused with ``BlockConflict``
  (a ``Refused``, CLI exit 1) naming the other block and the first date. The room row is
  locked first, so two PCs creating overlapping blocks at once: exactly one wins.
- A dated room closure, or the room not being active, voids the occurrences it touches:
  they are left out of ``occurrences`` and of usage.
- Release by rule is evaluated when read (the injected clock), never by a job.
- Every write is audited and goes to the change feed like any change.

Bad input (unknown room or owner, a pattern with no dates, end before start, a DST gap)
is ``BadInput`` naming the field: ``room``, ``surgeon``, ``service``, ``weekdays``,
``start``, ``end``, ``from``, ``until``, ``every_weeks``, ``weeks_of_month``,
``release_days``, ``date``, ``reason``.
"""

from __future__ import annotations

from datetime import date, time

from pydantic import BaseModel, ConfigDict

from surgdesk.errors import Refused
from surgdesk.services.base import Service
from surgdesk.services.context import Actor
from surgdesk.services.dto import BlockUsageReport, BlockView, OccurrenceView


class BlockConflict(Refused):
    """Two blocks of one room would overlap."""


class BlockFields(BaseModel):
    """What a block is made of, as a person gives it (codes and usernames, local times)."""

    model_config = ConfigDict(extra="forbid")

    room: str  # room code
    surgeon: str | None = None  # username of a surgeon; exactly one of surgeon / service
    service: str | None = None  # a specialty
    weekdays: tuple[int, ...]  # 0 = Monday ... 6 = Sunday
    start: time
    end: time
    every_weeks: int = 1
    weeks_of_month: tuple[int, ...] = ()
    valid_from: date
    valid_until: date | None = None
    release_days: int | None = None  # None: the department's default


class BlockService(Service):
    def list_blocks(self, actor: Actor, *, room: str | None = None, owner: str | None = None,
                    active_on: date | None = None) -> list[BlockView]:
        """Blocks by room code then start; ``owner`` is a surgeon's username or a service
        (specialty, case-insensitive); ``active_on``: only blocks valid on that date.
        Everyone who may see the board may list blocks."""
        raise NotImplementedError

    def get(self, actor: Actor, block_id: int) -> BlockView:
        raise NotImplementedError

    def create(self, actor: Actor, fields: BlockFields, *, op_id: str | None = None
               ) -> BlockView:
        raise NotImplementedError

    def update(self, actor: Actor, block_id: int, version: int, fields: BlockFields
               ) -> BlockView:
        """Change a block (optimistic lock on ``version``); the overlap rule holds."""
        raise NotImplementedError

    def end(self, actor: Actor, block_id: int, after: date) -> BlockView:
        """The block's last date becomes ``after`` (releases and exceptions after it go)."""
        raise NotImplementedError

    def preview_dates(self, actor: Actor, fields: BlockFields, *, count: int = 8,
                      from_day: date | None = None) -> list[date]:
        """The next ``count`` dates the pattern holds from ``from_day`` (default: today in
        the department's zone, or valid_from if later), for the management screen.
        Validates like ``create`` without writing."""
        raise NotImplementedError

    def set_exception(self, actor: Actor, block_id: int, day: date, *,
                      cancelled: bool, start: time | None = None, end: time | None = None,
                      reason: str | None = None) -> BlockView:
        """One date cancelled, or other hours that day (the overlap rule holds)."""
        raise NotImplementedError

    def clear_exception(self, actor: Actor, block_id: int, day: date) -> BlockView:
        raise NotImplementedError

    def occurrences(self, actor: Actor, first: date, last: date, *, room: str | None = None,
                    owner: str | None = None) -> list[OccurrenceView]:
        """Every occurrence in [first, last] (department dates, inclusive), voided ones
        left out, with release state (by hand or by rule, now) and used minutes."""
        raise NotImplementedError

    def release(self, actor: Actor, block_id: int, day: date, reason: str, *,
                op_id: str | None = None) -> OccurrenceView:
        """Release one date (a reason is required). Refused when the date is not an
        occurrence, is already released, or has started."""
        raise NotImplementedError

    def unrelease(self, actor: Actor, block_id: int, day: date) -> OccurrenceView:
        """Take a release back (by hand or by rule): schedulers and admins, and only while
        no case other than the owner's has been booked into the released time."""
        raise NotImplementedError

    def usage(self, actor: Actor, first: date, last: date, *, room: str | None = None,
              per_occurrence: bool = False) -> BlockUsageReport:
        """Block utilization over [first, last]: per block (or per occurrence), summed,
        released minutes apart, with its definition. Scheduled times; actual times once a
        case is done. 60 rooms x 90 days in well under 300 ms."""
        raise NotImplementedError
