"""Block occurrences read in memory: what the block service, the board and the booking
warnings share.

One read loads the blocks, their releases, the rooms' closures and the cases' times (plain
tuples, one SELECT over the range) and expands every block with the pure rules of
``domain.blocks``: no query per occurrence. An occurrence is voided (left out) when its
room is not active or a dated closure meets it, and when its hours fall in a clock-change
gap that day (such patterns are refused when written, within two years).

Release state of an occurrence (DESIGN.md "Planning the suite"):

- a release row not taken back: released — by hand (``released_by`` set) or, a row
  without a person, by rule;
- a release row taken back: kept, whatever the rule says (a scheduler decided);
- no row: released by rule when ``domain.blocks.released_by_rule`` says so at ``now``
  (the injected clock; ``now`` None leaves the rule out).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from surgdesk.domain import models as m
from surgdesk.domain.blocks import (
    BlockPattern,
    BlockSpan,
    DayException,
    Owner,
    hours_on,
    local_span,
    pattern_dates,
    released_by_rule,
    used_minutes,
)
from surgdesk.domain.enums import RoomStatus
from surgdesk.domain.intervals import MAX_CASE_DURATION
from surgdesk.domain.timezones import LocalTimeError, day_bounds
from surgdesk.repository.blocks import BlockRow, CaseSpan
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.dto import BlockExceptionView, BlockView, OccurrenceView

_SHORT_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_LONG_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th"}
_MINUTE = timedelta(minutes=1)


# ---- wording --------------------------------------------------------------------------------


def service_title(service: str) -> str:
    """``orthopedics`` -> ``Orthopedics``."""
    return service[:1].upper() + service[1:]


def hours_text(start: time, end: time) -> str:
    return f"{start:%H:%M}\u2013{end:%H:%M}"


def _and(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def pattern_text(weekdays: Sequence[int], start: time, end: time, every_weeks: int,
                 weeks_of_month: Sequence[int]) -> str:
    """``Mon, Wed 07:30–15:30, every week``; ``every 2 weeks``; ``1st and 3rd Monday of
    the month 07:30–15:30``."""
    days = sorted(set(weekdays))
    hours = hours_text(start, end)
    if weeks_of_month:
        which = _and([_ORDINALS.get(w, f"{w}th") for w in sorted(set(weeks_of_month))])
        names = _LONG_DAYS[days[0]] if len(days) == 1 else ", ".join(_SHORT_DAYS[d] for d in days)
        return f"{which} {names} of the month {hours}"
    names = ", ".join(_SHORT_DAYS[d] for d in days)
    every = "every week" if every_weeks == 1 else f"every {every_weeks} weeks"
    return f"{names} {hours}, {every}"


# ---- blocks as plain values -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BlockInfo:
    """A block as the rules and the views need it, read once from its row."""

    id: int
    version: int
    room_id: int
    room_code: str
    room_active: bool
    turnover_minutes: int
    pattern: BlockPattern
    exceptions: dict[date, DayException]
    owner: Owner
    surgeon_username: str | None
    surgeon_name: str | None
    surgeon_specialty: str | None
    release_days: int | None
    effective_release_days: int

    @property
    def owner_label(self) -> str:
        """``Dr Lena Moreau (orthopedics)`` or ``Orthopedics service``."""
        if self.owner.service is not None:
            return f"{service_title(self.owner.service)} service"
        return f"{self.surgeon_name} ({self.surgeon_specialty})"

    @property
    def colour_key(self) -> str:
        return (self.owner.service or self.surgeon_specialty or "").casefold()

    @property
    def whose_block(self) -> str:
        """How a booking warning names it: ``Dr Lena Moreau's block (orthopedics)`` or
        ``the Orthopedics service block``."""
        if self.owner.service is not None:
            return f"the {service_title(self.owner.service)} service block"
        return f"{self.surgeon_name}'s block ({self.surgeon_specialty})"

    @property
    def pattern_text(self) -> str:
        p = self.pattern
        return pattern_text(p.weekdays, p.start, p.end, p.every_weeks, p.weeks_of_month)


def block_pattern(block: m.Block) -> BlockPattern:
    return BlockPattern(
        weekdays=tuple(block.weekdays), start=block.starts_at, end=block.ends_at,
        valid_from=block.valid_from, valid_until=block.valid_until,
        every_weeks=block.every_weeks, weeks_of_month=tuple(block.weeks_of_month or ()),
    )


def block_exceptions(block: m.Block) -> dict[date, DayException]:
    return {e.on_date: DayException(e.on_date, e.cancelled, e.starts_at, e.ends_at)
            for e in block.exceptions}


def block_info(block: m.Block, default_release_days: int) -> BlockInfo:
    """``block`` with its room, surgeon (and user) and exceptions loaded."""
    surgeon = block.surgeon
    user = surgeon.user if surgeon is not None else None
    room = block.room
    return BlockInfo(
        id=block.id, version=block.version, room_id=block.room_id, room_code=room.code,
        room_active=room.status is RoomStatus.ACTIVE, turnover_minutes=room.turnover_minutes,
        pattern=block_pattern(block), exceptions=block_exceptions(block),
        owner=Owner(surgeon_user_id=user.id if user is not None else None,
                    service=block.service),
        surgeon_username=user.username if user is not None else None,
        surgeon_name=user.display_name if user is not None else None,
        surgeon_specialty=surgeon.specialty if surgeon is not None else None,
        release_days=block.release_days,
        effective_release_days=(block.release_days if block.release_days is not None
                                else default_release_days),
    )


def block_infos(uow: UnitOfWork, first: date | None, last: date | None, *,
                default_release_days: int | None = None,
                room_ids: Sequence[int] | None = None, surgeon_ids: Sequence[int] | None = None,
                service: str | None = None) -> list[BlockInfo]:
    """The blocks valid in [first, last] (filtered like ``BlockRepo.valid_between``) read
    as plain rows: what the occurrence reads expand."""
    rows, exception_rows = uow.blocks.rows_between(first, last, room_ids=room_ids,
                                                   surgeon_ids=surgeon_ids, service=service)
    if not rows:
        return []
    if default_release_days is None:
        default_release_days = uow.settings.get().block_release_days
    exceptions: dict[int, dict[date, DayException]] = defaultdict(dict)
    for e in exception_rows:
        exceptions[e.block_id][e.on_date] = DayException(e.on_date, e.cancelled, e.starts_at,
                                                         e.ends_at)
    return [_info_of_row(row, exceptions.get(row.id, {}), default_release_days)
            for row in rows]


def _info_of_row(row: BlockRow, exceptions: dict[date, DayException],
                 default_release_days: int) -> BlockInfo:
    return BlockInfo(
        id=row.id, version=row.version, room_id=row.room_id, room_code=row.room_code,
        room_active=row.room_status is RoomStatus.ACTIVE,
        turnover_minutes=row.turnover_minutes,
        pattern=BlockPattern(
            weekdays=tuple(row.weekdays), start=row.starts_at, end=row.ends_at,
            valid_from=row.valid_from, valid_until=row.valid_until,
            every_weeks=row.every_weeks, weeks_of_month=tuple(row.weeks_of_month or ())),
        exceptions=exceptions,
        owner=Owner(surgeon_user_id=row.surgeon_user_id, service=row.service),
        surgeon_username=row.surgeon_username, surgeon_name=row.surgeon_name,
        surgeon_specialty=row.surgeon_specialty, release_days=row.release_days,
        effective_release_days=(row.release_days if row.release_days is not None
                                else default_release_days),
    )


def block_view(info: BlockInfo, block: m.Block) -> BlockView:
    p = info.pattern
    return BlockView(
        id=info.id, version=info.version, room_id=info.room_id, room_code=info.room_code,
        surgeon_user_id=info.owner.surgeon_user_id, surgeon_username=info.surgeon_username,
        surgeon_name=info.surgeon_name, service=info.owner.service,
        owner_label=info.owner_label, colour_key=info.colour_key, weekdays=p.weekdays,
        start=p.start, end=p.end, every_weeks=p.every_weeks,
        weeks_of_month=p.weeks_of_month, valid_from=p.valid_from, valid_until=p.valid_until,
        release_days=info.release_days, effective_release_days=info.effective_release_days,
        exceptions=tuple(BlockExceptionView(day=e.on_date, cancelled=e.cancelled,
                                            start=e.starts_at, end=e.ends_at,
                                            reason=e.reason)
                         for e in sorted(block.exceptions, key=lambda e: e.on_date)),
        pattern_text=info.pattern_text,
    )


# ---- occurrences ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReleaseRow:
    released_by_name: str | None
    by_person: bool
    reason: str | None
    released_at: datetime
    taken_back: bool


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One date of a block with its use and release state."""

    info: BlockInfo
    day: date
    start: datetime
    end: datetime
    used_minutes: int
    owner_booked: bool
    released: bool
    released_by_rule: bool
    release: ReleaseRow | None  # the stored row, taken back or not

    @property
    def minutes(self) -> int:
        return (self.end - self.start) // _MINUTE

    def released_days_ahead(self) -> int | None:
        if not self.released:
            return None
        if self.released_by_rule and (self.release is None or self.release.taken_back):
            return self.info.effective_release_days
        assert self.release is not None
        return max(0, (self.start - self.release.released_at) // timedelta(days=1))

    def span(self) -> BlockSpan:
        return BlockSpan(block_id=self.info.id, room_id=self.info.room_id, day=self.day,
                         start=self.start, end=self.end, owner=self.info.owner,
                         released=self.released)

    def view(self) -> OccurrenceView:
        info, minutes = self.info, self.minutes
        by_hand = self.release if self.released and not self.released_by_rule else None
        return OccurrenceView(
            block_id=info.id, room_id=info.room_id, room_code=info.room_code, day=self.day,
            start=self.start, end=self.end, owner_label=info.owner_label,
            colour_key=info.colour_key, surgeon_user_id=info.owner.surgeon_user_id,
            service=info.owner.service, released=self.released,
            released_by_rule=self.released_by_rule,
            release_reason=by_hand.reason if by_hand is not None else None,
            released_by_name=by_hand.released_by_name if by_hand is not None else None,
            released_days_ahead=self.released_days_ahead(),
            used_minutes=self.used_minutes, block_minutes=minutes,
            utilization=self.used_minutes / minutes if minutes > 0 else 0.0,
        )


class _RoomCases:
    """A room's cases by start, for "which cases meet this span" without a scan."""

    def __init__(self, cases: Iterable[CaseSpan]) -> None:
        self.cases = sorted(cases, key=lambda c: c.start)
        self.starts = [c.start for c in self.cases]

    def meeting(self, start: datetime, end: datetime) -> Iterable[CaseSpan]:
        i = bisect_left(self.starts, start - MAX_CASE_DURATION)
        for c in self.cases[i:]:
            if c.start >= end:
                break
            if c.end > start:
                yield c


@dataclass
class BlockRead:
    """What one read of occurrences needs, loaded in a fixed number of queries."""

    blocks: list[BlockInfo]
    releases: dict[tuple[int, date], ReleaseRow]
    closures: dict[int, list[tuple[datetime, datetime]]]
    cases: dict[int, _RoomCases]


def utc_days(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return day_bounds(first, tz)[0], day_bounds(last, tz)[1]


Closures = dict[int, list[tuple[datetime, datetime]]]


def load_read(uow: UnitOfWork, tz: ZoneInfo, first: date, last: date,
              infos: Sequence[BlockInfo], *, cases: Iterable[CaseSpan] | None = None,
              closures: Closures | None = None) -> BlockRead:
    """Everything to expand the blocks over [first, last]; ``cases`` (covering those
    days) and ``closures`` (room id -> spans meeting them) given: the caller's instead
    of a query."""
    room_ids = sorted({b.room_id for b in infos})
    lo, hi = utc_days(first, last, tz)
    releases = {
        (r.block_id, r.on_date): ReleaseRow(
            released_by_name=r.released_by.display_name if r.released_by else None,
            by_person=r.released_by_id is not None, reason=r.reason,
            released_at=r.released_at, taken_back=r.taken_back_at is not None)
        for r in uow.blocks.releases((b.id for b in infos), first, last)
    }
    if closures is None:
        closures = defaultdict(list)
        if infos:
            for closure in uow.rooms.closures_overlapping(None, lo, hi):
                closures[closure.room_id].append((closure.starts_at, closure.ends_at))
    if cases is None:
        cases = uow.blocks.case_spans(lo, hi, room_ids=room_ids) if infos else []
    by_room: dict[int, list[CaseSpan]] = defaultdict(list)
    wanted = set(room_ids)
    for c in cases:
        if c.room_id in wanted:
            by_room[c.room_id].append(c)
    return BlockRead(list(infos), releases, dict(closures),
                     {rid: _RoomCases(cs) for rid, cs in by_room.items()})


def expand(read: BlockRead, tz: ZoneInfo, first: date, last: date,
           now: datetime | None) -> list[Occurrence]:
    """Every occurrence of the read's blocks in [first, last], voided ones left out, in
    room and start order."""
    out: list[Occurrence] = []
    empty = _RoomCases(())
    # Rooms share days and hours: each day's span is worked out once (None: a gap).
    spans: dict[tuple[date, time, time], tuple[datetime, datetime] | None] = {}
    for info in read.blocks:
        if not info.room_active:
            continue
        closures = read.closures.get(info.room_id, ())
        cases = read.cases.get(info.room_id, empty)
        for day in pattern_dates(info.pattern, first, last):
            hours = hours_on(info.pattern, day, info.exceptions)
            if hours is None:
                continue
            key = (day, hours[0], hours[1])
            if key not in spans:
                spans[key] = _local_span(day, hours, tz)
            span = spans[key]
            if span is None:
                continue  # hours in a clock-change gap that day: no occurrence
            start, end = span
            if any(c_start < end and c_end > start for c_start, c_end in closures):
                continue
            out.append(_occurrence(info, day, start, end, cases,
                                   read.releases.get((info.id, day)), now))
    out.sort(key=lambda o: (o.info.room_code, o.start, o.info.id))
    return out


def _local_span(day: date, hours: tuple[time, time], tz: ZoneInfo
                ) -> tuple[datetime, datetime] | None:
    try:
        return local_span(day, hours[0], hours[1], tz)
    except LocalTimeError:
        return None


def _occurrence(info: BlockInfo, day: date, start: datetime, end: datetime,
                cases: _RoomCases, release: ReleaseRow | None,
                now: datetime | None) -> Occurrence:
    owner = info.owner
    mine = [(c.start, c.end) for c in cases.meeting(start, end)
            if owner.owns(c.lead_user_id, c.specialty)]
    used = used_minutes(start, end, mine, info.turnover_minutes)
    booked = bool(mine)
    if release is not None and not release.taken_back:
        released, by_rule = True, not release.by_person
    elif release is not None or now is None:
        released, by_rule = False, False
    else:
        released = by_rule = released_by_rule(now, start, info.effective_release_days, booked)
    return Occurrence(info=info, day=day, start=start, end=end, used_minutes=used,
                      owner_booked=booked, released=released, released_by_rule=by_rule,
                      release=release)


def read_occurrences(uow: UnitOfWork, tz: ZoneInfo, first: date, last: date,
                     infos: Sequence[BlockInfo], now: datetime | None, *,
                     cases: Iterable[CaseSpan] | None = None,
                     closures: Closures | None = None) -> list[Occurrence]:
    read = load_read(uow, tz, first, last, infos, cases=cases, closures=closures)
    return expand(read, tz, first, last, now)
