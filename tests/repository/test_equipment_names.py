"""Equipment and preference-card names are unique whatever the case of their letters in
the database itself (lower() indexes), not only in the services' checks: two PCs saving
"Robot" and "robot" at once cannot both win."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from surgdesk.domain import models as m
from surgdesk.errors import Duplicate
from surgdesk.repository.database import Database
from surgdesk.repository.uow import UnitOfWork, translate_db_error


def _add(db: Database, *rows: object) -> None:
    with db.new_session() as s:
        s.add_all(rows)
        s.commit()


def test_kind_and_unit_names_differing_only_in_case_are_refused(db: Database) -> None:
    _add(db, m.EquipmentKind(name="Robot"))
    with pytest.raises(IntegrityError) as caught:
        _add(db, m.EquipmentKind(name="robot"))
    assert isinstance(translate_db_error(caught.value), Duplicate)
    with db.new_session() as s:
        kind_id = s.query(m.EquipmentKind.id).scalar()
    _add(db, m.EquipmentUnit(name="Da Vinci 1", kind_id=kind_id))
    with pytest.raises(IntegrityError):
        _add(db, m.EquipmentUnit(name="DA VINCI 1", kind_id=kind_id))


def test_one_card_per_surgeon_and_procedure_whatever_the_case(db: Database) -> None:
    user = m.User(username="dr.a", email="a@or.hospital.local", display_name="Dr A")
    surgeon = m.SurgeonProfile(user=user, specialty="general")
    _add(db, user, surgeon)
    with UnitOfWork(db) as uow:
        sid = uow.session.query(m.SurgeonProfile.id).scalar()
    _add(db, m.PreferenceCard(surgeon_id=sid, procedure_name="Lap chole"))
    with pytest.raises(IntegrityError) as caught:
        _add(db, m.PreferenceCard(surgeon_id=sid, procedure_name="LAP CHOLE"))
    error = translate_db_error(caught.value)
    assert isinstance(error, Duplicate)
    assert error.field == "procedure"
