"""The CLI writes to the change log as whoever is signed in, and as the system (NULL)
when no one is: the very first admin of an empty database is made without a login."""

from __future__ import annotations

from sqlalchemy import select

from surgdesk.domain import models as m
from surgdesk.repository.database import make_nullpool_engine
from tests.cli.conftest import CliRunner
from tests.cli.test_cli import add_case


def _log(db_url: str) -> list[tuple[str, int, str, int | None]]:
    engine = make_nullpool_engine(db_url)
    try:
        with engine.connect() as conn:
            cl = m.ChangeLog
            stmt = select(cl.table_name, cl.row_id, cl.op, cl.actor_id).order_by(cl.id)
            return [tuple(r) for r in conn.execute(stmt)]  # type: ignore[misc]
    finally:
        engine.dispose()


def _user_id(db_url: str, username: str) -> int:
    engine = make_nullpool_engine(db_url)
    try:
        with engine.connect() as conn:
            found = conn.scalar(select(m.User.id).where(m.User.username == username))
    finally:
        engine.dispose()
    assert found is not None
    return int(found)


def test_cli_writes_name_the_signed_in_user_and_the_bootstrap_names_no_one(
        admin_cli: CliRunner, db_url: str) -> None:
    admin = _user_id(db_url, "admin")
    grey = _user_id(db_url, "dr.grey")
    log = _log(db_url)
    # The first admin: no one was signed in, so the system made it.
    assert ("user_account", admin, "insert", None) in log
    # Everyone after was added by the signed-in admin.
    assert ("user_account", grey, "insert", admin) in log
    case = add_case(admin_cli)
    before = len(_log(db_url))
    moved = admin_cli("cases", "move", case["case_number"], "--start", "2026-03-02T10:00")
    assert moved.code == 0, moved.err
    after = _log(db_url)[before:]
    assert after
    assert {actor for *_, actor in after} == {admin}
