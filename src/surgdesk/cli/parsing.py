"""Turning command-line text into values, with messages that name the option."""

from __future__ import annotations

from datetime import date, datetime, time

from surgdesk.errors import BadInput, FieldProblem


def parse_datetime(text: str, option: str) -> datetime:
    """ISO 8601; without an offset it is department wall-clock time (services convert)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(
            FieldProblem(option, f"{text!r} is not an ISO date-time (e.g. 2026-03-02T08:30)")
        ) from None
    return value


def parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(FieldProblem(option, f"{text!r} is not a date (YYYY-MM-DD)")) from None


def parse_clock(text: str, option: str) -> time:
    try:
        value = time.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(FieldProblem(option, f"{text!r} is not a time of day (HH:MM)")) from None
    if value.tzinfo is not None:
        raise BadInput(FieldProblem(option, "a time of day takes no offset"))
    return value


def parse_minutes(text: str, option: str, *, low: int = 1, high: int = 24 * 60) -> int:
    try:
        value = int(text)
    except ValueError:
        raise BadInput(FieldProblem(option, f"{text!r} is not a whole number of minutes")) from None
    if not low <= value <= high:
        raise BadInput(FieldProblem(option, f"must be between {low} and {high} minutes"))
    return value
