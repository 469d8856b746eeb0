"""Equipment kinds: add, list with unit counts, rename, (in)activate; names unique
case-insensitively; bad input names its field; who may write; audit and change feed."""

from __future__ import annotations

import pytest

from surgdesk.domain.enums import EquipmentStatus
from surgdesk.errors import BadInput, Duplicate, NotFound, PermissionDenied, StaleVersion
from tests.services.cards_kit import (
    EVERYONE,
    NOT_MANAGERS,
    EquipKit,
    audit_actions,
    audit_details,
    ek,
    feed,
)

__all__ = ["ek"]


def test_kinds_listed_by_name_with_units_not_retired(ek: EquipKit) -> None:
    ek.fleet()
    svc, admin = ek.equipment, ek["admin"]
    svc.add_kind(admin, "  microscope ")
    svc.update_unit(admin, "C-arm 1", status=EquipmentStatus.RETIRED)
    kinds = svc.kinds(ek["viewer"])
    assert [(k.name, k.unit_count, k.active) for k in kinds] == [
        ("C-arm", 1, True), ("microscope", 0, True), ("Robot", 1, True)]


def test_rename_and_deactivate_a_kind(ek: EquipKit) -> None:
    svc, sched = ek.equipment, ek["sched"]
    made = svc.add_kind(sched, "Laser")
    assert (made.name, made.active, made.unit_count, made.version) == ("Laser", True, 0, 1)
    renamed = svc.update_kind(sched, "laser", new_name="CO2 laser",
                              expected_version=made.version)
    assert (renamed.name, renamed.version) == ("CO2 laser", 2)
    off = svc.update_kind(sched, "co2 LASER", active=False)
    assert not off.active
    assert [k.name for k in svc.kinds(sched, include_inactive=False)] == []
    assert [k.name for k in svc.kinds(sched)] == ["CO2 laser"]
    with pytest.raises(StaleVersion):
        svc.update_kind(sched, "CO2 laser", active=True, expected_version=made.version)
    same = svc.update_kind(sched, "CO2 laser", active=False)  # no change: nothing written
    assert same.version == off.version
    assert audit_actions(ek.db, "EquipmentKind", made.id) == [
        "add_equipment_kind", "update_equipment_kind", "update_equipment_kind"]
    assert audit_details(ek.db, "update_equipment_kind")[0] == {
        "name": {"before": "Laser", "after": "CO2 laser"}}
    rows = feed(ek.db, "equipment_kind")
    assert [op for _, op, _ in rows] == ["insert", "update", "update"]
    assert {actor for _, _, actor in rows} == {sched.user_id}


def test_kind_names_are_unique_case_insensitively(ek: EquipKit) -> None:
    svc, admin = ek.equipment, ek["admin"]
    svc.add_kind(admin, "C-arm")
    svc.add_kind(admin, "Robot")
    with pytest.raises(Duplicate) as dup:
        svc.add_kind(admin, " c-ARM ")
    assert dup.value.field == "name"
    with pytest.raises(Duplicate) as dup:
        svc.update_kind(admin, "Robot", new_name="C-ARM")
    assert dup.value.field == "name"
    # A kind may change the case of its own name.
    assert svc.update_kind(admin, "robot", new_name="ROBOT").name == "ROBOT"


def test_a_bad_kind_name_is_bad_input_on_name(ek: EquipKit) -> None:
    for name in ("", "   ", "x" * 65, "bad\nname"):
        with pytest.raises(BadInput) as bad:
            ek.equipment.add_kind(ek["admin"], name)
        assert bad.value.field == "name", name
    assert ek.equipment.kinds(ek["admin"]) == []


def test_an_unknown_kind_is_not_found_on_kind(ek: EquipKit) -> None:
    with pytest.raises(NotFound) as err:
        ek.equipment.update_kind(ek["admin"], "Robot", active=False)
    assert err.value.field == "kind"
    with pytest.raises(NotFound) as err:
        ek.equipment.units(ek["admin"], kind="Robot")
    assert err.value.field == "kind"


def test_only_admins_and_schedulers_manage_kinds_everyone_reads(ek: EquipKit) -> None:
    svc = ek.equipment
    svc.add_kind(ek["admin"], "C-arm")
    svc.add_kind(ek["sched"], "Robot")
    for name in NOT_MANAGERS:
        with pytest.raises(PermissionDenied):
            svc.add_kind(ek[name], "Laser")
        with pytest.raises(PermissionDenied):
            svc.update_kind(ek[name], "Robot", active=False)
    for name in EVERYONE:
        assert [k.name for k in svc.kinds(ek[name])] == ["C-arm", "Robot"]
    assert audit_actions(ek.db, "EquipmentKind") == ["add_equipment_kind"] * 2


def test_add_kind_with_an_operation_id_applies_once(ek: EquipKit) -> None:
    svc, admin = ek.equipment, ek["admin"]
    first = svc.add_kind(admin, "Robot", op_id="op-kind-0001")
    again = svc.add_kind(admin, "Robot", op_id="op-kind-0001")
    assert again.id == first.id
    assert len(svc.kinds(admin)) == 1
    with pytest.raises(BadInput) as bad:
        svc.add_unit(admin, name="R1", kind="Robot", op_id="op-kind-0001")
    assert bad.value.field == "op_id"
