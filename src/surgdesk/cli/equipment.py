"""``surgdesk equipment ...`` and ``surgdesk cards ...``: shared equipment (kinds, units,
their status and dated closures) and surgeons' preference cards.

A unit's edit or closure can take it from cases that hold it: the command prints which
cases got another unit of the kind and which have none now. Bad input the services find
is reported under the option that carried it (``--turnaround``, not ``turnaround``).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from surgdesk.cli import output as out
from surgdesk.cli.commands import opened, parse_enum
from surgdesk.cli.parsing import parse_datetime, parse_in_range, parse_whole
from surgdesk.domain.enums import EquipmentStatus
from surgdesk.domain.limits import CASE_DURATION
from surgdesk.errors import BadInput, FieldProblem
from surgdesk.services.dto import (
    EquipmentKindView,
    EquipmentUnitView,
    PreferenceCardView,
    UnitChange,
)

# The services' field names (services/equipment.py, services/cards.py) and the options
# that carry them here.
_UNIT_OPTIONS = {
    "name": "--name", "kind": "--kind", "rooms": "--room", "room": "--room",
    "turnaround": "--turnaround", "turnaround_min": "--turnaround", "status": "--status",
    "notes": "--notes", "start": "--from", "end": "--to", "reason": "--reason",
    "unit": "NAME",
}
_KIND_OPTIONS = {"name": "NAME", "new_name": "--name", "kind": "NAME"}
_CARD_OPTIONS = {
    "surgeon": "--surgeon", "procedure": "--procedure", "duration": "--duration",
    "duration_min": "--duration", "equipment": "--equipment", "positioning": "--positioning",
    "trays": "--tray", "supplies": "--supply", "notes": "--notes", "card_id": "ID",
}
# The largest id the database holds (a 32-bit integer column).
_MAX_ID = 2**31 - 1


@contextmanager
def options_named(names: Mapping[str, str]) -> Iterator[None]:
    """A service's bad input re-worded under this command's option names."""
    try:
        yield
    except BadInput as exc:
        problems = [FieldProblem(names.get(p.field, p.field), p.reason) for p in exc.problems]
        raise type(exc)(problems) from None


# --- parsing ---------------------------------------------------------------------------------

def parse_turnaround(text: str) -> int:
    """Minutes, a whole number; its upper bound is the service's (bad input on
    ``--turnaround``)."""
    return parse_whole(text, "--turnaround", low=0, high=_MAX_ID, unit="minutes")


def parse_card_id(text: str, option: str = "ID") -> int:
    return parse_whole(text, option, low=1, high=_MAX_ID)


def _rooms(values: Sequence[str] | None) -> tuple[str, ...]:
    """Room codes from repeated --room (a comma list in one is taken too)."""
    codes = [c.strip() for v in values or () for c in v.split(",")]
    return tuple(c for c in codes if c)


def _lines(values: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in values or () if v.strip())


# --- printing --------------------------------------------------------------------------------

def rooms_text(unit: EquipmentUnitView) -> str:
    return ",".join(unit.room_codes) or "any"


def print_units(units: Sequence[EquipmentUnitView]) -> None:
    rows = [[u.name, u.kind, u.status.value, rooms_text(u), f"{u.turnaround_minutes} min",
             _first_line(u.notes)] for u in units]
    out.table(rows, ["NAME", "KIND", "STATUS", "ROOMS", "TURNAROUND", "NOTES"])


def _first_line(text: str | None, width: int = 40) -> str:
    line = (text or "").strip().splitlines()[0] if text and text.strip() else ""
    return line if len(line) <= width else line[:width - 1].rstrip() + "…"


def print_kinds(kinds: Sequence[EquipmentKindView]) -> None:
    rows = [[k.name, "active" if k.active else "inactive", str(k.unit_count)] for k in kinds]
    out.table(rows, ["KIND", "STATE", "UNITS"])


def change_json(change: UnitChange) -> dict[str, Any]:
    return {"unit": change.unit.model_dump(), "reassigned": list(change.reassigned),
            "lost": list(change.lost)}


def print_change(verb: str, change: UnitChange) -> None:
    """What the edit did to the unit and to the cases holding it from now on."""
    u = change.unit
    print(f"{verb} {u.name} ({u.kind}, {u.status.value}, rooms {rooms_text(u)}, "
          f"turnaround {u.turnaround_minutes} min)")
    if change.reassigned:
        print(f"given another {u.kind}: {', '.join(change.reassigned)}")
    if change.lost:
        print(f"lost the unit, no other {u.kind} free: {', '.join(change.lost)}")
    if not change.reassigned and not change.lost:
        print("no case lost the unit")


def _minutes(value: int | None) -> str:
    return f"{value} min" if value is not None else "-"


def print_cards(cards: Sequence[PreferenceCardView]) -> None:
    rows = [[str(c.id), c.surgeon_username, c.procedure_name, _minutes(c.duration_min),
             ", ".join(c.equipment) or "-"] for c in cards]
    out.table(rows, ["ID", "SURGEON", "PROCEDURE", "DURATION", "EQUIPMENT"])


def print_card(card: PreferenceCardView) -> None:
    print(f"card {card.id}: {card.procedure_name}")
    print(f"surgeon: {card.surgeon_name} ({card.surgeon_username})")
    print(f"duration: {_minutes(card.duration_min)}")
    print(f"equipment: {', '.join(card.equipment) or 'none'}")
    print(f"laterality: {'asked for on every case' if card.laterality_prompt else 'as given'}")
    print(f"positioning: {card.positioning or '-'}")
    for title, lines in (("trays", card.trays), ("supplies", card.supplies)):
        print(f"{title}:" + ("" if lines else " -"))
        for line in lines:
            print(f"  - {line}")
    if card.notes:
        print("notes:")
        for line in card.notes.splitlines():
            print(f"  {line}")


def card_json(card: PreferenceCardView) -> dict[str, Any]:
    data: dict[str, Any] = card.model_dump()
    return data


# --- equipment -------------------------------------------------------------------------------

def list_units(args: argparse.Namespace) -> int:
    with opened(args) as ctx, options_named(_UNIT_OPTIONS):
        units = ctx.services.equipment.units(ctx.actor, kind=args.kind)
    if args.json:
        out.print_json([u.model_dump() for u in units])
    else:
        print_units(units)
    return 0


def add_unit(args: argparse.Namespace) -> int:
    turnaround = parse_turnaround(args.turnaround) if args.turnaround is not None else 0
    with opened(args, login=True) as ctx, options_named(_UNIT_OPTIONS):
        unit = ctx.services.equipment.add_unit(
            ctx.actor, name=args.name, kind=args.kind, rooms=_rooms(args.room),
            turnaround_min=turnaround, notes=args.notes)
    if args.json:
        out.print_json(unit.model_dump())
    else:
        print(f"added {unit.name} ({unit.kind}, rooms {rooms_text(unit)}, "
              f"turnaround {unit.turnaround_minutes} min)")
    return 0


def _unit_changes(args: argparse.Namespace) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if args.status is not None:
        changes["status"] = parse_enum(EquipmentStatus, args.status, "--status")
    if args.new_name is not None:
        changes["new_name"] = args.new_name
    if args.kind is not None:
        changes["kind"] = args.kind
    if args.any_room:
        changes["rooms"] = ()
    elif args.room is not None:
        rooms = _rooms(args.room)
        if not rooms:
            raise BadInput(FieldProblem("--room", "name a room, or give --any-room"))
        changes["rooms"] = rooms
    if args.turnaround is not None:
        changes["turnaround_min"] = parse_turnaround(args.turnaround)
    if args.notes is not None:
        changes["notes"] = args.notes
    if not changes:
        raise BadInput(FieldProblem("unit", "name at least one thing to change"))
    return changes


def update_unit(args: argparse.Namespace) -> int:
    changes = _unit_changes(args)
    with opened(args, login=True) as ctx, options_named(_UNIT_OPTIONS):
        change = ctx.services.equipment.update_unit(ctx.actor, args.name, **changes)
    if args.json:
        out.print_json(change_json(change))
    else:
        print_change("updated", change)
    return 0


def close_unit(args: argparse.Namespace) -> int:
    start = parse_datetime(args.from_, "--from")
    end = parse_datetime(args.to, "--to")
    if not args.reason.strip():
        raise BadInput(FieldProblem("--reason", "is required"))
    with opened(args, login=True) as ctx, options_named(_UNIT_OPTIONS):
        change = ctx.services.equipment.close_unit(ctx.actor, args.name, start=start,
                                                   end=end, reason=args.reason)
        zone = ctx.zone
    if args.json:
        out.print_json(change_json(change))
        return 0
    print(f"{change.unit.name} closed {local_text(start, zone)} – {local_text(end, zone)}: "
          f"{args.reason.strip()}")
    print_change("now", change)
    return 0


def local_text(value: datetime, zone: ZoneInfo) -> str:
    """A time as given (department time when it has no offset), as the department reads
    it."""
    if value.tzinfo is None:
        return f"{value:%Y-%m-%d %H:%M}"
    return f"{value.astimezone(zone):%Y-%m-%d %H:%M}"


def list_kinds(args: argparse.Namespace) -> int:
    with opened(args) as ctx:
        kinds = ctx.services.equipment.kinds(ctx.actor)
    if args.json:
        out.print_json([k.model_dump() for k in kinds])
    else:
        print_kinds(kinds)
    return 0


def add_kind(args: argparse.Namespace) -> int:
    with opened(args, login=True) as ctx, options_named(_KIND_OPTIONS):
        kind = ctx.services.equipment.add_kind(ctx.actor, args.kind_name)
    print(f"added equipment kind {kind.name}")
    return 0


def update_kind(args: argparse.Namespace) -> int:
    if args.new_name is None and args.active is None:
        raise BadInput(FieldProblem("kind", "give --name, --active or --inactive"))
    with opened(args, login=True) as ctx, options_named(_KIND_OPTIONS):
        kind = ctx.services.equipment.update_kind(ctx.actor, args.kind_name,
                                                  new_name=args.new_name, active=args.active)
    print(f"updated equipment kind {kind.name} ({'active' if kind.active else 'inactive'})")
    return 0


# --- preference cards ------------------------------------------------------------------------

def list_cards(args: argparse.Namespace) -> int:
    with opened(args) as ctx, options_named(_CARD_OPTIONS):
        cards = ctx.services.cards.list_cards(ctx.actor, surgeon=args.surgeon)
    if args.json:
        out.print_json([card_json(c) for c in cards])
    else:
        print_cards(cards)
    return 0


def show_card(args: argparse.Namespace) -> int:
    card_id = parse_card_id(args.card_id)
    with opened(args) as ctx, options_named(_CARD_OPTIONS):
        card = ctx.services.cards.get_card(ctx.actor, card_id)
    if args.json:
        out.print_json(card_json(card))
    else:
        print_card(card)
    return 0


def add_card(args: argparse.Namespace) -> int:
    duration = parse_in_range(args.duration, "--duration", CASE_DURATION) \
        if args.duration is not None else None
    with opened(args, login=True) as ctx, options_named(_CARD_OPTIONS):
        card = ctx.services.cards.create_card(
            ctx.actor, surgeon=args.surgeon, procedure=args.procedure, duration_min=duration,
            equipment=tuple(k.strip() for k in args.equipment or () if k.strip()),
            laterality_prompt=args.laterality_prompt, positioning=args.positioning,
            trays=_lines(args.tray), supplies=_lines(args.supply), notes=args.notes)
    if args.json:
        out.print_json(card_json(card))
    else:
        print(f"added card {card.id}: {card.surgeon_username}, {card.procedure_name}"
              f" ({_minutes(card.duration_min)}; equipment "
              f"{', '.join(card.equipment) or 'none'})")
    return 0


def _card_changes(args: argparse.Namespace) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if args.procedure is not None:
        changes["procedure"] = args.procedure
    if args.duration is not None:
        changes["duration_min"] = None if args.duration.strip().lower() == "none" \
            else parse_in_range(args.duration, "--duration", CASE_DURATION)
    if args.no_equipment:
        changes["equipment"] = ()
    elif args.equipment is not None:
        changes["equipment"] = tuple(k.strip() for k in args.equipment if k.strip())
    if args.laterality_prompt is not None:
        changes["laterality_prompt"] = args.laterality_prompt
    for option, name in (("positioning", "positioning"), ("notes", "notes")):
        if getattr(args, option) is not None:
            changes[name] = getattr(args, option)
    if args.tray is not None:
        changes["trays"] = _lines(args.tray)
    if args.supply is not None:
        changes["supplies"] = _lines(args.supply)
    if not changes:
        raise BadInput(FieldProblem("card", "name at least one thing to change"))
    return changes


def update_card(args: argparse.Namespace) -> int:
    card_id = parse_card_id(args.card_id)
    changes = _card_changes(args)
    with opened(args, login=True) as ctx, options_named(_CARD_OPTIONS):
        card = ctx.services.cards.update_card(ctx.actor, card_id, expected_version=None,
                                              **changes)
    if args.json:
        out.print_json(card_json(card))
    else:
        print(f"updated card {card.id}: {card.surgeon_username}, {card.procedure_name}")
    return 0


def delete_card(args: argparse.Namespace) -> int:
    card_id = parse_card_id(args.card_id)
    with opened(args, login=True) as ctx, options_named(_CARD_OPTIONS):
        ctx.services.cards.delete_card(ctx.actor, card_id)
    print(f"deleted card {card_id}")
    return 0
