"""A SQLite file SurgDesk cannot use is named with what is wrong with it (exit 2), and no
database is made where the user did not ask for one: only the default file (private to
the user) and `db upgrade` / `demo` make a new database."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from surgdesk.cli.main import main
from surgdesk.paths import data_dir, default_database_path, log_dir


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _foreign(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (name TEXT)")
    conn.commit()
    conn.close()


def _damaged(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(5000)])
    conn.commit()
    conn.close()
    data = bytearray(path.read_bytes())
    data[100:4000] = b"\xab" * 3900  # the schema page: the header still says SQLite
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: None, "does not exist"),
        (lambda p: p.write_bytes(b""), "empty file"),
        (lambda p: p.write_text("not a database at all\n" * 10), "not a SQLite database"),
        (lambda p: p.mkdir(), "is a folder"),
        (_foreign, "another program"),
        (_damaged, "cannot be used as a database"),
    ],
    ids=["missing", "empty", "text", "folder", "foreign", "damaged"],
)
def test_an_unusable_file_is_named_with_what_is_wrong(capsys, tmp_path, make, reason):  # type: ignore[no-untyped-def]
    folder = tmp_path / "databases"  # tmp_path also holds the data folder (logs)
    folder.mkdir()
    path = folder / "cases.db"
    make(path)
    before = sorted(p.name for p in folder.iterdir())
    size = path.stat().st_size if path.is_file() else None
    code, err = run(capsys, "--database", f"sqlite:///{path}", "cases", "list")
    assert code == 2, err
    assert str(path) in err
    assert reason in err
    # Nothing made: no new file, and an existing one is as it was.
    assert sorted(p.name for p in folder.iterdir()) == before
    if size is not None:
        assert path.stat().st_size == size


def test_a_path_in_a_missing_folder_is_not_made(capsys, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "no" / "such" / "cases.db"
    code, err = run(capsys, "--database", f"sqlite:///{path}", "rooms", "list")
    assert code == 2
    assert "folder" in err
    assert not (tmp_path / "no").exists()


def test_a_read_only_file_is_named(capsys, tmp_path, sqlite_url, monkeypatch):  # type: ignore[no-untyped-def]
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    real_access = __import__("os").access
    # The tests may run as root, whom file modes do not stop: the check is what is tested.
    monkeypatch.setattr("os.access", lambda p, mode: False if Path(p) == path
                        else real_access(p, mode))
    code, err = run(capsys, "--database", sqlite_url, "rooms", "list")
    assert code == 2
    assert "read-only" in err
    assert str(path) in err


def test_db_upgrade_makes_a_new_private_database(capsys, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "new.db"
    code, err = run(capsys, "--database", f"sqlite:///{path}", "db", "upgrade")
    assert code == 0, err
    assert _mode(path) == 0o600
    code, err = run(capsys, "--database", f"sqlite:///{path}", "rooms", "list")
    assert code == 0, err


def test_db_upgrade_fills_an_empty_file(capsys, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    code, err = run(capsys, "--database", f"sqlite:///{path}", "db", "upgrade")
    assert code == 0, err
    assert path.stat().st_size > 0


def test_the_default_database_and_the_logs_are_private(capsys):  # type: ignore[no-untyped-def]
    code, err = run(capsys, "rooms", "list")  # no --database: the default file
    assert code == 0, err
    database = default_database_path()
    assert _mode(data_dir()) == 0o700
    assert _mode(database) == 0o600
    assert _mode(log_dir()) == 0o700
    assert all(_mode(p) == 0o600 for p in log_dir().iterdir())
    # SQLite gives the -wal and -shm files the database file's mode; seen while open.
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS probe (x)")
    conn.commit()
    sides = [database.with_name(database.name + s) for s in ("-wal", "-shm")]
    modes = [_mode(p) for p in sides if p.exists()]
    conn.close()
    assert modes
    assert all(m == 0o600 for m in modes)


def test_a_world_readable_default_database_is_made_private(capsys):  # type: ignore[no-untyped-def]
    assert run(capsys, "rooms", "list")[0] == 0
    database = default_database_path()
    database.chmod(0o644)
    data_dir().chmod(0o755)
    assert run(capsys, "rooms", "list")[0] == 0
    assert _mode(database) == 0o600
    assert _mode(data_dir()) == 0o700
