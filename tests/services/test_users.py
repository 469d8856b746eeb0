"""Staff accounts: bootstrap, validation, duplicates, edits, requests — on both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import Role
from surgdesk.errors import (
    BadInput,
    Duplicate,
    NotFound,
    PermissionDenied,
    Refused,
    StaleVersion,
)
from surgdesk.repository.database import Database
from surgdesk.services.context import ANONYMOUS, Actor
from tests.services.staff import PASSWORD, add_staff, auth, bootstrap_admin, users


@pytest.fixture
def admin(db: Database) -> Actor:
    return bootstrap_admin(db)


def _add(db: Database, actor: Actor, **overrides: object):
    fields: dict[str, object] = {
        "username": "nina", "role": Role.NURSE, "display_name": "Nina Nurse",
        "email": "nina@or.hospital.local", "password": PASSWORD,
    }
    fields.update(overrides)
    return users(db).add_user(actor, **fields)  # type: ignore[arg-type]


def _audits(db: Database, action: str) -> list[m.AuditEvent]:
    with db.new_session() as s:
        stmt = select(m.AuditEvent).where(m.AuditEvent.action == action).order_by(m.AuditEvent.id)
        return list(s.scalars(stmt))


# -- the first user ------------------------------------------------------------------


def test_first_user_is_added_without_login_and_is_an_admin(db):
    actor = bootstrap_admin(db)
    assert actor.role is Role.ADMIN
    (event,) = _audits(db, "add_user")
    assert event.actor_id is None
    assert event.details["first_user"] is True


def test_first_user_must_be_an_admin(db):
    with pytest.raises(BadInput) as err:
        _add(db, ANONYMOUS)
    assert err.value.field == "role"
    assert "first user" in str(err.value)


def test_first_user_needs_a_password(db):
    with pytest.raises(BadInput) as err:
        _add(db, ANONYMOUS, role=Role.ADMIN, password=None)
    assert err.value.field == "password"


def test_after_the_first_user_anonymous_may_not_add(db, admin):
    with pytest.raises(PermissionDenied):
        _add(db, ANONYMOUS, role=Role.ADMIN)


# -- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    ["name@or.hospital.local", "first.last+or@theatre.hospital.local", "A.B@Example.ORG"],
)
def test_internal_and_ordinary_emails_are_accepted(db, admin, email):
    assert _add(db, admin, email=email).email == email.lower()


# One database for all the cases: each is refused before anything is written.
BAD_FIELDS = [
    ("username", "x"),
    ("username", "has space"),
    ("username", "-dash"),
    ("username", "a" * 65),
    ("display_name", "   "),
    ("display_name", "N" * 201),
    ("display_name", "bell\x07"),
    ("email", "no-at-sign"),
    ("email", "two@@or.local"),
    ("email", "name@nodot"),
    ("email", "name@-bad.local"),
    ("password", "short"),
    ("password", " " * 12),
    ("phone", "call me maybe!"),
    ("role", "chief"),
]


def test_each_bad_field_is_named(db, admin):
    for field, value in BAD_FIELDS:
        with pytest.raises(BadInput) as err:
            _add(db, admin, **{field: value})
        assert err.value.field == field, f"{field}={value!r}: {err.value}"
    with db.new_session() as s:
        assert s.scalars(select(m.User).where(m.User.username == "nina")).first() is None


def test_password_equal_to_username_is_refused(db, admin):
    with pytest.raises(BadInput, match="username"):
        _add(db, admin, username="nina.longname", password="Nina.Longname")


def test_several_bad_fields_are_all_named(db, admin):
    with pytest.raises(BadInput) as err:
        _add(db, admin, username="?", email="nope", display_name="")
    assert {p.field for p in err.value.problems} == {"username", "email", "display_name"}


def test_surgeon_needs_a_specialty_and_gets_a_profile(db, admin):
    with pytest.raises(BadInput) as err:
        _add(db, admin, role=Role.SURGEON)
    assert err.value.field == "specialty"
    view = _add(db, admin, role=Role.SURGEON, specialty="Cardiac surgery")
    assert view.specialty == "Cardiac surgery"
    with db.new_session() as s:
        profile = s.scalars(select(m.SurgeonProfile)).one()
    assert profile.user_id == view.id
    assert profile.active


# -- duplicates -------------------------------------------------------------------------


def test_duplicate_username_is_refused_whatever_the_case(db, admin):
    _add(db, admin)
    with pytest.raises(Duplicate) as err:
        _add(db, admin, username="NINA", email="other@or.hospital.local")
    assert err.value.field == "username"


def test_duplicate_email_is_refused_whatever_the_case(db, admin):
    _add(db, admin)
    with pytest.raises(Duplicate) as err:
        _add(db, admin, username="nina2", email="Nina@OR.hospital.local")
    assert err.value.field == "email"


def test_changing_email_to_a_taken_one_is_refused(db, admin):
    _add(db, admin)
    with pytest.raises(Duplicate):
        users(db).update_user(admin, "nina", email="admin@or.hospital.local")


# -- edits ------------------------------------------------------------------------------


def test_update_is_audited_with_before_and_after_never_the_hash(db, admin):
    view = _add(db, admin, phone="+49 30 1234")
    updated = users(db).update_user(
        admin, "nina", display_name="Nina N.", phone="", expected_version=view.version
    )
    assert updated.display_name == "Nina N."
    assert updated.phone is None
    assert updated.version == view.version + 1
    (event,) = _audits(db, "update_user")
    assert event.details == {
        "display_name": {"before": "Nina Nurse", "after": "Nina N."},
        "phone": {"before": "+49 30 1234", "after": None},
    }
    for event in _audits(db, "add_user"):
        assert "password" not in str(event.details)
        assert "argon2" not in str(event.details)


def test_stale_version_is_refused(db, admin):
    view = _add(db, admin)
    users(db).update_user(admin, "nina", display_name="Nina A")
    with pytest.raises(StaleVersion):
        users(db).update_user(admin, "nina", display_name="Nina B",
                              expected_version=view.version)


def test_an_unchanged_update_writes_nothing(db, admin):
    view = _add(db, admin)
    again = users(db).update_user(admin, "nina", display_name="Nina Nurse")
    assert again.version == view.version
    assert _audits(db, "update_user") == []


def test_role_change_to_surgeon_needs_specialty_and_back_keeps_profile_inactive(db, admin):
    _add(db, admin)
    with pytest.raises(BadInput) as err:
        users(db).update_user(admin, "nina", role=Role.SURGEON)
    assert err.value.field == "specialty"
    surgeon = users(db).update_user(admin, "nina", role="surgeon", specialty="Urology")
    assert surgeon.specialty == "Urology"
    nurse = users(db).update_user(admin, "nina", role=Role.NURSE)
    assert nurse.specialty is None
    with db.new_session() as s:
        profile = s.scalars(select(m.SurgeonProfile)).one()
    assert not profile.active  # kept: old cases still name this surgeon
    again = users(db).update_user(admin, "nina", role=Role.SURGEON)
    assert again.specialty == "Urology"


def test_the_last_active_admin_cannot_be_demoted_or_disabled(db, admin):
    with pytest.raises(Refused, match="last active admin"):
        users(db).update_user(admin, "admin", role=Role.SCHEDULER)
    with pytest.raises(Refused, match="last active admin"):
        users(db).update_user(admin, "admin", active=False)
    second = add_staff(db, admin, Role.ADMIN, name="admin2")
    users(db).update_user(second, "admin", role=Role.SCHEDULER)


def test_unknown_user_is_not_found(db, admin):
    with pytest.raises(NotFound) as err:
        users(db).update_user(admin, "ghost", display_name="Ghost")
    assert err.value.field == "username"


def test_reset_password_lifts_the_lock_and_ends_sessions(db, admin):
    nurse = add_staff(db, admin, Role.NURSE)
    token = auth(db).login(nurse.username, PASSWORD, remember=True).token
    assert token is not None
    with pytest.raises(BadInput) as err:
        users(db).reset_password(admin, nurse.username, "short")
    assert err.value.field == "password"
    users(db).reset_password(admin, nurse.username, "a fresh password")
    assert auth(db).login(nurse.username, "a fresh password").actor.username == "nurse"
    from surgdesk.errors import NotLoggedIn

    with pytest.raises(NotLoggedIn):
        auth(db).resume(token)
    (event,) = _audits(db, "reset_password")
    assert "argon2" not in str(event.details)


def test_get_user_sees_oneself_but_not_others(db, admin):
    nurse = add_staff(db, admin, Role.NURSE)
    assert users(db).get_user(nurse, "nurse").username == "nurse"
    with pytest.raises(PermissionDenied):
        users(db).get_user(nurse, "admin")
    assert users(db).get_user(admin, "nurse").role is Role.NURSE


def test_users_with_roles_lists_active_staff_for_pickers(db, admin):
    add_staff(db, admin, Role.SURGEON, name="sam")
    add_staff(db, admin, Role.SURGEON, name="sue")
    add_staff(db, admin, Role.ANESTHESIOLOGIST, name="ann")
    users(db).update_user(admin, "sue", active=False)
    nurse = add_staff(db, admin, Role.NURSE)
    found = users(db).users_with_roles(nurse, [Role.SURGEON, "anesthesiologist"])
    assert sorted(u.username for u in found) == ["ann", "sam"]


# -- access requests ----------------------------------------------------------------


def test_access_request_on_an_empty_database_is_refused(db):
    with pytest.raises(Refused, match="first admin"):
        users(db).request_access(username="eve", display_name="Eve",
                                 email="eve@or.hospital.local", password=PASSWORD)


def test_access_request_is_approved_by_an_admin(db, admin):
    view = users(db).request_access(
        username="Sam", display_name="Sam Surgeon", email="sam@or.hospital.local",
        password=PASSWORD,
    )
    assert view.role is None
    assert not view.active
    assert [u.username for u in users(db).pending_requests(admin)] == ["sam"]
    with pytest.raises(BadInput):
        users(db).approve_request(admin, "sam", Role.SURGEON)
    approved = users(db).approve_request(admin, "sam", Role.SURGEON, specialty="Urology")
    assert approved.active
    assert approved.role is Role.SURGEON
    assert approved.specialty == "Urology"
    assert users(db).pending_requests(admin) == []
    assert auth(db).login("sam", PASSWORD).actor.role is Role.SURGEON
    assert [e.action for e in _audits(db, "request_access")] == ["request_access"]
    assert len(_audits(db, "approve_request")) == 1


def test_refused_request_frees_the_username(db, admin):
    users(db).request_access(username="eve", display_name="Eve",
                             email="eve@or.hospital.local", password=PASSWORD)
    users(db).refuse_request(admin, "eve")
    assert users(db).pending_requests(admin) == []
    assert len(_audits(db, "refuse_request")) == 1
    with pytest.raises(NotFound):
        users(db).refuse_request(admin, "admin")  # not a request
    users(db).request_access(username="eve", display_name="Eve",
                             email="eve@or.hospital.local", password=PASSWORD)


def test_access_request_with_a_taken_username_is_a_duplicate(db, admin):
    with pytest.raises(Duplicate):
        users(db).request_access(username="admin", display_name="Eve",
                                 email="eve@or.hospital.local", password=PASSWORD)
