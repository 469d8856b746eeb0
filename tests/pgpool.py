"""Throwaway Postgres databases for the tests, reused instead of re-created.

``CREATE DATABASE ... TEMPLATE`` and ``DROP DATABASE`` each force the server to write and
sync whole files: 0.3 s to 3 s a pair on the 2-core machine, and over 500 tests ask for a
Postgres database. So each test process keeps its clones: when a test ends, its database
is checked and put back as the template left it, in one transaction of a few
milliseconds, then handed to the next test.

Put back means: every other connection to it terminated; the schema compared with the
template's (tables, columns, constraints, indexes, triggers and whether they are enabled,
functions — by catalog oid, so a table dropped and re-created counts as changed); if it
differs (a migration test, a test that disabled a trigger), the database is dropped and
never reused; otherwise every table emptied and refilled from a copy of the template's
rows kept inside the database itself (schema ``SEED``), and every sequence set back. Rows,
sequences and the schema are then exactly the template's, which is what a fresh clone
gives. Every database is dropped when the test process ends.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import psycopg
from psycopg import sql

SEED = "surgdesk_test_seed"

_FINGERPRINT = """
SELECT md5(coalesce(string_agg(x, ',' ORDER BY x), '')) FROM (
  SELECT concat_ws('/', 'c', c.oid, c.relname, c.relkind::text)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public'
  UNION ALL
  SELECT concat_ws('/', 'a', a.attrelid, a.attname, a.atttypid, a.attnotnull)
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT concat_ws('/', 'k', k.oid, k.conname) FROM pg_constraint k
    JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname = 'public'
  UNION ALL
  SELECT concat_ws('/', 't', t.oid, t.tgname, t.tgenabled::text) FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public'
  UNION ALL
  SELECT concat_ws('/', 'f', p.oid, p.proname) FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
) AS catalog(x)
"""


def _tables(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    return [r[0] for r in rows]


def prepare_template(url: str) -> None:
    """Keep a copy of the migrated template's rows and sequences inside it (schema SEED),
    so that every clone carries what it must be put back to."""
    with psycopg.connect(url, autocommit=True) as conn:
        _snapshot(conn, SEED)


def _snapshot(conn: psycopg.Connection, schema: str) -> None:
    """Copy every public table's rows and every sequence's state into ``schema``."""
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    for table in _tables(conn):
        conn.execute(sql.SQL("CREATE TABLE {}.{} AS TABLE public.{}").format(
            sql.Identifier(schema), sql.Identifier(table), sql.Identifier(table)))
    conn.execute(sql.SQL(
        "CREATE TABLE {}.sequence_state AS SELECT sequencename AS name, "
        "coalesce(last_value, start_value) AS value, last_value IS NOT NULL AS called "
        "FROM pg_sequences WHERE schemaname = 'public'").format(sql.Identifier(schema)))


def _reset_sql(conn: psycopg.Connection, source: str = SEED) -> sql.Composed:
    """One script that empties every table, refills it from ``source`` (SEED: the
    template's state) and sets the sequences back (triggers and foreign-key checks off
    for its own session only)."""
    tables = _tables(conn)
    parts: list[sql.Composable] = [sql.SQL("SET LOCAL session_replication_role = replica")]
    parts += [sql.SQL("DELETE FROM public.{}").format(sql.Identifier(t)) for t in tables]
    parts += [sql.SQL("INSERT INTO public.{} SELECT * FROM {}.{}").format(
        sql.Identifier(t), sql.Identifier(source), sql.Identifier(t)) for t in tables]
    seqs = conn.execute(sql.SQL("SELECT name, value, called FROM {}.sequence_state").format(
        sql.Identifier(source))).fetchall()
    parts += [sql.SQL("SELECT setval({}, {}, {})").format(
        sql.Literal(f"public.{name}"), sql.Literal(value), sql.Literal(called))
        for name, value, called in seqs]
    return sql.SQL(";\n").join(parts)


class PostgresPool:
    """The clones of one template for one test process."""

    def __init__(self, admin_url: str, url_of: Callable[[str], str], template: str) -> None:
        self._admin_url = admin_url
        self._url_of = url_of
        self._template = template
        self._idle: list[str] = []
        self._all: set[str] = set()
        self._fingerprint: str | None = None
        self._reset: sql.Composed | None = None
        # Prepared states: per database, the recipes it holds a snapshot of (schema
        # ``surgdesk_test_prep_<recipe>``), and the script that restores each.
        self._prepared: dict[str, set[str]] = {}
        self._restore: dict[str, sql.Composed] = {}
        self._lock = threading.Lock()

    def _admin(self, statement: str) -> None:
        with psycopg.connect(self._admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(statement)  # type: ignore[arg-type]

    def acquire(self) -> str:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        name = f"sd_test_{uuid.uuid4().hex[:12]}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"')
        with self._lock:
            self._all.add(name)
        if self._fingerprint is None:
            with psycopg.connect(self._url_of(name), autocommit=True) as conn:
                self._fingerprint = conn.execute(_FINGERPRINT).fetchone()[0]  # type: ignore[index]
                self._reset = _reset_sql(conn)
        return name

    def release(self, name: str) -> None:
        """Put the database back as the template left it, or drop it if its schema moved."""
        self._admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
        try:
            with psycopg.connect(self._url_of(name)) as conn:
                same = conn.execute(_FINGERPRINT).fetchone()[0] == self._fingerprint  # type: ignore[index]
                if same:
                    assert self._reset is not None
                    conn.execute(self._reset)
                    conn.commit()
        except psycopg.Error:
            same = False
        if same:
            with self._lock:
                self._idle.append(name)
        else:
            self._drop(name)

    def acquire_prepared(self, recipe: str, build: Callable[[str], None]) -> tuple[str, bool]:
        """A database in the state ``build(url)`` leaves a fresh clone in, and whether
        ``build`` ran now: the first time a database of this process is asked for a
        recipe, the build runs and its rows and sequences are kept in a schema of that
        database; later, the same state comes back in one restore script of a few
        milliseconds. ``release`` puts it back to the template as usual (the kept
        snapshot stays: it is outside the public schema the fingerprint compares)."""
        name = self.acquire()
        schema = f"surgdesk_test_prep_{recipe}"
        with self._lock:
            ready = recipe in self._prepared.get(name, set())
        if ready:
            with psycopg.connect(self._url_of(name)) as conn:
                conn.execute(self._restore[schema])
                conn.commit()
            return name, False
        build(self._url_of(name))
        self._admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")
        with psycopg.connect(self._url_of(name), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(schema)))
            _snapshot(conn, schema)
            if schema not in self._restore:
                self._restore[schema] = _reset_sql(conn, schema)
        with self._lock:
            self._prepared.setdefault(name, set()).add(recipe)
        return name, True

    def _drop(self, name: str) -> None:
        with self._lock:
            self._all.discard(name)
            self._prepared.pop(name, None)
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        for name in list(self._all):
            self._drop(name)
