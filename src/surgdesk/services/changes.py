"""The change feed for clients: where to start, what changed since, and what it touches.

A window takes :meth:`ChangeService.start` *before* it loads, asks a watcher (from
:meth:`ChangeService.watcher`) when to look, then :meth:`ChangeService.read` from its
position, and turns the changes into what it shows with :meth:`ChangeService.impact`.
The feed names rows and people only (table, row id, new version, and who — never patient
data); what a client then re-reads goes through the other services, masked for its actor.
:attr:`ChangeImpact.authors` says who made each case's newest change and
:meth:`ChangeService.author_names` turns those ids into staff display names, so a window
can say "changed by Dr A. Example" instead of "changed on another PC".

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
RELOAD_TABLES = frozenset({"operating_room", "room_closure", "department_settings",
                           "or_block", "or_block_exception", "or_block_release",  # bands
                           # equipment lanes and marks; a case's own holds change with
                           # the case (its version is bumped), so case_equipment is not here
                           "equipment_kind", "equipment_unit", "equipment_closure"})
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
    ``authors``: case id -> the user id of whoever made that case's newest change in the
    batch (the case itself, its checklists or its team). A case whose newest change was
    the system's (no signed-in user: a demo load, the CLI) is left out, never credited to
    an earlier author. Names: :meth:`ChangeService.author_names`.
    """

    case_versions: dict[int, int | None] = field(default_factory=dict)
    child_case_ids: frozenset[int] = frozenset()
    user_ids: frozenset[int] = frozenset()
    reload: bool = False
    authors: dict[int, int] = field(default_factory=dict)

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

    def author_names(self, actor_ids: Iterable[int]) -> dict[int, str]:
        """Display names of the people behind ``actor_ids`` (from
        :attr:`ChangeImpact.authors` or :attr:`Change.actor_id`), in one query. Staff names
        only — the feed stays patient-free. A user that no longer exists is left out: say
        "on another PC" for them."""
        return self._reader.actor_names(actor_ids)

    def impact(self, changes: Iterable[Change]) -> ChangeImpact:
        """Map feed rows to the cases (and the frame) they change, and who changed them.

        One read when checklists or teams changed (the cases they belong to), one per
        person when several people changed them in the batch; none otherwise. When two
        people changed the same case's checklist or team in one batch, the author named
        for it is the one with the newest such change in the whole batch."""
        versions: dict[int, int | None] = {}
        children: dict[str, set[int]] = {key: set() for key in _CHILD_TABLES.values()}
        users: set[int] = set()
        reload = False
        # case id -> (change id, actor) of its newest own change; for child rows, per
        # actor: the newest change id and the rows, to find their cases below.
        newest: dict[int, tuple[int, int | None]] = {}
        child_by_actor: dict[int | None, tuple[int, dict[str, set[int]]]] = {}
        for change in changes:
            table = change.table_name
            if table == "surgery_case":
                if change.id > newest.get(change.row_id, (-1, None))[0]:
                    newest[change.row_id] = (change.id, change.actor_id)
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
                    empty: dict[str, set[int]] = {key: set() for key in _CHILD_TABLES.values()}
                    last, rows = child_by_actor.get(change.actor_id, (-1, empty))
                    rows[_CHILD_TABLES[table]].add(change.row_id)
                    child_by_actor[change.actor_id] = (max(last, change.id), rows)
            elif table == "user_account":
                users.add(change.row_id)
            # case_note, templates, surgeon profiles: nothing the board shows.
        child_cases: set[int] = set()
        if any(children.values()):
            with UnitOfWork(self.db, read_only=True) as uow:
                child_cases = uow.cases.owning_case_ids(**children)
                for actor, (last, rows) in child_by_actor.items():
                    owners = (child_cases if len(child_by_actor) == 1
                              else uow.cases.owning_case_ids(**rows))
                    for case_id in owners:
                        if last > newest.get(case_id, (-1, None))[0]:
                            newest[case_id] = (last, actor)
        authors = {case_id: actor for case_id, (_, actor) in newest.items()
                   if actor is not None}
        return ChangeImpact(versions, frozenset(child_cases), frozenset(users), reload,
                            authors)
