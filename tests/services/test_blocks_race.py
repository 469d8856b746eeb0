"""Several PCs create overlapping blocks in one room at the same moment: exactly one wins.

Each racer has its own connection and passes its overlap check only after locking the
room's row, so on Postgres the others wait, then see the winner's block and are refused
(BlockConflict); on SQLite writers queue behind one another and the same follows."""

from __future__ import annotations

import threading
from datetime import time

from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services.blocks import BlockConflict, BlockService
from tests.services.blocks_kit import fields
from tests.services.factories import Kit, kit

__all__ = ["kit"]

RACERS = 4


def test_overlapping_blocks_created_at_once_exactly_one_wins(kit: Kit, db_url: str) -> None:
    barrier = threading.Barrier(RACERS)
    outcomes: list[object] = []
    owners = [{"service": "orthopedics"}, {"service": "general"},
              {"service": None, "surgeon": "surg1"}, {"service": None, "surgeon": "surg2"}]

    def racer(i: int) -> None:
        db = Database(make_nullpool_engine(db_url))
        service = BlockService(db, kit.clock)
        # Tuesdays, an hour later each: every pair overlaps.
        wanted = fields(start=time(8 + i), end=time(12 + i), **owners[i])
        try:
            barrier.wait(timeout=30)
            outcomes.append(service.create(kit["sched"], wanted).id)
        except BlockConflict:
            outcomes.append("conflict")
        except Exception as exc:  # handed to the assertion below
            outcomes.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=racer, args=(i,)) for i in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(map(str, outcomes)).count("conflict") == RACERS - 1, outcomes
    (winner,) = [o for o in outcomes if isinstance(o, int)]
    listed = BlockService(kit.db, kit.clock).list_blocks(kit["sched"])
    assert [b.id for b in listed] == [winner]
