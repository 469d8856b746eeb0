"""Bulk writes for generated data (the demo): many rows in one transaction, fast.

The ORM unit of work costs about a millisecond per object; the demo writes a quarter of a
million rows. Here rows go in as plain dicts through Core ``INSERT`` executemany (and, on
Postgres, ``COPY`` for the big tables), with ids the caller allocated up front so that
child rows can point at their parents without reading anything back.

Rows written here bypass the ORM, and with it the change feed's ``after_flush`` hook: no
change-log rows are written for them. That is deliberate — bulk loads fill a database that
no client is showing yet, and every client loads fresh when it starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, NamedTuple, cast

from sqlalchemy import JSON, Table, func, select, text, update
from sqlalchemy.orm import Session

from surgdesk.domain import models as m

# Above this many rows a Postgres table is loaded with COPY instead of INSERT.
_COPY_THRESHOLD = 2_000


class TemplateItemRow(NamedTuple):
    item_code: str
    section: str
    label: str
    is_required: bool
    position: int


class TemplateRow(NamedTuple):
    id: int
    phase: str
    specialty: str | None
    items: tuple[TemplateItemRow, ...]


class BulkWriter:
    """Bulk inserts inside the caller's session (and so inside its transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    # --- reads ---------------------------------------------------------------------------

    def lock_for_load(self) -> None:
        """Hold off other writers of users, rooms and cases until this transaction ends, so
        two loads started at once cannot both find the database empty. (SQLite: the writer
        session's BEGIN IMMEDIATE already does.)"""
        if self.dialect == "postgresql":
            self.session.execute(text(
                "LOCK TABLE user_account, operating_room, surgery_case "
                "IN SHARE ROW EXCLUSIVE MODE"))
            # A load plans its rows in Python between statements, for tens of seconds at
            # hospital scale: the app engines' idle-in-transaction timeout (there to free
            # the locks of a client that vanished) would end this session midway.
            self.session.execute(text("SET LOCAL idle_in_transaction_session_timeout = 0"))

    def holds_data(self) -> bool:
        """True when the database has any user, operating room or surgery case."""
        for model in (m.User, m.OperatingRoom, m.SurgeryCase):
            if self.session.scalar(select(model.id).limit(1)) is not None:
                return True
        return False

    def active_templates(self) -> list[TemplateRow]:
        """Active checklist templates with their current (not retired) items, by id."""
        t, ti = m.ChecklistTemplate, m.TemplateItem
        templates = self.session.execute(
            select(t.id, t.phase, t.specialty).where(t.active.is_(True)).order_by(t.id)
        ).all()
        items: dict[int, list[TemplateItemRow]] = {}
        rows = self.session.execute(
            select(ti.template_id, ti.item_code, ti.section, ti.label, ti.is_required,
                   ti.position)
            .where(ti.retired.is_(False))
            .order_by(ti.template_id, ti.position, ti.id)
        ).all()
        for template_id, code, section, label, required, position in rows:
            items.setdefault(template_id, []).append(
                TemplateItemRow(code, section, label, bool(required), position)
            )
        return [
            TemplateRow(tid, _value(phase), specialty, tuple(items.get(tid, ())))
            for tid, phase, specialty in templates
        ]

    def next_id(self, model: type[m.Base]) -> int:
        """The first free id of ``model``'s table (ids handed out by the caller)."""
        current = self.session.scalar(select(func.max(model.id)))
        return int(current or 0) + 1

    # --- writes --------------------------------------------------------------------------

    def insert(self, model: type[m.Base], rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert ``rows`` (dicts keyed by column name) into ``model``'s table."""
        if not rows:
            return
        table = cast(Table, model.__table__)
        if self.dialect == "postgresql" and len(rows) >= _COPY_THRESHOLD and _copyable(table):
            self._copy(table, rows)
            return
        self.session.connection().execute(table.insert(), list(rows))

    def set_case_counters(self, last_numbers: Mapping[int, int], at: datetime) -> None:
        """Set each year's case-number counter to at least ``last_numbers[year]``."""
        counter = m.CaseNumberCounter
        for year, last in sorted(last_numbers.items()):
            row = self.session.execute(
                select(counter.id, counter.last_number).where(counter.year == year)
            ).first()
            if row is None:
                self.insert(counter, [{"year": year, "last_number": last,
                                       "created_at": at, "updated_at": at}])
            elif row.last_number < last:
                self.session.execute(
                    update(counter)
                    .where(counter.id == row.id)
                    .values(last_number=last, updated_at=at)
                )

    def advance_sequences(self, models: Iterable[type[m.Base]]) -> None:
        """Postgres: move each table's id sequence past the explicit ids just inserted."""
        if self.dialect != "postgresql":
            return  # SQLite's INTEGER PRIMARY KEY picks max(id) + 1 by itself
        conn = self.session.connection()
        for model in models:
            name = model.__tablename__
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                )
            )

    def _copy(self, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        columns = list(rows[0].keys())
        quoted = ", ".join(f'"{c}"' for c in columns)
        raw = self.session.connection().connection.driver_connection
        assert raw is not None
        with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as cp:
            for row in rows:
                cp.write_row([_copy_value(row[c]) for c in columns])


def _copyable(table: Table) -> bool:
    """COPY sends values as the driver adapts them: fine unless a column is JSON."""
    return not any(isinstance(col.type, JSON) for col in table.columns)


def _copy_value(value: Any) -> Any:
    """COPY skips SQLAlchemy's type processing: send enums by value, refuse naive instants."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime) and value.tzinfo is None:
        raise ValueError("instants must be timezone-aware datetimes")
    return value


def _value(value: Any) -> str:
    return str(value.value) if isinstance(value, Enum) else str(value)
