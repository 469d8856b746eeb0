"""The blocks screen's tables: blocks, one block's dates, its exceptions."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from surgdesk.services.dto import BlockExceptionView, BlockView, OccurrenceView
from surgdesk.ui.board.bands import release_text
from surgdesk.ui.manage.block_usage import percent
from surgdesk.ui.manage.common import Column


def block_columns() -> list[Column[BlockView]]:
    return [
        Column("Room", lambda b: b.room_code),
        Column("Owner", lambda b: b.owner_label),
        Column("Pattern", lambda b: b.pattern_text),
        Column("From", lambda b: f"{b.valid_from:%d %b %Y}", sort=lambda b: b.valid_from
               .toordinal()),
        Column("Until", lambda b: f"{b.valid_until:%d %b %Y}" if b.valid_until else "open",
               sort=lambda b: b.valid_until.toordinal() if b.valid_until else 10**7),
        Column("Release", lambda b: f"{b.effective_release_days} d ahead"
               + (" (default)" if b.release_days is None else ""),
               sort=lambda b: b.effective_release_days, align_right=True),
    ]


def state_text(occ: OccurrenceView) -> str:
    released = release_text(occ)
    if released is None:
        return "held"
    by = f" by {occ.released_by_name}" if occ.released_by_name else ""
    why = f": {occ.release_reason}" if occ.release_reason else ""
    return f"{released}{by}{why}"


def date_columns(tz: ZoneInfo) -> list[Column[OccurrenceView]]:
    return [
        Column("Date", lambda o: f"{o.day:%a %d %b %Y}", sort=lambda o: o.day.toordinal()),
        Column("Hours", lambda o: f"{o.start.astimezone(tz):%H:%M}–"
               f"{o.end.astimezone(tz):%H:%M}"),
        Column("Booked", lambda o: f"{o.used_minutes}/{o.block_minutes} min "
               f"({percent(o.utilization)})", sort=lambda o: o.utilization, align_right=True),
        Column("State", state_text, muted=lambda o: o.released, tooltip=state_text),
    ]


def exception_columns() -> list[Column[BlockExceptionView]]:
    def what(e: BlockExceptionView) -> str:
        if e.cancelled or e.start is None or e.end is None:
            return "cancelled"
        return f"{e.start:%H:%M}–{e.end:%H:%M}"

    return [
        Column("Date", lambda e: f"{e.day:%a %d %b %Y}", sort=lambda e: e.day.toordinal()),
        Column("Change", what),
        Column("Reason", lambda e: e.reason or ""),
    ]
