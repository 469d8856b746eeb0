"""The demo's checklists: which items of a case are done, by whom and when, so that they
agree with the case's status and the clock."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from surgdesk.domain.enums import ItemStatus, Phase, Section
from surgdesk.repository.bulk import TemplateItemRow
from surgdesk.services.demo.plan import MINUTE, Case, Person, Plan, S

KNOWN_SECTIONS = frozenset(s.value for s in Section)


class Stamps:
    """Which checklist items of one case are done, by whom and when — from its status."""

    def __init__(self, case: Case, rng: random.Random, now: datetime) -> None:
        self.case = case
        self.rng = rng
        self.now = now

    def items(self, plan: Plan) -> tuple[list[dict[str, Any]], tuple[int, datetime] | None,
                                               list[dict[str, Any]], tuple[int, datetime] | None]:
        case, rng, now = self.case, self.rng, self.now
        assert case.created_at is not None
        status = case.status
        nurse = case.circulator or case.surgeon
        # Readiness: how many required items are done.
        readiness_all = status in (S.PREOP_READY, S.IN_PROGRESS, S.COMPLETED) or (
            status in (S.CANCELLED, S.POSTPONED) and rng.random() < 0.7)
        ready_cap = min(now, case.start - timedelta(hours=2)) if case.start else now
        ready_cap = max(ready_cap, case.created_at + MINUTE)

        created = case.created_at

        def ready_at() -> datetime:
            span = (ready_cap - created).total_seconds()
            return (created + timedelta(seconds=span * rng.uniform(0.2, 0.95))).replace(
                second=0, microsecond=0)

        clinical = status in (S.IN_PROGRESS, S.COMPLETED)
        finished = status is S.COMPLETED
        sign_in_at = time_out_at = sign_out_at = handoff_at = None
        if clinical:
            assert case.actual_start is not None
            sign_in_at = min(case.actual_start + timedelta(minutes=rng.randint(2, 6)), now)
            time_out_at = min(case.actual_start + timedelta(minutes=rng.randint(12, 25)), now)
            time_out_at = max(time_out_at, sign_in_at)
        if finished:
            assert case.actual_end is not None
            sign_out_at = max(case.actual_end - timedelta(minutes=rng.randint(3, 8)),
                              time_out_at or case.actual_end)
            handoff_at = min(case.actual_end + timedelta(minutes=rng.randint(5, 15)), now)
            handoff_at = max(handoff_at, sign_out_at)

        partial: set[str] = set()
        blocked: str | None = None
        if not readiness_all:
            template = plan.template_for(Phase.PRE_OP, case.specialty)
            required = [i.item_code for i in (template.items if template else ())
                        if i.section == Section.READINESS.value and i.is_required]
            if case.status is S.REQUESTED:
                count = rng.randint(0, min(2, len(required)))
            else:
                count = rng.randint(0, max(0, len(required) - 1))
            partial = set(rng.sample(required, count))
            rest = [c for c in required if c not in partial]
            if rest and case.status is S.SCHEDULED and rng.random() < 0.15:
                blocked = rng.choice(rest)

        def build(phase: Phase) -> list[dict[str, Any]]:
            template = plan.template_for(phase, case.specialty)
            out: list[dict[str, Any]] = []
            for t in template.items if template else ():
                when, who = self.done(phase, t, readiness_all, partial, ready_at,
                                      sign_in_at, time_out_at, sign_out_at, handoff_at, nurse)
                item_status = ItemStatus.DONE if when is not None else ItemStatus.PENDING
                note = None
                if t.item_code == blocked:
                    item_status, note = ItemStatus.BLOCKED, "Waiting for results from the lab"
                out.append({
                    "created_at": case.created_at,
                    "updated_at": when or case.created_at, "version": 1,
                    "item_code": t.item_code, "section": t.section, "label": t.label,
                    "is_required": t.is_required, "status": item_status.value,
                    "assigned_to_id": None,
                    "completed_by_id": who.id if who is not None and when else None,
                    "completed_at": when, "notes": note, "position": t.position,
                })
            return out

        pre = build(Phase.PRE_OP)
        post = build(Phase.POST_OP)
        signer = case.circulator or case.surgeon
        pre_signed = (signer.id, time_out_at) if clinical and time_out_at else None
        post_signed = (signer.id, handoff_at) if finished and handoff_at else None
        return pre, pre_signed, post, post_signed

    def done(self, phase: Phase, t: TemplateItemRow, readiness_all: bool, partial: set[str],
             ready_at: Callable[[], datetime], sign_in_at: datetime | None,
             time_out_at: datetime | None, sign_out_at: datetime | None,
             handoff_at: datetime | None, nurse: Person) -> tuple[datetime | None, Person | None]:
        case, rng = self.case, self.rng
        finished = case.status is S.COMPLETED
        anesth = case.anesthetist or nurse
        section = t.section
        if section == Section.READINESS.value:
            optional_done = finished or rng.random() < 0.6
            if (readiness_all and (t.is_required or optional_done)) or t.item_code in partial:
                who = anesth if t.item_code == "RD-ASSESSMENT" else (
                    case.surgeon if t.item_code == "RD-CONSENT" else nurse)
                return ready_at(), who
            return None, None
        if section == Section.SIGN_IN.value and sign_in_at is not None:
            return sign_in_at, (anesth if t.item_code == "SI-ANESTH" else nurse)
        if section == Section.TIME_OUT.value and time_out_at is not None:
            if t.is_required or finished or rng.random() < 0.6:
                return time_out_at, (case.surgeon if t.item_code == "TO-SURGEON" else nurse)
            return None, None
        if section == Section.SIGN_OUT.value and sign_out_at is not None:
            return sign_out_at, nurse
        if section == Section.HANDOFF.value and handoff_at is not None:
            return handoff_at, nurse
        if section not in KNOWN_SECTIONS:
            # A local section added by an admin: done once its phase's work is.
            when = (sign_out_at or handoff_at) if phase is Phase.POST_OP else time_out_at
            if when is not None:
                return when, nurse
        return None, None
