"""Pre-op and post-op checklists: ticking items, the gating they drive, phase sign-off.

Also home of the checklist rules the case service shares: copying the templates into a
new case, which required items a status still misses, and the automatic
scheduled <-> preop_ready step that follows the Readiness section.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from surgdesk.domain import models as m
from surgdesk.domain.enums import (
    CaseStatus,
    ChecklistStatus,
    ItemStatus,
    Phase,
    Section,
)
from surgdesk.domain.permissions import Action, allowed
from surgdesk.domain.status_machine import GATING_SECTIONS
from surgdesk.errors import (
    BadInput,
    FieldProblem,
    NotFound,
    StaleVersion,
    TransitionRefused,
)
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.base import Claim, Service, validate
from surgdesk.services.case_views import case_result, checklist_view, item_view, sees_patient
from surgdesk.services.context import Actor
from surgdesk.services.dto import CaseResult, ChecklistItemView, ChecklistView
from surgdesk.services.fields import NoteText

T = TypeVar("T")

# ---- rules shared with the case service -------------------------------------------------


def copy_templates(uow: UnitOfWork, case: m.SurgeryCase) -> None:
    """Give a new case its checklists: the specialty's own template, else the general one.

    Retired template items are skipped; the copy is the case's own from here on, so later
    template edits do not change checklists already handed out.
    """
    for phase in Phase:
        template = uow.checklists.templates_for(phase, case.specialty)
        checklist = m.Checklist(phase=phase, status=ChecklistStatus.PENDING)
        if template is not None:
            live = [item for item in template.items if not item.retired]
            checklist.items = [
                m.ChecklistItem(
                    item_code=item.item_code,
                    section=item.section,
                    label=item.label,
                    is_required=item.is_required,
                    status=ItemStatus.PENDING,
                    position=position,
                )
                for position, item in enumerate(live, start=1)
            ]
        case.checklists.append(checklist)


_PHASE_ORDER = {phase: n for n, phase in enumerate(Phase)}


def in_phase_order(checklists: Iterable[m.Checklist]) -> list[m.Checklist]:
    """pre_op before post_op (the database orders the names the other way round)."""
    return sorted(checklists, key=lambda c: _PHASE_ORDER[c.phase])


def missing_required(checklists: Iterable[m.Checklist], sections: Sequence[str]) -> list[str]:
    """Codes of the required items of ``sections`` that are not done, in checklist order."""
    wanted = set(sections)
    return [
        item.item_code
        for checklist in in_phase_order(checklists)
        for item in sorted(checklist.items, key=lambda i: i.position)
        if item.section in wanted and item.is_required and item.status is not ItemStatus.DONE
    ]


def gate_missing(checklists: Iterable[m.Checklist], target: CaseStatus) -> list[str]:
    """What a case still needs before it may enter ``target`` (empty: nothing)."""
    sections = GATING_SECTIONS.get(target, ())
    return missing_required(checklists, [s.value for s in sections]) if sections else []


def sync_readiness(
    svc: Service, uow: UnitOfWork, actor: Actor, case: m.SurgeryCase,
    checklists: Iterable[m.Checklist],
) -> None:
    """A scheduled case is preop_ready exactly when its required Readiness items are done.

    Applied after scheduling and after every tick; each automatic change is audited.
    """
    ready = not missing_required(checklists, [Section.READINESS.value])
    if case.status is CaseStatus.SCHEDULED and ready:
        target = CaseStatus.PREOP_READY
    elif case.status is CaseStatus.PREOP_READY and not ready:
        target = CaseStatus.SCHEDULED
    else:
        return
    before = case.status
    case.status = target
    svc.audit(uow, actor, "status_auto", case, {
        "case_number": case.case_number,
        "status": {"before": before.value, "after": target.value},
        "because": "readiness checklist",
    })


def item_by_code(checklists: Iterable[m.Checklist], code: str) -> m.ChecklistItem:
    wanted = code.strip().upper()
    for checklist in checklists:
        for item in checklist.items:
            if item.item_code.upper() == wanted:
                return item
    raise NotFound(f"no checklist item {code!r} on this case", field="item_code")


class _TickInput(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    status: ItemStatus
    note: NoteText | None = None


# ---- the service ------------------------------------------------------------------------


class ChecklistService(Service):
    """Checklist items and sign-offs. Rights: the care team (and admin) of the case."""

    def checklists(self, actor: Actor, case_number: str) -> list[ChecklistView]:
        self.require(actor, Action.SEE_BOARD, what="see checklists")
        with self.uow(read_only=True) as uow:
            case = find_case(uow, case_number)
            see = sees_patient(uow, actor, case)
            return [checklist_view(c, see_notes=see)
                    for c in in_phase_order(uow.checklists.for_case(case.id))]

    def tick(
        self,
        actor: Actor,
        case_number: str,
        item_code: str,
        *,
        status: ItemStatus = ItemStatus.DONE,
        note: str | None = None,
        expected_version: int | None = None,
        op_id: str | None = None,
    ) -> CaseResult:
        """Set an item's status. ``expected_version`` is the *item's* version (as shown in
        ChecklistItemView): ticking is per item, and the case's version moves by itself
        when Readiness flips it between scheduled and preop_ready.

        ``op_id`` (here, on ``assign`` and on ``sign_off``): the client's operation id; a
        retry with the same id (after a lost reply) answers with the case as it is now
        instead of applying the change again."""
        fields = validate(_TickInput, {"status": status, "note": note})
        with self.uow() as uow:
            case = find_case(uow, case_number)
            require_team(uow, actor, case, Action.UPDATE_CHECKLIST,
                         f"update checklists of {case.case_number}")
            with self.operation(uow, op_id, "tick_item", case=case) as claim:
                if not claim.replay:
                    return self._tick(uow, actor, case, item_code, fields, expected_version)
            with self.replay_unit(uow, claim) as unit:
                return case_result(unit, actor, _case_of(unit, claim))

    def _tick(self, uow: UnitOfWork, actor: Actor, case: m.SurgeryCase, item_code: str,
              fields: _TickInput, expected_version: int | None) -> CaseResult:
        _refuse_cancelled(case)
        checklists = uow.checklists.for_case(case.id)
        item = item_by_code(checklists, item_code)
        if expected_version is not None and item.version != expected_version:
            raise StaleVersion(
                f"{item.item_code} was changed meanwhile; reload and try again",
                current_version=item.version,
            )
        if item.checklist.status is ChecklistStatus.COMPLETED:
            raise TransitionRefused(
                f"{item.checklist.phase.value} of {case.case_number} is signed off; "
                "its items no longer change"
            )
        before = {"status": item.status.value, "notes": item.notes}
        self._apply_tick(_user(uow, actor), item, fields.status, fields.note)
        after = {"status": item.status.value, "notes": item.notes}
        if before != after:
            self.audit(uow, actor, "tick_item", case, {
                "case_number": case.case_number, "item_code": item.item_code,
                **{k: {"before": before[k], "after": after[k]}
                   for k in before if before[k] != after[k]},
            })
            sync_readiness(self, uow, actor, case, checklists)
            uow.flush()
        return self._commit(uow, actor, case, lambda: case_result(uow, actor, case))

    def assign(
        self,
        actor: Actor,
        case_number: str,
        item_code: str,
        username: str | None,
        *,
        expected_version: int | None = None,
        op_id: str | None = None,
    ) -> ChecklistItemView:
        """Give an item to a member of the case's care team (``None``: to nobody).

        Schedulers (who put teams together) and the care team (who split the work) may;
        the assignee must be on the team, so "My cases" shows it to someone who can tick it.
        """
        with self.uow() as uow:
            case = find_case(uow, case_number)
            if not allowed(actor.role, Action.SCHEDULE_CASES):
                require_team(uow, actor, case, Action.UPDATE_CHECKLIST,
                             f"assign checklist items of {case.case_number}")
            with self.operation(uow, op_id, "assign_item", case=case) as claim:
                if not claim.replay:
                    return self._assign(uow, actor, case, item_code, username,
                                        expected_version)
            with self.replay_unit(uow, claim) as unit:
                stored = _case_of(unit, claim)
                return item_view(item_by_code(unit.checklists.for_case(stored.id), item_code))

    def _assign(self, uow: UnitOfWork, actor: Actor, case: m.SurgeryCase, item_code: str,
                username: str | None, expected_version: int | None) -> ChecklistItemView:
        _refuse_cancelled(case)
        item = item_by_code(uow.checklists.for_case(case.id), item_code)
        if expected_version is not None and item.version != expected_version:
            raise StaleVersion(f"{item.item_code} was changed meanwhile; reload and try again",
                               current_version=item.version)
        assignee = self._team_member(uow, case, username) if username else None
        before = item.assigned_to.username if item.assigned_to else None
        after = assignee.username if assignee else None
        if before != after:
            item.assigned_to = assignee
            self.audit(uow, actor, "assign_item", case, {
                "case_number": case.case_number, "item_code": item.item_code,
                "assigned_to": {"before": before, "after": after},
            })
            uow.flush()
        return self._commit(uow, actor, case, lambda: item_view(item))

    @staticmethod
    def _team_member(uow: UnitOfWork, case: m.SurgeryCase, username: str) -> m.User:
        user = uow.users.by_username(username.strip())
        if user is None:
            raise NotFound(f"no user {username!r}", field="assigned_to")
        if not user.active or not uow.cases.on_care_team(case.id, user.id):
            raise BadInput(FieldProblem(
                "assigned_to", f"{user.username} is not on the care team of {case.case_number}"))
        return user

    def _apply_tick(
        self, user: m.User | None, item: m.ChecklistItem, status: ItemStatus, note: str | None
    ) -> None:
        if note is not None:
            item.notes = note or None
        if item.status is status:
            return
        item.status = status
        if status is ItemStatus.DONE:
            item.completed_by = user
            item.completed_at = self.now()
        else:  # reopened or blocked: nobody has completed it any more
            item.completed_by = None
            item.completed_at = None
        checklist = item.checklist
        busy = any(i.status is not ItemStatus.PENDING for i in checklist.items)
        checklist.status = ChecklistStatus.IN_PROGRESS if busy else ChecklistStatus.PENDING

    def sign_off(self, actor: Actor, case_number: str, phase: Phase, *,
                 op_id: str | None = None) -> ChecklistView:
        """Sign off a phase once all its required items are done; a second sign-off is a
        no-op. pre_op_complete / post_op_complete follow."""
        try:
            phase = Phase(phase)
        except ValueError:
            raise BadInput(FieldProblem("phase", "must be pre_op or post_op")) from None
        with self.uow() as uow:
            case = find_case(uow, case_number)
            require_team(uow, actor, case, Action.SIGN_OFF,
                         f"sign off checklists of {case.case_number}")
            with self.operation(uow, op_id, "sign_off", case=case) as claim:
                if not claim.replay:
                    return self._sign_off(uow, actor, case, phase)
            with self.replay_unit(uow, claim) as unit:
                return checklist_view(_phase_checklist(unit, _case_of(unit, claim), phase))

    def _sign_off(self, uow: UnitOfWork, actor: Actor, case: m.SurgeryCase,
                  phase: Phase) -> ChecklistView:
        _refuse_cancelled(case)
        checklist = _phase_checklist(uow, case, phase)
        if checklist.status is not ChecklistStatus.COMPLETED:
            missing = missing_required([checklist], [i.section for i in checklist.items])
            if missing:
                raise TransitionRefused(
                    f"{phase.value} cannot be signed off: required items not done: "
                    + ", ".join(missing)
                )
            checklist.status = ChecklistStatus.COMPLETED
            checklist.signed_off_by = _user(uow, actor)
            checklist.signed_off_at = self.now()
            flag = "pre_op_complete" if phase is Phase.PRE_OP else "post_op_complete"
            setattr(case, flag, True)
            self.audit(uow, actor, "sign_off", case, {
                "case_number": case.case_number, "phase": phase.value,
                flag: {"before": False, "after": True},
            })
            uow.flush()
        return self._commit(uow, actor, case, lambda: checklist_view(checklist))

    def _commit(self, uow: UnitOfWork, actor: Actor, case: m.SurgeryCase,
                answer: Callable[[], T]) -> T:
        """Record the operation with the change, answer, commit. A retry racing its
        original meets the operation's unique key here: the ``operation`` block around
        the write answers it as a replay."""
        self.remember_operation(uow, actor, case)
        uow.flush()
        result = answer()
        uow.commit()
        return result


def _case_of(uow: UnitOfWork, claim: Claim) -> m.SurgeryCase:
    """The case a replayed operation wrote."""
    case = uow.cases.get(claim.target_id) if claim.target_id is not None else None
    if case is None:
        raise NotFound("the case of that operation no longer exists", field="op_id")
    return case


def require_team(
    uow: UnitOfWork, actor: Actor, case: m.SurgeryCase, action: Action, what: str
) -> None:
    """Permission for an action some roles hold only on their own care team's cases."""
    on_team = actor.user_id is not None and uow.cases.on_care_team(case.id, actor.user_id)
    Service.require(actor, action, on_care_team=on_team, what=what)


def find_case(uow: UnitOfWork, case_number: str) -> m.SurgeryCase:
    """The case by number (NotFound naming ``case_number``); locked in a writing unit."""
    case = (uow.cases.by_number(case_number.strip(), for_update=not uow.read_only)
            if case_number else None)
    if case is None:
        raise NotFound(f"no case {case_number!r}", field="case_number")
    return case


def _phase_checklist(uow: UnitOfWork, case: m.SurgeryCase, phase: Phase) -> m.Checklist:
    checklist = next((c for c in uow.checklists.for_case(case.id) if c.phase is phase), None)
    if checklist is None:
        raise NotFound(f"{case.case_number} has no {phase.value} checklist", field="phase")
    return checklist


def _user(uow: UnitOfWork, actor: Actor) -> m.User | None:
    return uow.users.get(actor.user_id) if actor.user_id is not None else None


def _refuse_cancelled(case: m.SurgeryCase) -> None:
    if case.status is CaseStatus.CANCELLED:
        raise TransitionRefused(f"{case.case_number} is cancelled")
