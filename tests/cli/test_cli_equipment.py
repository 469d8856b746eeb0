"""`surgdesk equipment`, `surgdesk cards` and the equipment of `surgdesk cases`: units and
kinds added, edited and closed, preference cards, cases needing and holding units, with
the CLI's exit codes (2 bad input naming the option, 1 refused — a busy unit's refusal
names the cases holding it).

Most tests run on a SQLite copy of one staffed database with a small fleet made once per
module (the rules are the services', tested on both backends in tests/services); the
refusal naming the holders also runs on Postgres."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from surgdesk.repository.database import Database, make_nullpool_engine
from surgdesk.services.equipment import EquipmentService
from surgdesk.services.rooms import RoomService
from tests.cli.conftest import PASSWORD, CliRunner, Run, signed_in_copy, staff_department
from tests.conftest import fold_wal

DAY = "2031-03-04"  # a Tuesday far ahead: nothing has started


@pytest.fixture(scope="module")
def fleet_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """admin_cli's department (``staff_department``) and OR-3; kinds C-arm and Robot;
    C-arm 1 and C-arm 2 (15 min turnaround, any room), the robot (OR-1 only). Made once
    through the services."""
    path = tmp_path_factory.mktemp("equipment") / "fleet.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    actor = staff_department(url)
    db = Database(make_nullpool_engine(url))
    try:
        RoomService(db).add_room(actor, code="OR-3", name="Theatre 3", turnover_minutes=20)
        equipment = EquipmentService(db)
        for kind in ("C-arm", "Robot"):
            equipment.add_kind(actor, kind)
        for name in ("C-arm 1", "C-arm 2"):
            equipment.add_unit(actor, name=name, kind="C-arm", turnaround_min=15)
        equipment.add_unit(actor, name="Robot", kind="Robot", rooms=("OR-1",),
                           turnaround_min=30)
    finally:
        db.dispose()
    fold_wal(path)
    return path


@pytest.fixture
def fleet_cli(fleet_template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
              monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The CLI on a fresh copy of the fleet database, the admin signed in."""
    return signed_in_copy(fleet_template, tmp_path, capsys, monkeypatch)


def add_case(cli: CliRunner, *extra: str, room: str = "OR-2", start: str = "08:00",
             duration: str = "60", procedure: str = "ORIF distal radius") -> Run:
    return cli("cases", "add", "--procedure", procedure, "--patient-id", "MRN7",
               "--patient-name", "Pat Example", "--surgeon", "dr.grey", "--laterality",
               "left", "--room", room, "--start", f"{DAY}T{start}", "--duration", duration,
               "--json", *extra)


def placed(cli: CliRunner, *extra: str, **where: str) -> dict:  # type: ignore[type-arg]
    result = add_case(cli, *extra, **where)
    assert result.code == 0, result.err
    data: dict = result.json()  # type: ignore[type-arg]
    return data


# --- units and kinds -------------------------------------------------------------------------

def test_units_are_added_and_listed(fleet_cli: CliRunner) -> None:
    added = fleet_cli("equipment", "add", "--name", "Laser 1", "--kind", "C-arm",
                      "--room", "OR-2", "--room", "OR-3", "--turnaround", "20", "--json")
    assert added.code == 0, added.err
    assert added.json()["room_codes"] == ["OR-2", "OR-3"]
    units = fleet_cli("equipment", "list", "--json").json()
    assert [(u["name"], u["kind"], u["status"], u["turnaround_minutes"], u["room_codes"])
            for u in units] == [
        ("C-arm 1", "C-arm", "available", 15, []),
        ("C-arm 2", "C-arm", "available", 15, []),
        ("Laser 1", "C-arm", "available", 20, ["OR-2", "OR-3"]),
        ("Robot", "Robot", "available", 30, ["OR-1"]),
    ]
    table = fleet_cli("equipment", "list").out.splitlines()
    assert table[0].split()[:3] == ["NAME", "KIND", "STATUS"]
    assert any("C-arm 1" in line and "any" in line and "15 min" in line for line in table)
    assert any("OR-2,OR-3" in line for line in table)


def test_kinds_are_listed_and_added(fleet_cli: CliRunner) -> None:
    added = fleet_cli("equipment", "kinds", "add", "Microscope")
    assert added.code == 0, added.err
    kinds = fleet_cli("equipment", "kinds", "--json").json()
    assert {k["name"]: k["unit_count"] for k in kinds} == {
        "C-arm": 2, "Microscope": 0, "Robot": 1}
    assert "Microscope" in fleet_cli("equipment", "kinds").out
    again = fleet_cli("equipment", "kinds", "add", "microscope")
    assert again.code == 1, again.err  # a duplicate, case-insensitive


@pytest.mark.parametrize(("args", "option"), [
    (["add", "--name", "X", "--kind", "Nope"], "--kind"),
    (["add", "--name", "X", "--kind", "C-arm", "--room", "OR-9"], "--room"),
    (["add", "--name", "X", "--kind", "C-arm", "--turnaround", "600"], "--turnaround"),
    (["add", "--name", "X", "--kind", "C-arm", "--turnaround", "ten"], "--turnaround"),
    (["add", "--name", "  ", "--kind", "C-arm"], "--name"),
    (["update", "C-arm 1"], "unit"),
    (["update", "C-arm 9", "--turnaround", "5"], "NAME"),
    (["close", "C-arm 1", "--from", f"{DAY}T08:00", "--to", f"{DAY}T07:00",
      "--reason", "service"], "--to"),
    (["close", "C-arm 1", "--from", "tuesday", "--to", f"{DAY}T09:00",
      "--reason", "service"], "--from"),
])
def test_bad_equipment_input_is_exit_2_naming_the_option(fleet_cli: CliRunner,
                                                          args: list[str],
                                                          option: str) -> None:
    result = fleet_cli("equipment", *args)
    assert result.code == 2, result.err
    assert option in result.err
    assert len(fleet_cli("equipment", "list", "--json").json()) == 3


def test_reads_need_no_sign_in_writes_do(fleet_cli: CliRunner) -> None:
    assert fleet_cli("logout").code == 0
    assert fleet_cli("equipment", "list").code == 0
    assert fleet_cli("cards", "list").code == 0
    refused = fleet_cli("equipment", "add", "--name", "C-arm 3", "--kind", "C-arm")
    assert refused.code == 1
    assert "sign" in refused.err
    nurse = fleet_cli("--user", "nurse1", "equipment", "update", "C-arm 1", "--status",
                      "maintenance", stdin=PASSWORD)
    assert nurse.code == 1, nurse.err


# --- cases holding units ---------------------------------------------------------------------

def test_a_case_needing_a_kind_holds_a_unit_shown_in_json_and_text(
        fleet_cli: CliRunner) -> None:
    case = placed(fleet_cli, "--equipment", "C-arm")
    assert case["equipment"] == [{"kind": "C-arm", "unit": "C-arm 1", "pinned": False}]
    listed = fleet_cli("cases", "list", "--json").json()
    assert listed[0]["equipment"] == case["equipment"]
    table = fleet_cli("cases", "list").out.splitlines()
    assert table[0].split()[-1] == "EQUIPMENT"
    assert table[1].endswith("C-arm 1")
    shown = fleet_cli("cases", "show", case["case_number"], "--json").json()
    assert shown["equipment"] == case["equipment"]
    assert shown["card"] is None
    assert "equipment: C-arm 1" in fleet_cli("cases", "show", case["case_number"]).out


def test_a_chosen_unit_is_pinned(fleet_cli: CliRunner) -> None:
    case = placed(fleet_cli, "--unit", "C-arm 2")
    assert case["equipment"] == [{"kind": "C-arm", "unit": "C-arm 2", "pinned": True}]
    assert "C-arm 2*" in fleet_cli("cases", "list").out
    moved = fleet_cli("cases", "move", case["case_number"], "--start", f"{DAY}T13:00")
    assert moved.code == 0, moved.err
    assert moved.out.rstrip().endswith("equipment: C-arm 2*")


def test_a_queued_case_keeps_its_needs_without_units(fleet_cli: CliRunner) -> None:
    result = fleet_cli("cases", "add", "--procedure", "ORIF", "--patient-id", "MRN8",
                       "--patient-name", "Sam Sample", "--surgeon", "dr.grey",
                       "--laterality", "right", "--equipment", "C-arm", "--equipment",
                       "C-arm", "--json")
    assert result.code == 0, result.err
    assert result.json()["equipment"] == [
        {"kind": "C-arm", "unit": None, "pinned": False}] * 2


def test_the_last_unit_taken_is_refused_with_1_naming_the_holders(
        fleet_cli: CliRunner) -> None:
    first = placed(fleet_cli, "--equipment", "C-arm", room="OR-2")
    second = placed(fleet_cli, "--equipment", "C-arm", room="OR-3")
    refused = add_case(fleet_cli, "--equipment", "C-arm", room="OR-1", start="08:30")
    assert refused.code == 1, refused.err
    assert first["case_number"] in refused.err
    assert second["case_number"] in refused.err
    assert "OR-2" in refused.err
    assert "OR-3" in refused.err
    assert len(fleet_cli("cases", "list", "--json").json()) == 2
    # 09:00 + 15 min turnaround: free again at 09:15, not before.
    assert add_case(fleet_cli, "--equipment", "C-arm", room="OR-1",
                    start="09:10").code == 1
    assert add_case(fleet_cli, "--equipment", "C-arm", room="OR-1",
                    start="09:15").code == 0


def test_the_robot_outside_its_rooms_is_refused(fleet_cli: CliRunner) -> None:
    refused = add_case(fleet_cli, "--equipment", "Robot", room="OR-2",
                       procedure="Robotic prostatectomy")
    assert refused.code == 1, refused.err
    assert "Robot" in refused.err
    assert placed(fleet_cli, "--equipment", "Robot", room="OR-1")["equipment"][0][
        "unit"] == "Robot"


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_a_busy_unit_is_refused_on_postgres_naming_the_holder(admin_cli: CliRunner) -> None:
    steps = [["equipment", "kinds", "add", "C-arm"],
             ["equipment", "add", "--name", "C-arm 1", "--kind", "C-arm"]]
    for step in steps:
        assert admin_cli(*step).code == 0
    first = placed(admin_cli, "--equipment", "C-arm", room="OR-1")
    refused = add_case(admin_cli, "--equipment", "C-arm", room="OR-2", start="08:30")
    assert refused.code == 1, refused.err
    assert first["case_number"] in refused.err
    assert "OR-1" in refused.err


def test_maintenance_moves_cases_to_another_unit_or_leaves_them_without(
        fleet_cli: CliRunner) -> None:
    first = placed(fleet_cli, "--equipment", "C-arm", room="OR-2")
    second = placed(fleet_cli, "--equipment", "C-arm", room="OR-3")
    moved = fleet_cli("equipment", "update", "C-arm 1", "--status", "maintenance", "--json")
    assert moved.code == 0, moved.err
    assert moved.json()["unit"]["status"] == "maintenance"
    # C-arm 2 is taken by the second case at that time: the first has none now.
    assert moved.json()["reassigned"] == []
    assert moved.json()["lost"] == [first["case_number"]]
    cases = {c["case_number"]: c for c in fleet_cli("cases", "list", "--json").json()}
    assert cases[first["case_number"]]["equipment"][0]["unit"] is None
    assert cases[second["case_number"]]["equipment"][0]["unit"] == "C-arm 2"
    assert "C-arm: none" in fleet_cli("cases", "list").out
    back = fleet_cli("equipment", "update", "C-arm 2", "--status", "retired")
    assert back.code == 0, back.err
    assert second["case_number"] in back.out
    assert "lost the unit" in back.out


def test_a_closure_takes_the_unit_and_names_the_case(fleet_cli: CliRunner) -> None:
    case = placed(fleet_cli, "--unit", "C-arm 1")
    closed = fleet_cli("equipment", "close", "C-arm 1", "--from", f"{DAY}T07:00",
                       "--to", f"{DAY}T12:00", "--reason", "Annual service")
    assert closed.code == 0, closed.err
    assert "Annual service" in closed.out
    assert f"{DAY} 07:00" in closed.out
    assert case["case_number"] in closed.out
    # A pinned need keeps its unit or none: no other C-arm is given.
    cases = fleet_cli("cases", "list", "--json").json()
    assert cases[0]["equipment"][0]["unit"] is None


def test_a_unit_limited_to_rooms_and_back_to_any(fleet_cli: CliRunner) -> None:
    limited = fleet_cli("equipment", "update", "C-arm 1", "--room", "OR-3", "--name",
                        "Mobile C-arm", "--turnaround", "5", "--json")
    assert limited.code == 0, limited.err
    unit = limited.json()["unit"]
    assert (unit["name"], unit["room_codes"], unit["turnaround_minutes"]) == (
        "Mobile C-arm", ["OR-3"], 5)
    anywhere = fleet_cli("equipment", "update", "Mobile C-arm", "--any-room", "--json")
    assert anywhere.json()["unit"]["room_codes"] == []


# --- preference cards ------------------------------------------------------------------------

def add_card(cli: CliRunner, *extra: str) -> dict:  # type: ignore[type-arg]
    result = cli("cards", "add", "--surgeon", "dr.grey", "--procedure", "ORIF distal radius",
                 "--duration", "70", "--equipment", "C-arm", "--laterality-prompt",
                 "--positioning", "Supine, arm on a hand table", "--tray",
                 "Small fragment set", "--tray", "Volar plating set", "--supply",
                 "Sterile C-arm drape", "--notes", "Tourniquet 250 mmHg", "--json", *extra)
    assert result.code == 0, result.err
    data: dict = result.json()  # type: ignore[type-arg]
    return data


def test_a_card_is_added_listed_and_shown(fleet_cli: CliRunner) -> None:
    card = add_card(fleet_cli)
    assert (card["surgeon_username"], card["procedure_name"], card["duration_min"],
            card["equipment"], card["laterality_prompt"], card["trays"],
            card["supplies"]) == (
        "dr.grey", "ORIF distal radius", 70, ["C-arm"], True,
        ["Small fragment set", "Volar plating set"], ["Sterile C-arm drape"])
    assert [c["id"] for c in fleet_cli("cards", "list", "--json").json()] == [card["id"]]
    assert fleet_cli("cards", "list", "--surgeon", "dr.shep", "--json").json() == []
    table = fleet_cli("cards", "list", "--surgeon", "dr.grey").out
    assert "ORIF distal radius" in table
    assert "70 min" in table
    shown = fleet_cli("cards", "show", str(card["id"]))
    assert shown.code == 0, shown.err
    assert "  - Volar plating set" in shown.out
    assert "positioning: Supine, arm on a hand table" in shown.out
    assert fleet_cli("cards", "show", str(card["id"]), "--json").json() == card


def test_a_card_is_updated_and_deleted(fleet_cli: CliRunner) -> None:
    card = add_card(fleet_cli)
    result = fleet_cli("cards", "update", str(card["id"]), "--duration", "80",
                       "--no-equipment", "--no-laterality-prompt", "--tray", "Mini set",
                       "--json")
    assert result.code == 0, result.err
    updated = result.json()
    assert (updated["duration_min"], updated["equipment"], updated["laterality_prompt"],
            updated["trays"], updated["supplies"]) == (
        80, [], False, ["Mini set"], ["Sterile C-arm drape"])
    assert fleet_cli("cards", "update", str(card["id"])).code == 2
    assert fleet_cli("cards", "update", str(card["id"]), "--duration", "0").code == 2
    deleted = fleet_cli("cards", "delete", str(card["id"]))
    assert deleted.code == 0, deleted.err
    assert fleet_cli("cards", "list", "--json").json() == []


def test_card_refusals_and_bad_input(fleet_cli: CliRunner) -> None:
    add_card(fleet_cli)
    duplicate = fleet_cli("cards", "add", "--surgeon", "dr.grey", "--procedure",
                          "orif distal radius ")
    assert duplicate.code == 1, duplicate.err
    unknown = fleet_cli("cards", "add", "--surgeon", "dr.nobody", "--procedure", "X")
    assert (unknown.code, "--surgeon" in unknown.err) == (2, True)
    kind = fleet_cli("cards", "add", "--surgeon", "dr.grey", "--procedure", "X",
                     "--equipment", "Laser")
    assert (kind.code, "--equipment" in kind.err) == (2, True)
    missing = fleet_cli("cards", "show", "999")
    assert missing.code == 2, missing.err
    not_an_id = fleet_cli("cards", "show", "first")
    assert (not_an_id.code, "ID" in not_an_id.err) == (2, True)
    others = fleet_cli("--user", "dr.shep", "cards", "add", "--surgeon", "dr.grey",
                       "--procedure", "Hernia repair", stdin=PASSWORD)
    assert others.code == 1, others.err
    own = fleet_cli("--user", "dr.shep", "cards", "add", "--surgeon", "dr.shep",
                    "--procedure", "Lumbar microdiscectomy", stdin=PASSWORD)
    assert own.code == 0, own.err


def test_cases_add_with_a_card_fills_from_it(fleet_cli: CliRunner) -> None:
    card = add_card(fleet_cli)
    result = fleet_cli("cases", "add", "--card", str(card["id"]), "--patient-id", "MRN9",
                       "--patient-name", "Kim Example", "--laterality", "left", "--room",
                       "OR-2", "--start", f"{DAY}T10:00", "--json")
    assert result.code == 0, result.err
    case = result.json()
    assert (case["procedure_name"], case["lead_surgeon"], case["estimated_duration_min"]) \
        == ("ORIF distal radius", "dr.grey", 70)
    assert case["equipment"] == [{"kind": "C-arm", "unit": "C-arm 1", "pinned": False}]
    shown = fleet_cli("cases", "show", case["case_number"], "--json").json()
    assert shown["card"]["id"] == card["id"]
    assert "Volar plating set" in fleet_cli("cases", "show", case["case_number"]).out
    # What is given wins over the card.
    given = fleet_cli("cases", "add", "--card", str(card["id"]), "--procedure",
                      "ORIF distal radius, revision", "--duration", "95", "--patient-id",
                      "MRN10", "--patient-name", "Lou Example", "--laterality", "right",
                      "--json")
    assert given.code == 0, given.err
    assert (given.json()["procedure_name"], given.json()["estimated_duration_min"]) == (
        "ORIF distal radius, revision", 95)


def test_cases_add_needs_a_procedure_and_surgeon_or_a_card(fleet_cli: CliRunner) -> None:
    result = fleet_cli("cases", "add", "--patient-id", "MRN9", "--patient-name",
                       "Kim Example", "--laterality", "left")
    assert result.code == 2, result.err
    assert "--procedure" in result.err
    assert "--surgeon" in result.err
    unknown = fleet_cli("cases", "add", "--card", "999", "--patient-id", "MRN9",
                        "--patient-name", "Kim Example", "--laterality", "left")
    assert unknown.code == 2, unknown.err
    other = add_card(fleet_cli)
    wrong = fleet_cli("cases", "add", "--card", str(other["id"]), "--surgeon", "dr.shep",
                      "--patient-id", "MRN9", "--patient-name", "Kim Example",
                      "--laterality", "left")
    assert wrong.code == 2, wrong.err
    assert "--card" in wrong.err
