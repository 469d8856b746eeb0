"""Validators and checks the user, room and settings services share."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints

from surgdesk.domain.limits import IDENT_MAX, NAME_MAX, TEXT_MAX
from surgdesk.errors import StaleVersion

# C0 controls, DEL and C1 controls (\x9b is a terminal's CSI as much as ESC [ is).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Free text keeps its line breaks and tabs; nothing else that steers a terminal.
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NO_CONTROL = "must not contain control characters"


def one_line(value: str) -> str:
    """One line of printable text: no control character (a NUL, an escape sequence or a
    line break would forge rows in ``cases list`` or fail on Postgres)."""
    if _CONTROL.search(value):
        raise ValueError(_NO_CONTROL)
    return value


def free_text(value: str) -> str:
    """Notes and reasons: line breaks (``\r\n`` and ``\r`` become ``\n``) and tabs are
    kept; any other control character is refused."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if _TEXT_CONTROL.search(value):
        raise ValueError(_NO_CONTROL)
    return value


# Pydantic field types for the case fields (whitespace stripped by the model's config).
NameLine = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX),
                     AfterValidator(one_line)]
IdentLine = Annotated[str, StringConstraints(min_length=1, max_length=IDENT_MAX),
                      AfterValidator(one_line)]
FreeText = Annotated[str, StringConstraints(min_length=1, max_length=TEXT_MAX),
                     AfterValidator(free_text)]
# A checklist item's note: empty clears it.
NoteText = Annotated[str, StringConstraints(max_length=TEXT_MAX), AfterValidator(free_text)]


def _text_check(max_len: int) -> Any:
    def check(value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be empty")
        if len(value) > max_len:
            raise ValueError(f"must be at most {max_len} characters")
        if _CONTROL.search(value):
            raise ValueError("must not contain control characters")
        return value

    return check


def required_text(max_len: int) -> Any:
    """Trimmed, non-empty, at most ``max_len`` characters, one line of printable text."""
    return AfterValidator(_text_check(max_len))


def optional_text(max_len: int) -> Any:
    """Like ``required_text``, but blank means "none"."""
    check = _text_check(max_len)
    return AfterValidator(lambda v: check(v) if v is not None and v.strip() else None)


def check_version(obj: Any, expected: int | None, what: str) -> None:
    """Refuse a write based on a version of ``obj`` that is no longer current."""
    if expected is not None and obj.version != expected:
        raise StaleVersion(
            f"{what} was changed by someone else meanwhile (now version {obj.version}, "
            f"you had {expected}); reload and try again",
            current_version=obj.version,
        )
