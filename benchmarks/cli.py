"""CLI benchmark: how fast the command line answers, beside bare Python in the same run.

    uv run python benchmarks/cli.py [--rounds 9] [--keep DIR]

Prints one JSON object measured in this run (medians of ``--rounds`` runs each, every run a
fresh process, as a person or a script starts it):

- ``python_pass_ms``: ``python -c pass`` — the floor on this machine (interpreter start);
- ``help_ms``: ``surgdesk --help``; ``help_ratio``: help over the floor;
- ``cases_list_ms``: ``surgdesk cases list --from D --to D`` on a demo SQLite database (the
  demo's 20 rooms x 14 days), output to a pipe; ``cases_list_ratio`` likewise;
- ``help_modules``: whether ``--help`` loaded SQLAlchemy, psycopg, pydantic or PySide6
  (it must not: the CLI imports lazily);
- ``importtime_top``: the ten largest cumulative imports of ``cases list`` from
  ``python -X importtime`` (microseconds), to say where the time goes.

Nothing here asserts a target: the README compares the figures with the targets
(``--help`` under 0.3 s, ``cases list`` under 0.8 s on the 2-core machine).
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
from pathlib import Path

HEAVY = ("sqlalchemy", "psycopg", "pydantic", "PySide6")
DEMO_START, DEMO_DAY = "2026-03-02", "2026-03-03"  # a Monday, and the Tuesday shown
# The installed console script, as people and scripts start it.
SURGDESK = str(Path(sys.executable).with_name("surgdesk"))


def timed(argv: list[str], env: dict[str, str], rounds: int) -> float:
    """Median wall time of ``argv`` in ms, each run a new process, output to a pipe."""
    subprocess.run(argv, env=env, capture_output=True, check=False)  # warm the caches
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        done = subprocess.run(argv, env=env, capture_output=True, check=False)
        samples.append((time.perf_counter() - began) * 1000)
        if done.returncode != 0:
            raise SystemExit(f"{argv} failed: {done.stderr.decode()[-500:]}")
    return round(statistics.median(samples), 1)


def help_modules(env: dict[str, str]) -> dict[str, bool]:
    code = ("import sys; from surgdesk.cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.strip().splitlines()[-1]
    loaded = set(filter(None, out.split(",")))
    return {name: name in loaded for name in HEAVY}


def importtime_top(argv: list[str], env: dict[str, str]) -> list[tuple[str, int]]:
    done = subprocess.run([sys.executable, "-X", "importtime", *argv], env=env,
                          capture_output=True, text=True, check=False)
    rows: list[tuple[str, int]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = (part.strip() for part in line[12:].split("|"))
        if not name.startswith(" "):  # top-level imports only
            rows.append((name.strip(), int(cumulative)))
    return sorted(rows, key=lambda r: -r[1])[:10]


def demo_database(folder: Path, env: dict[str, str]) -> str:
    url = f"sqlite:///{folder / 'cli-bench.db'}"
    if not (folder / "cli-bench.db").exists():
        subprocess.run([SURGDESK, "--database", url, "db", "upgrade"],
                       env=env, check=True, capture_output=True)
        subprocess.run([SURGDESK, "--database", url, "demo",
                        "--rooms", "20", "--days", "14", "--start", DEMO_START],
                       env=env, check=True, capture_output=True)
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--keep", type=Path, help="keep the demo database in this folder")
    args = parser.parse_args()
    env = {**os.environ, "SURGDESK_DATA_DIR": tempfile.mkdtemp(prefix="sd-cli-")}
    # As installed: modules come from their bytecode caches, not compiled at every start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="sd-cli-db-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = demo_database(folder, env)
    surgdesk = [SURGDESK]
    floor = timed([sys.executable, "-c", "pass"], env, args.rounds)
    help_ms = timed([*surgdesk, "--help"], env, args.rounds)
    listing = [*surgdesk, "--database", url, "cases", "list", "--from", DEMO_DAY, "--to", DEMO_DAY]
    list_ms = timed(listing, env, args.rounds)
    print(json.dumps({
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
        "rounds": args.rounds,
        "python_pass_ms": floor,
        "help_ms": help_ms,
        "help_ratio": round(help_ms / floor, 2),
        "cases_list_ms": list_ms,
        "cases_list_ratio": round(list_ms / floor, 2),
        "help_modules": help_modules(env),
        "importtime_top": importtime_top(
            ["-c", "import sys; from surgdesk.cli.main import main; sys.exit(main())",
             *listing[1:]], env),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
