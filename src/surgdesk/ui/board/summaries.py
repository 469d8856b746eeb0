"""Room-day summaries: what the board paints instead of bars too narrow to read.

Zoomed out (the week view at its fitted zoom), a case is a sliver a few pixels wide. A
scheduler then needs per room and day: how many cases, how much of the room's hours they
book, when the first one starts, and whether any carries a soft conflict. The figures are
computed once per load (``summarise``, pure: no Qt), laid out once per zoom, and painted
from the view's cached background.

Bars are shown again as soon as a typical case (the median of those loaded) is at least
``READABLE_BAR_PX`` wide.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from surgdesk.domain.room_hours import open_spans
from surgdesk.services.dto import CaseSummary, RoomView

READABLE_BAR_PX = 64.0  # a typical bar this wide reads (a wrapped procedure of ~12 letters)
TYPICAL_MINUTES_DEFAULT = 60.0  # with nothing loaded


@dataclass(frozen=True, slots=True)
class RoomDaySummary:
    """One room on one department day."""

    room_id: int
    day: date
    cases: int
    booked_minutes: int  # case time inside the room's open hours that day
    open_minutes: int  # the room's open hours that day (0: closed that day)
    first_start: datetime  # aware; the earliest case starting that day
    warning: bool  # some case of the day has a soft conflict
    # Lanes other than rooms (``summarise_lanes``): the lane's row; ``room_id`` is 0,
    # ``booked_minutes`` the cases' own minutes and ``open_minutes`` 0 (no hours).
    lane_row: int | None = None

    @property
    def booked_share(self) -> float | None:
        """Booked minutes over open minutes (None on a day the room is not open)."""
        return self.booked_minutes / self.open_minutes if self.open_minutes else None


def typical_minutes(cases: Iterable[CaseSummary]) -> float:
    """The median scheduled length of the cases (what 'a bar' is at this zoom)."""
    lengths = [(c.scheduled_end - c.scheduled_start).total_seconds() / 60 for c in cases
               if c.scheduled_start is not None and c.scheduled_end is not None]
    return statistics.median(lengths) if lengths else TYPICAL_MINUTES_DEFAULT


def bars_readable(px_per_minute: float, typical: float) -> bool:
    return px_per_minute * typical >= READABLE_BAR_PX


def summarise(rooms: Iterable[RoomView], cases: Iterable[CaseSummary],
              tz: ZoneInfo) -> dict[tuple[int, date], RoomDaySummary]:
    """Per (room id, department day the case starts on): the day's figures."""
    by_room = {room.id: room for room in rooms}
    grouped: dict[tuple[int, date], list[CaseSummary]] = {}
    for case in cases:
        if case.room_id not in by_room or case.scheduled_start is None \
                or case.scheduled_end is None:
            continue
        day = case.scheduled_start.astimezone(tz).date()
        grouped.setdefault((case.room_id, day), []).append(case)
    return {key: _summary(by_room[key[0]], key[1], day_cases, tz)
            for key, day_cases in grouped.items()}


def summarise_lanes(lanes: Sequence[Sequence[CaseSummary]],
                    tz: ZoneInfo) -> dict[tuple[int, date], RoomDaySummary]:
    """Per (lane row, department day): a surgeon's, an anesthetist's or a unit's day —
    cases, their minutes, the first start, a warning (``lanes``: each row's cases)."""
    out: dict[tuple[int, date], RoomDaySummary] = {}
    for row, cases in enumerate(lanes):
        grouped: dict[date, list[CaseSummary]] = {}
        for case in cases:
            if case.scheduled_start is not None and case.scheduled_end is not None:
                grouped.setdefault(case.scheduled_start.astimezone(tz).date(), []).append(case)
        for day, day_cases in grouped.items():
            minutes = sum((c.scheduled_end - c.scheduled_start).total_seconds() / 60
                          for c in day_cases
                          if c.scheduled_end is not None and c.scheduled_start is not None)
            first = min(c.scheduled_start for c in day_cases if c.scheduled_start is not None)
            out[(row, day)] = RoomDaySummary(0, day, len(day_cases), round(minutes), 0, first,
                                             any(c.conflicts for c in day_cases), row)
    return out


def _summary(room: RoomView, day: date, cases: list[CaseSummary],
             tz: ZoneInfo) -> RoomDaySummary:
    spans = day_hours(room, day, tz)
    booked = sum(_overlap(case, spans) for case in cases)
    opened = sum((end - start).total_seconds() for start, end in spans)
    first = min(c.scheduled_start for c in cases if c.scheduled_start is not None)
    return RoomDaySummary(room.id, day, len(cases), round(booked / 60), round(opened / 60),
                          first, any(c.conflicts for c in cases))


def day_hours(room: RoomView, day: date, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The room's open spans within the department day ``day`` (UTC instants)."""
    lo = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    hi = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    out = []
    for start, end in open_spans(room.opens_at, room.closes_at, room.weekdays, day, day, tz):
        s, e = max(start.astimezone(UTC), lo), min(end.astimezone(UTC), hi)
        if e > s:
            out.append((s, e))
    return out


def _overlap(case: CaseSummary, spans: list[tuple[datetime, datetime]]) -> float:
    assert case.scheduled_start is not None
    assert case.scheduled_end is not None
    total = 0.0
    for start, end in spans:
        s, e = max(start, case.scheduled_start), min(end, case.scheduled_end)
        if e > s:
            total += (e - s).total_seconds()
    return total


def summary_lines(summary: RoomDaySummary, tz: ZoneInfo) -> tuple[str, str]:
    """The two lines a summary shows: '8 cases · 72 % booked' and 'first 07:30'."""
    count = f"{summary.cases} case" + ("" if summary.cases == 1 else "s")
    if summary.lane_row is not None:  # a person's or a unit's day: no hours to share
        hours, minutes = divmod(summary.booked_minutes, 60)
        return (f"{count} · {hours}h{minutes:02d}",
                f"first {summary.first_start.astimezone(tz):%H:%M}")
    share = summary.booked_share
    booked = "room closed" if share is None else f"{round(share * 100)} % booked"
    return f"{count} · {booked}", f"first {summary.first_start.astimezone(tz):%H:%M}"
