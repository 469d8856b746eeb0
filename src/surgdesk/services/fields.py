"""Validators and checks the user, room and settings services share."""

from __future__ import annotations

import re
from typing import Any

from pydantic import AfterValidator

from surgdesk.errors import StaleVersion

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
