"""Board benchmark: 60 rooms x 30 days of demo data (about 9,000 cases), week view, 1920x1080.

    uv run python benchmarks/run.py [--rooms 60] [--days 30] [--moves 240] [--keep DIR]

Prints one JSON object of figures measured in this run:

- ``board_open_ms``: from the call that opens the week (query + model + scene) to the end
  of its first finished, synchronous paint of the viewport;
- ``repaint_ms``: one synchronous repaint of the whole viewport (median of 30);
- ``drag_frame_p50_ms`` / ``p95`` / ``p99``: one mouse move of a grabbed bar plus a
  synchronous ``viewport().repaint()``, over ``--moves`` moves across the week;
- ``rss_mb``: the peak resident memory of the process (``ru_maxrss``).

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

    services = startup.open_services(url)
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
    args = parser.parse_args()
    if args.generate_into:
        return generate(args.generate_into, args.rooms, args.days)

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
    app.processEvents()
    view = window.board
    viewport = view.viewport()

    # -- board_open_ms: query + model + scene + first synchronous paint -------------------
    first = middle - timedelta(days=middle.weekday())
    t0 = time.perf_counter()
    view.begin_load()
    board = window.controller.load(first, 7)
    t1 = time.perf_counter()  # query + model (the scene is built on modelReset)
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
    model = window.controller.model
    visible = viewport.rect()
    grab_case = None
    for case in sorted(model.cases(), key=lambda c: (c.room_code or "", c.case_number)):
        if case.status not in (CaseStatus.SCHEDULED, CaseStatus.PREOP_READY):
            continue
        index = model.case_index(case.case_number)
        rect = view.visualRect(index)
        if rect.width() >= 12 and visible.contains(rect.center()) and rect.left() > 260:
            grab_case = case
            break
    if grab_case is None:
        raise SystemExit("no visible movable case to drag")
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
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
