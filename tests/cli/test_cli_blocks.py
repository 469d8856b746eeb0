"""`surgdesk blocks`: adding, listing, ending, releasing blocks and their utilization, with
the CLI's exit codes (2 bad input naming the option, 1 refused by a rule).

Most tests run on a SQLite copy of one staffed database made once per module (the rules
themselves are the block service's, tested on both backends in tests/services); the
commands that end in the database's own refusals and sums also run on Postgres."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from surgdesk.cli.blocks import parse_weekdays
from surgdesk.errors import BadInput
from tests.cli.conftest import PASSWORD, CliRunner, signed_in_copy, staff_department
from tests.conftest import fold_wal

# Far enough ahead that no date has started or is released by the 7-day rule.
MONDAY = "2031-03-03"
WEDNESDAY = "2031-03-05"
SUNDAY = "2031-03-09"
NEXT_MONDAY = "2031-03-10"


def add_block(cli: CliRunner, *extra: str, room: str = "OR-1", owner: tuple[str, str] = (
        "--service", "general"), weekdays: str = "1,3", start: str = "07:30",
        end: str = "15:30") -> dict:  # type: ignore[type-arg]
    result = cli("blocks", "add", "--room", room, *owner, "--weekdays", weekdays,
                 "--start", start, "--end", end, "--from", MONDAY, "--json", *extra)
    assert result.code == 0, result.err
    data: dict = result.json()  # type: ignore[type-arg]
    return data


def add_case(cli: CliRunner, start: str, duration: str, surgeon: str = "dr.grey") -> None:
    result = cli("cases", "add", "--procedure", "Hernia repair", "--patient-id", "MRN7",
                 "--patient-name", "Pat Example", "--surgeon", surgeon, "--laterality", "left",
                 "--room", "OR-1", "--start", start, "--duration", duration)
    assert result.code == 0, result.err


@pytest.fixture(scope="module")
def staffed_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """admin_cli's department (``staff_department``), made once through the services."""
    path = tmp_path_factory.mktemp("blocks") / "staffed.db"
    shutil.copyfile(sqlite_template, path)
    staff_department(f"sqlite:///{path}")
    fold_wal(path)
    return path


@pytest.fixture
def blocks_cli(staffed_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
               monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI on a fresh copy of the staffed database, the admin signed in."""
    return signed_in_copy(staffed_template, tmp_path, capsys, monkeypatch)


@pytest.mark.parametrize(("text", "days"), [("1,3", (0, 2)), ("13", (0, 2)),
                                            ("1-5", (0, 1, 2, 3, 4)), ("7", (6,)),
                                            (" 5, 1 ", (0, 4))])
def test_weekdays_are_iso_on_the_command_line(text: str, days: tuple[int, ...]) -> None:
    assert parse_weekdays(text) == days


@pytest.mark.parametrize("text", ["0", "8", "", "mon", "1,,3", "5-1", "1-8"])
def test_weekdays_outside_one_to_seven_are_bad_input(text: str) -> None:
    with pytest.raises(BadInput, match="--weekdays"):
        parse_weekdays(text)


def test_a_service_block_is_added_and_listed(blocks_cli: CliRunner) -> None:
    block = add_block(blocks_cli)
    assert block["room_code"] == "OR-1"
    assert block["service"] == "general"
    assert block["weekdays"] == [0, 2]  # Monday and Wednesday, from --weekdays 1,3
    assert block["start"] == "07:30:00"
    assert block["valid_from"] == MONDAY
    listed = blocks_cli("blocks", "list", "--json").json()
    assert [b["id"] for b in listed] == [block["id"]]
    table = blocks_cli("blocks", "list").out
    assert "OR-1" in table
    assert block["owner_label"] in table


def test_a_block_starts_today_without_from(blocks_cli: CliRunner) -> None:
    berlin = ZoneInfo("Europe/Berlin")  # the test databases' department zone
    before = datetime.now(berlin).date()
    result = blocks_cli("blocks", "add", "--room", "OR-2", "--surgeon", "dr.shep",
                        "--weekdays", "1-5", "--start", "08:00", "--end", "12:00", "--json")
    assert result.code == 0, result.err
    assert result.json()["valid_from"] in {before.isoformat(),
                                           datetime.now(berlin).date().isoformat()}
    assert result.json()["weekdays"] == [0, 1, 2, 3, 4]


def test_list_with_dates_shows_each_occurrence_held(blocks_cli: CliRunner) -> None:
    block = add_block(blocks_cli)
    result = blocks_cli("blocks", "list", "--from", MONDAY, "--to", SUNDAY, "--json")
    assert result.code == 0, result.err
    dates = result.json()
    assert [(o["block_id"], o["day"], o["released"]) for o in dates] == [
        (block["id"], MONDAY, False), (block["id"], WEDNESDAY, False)]
    # 07:30 in Berlin (UTC+1)
    assert datetime.fromisoformat(dates[0]["start"]) == datetime(2031, 3, 3, 6, 30, tzinfo=UTC)
    table = blocks_cli("blocks", "list", "--from", MONDAY, "--to", SUNDAY).out.splitlines()
    assert len(table) == 3
    assert "Mon" in table[1]
    assert "07:30–15:30" in table[1]
    assert "held" in table[2]


def test_one_date_alone_lists_that_day(blocks_cli: CliRunner) -> None:
    add_block(blocks_cli)
    days = blocks_cli("blocks", "list", "--from", WEDNESDAY, "--json").json()
    assert [o["day"] for o in days] == [WEDNESDAY]


def test_surgeon_blocks_every_other_week_and_by_week_of_month(blocks_cli: CliRunner) -> None:
    fortnightly = add_block(blocks_cli, "--every-weeks", "2", owner=("--surgeon", "dr.grey"),
                            weekdays="2")
    monthly = add_block(blocks_cli, "--weeks-of-month", "1,3", owner=("--surgeon", "dr.shep"),
                        room="OR-2", weekdays="5")
    dates = blocks_cli("blocks", "list", "--from", MONDAY, "--to", "2031-03-30",
                      "--json").json()
    by_block: dict[int, list[str]] = {}
    for o in dates:
        by_block.setdefault(o["block_id"], []).append(o["day"])
    assert by_block[fortnightly["id"]] == ["2031-03-04", "2031-03-18"]
    assert by_block[monthly["id"]] == ["2031-03-07", "2031-03-21"]  # 1st and 3rd Friday
    grey = blocks_cli("blocks", "list", "--owner", "dr.grey", "--json").json()
    assert [b["id"] for b in grey] == [fortnightly["id"]]
    in_or2 = blocks_cli("blocks", "list", "--room", "OR-2", "--json").json()
    assert [b["id"] for b in in_or2] == [monthly["id"]]


def test_an_overlapping_block_is_refused_with_1_naming_the_other(admin_cli: CliRunner) -> None:
    """On both backends (admin_cli): the refusal is the database's business too."""
    first = add_block(admin_cli)
    result = admin_cli("blocks", "add", "--room", "OR-1", "--surgeon", "dr.shep",
                       "--weekdays", "3", "--start", "15:00", "--end", "18:00",
                       "--from", MONDAY)
    assert result.code == 1, result.err
    assert str(first["id"]) in result.err or first["owner_label"] in result.err
    assert len(admin_cli("blocks", "list", "--json").json()) == 1
    # Back to back is no overlap.
    after = admin_cli("blocks", "add", "--room", "OR-1", "--surgeon", "dr.shep",
                      "--weekdays", "3", "--start", "15:30", "--end", "18:00",
                      "--from", MONDAY)
    assert after.code == 0, after.err


@pytest.mark.parametrize(
    ("change", "option"),
    [
        ({"--room": "OR-9"}, "--room"),
        ({"--service": None, "--surgeon": "dr.nobody"}, "--surgeon"),
        ({"--weekdays": "8"}, "--weekdays"),
        ({"--start": "7.30"}, "--start"),
        ({"--start": "16:00"}, "--end"),  # the end before the start
        ({"--from": "2031-13-01"}, "--from"),
        ({"--until": "2031-02-01"}, "--until"),  # before --from
        ({"--every-weeks": "9"}, "--every-weeks"),
        ({"--weeks-of-month": "6"}, "--weeks-of-month"),
        ({"--release-days": "-1"}, "--release-days"),
        # Mondays of February 2031: the 3rd, 10th, 17th, 24th; no 5th, so no date at all.
        ({"--weekdays": "1", "--weeks-of-month": "5", "--from": "2031-02-01",
          "--until": "2031-02-28"}, "--weekdays"),
        # 02:30 does not exist on 2031-03-30 in Berlin (the clocks go forward).
        ({"--weekdays": "7", "--start": "02:30", "--end": "04:00"}, "--start"),
    ],
)
def test_bad_block_input_is_exit_2_naming_the_option(blocks_cli: CliRunner,
                                                     change: dict[str, str | None],
                                                     option: str) -> None:
    given: dict[str, str | None] = {
        "--room": "OR-1", "--service": "general", "--weekdays": "1,3", "--start": "07:30",
        "--end": "15:30", "--from": MONDAY, **change}
    args = [part for key, value in given.items() if value is not None
            for part in (key, value)]
    result = blocks_cli("blocks", "add", *args)
    assert result.code == 2, result.err
    assert option in result.err
    assert "Traceback" not in result.err
    assert blocks_cli("blocks", "list", "--json").json() == []


@pytest.mark.parametrize("owner", [[], ["--surgeon", "dr.grey", "--service", "general"]])
def test_a_block_has_exactly_one_owner(blocks_cli: CliRunner, owner: list[str],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as usage_error:  # argparse's: exit 2 with one line
        blocks_cli("blocks", "add", "--room", "OR-1", *owner, "--weekdays", "1",
                  "--start", "08:00", "--end", "12:00")
    assert usage_error.value.code == 2
    err = capsys.readouterr().err
    assert "--surgeon" in err
    assert "--service" in err


@pytest.mark.parametrize(("args", "option"), [
    (["list", "--from", NEXT_MONDAY, "--to", MONDAY], "--to"),
    (["list", "--from", MONDAY, "--to", "2032-03-03"], "--to"),
    (["usage", "--from", "9999-12-31", "--to", "9999-12-31"], "--from"),
    (["end", "first", "--after", MONDAY], "BLOCK_ID"),
    (["release", "0", "--date", MONDAY, "--reason", "congress"], "BLOCK_ID"),
    (["release", "1", "--date", "03/03/2031", "--reason", "congress"], "--date"),
])
def test_bad_dates_and_ids_are_exit_2(blocks_cli: CliRunner, args: list[str],
                                      option: str) -> None:
    result = blocks_cli("blocks", *args)
    assert result.code == 2, result.err
    assert option in result.err


def test_an_unknown_block_is_exit_2(blocks_cli: CliRunner) -> None:
    result = blocks_cli("blocks", "release", "999", "--date", MONDAY, "--reason", "congress")
    assert result.code == 2, result.err
    assert "999" in result.err


def test_release_and_take_back_one_date(blocks_cli: CliRunner) -> None:
    block = add_block(blocks_cli)
    released = blocks_cli("blocks", "release", str(block["id"]), "--date", WEDNESDAY,
                         "--reason", "Congress in Vienna")
    assert released.code == 0, released.err
    assert "Congress in Vienna" in released.out
    dates = blocks_cli("blocks", "list", "--from", MONDAY, "--to", SUNDAY, "--json").json()
    assert [(o["day"], o["released"], o["released_by_rule"], o["release_reason"])
            for o in dates] == [(MONDAY, False, False, None),
                                (WEDNESDAY, True, False, "Congress in Vienna")]
    table = blocks_cli("blocks", "list", "--from", WEDNESDAY).out
    assert "released" in table
    assert "Congress in Vienna" in table
    again = blocks_cli("blocks", "release", str(block["id"]), "--date", WEDNESDAY,
                      "--reason", "twice")
    assert again.code == 1, again.err

    back = blocks_cli("blocks", "unrelease", str(block["id"]), "--date", WEDNESDAY)
    assert back.code == 0, back.err
    dates = blocks_cli("blocks", "list", "--from", WEDNESDAY, "--json").json()
    assert dates[0]["released"] is False


def test_a_release_needs_a_reason(blocks_cli: CliRunner) -> None:
    block = add_block(blocks_cli)
    result = blocks_cli("blocks", "release", str(block["id"]), "--date", MONDAY,
                       "--reason", "  ")
    assert result.code == 2
    assert "--reason" in result.err


def test_the_owner_surgeon_releases_others_are_refused(blocks_cli: CliRunner) -> None:
    block = add_block(blocks_cli, owner=("--surgeon", "dr.grey"))
    shep = blocks_cli("--user", "dr.shep", "blocks", "release", str(block["id"]),
                     "--date", MONDAY, "--reason", "not mine", stdin=PASSWORD)
    assert shep.code == 1, shep.err
    nurse = blocks_cli("--user", "nurse1", "blocks", "release", str(block["id"]),
                      "--date", MONDAY, "--reason", "not mine", stdin=PASSWORD)
    assert nurse.code == 1, nurse.err
    grey = blocks_cli("--user", "dr.grey", "blocks", "release", str(block["id"]),
                     "--date", MONDAY, "--reason", "Teaching day", stdin=PASSWORD)
    assert grey.code == 0, grey.err
    # Adding blocks is the schedulers' and admins' job.
    added = blocks_cli("--user", "dr.grey", "blocks", "add", "--room", "OR-2", "--surgeon",
                      "dr.grey", "--weekdays", "2", "--start", "08:00", "--end", "12:00",
                      stdin=PASSWORD)
    assert added.code == 1, added.err


def test_a_started_date_is_not_released_and_surgeons_take_nothing_back(
        blocks_cli: CliRunner) -> None:
    past = blocks_cli("blocks", "add", "--room", "OR-2", "--surgeon", "dr.grey",
                      "--weekdays", "1", "--start", "08:00", "--end", "12:00",
                      "--from", "2020-01-06", "--json")
    assert past.code == 0, past.err
    block_id = str(past.json()["id"])
    started = blocks_cli("blocks", "release", block_id, "--date", "2020-01-13",
                         "--reason", "too late")
    assert started.code == 1, started.err
    future = add_block(blocks_cli, owner=("--surgeon", "dr.grey"))
    assert blocks_cli("blocks", "release", str(future["id"]), "--date", MONDAY,
                      "--reason", "Congress").code == 0
    taken_back = blocks_cli("--user", "dr.grey", "blocks", "unrelease", str(future["id"]),
                            "--date", MONDAY, stdin=PASSWORD)
    assert taken_back.code == 1, taken_back.err
    dates = blocks_cli("blocks", "list", "--from", MONDAY, "--json").json()
    assert [o["released"] for o in dates if o["block_id"] == future["id"]] == [True]


def test_writes_need_a_sign_in_reads_do_not(blocks_cli: CliRunner) -> None:
    block = add_block(blocks_cli)
    assert blocks_cli("logout").code == 0
    refused = blocks_cli("blocks", "release", str(block["id"]), "--date", MONDAY,
                        "--reason", "congress")
    assert refused.code == 1
    assert "sign" in refused.err
    assert blocks_cli("blocks", "list").code == 0
    assert blocks_cli("blocks", "usage", "--from", MONDAY, "--to", SUNDAY).code == 0


def test_a_block_ended_after_a_date_holds_no_later_dates(blocks_cli: CliRunner) -> None:
    block = add_block(blocks_cli)
    result = blocks_cli("blocks", "end", str(block["id"]), "--after", WEDNESDAY)
    assert result.code == 0, result.err
    assert WEDNESDAY in result.out
    listed = blocks_cli("blocks", "list", "--json").json()
    assert listed[0]["valid_until"] == WEDNESDAY
    later = blocks_cli("blocks", "list", "--from", MONDAY, "--to", "2031-03-31", "--json")
    assert [o["day"] for o in later.json()] == [MONDAY, WEDNESDAY]


def test_usage_per_block_and_in_total_with_its_definition(admin_cli: CliRunner) -> None:
    # OR-1 (turnover 30): the general service's block, Monday and Wednesday 08:00-12:00.
    block = add_block(admin_cli, start="08:00", end="12:00")
    add_case(admin_cli, f"{MONDAY}T08:00", "90")  # 08:00-09:30
    add_case(admin_cli, f"{MONDAY}T10:00", "60")  # 10:00-11:00; 30 min turnover between
    released = admin_cli("blocks", "release", str(block["id"]), "--date", WEDNESDAY,
                         "--reason", "Audit day")
    assert released.code == 0, released.err

    result = admin_cli("blocks", "usage", "--from", MONDAY, "--to", SUNDAY, "--json")
    assert result.code == 0, result.err
    report = result.json()
    # Monday: 90 + 30 + 60 = 180 of 240 minutes; Wednesday's 240 released, reported apart.
    assert (report["used_minutes"], report["block_minutes"], report["released_minutes"]) == (
        180, 240, 240)
    assert report["utilization"] == pytest.approx(0.75)
    assert [(r["block_id"], r["used_minutes"], r["released_occurrences"])
            for r in report["rows"]] == [(block["id"], 180, 1)]
    assert report["definition"]

    table = admin_cli("blocks", "usage", "--from", MONDAY, "--to", SUNDAY).out
    assert "75%" in table
    assert "TOTAL" in table
    assert "240 min (1 date)" in table
    assert f"definition: {report['definition']}" in table


def test_usage_by_room(blocks_cli: CliRunner) -> None:
    add_block(blocks_cli)
    other = add_block(blocks_cli, room="OR-2", owner=("--surgeon", "dr.shep"))
    report = blocks_cli("blocks", "usage", "--from", MONDAY, "--to", SUNDAY, "--room", "OR-2",
                       "--json").json()
    assert [r["block_id"] for r in report["rows"]] == [other["id"]]
    unknown = blocks_cli("blocks", "usage", "--from", MONDAY, "--to", SUNDAY, "--room", "OR-9")
    assert unknown.code == 2
    assert "--room" in unknown.err


@pytest.mark.parametrize("args", [["blocks", "--help"], ["blocks", "add", "--help"],
                                  ["blocks", "usage"]])
def test_blocks_help_and_usage_errors_load_no_heavy_library(args: list[str]) -> None:
    probe = (
        "import sys\n"
        "from surgdesk.cli.main import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit as exc:\n"
        "    print('EXIT', exc.code)\n"
        "heavy = ('sqlalchemy', 'psycopg', 'pydantic', 'PySide6', 'alembic', 'argon2')\n"
        "print('LOADED', sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120, check=False)
    assert "LOADED []" in result.stdout, result.stdout[-300:] + result.stderr[-500:]
    assert ("EXIT 0" if "--help" in args else "EXIT 2") in result.stdout
