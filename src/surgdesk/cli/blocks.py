"""``surgdesk blocks ...``: a room's time reserved on a recurring pattern for a surgeon or a
service, its dates released by hand (or by rule), and block utilization.

Weekdays are 1 (Monday) to 7 (Sunday) here, as people and ISO 8601 count them (and as
``rooms add --weekdays`` takes them); the services count 0..6. Bad input the services find
is reported under the option that carried it (``--from``, not ``from``).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

from surgdesk.cli import output as out
from surgdesk.cli.commands import Context, opened
from surgdesk.cli.parsing import parse_clock, parse_date, parse_in_range, parse_whole
from surgdesk.domain.blocks import EVERY_WEEKS, RELEASE_DAYS, WEEK_OF_MONTH
from surgdesk.errors import BadInput, FieldProblem
from surgdesk.services.blocks import BlockFields
from surgdesk.services.dto import BlockUsageReport, BlockView, OccurrenceView

# The longest range `blocks list` and `blocks usage` take: a year and a day (a leap year's
# worth), so a typo such as 2062 for 2026 is bad input rather than a long wait.
MAX_RANGE_DAYS = 366
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# The services' field names (services/blocks.py) and the options that carry them here.
_OPTIONS = {
    "room": "--room", "surgeon": "--surgeon", "service": "--service",
    "weekdays": "--weekdays", "start": "--start", "end": "--end", "from": "--from",
    "valid_from": "--from", "until": "--until", "valid_until": "--until",
    "every_weeks": "--every-weeks", "weeks_of_month": "--weeks-of-month",
    "release_days": "--release-days", "date": "--date", "day": "--date",
    "reason": "--reason", "after": "--after", "owner": "--owner",
}


@contextmanager
def _options_named() -> Iterator[None]:
    """A service's bad input re-worded under this command's option names."""
    try:
        yield
    except BadInput as exc:
        problems = [FieldProblem(_OPTIONS.get(p.field, p.field), p.reason)
                    for p in exc.problems]
        raise type(exc)(problems) from None


# --- parsing ---------------------------------------------------------------------------------

def parse_weekdays(text: str) -> tuple[int, ...]:
    """``1,3`` (or ``13``, or a run ``1-5``), Monday = 1, as the services' 0..6."""
    option = "--weekdays"
    days: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        low, dash, high = part.partition("-")
        if dash and low.isdigit() and high.isdigit() and int(low) <= int(high):
            days.update(range(int(low), int(high) + 1))
        elif part.isdigit():
            days.update(int(ch) for ch in part)  # "135": one digit per day, as rooms take
        else:
            days = set()
            break
    if not days or not days <= set(range(1, 8)):
        raise BadInput(FieldProblem(option, f"{text!r}: give days 1 (Monday) to 7 (Sunday), "
                                            "e.g. 1,3 or 1-5"))
    return tuple(sorted(d - 1 for d in days))


def parse_weeks_of_month(text: str) -> tuple[int, ...]:
    """``1,3``: the 1st and 3rd such weekday of the month (1..5)."""
    option = "--weeks-of-month"
    weeks = {parse_in_range(p.strip(), option, WEEK_OF_MONTH) for p in text.split(",")}
    return tuple(sorted(weeks))


def parse_block_id(text: str) -> int:
    return parse_whole(text, "BLOCK_ID", low=1, high=2**31 - 1)


def parse_range(first_text: str | None, last_text: str | None) -> tuple[date, date] | None:
    """--from and --to as an inclusive range; one alone is that one day; neither: None."""
    if first_text is None and last_text is None:
        return None
    first = parse_date(first_text, "--from") if first_text is not None else None
    last = parse_date(last_text, "--to") if last_text is not None else first
    first = first or last
    assert first is not None
    assert last is not None
    if last < first:
        raise BadInput(FieldProblem("--to", "is before --from"))
    if (last - first).days >= MAX_RANGE_DAYS:
        raise BadInput(FieldProblem("--to", f"a range is at most {MAX_RANGE_DAYS} days"))
    return first, last


def block_fields(args: argparse.Namespace, valid_from: date) -> BlockFields:
    """What ``blocks add`` was given, as the block service takes it (``valid_from`` when
    --from is not given)."""
    start = parse_clock(args.start, "--start")
    end = parse_clock(args.end, "--end")
    weekdays = parse_weekdays(args.weekdays)
    every = parse_in_range(args.every_weeks, "--every-weeks", EVERY_WEEKS) \
        if args.every_weeks is not None else 1
    weeks = parse_weeks_of_month(args.weeks_of_month) \
        if args.weeks_of_month is not None else ()
    if args.from_ is not None:
        valid_from = parse_date(args.from_, "--from")
    until = parse_date(args.until, "--until") if args.until is not None else None
    release = parse_in_range(args.release_days, "--release-days", RELEASE_DAYS) \
        if args.release_days is not None else None
    return BlockFields(room=args.room, surgeon=args.surgeon, service=args.service,
                       weekdays=weekdays, start=start, end=end, every_weeks=every,
                       weeks_of_month=weeks, valid_from=valid_from, valid_until=until,
                       release_days=release)


# --- printing --------------------------------------------------------------------------------

def _hours(start: time, end: time) -> str:
    return f"{start:%H:%M}–{end:%H:%M}"


def _share(used: int, of: int) -> str:
    return f"{used}/{of} min {round(100 * used / of)}%" if of else f"{used}/0 min"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{round(100 * value)}%"


def print_blocks(blocks: Sequence[BlockView]) -> None:
    rows = [[str(b.id), b.room_code, b.owner_label, b.pattern_text, b.valid_from.isoformat(),
             b.valid_until.isoformat() if b.valid_until else "-",
             f"{b.effective_release_days} d" + ("" if b.release_days is not None
                                                else " (default)")]
            for b in blocks]
    out.table(rows, ["ID", "ROOM", "OWNER", "PATTERN", "FROM", "UNTIL", "RELEASE"])


def occurrence_state(o: OccurrenceView) -> tuple[str, str]:
    """The STATE column and what the NOTE column says about a release."""
    if not o.released:
        return "held", ""
    ahead = f"{o.released_days_ahead} d ahead" if o.released_days_ahead is not None else ""
    if o.released_by_rule:
        return "released automatically", ahead
    who = f"by {o.released_by_name}" if o.released_by_name else ""
    reason = o.release_reason or ""
    note = " ".join(part for part in (ahead, who) if part)
    return "released", f"{note}: {reason}" if note and reason else note or reason


def print_occurrences(occurrences: Sequence[OccurrenceView], tz: ZoneInfo) -> None:
    rows = []
    for o in occurrences:
        state, note = occurrence_state(o)
        start, end = o.start.astimezone(tz), o.end.astimezone(tz)
        rows.append([o.day.isoformat(), _DAY_NAMES[o.day.weekday()], o.room_code,
                     _hours(start.time(), end.time()), o.owner_label, str(o.block_id), state,
                     _share(o.used_minutes, o.block_minutes), note])
    out.table(rows, ["DATE", "DAY", "ROOM", "HOURS", "OWNER", "BLOCK", "STATE", "USED", "NOTE"])


def _released(minutes: int, dates: int) -> str:
    if not dates:
        return "-"
    return f"{minutes} min ({dates} date{'s' if dates != 1 else ''})"


def print_usage(report: BlockUsageReport) -> None:
    rows = [[str(r.block_id), r.room_code, r.owner_label, str(r.occurrences),
             str(r.block_minutes), str(r.used_minutes), _percent(r.utilization),
             _released(r.released_minutes, r.released_occurrences)]
            for r in report.rows]
    released_dates = sum(r.released_occurrences for r in report.rows)
    rows.append(["TOTAL", "", "", str(sum(r.occurrences for r in report.rows)),
                 str(report.block_minutes), str(report.used_minutes),
                 _percent(report.utilization),
                 _released(report.released_minutes, released_dates)])
    print(f"block utilization {report.first.isoformat()} to {report.last.isoformat()}")
    out.table(rows, ["BLOCK", "ROOM", "OWNER", "DATES", "BLOCK MIN", "USED MIN", "UTIL",
                     "RELEASED"])
    print(f"definition: {report.definition}")


def _dump(value: Any) -> Any:
    """A record with its DTO's field names; times as the other commands print them
    (ISO 8601 with ``+00:00``), through ``output.print_json``."""
    return value.model_dump()


# --- commands --------------------------------------------------------------------------------

def list_blocks(args: argparse.Namespace) -> int:
    """The blocks; with --from/--to, their dates in that range with their release state."""
    span = parse_range(args.from_, args.to)
    if span is None:
        with opened(args) as ctx, _options_named():
            blocks = ctx.services.blocks.list_blocks(ctx.actor, room=args.room,
                                                      owner=args.owner)
        if args.json:
            out.print_json([_dump(b) for b in blocks])
        else:
            print_blocks(blocks)
        return 0
    with opened(args) as ctx, _options_named():
        occurrences = ctx.services.blocks.occurrences(ctx.actor, *span, room=args.room,
                                                      owner=args.owner)
        zone = ctx.zone
    if args.json:
        out.print_json([_dump(o) for o in occurrences])
    else:
        print_occurrences(occurrences, zone)
    return 0


def _today(ctx: Context) -> date:
    return ctx.services.clock.now().astimezone(ctx.zone).date()


def add_block(args: argparse.Namespace) -> int:
    # Every option is read before the database is opened; --from defaults to today in the
    # department's zone, which is known only once it is.
    fields = block_fields(args, date.today())
    with opened(args, login=True) as ctx, _options_named():
        if args.from_ is None:
            fields = fields.model_copy(update={"valid_from": _today(ctx)})
        block = ctx.services.blocks.create(ctx.actor, fields)
    if args.json:
        out.print_json(_dump(block))
    else:
        print(f"added block {block.id}: {block.room_code} {block.owner_label}, "
              f"{block.pattern_text}, from {block.valid_from.isoformat()}"
              + (f" until {block.valid_until.isoformat()}" if block.valid_until else ""))
    return 0


def end_block(args: argparse.Namespace) -> int:
    block_id = parse_block_id(args.block_id)
    after = parse_date(args.after, "--after")
    with opened(args, login=True) as ctx, _options_named():
        block = ctx.services.blocks.end(ctx.actor, block_id, after)
    last = block.valid_until.isoformat() if block.valid_until else after.isoformat()
    print(f"block {block.id} ({block.room_code}, {block.owner_label}) ends after {last}")
    return 0


def _said(verb: str, o: OccurrenceView, tz: ZoneInfo) -> str:
    hours = _hours(o.start.astimezone(tz).time(), o.end.astimezone(tz).time())
    return (f"{verb} block {o.block_id} on {o.day.isoformat()} "
            f"({o.room_code} {hours}, {o.owner_label})")


def release(args: argparse.Namespace) -> int:
    block_id = parse_block_id(args.block_id)
    day = parse_date(args.date, "--date")
    with opened(args, login=True) as ctx, _options_named():
        occurrence = ctx.services.blocks.release(ctx.actor, block_id, day, args.reason)
        zone = ctx.zone
    print(_said("released", occurrence, zone) + f": {occurrence.release_reason or args.reason}")
    return 0


def unrelease(args: argparse.Namespace) -> int:
    block_id = parse_block_id(args.block_id)
    day = parse_date(args.date, "--date")
    with opened(args, login=True) as ctx, _options_named():
        occurrence = ctx.services.blocks.unrelease(ctx.actor, block_id, day)
        zone = ctx.zone
    print(_said("took back the release of", occurrence, zone))
    return 0


def usage(args: argparse.Namespace) -> int:
    span = parse_range(args.from_, args.to)
    assert span is not None  # both are required options
    with opened(args) as ctx, _options_named():
        report = ctx.services.blocks.usage(ctx.actor, *span, room=args.room)
    if args.json:
        out.print_json(_dump(report))
    else:
        print_usage(report)
    return 0
