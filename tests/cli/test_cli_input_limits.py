"""Bad input found by attacking the CLI: each is exit 2 naming the option, never exit 3."""

from __future__ import annotations

import pytest

from tests.cli.conftest import CliRunner
from tests.cli.test_cli import DAY, add_case


@pytest.mark.parametrize(
    ("option", "too_much", "most"),
    [("--idle-lock", "481", "480"), ("--grace", "121", "120"), ("--snap", "61", "60")],
)
def test_settings_set_takes_the_services_limits(admin_cli: CliRunner, option: str,
                                                 too_much: str, most: str) -> None:
    refused = admin_cli("settings", "set", option, too_much)
    assert refused.code == 2, refused.err
    assert option in refused.err
    assert admin_cli("settings", "set", option, most).code == 0


def test_a_grace_of_zero_minutes_is_allowed(admin_cli: CliRunner) -> None:
    result = admin_cli("settings", "set", "--grace", "0")
    assert result.code == 0, result.err


def test_room_turnover_takes_the_services_limit(admin_cli: CliRunner) -> None:
    result = admin_cli("rooms", "update", "OR-2", "--turnover", "241")
    assert result.code == 2
    assert "--turnover" in result.err
    assert admin_cli("rooms", "update", "OR-2", "--turnover", "240").code == 0


def test_cases_add_without_laterality_is_bad_input(admin_cli: CliRunner) -> None:
    result = admin_cli("cases", "add", "--procedure", "Hernia repair", "--patient-id", "MRN5",
                       "--patient-name", "C Ex", "--surgeon", "dr.grey")
    assert result.code == 2
    assert "laterality" in result.err
    assert admin_cli("cases", "list", "--json").json() == []


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["cases", "list", "--to", "9999-12-31"], "--to"),
        (["cases", "list", "--from", "0001-01-01"], "--from"),
        (["cases", "move", "{case}", "--start", "0001-01-01T00:00"], "--start"),
        (["cases", "move", "{case}", "--start", "9999-12-31T23:00"], "--start"),
        (["board", "--date", "9999-12-31", "--out", "{tmp}/b.png"], "--date"),
        (["board", "--date", "0001-01-01", "--out", "{tmp}/b.png"], "--date"),
        (["daylist", "--date", "9999-12-31", "--out", "{tmp}/d.pdf"], "--date"),
        (["daylist", "--date", "0001-01-01", "--out", "{tmp}/d.pdf"], "--date"),
        (["rooms", "close", "OR-2", "--from", "0001-01-01T00:00", "--to", f"{DAY}T10:00",
          "--reason", "x"], "--from"),
        (["rooms", "close", "OR-2", "--from", f"{DAY}T00:00", "--to", "9999-12-31T23:59",
          "--reason", "x"], "--to"),
    ],
)
def test_out_of_range_dates_are_bad_input(admin_cli: CliRunner, tmp_path, args: list[str],  # type: ignore[no-untyped-def]
                                          option: str) -> None:
    case = add_case(admin_cli)["case_number"]
    filled = [a.format(case=case, tmp=tmp_path) for a in args]
    result = admin_cli(*filled)
    assert result.code == 2, result.err
    assert option in result.err


def test_cases_add_at_year_one_is_bad_input(admin_cli: CliRunner) -> None:
    result = admin_cli("cases", "add", "--procedure", "Hernia repair", "--patient-id", "MRN5",
                       "--patient-name", "C Ex", "--surgeon", "dr.grey", "--laterality", "left",
                       "--room", "OR-1", "--start", "0001-01-01T00:00", "--duration", "60")
    assert result.code == 2, result.err
    assert "--start" in result.err


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["rooms", "add", "--code", "OR-9", "--name", "Theatre \udcff"], "--name"),
        (["rooms", "add", "--code", "OR-9", "--name=Theatre \udcff"], "--name"),
        (["cases", "move", "\udcff"], "argument"),
    ],
)
def test_invalid_utf8_in_an_argument_is_bad_input(admin_cli: CliRunner, args: list[str],
                                                  option: str) -> None:
    # Python hands undecodable argv bytes over as lone surrogates (surrogateescape).
    result = admin_cli(*args)
    assert result.code == 2
    assert option in result.err
    assert "UTF-8" in result.err
