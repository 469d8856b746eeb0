"""The change feed's write side: a change-log row per changed row, in the same transaction.

NOTIFY (Postgres) and ``PRAGMA data_version`` (SQLite) only say "look now"; clients read
the log from the last id they applied.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert, text
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
    }
)
NOTIFY_CHANNEL = "surgdesk_changes"


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
    conn = session.connection()
    conn.execute(insert(m.ChangeLog), rows)
    if conn.dialect.name == "postgresql" and not session.info.get("notified"):
        # NOTIFY is transactional: listeners hear it only once this transaction commits.
        conn.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))
        session.info["notified"] = True


def _reset_notified(session: Session) -> None:
    session.info.pop("notified", None)
    session.info.pop(_DELETED, None)  # a failed flush's deletions never happened


def install_change_feed(session_factory: Any) -> None:
    if not event.contains(m.Base, "after_delete", _note_deleted):
        event.listen(m.Base, "after_delete", _note_deleted, propagate=True)
    event.listen(session_factory, "after_flush", _record_changes)
    event.listen(session_factory, "after_commit", _reset_notified)
    event.listen(session_factory, "after_rollback", _reset_notified)
