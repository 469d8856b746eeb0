"""What the case screens share: department time, labels for enum values, error labels."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from surgdesk.domain.enums import (
    TEAM_ROLE_LABELS,
    CaseStatus,
    ItemStatus,
    Laterality,
    NoteType,
    Phase,
    Priority,
    TeamRole,
)
from surgdesk.domain.timezones import zone
from surgdesk.services.context import Actor
from surgdesk.services.registry import Services

T = TypeVar("T")

ERROR_STYLE = "color: #a40000;"
MASKED = "masked"

STATUS_TEXT: dict[CaseStatus, str] = {
    CaseStatus.REQUESTED: "Requested (in the queue)",
    CaseStatus.SCHEDULED: "Scheduled",
    CaseStatus.PREOP_READY: "Pre-op ready",
    CaseStatus.IN_PROGRESS: "In progress",
    CaseStatus.COMPLETED: "Completed",
    CaseStatus.POSTPONED: "Postponed",
    CaseStatus.CANCELLED: "Cancelled",
}
LATERALITY_TEXT: dict[Laterality, str] = {
    Laterality.LEFT: "Left",
    Laterality.RIGHT: "Right",
    Laterality.BILATERAL: "Bilateral",
    Laterality.NOT_APPLICABLE: "Not applicable",
}
PRIORITY_TEXT: dict[Priority, str] = {
    Priority.ELECTIVE: "Elective",
    Priority.URGENT: "Urgent",
    Priority.EMERGENCY: "Emergency",
}
TEAM_ROLE_TEXT: dict[TeamRole, str] = TEAM_ROLE_LABELS
ITEM_STATUS_TEXT: dict[ItemStatus, str] = {
    ItemStatus.PENDING: "Pending",
    ItemStatus.DONE: "Done",
    ItemStatus.BLOCKED: "Blocked",
}
NOTE_TYPE_TEXT: dict[NoteType, str] = {
    NoteType.GENERAL: "General",
    NoteType.ANESTHESIA: "Anesthesia",
    NoteType.NURSING: "Nursing",
    NoteType.DELAY: "Delay",
    NoteType.CANCELLATION: "Cancellation",
}
# The board's words for the soft-conflict codes (SoftConflict.code).
CONFLICT_TEXT: dict[str, str] = {
    "outside_hours": "outside the room's hours",
    "specialty": "the room is for another specialty",
    "surgeon_double_booked": "the lead surgeon is booked elsewhere at the same time",
    "anesthetist_double_booked": "the anesthetist is booked elsewhere at the same time",
    "team_double_booked": "a team member is booked elsewhere at the same time",
    "patient_double_booked": "the same patient is booked twice at the same time",
    "other_block": "the time is in a block held for someone else",
    "equipment_missing": "a unit of equipment the case needs is not allocated (see Equipment)",
}
PHASE_TEXT: dict[Phase, str] = {Phase.PRE_OP: "Pre-op", Phase.POST_OP: "Post-op"}


def department_zone(services: Services, actor: Actor) -> ZoneInfo:
    """Times on the case screens are the department's, whatever the PC's own zone."""
    return zone(services.settings.get(actor).time_zone)


def local_text(value: datetime | None, tz: ZoneInfo, fmt: str = "%a %d %b %Y %H:%M") -> str:
    return value.astimezone(tz).strftime(fmt) if value is not None else ""


def error_label(name: str, parent: QWidget | None = None) -> QLabel:
    """The message shown beside (under) a field; empty and hidden while the field is fine."""
    label = QLabel(parent)
    label.setObjectName(f"{name}Error")
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    label.hide()
    return label


def camel(field: str) -> str:
    """``patient_name`` -> ``patientName`` (object names of the form's fields)."""
    head, *rest = field.split("_")
    return head + "".join(part.title() for part in rest)


def guarded(owner: QObject, handler: Callable[[T], object]) -> Callable[[T], object]:
    """``handler`` for a runner's answer, skipped once ``owner`` is gone (a form closed
    and deleted while its call was under way: the answer has nowhere to go)."""

    def deliver(value: T) -> object:
        return handler(value) if shiboken6.isValid(owner) else None

    return deliver
