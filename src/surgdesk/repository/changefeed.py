"""The change feed's write side: a change-log row per changed row, in the same transaction.

A row names the table, the row id, its new version, and who made the change (the
acting user's id, or NULL for the system) — never patient data. NOTIFY (Postgres) and
``PRAGMA data_version`` (SQLite) only say "look now"; clients read the log from the last
id they applied.

Who: the unit of work names its actor with :func:`set_actor` (kept in the session's own
``info``, so nothing is shared between sessions or threads). A service often flushes
before it knows it will audit, and so before the actor is named; rows written while the
actor is unknown are remembered by id and given the actor just before the transaction
commits (one UPDATE by primary key, in the same transaction). A transaction that never
names an actor — migrations, demo and import loads, the CLI as the system — leaves NULL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert, text, update
from sqlalchemy.orm import Session, object_session

from surgdesk.domain import models as m

# Tables whose changes go to the change feed (never the audit log or sessions).
FEED_TABLES = frozenset(
    {
        "surgery_case",
        "operating_room",
        "room_closure",
        "care_team_member",
        "checklist",
        "checklist_item",
        "case_note",
        "department_settings",
        "user_account",
        "surgeon_profile",
        "checklist_template",
        "template_item",
        "or_block",
        "or_block_exception",
        "or_block_release",
        "equipment_kind",
        "equipment_unit",
        "equipment_closure",
        "case_equipment",
        "preference_card",
    }
)
NOTIFY_CHANNEL = "surgdesk_changes"
# session.info keys: the acting user's id, and ids of this transaction's change-log rows
# written before it was known.
ACTOR_KEY = "surgdesk_actor_id"
_UNATTRIBUTED = "surgdesk_unattributed_changes"
# Ids per ``IN (...)`` when attributing rows: well below both backends' parameter limits.
_IN_CHUNK = 5_000


def set_actor(session: Session, actor_id: int | None) -> None:
    """Name the user whose changes this session writes (None: the system). Rows already
    written in the open transaction are attributed before it commits."""
    if actor_id is None:
        session.info.pop(ACTOR_KEY, None)
    else:
        session.info[ACTOR_KEY] = actor_id


def actor_of(session: Session) -> int | None:
    actor: int | None = session.info.get(ACTOR_KEY)
    return actor


def _feed_row(obj: Any, op: str) -> dict[str, Any] | None:
    table = getattr(obj, "__tablename__", None)
    if table not in FEED_TABLES:
        return None
    return {"table_name": table, "row_id": obj.id, "row_version": getattr(obj, "version", None),
            "op": op}


_DELETED = "surgdesk_deleted_rows"


def _note_deleted(_mapper: Any, _connection: Any, target: Any) -> None:
    """Every deleted row, as the flush deletes it — orphans and cascades included, which
    ``session.deleted`` does not show to ``after_flush``."""
    session = object_session(target)
    if session is not None and (row := _feed_row(target, "delete")) is not None:
        session.info.setdefault(_DELETED, []).append(row)


def _record_changes(session: Session, _flush_context: Any) -> None:
    """Write one change-log row per changed row, in the flushing transaction."""
    rows = [r for o in session.new if (r := _feed_row(o, "insert"))]
    rows += [
        r
        for o in session.dirty
        if session.is_modified(o, include_collections=False) and (r := _feed_row(o, "update"))
    ]
    rows += session.info.pop(_DELETED, [])
    if not rows:
        return
    actor = actor_of(session)
    for row in rows:
        row["actor_id"] = actor
    conn = session.connection()
    if actor is None:
        # Not known yet (or never: the system): keep the ids to attribute at commit.
        ids = conn.execute(insert(m.ChangeLog).returning(m.ChangeLog.id), rows).scalars()
        session.info.setdefault(_UNATTRIBUTED, []).extend(ids)
    else:
        conn.execute(insert(m.ChangeLog), rows)
    if conn.dialect.name == "postgresql" and not session.info.get("notified"):
        # NOTIFY is transactional: listeners hear it only once this transaction commits.
        conn.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
        session.info["notified"] = True


def _attribute_changes(session: Session) -> None:
    """Before commit: give this transaction's rows written before the actor was named to
    that actor (by primary key, so no other transaction's row is touched)."""
    actor = actor_of(session)
    ids: list[int] = session.info.pop(_UNATTRIBUTED, [])
    if actor is None or not ids:
        return
    conn = session.connection()
    for start in range(0, len(ids), _IN_CHUNK):
        conn.execute(update(m.ChangeLog)
                     .where(m.ChangeLog.id.in_(ids[start : start + _IN_CHUNK]))
                     .values(actor_id=actor))


def _reset_notified(session: Session) -> None:
    session.info.pop("notified", None)
    session.info.pop(_DELETED, None)  # a failed flush's deletions never happened
    session.info.pop(_UNATTRIBUTED, None)  # committed as they are, or rolled back


def install_change_feed(session_factory: Any) -> None:
    if not event.contains(m.Base, "after_delete", _note_deleted):
        event.listen(m.Base, "after_delete", _note_deleted, propagate=True)
    event.listen(session_factory, "after_flush", _record_changes)
    event.listen(session_factory, "before_commit", _attribute_changes)
    event.listen(session_factory, "after_commit", _reset_notified)
    event.listen(session_factory, "after_rollback", _reset_notified)
