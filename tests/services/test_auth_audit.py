"""The audit trail: written with every change, and append-only in the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from surgdesk.domain import models as m
from surgdesk.domain.enums import Role
from surgdesk.errors import AuthenticationFailed
from surgdesk.repository.database import Database
from surgdesk.services.rooms import RoomService
from surgdesk.services.settings import SettingsService
from tests.services.staff import PASSWORD, add_staff, auth, bootstrap_admin, users


def _audited(db: Database) -> None:
    """One of each change the login, user, room and settings services make."""
    admin = bootstrap_admin(db)
    nurse = add_staff(db, admin, Role.NURSE)
    auth(db).login("admin", PASSWORD, remember=True)
    with pytest.raises(AuthenticationFailed):
        auth(db).login("nurse", "wrong password!")
    users(db).update_user(admin, nurse.username, phone="+49 30 1")
    users(db).unlock(admin, nurse.username)
    rooms = RoomService(db)
    rooms.add_room(admin, code="OR1", name="Theatre 1")
    rooms.update_room(admin, "OR1", name="Theatre One")
    SettingsService(db).update(admin, idle_lock_minutes=20)


def test_every_change_leaves_an_audit_row(db):
    _audited(db)
    with db.new_session() as s:
        actions = set(s.scalars(select(m.AuditEvent.action)))
    assert {
        "add_user", "login", "login_failed", "update_user", "unlock_user", "add_room",
        "update_room", "update_settings",
    } <= actions


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_event SET action = 'tampered'",
        "DELETE FROM audit_event",
    ],
)
def test_the_database_refuses_to_change_or_delete_audit_rows(db, sql):
    _audited(db)
    with db.new_session() as s:
        count = s.scalar(select(func.count(m.AuditEvent.id)))
    assert count
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(text(sql))
    with db.new_session() as s:
        assert s.scalar(select(func.count(m.AuditEvent.id))) == count
        assert "tampered" not in set(s.scalars(select(m.AuditEvent.action)))
