"""Staff accounts: adding, editing, unlocking, access requests, and pickers.

Only admins manage users. The one exception is the very first user of an empty database,
added without a login: it must be an admin with a password (otherwise nobody could ever
sign in to add anyone else).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Any

from argon2 import PasswordHasher
from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator

from surgdesk.domain import models as m
from surgdesk.domain.enums import Role
from surgdesk.domain.limits import NAME_MAX
from surgdesk.domain.permissions import Action
from surgdesk.errors import (
    BadInput,
    Duplicate,
    FieldProblem,
    NotFound,
    Refused,
)
from surgdesk.repository.database import FIRST_USER_LOCK, Database, lock_for_transaction
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.auth import Passwords, password_problem
from surgdesk.services.base import Service, diff, snapshot, validate
from surgdesk.services.context import ANONYMOUS, Actor, Clock
from surgdesk.services.dto import UserView
from surgdesk.services.fields import check_version, required_text

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
# A sane syntax check, deliberately not email-validator: it refuses special-use domains
# such as ``.local``, and hospitals run internal domains like ``or.hospital.local``.
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
)
PHONE_RE = re.compile(r"^[0-9A-Za-z+()./#* -]{2,32}$")
SPECIALTY_MAX = 64

# The fields of a user an admin edits, as the audit trail shows them (never the hash).
_AUDITED = ("username", "email", "display_name", "role", "phone", "active", "is_device")


def _username(value: str) -> str:
    value = value.strip().lower()
    if not USERNAME_RE.match(value):
        raise ValueError(
            "2 to 64 characters: letters, digits, '.', '_' or '-', starting with a "
            "letter or digit"
        )
    return value


def _email(value: str) -> str:
    value = value.strip()
    if len(value) > 254 or not EMAIL_RE.match(value):
        raise ValueError("not a valid email address")
    return value.lower()


def _phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not PHONE_RE.match(value):
        raise ValueError("not a valid phone number (2 to 32 digits, spaces, + - ( ) / .)")
    return value


Username = Annotated[str, AfterValidator(_username)]
Email = Annotated[str, AfterValidator(_email)]
DisplayName = Annotated[str, required_text(NAME_MAX)]
Specialty = Annotated[str, required_text(SPECIALTY_MAX)]
Phone = Annotated[str | None, AfterValidator(_phone)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class NewUser(_Input):
    username: Username
    role: Role | None
    display_name: DisplayName
    email: Email
    password: str | None = None
    specialty: Specialty | None = None
    phone: Phone = None
    is_device: bool = False

    @model_validator(mode="after")
    def _rules(self) -> NewUser:
        if self.password is not None and (
            problem := password_problem(self.password, self.username)
        ):
            raise _field_error("password", problem)
        _check_role_fields(self.role, self.specialty, self.is_device)
        return self


class UserChanges(_Input):
    role: Role | None = None
    display_name: DisplayName | None = None
    email: Email | None = None
    phone: Phone = None
    active: bool | None = None
    specialty: Specialty | None = None


def _field_error(field: str, reason: str) -> BadInput:
    return BadInput(FieldProblem(field, reason))


def _check_role_fields(role: Role | None, specialty: str | None, is_device: bool) -> None:
    if role is Role.SURGEON and not specialty:
        raise _field_error("specialty", "a surgeon needs a specialty")
    if is_device and role is not Role.VIEWER:
        raise _field_error("role", "a device account (wall display) is always a viewer")


def user_view(user: m.User) -> UserView:
    profile = user.surgeon_profile
    return UserView(
        id=user.id,
        username=user.username,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        phone=user.phone,
        active=user.active,
        is_device=user.is_device,
        locked_until=user.locked_until,
        specialty=profile.specialty if profile is not None and profile.active else None,
        version=user.version,
    )


class UserService(Service):
    def __init__(
        self, db: Database, clock: Clock | None = None, *, hasher: PasswordHasher | None = None
    ) -> None:
        super().__init__(db, clock)
        self.passwords = Passwords(hasher)

    # -- adding -----------------------------------------------------------------------

    def add_user(
        self,
        actor: Actor,
        *,
        username: str,
        role: Role | str,
        display_name: str,
        email: str,
        password: str | None = None,
        specialty: str | None = None,
        phone: str | None = None,
        is_device: bool = False,
    ) -> UserView:
        data = validate(NewUser, {
            "username": username, "role": role, "display_name": display_name,
            "email": email, "password": password, "specialty": specialty, "phone": phone,
            "is_device": is_device,
        })
        if data.role is None:
            raise _field_error("role", "a role is required")
        with self.uow() as uow:
            bootstrap = uow.users.count() == 0
            if bootstrap:
                # Counted again under a lock: of several first users made at once on
                # Postgres, the others see the winner's row and need a login.
                lock_for_transaction(uow.session, FIRST_USER_LOCK)
                bootstrap = uow.users.count() == 0
            if bootstrap:
                self._check_bootstrap(data)
            else:
                self.require(actor, Action.MANAGE_USERS, what="add users")
            user = self._insert(uow, data, active=True)
            details = {"after": _audit_values(user), "first_user": bootstrap}
            self.audit(uow, actor, "add_user", user, details)
            uow.commit()
            return user_view(user)

    def request_access(
        self, *, username: str, display_name: str, email: str, password: str
    ) -> UserView:
        """Someone asks for an account: inactive, no role, until an admin approves."""
        data = validate(NewUser, {
            "username": username, "role": None, "display_name": display_name,
            "email": email, "password": password,
        })
        if data.password is None:
            raise _field_error("password", "a password is required")
        with self.uow() as uow:
            if uow.users.count() == 0:
                raise Refused(
                    "this database has no administrator yet: add the first admin instead"
                )
            user = self._insert(uow, data, active=False)
            self.audit(uow, ANONYMOUS, "request_access", user, {"after": _audit_values(user)})
            uow.commit()
            return user_view(user)

    @staticmethod
    def _check_bootstrap(data: NewUser) -> None:
        # The first account is made without a login, so it must be able to do the rest.
        if data.role is not Role.ADMIN:
            raise _field_error(
                "role", "the first user of a new database must be an admin"
            )
        if data.password is None:
            raise _field_error("password", "the first user needs a password to sign in")

    def _insert(self, uow: UnitOfWork, data: NewUser, *, active: bool) -> m.User:
        if uow.users.by_username(data.username) is not None:
            raise Duplicate(f"username {data.username!r} is already taken", field="username")
        if uow.users.by_email(data.email) is not None:
            raise Duplicate(f"email {data.email!r} is already taken", field="email")
        user = m.User(
            username=data.username, email=data.email, role=data.role,
            display_name=data.display_name, phone=data.phone, active=active,
            is_device=data.is_device, failed_logins=0,
            password_hash=self.passwords.hash(data.password) if data.password else None,
        )
        if data.role is Role.SURGEON and data.specialty:
            user.surgeon_profile = m.SurgeonProfile(specialty=data.specialty)
        uow.users.add(user)
        uow.flush()
        return user

    # -- reading ----------------------------------------------------------------------

    def list_users(self, actor: Actor) -> list[UserView]:
        self.require(actor, Action.MANAGE_USERS, what="list users")
        with self.uow(read_only=True) as uow:
            return [user_view(u) for u in uow.users.all()]

    def get_user(self, actor: Actor, username: str) -> UserView:
        """An admin sees anyone; everyone sees themselves."""
        if actor.username.lower() != username.strip().lower():
            self.require(actor, Action.MANAGE_USERS, what="see other users' accounts")
        with self.uow(read_only=True) as uow:
            return user_view(self._user(uow, username))

    def users_with_roles(self, actor: Actor, roles: Iterable[Role | str]) -> list[UserView]:
        """Active staff of these roles, by name: the pickers of the case forms."""
        self.require(actor, Action.SEE_BOARD, what="list staff")
        wanted = [Role(r) for r in roles]
        with self.uow(read_only=True) as uow:
            return [user_view(u) for u in uow.users.active_with_roles(wanted)]

    def pending_requests(self, actor: Actor) -> list[UserView]:
        self.require(actor, Action.MANAGE_USERS, what="see access requests")
        with self.uow(read_only=True) as uow:
            return [user_view(u) for u in uow.users.pending_requests()]

    # -- changing ---------------------------------------------------------------------

    def update_user(
        self,
        actor: Actor,
        username: str,
        *,
        role: Role | str | None = None,
        display_name: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        active: bool | None = None,
        specialty: str | None = None,
        expected_version: int | None = None,
    ) -> UserView:
        """Change the given fields (None: unchanged; ``phone=""`` clears the phone)."""
        self.require(actor, Action.MANAGE_USERS, what="change users")
        changes = validate(UserChanges, {
            "role": role, "display_name": display_name, "email": email, "phone": phone,
            "active": active, "specialty": specialty,
        })
        with self.uow() as uow:
            user = self._user(uow, username)
            check_version(user, expected_version, f"user {user.username}")
            before = _audit_values(user)
            self._apply(uow, actor, user, changes, phone_given=phone is not None)
            after = _audit_values(user)
            if after != before:
                uow.flush()
                self.audit(uow, actor, "update_user", user, diff(before, after))
                uow.commit()
            return user_view(user)

    def _apply(self, uow: UnitOfWork, actor: Actor, user: m.User, changes: UserChanges,
               *, phone_given: bool) -> None:
        if changes.email is not None and changes.email != user.email:
            other = uow.users.by_email(changes.email)
            if other is not None and other.id != user.id:
                raise Duplicate(f"email {changes.email!r} is already taken", field="email")
            user.email = changes.email
        if changes.display_name is not None:
            user.display_name = changes.display_name
        if phone_given:
            user.phone = changes.phone
        new_role = changes.role if changes.role is not None else user.role
        if changes.role is not None or changes.specialty is not None:
            _check_role_fields(
                new_role, changes.specialty or _profile_specialty(user), user.is_device
            )
        if new_role is not user.role or changes.active is False:
            self._guard_last_admin(uow, actor, user, new_role, changes.active)
        user.role = new_role
        self._sync_profile(user, changes.specialty)
        if changes.active is not None and changes.active != user.active:
            user.active = changes.active
            if not changes.active:
                uow.users.revoke_sessions(user.id, self.now())

    @staticmethod
    def _guard_last_admin(uow: UnitOfWork, actor: Actor, user: m.User,
                          new_role: Role | None, active: bool | None) -> None:
        """Never leave the department without an active admin (nobody could fix it)."""
        losing_admin = user.role is Role.ADMIN and user.active and (
            new_role is not Role.ADMIN or active is False
        )
        if losing_admin and uow.users.active_admin_count() <= 1:
            raise Refused(f"{user.username} is the last active admin; add another admin first")
        if losing_admin and user.id == actor.user_id and active is False:
            raise Refused("you cannot disable your own account")

    @staticmethod
    def _sync_profile(user: m.User, specialty: str | None) -> None:
        """A surgeon has an active SurgeonProfile; others keep theirs inactive for history."""
        profile = user.surgeon_profile
        if user.role is Role.SURGEON:
            if profile is None:
                assert specialty is not None  # _check_role_fields demanded one
                user.surgeon_profile = m.SurgeonProfile(specialty=specialty)
                return
            profile.active = True
            if specialty is not None:
                profile.specialty = specialty
        elif profile is not None and profile.active:
            profile.active = False

    def unlock(self, actor: Actor, username: str) -> UserView:
        """Lift a lockout after too many wrong passwords."""
        self.require(actor, Action.MANAGE_USERS, what="unlock accounts")
        with self.uow() as uow:
            user = self._user(uow, username)
            before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
            user.failed_logins = 0
            user.locked_until = None
            uow.flush()
            after = {"failed_logins": 0, "locked_until": None}
            self.audit(uow, actor, "unlock_user", user, diff(before, after))
            uow.commit()
            return user_view(user)

    def reset_password(self, actor: Actor, username: str, new_password: str) -> UserView:
        """An admin sets a new password: the lock is lifted and every session ends."""
        self.require(actor, Action.MANAGE_USERS, what="reset passwords")
        with self.uow() as uow:
            user = self._user(uow, username)
            if (problem := password_problem(new_password, user.username)) is not None:
                raise _field_error("password", problem)
            user.password_hash = self.passwords.hash(new_password)
            user.failed_logins = 0
            user.locked_until = None
            uow.users.revoke_sessions(user.id, self.now())
            uow.flush()
            self.audit(uow, actor, "reset_password", user)
            uow.commit()
            return user_view(user)

    def approve_request(
        self, actor: Actor, username: str, role: Role | str, specialty: str | None = None
    ) -> UserView:
        self.require(actor, Action.MANAGE_USERS, what="approve access requests")
        data = validate(UserChanges, {"role": role, "specialty": specialty})
        assert data.role is not None
        with self.uow() as uow:
            user = self._pending(uow, username)
            _check_role_fields(data.role, data.specialty, user.is_device)
            before = _audit_values(user)
            user.role = data.role
            user.active = True
            self._sync_profile(user, data.specialty)
            uow.flush()
            self.audit(uow, actor, "approve_request", user, diff(before, _audit_values(user)))
            uow.commit()
            return user_view(user)

    def refuse_request(self, actor: Actor, username: str) -> None:
        """Drop an access request: the row goes, so the username and email are free again."""
        self.require(actor, Action.MANAGE_USERS, what="refuse access requests")
        with self.uow() as uow:
            user = self._pending(uow, username)
            self.audit(uow, actor, "refuse_request", user, {"before": _audit_values(user)})
            uow.users.delete(user)
            uow.commit()

    # -- helpers ----------------------------------------------------------------------

    @staticmethod
    def _user(uow: UnitOfWork, username: str) -> m.User:
        user = uow.users.by_username(username.strip())
        if user is None:
            raise NotFound(FieldProblem("username", f"no user {username.strip()!r}"))
        return user

    def _pending(self, uow: UnitOfWork, username: str) -> m.User:
        user = self._user(uow, username)
        if user.role is not None:
            raise NotFound(FieldProblem("username", f"{user.username} has no pending request"))
        return user


def _profile_specialty(user: m.User) -> str | None:
    return user.surgeon_profile.specialty if user.surgeon_profile is not None else None


def _audit_values(user: m.User) -> dict[str, Any]:
    values = snapshot(user, _AUDITED)
    values["specialty"] = _profile_specialty(user) if user.role is Role.SURGEON else None
    return {k: (v.value if isinstance(v, Role) else v) for k, v in values.items()}
