"""The change feed for clients: where to start, what changed since, and what it touches.

A window takes :meth:`ChangeService.start` *before* it loads, asks a watcher (from
:meth:`ChangeService.watcher`) when to look, then :meth:`ChangeService.read` from its
position, and turns the changes into what it shows with :meth:`ChangeService.impact`.
The feed names rows only (table, id, version) — never patient data; what a client then
re-reads goes through the other services, masked for its actor.

Connection loss: the watcher's ``ping()``/``unanswered_seconds()`` heartbeat notices a
silent network; a window that lost the database calls :meth:`ChangeService.reset_connections`
before reconnecting, so no call waits on a pooled connection that went silent, then reads
from the position it kept (nothing is missed: the change log holds what happened).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from surgdesk.repository.database import Database
from surgdesk.repository.feed import (
    Change,
    ChangeBatch,
    ChangeReader,
    ChangeWatcher,
    FeedPosition,
    make_watcher,
)
from surgdesk.repository.uow import UnitOfWork

__all__ = ["Change", "ChangeBatch", "ChangeImpact", "ChangeService", "ChangeWatcher",
           "FeedPosition"]

# Tables whose changes alter the board's frame (rooms, their closures, the day's hours,
# the time zone): rare enough that a client simply loads its window again.
RELOAD_TABLES = frozenset({"operating_room", "room_closure", "department_settings"})
# Rows that belong to a case and change what its summary shows (checklist progress, the
# care team: patient visibility and people conflicts).
_CHILD_TABLES = {"checklist": "checklist_ids", "checklist_item": "item_ids",
                 "care_team_member": "member_ids"}


@dataclass(frozen=True)
class ChangeImpact:
    """What a batch of changes means for a board.

    ``case_versions``: cases changed themselves, with the newest version the feed names
    (a client that already holds that version — its own write — skips it).
    ``child_case_ids``: cases whose checklist or team changed (their summary is re-read).
    ``user_ids``: users changed (names on bars). ``reload``: the frame changed, or a
    case-owned row was deleted and its case cannot be named any more.
    """

    case_versions: dict[int, int | None] = field(default_factory=dict)
    child_case_ids: frozenset[int] = frozenset()
    user_ids: frozenset[int] = frozenset()
    reload: bool = False

    @property
    def empty(self) -> bool:
        return not (self.case_versions or self.child_case_ids or self.user_ids or self.reload)


class ChangeService:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._reader = ChangeReader(db)

    def start(self) -> FeedPosition:
        """The position to read from; take it before loading what the changes update."""
        return self._reader.start_position()

    def read(self, position: FeedPosition, limit: int = 2000) -> ChangeBatch:
        """The changes after ``position``; keep the batch's position; read again while
        ``more``."""
        return self._reader.read_since(position, limit)

    def reset_connections(self) -> None:
        """Drop every pooled connection: call it when the connection is lost, before
        reconnecting. A pooled connection that went silent would otherwise be tried again
        (and waited on) by the next call; the pool opens fresh ones as needed."""
        self.db.dispose()

    @staticmethod
    def watcher(url: str) -> ChangeWatcher:
        """Says when to read: LISTEN on Postgres (watch ``fileno()``), a ``data_version``
        poll on SQLite (``fileno()`` is None: call ``changed()`` every
        ``poll_interval_ms``). Call ``ping()`` every few seconds and treat
        ``unanswered_seconds()`` above a few seconds as a lost connection (a silent
        network raises nothing by itself). Raises ``DatabaseUnavailable``, or
        ``BadInput`` for an in-memory database."""
        return make_watcher(url)

    def impact(self, changes: Iterable[Change]) -> ChangeImpact:
        """Map feed rows to the cases (and the frame) they change, in at most one read."""
        versions: dict[int, int | None] = {}
        children: dict[str, set[int]] = {key: set() for key in _CHILD_TABLES.values()}
        users: set[int] = set()
        reload = False
        for change in changes:
            table = change.table_name
            if table == "surgery_case":
                held = versions.get(change.row_id)
                if change.row_version is None or held is None:
                    versions[change.row_id] = change.row_version if held is None else held
                else:
                    versions[change.row_id] = max(held, change.row_version)
            elif table in RELOAD_TABLES:
                reload = True
            elif table in _CHILD_TABLES:
                if change.op == "delete" and table == "care_team_member":
                    reload = True  # the row is gone: whose team it was is no longer known
                elif change.op != "delete":
                    children[_CHILD_TABLES[table]].add(change.row_id)
            elif table == "user_account":
                users.add(change.row_id)
            # case_note, templates, surgeon profiles: nothing the board shows.
        child_cases: set[int] = set()
        if any(children.values()):
            with UnitOfWork(self.db, read_only=True) as uow:
                child_cases = uow.cases.owning_case_ids(**children)
        return ChangeImpact(versions, frozenset(child_cases), frozenset(users), reload)
