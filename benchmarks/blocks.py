"""Block benchmark: ``blocks usage`` for 60 rooms x 90 days on SQLite, and the pure cost.

    uv run python benchmarks/blocks.py [--rooms 60] [--days 90] [--rounds 7] [--keep DIR]

The data are the board benchmark's (``benchmarks/run.py --generate-into``: the demo, about
300 cases a day at 60 rooms, in a child process). When the demo holds no blocks, a block
schedule is added through ``BlockService.create`` as the admin: every elective room
blocked Monday to Friday 07:30-15:30 (by service; every fifth room two days for one of
its surgeons; rooms without a specialty every other week), emergency rooms unblocked,
and a few dates released by hand. Prints one JSON object measured in this run (medians
of ``--rounds`` rounds after one warm-up):

- ``usage_ms``: ``BlockService.usage(first, last)`` over the whole range (one read of
  blocks, releases, closures and cases, the expansion, used minutes, the rows);
- ``usage_per_occurrence_ms``: the same with one row per occurrence;
- ``reference_select_ms``: the same case rows read by the repository's SELECT alone
  (``uow.blocks.case_spans``): the database's share that no expansion can save;
- ``expansion_ms``: the pure rules only (``pattern_dates``, ``hours_on``, ``local_span``)
  for every block over the range, no database;
- ``first_overlap_us``: one ``first_overlap`` between two open-ended blocks that have to
  be walked (the 5th Friday against every 8th week's Friday), as a create or an edit
  runs it against each other block of the room;
- ``board_week_ms`` / ``board_week_no_blocks_ms`` and their ratio: the board's read of one
  week (``CaseService.board``: rooms, closures, cases, queue, the bands and the marks) on
  this database and on a copy of it with every block removed, alternated round by round
  in this run — what blocks add to opening the board.

Nothing here asserts a target (300 ms for ``usage_ms``); the README compares.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def board_benchmark() -> Any:
    """``benchmarks/run.py``: its data generator and password, not a copy of them."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    import run

    return run


def median_ms(call: Callable[[], object], rounds: int) -> tuple[float, list[float]]:
    call()  # warm-up: imports, statement caches, the first connection
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        call()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), times


def add_schedule(services: Any, admin: Any, first: date, last: date) -> dict[str, int]:
    """A block schedule like a real suite's, through the service (its rules included)."""
    from surgdesk.domain.blocks import pattern_dates
    from surgdesk.domain.enums import Role
    from surgdesk.errors import BadInput
    from surgdesk.services.blocks import BlockFields

    surgeons: dict[str, list[str]] = {}
    for user in services.users.users_with_roles(admin, [Role.SURGEON]):
        if user.specialty:
            surgeons.setdefault(user.specialty.casefold(), []).append(user.username)
    made = released = 0
    elective = [r for r in services.rooms.list_rooms(admin) if r.weekdays != tuple(range(7))]
    for i, room in enumerate(elective):
        service = room.specialty_tags[0] if room.specialty_tags else None
        base = {"room": room.code, "start": "07:30", "end": "15:30", "valid_from": first}
        if service is None:  # a general room: alternate weeks for two services
            specs = sorted(surgeons)
            for k, spec in enumerate((specs[i % len(specs)], specs[(i + 1) % len(specs)])):
                services.blocks.create(admin, BlockFields.model_validate(
                    {**base, "service": spec, "weekdays": (0, 1, 2, 3, 4), "every_weeks": 2,
                     "valid_from": first + timedelta(weeks=k)}))
                made += 1
            continue
        own = surgeons.get(service.casefold(), [])
        if i % 5 == 0 and own:
            services.blocks.create(admin, BlockFields.model_validate(
                {**base, "surgeon": own[0], "weekdays": (0, 2)}))
            services.blocks.create(admin, BlockFields.model_validate(
                {**base, "service": service, "weekdays": (1, 3, 4)}))
            made += 2
        else:
            block = services.blocks.create(admin, BlockFields.model_validate(
                {**base, "service": service, "weekdays": (0, 1, 2, 3, 4)}))
            made += 1
            if i % 3 == 0:  # a few dates released by hand, ahead of time
                ahead = datetime.now(UTC).date() + timedelta(days=10)
                for day in pattern_dates(pattern_of(block), ahead, last)[:20:4]:
                    try:
                        services.blocks.release(admin, block.id, day, "congress")
                    except BadInput:
                        continue  # the room is closed that day: no occurrence
                    released += 1
    return {"blocks_added": made, "dates_released_by_hand": released}


def pattern_of(b: Any) -> Any:
    """A ``BlockView``'s pattern as the pure rules take it."""
    from surgdesk.domain.blocks import BlockPattern

    return BlockPattern(b.weekdays, b.start, b.end, b.valid_from, b.valid_until,
                        b.every_weeks, b.weeks_of_month)


def expansion(blocks: list[Any], tz: Any, first: date, last: date) -> int:
    """The pure part of an occurrence read: dates, hours after exceptions, UTC spans."""
    from surgdesk.domain.blocks import DayException, hours_on, local_span, pattern_dates
    from surgdesk.domain.timezones import LocalTimeError

    count = 0
    for b in blocks:
        pattern = pattern_of(b)
        exceptions = {e.day: DayException(e.day, e.cancelled, e.start, e.end)
                      for e in b.exceptions}
        for day in pattern_dates(pattern, first, last):
            hours = hours_on(pattern, day, exceptions)
            if hours is None:
                continue
            try:
                local_span(day, hours[0], hours[1], tz)
            except LocalTimeError:
                continue
            count += 1
    return count


def overlap_us(rounds: int) -> float:
    from datetime import time as clock

    from surgdesk.domain.blocks import BlockPattern, first_overlap

    # Neither weekdays, hours nor phases rule these out: the walk finds the first 5th
    # Friday that falls in the other block's week.
    a = BlockPattern((4,), clock(7, 30), clock(15, 30), date(2026, 1, 5),
                     weeks_of_month=(5,))
    b = BlockPattern((4,), clock(12), clock(18), date(2026, 1, 12), every_weeks=8)
    return median_ms(lambda: first_overlap(a, {}, b, {}), rounds)[0] * 1000


def board_with_and_without(services: Any, folder: Path, first: date,
                           rounds: int) -> tuple[float, float]:
    """Median ms of one week's board read with the blocks and on a copy without them,
    alternated so that both see the same machine."""
    import shutil
    import sqlite3

    from surgdesk import startup

    source = folder / "blocks.db"
    bare = folder / "no-blocks.db"
    shutil.copyfile(source, bare)
    with sqlite3.connect(bare) as conn:
        for table in ("or_block_release", "or_block_exception", "or_block"):
            conn.execute(f"DELETE FROM {table}")
    other = startup.open_services(f"sqlite:///{bare}")
    monday = first + timedelta(days=(7 - first.weekday()) % 7 + 14)
    lo = datetime.combine(monday, datetime.min.time())
    hi = lo + timedelta(days=7)
    reads = {}
    for name, svc in (("with", services), ("without", other)):
        actor = svc.auth.login("scheduler1", board_benchmark().PASSWORD).actor
        reads[name] = (svc, actor)
        svc.cases.board(actor, lo, hi)  # warm-up
    times: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(rounds):
        for name, (svc, actor) in reads.items():
            t0 = time.perf_counter()
            svc.cases.board(actor, lo, hi)
            times[name].append((time.perf_counter() - t0) * 1000)
    other.close()
    bare.unlink()
    return statistics.median(times["with"]), statistics.median(times["without"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rooms", type=int, default=60)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--keep", type=Path,
                        help="keep the database in this folder (and reuse it next time)")
    args = parser.parse_args()

    from surgdesk import startup
    from surgdesk.repository.uow import UnitOfWork
    from surgdesk.services.block_spans import utc_days

    run = board_benchmark()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="surgdesk-blocks-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'blocks.db'}"
    began = time.perf_counter()
    if (folder / "blocks.db").exists():  # a kept database from an earlier run (--keep)
        generated = {"cases": None}
    else:
        made = subprocess.run(
            [sys.executable, run.__file__, "--generate-into", url, "--rooms",
             str(args.rooms), "--days", str(args.days)],
            check=True, capture_output=True, text=True)
        generated = json.loads(made.stdout.strip().splitlines()[-1])
    demo_s = time.perf_counter() - began
    # run.py's demo starts days // 2 before today.
    first = datetime.now(UTC).date() - timedelta(days=args.days // 2)
    last = first + timedelta(days=args.days - 1)

    services = startup.open_services(url)
    admin = services.auth.login("admin", run.PASSWORD).actor
    added: dict[str, int] = {}
    if not services.blocks.list_blocks(admin):
        added = add_schedule(services, admin, first, last)
    blocks = services.blocks.list_blocks(admin)

    usage_ms, usage_all = median_ms(lambda: services.blocks.usage(admin, first, last),
                                    args.rounds)
    per_occ_ms, _ = median_ms(
        lambda: services.blocks.usage(admin, first, last, per_occurrence=True), args.rounds)
    report = services.blocks.usage(admin, first, last)
    with UnitOfWork(services.db, read_only=True) as uow:
        tz = services.blocks.department_zone(uow)
    lo, hi = utc_days(first, last, tz)
    room_ids = sorted({b.room_id for b in blocks})

    def select_cases() -> int:
        with UnitOfWork(services.db, read_only=True) as uow:
            return len(uow.blocks.case_spans(lo, hi, room_ids=room_ids))

    select_ms, _ = median_ms(select_cases, args.rounds)
    with_blocks, without_blocks = board_with_and_without(services, folder, first, args.rounds)
    case_rows = select_cases()
    expand_ms, _ = median_ms(lambda: expansion(blocks, tz, first, last), args.rounds)
    services.close()

    result = {
        "usage_ms": round(usage_ms, 1),
        "usage_per_occurrence_ms": round(per_occ_ms, 1),
        "reference_select_ms": round(select_ms, 1),
        "expansion_ms": round(expand_ms, 2),
        "first_overlap_us": round(overlap_us(args.rounds * 5), 1),
        "usage_rounds_ms": [round(t, 1) for t in usage_all],
        "board_week_ms": round(with_blocks, 1),
        "board_week_no_blocks_ms": round(without_blocks, 1),
        "board_week_ratio": round(with_blocks / without_blocks, 3),
        "target_usage_ms": 300,
        "blocks": len(blocks),
        "occurrences": expansion(blocks, tz, first, last),
        "usage_rows": len(report.rows),
        "block_minutes": report.block_minutes,
        "used_minutes": report.used_minutes,
        "released_minutes": report.released_minutes,
        "utilization": round(report.utilization, 3) if report.utilization is not None
        else None,
        "case_rows_selected": case_rows,
        "cases_total": generated["cases"],
        **added,
        "blocks_from": "demo" if not added else "this benchmark (the demo held none)",
        "rooms": args.rooms,
        "days": args.days,
        "first_day": first.isoformat(),
        "rounds": args.rounds,
        "demo_generate_s": round(demo_s, 1),
        "backend": "sqlite",
        "python": platform.python_version(),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
