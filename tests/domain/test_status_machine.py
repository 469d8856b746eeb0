"""The status machine as data: DESIGN.md's arrows, final states, what gates what."""

from __future__ import annotations

import itertools

from surgdesk.domain.enums import FINAL_STATUSES, OCCUPYING_STATUSES, CaseStatus, Section
from surgdesk.domain.status_machine import (
    ALLOWED_TRANSITIONS,
    AUTOMATIC_TRANSITIONS,
    CLINICAL_TARGETS,
    GATING_SECTIONS,
    NEEDS_REASON,
    can_transition,
    needs_room_and_time,
)

S = CaseStatus
DESIGN_ARROWS = {
    (S.REQUESTED, S.SCHEDULED), (S.SCHEDULED, S.PREOP_READY), (S.PREOP_READY, S.IN_PROGRESS),
    (S.IN_PROGRESS, S.COMPLETED), (S.SCHEDULED, S.REQUESTED), (S.PREOP_READY, S.SCHEDULED),
    *((src, dst) for src in (S.REQUESTED, S.SCHEDULED, S.PREOP_READY)
      for dst in (S.POSTPONED, S.CANCELLED)),
    (S.POSTPONED, S.SCHEDULED), (S.POSTPONED, S.REQUESTED),
}


def test_every_pair_is_allowed_exactly_when_design_draws_it() -> None:
    for source, target in itertools.product(S, S):
        assert can_transition(source, target) is ((source, target) in DESIGN_ARROWS), (
            source, target)


def test_completed_and_cancelled_are_final() -> None:
    assert {s for s in S if not ALLOWED_TRANSITIONS[s]} == set(FINAL_STATUSES)


def test_postpone_and_cancel_need_a_reason() -> None:
    assert {S.POSTPONED, S.CANCELLED} == NEEDS_REASON


def test_gating_sections() -> None:
    assert GATING_SECTIONS == {
        S.PREOP_READY: (Section.READINESS,),
        S.IN_PROGRESS: (Section.SIGN_IN, Section.TIME_OUT),
        S.COMPLETED: (Section.SIGN_OUT,),
    }
    assert {(S.SCHEDULED, S.PREOP_READY), (S.PREOP_READY, S.SCHEDULED)} == AUTOMATIC_TRANSITIONS
    assert {S.IN_PROGRESS, S.COMPLETED} == CLINICAL_TARGETS


def test_statuses_that_hold_a_room_need_one() -> None:
    assert {s for s in S if needs_room_and_time(s)} == set(OCCUPYING_STATUSES)
