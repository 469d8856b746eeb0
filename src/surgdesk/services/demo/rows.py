"""The demo's rows: plain dicts per table, ids given by the plan, for the bulk writer."""

from __future__ import annotations

from typing import Any

from surgdesk.domain.enums import ChecklistStatus, ItemStatus, Phase, TeamRole
from surgdesk.services.demo.checklists import Stamps
from surgdesk.services.demo.plan import DAY, Plan


class Rows:
    """Row dicts per table, in insert order."""

    def __init__(self) -> None:
        self.users: list[dict[str, Any]] = []
        self.profiles: list[dict[str, Any]] = []
        self.rooms: list[dict[str, Any]] = []
        self.closures: list[dict[str, Any]] = []
        self.cases: list[dict[str, Any]] = []
        self.team: list[dict[str, Any]] = []
        self.checklists: list[dict[str, Any]] = []
        self.items: list[dict[str, Any]] = []
        self.notes: list[dict[str, Any]] = []


def case_rows(plan: Plan, rows: Rows) -> None:
    rng = plan.rng
    now = plan.now
    soon = now + 2 * DAY
    for case in plan.cases:
        assert case.created_at is not None
        assert case.patient is not None
        name, mrn, dob = case.patient
        occupied = case.occupied_until
        updated = case.created_at
        stamps = Stamps(case, rng, now)
        pre_items, pre_signed, post_items, post_signed = stamps.items(plan)
        for item in (*pre_items, *post_items):
            if item["completed_at"] is not None and item["completed_at"] > updated:
                updated = item["completed_at"]
        if case.actual_end is not None:
            updated = max(updated, case.actual_end)
        if case.note is not None:
            updated = max(updated, case.note[2])
        updated = min(updated, now)
        rows.cases.append({
            "id": case.id, "created_at": case.created_at, "updated_at": updated, "version": 1,
            "case_number": case.number, "patient_name": name, "patient_id": mrn,
            "patient_dob": dob, "procedure_name": case.procedure.name,
            "laterality": case.laterality.value, "specialty": case.specialty,
            "priority": case.priority.value, "status": case.status.value,
            "scheduled_start": case.start, "scheduled_end": case.end,
            "occupied_until": occupied, "estimated_duration_min": case.minutes,
            "operating_room_id": case.room.id if case.room else None,
            "lead_surgeon_id": case.surgeon.profile_id,
            "anesthetist_id": case.anesthetist.id if case.anesthetist else None,
            "pre_op_complete": pre_signed is not None,
            "post_op_complete": post_signed is not None,
            "actual_start": case.actual_start, "actual_end": case.actual_end,
            "created_by_id": case.created_by.id if case.created_by else None,
            "preference_card_id": plan.card_ids.get(
                (case.surgeon.profile_id or 0, case.procedure.name)),
        })
        confirmed = case.start is not None and (case.start < soon or rng.random() < 0.7)
        for person, role in ((case.surgeon, TeamRole.SURGEON),
                             (case.anesthetist, TeamRole.ANESTHESIOLOGIST),
                             (case.circulator, TeamRole.CIRCULATING_NURSE),
                             (case.scrub, TeamRole.SCRUB_NURSE)):
            if person is not None:
                rows.team.append({
                    "id": plan.new_id("care_team_member"), "created_at": case.created_at,
                    "updated_at": case.created_at, "version": 1, "surgery_case_id": case.id,
                    "user_id": person.id, "role": role.value,
                    "confirmed": confirmed or person is case.surgeon,
                })
        for phase, items, signed in ((Phase.PRE_OP, pre_items, pre_signed),
                                     (Phase.POST_OP, post_items, post_signed)):
            if not items:
                continue
            checklist_id = plan.new_id("checklist")
            done = [i for i in items if i["status"] == ItemStatus.DONE.value]
            if signed is not None:
                status = ChecklistStatus.COMPLETED
            elif done:
                status = ChecklistStatus.IN_PROGRESS
            else:
                status = ChecklistStatus.PENDING
            last = max((i["completed_at"] for i in done), default=case.created_at)
            rows.checklists.append({
                "id": checklist_id, "created_at": case.created_at,
                "updated_at": signed[1] if signed else last, "version": 1,
                "surgery_case_id": case.id, "phase": phase.value, "status": status.value,
                "signed_off_by_id": signed[0] if signed else None,
                "signed_off_at": signed[1] if signed else None,
            })
            for item in items:
                item["id"] = plan.new_id("checklist_item")
                item["checklist_id"] = checklist_id
                rows.items.append(item)
        if case.note is not None:
            kind, message, at = case.note
            author = plan.schedulers[0]
            rows.notes.append({
                "id": plan.new_id("case_note"), "created_at": at, "updated_at": at,
                "version": 1, "surgery_case_id": case.id, "author_id": author.id,
                "note_type": kind.value, "message": message,
            })
