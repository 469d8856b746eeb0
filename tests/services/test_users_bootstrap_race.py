"""The first user of an empty database is made without a login; of several made at the
same moment, exactly one may win (on Postgres the count and the insert were two
statements: 8 parallel anonymous `users add --role admin` once made 8 admins)."""

from __future__ import annotations

import threading

from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.domain.enums import Role
from surgdesk.errors import Refused
from surgdesk.repository.database import Database, make_engine
from surgdesk.services.context import ANONYMOUS
from tests.services.staff import PASSWORD, users

RACERS = 8


def test_of_eight_parallel_first_admins_exactly_one_is_made(db: Database) -> None:
    # A pooled engine, so the racers hold connections of their own at the same time.
    shared = Database(make_engine(db.url, pool_size=RACERS))
    service = users(shared)
    barrier = threading.Barrier(RACERS)
    outcomes: list[object] = []

    def attempt(index: int) -> None:
        barrier.wait()
        try:
            outcomes.append(service.add_user(
                ANONYMOUS, username=f"admin{index}", role=Role.ADMIN,
                display_name=f"Admin {index}", email=f"admin{index}@or.hospital.local",
                password=PASSWORD))
        except Exception as exc:  # handed to the assertions
            outcomes.append(exc)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    shared.dispose()
    made = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, Refused)]
    assert len(made) == 1, outcomes
    assert len(refused) == RACERS - 1, outcomes
    with db.new_session() as s:
        admins = s.scalars(select(m.User.username).where(m.User.role == Role.ADMIN)).all()
    assert len(admins) == 1
