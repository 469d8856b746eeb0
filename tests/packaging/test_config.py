"""The department config: parsing, the refused password, narrowing rules, named errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from surgdesk.config import (
    ConfigError,
    DepartmentConfig,
    config_path,
    effective_idle_lock_minutes,
    effective_remember_me,
    load_department_config,
    parse_department_config,
    standard_config_path,
)
from surgdesk.resources import CONFIG_EXAMPLE, resource_path

HERE = Path("surgdesk.toml")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "surgdesk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_file_parses(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        [database]
        url = "postgresql://surgdesk@db.or.hospital.local:5432/surgdesk"
        [session]
        remember_me = "forbidden"
        idle_lock_minutes = 5
        [wall]
        monitor = 1
        high_contrast = true
        days = 2
        """,
    )
    config = load_department_config(path)
    assert config is not None
    assert config.database_url == "postgresql://surgdesk@db.or.hospital.local:5432/surgdesk"
    assert not config.remember_me_allowed
    assert config.idle_lock_minutes == 5
    assert (config.wall.monitor, config.wall.high_contrast, config.wall.days) == (1, True, 2)


def test_empty_file_gives_defaults() -> None:
    config = parse_department_config("", HERE)
    assert config == DepartmentConfig()
    assert config.database_url is None
    assert config.remember_me_allowed
    assert config.idle_lock_minutes == 15


def test_shipped_example_parses() -> None:
    text = resource_path(*CONFIG_EXAMPLE).read_text(encoding="utf-8")
    assert parse_department_config(text, HERE).remember_me_allowed


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://surgdesk:secret@db.local/surgdesk",
        "postgresql+psycopg://surgdesk:s3cr%40t@db.local:5432/surgdesk",
        "postgresql://surgdesk@db.local/surgdesk?password=secret",
    ],
)
def test_password_in_url_is_refused(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_department_config(f'[database]\nurl = "{url}"\n', HERE)
    message = str(info.value)
    assert "database.url" in message
    assert "password" in message
    assert "secret" not in message
    assert "s3cr" not in message


def test_unknown_database_scheme_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"database\.url: .*unsupported database 'mysql'"):
        parse_department_config('[database]\nurl = "mysql://db/x"\n', HERE)


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ("[session]\nidle_lock_minutes = 0\n", "session.idle_lock_minutes", "greater than"),
        ('[session]\nidle_lock_minutes = "15"\n', "session.idle_lock_minutes", "integer"),
        ('[session]\nremember_me = "sometimes"\n', "session.remember_me", "'allowed'"),
        ('[session]\nidel_lock_minutes = 5\n', "session.idel_lock_minutes", "unknown key"),
        ('[wall]\ndays = 30\n', "wall.days", "less than or equal to 7"),
        ('[wall]\nhigh_contrast = "yes"\n', "wall.high_contrast", "boolean"),
        ('[printer]\nname = "x"\n', "printer", "unknown key"),
        ("[session\n", "file", "not valid TOML"),
    ],
)
def test_bad_value_names_the_key_and_reason(text: str, key: str, reason: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_department_config(text, HERE)
    assert info.value.problems[0].field == key
    assert reason in info.value.problems[0].reason
    assert str(info.value).startswith(f"surgdesk.toml: {key}: ")


def test_missing_standard_file_means_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SURGDESK_CONFIG", raising=False)
    monkeypatch.setattr(
        "surgdesk.config.standard_config_path", lambda platform=None: tmp_path / "none.toml"
    )
    assert load_department_config() is None


def test_env_override_is_read_and_must_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, "[session]\nidle_lock_minutes = 3\n")
    monkeypatch.setenv("SURGDESK_CONFIG", str(path))
    assert config_path() == path
    config = load_department_config()
    assert config is not None
    assert config.idle_lock_minutes == 3
    monkeypatch.setenv("SURGDESK_CONFIG", str(tmp_path / "typo.toml"))
    with pytest.raises(ConfigError, match=r"typo\.toml: file: does not exist"):
        load_department_config()


def test_standard_places_per_os(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROGRAMDATA", r"D:\ProgramData")
    assert standard_config_path("linux") == Path("/etc/surgdesk/surgdesk.toml")
    assert standard_config_path("darwin") == Path(
        "/Library/Application Support/SurgDesk/surgdesk.toml"
    )
    assert standard_config_path("win32") == Path(r"D:\ProgramData") / "SurgDesk" / "surgdesk.toml"


FORBIDDEN = parse_department_config('[session]\nremember_me = "forbidden"\n', HERE)
ALLOWED = parse_department_config('[session]\nremember_me = "allowed"\n', HERE)


@pytest.mark.parametrize(
    ("user", "department", "machine", "expected"),
    [
        (True, True, None, True),
        (True, True, ALLOWED, True),
        (False, True, ALLOWED, False),  # the user narrows
        (True, False, ALLOWED, False),  # the department forbids
        (True, True, FORBIDDEN, False),  # the machine forbids: a user cannot widen it
    ],
)
def test_remember_me_any_no_wins(
    user: bool, department: bool, machine: DepartmentConfig | None, expected: bool
) -> None:
    assert effective_remember_me(user, department, machine) is expected


def test_idle_lock_the_stricter_wins() -> None:
    machine = parse_department_config("[session]\nidle_lock_minutes = 10\n", HERE)
    assert effective_idle_lock_minutes(5, 30, machine) == 5  # user narrows
    assert effective_idle_lock_minutes(60, 30, machine) == 10  # user cannot widen
    assert effective_idle_lock_minutes(None, 8, machine) == 8  # department stricter
    assert effective_idle_lock_minutes(0, None, machine) == 10  # 0 ("never") cannot widen
    assert effective_idle_lock_minutes(None, None, None) == 15
