"""The case status machine and what each transition needs."""

from __future__ import annotations

from surgdesk.domain.enums import CaseStatus, Section

S = CaseStatus

ALLOWED_TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.REQUESTED: frozenset({S.SCHEDULED, S.POSTPONED, S.CANCELLED}),
    S.SCHEDULED: frozenset({S.PREOP_READY, S.REQUESTED, S.POSTPONED, S.CANCELLED}),
    S.PREOP_READY: frozenset({S.IN_PROGRESS, S.SCHEDULED, S.POSTPONED, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.POSTPONED: frozenset({S.SCHEDULED, S.REQUESTED}),
    S.CANCELLED: frozenset(),
}

# Transitions that need a reason note.
NEEDS_REASON: frozenset[CaseStatus] = frozenset({S.POSTPONED, S.CANCELLED})

# Sections whose required items must all be done before entering a status.
GATING_SECTIONS: dict[CaseStatus, tuple[Section, ...]] = {
    S.PREOP_READY: (Section.READINESS,),
    S.IN_PROGRESS: (Section.SIGN_IN, Section.TIME_OUT),
    S.COMPLETED: (Section.SIGN_OUT,),
}

# preop_ready <-> scheduled follows Readiness by itself; users do not ask for it directly,
# but the transition is allowed so the service can apply it (and audit it).
AUTOMATIC_TRANSITIONS: frozenset[tuple[CaseStatus, CaseStatus]] = frozenset(
    {(S.SCHEDULED, S.PREOP_READY), (S.PREOP_READY, S.SCHEDULED)}
)

# Clinical steps (start / complete) are the care team's; the rest is scheduling.
CLINICAL_TARGETS: frozenset[CaseStatus] = frozenset({S.IN_PROGRESS, S.COMPLETED})


def can_transition(current: CaseStatus, target: CaseStatus) -> bool:
    return target in ALLOWED_TRANSITIONS[current]


def needs_room_and_time(target: CaseStatus) -> bool:
    return target in {S.SCHEDULED, S.PREOP_READY, S.IN_PROGRESS}
