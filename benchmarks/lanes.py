"""Lanes benchmark: the week board opened in room, surgeon and equipment lanes, one run.

    uv run python benchmarks/lanes.py [--rooms 60] [--days 30] [--rounds 7] [--keep DIR]

The data are the board benchmark's (``benchmarks/run.py --generate-into``: the demo at 60
rooms x 30 days, about 9,000 cases, with its equipment fleet, in a child process). The
window is the board benchmark's too: the main window at 1920x1080, the week around the
middle of the data. One *board open* is timed as ``benchmarks/run.py`` times it — from
the call that loads the week (one ``CaseService.board`` read off the GUI thread, the
model, the scene built on its reset) through the layout to the end of the first
synchronous paint of the viewport — with the lanes set before the load, so the lanes are
built from that one read. The three lane modes are alternated round by round (after one
warm-up round), so that they see the same machine. Prints one JSON object:

- ``rooms_open_ms`` / ``surgeons_open_ms`` / ``equipment_open_ms``: medians;
- ``surgeons_ratio`` / ``equipment_ratio``: each over ``rooms_open_ms`` (target: at most
  1.2, "within 20 %");
- ``switch_*_ms``: switching the loaded board to those lanes (no read: a model reset from
  the snapshot held, the scene, the layout, a paint);
- per mode the rows, the bars (scene items) and whether the fitted week shows summaries.

Nothing here asserts a target; the README compares.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve().parent
MODES = ("rooms", "surgeons", "equipment")


def board_benchmark() -> Any:
    """``benchmarks/run.py``: its data generator, password and window size."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    import run

    return run


def open_week(window: Any, first: date) -> float:
    """One board open, as benchmarks/run.py times it (ms)."""
    from PySide6.QtWidgets import QApplication

    from surgdesk.ui.board.view import BoardMode

    view = window.board
    t0 = time.perf_counter()
    view.begin_load()
    window.controller.load(first, 7)
    window.runner.settle()
    board = window.controller.window
    assert board is not None
    window.mode = BoardMode.WEEK
    view.configure(tz=board.tz, start=board.visible_start, end=board.visible_end,
                   mode=BoardMode.WEEK, snap_minutes=board.snap_minutes,
                   day_start=board.day_start, day_end=board.day_end)
    view.viewport().repaint()
    elapsed = (time.perf_counter() - t0) * 1000
    QApplication.processEvents()
    return elapsed


def switch_to(window: Any, mode: Any) -> float:
    """Switching the loaded board's lanes (no read), to the end of a paint (ms)."""
    t0 = time.perf_counter()
    window.set_lanes(mode, store=False)
    window.board.viewport().repaint()
    return (time.perf_counter() - t0) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rooms", type=int, default=60)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--keep", type=Path,
                        help="keep the database in this folder (and reuse it next time)")
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from surgdesk.app import create_main_window
    from surgdesk.ui.board.lanes import LaneMode

    run = board_benchmark()
    app = QApplication.instance() or QApplication([])
    folder = args.keep or Path(tempfile.mkdtemp(prefix="surgdesk-lanes-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'lanes.db'}"
    began = time.perf_counter()
    if (folder / "lanes.db").exists():  # a kept database from an earlier run (--keep)
        generated: dict[str, Any] = {"cases": None}
    else:
        made = subprocess.run(
            [sys.executable, run.__file__, "--generate-into", url, "--rooms",
             str(args.rooms), "--days", str(args.days)],
            check=True, capture_output=True, text=True)
        generated = json.loads(made.stdout.strip().splitlines()[-1])
    demo_s = time.perf_counter() - began
    # run.py's demo starts days // 2 before today; a Wednesday-ish middle, its week.
    first_day = datetime.now(UTC).date() - timedelta(days=args.days // 2)
    middle = first_day + timedelta(days=args.days // 2)
    first = middle - timedelta(days=middle.weekday())

    window = create_main_window(url, username="scheduler1", password=run.PASSWORD, day=middle)
    window.resize(run.WIDTH, run.HEIGHT)
    window.show()
    window.runner.settle()
    app.processEvents()
    lanes = {"rooms": LaneMode.ROOMS, "surgeons": LaneMode.SURGEONS,
             "equipment": LaneMode.EQUIPMENT}
    times: dict[str, list[float]] = {m: [] for m in MODES}
    shape: dict[str, dict[str, Any]] = {}
    for round_no in range(args.rounds + 1):
        for name in MODES:
            window.set_lanes(lanes[name], store=False)  # before the load: built from it
            elapsed = open_week(window, first)
            if round_no:  # the first round warms up (imports, caches, the first read)
                times[name].append(elapsed)
            model = window.controller.model
            shape[name] = {"rows": model.rowCount(),
                           "bars": len(window.board.graphics_scene().items()),
                           "summaries": window.board.showing_summaries()}
    switches: dict[str, list[float]] = {m: [] for m in MODES}
    for _ in range(args.rounds):
        for name in MODES:
            switches[name].append(switch_to(window, lanes[name]))
    model = window.controller.model
    cases_in_week = len(model.cases())
    holding = sum(1 for c in model.cases() if c.equipment)
    window.close()

    medians = {m: statistics.median(times[m]) for m in MODES}
    result: dict[str, Any] = {f"{m}_open_ms": round(medians[m], 1) for m in MODES}
    result.update({
        "surgeons_ratio": round(medians["surgeons"] / medians["rooms"], 3),
        "equipment_ratio": round(medians["equipment"] / medians["rooms"], 3),
        "target_ratio": 1.2,
        **{f"switch_{m}_ms": round(statistics.median(switches[m]), 1) for m in MODES},
        **{f"{m}_rounds_ms": [round(t, 1) for t in times[m]] for m in MODES},
        **{f"{m}_rows": shape[m]["rows"] for m in MODES},
        **{f"{m}_scene_items": shape[m]["bars"] for m in MODES},
        **{f"{m}_week_on_summaries": shape[m]["summaries"] for m in MODES},
        "cases_in_week": cases_in_week,
        "cases_holding_equipment": holding,
        "cases_total": generated["cases"],
        "rooms": args.rooms,
        "days": args.days,
        "first_day": first.isoformat(),
        "rounds": args.rounds,
        "window": f"{run.WIDTH}x{run.HEIGHT}",
        "demo_generate_s": round(demo_s, 1),
        "backend": "sqlite",
        "qt_platform": QApplication.platformName(),
        "python": platform.python_version(),
    })
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
