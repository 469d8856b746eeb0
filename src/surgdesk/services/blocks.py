"""Blocks: list, create, edit, end, exceptions, release and take-back, occurrences, usage.

Rules (DESIGN.md "Planning the suite"; pure parts in ``domain.blocks``):

- Managing blocks (create, edit, end, exceptions, take a release back) is
  ``Action.MANAGE_BLOCKS`` (admins, schedulers). Releasing one date is
  ``Action.RELEASE_BLOCK``: admins and schedulers always, a surgeon on their own block or
  a block of their service (``owns=``: their surgeon profile's specialty is the block's
  service, case-insensitive).
- Two blocks of one room never overlap on any date: refused with ``BlockConflict``
  (a ``Refused``, CLI exit 1) naming the other block and the first date. The room row is
  locked first, so two PCs creating overlapping blocks at once: exactly one wins.
- A dated room closure, or the room not being active, voids the occurrences it touches:
  they are left out of ``occurrences`` and of usage.
- Release by rule is evaluated when read (the injected clock), never by a job: an
  occurrence with no case of its owner is released ``release_days`` (the block's, else
  the department's ``block_release_days``) before it starts.
- A release needs a reason; it is refused for a date that is not an occurrence (bad
  input), one that has started, or one already released (by hand or by rule). A release
  taken back keeps its row with ``taken_back_at`` set and the date then stays kept (the
  rule does not release it again); taking back a release by rule writes such a row.
  Take-back is refused once a case that is not the owner's is booked into the time.
- Every write is audited (on the block: ``add_block``, ``update_block``, ``end_block``,
  ``set_block_exception``, ``clear_block_exception``, ``release_block``,
  ``unrelease_block``) and goes to the change feed like any change.
- Block utilization (``usage``): the owner's cases' minutes inside each unreleased
  occurrence (scheduled times; actual times once a case is completed), plus the gap
  between two of them up to the room's turnover, over the occurrences' minutes
  (``domain.blocks.used_minutes``); released occurrences are counted apart.

Bad input (unknown room or owner, a pattern with no dates, end before start, a DST gap)
is ``BadInput`` naming the field: ``room``, ``surgeon``, ``service``, ``weekdays``,
``start``, ``end``, ``from``, ``until``, ``every_weeks``, ``weeks_of_month``,
``release_days``, ``date``, ``reason``; also ``block_id`` (no such block), ``after``
(``end``), ``first``/``last`` (ranges), ``owner`` (list filters).
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from surgdesk.domain import models as m
from surgdesk.domain.blocks import (
    RELEASE_DAYS,
    BlockPattern,
    DayException,
    dst_problem_dates,
    first_overlap,
    hours_on,
    occurs_on,
    pattern_dates,
    pattern_problems,
    release_moment,
)
from surgdesk.domain.enums import Role
from surgdesk.domain.limits import IDENT_MAX, NAME_MAX
from surgdesk.domain.permissions import Action
from surgdesk.errors import BadInput, FieldProblem, NotFound, Refused
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.base import Claim, Service, diff
from surgdesk.services.block_input import (
    BlockFields,
    Resolved,
    audit_state,
    in_gap,
    reason_text,
    valid_day,
    wall_time,
)
from surgdesk.services.block_spans import (
    BlockInfo,
    Occurrence,
    block_info,
    block_infos,
    block_view,
    read_occurrences,
)
from surgdesk.services.block_usage import DEFINITION, usage_rows
from surgdesk.services.context import Actor
from surgdesk.services.dto import (
    BlockUsageReport,
    BlockView,
    OccurrenceView,
)
from surgdesk.services.fields import check_version, one_line

# Refuse a pattern whose hours fall in a clock-change gap this far ahead.
DST_HORIZON = timedelta(days=2 * 366)
# The longest range ``occurrences`` and ``usage`` read at once (two years).
MAX_RANGE = timedelta(days=2 * 366)
# ``preview_dates`` looks this far ahead for its dates.
PREVIEW_HORIZON = timedelta(days=5 * 366)


class BlockConflict(Refused):
    """Two blocks of one room would overlap."""


def _conflict(room: m.OperatingRoom, other: BlockInfo, day: date) -> BlockConflict:
    return BlockConflict(
        f"{room.code} is already blocked for {other.owner_label} ({other.pattern_text}; "
        f"block {other.id}) on {day.isoformat()}", field="room")


class BlockService(Service):
    # ---- reading blocks ---------------------------------------------------------------

    def list_blocks(self, actor: Actor, *, room: str | None = None, owner: str | None = None,
                    active_on: date | None = None) -> list[BlockView]:
        """Blocks by room code then start; ``owner`` is a surgeon's username or a service
        (specialty, case-insensitive); ``active_on``: only blocks valid on that date.
        Everyone who may see the board may list blocks."""
        self.require(actor, Action.SEE_BOARD, what="see blocks")
        if active_on is not None:
            valid_day(active_on, "active_on")
        with self.uow(read_only=True) as uow:
            blocks = self._blocks(uow, active_on, active_on, room=room, owner=owner)
            default = uow.settings.get().block_release_days
            return [block_view(block_info(b, default), b) for b in blocks]

    def get(self, actor: Actor, block_id: int) -> BlockView:
        self.require(actor, Action.SEE_BOARD, what="see blocks")
        with self.uow(read_only=True) as uow:
            return self._view(uow, self._block(uow, block_id))

    # ---- writing blocks ---------------------------------------------------------------

    def create(self, actor: Actor, fields: BlockFields, *, op_id: str | None = None
               ) -> BlockView:
        self.require(actor, Action.MANAGE_BLOCKS, what="add blocks")
        with self.uow() as uow:
            with self.operation(uow, op_id, "add_block") as claim:
                if not claim.replay:
                    resolved = self._resolve(uow, fields)
                    uow.rooms.lock(resolved.room)
                    self._check_overlap(uow, resolved.room, resolved.pattern, {}, None)
                    block = m.Block(exceptions=[], releases=[])
                    resolved.apply(block)
                    uow.blocks.add(block)
                    uow.flush()
                    self.audit(uow, actor, "add_block", block, diff({}, audit_state(block)))
                    self.remember_operation(uow, actor, block)
                    uow.flush()
                    view = self._view(uow, block)
                    uow.commit()
                    return view
            return self._replayed(uow, claim)

    def update(self, actor: Actor, block_id: int, version: int, fields: BlockFields
               ) -> BlockView:
        """Change a block (optimistic lock on ``version``); the overlap rule holds."""
        self.require(actor, Action.MANAGE_BLOCKS, what="change blocks")
        with self.uow() as uow:
            block = self._block(uow, block_id)
            check_version(block, version, f"block {block.id}")
            resolved = self._resolve(uow, fields)
            uow.rooms.lock(resolved.room)
            exceptions = {e.on_date: DayException(e.on_date, e.cancelled, e.starts_at,
                                                  e.ends_at) for e in block.exceptions}
            self._check_overlap(uow, resolved.room, resolved.pattern, exceptions, block.id)
            before = audit_state(block)
            resolved.apply(block)
            changed = diff(before, audit_state(block))
            if changed:
                uow.flush()
                self.audit(uow, actor, "update_block", block, changed)
                uow.flush()
                view = self._view(uow, block)
                uow.commit()
                return view
            return self._view(uow, block)

    def end(self, actor: Actor, block_id: int, after: date) -> BlockView:
        """The block's last date becomes ``after`` (releases and exceptions after it go)."""
        self.require(actor, Action.MANAGE_BLOCKS, what="end blocks")
        valid_day(after, "after")
        with self.uow() as uow:
            block = self._block(uow, block_id)
            if after < block.valid_from:
                raise BadInput(FieldProblem(
                    "after", f"is before the block's first date "
                             f"({block.valid_from.isoformat()})"))
            if block.valid_until is not None and after > block.valid_until:
                raise BadInput(FieldProblem(
                    "after", f"is after the block's last date "
                             f"({block.valid_until.isoformat()}); change the block to "
                             "extend it"))
            if block.valid_until == after:
                return self._view(uow, block)
            before = audit_state(block)
            block.valid_until = after
            uow.blocks.drop_after(block.id, after)
            uow.flush()
            self.audit(uow, actor, "end_block", block, diff(before, audit_state(block)))
            uow.flush()
            uow.session.expire(block, ["exceptions", "releases"])
            view = self._view(uow, block)
            uow.commit()
            return view

    def preview_dates(self, actor: Actor, fields: BlockFields, *, count: int = 8,
                      from_day: date | None = None) -> list[date]:
        """The next ``count`` dates the pattern holds from ``from_day`` (default: today in
        the department's zone, or valid_from if later), for the management screen.
        Validates like ``create`` without writing."""
        self.require(actor, Action.MANAGE_BLOCKS, what="plan blocks")
        if count < 1 or count > 366:
            raise BadInput(FieldProblem("count", "must be 1 to 366"))
        with self.uow(read_only=True) as uow:
            pattern = self._resolve(uow, fields).pattern
            today = self.now().astimezone(self.department_zone(uow)).date()
            first = max(valid_day(from_day, "from_day") if from_day else today, pattern.valid_from)
        found: list[date] = []
        stop = first + PREVIEW_HORIZON
        while len(found) < count and first <= stop:
            last = first + timedelta(days=365)
            found += pattern_dates(pattern, first, last)
            first = last + timedelta(days=1)
            if pattern.valid_until is not None and first > pattern.valid_until:
                break
        return found[:count]

    # ---- exceptions -------------------------------------------------------------------

    def set_exception(self, actor: Actor, block_id: int, day: date, *,
                      cancelled: bool, start: time | None = None, end: time | None = None,
                      reason: str | None = None) -> BlockView:
        """One date cancelled, or other hours that day (the overlap rule holds)."""
        self.require(actor, Action.MANAGE_BLOCKS, what="change blocks")
        valid_day(day, "date")
        text = reason_text(reason, required=False, max_len=NAME_MAX)
        with self.uow() as uow:
            block = self._block(uow, block_id)
            info = self._info(uow, block)
            if not occurs_on(info.pattern, day):
                raise BadInput(FieldProblem(
                    "date", f"block {block.id} does not hold on {day.isoformat()}"))
            hours: tuple[time, time] | None = None
            if not cancelled:
                hours = self._exception_hours(uow, info, day, start, end)
                uow.rooms.lock(block.room)
                self._check_day(uow, block, day, hours)
            row = uow.blocks.exception(block.id, day)
            before = self._exception_state(row)
            if row is None:
                row = m.BlockException(block_id=block.id, on_date=day)
                block.exceptions.append(row)
            row.cancelled = bool(cancelled)
            row.starts_at, row.ends_at = hours if hours is not None else (None, None)
            row.reason = text
            changed = diff(before, self._exception_state(row))
            if changed:
                uow.flush()
                self.audit(uow, actor, "set_block_exception", block,
                           {"date": day.isoformat(), **changed})
                uow.flush()
                uow.commit()
            return self._view(uow, block)

    def clear_exception(self, actor: Actor, block_id: int, day: date) -> BlockView:
        self.require(actor, Action.MANAGE_BLOCKS, what="change blocks")
        valid_day(day, "date")
        with self.uow() as uow:
            block = self._block(uow, block_id)
            row = uow.blocks.exception(block.id, day)
            if row is None:
                raise NotFound(FieldProblem(
                    "date", f"block {block.id} has no exception on {day.isoformat()}"))
            # The block's own hours come back that day: they must not meet another block.
            uow.rooms.lock(block.room)
            self._check_day(uow, block, day, (block.starts_at, block.ends_at))
            before = self._exception_state(row)
            block.exceptions.remove(row)
            uow.flush()
            self.audit(uow, actor, "clear_block_exception", block,
                       {"date": day.isoformat(), **diff(before, self._exception_state(None))})
            uow.flush()
            uow.commit()
            return self._view(uow, block)

    # ---- occurrences, release ---------------------------------------------------------

    def occurrences(self, actor: Actor, first: date, last: date, *, room: str | None = None,
                    owner: str | None = None) -> list[OccurrenceView]:
        """Every occurrence in [first, last] (department dates, inclusive), voided ones
        left out, with release state (by hand or by rule, now) and used minutes."""
        self.require(actor, Action.SEE_BOARD, what="see blocks")
        self._range(first, last)
        with self.uow(read_only=True) as uow:
            tz = self.department_zone(uow)
            infos = self._infos(uow, first, last, room=room, owner=owner)
            return [o.view() for o in read_occurrences(uow, tz, first, last, infos,
                                                       self.now())]

    def release(self, actor: Actor, block_id: int, day: date, reason: str, *,
                op_id: str | None = None) -> OccurrenceView:
        """Release one date (a reason is required). Refused when the date is not an
        occurrence, is already released, or has started."""
        valid_day(day, "date")
        text = reason_text(reason, required=True)
        with self.uow() as uow:
            block = self._block(uow, block_id)
            self.require(actor, Action.RELEASE_BLOCK, owns=self._owns(uow, actor, block),
                         what=f"release block {block.id}")
            if actor.user_id is None:
                raise Refused("sign in to release a block")
            with self.operation(uow, op_id, "release_block") as claim:
                if not claim.replay:
                    return self._release(uow, actor, block, day, text)
            return self._replayed_release(uow, claim)

    def unrelease(self, actor: Actor, block_id: int, day: date) -> OccurrenceView:
        """Take a release back (by hand or by rule): schedulers and admins, and only while
        no case other than the owner's has been booked into the released time."""
        self.require(actor, Action.MANAGE_BLOCKS, what="take block releases back")
        valid_day(day, "date")
        with self.uow() as uow:
            block = self._block(uow, block_id)
            # Bookings lock the room too: none lands between this check and the commit.
            uow.rooms.lock(block.room)
            tz = self.department_zone(uow)
            occ = self._occurrence(uow, tz, block, day)
            if not occ.released:
                raise Refused(f"block {block.id} is not released on {day.isoformat()}")
            self._check_nobody_else(uow, occ)
            row = uow.blocks.release(block.id, day)
            now = self.now()
            if row is None:  # released by rule: a row that keeps the date from now on
                row = m.BlockRelease(
                    block_id=block.id, on_date=day, released_by_id=None, reason=None,
                    released_at=release_moment(occ.start, occ.info.effective_release_days))
                uow.blocks.add(row)
            row.taken_back_at, row.taken_back_by_id = now, actor.user_id
            uow.flush()
            self.audit(uow, actor, "unrelease_block", block, {
                "date": day.isoformat(), "by_rule": occ.released_by_rule})
            uow.flush()
            view = self._occurrence(uow, tz, block, day).view()
            uow.commit()
            return view

    def usage(self, actor: Actor, first: date, last: date, *, room: str | None = None,
              per_occurrence: bool = False) -> BlockUsageReport:
        """Block utilization over [first, last]: per block (or per occurrence), summed,
        released minutes apart, with its definition. Scheduled times; actual times once a
        case is done. 60 rooms x 90 days in well under 300 ms."""
        self.require(actor, Action.SEE_BOARD, what="see block utilization")
        self._range(first, last)
        with self.uow(read_only=True) as uow:
            tz = self.department_zone(uow)
            infos = self._infos(uow, first, last, room=room, owner=None)
            occurrences = read_occurrences(uow, tz, first, last, infos, self.now())
        rows = usage_rows(occurrences, per_occurrence)
        block_min = sum(r.block_minutes for r in rows)
        used = sum(r.used_minutes for r in rows)
        return BlockUsageReport(
            first=first, last=last, rows=tuple(rows), block_minutes=block_min,
            used_minutes=used, released_minutes=sum(r.released_minutes for r in rows),
            utilization=used / block_min if block_min else None, definition=DEFINITION)

    # ---- helpers: lookups ---------------------------------------------------------------

    @staticmethod
    def _block(uow: UnitOfWork, block_id: int) -> m.Block:
        if isinstance(block_id, bool) or not isinstance(block_id, int):
            raise BadInput(FieldProblem("block_id", "must be a whole number"))
        block = uow.blocks.get(block_id)
        if block is None:
            raise NotFound(FieldProblem("block_id", f"no block {block_id}"))
        return block

    @staticmethod
    def _info(uow: UnitOfWork, block: m.Block) -> BlockInfo:
        return block_info(block, uow.settings.get().block_release_days)

    def _view(self, uow: UnitOfWork, block: m.Block) -> BlockView:
        return block_view(self._info(uow, block), block)

    @staticmethod
    def _room(uow: UnitOfWork, code: str) -> m.OperatingRoom:
        room = uow.rooms.by_code(code.strip()) if code and code.strip() else None
        if room is None:
            raise NotFound(FieldProblem("room", f"no room {code!r}"))
        return room

    def _blocks(self, uow: UnitOfWork, first: date | None, last: date | None, *,
                room: str | None, owner: str | None) -> list[m.Block]:
        return uow.blocks.valid_between(first, last, **self._filters(uow, room, owner))

    def _infos(self, uow: UnitOfWork, first: date, last: date, *, room: str | None,
               owner: str | None) -> list[BlockInfo]:
        """``_blocks`` read as plain rows, for the occurrence reads."""
        return block_infos(uow, first, last, **self._filters(uow, room, owner))

    def _filters(self, uow: UnitOfWork, room: str | None, owner: str | None
                 ) -> dict[str, Any]:
        """A room code and an owner (a surgeon's username, or a service) as the block
        queries' filters."""
        room_ids = [self._room(uow, room).id] if room is not None else None
        if owner is None or not owner.strip():
            return {"room_ids": room_ids}
        name = owner.strip()
        user = uow.users.by_username(name)
        profile = uow.users.surgeon_profile(user.id) if user is not None else None
        if profile is not None:
            return {"room_ids": room_ids, "surgeon_ids": [profile.id]}
        if uow.blocks.specialty(name) is None and not uow.blocks.service_in_use(name):
            raise NotFound(FieldProblem(
                "owner", f"{name!r} is neither a surgeon's username nor a service"))
        return {"room_ids": room_ids, "service": name}

    # ---- helpers: validation ------------------------------------------------------------

    def _resolve(self, uow: UnitOfWork, fields: BlockFields) -> Resolved:
        """The fields checked (each problem naming its field) and their rows found."""
        pattern = BlockPattern(
            weekdays=tuple(fields.weekdays), start=wall_time(fields.start, "start"),
            end=wall_time(fields.end, "end"), valid_from=fields.valid_from,
            valid_until=fields.valid_until, every_weeks=fields.every_weeks,
            weeks_of_month=tuple(fields.weeks_of_month))
        problems = [FieldProblem(f, r) for f, r in pattern_problems(pattern)]
        if fields.release_days is not None and (
                problem := RELEASE_DAYS.problem(fields.release_days)) is not None:
            problems.append(FieldProblem("release_days", problem))
        if problems:
            raise BadInput(problems)
        room = self._room(uow, fields.room)
        surgeon, service = self._owner(uow, fields.surgeon, fields.service)
        tz = self.department_zone(uow)
        today = self.now().astimezone(tz).date()
        gaps = dst_problem_dates(pattern, tz, horizon=max(today, pattern.valid_from)
                                 + DST_HORIZON)
        if gaps:
            field = "start" if in_gap(gaps[0], pattern.start, tz) else "end"
            raise BadInput(FieldProblem(
                field, f"falls in the daylight-saving change on {gaps[0].isoformat()} "
                       f"(the clock skips that time in {tz.key})"))
        return Resolved(room, surgeon, service, pattern, fields.release_days)

    def _owner(self, uow: UnitOfWork, surgeon: str | None, service: str | None
               ) -> tuple[m.SurgeonProfile | None, str | None]:
        surgeon = (surgeon or "").strip() or None
        service = (service or "").strip() or None
        if surgeon is not None and service is not None:
            raise BadInput(FieldProblem("surgeon", "a block belongs to a surgeon or a "
                                                   "service, not both"))
        if surgeon is None and service is None:
            raise BadInput(FieldProblem("surgeon", "give the block's surgeon or service"))
        if surgeon is not None:
            user = uow.users.by_username(surgeon)
            profile = uow.users.surgeon_profile(user.id) if user is not None else None
            if user is None:
                raise NotFound(FieldProblem("surgeon", f"no user {surgeon!r}"))
            if user.role is not Role.SURGEON or profile is None or not profile.active \
                    or not user.active:
                raise BadInput(FieldProblem("surgeon", f"{user.username} is not an active "
                                                       "surgeon"))
            return profile, None
        assert service is not None
        if len(service) > IDENT_MAX:
            raise BadInput(FieldProblem("service", f"must be at most {IDENT_MAX} characters"))
        try:
            one_line(service)
        except ValueError as exc:
            raise BadInput(FieldProblem("service", str(exc))) from None
        known = uow.blocks.specialty(service)
        if known is None:
            raise NotFound(FieldProblem("service", f"no surgeon has the specialty {service!r}"))
        return None, known

    @staticmethod
    def _exception_hours(uow: UnitOfWork, info: BlockInfo, day: date, start: time | None,
                         end: time | None) -> tuple[time, time]:
        hours = (wall_time(start, "start") if start is not None else info.pattern.start,
                 wall_time(end, "end") if end is not None else info.pattern.end)
        if hours[1] <= hours[0]:
            raise BadInput(FieldProblem("end", "must be after the start (a block ends on its "
                                               "own day)"))
        tz = Service.department_zone(uow)
        for value, field in zip(hours, ("start", "end"), strict=True):
            if in_gap(day, value, tz):
                raise BadInput(FieldProblem(
                    field, f"{value:%H:%M} does not exist on {day.isoformat()} in {tz.key} "
                           "(daylight-saving change)"))
        return hours

    @staticmethod
    def _exception_state(row: m.BlockException | None) -> dict[str, Any]:
        if row is None:
            return {"cancelled": None, "start": None, "end": None, "reason": None}
        return {"cancelled": row.cancelled, "start": row.starts_at, "end": row.ends_at,
                "reason": row.reason}

    @staticmethod
    def _range(first: date, last: date) -> None:
        valid_day(first, "first")
        valid_day(last, "last")
        if last < first:
            raise BadInput(FieldProblem("last", "is before first"))
        if last - first > MAX_RANGE:
            raise BadInput(FieldProblem("last", f"a range is at most {MAX_RANGE.days} days"))

    # ---- helpers: the overlap rule ------------------------------------------------------

    def _check_overlap(self, uow: UnitOfWork, room: m.OperatingRoom, pattern: BlockPattern,
                       exceptions: dict[date, DayException], block_id: int | None) -> None:
        """Refuse a pattern meeting another block of the room on any date (the room row
        is locked by the caller, so a racing writer's block is seen or waits)."""
        default = uow.settings.get().block_release_days
        for other in uow.blocks.of_room(room.id):
            if other.id == block_id:
                continue
            info = block_info(other, default)
            day = first_overlap(pattern, exceptions, info.pattern, info.exceptions)
            if day is not None:
                raise _conflict(room, info, day)

    def _check_day(self, uow: UnitOfWork, block: m.Block, day: date,
                   hours: tuple[time, time]) -> None:
        """Refuse ``hours`` on ``day`` for ``block`` when another block of its room holds
        time then that they meet."""
        default = uow.settings.get().block_release_days
        for other in uow.blocks.of_room(block.room_id):
            if other.id == block.id:
                continue
            info = block_info(other, default)
            theirs = hours_on(info.pattern, day, info.exceptions)
            if theirs is not None and theirs[0] < hours[1] and hours[0] < theirs[1]:
                raise _conflict(block.room, info, day)

    # ---- helpers: release ---------------------------------------------------------------

    @staticmethod
    def _owns(uow: UnitOfWork, actor: Actor, block: m.Block) -> bool:
        """The block is the actor's own, or their service's."""
        if actor.user_id is None or actor.role is not Role.SURGEON:
            return False
        if block.surgeon is not None:
            return block.surgeon.user_id == actor.user_id
        profile = uow.users.surgeon_profile(actor.user_id)
        return (profile is not None and block.service is not None
                and profile.specialty.casefold() == block.service.casefold())

    def _occurrence(self, uow: UnitOfWork, tz: ZoneInfo, block: m.Block, day: date
                    ) -> Occurrence:
        found = read_occurrences(uow, tz, day, day, [self._info(uow, block)], self.now())
        if not found:
            raise BadInput(FieldProblem(
                "date", f"block {block.id} has no occurrence on {day.isoformat()} (not in "
                        "its pattern, cancelled, or the room is closed)"))
        return found[0]

    def _release(self, uow: UnitOfWork, actor: Actor, block: m.Block, day: date,
                 reason: str | None) -> OccurrenceView:
        tz = self.department_zone(uow)
        # Bookings and take-backs lock the room too: one release of a date at a time.
        uow.rooms.lock(block.room)
        occ = self._occurrence(uow, tz, block, day)
        now = self.now()
        if now >= occ.start:
            raise Refused(f"block {block.id} on {day.isoformat()} has already started")
        if occ.released:
            how = "automatically" if occ.released_by_rule else "already"
            raise Refused(f"block {block.id} on {day.isoformat()} is {how} released")
        row = uow.blocks.release(block.id, day)
        if row is None:
            row = m.BlockRelease(block_id=block.id, on_date=day)
            uow.blocks.add(row)
        row.released_by_id, row.reason, row.released_at = actor.user_id, reason, now
        row.taken_back_at = row.taken_back_by_id = None
        uow.flush()
        self.audit(uow, actor, "release_block", block,
                   {"date": day.isoformat(), "reason": reason,
                    "days_ahead": (occ.start - now) // timedelta(days=1)})
        self.remember_operation(uow, actor, row)
        uow.flush()
        view = self._occurrence(uow, tz, block, day).view()
        uow.commit()
        return view

    def _replayed_release(self, uow: UnitOfWork, claim: Claim) -> OccurrenceView:
        with self.replay_unit(uow, claim) as unit:
            row = (unit.session.get(m.BlockRelease, claim.target_id)
                   if claim.target_id is not None else None)
            block = unit.blocks.get(row.block_id) if row is not None else None
            if row is None or block is None:
                raise NotFound("the release of that operation no longer exists",
                               field="op_id")
            return self._occurrence(unit, self.department_zone(unit), block,
                                    row.on_date).view()

    def _replayed(self, uow: UnitOfWork, claim: Claim) -> BlockView:
        with self.replay_unit(uow, claim) as unit:
            block = unit.blocks.get(claim.target_id) if claim.target_id is not None else None
            if block is None:
                raise NotFound("the block of that operation no longer exists", field="op_id")
            return self._view(unit, block)

    @staticmethod
    def _check_nobody_else(uow: UnitOfWork, occ: Occurrence) -> None:
        """Refuse a take-back once someone else's case is booked into the time."""
        owner = occ.info.owner
        theirs = [c for c in uow.blocks.case_spans(occ.start, occ.end,
                                                   room_ids=[occ.info.room_id])
                  if c.start < occ.end and c.end > occ.start
                  and not owner.owns(c.lead_user_id, c.specialty)]
        if theirs:
            numbers = sorted(c.case_number for c in uow.cases.by_ids(c.id for c in theirs))
            raise Refused(
                f"block {occ.info.id} on {occ.day.isoformat()} cannot be taken back: "
                f"case {', '.join(numbers)} of someone else is booked into the released "
                "time")


__all__ = ["DEFINITION", "BlockConflict", "BlockFields", "BlockService"]
