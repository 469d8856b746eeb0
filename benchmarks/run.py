"""Board benchmark: 60 rooms x 30 days of demo data (about 9,000 cases), week view, 1920x1080.

    uv run python benchmarks/run.py [--rooms 60] [--days 30] [--moves 240] [--keep DIR]

Prints one JSON object of figures measured in this run:

- ``board_open_ms``: from the call that opens the week (query + model + scene) to the end
  of its first finished, synchronous paint of the viewport;
- ``repaint_ms``: one synchronous repaint of the whole viewport (median of 30);
- ``drag_frame_p50_ms`` / ``p95`` / ``p99``: one mouse move of a grabbed bar plus a
  synchronous ``viewport().repaint()``, over ``--moves`` moves across the week — zoomed in
  first until bars replace the fitted week's room-day summaries
  (``week_opens_on_summaries``, ``drag_px_per_minute``), with a movable case in view;
- ``rss_mb``: the peak resident memory of the process (``ru_maxrss``).
- ``sync_p50_ms`` / ``sync_p95_ms`` (only with ``--postgres ADMIN_URL``): from COMMIT in a
  separate writer process to the change applied in the open window's model, over
  ``--sync-changes`` (200) changes on a fresh Postgres database (created and dropped here;
  ``--sync-rooms`` x 7 days of demo data, day view). The writer resizes cases by 5 minutes
  and back, one commit every ``--sync-gap-ms``, and stamps each commit with the wall clock
  as its service call returns (after COMMIT); the window stamps the moment the new version
  is in its ``BoardModel`` (after NOTIFY -> socket notifier -> feed read -> re-read ->
  upsert). Both stamps are ``time.time()`` on one machine.

Extra keys break ``board_open_ms`` down and say what was measured. Nothing here asserts a
target: the README compares the figures with the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PASSWORD = "benchmark-password-1"
WIDTH, HEIGHT = 1920, 1080


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def generate(url: str, rooms: int, days: int) -> int:
    from surgdesk import startup
    from surgdesk.services.demo import generate_demo

    services = startup.open_services(url, create=True)  # a new file: made on purpose
    first_day = datetime.now(UTC).date() - timedelta(days=days // 2)
    summary = generate_demo(services.db, rooms=rooms, days=days, start=first_day, seed=7,
                            password=PASSWORD)
    services.close()
    print(json.dumps({"cases": summary.cases}))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rooms", type=int, default=60)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--moves", type=int, default=240)
    parser.add_argument("--keep", type=Path, help="keep the database in this folder")
    parser.add_argument("--generate-into", help=argparse.SUPPRESS)
    parser.add_argument("--postgres", metavar="ADMIN_URL",
                        help="also measure sync latency on a scratch database on this server")
    parser.add_argument("--sync-changes", type=int, default=200)
    parser.add_argument("--sync-rooms", type=int, default=20)
    parser.add_argument("--sync-gap-ms", type=int, default=25)
    parser.add_argument("--sync-writer", nargs=2, metavar=("URL", "CASES"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_into:
        return generate(args.generate_into, args.rooms, args.days)
    if args.sync_writer:
        return sync_writer(args.sync_writer[0], args.sync_writer[1].split(","),
                           args.sync_changes, args.sync_gap_ms)

    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from surgdesk.app import create_main_window
    from surgdesk.domain.enums import CaseStatus
    from surgdesk.ui.board.view import BoardMode

    app = QApplication.instance() or QApplication([])
    folder = args.keep or Path(tempfile.mkdtemp(prefix="surgdesk-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'bench.db'}"
    first_day = datetime.now(UTC).date() - timedelta(days=args.days // 2)
    # The demo is generated in a child process, so its memory is not counted as the board's.
    began = time.perf_counter()
    made = subprocess.run(
        [sys.executable, __file__, "--generate-into", url, "--rooms", str(args.rooms),
         "--days", str(args.days)], check=True, capture_output=True, text=True)
    demo_s = time.perf_counter() - began
    generated = json.loads(made.stdout.strip().splitlines()[-1])

    # A Wednesday in the middle of the data: the week view shows Monday to Sunday.
    middle: date = first_day + timedelta(days=args.days // 2)
    window = create_main_window(url, username="scheduler1", password=PASSWORD, day=middle)
    window.resize(WIDTH, HEIGHT)
    window.show()
    window.runner.settle()  # the first load landed
    app.processEvents()
    view = window.board
    viewport = view.viewport()

    # -- board_open_ms: query + model + scene + first synchronous paint -------------------
    first = middle - timedelta(days=middle.weekday())
    t0 = time.perf_counter()
    view.begin_load()
    window.controller.load(first, 7)
    window.runner.settle()  # off the GUI thread: answered once the model holds it
    t1 = time.perf_counter()  # query + model (the scene is built on modelReset)
    board = window.controller.window
    assert board is not None
    window.mode = BoardMode.WEEK
    view.configure(tz=board.tz, start=board.visible_start, end=board.visible_end,
                   mode=BoardMode.WEEK, snap_minutes=board.snap_minutes,
                   day_start=board.day_start, day_end=board.day_end)
    t2 = time.perf_counter()
    viewport.repaint()
    t3 = time.perf_counter()
    cases_in_week = len(window.controller.model.cases())
    scene_items = len(view.graphics_scene().items())

    # -- repaint_ms ---------------------------------------------------------------------
    repaints = []
    for _ in range(30):
        r0 = time.perf_counter()
        viewport.repaint()
        repaints.append((time.perf_counter() - r0) * 1000)

    # -- drag frames: grab a visible bar, move it across the week ------------------------
    # The fitted week of 60 rooms shows room-day summaries (bars too narrow to read): zoom
    # in as a scheduler would until the bars come back, then drag one.
    summaries_at_open = view.showing_summaries()
    for _ in range(8):
        if not view.showing_summaries():
            break
        view.zoom_by(2.0, viewport.width() / 2)
        app.processEvents()
    model = window.controller.model
    visible = viewport.rect()
    movable = sorted((c for c in model.cases()
                      if c.status in (CaseStatus.SCHEDULED, CaseStatus.PREOP_READY)
                      and c.estimated_duration_min >= 60),
                     key=lambda c: (c.scheduled_start, c.case_number))
    if not movable:
        raise SystemExit("no movable case to drag")
    grab_case = movable[len(movable) // 2]
    view.scroll_to_case(grab_case.case_number)  # brought clear of the room column and header
    app.processEvents()
    start = view.visualRect(model.case_index(grab_case.case_number)).center()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    left, right = 230, visible.width() - 10
    frames = []
    moves = max(200, args.moves)
    for i in range(moves):
        # Back and forth across the whole week, drifting over rooms too.
        phase = (i % 120) / 119
        x = int(left + (right - left) * (phase if (i // 120) % 2 == 0 else 1 - phase))
        y = int(start.y() + 40 * ((i // 30) % 5 - 2))
        f0 = time.perf_counter()
        QTest.mouseMove(viewport, QPoint(x, y))
        viewport.repaint()
        frames.append((time.perf_counter() - f0) * 1000)
    QTest.keyClick(view, Qt.Key.Key_Escape)  # cancel: the benchmark writes nothing
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       start)

    result = {
        "board_open_ms": round((t3 - t0) * 1000, 1),
        "repaint_ms": round(statistics.median(repaints), 2),
        "drag_frame_p50_ms": round(percentile(frames, 0.50), 2),
        "drag_frame_p95_ms": round(percentile(frames, 0.95), 2),
        "drag_frame_p99_ms": round(percentile(frames, 0.99), 2),
        "rss_mb": round(peak_rss_mb(), 1),
        "board_query_and_model_ms": round((t1 - t0) * 1000, 1),
        "board_layout_ms": round((t2 - t1) * 1000, 1),
        "board_first_paint_ms": round((t3 - t2) * 1000, 1),
        "repaint_max_ms": round(max(repaints), 2),
        "drag_frames": len(frames),
        "week_opens_on_summaries": summaries_at_open,
        "drag_px_per_minute": round(view.grid.px_per_minute, 3),
        "cases_total": generated["cases"],
        "cases_in_week": cases_in_week,
        "scene_items": scene_items,
        "rooms": args.rooms,
        "days": args.days,
        "window": f"{WIDTH}x{HEIGHT}",
        "viewport": f"{viewport.width()}x{viewport.height()}",
        "demo_generate_s": round(demo_s, 1),
        "backend": "sqlite",
        "qt_platform": QApplication.platformName(),
        "python": platform.python_version(),
    }
    window.close()
    if args.postgres:
        result.update(measure_sync(args.postgres, args.sync_rooms, args.sync_changes,
                                   args.sync_gap_ms))
    print(json.dumps(result))
    return 0


def sync_writer(url: str, numbers: list[str], count: int, gap_ms: int) -> int:
    """The other PC: ``count`` commits, each stamped right after its COMMIT returned."""
    from surgdesk import startup

    services = startup.open_services(url)
    actor = services.auth.login("scheduler1", PASSWORD).actor
    for i in range(count):
        number = numbers[i % len(numbers)]
        case = services.cases.get_case(actor, number).case
        assert case.room_code is not None
        assert case.scheduled_start is not None
        assert case.scheduled_end is not None
        shrink = (i // len(numbers)) % 2 == 0
        end = case.scheduled_end + timedelta(minutes=-5 if shrink else 5)
        result = services.cases.move(actor, number, room=case.room_code,
                                     start=case.scheduled_start, end=end,
                                     expected_version=case.version)
        committed = time.time()
        print(json.dumps({"case": number, "version": result.case.version, "t": committed}),
              flush=True)
        time.sleep(gap_ms / 1000)
    services.close()
    return 0


def measure_sync(admin_url: str, rooms: int, changes: int, gap_ms: int) -> dict[str, object]:
    import uuid

    import psycopg
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from surgdesk.app import create_main_window
    from surgdesk.domain.enums import CaseStatus
    from surgdesk.repository import migrate
    from surgdesk.repository.database import make_nullpool_engine

    name = f"surgdesk_sync_{uuid.uuid4().hex[:10]}"
    base = admin_url.rpartition("/")[0]
    url = f"{base}/{name}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        engine = make_nullpool_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        days = 7
        subprocess.run([sys.executable, __file__, "--generate-into", url, "--rooms", str(rooms),
                        "--days", str(days)], check=True, capture_output=True, text=True)
        day = datetime.now(UTC).date()  # the middle of the generated days
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        window = create_main_window(url, username="scheduler1", password=PASSWORD, day=day)
        window.resize(WIDTH, HEIGHT)
        window.show()
        window.runner.settle()  # the first load landed
        app.processEvents()
        model = window.controller.model
        movable = sorted((c for c in model.cases()
                          if c.status in (CaseStatus.SCHEDULED, CaseStatus.PREOP_READY)
                          and c.estimated_duration_min >= 30),
                         key=lambda c: c.case_number)[:10]
        if not movable:
            raise SystemExit("no case to change on the sync board")
        applied: dict[tuple[str, int], float] = {}

        def stamp(_changes: object) -> None:  # runs after the window applied the batch
            now = time.time()
            for c in movable:
                shown = model.case(c.case_number)
                if shown is not None:
                    applied.setdefault((c.case_number, shown.version), now)

        # The window reads what the changes mean off the GUI thread, then updates the model.
        model.dataChanged.connect(lambda *_args: stamp(None))
        writer = subprocess.Popen(
            [sys.executable, __file__, "--sync-writer", url,
             ",".join(c.case_number for c in movable), "--sync-changes", str(changes),
             "--sync-gap-ms", str(gap_ms)], stdout=subprocess.PIPE, text=True)
        loop = QEventLoop()
        deadline = [0.0]

        def check() -> None:
            if writer.poll() is None:
                return
            deadline[0] = deadline[0] or time.time() + 2.0  # let the last changes arrive
            if time.time() >= deadline[0]:
                loop.quit()

        ticker = QTimer()
        ticker.timeout.connect(check)
        ticker.start(20)
        loop.exec()
        ticker.stop()
        out, _ = writer.communicate()
        if writer.returncode != 0:
            raise SystemExit("the sync writer failed")
        commits = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        window.close()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    latencies = [(applied[(c["case"], c["version"])] - c["t"]) * 1000 for c in commits
                 if (c["case"], c["version"]) in applied]
    return {
        "sync_p50_ms": round(percentile(latencies, 0.50), 1) if latencies else None,
        "sync_p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
        "sync_max_ms": round(max(latencies), 1) if latencies else None,
        "sync_changes": len(commits),
        "sync_applied": len(latencies),
        "sync_backend": "postgresql",
        "sync_board": f"{rooms} rooms x 7 days, day view, {len(model.cases())} cases shown",
    }


if __name__ == "__main__":
    sys.exit(main())
