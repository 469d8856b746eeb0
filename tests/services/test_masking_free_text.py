"""Free text that may name the patient (case notes, checklist item notes) goes only to those
who may see the patient; the UI hides it too, but the service must not hand it out."""

from __future__ import annotations

from surgdesk.domain.enums import ItemStatus, NoteType
from surgdesk.services.context import ANONYMOUS
from tests.services.factories import Kit, kit, team_case  # noqa: F401  (fixture)

SECRET = "Erika says her brother Max is the contact"


def _write_notes(setup: Kit) -> str:
    number = team_case(setup)
    setup.cases.add_note(setup["sched"], number, NoteType.GENERAL, SECRET)
    setup.checklists.tick(setup["admin"], number, "RD-CONSENT", status=ItemStatus.BLOCKED,
                          note=SECRET)
    return number


def _item_notes(views: object) -> list[str | None]:
    return [i.notes for c in views for i in c.items]  # type: ignore[attr-defined]


def test_viewer_and_anonymous_get_no_notes(kit: Kit) -> None:  # noqa: F811
    number = _write_notes(kit)
    for actor in (kit["viewer"], ANONYMOUS, kit["nurse2"]):  # nurse2 is not on the team
        detail = kit.cases.get_case(actor, number)
        assert detail.notes == ()
        assert SECRET not in _item_notes(detail.checklists)
        assert SECRET not in _item_notes(kit.checklists.checklists(actor, number))


def test_the_care_team_and_scheduler_read_them(kit: Kit) -> None:  # noqa: F811
    number = _write_notes(kit)
    for actor in (kit["nurse1"], kit["sched"]):
        detail = kit.cases.get_case(actor, number)
        assert [n.message for n in detail.notes] == [SECRET]
        assert SECRET in _item_notes(kit.checklists.checklists(actor, number))
