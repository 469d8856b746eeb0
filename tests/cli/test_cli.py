"""The CLI: each command, its exit codes, and its messages for bad input."""

from __future__ import annotations

import pytest

from tests.cli.conftest import PASSWORD, CliRunner

# A Monday, in winter (CET, +01:00).
DAY = "2026-03-02"


def add_case(cli: CliRunner, *extra: str, room: str = "OR-1", start: str = f"{DAY}T08:00",
             duration: str = "90", surgeon: str = "dr.grey") -> dict:  # type: ignore[type-arg]
    result = cli("cases", "add", "--procedure", "Laparoscopic cholecystectomy",
                 "--patient-id", "MRN1001", "--patient-name", "Pat Example",
                 "--surgeon", surgeon, "--laterality", "right", "--room", room, "--start", start,
                 "--duration", duration, "--json", *extra)
    assert result.code == 0, result.err
    data: dict = result.json()  # type: ignore[type-arg]
    return data


def test_first_user_must_be_admin(cli: CliRunner) -> None:
    result = cli("users", "add", "--username", "sue", "--role", "scheduler", "--display-name",
                 "Sue", "--email", "sue@or.hospital.local", "--password-stdin", stdin=PASSWORD)
    assert result.code in (1, 2)
    assert "admin" in result.err


def test_login_whoami_logout(admin_cli: CliRunner) -> None:
    assert "admin (admin" in admin_cli("whoami").out
    assert admin_cli("logout").code == 0
    assert "not signed in" in admin_cli("whoami").out


def test_wrong_password_is_refused_with_1(admin_cli: CliRunner) -> None:
    result = admin_cli("login", "--username", "admin", "--password-stdin", stdin="nope-nope-nope")
    assert result.code == 1
    assert "password" in result.err.lower()


def test_account_locks_after_five_failures(admin_cli: CliRunner) -> None:
    for _ in range(5):
        admin_cli("login", "--username", "gas", "--password-stdin", stdin="wrong-password-x")
    result = admin_cli("login", "--username", "gas", "--password-stdin", stdin=PASSWORD)
    assert result.code == 1
    assert "locked" in result.err.lower()


def test_add_scheduled_case_prints_json_with_design_field_names(admin_cli: CliRunner) -> None:
    case = add_case(admin_cli)
    assert case["status"] == "scheduled"
    assert case["room"] == "OR-1"
    assert case["scheduled_start"] == "2026-03-02T07:00:00+00:00"  # 08:00 Berlin
    assert case["scheduled_end"] == "2026-03-02T08:30:00+00:00"
    assert case["procedure_name"] == "Laparoscopic cholecystectomy"
    assert case["priority"] == "elective"
    assert case["case_number"]


def test_requested_case_without_room(admin_cli: CliRunner) -> None:
    result = admin_cli("cases", "add", "--procedure", "Hernia repair", "--patient-id", "MRN2",
                       "--patient-name", "Al Example", "--surgeon", "dr.grey",
                       "--laterality", "left", "--json")
    assert result.code == 0, result.err
    assert result.json()["status"] == "requested"
    listed = admin_cli("cases", "list", "--status", "requested", "--json").json()
    assert [c["case_number"] for c in listed] == [result.json()["case_number"]]


def test_room_overlap_including_turnover_is_refused_with_1(admin_cli: CliRunner) -> None:
    add_case(admin_cli)  # 08:00-09:30, room held until 10:00
    result = admin_cli("cases", "add", "--procedure", "Appendectomy", "--patient-id", "MRN9",
                       "--patient-name", "B Example", "--surgeon", "dr.shep",
                       "--laterality", "left", "--room", "OR-1", "--start", f"{DAY}T09:45",
                       "--duration", "60")
    assert result.code == 1
    assert "room" in result.err.lower()
    assert len(admin_cli("cases", "list", "--from", DAY, "--to", DAY, "--json").json()) == 1


def test_soft_conflict_is_a_warning_and_the_change_is_made(admin_cli: CliRunner) -> None:
    add_case(admin_cli)
    result = admin_cli("cases", "add", "--procedure", "Appendectomy", "--patient-id", "MRN9",
                       "--patient-name", "B Example", "--surgeon", "dr.grey",
                       "--laterality", "left", "--room", "OR-2", "--start", f"{DAY}T08:30",
                       "--duration", "60", "--json")
    assert result.code == 0, result.err
    assert "warning" in result.err
    assert result.json()["warnings"]


def test_move_and_resize(admin_cli: CliRunner) -> None:
    number = add_case(admin_cli)["case_number"]
    moved = admin_cli("cases", "move", number, "--room", "OR-2", "--start", f"{DAY}T13:00",
                      "--json")
    assert moved.code == 0, moved.err
    assert moved.json()["room"] == "OR-2"
    assert moved.json()["scheduled_end"] == "2026-03-02T13:30:00+00:00"  # duration kept
    resized = admin_cli("cases", "move", number, "--duration", "120", "--json")
    assert resized.json()["scheduled_end"] == "2026-03-02T14:00:00+00:00"


def test_list_filters_by_date_room_and_status(admin_cli: CliRunner) -> None:
    add_case(admin_cli)
    add_case(admin_cli, room="OR-2", start="2026-03-03T08:00", surgeon="dr.shep")
    assert len(admin_cli("cases", "list", "--from", DAY, "--to", DAY, "--json").json()) == 1
    assert len(admin_cli("cases", "list", "--room", "OR-2", "--json").json()) == 1
    both = admin_cli("cases", "list", "--from", DAY, "--to", "2026-03-03", "--json").json()
    assert len(both) == 2
    assert admin_cli("cases", "list", "--status", "cancelled", "--json").json() == []


def test_status_postpone_needs_a_reason(admin_cli: CliRunner) -> None:
    number = add_case(admin_cli)["case_number"]
    result = admin_cli("cases", "status", number, "postponed")
    assert result.code == 2
    assert "reason" in result.err
    ok = admin_cli("cases", "status", number, "postponed", "--reason", "patient has a fever")
    assert ok.code == 0, ok.err


def test_status_not_allowed_by_the_checklist_is_refused_with_1(admin_cli: CliRunner) -> None:
    number = add_case(admin_cli)["case_number"]
    result = admin_cli("cases", "status", number, "completed")
    assert result.code == 1


def test_checklist_show_tick_and_signoff(admin_cli: CliRunner) -> None:
    number = add_case(admin_cli)["case_number"]
    shown = admin_cli("checklist", "show", number, "--json").json()
    assert shown["case_number"] == number
    phases = {c["phase"]: c for c in shown["checklists"]}
    assert set(phases) == {"pre_op", "post_op"}
    item = phases["pre_op"]["items"][0]
    assert set(item) >= {"item_code", "section", "label", "is_required", "status",
                         "completed_by", "completed_at", "notes"}
    for code in ("RD-CONSENT", "RD-ASSESSMENT", "RD-RESULTS", "RD-FASTING"):
        assert admin_cli("checklist", "tick", number, code).code == 0
    listed = admin_cli("cases", "list", "--from", DAY, "--to", DAY, "--json").json()
    assert listed[0]["status"] == "preop_ready"
    refused = admin_cli("checklist", "signoff", number, "pre_op")
    assert refused.code == 1  # Sign In and Time Out not done yet
    ticked = admin_cli("checklist", "show", number, "--json").json()
    done = [i for i in ticked["checklists"][0]["items"] if i["status"] == "done"]
    assert {i["completed_by"] for i in done} == {"admin"}


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--start", "2026-13-40T08:00"], "--start"),
        (["--start", "tomorrow"], "--start"),
        (["--duration", "-30"], "--duration"),
        (["--duration", "abc"], "--duration"),
        (["--room", "OR-99"], "room"),
        (["--surgeon", "nobody"], "surgeon"),
        (["--priority", "whenever"], "priority"),
        (["--laterality", "middle"], "laterality"),
        (["--patient-name", ""], "patient_name"),
        (["--procedure", "x" * 500], "procedure_name"),
        # 2026-03-29 02:30 does not exist in Berlin (clocks jump from 02:00 to 03:00).
        (["--start", "2026-03-29T02:30"], "start"),
        (["--end", "2026-03-02T07:00"], "end"),
    ],
)
def test_bad_input_exits_2_naming_the_field(admin_cli: CliRunner, args: list[str],
                                            field: str) -> None:
    base = {"--procedure": "Hernia repair", "--patient-id": "MRN5", "--patient-name": "C Ex",
            "--surgeon": "dr.grey", "--room": "OR-1", "--start": f"{DAY}T08:00",
            "--duration": "60", "--laterality": "left"}
    if "--end" in args:
        base.pop("--duration")
    for key, value in zip(args[::2], args[1::2], strict=True):
        base[key] = value
    flat = [part for pair in base.items() for part in pair]
    result = admin_cli("cases", "add", *flat)
    assert result.code == 2, result.err
    assert field in result.err


def test_unknown_status_and_case_exit_2(admin_cli: CliRunner) -> None:
    number = add_case(admin_cli)["case_number"]
    assert admin_cli("cases", "status", number, "teleported").code == 2
    result = admin_cli("cases", "move", "1999-000000", "--start", f"{DAY}T10:00")
    assert result.code == 2
    assert "case" in result.err


def test_usage_errors_exit_2(admin_cli: CliRunner) -> None:
    with pytest.raises(SystemExit) as exc:
        admin_cli("cases", "add", "--procedure", "x")
    assert exc.value.code == 2


def test_duplicate_room_code_exits_1(admin_cli: CliRunner) -> None:
    result = admin_cli("rooms", "add", "--code", "or-1", "--name", "Again")
    assert result.code == 1
    assert "code" in result.err


def test_internal_domain_email_accepted(admin_cli: CliRunner) -> None:
    result = admin_cli("users", "add", "--username", "sched", "--role", "scheduler",
                       "--display-name", "Sam Scheduler", "--email",
                       "sam.scheduler@or.hospital.local", "--password-stdin", stdin=PASSWORD)
    assert result.code == 0, result.err


def test_room_closure_blocks_booking(admin_cli: CliRunner) -> None:
    closed = admin_cli("rooms", "close", "OR-2", "--from", f"{DAY}T00:00",
                       "--to", f"{DAY}T23:59", "--reason", "deep clean")
    assert closed.code == 0, closed.err
    result = admin_cli("cases", "add", "--procedure", "Hernia repair", "--patient-id", "MRN5",
                       "--patient-name", "C Ex", "--surgeon", "dr.grey", "--laterality", "left",
                       "--room", "OR-2",
                       "--start", f"{DAY}T10:00", "--duration", "60")
    assert result.code == 1


def test_reads_without_login_are_masked(admin_cli: CliRunner) -> None:
    add_case(admin_cli)
    admin_cli("logout")
    listed = admin_cli("cases", "list", "--from", DAY, "--to", DAY, "--json")
    assert listed.code == 0
    case = listed.json()[0]
    assert case["patient_name"] is None
    assert case["patient_id"] is None
    assert "Pat Example" not in listed.out


def test_writes_without_login_are_refused(admin_cli: CliRunner) -> None:
    admin_cli("logout")
    result = admin_cli("rooms", "add", "--code", "OR-9", "--name", "Nine")
    assert result.code == 1
    assert "login" in result.err


def test_settings_show_and_set(admin_cli: CliRunner) -> None:
    shown = admin_cli("settings", "show", "--json").json()
    assert shown["time_zone"] == "Europe/Berlin"
    assert admin_cli("settings", "set", "--time-zone", "Mars/Olympus").code == 2
    assert admin_cli("settings", "set", "--time-zone", "Europe/Vienna").code == 0
    assert admin_cli("settings", "show", "--json").json()["time_zone"] == "Europe/Vienna"


def test_db_current_reports_up_to_date(admin_cli: CliRunner) -> None:
    result = admin_cli("db", "current")
    assert "up to date" in result.out


def test_daylist_pdf_masks_patients_without_login(admin_cli: CliRunner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    add_case(admin_cli)
    out_file = tmp_path / "day.pdf"
    signed_in = admin_cli("daylist", "--date", DAY, "--out", str(out_file))
    assert signed_in.code == 0, signed_in.err
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out_file).pages)
    assert "Pat Example" in text
    admin_cli("logout")
    assert admin_cli("daylist", "--date", DAY, "--out", str(out_file)).code == 0
    masked = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(out_file).pages)
    assert "Laparoscopic" in masked
    assert "Pat Example" not in masked
    assert admin_cli("daylist", "--date", "yesterday", "--out", str(out_file)).code == 2


def test_board_renders_png_and_refuses_other_formats(admin_cli: CliRunner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    add_case(admin_cli)
    png = tmp_path / "board.png"
    result = admin_cli("board", "--date", DAY, "--days", "2", "--out", str(png))
    assert result.code == 0, result.err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert admin_cli("board", "--date", DAY, "--out", str(tmp_path / "b.gif")).code == 2


def test_a_retried_move_with_the_same_op_id_is_applied_once(admin_cli: CliRunner) -> None:
    number = add_case(admin_cli)["case_number"]
    first = admin_cli("cases", "move", number, "--start", f"{DAY}T10:00", "--op-id",
                      "retry-0001-abcdef", "--json")
    assert first.code == 0, first.err
    admin_cli("cases", "move", number, "--start", f"{DAY}T13:00", "--json")
    again = admin_cli("cases", "move", number, "--start", f"{DAY}T10:00", "--op-id",
                      "retry-0001-abcdef", "--json")
    assert again.code == 0
    assert again.json()["scheduled_start"] == "2026-03-02T12:00:00+00:00"  # 13:00 kept
    assert admin_cli("cases", "move", number, "--start", f"{DAY}T10:00",
                     "--op-id", "x").code == 2


def test_board_export_is_audited(admin_cli: CliRunner, db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from surgdesk.domain import models as m
    from surgdesk.repository.database import make_nullpool_engine

    number = add_case(admin_cli)["case_number"]
    result = admin_cli("board", "--date", DAY, "--days", "2", "--out", str(tmp_path / "b.pdf"))
    assert result.code == 0, result.err
    engine = make_nullpool_engine(db_url)
    try:
        with engine.connect() as conn:
            details = list(conn.scalars(select(m.AuditEvent.details)
                                        .where(m.AuditEvent.action == "export_board")))
    finally:
        engine.dispose()
    assert len(details) == 1
    assert details[0]["first_day"] == DAY
    assert details[0]["days"] == 2
    assert details[0]["shows_patients"] is True
    assert details[0]["case_numbers"] == [number]
