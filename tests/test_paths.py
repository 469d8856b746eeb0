"""Where per-user files go: SURGDESK_DATA_DIR first, else the OS's per-user data folder."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from surgdesk import paths


def test_data_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "portable"))
    assert paths.data_dir() == tmp_path / "portable"
    assert paths.default_database_path() == tmp_path / "portable" / "surgdesk.db"
    assert paths.default_database_url() == f"sqlite:///{tmp_path / 'portable' / 'surgdesk.db'}"
    assert paths.log_dir() == tmp_path / "portable" / "logs"


def test_without_the_variable_the_os_folder_is_used(monkeypatch):
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)
    assert paths.data_dir() == Path(platformdirs.user_data_dir("SurgDesk", appauthor=False))
    assert paths.log_dir() == Path(platformdirs.user_log_dir("SurgDesk", appauthor=False))
    assert paths.data_dir().name == "SurgDesk"


def test_ensure_private_dir_creates_parents(tmp_path):
    target = tmp_path / "a" / "b"
    assert paths.ensure_private_dir(target) == target
    assert target.is_dir()
    assert (target.stat().st_mode & 0o077) == 0


def test_ensure_private_dir_tightens_a_world_readable_folder(tmp_path):
    target = tmp_path / "old"
    target.mkdir(mode=0o755)
    target.chmod(0o755)
    paths.ensure_private_dir(target)
    assert (target.stat().st_mode & 0o077) == 0


def test_private_opener_makes_a_file_only_the_user_reads(tmp_path):
    with open(tmp_path / "log.txt", "w", opener=paths.private_opener) as file:
        file.write("x")
    assert ((tmp_path / "log.txt").stat().st_mode & 0o077) == 0
