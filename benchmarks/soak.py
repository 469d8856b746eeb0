"""Wall soak: the wall display on Postgres with another PC changing a case every second.

    uv run python benchmarks/soak.py [--postgres ADMIN_URL] [--minutes 10] [--gap-s 1]
                                     [--rooms 12] [--sample-s 10] [--warm-up-changes 600]
                                     [--tracemalloc]

A scratch database is created on the server (and dropped afterwards), filled with demo
data in a child process; the wall opens on it signed in as the device, with its live feed
on (LISTEN/NOTIFY). A writer process, as ``scheduler1``, resizes one of today's cases by
5 minutes and back every ``--gap-s`` seconds for ``--minutes``. The wall ticks once a
second as it does on the wall (clock, now-line, paging).

Prints one JSON object: resident memory after warm-up and at the end (``rss_start_mb``,
``rss_end_mb``, from /proc: the current figure, not the peak), the largest frame
(``max_frame_ms``: applying a batch of changes or a tick, plus a synchronous repaint of
the board's viewport), frame percentiles, and how many changes the wall applied. Kept
apart from ``run.py``, which stays quick. Nothing here asserts a target.

Whether memory levels off or grows per change: ``samples`` holds, every ``--sample-s``
seconds, the changes applied so far, RSS, the wall's QObjects and scene items (and, with
``--tracemalloc``, Python's traced heap after a collection). ``rss_start_mb`` is taken
20 s in, before the caches are full at one change a second (Qt's pixmap cache alone fills
up to 10 MB); ``rss_after_warm_up_changes_mb`` after ``--warm-up-changes`` (600).
``rss_growth_kb_per_1000_changes`` compares the first and the second half of the samples
after those changes: a leak grows alike in both, warm-up only in the first.
``rss_end_trimmed_mb`` is RSS after ``malloc_trim(0)``: memory glibc kept from freed
blocks, not memory still in use, goes away there.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import gc
import json
import os
import subprocess
import sys
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PASSWORD = "benchmark-password-1"
WIDTH, HEIGHT = 1920, 1080
WARM_UP_S = 20.0


def rss_mb() -> float:
    """Current resident memory (Linux /proc; 0 where there is none)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def malloc_trim() -> bool:
    """Give glibc's freed-but-kept heap back to the OS (False where there is no glibc)."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        return bool(ctypes.CDLL(name).malloc_trim(0))
    except (OSError, AttributeError):
        return False


FRAMES = 8  # traceback depth kept by --tracemalloc


def growth_sites(after: tracemalloc.Snapshot, before: tracemalloc.Snapshot) -> list[str]:
    """Where the Python heap grew most between two snapshots, one line each: the four
    innermost frames, the allocation first, then its callers."""
    lines = []
    for stat in after.compare_to(before, "traceback")[:8]:
        if stat.size_diff <= 0:
            continue
        innermost_first = reversed(list(stat.traceback))  # kept oldest first
        frames = [f"{f.filename.rsplit('/', 2)[-1]}:{f.lineno}" for f in innermost_first][:4]
        lines.append(f"+{stat.size_diff / 1024:.1f} KiB in {stat.count_diff:+d} blocks: "
                     + " < ".join(frames))
    return lines


def growth_per_1000(samples: list[dict[str, float]], key: str) -> float | None:
    """Least-squares slope of ``key`` against changes applied, in units per 1000 changes."""
    points = [(s["changes"], s[key]) for s in samples if key in s]
    if len(points) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread * 1000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def generate(url: str, rooms: int) -> int:
    from surgdesk import startup
    from surgdesk.services.demo import generate_demo

    services = startup.open_services(url)
    generate_demo(services.db, rooms=rooms, days=3,
                  start=datetime.now(UTC).date() - timedelta(days=1), seed=11,
                  password=PASSWORD)
    services.close()
    return 0


def writer(url: str, numbers: list[str], seconds: float, gap_s: float) -> int:
    """The other PC: a change every ``gap_s`` seconds, for ``seconds``."""
    from surgdesk import startup
    from surgdesk.errors import SurgDeskError

    services = startup.open_services(url)
    actor = services.auth.login("scheduler1", PASSWORD).actor
    done = 0
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        number = numbers[done % len(numbers)]
        case = services.cases.get_case(actor, number).case
        assert case.room_code is not None
        assert case.scheduled_start is not None
        assert case.scheduled_end is not None
        shrink = (done // len(numbers)) % 2 == 0
        try:
            services.cases.move(actor, number, room=case.room_code, start=case.scheduled_start,
                                end=case.scheduled_end + timedelta(minutes=-5 if shrink else 5),
                                expected_version=case.version)
        except SurgDeskError as exc:  # a refusal is still a commit-less try; go on
            print(json.dumps({"refused": str(exc)}), flush=True)
        done += 1
        time.sleep(gap_s)
    services.close()
    print(json.dumps({"changes": done}), flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--postgres", metavar="ADMIN_URL",
                        default=os.environ.get("SURGDESK_TEST_PG",
                                               "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--gap-s", type=float, default=1.0)
    parser.add_argument("--rooms", type=int, default=12)
    parser.add_argument("--sample-s", type=float, default=10.0,
                        help="seconds between memory samples")
    parser.add_argument("--warm-up-changes", type=int, default=600,
                        help="changes after which caches are full (pixmaps, glyphs, SQL)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also sample Python's traced heap (slower)")
    parser.add_argument("--generate-into", help=argparse.SUPPRESS)
    parser.add_argument("--writer", nargs=2, metavar=("URL", "CASES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_into:
        return generate(args.generate_into, args.rooms)
    if args.writer:
        return writer(args.writer[0], args.writer[1].split(","), args.minutes * 60, args.gap_s)

    import psycopg
    from PySide6.QtCore import QEventLoop, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from surgdesk import startup
    from surgdesk.domain.enums import CaseStatus
    from surgdesk.repository import migrate
    from surgdesk.repository.database import make_nullpool_engine
    from surgdesk.services.changes import Change
    from surgdesk.ui.wall import WallWindow

    app = QApplication.instance() or QApplication([])
    name = f"surgdesk_soak_{uuid.uuid4().hex[:10]}"
    url = f"{args.postgres.rpartition('/')[0]}/{name}"
    with psycopg.connect(args.postgres, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        engine = make_nullpool_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        subprocess.run([sys.executable, __file__, "--generate-into", url, "--rooms",
                        str(args.rooms)], check=True, capture_output=True, text=True)
        services = startup.open_services(url)
        device = services.auth.login_device("wall.display", PASSWORD).actor
        window = WallWindow(services, device, clock=services.clock, database_url=url)
        window.owns_services = True
        window.resize(WIDTH, HEIGHT)
        window.show()
        window.runner.settle()  # the first load landed
        app.processEvents()
        viewport = window.board.viewport()
        movable = sorted((c for c in window.controller.model.cases()
                          if c.status in (CaseStatus.SCHEDULED, CaseStatus.PREOP_READY)
                          and c.estimated_duration_min >= 30),
                         key=lambda c: c.case_number)[:8]
        if not movable:
            raise SystemExit("no case to change on today's wall")

        frames: list[float] = []
        applied = [0]

        def timed(action: object) -> None:
            began = time.perf_counter()
            assert callable(action)
            action()
            viewport.repaint()
            frames.append((time.perf_counter() - began) * 1000)

        # Time what the wall does with each batch: apply it, then paint.
        window.live.changes_arrived.disconnect(window.apply_remote_changes)

        def on_changes(changes: tuple[Change, ...]) -> None:
            applied[0] += len(changes)
            # Read (off the GUI thread) and applied: the runner settles once it landed.
            timed(lambda: (window.apply_remote_changes(changes), window.runner.settle()))

        window.live.changes_arrived.connect(on_changes)
        window.timer.stop()  # ticked here instead, and timed
        ticker = QTimer()
        ticker.timeout.connect(lambda: timed(window.tick))
        ticker.start(1000)

        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, __file__, "--writer", url,
             ",".join(c.case_number for c in movable), "--minutes", str(args.minutes),
             "--gap-s", str(args.gap_s)], stdout=subprocess.PIPE, text=True)
        loop = QEventLoop()
        marks: dict[str, float] = {}
        tail = [0.0]
        samples: list[dict[str, float]] = []
        next_sample = [started + WARM_UP_S]
        if args.tracemalloc:
            tracemalloc.start(FRAMES)
        snapshots: list[tracemalloc.Snapshot] = []

        def sample() -> None:
            point = {
                "t_s": round(time.monotonic() - started, 1), "changes": applied[0],
                "rss_mb": round(rss_mb(), 2),
                "qobjects": len(window.findChildren(QObject)),
                "scene_items": len(window.board.scene().items()),
            }
            if args.tracemalloc:
                gc.collect()  # live objects, not the garbage the next collection frees
                point["python_mb"] = round(tracemalloc.get_traced_memory()[0] / 2**20, 2)
            samples.append(point)

        def check() -> None:
            if "rss_start" not in marks and time.monotonic() - started >= WARM_UP_S:
                marks["rss_start"] = rss_mb()
                marks["frames_at_warm_up"] = len(frames)
            if "rss_warm" not in marks and applied[0] >= args.warm_up_changes:
                marks["rss_warm"] = rss_mb()
                marks["changes_warm"] = applied[0]
                if args.tracemalloc:
                    gc.collect()
                    snapshots.append(tracemalloc.take_snapshot())
            if time.monotonic() >= next_sample[0]:
                sample()
                next_sample[0] += args.sample_s
            if process.poll() is None:
                return
            tail[0] = tail[0] or time.monotonic() + 2.0  # let the last changes arrive
            if time.monotonic() >= tail[0]:
                loop.quit()

        watcher = QTimer()
        watcher.timeout.connect(check)
        watcher.start(100)
        loop.exec()
        watcher.stop()
        ticker.stop()
        out, _ = process.communicate()
        marks.setdefault("rss_start", rss_mb())
        sample()
        rss_end = rss_mb()
        trimmed = malloc_trim()
        rss_end_trimmed = rss_mb() if trimmed else None
        top: list[str] = []
        if args.tracemalloc:
            gc.collect()
            if snapshots:
                top = growth_sites(tracemalloc.take_snapshot(), snapshots[0])
            tracemalloc.stop()
        written = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        window.close()
        window.shutdown()
    finally:
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    after = frames[int(marks.get("frames_at_warm_up", 0)):] or frames
    warm = [s for s in samples if s["changes"] >= args.warm_up_changes]
    measured = warm if len(warm) >= 4 else samples
    half = len(measured) // 2
    early, late = measured[:half + 1], measured[half:]
    print(json.dumps({
        "minutes": args.minutes,
        "changes_written": next((w["changes"] for w in written if "changes" in w), None),
        "changes_applied": applied[0],
        "rss_start_mb": round(marks["rss_start"], 1),
        "rss_end_mb": round(rss_end, 1),
        "max_frame_ms": round(max(after), 1) if after else None,
        "frame_p50_ms": round(percentile(after, 0.5), 1) if after else None,
        "frame_p99_ms": round(percentile(after, 0.99), 1) if after else None,
        "frames": len(after),
        "board": f"{args.rooms} rooms, today, wall at {WIDTH}x{HEIGHT}",
        "backend": "postgresql",
        "warm_up_changes": args.warm_up_changes,
        "rss_after_warm_up_changes_mb": (round(marks["rss_warm"], 1) if "rss_warm" in marks
                                         else None),
        "rss_end_trimmed_mb": round(rss_end_trimmed, 1) if rss_end_trimmed else None,
        "rss_growth_kb_per_1000_changes": {
            "early": _kb(growth_per_1000(early, "rss_mb")),
            "late": _kb(growth_per_1000(late, "rss_mb")),
        },
        "python_growth_kb_per_1000_changes": {
            "early": _kb(growth_per_1000(early, "python_mb")),
            "late": _kb(growth_per_1000(late, "python_mb")),
        } if args.tracemalloc else None,
        "python_top_growth_after_warm_up": top if args.tracemalloc else None,
        "samples": samples,
    }))
    return 0


def _kb(mb: float | None) -> float | None:
    return None if mb is None else round(mb * 1024, 1)


if __name__ == "__main__":
    sys.exit(main())
