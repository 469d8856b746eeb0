"""`surgdesk self-check` in-process, offscreen: passes on a full install, names failures."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from surgdesk import resources
from surgdesk.selfcheck import run_self_check

CHECKS = (
    "qt platform",
    "image formats",
    "resources",
    "department config",
    "keyring",
    "migrations",
    "demo data",
    "board render",
)


def _run(config: Path | None = None) -> tuple[int, dict[str, str]]:
    """Exit code, and each check's whole output line by check name."""
    out = io.StringIO()
    code = run_self_check(out, config_path=config)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("SurgDesk ")
    assert lines[-1].startswith("self-check ")
    results = {}
    for line in lines[1:-1]:
        assert line.startswith(("OK   ", "FAIL ")), line
        results[line[5:].partition(": ")[0]] = line
    return code, results


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "surgdesk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_install_passes_every_check(tmp_path: Path) -> None:
    config = _config(tmp_path, '[session]\nremember_me = "forbidden"\nidle_lock_minutes = 9\n')
    code, results = _run(config)
    assert tuple(results) == CHECKS
    failing = {name: line for name, line in results.items() if not line.startswith("OK ")}
    assert failing == {}
    assert code == 0
    assert "colours sampled" in results["board render"]
    assert "remember me forbidden, idle lock 9 min" in results["department config"]


def test_broken_config_fails_with_the_key_and_reason(tmp_path: Path) -> None:
    config = _config(tmp_path, "[session]\nidle_lock_minutes = 999\n")
    code, results = _run(config)
    assert code == 1
    line = results["department config"]
    assert line.startswith("FAIL department config: ")
    assert "session.idle_lock_minutes" in line
    assert "less than or equal to 240" in line
    assert results["migrations"].startswith("OK ")  # the other checks still ran


def test_missing_resource_fails_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "resources"
    shutil.copytree(resources.resources_dir(), copy)
    (copy / "icons" / "status" / "postponed.svg").unlink()
    monkeypatch.setattr(resources, "resources_dir", lambda: copy)
    code, results = _run()
    assert code == 1
    assert results["resources"].startswith("FAIL resources: missing in ")
    assert "icons/status/postponed.svg" in results["resources"]
