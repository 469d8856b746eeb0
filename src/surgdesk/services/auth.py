"""Login: argon2id passwords, lockout after repeated failures, remembered session tokens.

- 5 failures in a row lock the account for 15 minutes; no growing sleeps (an attacker
  waiting costs a nurse at the door more than it costs the attacker). An admin can unlock.
- A wrong username and a wrong password give the same message, and an unknown username
  still spends one hash's time, so neither the text nor the timing tells which it was.
- Only the SHA-256 of a session token is stored. Tokens expire after 12 hours (a shift);
  a wall display's device session does not expire.
- Login bookkeeping (failure counter, lock, rehash) is written without bumping the user's
  version, so an admin editing the same user is not told "someone changed it" because
  the user logged in meanwhile.
- The idle lock during a database outage: the password of a user who proved it in this
  process (a login or an unlock) is kept as a second argon2id hash, in memory only, so
  the lock can still be opened on this PC while the database is unreachable; wrong
  passwords are counted here, and after 5 every offline attempt is refused until the
  database answers again (see :meth:`AuthService.verify_password`).
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from surgdesk.config import DepartmentConfig
from surgdesk.domain import models as m
from surgdesk.domain.permissions import Action
from surgdesk.errors import (
    AccountLocked,
    AuthenticationFailed,
    BadInput,
    DatabaseUnavailable,
    FieldProblem,
    NotLoggedIn,
    RememberForbidden,
    SurgDeskError,
)
from surgdesk.repository.database import Database
from surgdesk.repository.uow import UnitOfWork
from surgdesk.services.base import Service
from surgdesk.services.context import Actor, Clock
from surgdesk.services.settings import session_policy

MAX_FAILED_LOGINS = 5
LOCK_DURATION = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
PASSWORD_MIN = 10
PASSWORD_MAX = 256
WRONG_CREDENTIALS = "wrong username or password"
# The idle lock while the database is unreachable (verify_password on this PC's verifier).
NOT_CHECKABLE_OFFLINE = (
    "the database is unreachable, so your password cannot be checked until it is back "
    "(it has not been checked on this PC since SurgDesk started); signing in as someone "
    "else needs the database too"
)
REMEMBER_FORBIDDEN = "the department does not allow remembered sign-ins on this PC"
TOO_MANY_OFFLINE = (
    "too many wrong passwords on this PC; wait for the database to be back and try again"
)


class PasswordCheck(Enum):
    """Where :meth:`AuthService.verify_password` checked the password."""

    DATABASE = "database"
    THIS_PC = "this_pc"  # the database was unreachable: the in-memory verifier was used


@dataclass(slots=True)
class _LocalVerifier:
    """A second argon2id hash (own salt) of a password proven in this process."""

    hash: str = field(repr=False)
    failures: int = 0  # wrong passwords in a row checked against it, database unreachable


@dataclass(frozen=True, slots=True)
class _OfflineFailure:
    """A wrong password refused on this PC, to be audited once the database answers."""

    user_id: int
    at: datetime
    failures: int


@dataclass(frozen=True, slots=True)
class LoginResult:
    actor: Actor
    token: str | None  # None: the department does not allow "remember me"
    expires_at: datetime | None  # None with a token: a device session


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def actor_for(user: m.User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        display_name=user.display_name,
        is_device=user.is_device,
    )


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why a new password is refused, or None. Length over composition rules (NIST 800-63B)."""
    if len(password) < PASSWORD_MIN:
        return f"must be at least {PASSWORD_MIN} characters"
    if len(password) > PASSWORD_MAX:
        return f"must be at most {PASSWORD_MAX} characters"
    if not password.strip():
        return "must not be blank"
    if username and password.strip().lower() == username.lower():
        return "must not be the username"
    return None


class Passwords:
    """argon2id hashing. Tests pass a cheap ``PasswordHasher``; it is still argon2id."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """True when ``password`` matches; an account without a password never matches."""
        if stored is None:
            self.burn(password)
            return False
        try:
            return self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def burn(self, password: str) -> None:
        """Spend one verification's time, for a username that does not exist."""
        if self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
        with contextlib.suppress(VerificationError):
            self.hasher.verify(self._dummy, password)

    def needs_rehash(self, stored: str) -> bool:
        try:
            return self.hasher.check_needs_rehash(stored)
        except InvalidHashError:
            return True


class AuthService(Service):
    def __init__(
        self, db: Database, clock: Clock | None = None, *, hasher: PasswordHasher | None = None,
        machine: DepartmentConfig | None = None,
    ) -> None:
        super().__init__(db, clock)
        self.passwords = Passwords(hasher)
        self.machine = machine
        # Process memory only: never written to disk, never logged. Keyed by user id.
        self._verifiers: dict[int, _LocalVerifier] = {}
        self._offline_failures: list[_OfflineFailure] = []
        self._local_lock = threading.Lock()  # logins may run off the GUI thread

    # -- signing in -----------------------------------------------------------------

    def login(self, username: str, password: str, *, remember: bool = False,
              only_remembered: bool = False) -> LoginResult:
        """Check the password; with ``remember`` (and the department allowing it) a token.

        ``only_remembered`` (the CLI's ``login``, whose whole point is the remembered
        session): when remembering is forbidden the sign-in is refused — audited as
        ``login_refused``, not as a login — with :data:`REMEMBER_FORBIDDEN`.
        """
        with self.uow() as uow:
            user = self._check_password(uow, username, password, via="login")
            actor = actor_for(user)
            token = expires = None
            allowed = session_policy(uow.settings.get(), self.machine).remember_me_allowed
            if only_remembered and not allowed:
                self.audit(uow, actor, "login_refused", user,
                           {"reason": "remember_me_forbidden"})
                uow.commit()
                raise RememberForbidden(REMEMBER_FORBIDDEN)
            if remember and allowed:
                expires = self.now() + SESSION_LIFETIME
                token = self._new_session(uow, user, expires)
            self.audit(uow, actor, "login", user, {"remember": token is not None})
            uow.commit()
        assert actor.user_id is not None
        self._keep_verifier(actor.user_id, password)
        self._write_offline_failures()
        return LoginResult(actor=actor, token=token, expires_at=expires)

    def login_device(self, username: str, password: str) -> LoginResult:
        """A wall display: a device account (viewer) whose session never expires.

        The token is issued whatever the "remember me" setting: that setting protects
        people on shared PCs, and a wall display must come back by itself after a restart.
        """
        with self.uow() as uow:
            user = self._check_password(uow, username, password, via="login_device")
            if not user.is_device:
                uow.commit()  # the counter reset stands: the password was right
                raise AuthenticationFailed(f"{user.username} is not a device account")
            actor = actor_for(user)
            token = self._new_session(uow, user, None)
            self.audit(uow, actor, "login", user, {"device": True})
            uow.commit()
        return LoginResult(actor=actor, token=token, expires_at=None)

    def unlock_editing(self, device: Actor, username: str, password: str) -> Actor:
        """A scheduler (or admin) unlocks editing on a wall display with their own password.

        Returns that person's actor: the GUI acts as them for a few minutes, so their edits
        are audited under their name, then falls back to the device. Failures count
        towards the person's lockout like any login.
        """
        with self.uow() as uow:
            user = self._check_password(uow, username, password, via="unlock_editing")
            actor = actor_for(user)
            self.require(actor, Action.SCHEDULE_CASES, what="unlock editing on a wall display")
            self.audit(uow, actor, "unlock_editing", user, {"device": device.username})
            uow.commit()
        return actor

    def resume(self, token: str) -> Actor:
        """The actor of a remembered session; NotLoggedIn when it cannot be used."""
        with self.uow() as uow:
            session = uow.users.session_by_token_hash(token_hash(token))
            now = self.now()
            if session is None or session.revoked_at is not None:
                raise NotLoggedIn("not signed in (the session was ended); please sign in")
            if session.expires_at is not None and session.expires_at <= now:
                raise NotLoggedIn("the session has expired; please sign in again")
            if session.expires_at is not None and not session_policy(
                    uow.settings.get(), self.machine).remember_me_allowed:
                # Remembered before the department (or this PC) turned "remember me" off:
                # it must not let the next person at a shared PC in. Device sessions (no
                # expiry) are not "remember me" and stay.
                session.revoked_at = now
                uow.commit()
                raise NotLoggedIn("sign-ins are no longer remembered on this PC; please sign in")
            user = session.user
            if not user.active or user.role is None:
                raise NotLoggedIn("this account is not active; ask an administrator")
            session.last_seen_at = now
            uow.commit()
            return actor_for(user)

    def logout(self, token: str) -> None:
        """End a remembered session. Ending one that is already gone is not an error."""
        with self.uow() as uow:
            session = uow.users.session_by_token_hash(token_hash(token))
            if session is not None:
                self._forget_verifier(session.user_id)
            if session is None or session.revoked_at is not None:
                return
            session.revoked_at = self.now()
            self.audit(uow, actor_for(session.user), "logout", session.user)
            uow.commit()

    def verify_password(self, actor: Actor, password: str, *,
                        database_down: bool = False) -> PasswordCheck:
        """Re-entry after the idle lock: the actor's own password, failures counted.

        Normally checked by the database (failures count towards the account's lockout
        like logins). When the database is unreachable — it raises DatabaseUnavailable, or
        the caller already knows (``database_down``: the GUI is in its outage and a call
        could wait for the deadline) — the password is checked against the verifier this
        process kept from the user's last login or unlock, and ``PasswordCheck.THIS_PC``
        says so. Wrong ones are counted on this PC: after ``MAX_FAILED_LOGINS`` every
        offline attempt is refused (AccountLocked) until the database answers again. No
        verifier (a session resumed from the keyring): DatabaseUnavailable saying so.
        """
        if actor.user_id is None:
            raise NotLoggedIn("not signed in")
        if database_down:
            return self._verify_on_this_pc(actor.user_id, password, None)
        try:
            with self.uow() as uow:
                user = uow.users.get(actor.user_id)
                if user is None:
                    raise NotLoggedIn("this account no longer exists")
                self._check_password(uow, user.username, password, via="verify_password")
                uow.commit()
        except DatabaseUnavailable as exc:
            return self._verify_on_this_pc(actor.user_id, password, exc)
        except SurgDeskError as exc:
            if type(exc) is AuthenticationFailed and exc.message == WRONG_CREDENTIALS:
                # A mistyped password: what this PC kept is still the password, and the
                # offline count starts again from zero (the database's counts now).
                self._reset_offline_count(actor.user_id)
            else:
                # Locked, disabled or gone: the database no longer lets this person in,
                # so this PC must not either; an unlock it accepts keeps a verifier again.
                self._forget_verifier(actor.user_id)
            self._write_offline_failures()
            raise
        self._keep_verifier(actor.user_id, password)  # resets the offline count too
        self._write_offline_failures()
        return PasswordCheck.DATABASE

    def can_check_on_this_pc(self, actor: Actor) -> bool:
        """Whether :meth:`verify_password` could check this actor's password without the
        database (their password was proven in this process and not forgotten since)."""
        with self._local_lock:
            return actor.user_id is not None and actor.user_id in self._verifiers

    def forget_password(self, actor: Actor) -> None:
        """Drop the actor's in-memory verifier (sign-out, switch user): the lock of the
        next session cannot be opened offline with the leaving user's password."""
        if actor.user_id is not None:
            self._forget_verifier(actor.user_id)

    def change_password(
        self, actor: Actor, old: str, new: str, *, current_token: str | None = None
    ) -> None:
        """Change one's own password; every other remembered session of the user ends."""
        if actor.user_id is None:
            raise NotLoggedIn("not signed in")
        if (problem := password_problem(new, actor.username)) is not None:
            raise BadInput(FieldProblem("new_password", problem))
        with self.uow() as uow:
            user = self._check_password(uow, actor.username, old, via="change_password")
            uow.users.set_password_hash(user.id, self.passwords.hash(new))
            keep = token_hash(current_token) if current_token else None
            uow.users.revoke_sessions(user.id, self.now(), keep_token_hash=keep)
            self.audit(uow, actor, "change_password", user)
            uow.commit()
        # The old password must not open the lock offline; the next login or unlock
        # checked by the database keeps the new one.
        self._forget_verifier(actor.user_id)

    # -- the idle lock while the database is unreachable --------------------------------

    def _keep_verifier(self, user_id: int, password: str) -> None:
        # A second hash with its own salt, not the database's: nothing read from the
        # database is kept, and it is checked like any stored argon2id hash.
        verifier = _LocalVerifier(self.passwords.hash(password))
        with self._local_lock:
            self._verifiers[user_id] = verifier

    def _forget_verifier(self, user_id: int) -> None:
        with self._local_lock:
            self._verifiers.pop(user_id, None)

    def _reset_offline_count(self, user_id: int) -> None:
        with self._local_lock:
            if (verifier := self._verifiers.get(user_id)) is not None:
                verifier.failures = 0

    def _verify_on_this_pc(self, user_id: int, password: str,
                           cause: DatabaseUnavailable | None) -> PasswordCheck:
        with self._local_lock:
            verifier = self._verifiers.get(user_id)
        if verifier is None:
            raise DatabaseUnavailable(NOT_CHECKABLE_OFFLINE) from cause
        # The refusals below name the outage as their cause (``__cause__``) when this call
        # was the one to find the database unreachable, so the caller can say so.
        if verifier.failures >= MAX_FAILED_LOGINS:
            # Refused without even checking: guessing goes on only against the database,
            # whose counter and lock apply.
            raise AccountLocked(TOO_MANY_OFFLINE) from cause
        if self.passwords.verify(verifier.hash, password):
            with self._local_lock:
                verifier.failures = 0  # "in a row", as with the database's counter
            return PasswordCheck.THIS_PC
        with self._local_lock:
            verifier.failures += 1
            failures = verifier.failures
            self._offline_failures.append(_OfflineFailure(user_id, self.now(), failures))
        if failures >= MAX_FAILED_LOGINS:
            raise AccountLocked(TOO_MANY_OFFLINE) from cause
        raise AuthenticationFailed(WRONG_CREDENTIALS) from cause

    def _write_offline_failures(self) -> None:
        """Audit the wrong passwords refused on this PC during an outage, once the
        database answers again (after a login or an unlock it checked). Best effort:
        a write that fails leaves them for the next call that gets through.

        They are audited, not added to the account's failed-login counter: they were
        contained here already (5, then refused until the database answered), and adding
        them afterwards would lock the person out on every PC for guesses that can no
        longer go on. The database's own counter and lock apply from the next try.
        """
        with self._local_lock:
            waiting = list(self._offline_failures)
        if not waiting:
            return
        try:
            with self.uow() as uow:
                for failure in waiting:
                    uow.audit.record(
                        actor_id=None, action="login_failed", target_class="User",
                        target_id=failure.user_id, at=failure.at,
                        details={"via": "verify_password", "checked_on_this_pc": True,
                                 "failures_on_this_pc": failure.failures,
                                 "refused_until_database": failure.failures
                                 >= MAX_FAILED_LOGINS},
                    )
                uow.commit()
        except SurgDeskError:
            return  # not this call's business: the login or unlock itself succeeded
        with self._local_lock:
            del self._offline_failures[:len(waiting)]

    # -- the shared check -------------------------------------------------------------

    def _check_password(self, uow: UnitOfWork, username: str, password: str, *,
                        via: str) -> m.User:
        """The user when ``password`` is right; otherwise count, commit and refuse."""
        now = self.now()
        user = uow.users.by_username(username.strip())
        if user is None:
            self.passwords.burn(password)
            # What was typed is not kept: a password typed into the username field would
            # stay in the append-only audit for ever. An existing user is the target id.
            self._record_failure(uow, None, {"unknown_user": True, "via": via})
            uow.commit()
            raise AuthenticationFailed(WRONG_CREDENTIALS)
        if user.locked_until is not None and user.locked_until > now:
            raise AccountLocked(_locked_message(user.locked_until, self.department_zone(uow)))
        if user.locked_until is not None:
            # The lock has run out: the next five tries start from zero.
            uow.users.set_login_state(user.id, failed_logins=0, locked_until=None)
        if not self.passwords.verify(user.password_hash, password):
            self._count_failure(uow, user, via)
        if not user.active or user.role is None:
            raise AuthenticationFailed(
                "this account is not active (waiting for approval or disabled); "
                "ask an administrator"
            )
        self._after_success(uow, user, password)
        return user

    def _count_failure(self, uow: UnitOfWork, user: m.User, via: str) -> None:
        failures = uow.users.count_failed_login(user.id)
        self._record_failure(uow, user, {"via": via, "failed_logins": failures})
        if failures >= MAX_FAILED_LOGINS:
            until = self.now() + LOCK_DURATION
            uow.users.set_login_state(user.id, failed_logins=failures, locked_until=until)
            uow.audit.record(
                actor_id=None, action="account_locked", target_class="User",
                target_id=user.id, details={"until": until.isoformat()}, at=self.now(),
            )
            uow.commit()
            tz = self.department_zone(uow)
            raise AccountLocked(f"too many wrong passwords: {_locked_message(until, tz)}")
        uow.commit()
        raise AuthenticationFailed(WRONG_CREDENTIALS)

    def _record_failure(self, uow: UnitOfWork, user: m.User | None,
                        details: dict[str, Any]) -> None:
        uow.audit.record(
            actor_id=None, action="login_failed", target_class="User",
            target_id=user.id if user else None, details=details, at=self.now(),
        )

    def _after_success(self, uow: UnitOfWork, user: m.User, password: str) -> None:
        if user.failed_logins or user.locked_until is not None:
            uow.users.set_login_state(user.id, failed_logins=0, locked_until=None)
        assert user.password_hash is not None  # verify() refuses accounts without one
        if self.passwords.needs_rehash(user.password_hash):
            uow.users.set_password_hash(user.id, self.passwords.hash(password))

    def _new_session(self, uow: UnitOfWork, user: m.User, expires: datetime | None) -> str:
        token = secrets.token_urlsafe(32)
        uow.users.add(
            m.UserSession(user_id=user.id, token_hash=token_hash(token), expires_at=expires,
                          last_seen_at=self.now())
        )
        return token


def _locked_message(until: datetime, tz: ZoneInfo) -> str:
    return (
        f"the account is locked until {until.astimezone(tz):%Y-%m-%d %H:%M %Z}; "
        "try again then or ask an administrator to unlock it"
    )
