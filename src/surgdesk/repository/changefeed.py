"""The change feed's write side: a change-log row per changed row, in the same transaction.

NOTIFY (Postgres) and ``PRAGMA data_version`` (SQLite) only say "look now"; clients read
the log from the last id they applied.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert, text
from sqlalchemy.orm import Session

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


def _record_changes(session: Session, _flush_context: Any) -> None:
    """Write one change-log row per changed row, in the flushing transaction."""
    rows = [r for o in session.new if (r := _feed_row(o, "insert"))]
    rows += [
        r
        for o in session.dirty
        if session.is_modified(o, include_collections=False) and (r := _feed_row(o, "update"))
    ]
    rows += [r for o in session.deleted if (r := _feed_row(o, "delete"))]
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


def install_change_feed(session_factory: Any) -> None:
    event.listen(session_factory, "after_flush", _record_changes)
    event.listen(session_factory, "after_commit", _reset_notified)
    event.listen(session_factory, "after_rollback", _reset_notified)
