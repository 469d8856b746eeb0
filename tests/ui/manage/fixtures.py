"""Fixtures for the management screens and the day list: services over a fresh SQLite file.

``kit_services``: the case-test kit (one user of every role, rooms OR1-OR3, a fake clock)
with a ``Services`` over the same database. ``demo_services``: a few hundred demo cases,
generated once per session and only read (the case-table tests never write).

Import the fixtures into a test module (``from tests.ui.manage.fixtures import ...``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from surgdesk.domain.enums import Role
from surgdesk.repository.database import Database, make_engine, make_nullpool_engine
from surgdesk.services.context import Actor, FakeClock
from surgdesk.services.demo import DemoSummary, generate_demo
from surgdesk.services.registry import Services
from surgdesk.ui.manage.common import ServiceDialog
from tests.conftest import clone_sqlite
from tests.services.factories import Kit, build_kit

D = TypeVar("D", bound=ServiceDialog)


def settled(cls: type[D]) -> type[D]:
    """``cls`` waiting for its runner (service calls run off the GUI thread) once opened
    and after each read and change, which then answers whether it went through: a test
    reads what a person sees once the answers are in."""

    class Settled(cls):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            assert self.runner.settle()

        def write(self, *args: Any, **kwargs: Any) -> bool:
            super().write(*args, **kwargs)
            assert self.runner.settle()
            return self.last_ok is True

        def read(self, *args: Any, **kwargs: Any) -> None:
            super().read(*args, **kwargs)
            assert self.runner.settle()

    Settled.__name__ = Settled.__qualname__ = cls.__name__
    return Settled  # type: ignore[return-value]

DEMO_START = date(2026, 11, 23)
DEMO_DAYS = 7
DEMO_NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


@dataclass
class Demo:
    services: Services
    summary: DemoSummary
    actors: dict[str, Actor]

    def __getitem__(self, username: str) -> Actor:
        return self.actors[username]


@pytest.fixture
def sqlite_db(sqlite_url: str) -> Iterator[Database]:
    database = Database(make_engine(sqlite_url))  # pooled, as the app's
    yield database
    database.dispose()


@pytest.fixture
def kit_services(sqlite_db: Database) -> tuple[Kit, Services]:
    kit = build_kit(sqlite_db)
    return kit, Services.create(sqlite_db, kit.clock)


@pytest.fixture(scope="session")
def demo_services(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[Demo]:
    url = clone_sqlite(sqlite_template, tmp_path_factory.mktemp("demo"))
    db = Database(make_nullpool_engine(url))
    clock = FakeClock(DEMO_NOW)
    summary = generate_demo(db, rooms=10, days=DEMO_DAYS, start=DEMO_START, seed=5, clock=clock)
    services = Services.create(db, clock)
    anyone = Actor(None, "", Role.ADMIN, "setup")
    actors = {u.username: Actor(u.id, u.username, u.role, u.display_name, u.is_device)
              for u in services.users.list_users(anyone)}
    yield Demo(services, summary, actors)
    db.dispose()
