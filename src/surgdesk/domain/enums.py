"""Enumerations of the OR domain. Values are what the database, CLI and JSON use."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SCHEDULER = "scheduler"
    SURGEON = "surgeon"
    ANESTHESIOLOGIST = "anesthesiologist"
    NURSE = "nurse"
    VIEWER = "viewer"


class RoomStatus(StrEnum):
    ACTIVE = "active"
    MAINTENANCE = "maintenance"
    CLOSED = "closed"


class EquipmentStatus(StrEnum):
    AVAILABLE = "available"
    MAINTENANCE = "maintenance"
    RETIRED = "retired"


class Laterality(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"
    NOT_APPLICABLE = "not_applicable"


class Priority(StrEnum):
    ELECTIVE = "elective"
    URGENT = "urgent"
    EMERGENCY = "emergency"


class CaseStatus(StrEnum):
    REQUESTED = "requested"
    SCHEDULED = "scheduled"
    PREOP_READY = "preop_ready"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


class TeamRole(StrEnum):
    SURGEON = "surgeon"
    ASSISTANT_SURGEON = "assistant_surgeon"
    ANESTHESIOLOGIST = "anesthesiologist"
    CIRCULATING_NURSE = "circulating_nurse"
    SCRUB_NURSE = "scrub_nurse"
    COORDINATOR = "coordinator"


# A care-team role as people say it: in warnings ("Scrub nurse … is also booked") and on
# screen alike.
TEAM_ROLE_LABELS: dict[TeamRole, str] = {
    TeamRole.SURGEON: "Surgeon",
    TeamRole.ASSISTANT_SURGEON: "Assistant surgeon",
    TeamRole.ANESTHESIOLOGIST: "Anesthesiologist",
    TeamRole.CIRCULATING_NURSE: "Circulating nurse",
    TeamRole.SCRUB_NURSE: "Scrub nurse",
    TeamRole.COORDINATOR: "Coordinator",
}


class Phase(StrEnum):
    PRE_OP = "pre_op"
    POST_OP = "post_op"


class ChecklistStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class ItemStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    BLOCKED = "blocked"


class Section(StrEnum):
    """Checklist sections; each gates a step of the status machine."""

    READINESS = "Readiness"
    SIGN_IN = "Sign In"
    TIME_OUT = "Time Out"
    SIGN_OUT = "Sign Out"
    HANDOFF = "Handoff"


class NoteType(StrEnum):
    GENERAL = "general"
    ANESTHESIA = "anesthesia"
    NURSING = "nursing"
    DELAY = "delay"
    CANCELLATION = "cancellation"


# Statuses in which a case holds its room (and so can clash with another case).
OCCUPYING_STATUSES: frozenset[CaseStatus] = frozenset(
    {CaseStatus.SCHEDULED, CaseStatus.PREOP_READY, CaseStatus.IN_PROGRESS}
)
FINAL_STATUSES: frozenset[CaseStatus] = frozenset({CaseStatus.COMPLETED, CaseStatus.CANCELLED})
