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
