"""``surgdesk`` — the command line.

Exit codes (stable; scripts rely on them):
  0 done
  1 refused by a rule (conflict, permission, stale version, locked account, wrong password,
    a status change the machine or the checklist does not allow, a duplicate)
  2 bad input or usage (unknown room/surgeon/case, missing reason, bad date, ...)
  3 internal error (one line saying so and where the log is; traceback only with --debug)
  4 the desktop app or the wall cannot start here (no display, or Qt's system libraries
    missing; one line says which and how to install them: surgdesk.display_check)
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from surgdesk.errors import BadInput, DatabaseUnavailable, Refused, SchemaMismatch, SurgDeskError

EXIT_OK, EXIT_REFUSED, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
log = logging.getLogger("surgdesk.cli")

Handler = Callable[[argparse.Namespace], int]
# A command names its handler in ``surgdesk.cli.commands``, imported only once a command
# runs: ``surgdesk --help`` and usage errors load no SQLAlchemy, driver, pydantic or Qt.
HandlerRef = str | Handler


class _VersionAction(argparse.Action):
    """``--version``: the installed version, read only when asked (reading package
    metadata costs every other command ~50 ms)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS,
                 **_kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from surgdesk import __version__

        print(f"surgdesk {__version__}")  # stdout, as argparse's own version action
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit 2 with one line naming the problem."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n"
                                  f"(see '{self.prog} --help')\n")


def _cmd(sub: argparse._SubParsersAction[_Parser], name: str, handler: str | None,
         help_: str) -> _Parser:
    """A subcommand; with no handler it is a group that needs an action."""
    parser = sub.add_parser(name, help=help_, description=help_)
    parser.set_defaults(handler=handler or _needs_action(parser))
    return parser


def _needs_action(parser: _Parser) -> Handler:
    def handler(_args: argparse.Namespace) -> int:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: choose an action", file=sys.stderr)
        return EXIT_BAD_INPUT

    return handler


def _resolve(handler: HandlerRef) -> Handler:
    """A bare name is a function of ``cli/commands.py``; ``module.name`` one of another
    module of this package (``blocks.usage``: ``cli/blocks.py``)."""
    if callable(handler):
        return handler
    import importlib

    module, _, name = handler.rpartition(".")
    found: Handler = getattr(importlib.import_module(f"surgdesk.cli.{module or 'commands'}"),
                             name)
    return found


def build_parser() -> _Parser:
    p = _Parser(prog="surgdesk", description="SurgDesk operating-room scheduling.")
    p.add_argument("--database", metavar="URL",
                   help="sqlite:///path or postgresql://user@host/db "
                        "(default: $SURGDESK_DATABASE_URL, the department config, "
                        "or a SQLite file in your data folder)")
    p.add_argument("--user", metavar="USERNAME",
                   help="sign in for this one command only, nothing remembered (needed where "
                        "the department forbids remembered sign-ins): the password is asked "
                        "for, or read from the first line of standard input "
                        "(default: $SURGDESK_USERNAME)")
    p.add_argument("--debug", action="store_true", help="print tracebacks of internal errors")
    p.add_argument("--version", action=_VersionAction)
    p.add_argument("--demo", action="store_true",
                   help="start the app on a demo database (created on first use)")
    p.add_argument("--wall", action="store_true",
                   help="open the wall display: today's board full screen, signed in as a "
                        "device account (patients always hidden); with --demo, on the demo "
                        "database (device account wall.display)")
    p.set_defaults(handler="gui")
    sub = p.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)

    db = _cmd(sub, "db", None, "database schema")
    dbs = db.add_subparsers(metavar="ACTION", parser_class=_Parser)
    _cmd(dbs, "upgrade", "db_upgrade", "upgrade the schema to this version")
    _cmd(dbs, "current", "db_current", "show the schema revision")

    demo = _cmd(sub, "demo", "demo", "fill an empty database with demo data")
    demo.add_argument("--rooms", default="12")
    demo.add_argument("--days", default="14")
    demo.add_argument("--start", help="first day, YYYY-MM-DD (default: Monday of this week, "
                      "and --days rounded up to whole weeks)")
    demo.add_argument("--seed", default="1")
    demo.add_argument("--password", default="demo-password-1",
                      help="password of every demo login")

    login = _cmd(sub, "login", "login", "sign in; the session is kept in the OS keyring")
    login.add_argument("--username", required=True)
    login.add_argument("--password-stdin", action="store_true",
                       help="read the password from standard input")
    _cmd(sub, "logout", "logout", "sign out and forget the session")
    _cmd(sub, "whoami", "whoami", "show who is signed in")

    users = _cmd(sub, "users", None, "staff accounts")
    us = users.add_subparsers(metavar="ACTION", parser_class=_Parser)
    add = _cmd(us, "add", "users_add", "add a user (the first user must be an admin)")
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True)
    add.add_argument("--display-name", required=True)
    add.add_argument("--email", required=True)
    add.add_argument("--specialty")
    add.add_argument("--phone")
    add.add_argument("--password-stdin", action="store_true")
    ul = _cmd(us, "list", "users_list", "list users")
    ul.add_argument("--json", action="store_true")

    settings = _cmd(sub, "settings", None, "department settings")
    ss = settings.add_subparsers(metavar="ACTION", parser_class=_Parser)
    show = _cmd(ss, "show", "settings_show", "show the department settings")
    show.add_argument("--json", action="store_true")
    sset = _cmd(ss, "set", "settings_set", "change department settings (admin)")
    sset.add_argument("--time-zone")
    sset.add_argument("--day-start")
    sset.add_argument("--day-end")
    sset.add_argument("--remember-me", choices=["allowed", "forbidden"])
    sset.add_argument("--idle-lock")
    sset.add_argument("--grace")
    sset.add_argument("--snap")

    rooms = _cmd(sub, "rooms", None, "operating rooms")
    rs = rooms.add_subparsers(metavar="ACTION", parser_class=_Parser)
    rl = _cmd(rs, "list", "rooms_list", "list rooms")
    rl.add_argument("--json", action="store_true")
    radd = _cmd(rs, "add", "rooms_add", "add a room")
    radd.add_argument("--code", required=True)
    radd.add_argument("--name", required=True)
    radd.add_argument("--location")
    _room_options(radd)
    rup = _cmd(rs, "update", "rooms_update", "change a room")
    rup.add_argument("code")
    rup.add_argument("--name")
    rup.add_argument("--location")
    rup.add_argument("--status")
    _room_options(rup)
    rclose = _cmd(rs, "close", "rooms_close", "add a dated closure")
    rclose.add_argument("code")
    rclose.add_argument("--from", dest="from_", required=True, metavar="ISO")
    rclose.add_argument("--to", required=True, metavar="ISO")
    rclose.add_argument("--reason", required=True)

    cases = _cmd(sub, "cases", None, "surgical cases")
    cs = cases.add_subparsers(metavar="ACTION", parser_class=_Parser)
    cl = _cmd(cs, "list", "cases_list", "list cases")
    cl.add_argument("--from", dest="from_", metavar="DATE")
    cl.add_argument("--to", metavar="DATE")
    cl.add_argument("--room")
    cl.add_argument("--status")
    cl.add_argument("--json", action="store_true")
    cshow = _cmd(cs, "show", "cases_show", "show one case (its equipment and card too)")
    cshow.add_argument("case_number")
    cshow.add_argument("--json", action="store_true")
    ca = _cmd(cs, "add", "cases_add", "request or schedule a case")
    ca.add_argument("--procedure", help="required unless --card gives it")
    ca.add_argument("--patient-id", required=True)
    ca.add_argument("--patient-name", required=True)
    ca.add_argument("--patient-dob", metavar="DATE")
    ca.add_argument("--surgeon", metavar="USERNAME", help="required unless --card gives it")
    ca.add_argument("--anesthetist", metavar="USERNAME")
    ca.add_argument("--laterality", help="required: left, right, bilateral or "
                    "not_applicable (a choice someone makes, never a default)")
    ca.add_argument("--specialty")
    ca.add_argument("--priority")
    ca.add_argument("--room", metavar="CODE")
    _time_options(ca)
    ca.add_argument("--equipment", action="append", metavar="KIND",
                    help="an equipment kind the case needs; repeat for two of a kind "
                         "(default with --card: the card's)")
    ca.add_argument("--unit", action="append", metavar="NAME",
                    help="a unit chosen for the case (it keeps that unit or is refused)")
    ca.add_argument("--card", metavar="ID",
                    help="fill procedure, surgeon, duration and equipment from this "
                         "preference card (what is given wins)")
    ca.add_argument("--json", action="store_true")
    _op_id_option(ca)
    cm = _cmd(cs, "move", "cases_move", "move or resize a case")
    cm.add_argument("case_number")
    cm.add_argument("--room", metavar="CODE")
    _time_options(cm)
    cm.add_argument("--json", action="store_true")
    _op_id_option(cm)
    cst = _cmd(cs, "status", "cases_status", "change a case's status")
    cst.add_argument("case_number")
    cst.add_argument("status")
    cst.add_argument("--reason")
    cst.add_argument("--json", action="store_true")
    _op_id_option(cst)

    checklist = _cmd(sub, "checklist", None, "pre-op and post-op checklists")
    ks = checklist.add_subparsers(metavar="ACTION", parser_class=_Parser)
    kshow = _cmd(ks, "show", "checklist_show", "show a case's checklists")
    kshow.add_argument("case_number")
    kshow.add_argument("--json", action="store_true")
    tick = _cmd(ks, "tick", "checklist_tick", "set an item's status (default: done)")
    tick.add_argument("case_number")
    tick.add_argument("item_code")
    tick.add_argument("--status", default="done")
    tick.add_argument("--note")
    so = _cmd(ks, "signoff", "checklist_signoff", "sign off a phase")
    so.add_argument("case_number")
    so.add_argument("phase")

    board = _cmd(sub, "board", "board", "render the board to PNG or PDF")
    board.add_argument("--date", required=True)
    board.add_argument("--days", default="1")
    board.add_argument("--out", required=True)

    daylist = _cmd(sub, "daylist", "daylist", "write a day's list of cases to PDF")
    daylist.add_argument("--date", required=True)
    daylist.add_argument("--out", required=True)

    _block_commands(sub)
    _equipment_commands(sub)
    _card_commands(sub)

    _cmd(sub, "self-check", "self_check", "check this installation (runs without a display)")
    return p


def _block_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    """``surgdesk blocks ...`` (handlers in cli/blocks.py)."""
    blocks = _cmd(sub, "blocks", None, "block schedule: a room's time reserved for a surgeon "
                                       "or a service, released dates, block utilization")
    bs = blocks.add_subparsers(metavar="ACTION", parser_class=_Parser)
    bl = _cmd(bs, "list", "blocks.list_blocks",
              "list blocks; with --from/--to, their dates in that range and what is released")
    bl.add_argument("--from", dest="from_", metavar="DATE")
    bl.add_argument("--to", metavar="DATE")
    bl.add_argument("--room", metavar="CODE")
    bl.add_argument("--owner", metavar="USERNAME|SPECIALTY")
    bl.add_argument("--json", action="store_true")
    ba = _cmd(bs, "add", "blocks.add_block", "reserve a room on a recurring pattern")
    ba.add_argument("--room", required=True, metavar="CODE")
    owner = ba.add_mutually_exclusive_group(required=True)
    owner.add_argument("--surgeon", metavar="USERNAME")
    owner.add_argument("--service", metavar="SPECIALTY")
    ba.add_argument("--weekdays", required=True, metavar="1..7",
                    help="days, Monday = 1: e.g. 1,3 or 1-5")
    ba.add_argument("--start", required=True, metavar="HH:MM")
    ba.add_argument("--end", required=True, metavar="HH:MM")
    recurrence = ba.add_mutually_exclusive_group()
    recurrence.add_argument("--every-weeks", metavar="N", help="every Nth week (default 1)")
    recurrence.add_argument("--weeks-of-month", metavar="1,3",
                            help="only these weeks of the month (the 1st and 3rd Monday...)")
    ba.add_argument("--from", dest="from_", metavar="DATE", help="first date (default: today)")
    ba.add_argument("--until", metavar="DATE", help="last date (default: none)")
    ba.add_argument("--release-days", metavar="N",
                    help="release an unused date N days ahead (default: the department's)")
    ba.add_argument("--json", action="store_true")
    be = _cmd(bs, "end", "blocks.end_block", "end a block after a date")
    be.add_argument("block_id", metavar="BLOCK_ID")
    be.add_argument("--after", required=True, metavar="DATE")
    br = _cmd(bs, "release", "blocks.release", "release one date of a block")
    br.add_argument("block_id", metavar="BLOCK_ID")
    br.add_argument("--date", required=True, metavar="DATE")
    br.add_argument("--reason", required=True)
    bu = _cmd(bs, "unrelease", "blocks.unrelease", "take a date's release back")
    bu.add_argument("block_id", metavar="BLOCK_ID")
    bu.add_argument("--date", required=True, metavar="DATE")
    busage = _cmd(bs, "usage", "blocks.usage", "block utilization per block and in total")
    busage.add_argument("--from", dest="from_", required=True, metavar="DATE")
    busage.add_argument("--to", required=True, metavar="DATE")
    busage.add_argument("--room", metavar="CODE")
    busage.add_argument("--json", action="store_true")


def _equipment_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    """``surgdesk equipment ...`` (handlers in cli/equipment.py)."""
    equipment = _cmd(sub, "equipment", None, "shared equipment: units of a kind (robot, "
                                             "C-arm...), their rooms, status and closures")
    es = equipment.add_subparsers(metavar="ACTION", parser_class=_Parser)
    el = _cmd(es, "list", "equipment.list_units", "list equipment units")
    el.add_argument("--kind", metavar="KIND", help="only units of this kind")
    el.add_argument("--json", action="store_true")
    ea = _cmd(es, "add", "equipment.add_unit", "add a unit")
    ea.add_argument("--name", required=True)
    ea.add_argument("--kind", required=True, metavar="KIND")
    _unit_options(ea)
    ea.add_argument("--json", action="store_true")
    eu = _cmd(es, "update", "equipment.update_unit",
              "change a unit; prints the cases that lost it or were given another")
    eu.add_argument("name", metavar="NAME")
    eu.add_argument("--status", choices=["available", "maintenance", "retired"])
    eu.add_argument("--name", dest="new_name", metavar="NEW", help="rename the unit")
    eu.add_argument("--kind", metavar="KIND")
    _unit_options(eu, any_room=True)
    eu.add_argument("--json", action="store_true")
    ec = _cmd(es, "close", "equipment.close_unit",
              "add a dated closure (service, repair, loan)")
    ec.add_argument("name", metavar="NAME")
    ec.add_argument("--from", dest="from_", required=True, metavar="ISO")
    ec.add_argument("--to", required=True, metavar="ISO")
    ec.add_argument("--reason", required=True)
    ec.add_argument("--json", action="store_true")
    ek = _cmd(es, "kinds", "equipment.list_kinds",
              "list equipment kinds; 'kinds add NAME' adds one")
    ek.add_argument("--json", action="store_true")
    eks = ek.add_subparsers(metavar="ACTION", parser_class=_Parser)
    eka = _cmd(eks, "add", "equipment.add_kind", "add an equipment kind")
    eka.add_argument("kind_name", metavar="NAME")
    eku = _cmd(eks, "update", "equipment.update_kind", "rename a kind or (in)activate it")
    eku.add_argument("kind_name", metavar="NAME")
    eku.add_argument("--name", dest="new_name", metavar="NEW")
    state = eku.add_mutually_exclusive_group()
    state.add_argument("--active", dest="active", action="store_true", default=None)
    state.add_argument("--inactive", dest="active", action="store_false",
                       help="no new case may ask for it")


def _unit_options(parser: _Parser, *, any_room: bool = False) -> None:
    rooms = parser.add_mutually_exclusive_group() if any_room else parser
    rooms.add_argument("--room", action="append", metavar="CODE",
                       help="a room the unit may be used in; repeat for several "
                            "(none: any room)")
    if any_room:
        rooms.add_argument("--any-room", action="store_true",
                           help="the unit may be used in any room")
    parser.add_argument("--turnaround", metavar="MIN",
                        help="minutes the unit is held after each case (default 0)")
    parser.add_argument("--notes")


def _card_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    """``surgdesk cards ...`` (handlers in cli/equipment.py)."""
    cards = _cmd(sub, "cards", None, "preference cards: how a surgeon does a procedure")
    ps = cards.add_subparsers(metavar="ACTION", parser_class=_Parser)
    pl = _cmd(ps, "list", "equipment.list_cards", "list preference cards")
    pl.add_argument("--surgeon", metavar="USERNAME")
    pl.add_argument("--json", action="store_true")
    pshow = _cmd(ps, "show", "equipment.show_card", "show a preference card")
    pshow.add_argument("card_id", metavar="ID")
    pshow.add_argument("--json", action="store_true")
    pa = _cmd(ps, "add", "equipment.add_card", "add a surgeon's card for a procedure")
    pa.add_argument("--surgeon", required=True, metavar="USERNAME")
    pa.add_argument("--procedure", required=True)
    pa.add_argument("--duration", metavar="MIN")
    pa.add_argument("--equipment", action="append", metavar="KIND",
                    help="an equipment kind; repeat for two of a kind")
    pa.add_argument("--laterality-prompt", action="store_true",
                    help="the case form asks for the side explicitly")
    pa.add_argument("--positioning", metavar="TEXT")
    pa.add_argument("--tray", action="append", metavar="TEXT", help="one tray; repeat")
    pa.add_argument("--supply", action="append", metavar="TEXT", help="one supply; repeat")
    pa.add_argument("--notes", metavar="TEXT")
    pa.add_argument("--json", action="store_true")
    pu = _cmd(ps, "update", "equipment.update_card",
              "change a card (its surgeon stays); list options replace the card's list")
    pu.add_argument("card_id", metavar="ID")
    pu.add_argument("--procedure")
    pu.add_argument("--duration", metavar="MIN", help="minutes; 'none' clears it")
    needs = pu.add_mutually_exclusive_group()
    needs.add_argument("--equipment", action="append", metavar="KIND")
    needs.add_argument("--no-equipment", action="store_true", help="the card needs none")
    prompt = pu.add_mutually_exclusive_group()
    prompt.add_argument("--laterality-prompt", dest="laterality_prompt",
                        action="store_true", default=None)
    prompt.add_argument("--no-laterality-prompt", dest="laterality_prompt",
                        action="store_false")
    pu.add_argument("--positioning", metavar="TEXT")
    pu.add_argument("--tray", action="append", metavar="TEXT")
    pu.add_argument("--supply", action="append", metavar="TEXT")
    pu.add_argument("--notes", metavar="TEXT")
    pu.add_argument("--json", action="store_true")
    pd = _cmd(ps, "delete", "equipment.delete_card",
              "delete a card (cases filled from it keep what they have)")
    pd.add_argument("card_id", metavar="ID")


def _time_options(parser: _Parser) -> None:
    """--start, and the length as --duration or --end (commands._time_fields reads them)."""
    parser.add_argument("--start", metavar="ISO")
    length = parser.add_mutually_exclusive_group()
    length.add_argument("--duration", metavar="MIN")
    length.add_argument("--end", metavar="ISO")


def _op_id_option(parser: _Parser) -> None:
    parser.add_argument("--op-id", metavar="ID",
                        help="an id for this change (8-64 characters): a retry with the same "
                             "id is not applied twice")


def _room_options(parser: _Parser) -> None:
    parser.add_argument("--specialty", action="append", metavar="TAG",
                        help="a specialty tag; repeat for several (none: any specialty)")
    parser.add_argument("--turnover", metavar="MIN")
    parser.add_argument("--opens", metavar="HH:MM")
    parser.add_argument("--closes", metavar="HH:MM")
    parser.add_argument("--weekdays", metavar="1234567",
                        help="days open, Monday = 1 (e.g. 12345)")


_LOG_HANDLER = "surgdesk-log-file"


def _setup_logging(debug: bool) -> str:
    """Log to a file in the user's log folder; returns its path for error messages."""
    from logging.handlers import RotatingFileHandler

    from surgdesk.paths import ensure_private_dir, log_dir, private_opener

    class PrivateRotatingFileHandler(RotatingFileHandler):
        """Each log file (the rotated ones' successors too) readable by the user only:
        the log says who did what and when."""

        def _open(self) -> Any:
            return open(self.baseFilename, self.mode, encoding=self.encoding,
                        errors=self.errors, opener=private_opener)

    directory = ensure_private_dir(log_dir())
    path = directory / "surgdesk.log"
    handler = PrivateRotatingFileHandler(path, maxBytes=2_000_000, backupCount=3,
                                         encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.set_name(_LOG_HANDLER)
    root = logging.getLogger()
    # One log file handler per process: ``main`` run again in the same process (scripts,
    # tests) replaces it instead of piling up open files.
    for previous in [h for h in root.handlers if h.get_name() == _LOG_HANDLER]:
        root.removeHandler(previous)
        previous.close()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    return str(path)


def _undecodable_argument(argv: Sequence[str]) -> str | None:
    """The option whose value is not valid UTF-8, if any.

    Python decodes argv with ``surrogateescape``: an undecodable byte becomes a lone
    surrogate that fails only later, when printed or sent to the database."""
    for index, arg in enumerate(argv):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            if arg.startswith("--"):
                return arg.split("=", 1)[0]
            previous = argv[index - 1] if index else ""
            return previous if previous.startswith("--") else f"argument {index + 1}"
    return None


def _silence_stdout() -> None:
    """The reader of our output went away (``surgdesk cases list | head -1``): point
    stdout at devnull so the interpreter's final flush does not fail again (Python's
    documented way to handle SIGPIPE/BrokenPipeError)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout is not a real file (tests capture it): nothing will flush it later


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if (option := _undecodable_argument(arguments)) is not None:
        print(f"surgdesk: error: {option}: is not valid text (UTF-8)", file=sys.stderr)
        return EXIT_BAD_INPUT
    parser = build_parser()
    args = parser.parse_args(arguments)
    log_path = "(no log)"
    try:
        log_path = _setup_logging(args.debug)
        code: int = _resolve(args.handler)(args)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return code
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (Refused, SchemaMismatch) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except DatabaseUnavailable as exc:
        print(f"error: cannot reach the database: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except SurgDeskError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # Log the type and traceback only: messages of driver errors can quote row values.
        log.error("internal error: %s\n%s", type(exc).__name__, traceback.format_exc())
        print(f"internal error ({type(exc).__name__}); details in {log_path}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return EXIT_INTERNAL


def run() -> NoReturn:
    sys.exit(main())


if __name__ == "__main__":
    run()
