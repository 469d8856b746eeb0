"""Unit of work: one transaction, its repositories, and error translation at the edge."""

from __future__ import annotations

import sys
from types import TracebackType

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from surgdesk.errors import (
    DatabaseUnavailable,
    Duplicate,
    EquipmentConflict,
    RoomConflict,
    StaleVersion,
    SurgDeskError,
)
from surgdesk.repository.blocks import BlockRepo
from surgdesk.repository.cards import CardRepo
from surgdesk.repository.changefeed import actor_of, set_actor
from surgdesk.repository.database import Database
from surgdesk.repository.equipment import EquipmentRepo
from surgdesk.repository.holds import HoldRepo
from surgdesk.repository.repos import (
    AuditRepo,
    CaseRepo,
    ChecklistRepo,
    OperationRepo,
    RoomRepo,
    SettingsRepo,
    UserRepo,
)

_UNIQUE_LABELS = {
    "op_id": "op_id",
    "username": "username",
    "email": "email",
    "code": "code",
    "case_number": "case_number",
    "uq_team_case_user": "care_team",
    "uq_preference_card_procedure": "procedure",  # also its _ci index
    "procedure_name": "procedure",
    "name": "name",  # equipment kinds and units
}


def translate_db_error(exc: BaseException) -> SurgDeskError | None:
    """Map a driver error to the app's own, or None when it is not ours to name."""
    if isinstance(exc, StaleDataError):
        return StaleVersion("someone else changed this record meanwhile; reload and try again")
    if isinstance(exc, IntegrityError):
        orig = exc.orig
        sqlstate = getattr(orig, "sqlstate", None)
        message = str(orig)
        if "no_equipment_overlap" in message:
            return EquipmentConflict("the equipment unit is already held at that time "
                                     "(turnaround included)", field="equipment")
        if sqlstate == "23P01" or "no_room_overlap" in message:
            return RoomConflict("the room is already booked at that time (turnover included)")
        if sqlstate == "23505" or "UNIQUE constraint failed" in message:
            label = next((v for k, v in _UNIQUE_LABELS.items() if k in message), "value")
            return Duplicate(f"{label} is already taken", field=label)
        return None
    if isinstance(exc, DBAPIError) and _is_no_reply(exc.orig):
        # The interactive deadline passed (a silent network): say so, not just "lost".
        return DatabaseUnavailable(str(exc.orig))
    if isinstance(exc, OperationalError | DBAPIError) and getattr(exc, "connection_invalidated",
                                                                   False):
        return DatabaseUnavailable("the database connection was lost")
    if isinstance(exc, OperationalError):
        text_ = str(exc.orig).strip()
        first = text_.splitlines()[0][:120] if text_ else type(exc.orig).__name__
        if _connection_lost(exc.orig) or "could not connect" in text_ \
                or "Connection refused" in text_ or "timeout" in text_:
            return DatabaseUnavailable(f"the database cannot be reached ({first})")
    return None


def _is_no_reply(orig: BaseException | None) -> bool:
    """The deadline connection's own error; its module loads only with a Postgres engine
    that has a deadline, so when it is not loaded no such error exists."""
    module = sys.modules.get("surgdesk.repository.pg_deadline")
    return module is not None and isinstance(orig, module.NoReply)


# Postgres errors that mean "no server to talk to": connection exceptions (class 08) and
# the server shutting sessions down (admin command, crash, starting up).
_GONE_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})


def _connection_lost(orig: BaseException | None) -> bool:
    """A Postgres error raised by the client library with no server answer behind it
    (refused, closed unexpectedly, connect timeout), or one the server sends as it ends
    the session — as opposed to an error about the statement itself."""
    # Not loaded: no Postgres connection was ever made, so no psycopg error can exist
    # (and a SQLite command line never pays for importing psycopg).
    psycopg = sys.modules.get("psycopg")
    if psycopg is None or not isinstance(orig, psycopg.Error):
        return False
    sqlstate = orig.sqlstate
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in _GONE_SQLSTATES


class UnitOfWork:
    """``with UnitOfWork(db) as uow: ...; uow.commit()`` — rolls back unless committed.

    ``actor_id``: the signed-in user the unit writes for; the change log names them on
    every row this unit writes (None: the system — migrations, demo loads, the CLI without
    a login). It can also be named later with :meth:`act_as`, any time before commit.
    """

    session: Session

    def __init__(self, db: Database, *, read_only: bool = False,
                 actor_id: int | None = None) -> None:
        self.db = db
        self.read_only = read_only
        self._actor_id = actor_id

    @property
    def actor_id(self) -> int | None:
        """The user this unit writes for, once named."""
        session = getattr(self, "session", None)
        return actor_of(session) if session is not None else self._actor_id

    def act_as(self, actor_id: int | None) -> None:
        """Name the user this unit writes for, if none is named yet (one unit, one
        person: a later, different name is ignored). Rows the unit already flushed are
        attributed before it commits."""
        if actor_id is None or self.actor_id is not None:
            return
        self._actor_id = actor_id
        if getattr(self, "session", None) is not None:
            set_actor(self.session, actor_id)

    def __enter__(self) -> UnitOfWork:
        self.session = self.db.new_session(read_only=self.read_only)
        s = self.session
        # In the session's own info: per unit of work, nothing shared between threads.
        set_actor(s, self._actor_id)
        self.cases = CaseRepo(s)
        self.rooms = RoomRepo(s)
        self.blocks = BlockRepo(s)
        self.equipment = EquipmentRepo(s)
        self.holds = HoldRepo(s)
        self.cards = CardRepo(s)
        self.users = UserRepo(s)
        self.checklists = ChecklistRepo(s)
        self.audit = AuditRepo(s)
        self.settings = SettingsRepo(s)
        self.operations = OperationRepo(s)
        # (op_id, action) of the client operation this unit applies, recorded at commit.
        self.pending_operation: tuple[str, str] | None = None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
        except Exception:  # the connection may be gone; closing below cleans up
            pass
        finally:
            self.session.close()
        if exc is not None and (ours := translate_db_error(exc)) is not None:
            raise ours from exc

    def flush(self) -> None:
        try:
            self.session.flush()
        except Exception as exc:
            if (ours := translate_db_error(exc)) is not None:
                raise ours from exc
            raise

    def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("commit on a read-only unit of work")
        try:
            self.session.commit()
        except Exception as exc:
            if (ours := translate_db_error(exc)) is not None:
                raise ours from exc
            raise
