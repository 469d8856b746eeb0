"""The installed `surgdesk` command as scripts run it: a real process, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def surgdesk(*args: str, env_extra: dict[str, str] | None = None,
             stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "surgdesk.cli.main", *args],
        capture_output=True, text=True, env=env, input=stdin, timeout=240, check=False,
    )


def test_demo_then_cases_list_json(db_url: str, tmp_path: Path) -> None:
    env = {"SURGDESK_DATA_DIR": str(tmp_path)}
    # Default start: two days ago, so past, today's and future cases are all there.
    demo = surgdesk("--database", db_url, "demo", "--rooms", "4", "--days", "5", env_extra=env)
    assert demo.returncode == 0, demo.stderr
    assert "scheduler1" in demo.stdout
    listed = surgdesk("--database", db_url, "cases", "list", "--json", env_extra=env)
    assert listed.returncode == 0, listed.stderr
    cases = json.loads(listed.stdout)
    assert len(cases) > 10
    assert {c["status"] for c in cases} >= {"completed", "scheduled", "requested"}
    assert all(c["patient_name"] is None for c in cases)  # nobody signed in: masked
    again = surgdesk("--database", db_url, "demo", env_extra=env)
    assert again.returncode == 1
    assert "Traceback" not in again.stderr


def test_login_without_a_keyring_falls_back_to_a_private_file(sqlite_url: str,
                                                              tmp_path: Path) -> None:
    env = {"SURGDESK_DATA_DIR": str(tmp_path)}
    assert surgdesk("--database", sqlite_url, "demo", "--rooms", "2", "--days", "1",
                    env_extra=env).returncode == 0
    login = surgdesk("--database", sqlite_url, "login", "--username", "scheduler1",
                     "--password-stdin", stdin="demo-password-1\n", env_extra=env)
    assert login.returncode == 0, login.stderr
    assert "keyring" in login.stderr.lower()
    whoami = surgdesk("--database", sqlite_url, "whoami", env_extra=env)
    assert "scheduler1" in whoami.stdout
    private = [p for p in tmp_path.rglob("*") if p.is_file() and "session" in p.name]
    assert private, "the fallback session file was not written"
    assert all(p.stat().st_mode & 0o077 == 0 for p in private)
    assert "demo-password-1" not in "".join(p.read_text() for p in private)


def test_unreachable_database_is_one_line_exit_3(tmp_path: Path) -> None:
    result = surgdesk("--database", "postgresql://postgres@127.0.0.1:1/nothing",
                      "cases", "list", env_extra={"SURGDESK_DATA_DIR": str(tmp_path)})
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unsupported_database_url_is_bad_input(tmp_path: Path) -> None:
    result = surgdesk("--database", "mysql://x@y/z", "cases", "list",
                      env_extra={"SURGDESK_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "database" in result.stderr


@pytest.mark.parametrize("args", [["cases"], ["nonsense"], ["cases", "list", "--from", "x"]])
def test_usage_and_bad_dates_exit_2_without_traceback(args: list[str], tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    result = surgdesk("--database", db, *args, env_extra={"SURGDESK_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_a_closed_pipe_ends_quietly_with_0(sqlite_url: str, tmp_path: Path) -> None:
    """``surgdesk settings show | head -0``: the reader is gone before anything is written."""
    env = dict(os.environ, SURGDESK_DATA_DIR=str(tmp_path),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    process = subprocess.Popen(
        [sys.executable, "-m", "surgdesk.cli.main", "--database", sqlite_url, "settings",
         "show"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()  # before the interpreter has even started: every write fails
    with process.stderr:
        err = process.stderr.read().decode()
    assert process.wait(timeout=240) == 0, err
    assert "error" not in err.lower()
    assert "Traceback" not in err


def test_invalid_utf8_in_argv_is_exit_2(sqlite_url: str, tmp_path: Path) -> None:
    env = dict(os.environ, SURGDESK_DATA_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable.encode(), b"-m", b"surgdesk.cli.main", b"--database",
         sqlite_url.encode(), b"cases", b"list", b"--room", b"OR-\xff"],
        capture_output=True, env=env, timeout=240, check=False,
    )
    assert result.returncode == 2  # was 3: UnicodeEncodeError on the way to the database
    assert b"--room" in result.stderr
    assert b"UTF-8" in result.stderr


@pytest.mark.parametrize("args", [["--help"], ["cases", "add", "--help"], ["--version"],
                                  ["nonsense"]])
def test_help_and_usage_load_no_database_or_gui_libraries(args: list[str]) -> None:
    """``surgdesk --help`` answers at once: it imports none of the heavy libraries (checked
    in ``sys.modules``, not by timing)."""
    probe = (
        "import sys\n"
        "from surgdesk.cli.main import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('sqlalchemy', 'psycopg', 'pydantic', 'PySide6', 'alembic', 'argon2')\n"
        "print('LOADED', sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120, check=False)
    assert "LOADED []" in result.stdout, result.stdout[-300:] + result.stderr[-500:]


def test_an_empty_database_file_is_exit_2_and_stays_empty(tmp_path: Path) -> None:
    folder = tmp_path / "databases"
    folder.mkdir()
    empty = folder / "cases.db"
    empty.write_bytes(b"")
    result = surgdesk("--database", f"sqlite:///{empty}", "cases", "list",
                      env_extra={"SURGDESK_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 2, result.stderr
    assert str(empty) in result.stderr
    assert "empty" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert empty.stat().st_size == 0
    assert sorted(p.name for p in folder.iterdir()) == ["cases.db"]


def test_the_default_database_is_private_under_a_usual_umask(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = subprocess.run(
        ["sh", "-c", 'umask 022 && exec "$0" -m surgdesk.cli.main rooms list', sys.executable],
        capture_output=True, text=True, timeout=240, check=False,
        env=dict(os.environ, SURGDESK_DATA_DIR=str(data),
                 PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring"),
    )
    assert result.returncode == 0, result.stderr
    assert data.stat().st_mode & 0o077 == 0
    assert (data / "surgdesk.db").stat().st_mode & 0o077 == 0
    assert (data / "logs").stat().st_mode & 0o077 == 0
    assert all(p.stat().st_mode & 0o077 == 0 for p in (data / "logs").iterdir())


def test_listing_cases_on_sqlite_loads_no_postgres_driver_hashing_or_gui(
        sqlite_url: str, tmp_path: Path) -> None:
    """``cases list`` on a SQLite file imports only what it uses: not psycopg (its own
    modules are loaded for Postgres only), not argon2 (no sign-in), not PySide6, not the
    services it does not call (the registry builds each on first use)."""
    probe = (
        "import sys\n"
        "from surgdesk.cli.main import main\n"
        f"code = main(['--database', {sqlite_url!r}, 'cases', 'list'])\n"
        "heavy = ('psycopg', 'argon2', 'PySide6', 'alembic', 'surgdesk.services.blocks',\n"
        "         'surgdesk.services.changes', 'surgdesk.services.equipment')\n"
        "print('EXIT', code, 'LOADED', sorted(m for m in heavy if m in sys.modules))\n"
    )
    env = dict(os.environ, SURGDESK_DATA_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120, check=False, env=env)
    assert "EXIT 0 LOADED []" in result.stdout, result.stdout[-300:] + result.stderr[-500:]


def test_version_goes_to_standard_output() -> None:
    result = subprocess.run([sys.executable, "-m", "surgdesk.cli.main", "--version"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0
    assert result.stdout.startswith("surgdesk "), result.stdout + result.stderr
