"""Helpers for service tests: accounts of every role, made through the services themselves.

The hasher is argon2id with the cheapest parameters, so tests exercise the real algorithm
without spending 60 MB and tens of milliseconds on every hash.
"""

from __future__ import annotations

from datetime import UTC, datetime

from argon2 import PasswordHasher

from surgdesk.domain.enums import Role
from surgdesk.repository.database import Database
from surgdesk.services.auth import AuthService
from surgdesk.services.context import ANONYMOUS, Actor, FakeClock
from surgdesk.services.dto import UserView
from surgdesk.services.users import UserService

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct horse battery"
# A Tuesday in winter (CET, no DST change near it).
T0 = datetime(2026, 1, 13, 7, 0, tzinfo=UTC)


def clock() -> FakeClock:
    return FakeClock(T0)


def auth(db: Database, clk: FakeClock | None = None) -> AuthService:
    return AuthService(db, clk, hasher=FAST_HASHER)


def users(db: Database, clk: FakeClock | None = None) -> UserService:
    return UserService(db, clk, hasher=FAST_HASHER)


def as_actor(view: UserView) -> Actor:
    return Actor(user_id=view.id, username=view.username, role=view.role,
                 display_name=view.display_name, is_device=view.is_device)


def bootstrap_admin(db: Database, clk: FakeClock | None = None) -> Actor:
    view = users(db, clk).add_user(
        ANONYMOUS, username="admin", role=Role.ADMIN, display_name="Ada Admin",
        email="admin@or.hospital.local", password=PASSWORD,
    )
    return as_actor(view)


def add_staff(db: Database, admin: Actor, role: Role, name: str | None = None,
              clk: FakeClock | None = None) -> Actor:
    username = name or role.value
    view = users(db, clk).add_user(
        admin, username=username, role=role, display_name=username.title(),
        email=f"{username}@or.hospital.local", password=PASSWORD,
        specialty="orthopedics" if role is Role.SURGEON else None,
    )
    return as_actor(view)


def one_of_each(db: Database, clk: FakeClock | None = None) -> dict[Role, Actor]:
    """An admin (the bootstrap one) and one user of every other role."""
    admin = bootstrap_admin(db, clk)
    actors = {Role.ADMIN: admin}
    for role in Role:
        if role is not Role.ADMIN:
            actors[role] = add_staff(db, admin, role, clk=clk)
    return actors
