"""A case's care team (assign, remove, confirm) and its notes."""

from __future__ import annotations

from surgdesk.domain import models as m
from surgdesk.domain.enums import NoteType, Role, TeamRole
from surgdesk.domain.permissions import Action
from surgdesk.errors import BadInput, FieldProblem, NotFound, PermissionDenied, Refused
from surgdesk.services.case_common import CaseJob, enum_value, refuse_final, text_field
from surgdesk.services.case_views import note_view, team_member_view
from surgdesk.services.checklists import find_case, require_team
from surgdesk.services.context import Actor
from surgdesk.services.dto import NoteView, TeamMemberView

# Which user roles may fill a care-team role.
TEAM_ROLE_USERS: dict[TeamRole, frozenset[Role]] = {
    TeamRole.SURGEON: frozenset({Role.SURGEON}),
    TeamRole.ASSISTANT_SURGEON: frozenset({Role.SURGEON}),
    TeamRole.ANESTHESIOLOGIST: frozenset({Role.ANESTHESIOLOGIST}),
    TeamRole.CIRCULATING_NURSE: frozenset({Role.NURSE}),
    TeamRole.SCRUB_NURSE: frozenset({Role.NURSE}),
    TeamRole.COORDINATOR: frozenset({Role.NURSE, Role.SCHEDULER, Role.ADMIN}),
}


class CaseTeam(CaseJob):
    """The care team and the notes of a case."""

    def assign_team_member(
        self, actor: Actor, case_number: str, username: str, role: TeamRole
    ) -> TeamMemberView:
        """Put an active user of a matching role on the case's team (or change their
        role there). The lead surgeon and anesthetist keep the roles the case gives them."""
        self.require(actor, Action.SCHEDULE_CASES, what="assign care teams")
        team_role: TeamRole = enum_value(TeamRole, role, "role")
        with self.uow() as uow:
            case = find_case(uow, case_number)
            refuse_final(case)
            user = self._user(uow, username, "username")
            fits = TEAM_ROLE_USERS[team_role]
            if user.role not in fits:
                held = user.role.value if user.role else "no role"
                need = " or ".join(sorted(r.value for r in fits))
                raise BadInput(FieldProblem(
                    "role", f"{user.username} has {held}; a {team_role.value} must be {need}"
                ))
            fixed = _fixed_roles(case).get(user.id)
            if fixed is not None and fixed is not team_role:
                raise Refused(f"{user.username} is on {case.case_number} as its "
                              f"{fixed.value}; change the case's {fixed.value} instead")
            member = uow.cases.team_member(case.id, user.id)
            if member is not None and member.role is team_role:
                return team_member_view(member)
            before = member.role.value if member is not None else None
            if member is None:
                member = m.CareTeamMember(user=user, role=team_role, confirmed=False)
                case.team.append(member)
            member.role = team_role
            uow.flush()
            self.audit(uow, actor, "assign_team", case, {
                "case_number": case.case_number, "username": user.username,
                "role": {"before": before, "after": team_role.value},
            })
            view = team_member_view(member)
            uow.commit()
            return view

    def remove_team_member(self, actor: Actor, case_number: str, username: str) -> None:
        self.require(actor, Action.SCHEDULE_CASES, what="assign care teams")
        with self.uow() as uow:
            case = find_case(uow, case_number)
            refuse_final(case)
            user = self._user(uow, username, "username", active_only=False)
            if user.id in _fixed_roles(case):
                raise Refused(f"{user.username} is {case.case_number}'s "
                              f"{_fixed_roles(case)[user.id].value}; change the case instead")
            member = uow.cases.team_member(case.id, user.id)
            if member is None:
                raise NotFound(f"{user.username} is not on the team of {case.case_number}",
                               field="username")
            case.team.remove(member)  # an orphan: deleted by the flush, and logged
            self.audit(uow, actor, "remove_team", case, {
                "case_number": case.case_number, "username": user.username,
                "role": {"before": member.role.value, "after": None},
            })
            uow.flush()
            uow.commit()

    def confirm_assignment(self, actor: Actor, case_number: str) -> TeamMemberView:
        """A member confirms their own place on the case's team."""
        with self.uow() as uow:
            case = find_case(uow, case_number)
            member = (uow.cases.team_member(case.id, actor.user_id)
                      if actor.user_id is not None else None)
            if member is None:
                raise PermissionDenied(
                    f"{actor.username or 'anonymous'} is not on the team of {case.case_number}")
            if not member.confirmed:
                member.confirmed = True
                uow.flush()
                self.audit(uow, actor, "confirm_team", case, {
                    "case_number": case.case_number, "username": actor.username,
                    "confirmed": {"before": False, "after": True},
                })
            view = team_member_view(member)
            uow.commit()
            return view

    def add_note(
        self, actor: Actor, case_number: str, note_type: NoteType, message: str, *,
        op_id: str | None = None,
    ) -> NoteView:
        """``op_id``: a retry with the same id answers with the note already added."""
        kind: NoteType = enum_value(NoteType, note_type, "note_type")
        text = text_field(message, "message")
        with self.uow() as uow:
            case = find_case(uow, case_number)
            require_team(uow, actor, case, Action.ADD_NOTE,
                         f"add notes to {case.case_number}")
            with self.operation(uow, op_id, "add_note", case=case) as claim:
                if not claim.replay:
                    note = self._note(uow, actor, case, kind, text)
                    uow.flush()
                    self.audit(uow, actor, "add_note", case, {
                        "case_number": case.case_number, "note_id": note.id,
                        "note_type": kind.value,
                    })
                    self.remember_operation(uow, actor, note)
                    view = note_view(note)
                    uow.commit()
                    return view
            with self.replay_unit(uow, claim) as unit:
                return self._note_of(find_case(unit, case_number), claim.target_id)

    @staticmethod
    def _note_of(case: m.SurgeryCase, note_id: int | None) -> NoteView:
        note = next((n for n in case.notes if n.id == note_id), None)
        if note is None:  # the operation wrote another case's note
            raise BadInput(FieldProblem("op_id", "was used for another operation"))
        return note_view(note)


def _fixed_roles(case: m.SurgeryCase) -> dict[int, TeamRole]:
    """The people the case itself puts on its team, and as what."""
    fixed = {case.lead_surgeon.user_id: TeamRole.SURGEON}
    if case.anesthetist is not None:
        fixed[case.anesthetist.id] = TeamRole.ANESTHESIOLOGIST
    return fixed
