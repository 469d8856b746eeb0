"""One function per command. Each opens the services, acts as the signed-in user, prints."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from surgdesk import startup
from surgdesk.cli import output as out
from surgdesk.cli.parsing import (
    parse_clock,
    parse_date,
    parse_datetime,
    parse_in_range,
    parse_whole,
)
from surgdesk.credentials import database_key
from surgdesk.domain.enums import (
    CaseStatus,
    ItemStatus,
    Laterality,
    Phase,
    Priority,
    Role,
    RoomStatus,
)
from surgdesk.domain.limits import CASE_DURATION, IDLE_LOCK, ON_TIME_GRACE, SNAP, TURNOVER
from surgdesk.errors import BadInput, FieldProblem, NotLoggedIn, Refused, RememberForbidden
from surgdesk.services.context import ANONYMOUS, Actor
from surgdesk.services.registry import Services

E = TypeVar("E", bound=StrEnum)
# Who signs in for one command when --user is not given (scripts, a shell session).
USER_ENV = "SURGDESK_USERNAME"


def parse_enum(enum: type[E], text: str, field: str) -> E:
    try:
        return enum(text.strip().lower())
    except ValueError:
        choices = ", ".join(m.value for m in enum)
        raise BadInput(FieldProblem(field, f"{text!r} is not one of: {choices}")) from None


@dataclass
class Context:
    services: Services
    actor: Actor
    url: str
    key: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.services.settings.get(self.actor).time_zone)

    def require_login(self) -> None:
        if not self.actor.signed_in:
            raise NotLoggedIn("not signed in: run `surgdesk login --username NAME` first, "
                              "or sign in for one command with `surgdesk --user NAME ...`")


def _current_actor(services: Services, key: str) -> Actor:
    """The remembered session for this database, or anonymous (a viewer)."""
    from surgdesk.credentials import CredentialStore

    store = CredentialStore()
    stored = store.load_session(key)
    if stored is None:
        return ANONYMOUS
    try:
        return services.auth.resume(stored.token)
    except NotLoggedIn:
        store.clear_session(key)
        print("note: your saved session has expired; run `surgdesk login`", file=sys.stderr)
        return ANONYMOUS


def _one_command_user(args: argparse.Namespace) -> str | None:
    """--user, else $SURGDESK_USERNAME: who signs in for this command only."""
    name = (getattr(args, "user", None) or os.environ.get(USER_ENV, "")).strip()
    return name or None


def _sign_in_for_command(services: Services, username: str) -> Actor:
    """A sign-in that ends with the command: no token, nothing in the keyring. Audited
    as a login like any other."""
    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {username}: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise BadInput(FieldProblem("password", f"no password given for --user {username}"))
    return services.auth.login(username, password).actor


@contextmanager
def opened(args: argparse.Namespace, *, login: bool = False,
           sign_in: bool = True) -> Iterator[Context]:
    """The services and who acts: the one-command sign-in (``sign_in`` and --user or
    $SURGDESK_USERNAME), else the remembered session, else anonymous."""
    url = startup.resolve_database_url(args.database)
    services = startup.open_services(url)
    try:
        key = database_key(url)
        user = _one_command_user(args) if sign_in else None
        actor = (_sign_in_for_command(services, user) if user is not None
                 else _current_actor(services, key))
        ctx = Context(services, actor, url, key)
        if login:
            ctx.require_login()
        yield ctx
    finally:
        services.close()


def _read_password(args: argparse.Namespace, *, confirm: bool = False) -> str | None:
    if getattr(args, "password_stdin", False):
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise BadInput(FieldProblem("password", "standard input gave no password"))
        return line
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass("Password: ")
    if confirm and getpass.getpass("Repeat password: ") != first:
        raise BadInput(FieldProblem("password", "the two passwords differ"))
    return first


# --- GUI and database ------------------------------------------------------------------------

def gui(args: argparse.Namespace) -> int:
    from surgdesk import display_check
    from surgdesk.app import run_gui, run_wall

    # Before the demo database is built: a headless `surgdesk --demo` says why at once.
    if (cannot := display_check.require_gui()) is not None:
        return cannot
    url = startup.resolve_database_url(args.database)
    if args.demo:
        url = args.database or _ensure_demo_database()
    if getattr(args, "wall", False):
        return run_wall(url)
    return run_gui(url)


def _ensure_demo_database() -> str:
    from surgdesk.paths import data_dir, ensure_private_dir
    from surgdesk.services.demo import generate_demo

    url = f"sqlite:///{ensure_private_dir(data_dir()) / 'demo.db'}"
    db = startup.open_database(url, create=True)
    try:
        summary = generate_demo(db, rooms=12, days=14)
    except Refused:
        pass  # filled on an earlier start
    else:
        print(f"demo database created at {url[len('sqlite:///'):]}; "
              f"sign in as scheduler1 / {summary.password}", file=sys.stderr)
    finally:
        db.dispose()
    return url


def db_upgrade(args: argparse.Namespace) -> int:
    from surgdesk.services import database_admin

    url = startup.resolve_database_url(args.database)
    db = startup.open_database(url, prepare=False, create=True)
    try:
        before, after = database_admin.upgrade(db)
    finally:
        db.dispose()
    print(f"schema {before or '(empty)'} -> {after}" if before != after
          else f"schema {after} is up to date")
    return 0


def db_current(args: argparse.Namespace) -> int:
    from surgdesk.services import database_admin

    url = startup.resolve_database_url(args.database)
    db = startup.open_database(url, prepare=False)
    try:
        found = database_admin.revisions(db)
    finally:
        db.dispose()
    state = "up to date" if found.up_to_date else f"this version expects {found.head}"
    print(f"{found.current or '(no schema)'} ({state})")
    return 0


def demo(args: argparse.Namespace) -> int:
    from surgdesk.services import database_admin
    from surgdesk.services.demo import generate_demo

    rooms = parse_whole(args.rooms, "--rooms", low=1, high=200)
    days = parse_whole(args.days, "--days", low=1, high=366)
    seed = parse_whole(args.seed, "--seed", low=0, high=2**31)
    start = parse_date(args.start, "--start") if args.start else None
    url = startup.resolve_database_url(args.database)
    db = startup.open_database(url, prepare=False, create=True)
    try:
        database_admin.prepare_for_demo(db)
        summary = generate_demo(db, rooms=rooms, days=days, start=start, seed=seed,
                                password=args.password)
    finally:
        db.dispose()
    print(f"demo data: {summary.describe()}")
    # One login per role; the full list is `surgdesk users list` (hundreds at 60 rooms).
    firsts: dict[str, tuple[str, str, str]] = {}
    for login_ in summary.logins:
        firsts.setdefault(login_[1], login_)
    out.table([list(row) for row in firsts.values()], ["USERNAME", "ROLE", "NAME"])
    others = len(summary.logins) - len(firsts)
    if others:
        print(f"... and {others} more staff logins (surgdesk users list)")
    print(f"password for every login: {summary.password}")
    return 0


# --- sessions ------------------------------------------------------------------------------

def login(args: argparse.Namespace) -> int:
    from surgdesk.credentials import CredentialStore

    if getattr(args, "user", None):
        raise BadInput(FieldProblem("--user", "signs in for one command; `login` remembers "
                                              "a sign-in: use one or the other"))
    password = _read_password(args)
    if password is None:
        raise BadInput(FieldProblem("password", "use --password-stdin when not at a terminal"))
    with opened(args, sign_in=False) as ctx:
        try:
            result = ctx.services.auth.login(args.username, password, remember=True,
                                             only_remembered=True)
        except RememberForbidden as exc:
            raise RememberForbidden(
                f"{exc}: sign in for each command instead, e.g. "
                f"`surgdesk --user {args.username} settings show` (the password is asked "
                "for, or read from the first line of standard input; or set "
                f"{USER_ENV})") from None
        assert result.token is not None  # only_remembered: a token or a refusal
        store = CredentialStore()
        store.save_session(ctx.key, result.actor.username, result.token, result.expires_at)
        if notice := store.take_notice():
            out.warn(notice)
        until = f" until {result.expires_at:%Y-%m-%d %H:%M %Z}" if result.expires_at else ""
        role = result.actor.role.value if result.actor.role else "-"
        print(f"signed in as {result.actor.username} ({role}){until}")
    return 0


def logout(args: argparse.Namespace) -> int:
    from surgdesk.credentials import CredentialStore

    url = startup.resolve_database_url(args.database)
    key = database_key(url)
    store = CredentialStore()
    stored = store.load_session(key)
    if stored is None:
        print("not signed in")
        return 0
    with opened(args, sign_in=False) as ctx:
        ctx.services.auth.logout(stored.token)
    store.clear_session(key)
    print(f"signed out {stored.username}")
    return 0


def whoami(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        a = ctx.actor
        if not a.signed_in:
            print(f"not signed in (reading as a viewer) on {startup.describe(ctx.url)}")
        else:
            role = a.role.value if a.role else "-"
            print(f"{a.username} ({role}, {a.display_name}) on {startup.describe(ctx.url)}")
    return 0


# --- users and settings --------------------------------------------------------------------

def users_add(args: argparse.Namespace) -> int:
    role = parse_enum(Role, args.role, "role")
    with opened(args) as ctx:
        # After opening: with --user, standard input's first line was the signer's password.
        password = _read_password(args, confirm=True)
        user = ctx.services.users.add_user(
            ctx.actor, username=args.username, role=role, display_name=args.display_name,
            email=args.email, password=password, specialty=args.specialty, phone=args.phone,
        )
    print(f"added {user.username} ({user.role.value if user.role else '-'})")
    return 0


def users_list(args: argparse.Namespace) -> int:
    with opened(args, login=True) as ctx:
        users = ctx.services.users.list_users(ctx.actor)
    if args.json:
        out.print_json([u.model_dump(mode="json") for u in users])
        return 0
    out.table([[u.username, u.role.value if u.role else "(request)", u.display_name, u.email,
                "active" if u.active else "inactive"] for u in users],
              ["USERNAME", "ROLE", "NAME", "EMAIL", "STATE"])
    return 0


def settings_show(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        view = ctx.services.settings.get(ctx.actor)
    data = view.model_dump(mode="json")
    if args.json:
        out.print_json(data)
    else:
        for name, value in data.items():
            print(f"{name}: {value}")
    return 0


def settings_set(args: argparse.Namespace) -> int:
    changes: dict[str, object] = {}
    if args.time_zone is not None:
        changes["time_zone"] = args.time_zone
    if args.day_start is not None:
        changes["day_start"] = parse_clock(args.day_start, "--day-start")
    if args.day_end is not None:
        changes["day_end"] = parse_clock(args.day_end, "--day-end")
    if args.remember_me is not None:
        changes["remember_me_allowed"] = args.remember_me == "allowed"
    for option, name, limits in (("idle_lock", "idle_lock_minutes", IDLE_LOCK),
                                 ("grace", "on_time_grace_minutes", ON_TIME_GRACE),
                                 ("snap", "snap_minutes", SNAP)):
        if (text := getattr(args, option)) is not None:
            changes[name] = parse_in_range(text, "--" + option.replace("_", "-"), limits)
    if not changes:
        raise BadInput(FieldProblem("settings", "name at least one setting to change"))
    with opened(args, login=True) as ctx:
        view = ctx.services.settings.update(ctx.actor, **changes)  # type: ignore[arg-type]
    print("updated: " + ", ".join(f"{k}={getattr(view, k)}" for k in changes))
    return 0


# --- rooms -----------------------------------------------------------------------------------

def _room_changes(args: argparse.Namespace) -> dict[str, object]:
    changes: dict[str, object] = {}
    if args.specialty is not None:
        changes["specialty_tags"] = tuple(t.strip() for t in args.specialty if t.strip())
    if args.turnover is not None:
        changes["turnover_minutes"] = parse_in_range(args.turnover, "--turnover", TURNOVER)
    if (args.opens is None) != (args.closes is None):
        raise BadInput(FieldProblem("--opens/--closes", "give both opening and closing time"))
    if args.opens is not None:
        changes["opens_at"] = parse_clock(args.opens, "--opens")
        changes["closes_at"] = parse_clock(args.closes, "--closes")
    if args.weekdays is not None:
        text = args.weekdays.strip()
        if not text or any(ch not in "1234567" for ch in text):
            raise BadInput(FieldProblem("--weekdays", "digits 1 (Monday) to 7 (Sunday)"))
        changes["weekdays"] = tuple(sorted({int(ch) - 1 for ch in text}))
    if getattr(args, "location", None) is not None:
        changes["location"] = args.location
    return changes


def rooms_list(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        rooms = ctx.services.rooms.list_rooms(ctx.actor)
    if args.json:
        out.print_json([out.room_json(r) for r in rooms])
    else:
        out.print_rooms(rooms)
    return 0


def rooms_add(args: argparse.Namespace) -> int:
    changes = _room_changes(args)
    with opened(args, login=True) as ctx:
        room = ctx.services.rooms.add_room(
            ctx.actor, code=args.code, name=args.name, **changes  # type: ignore[arg-type]
        )
    print(f"added room {room.code} ({room.name})")
    return 0


def rooms_update(args: argparse.Namespace) -> int:
    changes = _room_changes(args)
    if args.name is not None:
        changes["name"] = args.name
    if args.status is not None:
        changes["status"] = parse_enum(RoomStatus, args.status, "status")
    if not changes:
        raise BadInput(FieldProblem("room", "name at least one thing to change"))
    with opened(args, login=True) as ctx:
        room = ctx.services.rooms.update_room(
            ctx.actor, args.code, **changes  # type: ignore[arg-type]
        )
    print(f"updated room {room.code}")
    return 0


def rooms_close(args: argparse.Namespace) -> int:
    starts = parse_datetime(args.from_, "--from")
    ends = parse_datetime(args.to, "--to")
    with opened(args, login=True) as ctx:
        closure = ctx.services.rooms.add_closure(
            ctx.actor, args.code, starts_at=starts, ends_at=ends, reason=args.reason
        )
        zone = ctx.zone
    print(f"{args.code.upper()} closed {closure.starts_at.astimezone(zone):%Y-%m-%d %H:%M} – "
          f"{closure.ends_at.astimezone(zone):%Y-%m-%d %H:%M}: {closure.reason}")
    return 0


# --- cases -----------------------------------------------------------------------------------

def cases_list(args: argparse.Namespace) -> int:
    date_from = parse_date(args.from_, "--from") if args.from_ else None
    date_to = parse_date(args.to, "--to") if args.to else None
    if date_from and date_to and date_to < date_from:
        raise BadInput(FieldProblem("--to", "is before --from"))
    status = parse_enum(CaseStatus, args.status, "status") if args.status else None
    with opened(args) as ctx:
        cases = ctx.services.cases.list_cases(
            ctx.actor, date_from=date_from, date_to=date_to, room=args.room, status=status
        )
        zone = ctx.zone
    if args.json:
        out.print_json([out.case_json(c) for c in cases])
    else:
        out.print_cases(cases, zone)
    return 0


def _time_fields(args: argparse.Namespace) -> dict[str, object]:
    """--start, --end and --duration as the case service takes them."""
    fields: dict[str, object] = {}
    if args.start:
        fields["start"] = parse_datetime(args.start, "--start")
    if args.end:
        fields["end"] = parse_datetime(args.end, "--end")
    if args.duration:
        fields["duration_min"] = parse_in_range(args.duration, "--duration", CASE_DURATION)
    return fields


def cases_add(args: argparse.Namespace) -> int:
    fields: dict[str, object] = {}
    if args.patient_dob:
        fields["patient_dob"] = parse_date(args.patient_dob, "--patient-dob")
    if args.laterality is None:
        # The wrong-site-surgery guard: "not applicable" is a choice someone makes.
        choices = ", ".join(m.value for m in Laterality)
        raise BadInput(FieldProblem("laterality", f"is required ({choices})"))
    fields["laterality"] = parse_enum(Laterality, args.laterality, "laterality")
    if args.priority:
        fields["priority"] = parse_enum(Priority, args.priority, "priority")
    fields.update(_time_fields(args))
    if (args.room is None) != (args.start is None):
        raise BadInput(FieldProblem("--room/--start", "give both to schedule, neither to request"))
    fields.update(_equipment_fields(args))
    card = parse_whole(args.card, "--card", low=1, high=2**31 - 1) \
        if args.card is not None else None
    if card is None:
        missing = [o for o, v in (("--procedure", args.procedure), ("--surgeon", args.surgeon))
                   if v is None]
        if missing:
            raise BadInput([FieldProblem(o, "is required (or give --card)") for o in missing])
    with opened(args, login=True) as ctx, _case_options_named():
        procedure, surgeon = args.procedure, args.surgeon
        if card is not None:
            # The card's surgeon and procedure where none are given; the service fills
            # its duration and equipment (and refuses a surgeon other than the card's).
            found = ctx.services.cards.get_card(ctx.actor, card)
            procedure = procedure or found.procedure_name
            surgeon = surgeon or found.surgeon_username
        result = ctx.services.cases.create_case(
            ctx.actor, procedure_name=procedure, patient_id=args.patient_id,
            patient_name=args.patient_name, lead_surgeon=surgeon,
            anesthetist=args.anesthetist, specialty=args.specialty, room=args.room,
            card=card, op_id=args.op_id, **fields,  # type: ignore[arg-type]
        )
        zone = ctx.zone
    return _print_result(args, result, zone, "added")


def _equipment_fields(args: argparse.Namespace) -> dict[str, object]:
    """--equipment and --unit as the case service takes them."""
    fields: dict[str, object] = {}
    if args.equipment:
        fields["equipment"] = tuple(k.strip() for k in args.equipment if k.strip())
    if args.unit:
        fields["units"] = tuple(u.strip() for u in args.unit if u.strip())
    return fields


# The case service's field names for what cases add's newer options carry.
_CASE_OPTIONS = {"card": "--card", "card_id": "--card", "equipment": "--equipment",
                 "units": "--unit", "unit": "--unit"}


@contextmanager
def _case_options_named() -> Iterator[None]:
    try:
        yield
    except BadInput as exc:
        problems = [FieldProblem(_CASE_OPTIONS.get(p.field, p.field), p.reason)
                    for p in exc.problems]
        raise type(exc)(problems) from None


def cases_show(args: argparse.Namespace) -> int:
    """One case as a person opens it (seeing the patient is audited, as in the app)."""
    with opened(args) as ctx:
        detail = ctx.services.cases.open_case(ctx.actor, args.case_number)
        zone = ctx.zone
    if args.json:
        data = out.case_json(detail.case)
        data["card"] = detail.card.model_dump(mode="json") if detail.card else None
        out.print_json(data)
    else:
        out.print_case(detail, zone)
    return 0


def _print_result(args: argparse.Namespace, result: object, zone: ZoneInfo, verb: str) -> int:
    from surgdesk.services.dto import CaseResult

    assert isinstance(result, CaseResult)
    out.print_warnings(result.warnings)
    if getattr(args, "json", False):
        out.print_json(out.case_json(result.case, result.warnings))
        return 0
    c = result.case
    where = ""
    if c.scheduled_start and c.scheduled_end:
        where = (f" in {c.room_code} {c.scheduled_start.astimezone(zone):%Y-%m-%d %H:%M}–"
                 f"{c.scheduled_end.astimezone(zone):%H:%M}")
    held = f"; equipment: {out.equipment_text(c)}" if c.equipment else ""
    print(f"{verb} {c.case_number} ({c.status.value}){where}{held}")
    return 0


def cases_move(args: argparse.Namespace) -> int:
    fields = _time_fields(args)
    if args.room is None and not fields:
        raise BadInput(FieldProblem("move", "give --room, --start, --duration or --end"))
    with opened(args, login=True) as ctx:
        result = ctx.services.cases.move(
            ctx.actor, args.case_number, room=args.room, op_id=args.op_id,
            **fields,  # type: ignore[arg-type]
        )
        zone = ctx.zone
    return _print_result(args, result, zone, "moved")


def cases_status(args: argparse.Namespace) -> int:
    status = parse_enum(CaseStatus, args.status, "status")
    with opened(args, login=True) as ctx:
        result = ctx.services.cases.set_status(
            ctx.actor, args.case_number, status, reason=args.reason, op_id=args.op_id
        )
        zone = ctx.zone
    return _print_result(args, result, zone, "now")


# --- checklists ------------------------------------------------------------------------------

def checklist_show(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        checklists = ctx.services.checklists.checklists(ctx.actor, args.case_number)
        zone = ctx.zone
    if args.json:
        out.print_json(out.checklist_json(args.case_number, checklists))
    else:
        out.print_checklists(checklists, zone)
    return 0


def checklist_tick(args: argparse.Namespace) -> int:
    status = parse_enum(ItemStatus, args.status, "status")
    with opened(args, login=True) as ctx:
        result = ctx.services.checklists.tick(
            ctx.actor, args.case_number, args.item_code.upper(), status=status, note=args.note
        )
    out.print_warnings(result.warnings)
    print(f"{args.item_code.upper()} {status.value}; {result.case.case_number} is "
          f"{result.case.status.value} ({result.case.checklist_done}/"
          f"{result.case.checklist_total} required items done)")
    return 0


def checklist_signoff(args: argparse.Namespace) -> int:
    phase = parse_enum(Phase, args.phase, "phase")
    with opened(args, login=True) as ctx:
        view = ctx.services.checklists.sign_off(ctx.actor, args.case_number, phase)
    print(f"{phase.value} of {args.case_number} signed off by {view.signed_off_by}")
    return 0


# --- rendering and installation --------------------------------------------------------------

def board(args: argparse.Namespace) -> int:
    from surgdesk.ui.board.export import render_board_file

    day = parse_date(args.date, "--date")
    days = parse_whole(args.days, "--days", low=1, high=31)
    target = Path(args.out)
    if target.suffix.lower() not in {".png", ".pdf"}:
        raise BadInput(FieldProblem("--out", "must end in .png or .pdf"))
    with opened(args) as ctx:
        # Audited before the file exists (as the day list is): no export goes unrecorded.
        # Who sees which patient is the service's business; anonymous sees none.
        ctx.services.cases.record_board_export(ctx.actor, day, days,
                                               shows_patients=ctx.actor.signed_in)
        written = render_board_file(ctx.services, ctx.actor, target, day=day, days=days)
    print(f"wrote {written}")
    return 0


def daylist(args: argparse.Namespace) -> int:
    from surgdesk.ui.printing.daylist import render_daylist_pdf

    day = parse_date(args.date, "--date")
    with opened(args) as ctx:
        written = render_daylist_pdf(ctx.services, ctx.actor, day, Path(args.out))
    print(f"wrote {written}")
    return 0


def self_check(_args: argparse.Namespace) -> int:
    from surgdesk.selfcheck import run_self_check

    return run_self_check(sys.stdout)
