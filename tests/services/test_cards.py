"""Preference cards: create, read, find for a surgeon and procedure, edit, delete; one card
per surgeon and procedure; bad input names its field; surgeons edit their own, schedulers
and admins all; audit and change feed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import Role
from surgdesk.errors import BadInput, Duplicate, NotFound, PermissionDenied, StaleVersion
from surgdesk.services.dto import PreferenceCardView
from tests.services.cards_kit import EVERYONE, EquipKit, audit_actions, audit_details, ek, feed
from tests.services.factories import at

__all__ = ["ek"]


def _card(ek: EquipKit, actor: str = "sched", **given: Any) -> PreferenceCardView:
    values: dict[str, Any] = {"surgeon": "surg1", "procedure": "Knee arthroscopy", **given}
    return ek.cards.create_card(ek[actor], **values)


@pytest.fixture
def kinds(ek: EquipKit) -> EquipKit:
    ek.fleet()
    return ek


def test_create_read_and_find_a_card(kinds: EquipKit) -> None:
    ek = kinds
    made = _card(ek, procedure="  Total hip replacement ", duration_min=150,
                 equipment=["c-arm", "C-arm"], laterality_prompt=True,
                 positioning="Lateral decubitus, hip up", trays=["Hip set", "  ", " Basic "],
                 supplies="Cement\r\n\r\nDrapes\n", notes="Two C-arms for the long stem")
    assert made.procedure_name == "Total hip replacement"
    assert (made.surgeon_username, made.surgeon_name, made.duration_min) == (
        "surg1", "Surg1 Test", 150)
    assert made.equipment == ("C-arm", "C-arm")
    assert (made.trays, made.supplies) == (("Hip set", "Basic"), ("Cement", "Drapes"))
    assert (made.laterality_prompt, made.can_edit, made.version) == (True, True, 1)

    got = ek.cards.get_card(ek["nurse1"], made.id)
    assert got == made.model_copy(update={"can_edit": False})
    assert ek.cards.card_for(ek["viewer"], "SURG1", " total HIP replacement") == got.model_copy(
        update={"can_edit": False})
    assert ek.cards.card_for(ek["sched"], "surg1", "Knee arthroscopy") is None
    assert ek.cards.card_for(ek["sched"], "surg1", "  ") is None
    with pytest.raises(NotFound) as err:
        ek.cards.get_card(ek["sched"], made.id + 100)
    assert err.value.field == "card_id"


def test_cards_listed_by_surgeon_then_procedure(kinds: EquipKit) -> None:
    ek = kinds
    _card(ek, procedure="Meniscectomy")
    _card(ek, surgeon="surg2", procedure="Appendectomy")
    _card(ek, procedure="arthroscopy, shoulder")
    listed = ek.cards.list_cards(ek["viewer"])
    assert [(c.surgeon_username, c.procedure_name) for c in listed] == [
        ("surg1", "arthroscopy, shoulder"), ("surg1", "Meniscectomy"),
        ("surg2", "Appendectomy")]
    assert [c.procedure_name for c in ek.cards.list_cards(ek["sched"], surgeon="surg2")] == [
        "Appendectomy"]
    with pytest.raises(BadInput) as bad:
        ek.cards.list_cards(ek["sched"], surgeon="nurse1")
    assert bad.value.field == "surgeon"


def test_update_and_delete_a_card(kinds: EquipKit) -> None:
    ek = kinds
    made = _card(ek, duration_min=45, equipment=["Robot"], positioning="Supine")
    changed = ek.cards.update_card(ek["surg1"], made.id, expected_version=made.version,
                                   duration_min=None, equipment=["C-arm"], trays=["Knee set"],
                                   notes=None, positioning="Supine, tourniquet")
    assert (changed.duration_min, changed.equipment, changed.trays, changed.positioning,
            changed.version) == (None, ("C-arm",), ("Knee set",), "Supine, tourniquet", 2)
    assert changed.procedure_name == made.procedure_name  # not given: kept
    same = ek.cards.update_card(ek["surg1"], made.id, expected_version=None,
                                trays="Knee set\n", surgeon="surg1")
    assert same.version == 2  # nothing changed, nothing written
    with pytest.raises(StaleVersion):
        ek.cards.update_card(ek["sched"], made.id, expected_version=1, notes="late")
    with pytest.raises(StaleVersion):
        ek.cards.delete_card(ek["sched"], made.id, expected_version=1)
    ek.cards.delete_card(ek["surg1"], made.id, expected_version=2)
    assert ek.cards.list_cards(ek["sched"]) == []
    with pytest.raises(NotFound):
        ek.cards.delete_card(ek["sched"], made.id)

    assert audit_actions(ek.db, "PreferenceCard", made.id) == [
        "add_card", "update_card", "delete_card"]
    update = audit_details(ek.db, "update_card")[0]
    assert update["equipment"] == {"before": ["Robot"], "after": ["C-arm"]}
    assert update["duration_min"] == {"before": 45, "after": None}
    assert audit_details(ek.db, "delete_card")[0]["procedure"] == {
        "before": "Knee arthroscopy", "after": None}
    rows = feed(ek.db, "preference_card")
    assert [op for _, op, _ in rows] == ["insert", "update", "delete"]
    assert [actor for _, _, actor in rows] == [
        ek["sched"].user_id, ek["surg1"].user_id, ek["surg1"].user_id]


def test_one_card_per_surgeon_and_procedure(kinds: EquipKit) -> None:
    ek = kinds
    first = _card(ek)
    with pytest.raises(Duplicate) as dup:
        _card(ek, procedure=" KNEE arthroscopy ")
    assert dup.value.field == "procedure"
    other = _card(ek, surgeon="surg2")  # another surgeon's card for it is fine
    second = _card(ek, procedure="Meniscectomy")
    with pytest.raises(Duplicate) as dup:
        ek.cards.update_card(ek["sched"], second.id, expected_version=None,
                             procedure="knee ARTHROSCOPY")
    assert dup.value.field == "procedure"
    # A card may change the case of its own procedure.
    renamed = ek.cards.update_card(ek["sched"], first.id, expected_version=None,
                                   procedure="Knee Arthroscopy")
    assert renamed.procedure_name == "Knee Arthroscopy"
    assert other.surgeon_username == "surg2"


_BAD_CARDS: list[tuple[dict[str, Any], str, str]] = [
    ({"surgeon": "nobody"}, "surgeon", "nobody"),
    ({"surgeon": "nurse1"}, "surgeon", "not a surgeon"),
    ({"surgeon": " "}, "surgeon", ""),
    ({"procedure": "  "}, "procedure", ""),
    ({"procedure": "x" * 201}, "procedure", "200"),
    ({"duration_min": 0}, "duration", "1"),
    ({"duration_min": 1441}, "duration", "1440"),
    ({"duration_min": "60"}, "duration", ""),
    ({"equipment": ["C-arm", "Laser", "Lithotripter"]}, "equipment",
     "'Laser', 'Lithotripter'"),
    ({"laterality_prompt": "yes"}, "laterality_prompt", ""),
    ({"positioning": "a\x1b[2J"}, "positioning", "control"),
    ({"trays": ["ok", "tab\tin line"]}, "trays", "control"),
    ({"supplies": ["y" * 201]}, "supplies", "200"),
    ({"notes": "n" * 4001}, "notes", "4000"),
]


def test_bad_card_input_names_its_field(kinds: EquipKit) -> None:
    for given, field, words in _BAD_CARDS:
        with pytest.raises(BadInput) as bad:
            _card(kinds, **given)
        assert bad.value.field == field, given
        assert words in bad.value.message, given
    assert kinds.cards.list_cards(kinds["admin"]) == []


def test_inactive_kinds_and_surgeons_are_refused_for_new_cards(kinds: EquipKit) -> None:
    ek = kinds
    kept = _card(ek, equipment=["Robot"])
    ek.equipment.update_kind(ek["admin"], "Robot", active=False)
    with pytest.raises(BadInput) as bad:
        _card(ek, procedure="Prostatectomy", equipment=["robot"])
    assert (bad.value.field, "inactive" in bad.value.message) == ("equipment", True)
    # A card already asking for it can still be edited otherwise.
    edited = ek.cards.update_card(ek["sched"], kept.id, expected_version=None, notes="ok")
    assert edited.equipment == ("Robot",)
    with ek.db.new_session() as s:
        user = s.scalars(select(m.User).where(m.User.username == "surg2")).one()
        user.active = False
        s.commit()
    with pytest.raises(BadInput) as bad:
        _card(ek, surgeon="surg2")
    assert (bad.value.field, "active" in bad.value.message) == ("surgeon", True)


def test_update_refuses_unknown_fields_and_a_new_surgeon(kinds: EquipKit) -> None:
    ek = kinds
    made = _card(ek)
    with pytest.raises(BadInput) as bad:
        ek.cards.update_card(ek["sched"], made.id, expected_version=None, colour="red")
    assert bad.value.field == "colour"
    with pytest.raises(BadInput) as bad:
        ek.cards.update_card(ek["sched"], made.id, expected_version=None, surgeon="surg2")
    assert bad.value.field == "surgeon"
    with pytest.raises(BadInput) as bad:
        ek.cards.update_card(ek["sched"], made.id, expected_version=None, duration_min=-5)
    assert bad.value.field == "duration"
    with pytest.raises(BadInput) as bad:
        ek.cards.get_card(ek["sched"], "1")  # type: ignore[arg-type]
    assert bad.value.field == "card_id"


def test_who_may_write_which_card(kinds: EquipKit) -> None:
    ek = kinds
    own = _card(ek, actor="surg1")  # a surgeon creates their own
    theirs = _card(ek, actor="admin", surgeon="surg2", procedure="Appendectomy")
    with pytest.raises(PermissionDenied):
        _card(ek, actor="surg1", surgeon="surg2", procedure="Hernia repair")
    for name in ("anes1", "nurse1", "viewer", "wall"):
        with pytest.raises(PermissionDenied):
            _card(ek, actor=name, procedure="Hernia repair")
        with pytest.raises(PermissionDenied):
            ek.cards.update_card(ek[name], own.id, expected_version=None, notes="x")
        with pytest.raises(PermissionDenied):
            ek.cards.delete_card(ek[name], own.id)
    with pytest.raises(PermissionDenied):
        ek.cards.update_card(ek["surg1"], theirs.id, expected_version=None, notes="x")
    with pytest.raises(PermissionDenied):
        ek.cards.delete_card(ek["surg1"], theirs.id)
    for name in ("admin", "sched", "surg2"):
        ek.cards.update_card(ek[name], theirs.id, expected_version=None, notes=f"by {name}")

    edit = {name: {c.id: c.can_edit for c in ek.cards.list_cards(ek[name])}
            for name in EVERYONE}
    assert edit["admin"] == edit["sched"] == {own.id: True, theirs.id: True}
    assert edit["surg1"] == {own.id: True, theirs.id: False}
    for name in ("anes1", "nurse1", "viewer", "wall"):
        assert edit[name] == {own.id: False, theirs.id: False}
    assert ek.kit["surg1"].role is Role.SURGEON
    assert audit_actions(ek.db, "PreferenceCard") == ["add_card", "add_card"] + [
        "update_card"] * 3


def test_create_card_with_an_operation_id_applies_once(kinds: EquipKit) -> None:
    first = _card(kinds, op_id="op-card-00001")
    assert _card(kinds, op_id="op-card-00001") == first
    assert len(kinds.cards.list_cards(kinds["sched"])) == 1


def test_a_deleted_card_leaves_the_cases_filled_from_it(kinds: EquipKit) -> None:
    ek = kinds
    card = _card(ek, procedure="Hip revision", duration_min=120, equipment=["C-arm"],
                 positioning="Lateral")
    number = ek.kit.new_case(card=card.id, procedure_name=None, duration_min=None,
                             start=at(8)).case.case_number
    filled = ek.kit.cases.get_case(ek["sched"], number)
    assert filled.card is not None
    assert filled.card.id == card.id
    ek.cards.delete_card(ek["sched"], card.id)
    after = ek.kit.cases.get_case(ek["sched"], number)
    assert after.card is None  # the database cleared the link (both backends)
    assert (after.case.procedure_name, after.case.estimated_duration_min,
            [e.kind for e in after.case.equipment]) == ("Hip revision", 120, ["C-arm"])
    assert after.case.version == filled.case.version
