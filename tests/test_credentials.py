"""The credential store: OS keyring through ``keyring``, or a 0600 file where there is none."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import NoKeyringError

from surgdesk import paths
from surgdesk.credentials import SERVICE, CredentialStore, StoredSession, database_key

DB = "sqlite:/tmp/surgdesk.db"
EXPIRES = datetime(2026, 1, 13, 19, 0, tzinfo=UTC)


class _BrokenKeyring(KeyringBackend):
    """A backend that looks fine until used (a locked-out secret service, say)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise NoKeyringError("no secret service on this bus")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NoKeyringError("no secret service on this bus")

    def delete_password(self, service: str, username: str) -> None:
        raise NoKeyringError("no secret service on this bus")


@pytest.fixture
def store() -> CredentialStore:
    return CredentialStore()


def test_session_goes_to_the_keyring_not_a_file(store, memory_keyring):
    store.save_session(DB, "nina", "tok-123", EXPIRES)
    assert not store.using_fallback()
    assert store.load_session(DB) == StoredSession("nina", "tok-123", EXPIRES)
    assert (SERVICE, f"session:{DB}") in memory_keyring.store
    assert "tok-123" in memory_keyring.store[(SERVICE, f"session:{DB}")]
    assert not store.fallback_path().exists()
    assert "MemoryKeyring" in store.backend_name()
    store.clear_session(DB)
    store.clear_session(DB)  # nothing left: still fine
    assert store.load_session(DB) is None


def test_device_session_without_expiry_round_trips(store):
    store.save_session(DB, "wall", "tok", None)
    loaded = store.load_session(DB)
    assert loaded is not None
    assert loaded.expires_at is None
    assert not loaded.expired(datetime.now(UTC) + timedelta(days=3650))


def test_expired_is_judged_against_the_clock():
    session = StoredSession("nina", "tok", EXPIRES)
    assert not session.expired(EXPIRES - timedelta(seconds=1))
    assert session.expired(EXPIRES)


def test_sessions_of_different_databases_are_kept_apart(store):
    store.save_session("sqlite:/a.db", "ann", "tok-a", EXPIRES)
    store.save_session("postgresql://u@h:5432/or", "bob", "tok-b", EXPIRES)
    a, b = store.load_session("sqlite:/a.db"), store.load_session("postgresql://u@h:5432/or")
    assert a is not None
    assert b is not None
    assert (a.username, b.username) == ("ann", "bob")


def test_database_password_is_kept_in_the_keyring(store, memory_keyring):
    key = database_key("postgresql://or_app:s3cret@db.hospital.local/or")
    store.save_db_password(key, "s3cret")
    assert store.load_db_password(key) == "s3cret"
    assert "s3cret" not in key
    store.clear_db_password(key)
    assert store.load_db_password(key) is None


def test_an_unreadable_stored_session_is_ignored(store, memory_keyring):
    memory_keyring.set_password(SERVICE, f"session:{DB}", "{not json")
    assert store.load_session(DB) is None


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_without_a_usable_keyring_the_session_goes_to_a_private_file(store, backend, caplog):
    keyring.set_keyring(backend)
    with caplog.at_level(logging.WARNING, logger="surgdesk.credentials"):
        store.save_session(DB, "nina", "tok-123", EXPIRES)
    assert store.using_fallback()
    path = store.fallback_path()
    assert path.parent == paths.data_dir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())[f"session:{DB}"]
    assert store.load_session(DB) == StoredSession("nina", "tok-123", EXPIRES)
    assert store.backend_name().startswith("file")
    # Said once: in the log, and once to whoever prints it (the CLI, on stderr).
    assert sum("no usable OS keyring" in r.message for r in caplog.records) == 1
    notice = store.take_notice()
    assert notice is not None
    assert str(path) in notice
    assert store.take_notice() is None
    store.save_session(DB, "nina", "tok-456", EXPIRES)
    assert sum("no usable OS keyring" in r.message for r in caplog.records) == 1
    store.clear_session(DB)
    assert store.load_session(DB) is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_keyring_that_fails_when_used_falls_back_too(store):
    keyring.set_keyring(_BrokenKeyring())
    assert not store.using_fallback()  # looks usable until asked
    store.save_db_password("k", "pw")
    assert store.using_fallback()
    assert store.load_db_password("k") == "pw"
    assert stat.S_IMODE(store.fallback_path().stat().st_mode) == 0o600


def test_fallback_file_is_private_even_when_the_umask_is_not(store):
    keyring.set_keyring(fail.Keyring())
    old = os.umask(0)
    try:
        store.save_session(DB, "nina", "tok", EXPIRES)
    finally:
        os.umask(old)
    assert stat.S_IMODE(store.fallback_path().stat().st_mode) == 0o600


def test_python_keyring_backend_variable_is_obeyed(tmp_path: Path):
    """Users pick the store with keyring's own variable; the fail backend means the file."""
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           "SURGDESK_DATA_DIR": str(tmp_path)}
    code = (
        "from surgdesk.credentials import CredentialStore as C; s = C(); "
        "s.save_session('db', 'u', 't', None); print(s.using_fallback())"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True, timeout=60)
    assert out.stdout.strip() == "True"
    assert stat.S_IMODE((tmp_path / "sessions.json").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("postgres://or_app:pw@db.local/or", "postgresql+psycopg://or_app@db.local:5432/or"),
        ("postgresql://or_app:one@db.local/or", "postgresql://or_app:two@db.local/or"),
        ("sqlite:///./x/../surgdesk.db", "sqlite:///surgdesk.db"),
    ],
)
def test_database_key_names_the_database_not_the_password(one, other):
    assert database_key(one) == database_key(other)
    assert "pw" not in database_key(one).split("@")[0]


def test_database_key_tells_databases_apart():
    assert database_key("postgresql://u@h/or") != database_key("postgresql://u@h/or_test")
    assert database_key("postgresql://u@h/or") != database_key("postgresql://v@h/or")
    assert database_key("sqlite:///a.db") != database_key("sqlite:///b.db")


def test_the_notice_is_handed_out_once_whichever_store_asks():
    keyring.set_keyring(fail.Keyring())
    first, second = CredentialStore(), CredentialStore()
    assert first.load_session(DB) is None  # the first look switches to the file
    notice = second.take_notice()
    assert notice is not None
    assert "no usable OS keyring" in notice
    assert first.take_notice() is None
    assert CredentialStore().take_notice() is None
