"""The connection-loss benchmark still runs end to end and prints the figures it promises.

Only that it runs: ``--quick`` shrinks trials, changes and intervals, and nothing here
looks at how long anything took (the figures are for the README, measured by hand)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG_ADMIN_URL, postgres_available

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ("loss_detect_reset_s", "loss_detect_silent_s", "reconnect_catch_up_ms",
           "write_deadline_s")


def test_outage_benchmark_prints_its_figures_as_json() -> None:
    if not postgres_available():
        pytest.skip("no Postgres server")
    # A bound so a broken run cannot hang the suite; not a timing assertion.
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "outage.py"), "--quick",
         "--postgres", PG_ADMIN_URL],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    for key in FIGURES:
        assert isinstance(result[key], float), key
    assert result["app_defaults"] is False  # --quick says its figures are not the users'
    assert result["reconnect_catch_up_all_applied"] is True
    assert result["write_deadline_reported"] is True
    assert result["write_deadline_saved_after_restore"] is True
    assert len(result["loss_detect_reset_trials_s"]) == 1
