"""Block utilization's rows and totals from expanded occurrences (``BlockService.usage``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from surgdesk.services.block_spans import Occurrence
from surgdesk.services.dto import BlockUsageRow

DEFINITION = (
    "Block utilization = minutes of the owner's cases inside the block (scheduled times; "
    "actual times once a case is completed), plus the turnover between consecutive cases "
    "(at most the room's turnover), divided by the block's minutes. Released time is "
    "left out of the block's minutes and reported apart."
)


def usage_rows(occurrences: Sequence[Occurrence], per_occurrence: bool
               ) -> list[BlockUsageRow]:
    groups: dict[tuple[int, date | None], list[Occurrence]] = {}
    for o in occurrences:
        groups.setdefault((o.info.id, o.day if per_occurrence else None), []).append(o)
    rows = []
    for (_, day), group in groups.items():
        info = group[0].info
        kept = [o for o in group if not o.released]
        block_min = sum(o.minutes for o in kept)
        used = sum(o.used_minutes for o in kept)
        rows.append(BlockUsageRow(
            block_id=info.id, room_code=info.room_code, owner_label=info.owner_label,
            day=day, occurrences=len(group), block_minutes=block_min, used_minutes=used,
            released_minutes=sum(o.minutes for o in group if o.released),
            released_occurrences=len(group) - len(kept),
            utilization=used / block_min if block_min else None))
    rows.sort(key=lambda r: (r.room_code, r.owner_label, r.block_id, r.day or date.min))
    return rows
