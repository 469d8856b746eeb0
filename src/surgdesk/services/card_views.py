"""What a person gives for a preference card, checked field by field, and the card's view.

``CardFields`` names each field as bad input names it (``duration``, not
``duration_min``); finding the surgeon and the equipment kinds is the card service's job.
``card_view`` is shared with the case services (a case's detail shows the card it was
filled from).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from surgdesk.domain import models as m
from surgdesk.domain.limits import CASE_DURATION, IDENT_MAX, NAME_MAX, TEXT_MAX
from surgdesk.domain.permissions import Action, allowed
from surgdesk.services.context import Actor
from surgdesk.services.dto import PreferenceCardView
from surgdesk.services.fields import free_text, one_line, required_text

# A card asks for at most this many units and lists at most this many trays or supplies.
MAX_EQUIPMENT = 20
MAX_LINES = 200
CARD_FIELDS = ("procedure", "duration_min", "equipment", "laterality_prompt", "positioning",
               "trays", "supplies", "notes")


def _duration(value: int | None) -> int | None:
    if value is not None and (problem := CASE_DURATION.problem(value)) is not None:
        raise ValueError(problem)
    return value


def _free(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > TEXT_MAX:
        raise ValueError(f"must be at most {TEXT_MAX} characters")
    return free_text(text)


def _named_lines(limit: int, many: str, longest: int, each: str
                 ) -> Callable[[tuple[str, ...]], tuple[str, ...]]:
    """A check for a list of one-line names: each trimmed, blank ones dropped, at most
    ``limit`` of them and ``longest`` characters each."""
    def check(values: tuple[str, ...]) -> tuple[str, ...]:
        out = tuple(v.strip() for v in values if v.strip())
        if len(out) > limit:
            raise ValueError(f"at most {limit} {many}")
        for line in out:
            if len(line) > longest:
                raise ValueError(f"each {each} must be at most {longest} characters")
            one_line(line)
        return out
    return check


# Trays and supplies: lines of printable text; equipment: kind names, one per unit.
_lines = _named_lines(MAX_LINES, "lines", NAME_MAX, "line")
_kinds = _named_lines(MAX_EQUIPMENT, "units", IDENT_MAX, "kind")


class CardFields(BaseModel):
    """A card's fields as a person gives them (kinds by name)."""

    model_config = ConfigDict(extra="forbid")

    procedure: Annotated[str, required_text(NAME_MAX)]
    duration: Annotated[int | None, Field(strict=True), AfterValidator(_duration)] = None
    equipment: Annotated[tuple[str, ...], AfterValidator(_kinds)] = ()
    laterality_prompt: Annotated[bool, Field(strict=True)] = False
    positioning: Annotated[str | None, AfterValidator(_free)] = None
    trays: Annotated[tuple[str, ...], AfterValidator(_lines)] = ()
    supplies: Annotated[tuple[str, ...], AfterValidator(_lines)] = ()
    notes: Annotated[str | None, AfterValidator(_free)] = None


def as_lines(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """Trays or supplies as given: a text is split into its lines, a list kept."""
    if values is None:
        return ()
    if isinstance(values, str):
        return tuple(values.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return tuple(values)


def as_names(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """Kind names as given: one name as a plain string is one name, not letters."""
    if values is None:
        return ()
    return (values,) if isinstance(values, str) else tuple(values)


def can_edit(actor: Actor, card: m.PreferenceCard) -> bool:
    """Admins and schedulers every card; a surgeon their own."""
    owns = actor.user_id is not None and card.surgeon.user_id == actor.user_id
    return allowed(actor.role, Action.MANAGE_CARDS, owns=owns)


def card_view(card: m.PreferenceCard, kind_names: Mapping[int, str],
              actor: Actor | None = None) -> PreferenceCardView:
    """``kind_names``: equipment kind names by id; ``actor``: who asks (``can_edit``)."""
    user = card.surgeon.user
    return PreferenceCardView(
        id=card.id, surgeon_id=card.surgeon_id, surgeon_username=user.username,
        surgeon_name=user.display_name, procedure_name=card.procedure_name,
        duration_min=card.duration_min,
        equipment=tuple(kind_names.get(k, f"#{k}") for k in card.equipment_kind_ids or ()),
        laterality_prompt=card.laterality_prompt, positioning=card.positioning,
        trays=tuple(card.trays or ()), supplies=tuple(card.supplies or ()),
        notes=card.notes, version=card.version,
        can_edit=can_edit(actor, card) if actor is not None else False)


def card_state(card: m.PreferenceCard, kind_names: Mapping[int, str]) -> dict[str, Any]:
    """A card as the audit trail compares it (kind names, not ids)."""
    return {
        "surgeon": card.surgeon.user.username, "procedure": card.procedure_name,
        "duration_min": card.duration_min,
        "equipment": [kind_names.get(k, f"#{k}") for k in card.equipment_kind_ids or ()],
        "laterality_prompt": card.laterality_prompt, "positioning": card.positioning,
        "trays": list(card.trays or ()), "supplies": list(card.supplies or ()),
        "notes": card.notes,
    }
