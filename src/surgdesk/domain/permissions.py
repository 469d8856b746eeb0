"""The permission matrix of DESIGN.md, as data."""

from __future__ import annotations

from enum import StrEnum

from surgdesk.domain.enums import Role


class Action(StrEnum):
    MANAGE_USERS = "manage_users"
    MANAGE_TEMPLATES = "manage_templates"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_ROOMS = "manage_rooms"
    SCHEDULE_CASES = "schedule_cases"  # create, move, resize, postpone, cancel; assign team
    REQUEST_CASE = "request_case"
    SEE_BOARD = "see_board"
    SEE_PATIENT = "see_patient"
    UPDATE_CHECKLIST = "update_checklist"
    SIGN_OFF = "sign_off"  # sign off a phase, start / complete a case
    ADD_NOTE = "add_note"
    READ_AUDIT = "read_audit"
    MANAGE_BLOCKS = "manage_blocks"  # create, edit, end blocks; take a release back
    RELEASE_BLOCK = "release_block"  # release one date of a block
    MANAGE_EQUIPMENT = "manage_equipment"  # kinds, units, status, unit closures
    MANAGE_CARDS = "manage_cards"  # preference cards (a surgeon: their own)


class Grant(StrEnum):
    """How a role holds an action: always, or only on cases whose care team it is on."""

    ALWAYS = "always"
    CARE_TEAM = "care_team"
    # Only their own: a surgeon's own block or preference card, or a block of the service
    # they belong to.
    OWN = "own"


A, R, G = Action, Role, Grant
_CLINICAL = (R.SURGEON, R.ANESTHESIOLOGIST, R.NURSE)

PERMISSIONS: dict[Action, dict[Role, Grant]] = {
    A.MANAGE_USERS: {R.ADMIN: G.ALWAYS},
    A.MANAGE_TEMPLATES: {R.ADMIN: G.ALWAYS},
    A.MANAGE_SETTINGS: {R.ADMIN: G.ALWAYS},
    A.MANAGE_ROOMS: {R.ADMIN: G.ALWAYS, R.SCHEDULER: G.ALWAYS},
    A.SCHEDULE_CASES: {R.ADMIN: G.ALWAYS, R.SCHEDULER: G.ALWAYS},
    A.REQUEST_CASE: {R.ADMIN: G.ALWAYS, R.SCHEDULER: G.ALWAYS, R.SURGEON: G.ALWAYS},
    A.SEE_BOARD: {role: G.ALWAYS for role in Role},
    A.SEE_PATIENT: {
        R.ADMIN: G.ALWAYS,
        R.SCHEDULER: G.ALWAYS,
        **{role: G.CARE_TEAM for role in _CLINICAL},
    },
    A.UPDATE_CHECKLIST: {R.ADMIN: G.ALWAYS, **{role: G.CARE_TEAM for role in _CLINICAL}},
    A.SIGN_OFF: {R.ADMIN: G.ALWAYS, **{role: G.CARE_TEAM for role in _CLINICAL}},
    A.ADD_NOTE: {
        R.ADMIN: G.ALWAYS,
        R.SCHEDULER: G.ALWAYS,
        **{role: G.CARE_TEAM for role in _CLINICAL},
    },
    A.READ_AUDIT: {R.ADMIN: G.ALWAYS, R.SCHEDULER: G.ALWAYS},
    A.MANAGE_BLOCKS: {R.ADMIN: G.ALWAYS, R.SCHEDULER: G.ALWAYS},
    A.RELEASE_BLOCK: {R.ADMIN: G.ALWAYS, R.SCHEDULER: G.ALWAYS, R.SURGEON: G.OWN},
    A.MANAGE_EQUIPMENT: {R.ADMIN: G.ALWAYS, R.SCHEDULER: G.ALWAYS},
    A.MANAGE_CARDS: {R.ADMIN: G.ALWAYS, R.SCHEDULER: G.ALWAYS, R.SURGEON: G.OWN},
}


def grant_for(role: Role | None, action: Action) -> Grant | None:
    if role is None:
        return None
    return PERMISSIONS[action].get(role)


def allowed(role: Role | None, action: Action, *, on_care_team: bool = False,
            owns: bool = False) -> bool:
    """``on_care_team``: the actor is on the case's care team; ``owns``: the block or the
    preference card is the actor's own (or the block their service's)."""
    grant = grant_for(role, action)
    if grant is Grant.ALWAYS:
        return True
    if grant is Grant.OWN:
        return owns
    return grant is Grant.CARE_TEAM and on_care_team
