"""The grid: the only place that maps time to x and back, snaps, and writes a drop.

As in KDGantt, nothing else in the board converts between instants and scene x. Scene
x = 0 is the left edge of the visible window (``start``); x grows linearly with UTC time,
so a daylight-saving day is simply an hour shorter or longer. A drop is written through a
``DropWriter`` (the board controller: undo stack, then the service layer); the view never
calls a service itself.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Protocol
from zoneinfo import ZoneInfo


class DragMode(Enum):
    NONE = "none"
    MOVE = "move"
    STRETCH_START = "stretch_start"
    STRETCH_END = "stretch_end"


@dataclass(frozen=True, slots=True)
class Drop:
    """Where a bar (or a case from the queue) was let go: a room and an interval."""

    case_number: str
    room_id: int
    start: datetime
    end: datetime


class DropWriter(Protocol):
    def write_drop(self, drop: Drop) -> bool:
        """Write the drop through the services; False (and a reason shown) when refused."""
        ...

    def return_to_queue(self, case_number: str) -> bool:
        """Unschedule a case dragged off the board onto the queue."""
        ...


class Grid:
    def __init__(self, tz: ZoneInfo, start: datetime, end: datetime, *,
                 px_per_minute: float = 2.0, snap_minutes: int = 5) -> None:
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("the grid works in aware instants")
        self.tz = tz
        self.start = start.astimezone(UTC)
        self.end = end.astimezone(UTC)
        self.px_per_minute = px_per_minute
        self.snap_minutes = max(1, snap_minutes)
        self.writer: DropWriter | None = None
        self._minutes = (self.end - self.start).total_seconds() / 60

    # -- mapping ----------------------------------------------------------------------

    @property
    def minutes(self) -> float:
        return self._minutes

    @property
    def width(self) -> float:
        return self.minutes * self.px_per_minute

    def x_for(self, when: datetime) -> float:
        return (when - self.start).total_seconds() * (self.px_per_minute / 60)

    def time_at(self, x: float) -> datetime:
        return self.start + timedelta(minutes=x / self.px_per_minute)

    def length_for(self, duration: timedelta) -> float:
        return duration.total_seconds() / 60 * self.px_per_minute

    def duration_for(self, length: float) -> timedelta:
        return timedelta(minutes=length / self.px_per_minute)

    def snap(self, when: datetime) -> datetime:
        """Round to the nearest snap step of the department's wall clock."""
        local = when.astimezone(self.tz)
        offset = local.utcoffset() or timedelta(0)
        wall_minutes = (when.timestamp() + offset.total_seconds()) / 60
        snapped = round(wall_minutes / self.snap_minutes) * self.snap_minutes
        return datetime.fromtimestamp(snapped * 60 - offset.total_seconds(), UTC)

    def snap_step(self) -> timedelta:
        return timedelta(minutes=self.snap_minutes)

    def set_zoom(self, px_per_minute: float) -> None:
        self.px_per_minute = min(40.0, max(0.05, px_per_minute))

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.tz)

    def tick_minutes(self, min_px: float = 64.0) -> int:
        """The header's step: the smallest 'nice' step at least ``min_px`` wide."""
        for step in (5, 10, 15, 30, 60, 120, 180, 240, 360, 720, 1440):
            if step * self.px_per_minute >= min_px:
                return step
        return 1440 * max(1, math.ceil(min_px / (1440 * self.px_per_minute)))

    def ticks(self, step_minutes: int) -> list[datetime]:
        """Instants on the wall-clock grid of ``step_minutes`` inside the window."""
        first = self.start.astimezone(self.tz).replace(second=0, microsecond=0)
        midnight = first.replace(hour=0, minute=0)
        out: list[datetime] = []
        day = midnight
        while day.astimezone(UTC) < self.end:
            for k in range(0, 1440, step_minutes) if step_minutes < 1440 else [0]:
                hh, mm = divmod(k, 60)
                wall = datetime(day.year, day.month, day.day, hh, mm, tzinfo=self.tz)
                at = wall.astimezone(UTC)
                if at.astimezone(self.tz).replace(tzinfo=None) != wall.replace(tzinfo=None):
                    continue  # a wall-clock time the DST jump skips
                if self.start <= at <= self.end:
                    out.append(at)
            day = (day.replace(tzinfo=None) + timedelta(days=1)).replace(tzinfo=self.tz)
        return out

    # -- the one write path -------------------------------------------------------------

    def write_drop(self, drop: Drop) -> bool:
        if self.writer is None:
            return False
        return self.writer.write_drop(drop)

    def write_unschedule(self, case_number: str) -> bool:
        if self.writer is None:
            return False
        return self.writer.return_to_queue(case_number)


class RowController:
    """Maps rows to y and back, rows starting at y = 0. A row is one track high
    (``row_height``) unless ``set_tracks`` gives it more (overlapping cases stacked in a
    lane other than a room): rooms keep the uniform rows, computed without a table."""

    def __init__(self, row_height: float = 58.0) -> None:
        self.row_height = row_height
        self.count = 0
        # The first track of each row and, last, the total (empty: one track per row).
        self._first: list[int] = []

    def set_tracks(self, tracks: list[int]) -> None:
        """Tracks per row (one entry per row); all ones is the uniform board."""
        if all(t == 1 for t in tracks):
            self._first = []
            return
        first, total = [], 0
        for t in tracks:
            first.append(total)
            total += max(1, t)
        self._first = [*first, total]

    def _track_of(self, row: int) -> int:
        """The first track of ``row`` (rows past the end continue one track each)."""
        if not self._first:
            return row
        last = len(self._first) - 1
        return self._first[row] if row <= last else self._first[last] + row - last

    def tracks(self, row: int) -> int:
        return self._track_of(row + 1) - self._track_of(row)

    def top(self, row: int) -> float:
        return self._track_of(row) * self.row_height

    def span(self, row: int) -> float:
        """The row's height (its tracks)."""
        return self.tracks(row) * self.row_height

    def height(self) -> float:
        return self.top(self.count)

    def row_at(self, y: float) -> int | None:
        if y < 0:
            return None
        row = self._row_of_track(int(y // self.row_height))
        return row if row < self.count else None

    def clamp_row(self, y: float) -> int:
        if self.count == 0:
            return 0
        return min(self.count - 1, max(0, self._row_of_track(int(y // self.row_height))))

    def _row_of_track(self, track: int) -> int:
        if not self._first or track < 0:
            return track
        return bisect_right(self._first, track) - 1 if track < self._first[-1] \
            else len(self._first) - 1 + track - self._first[-1]
