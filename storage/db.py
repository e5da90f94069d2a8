"""Engine and session factory for SQLite (default) and PostgreSQL.

Statement parameters are teachers' words: `hide_parameters` keeps them out of every error message
and log line SQLAlchemy writes. Waiting is bounded: a locked SQLite file or an exhausted pool
answers within seconds, so the dispatcher can say "try again" instead of hanging for half a minute.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SQLITE_BUSY_SECONDS = 5
"""How long a writer waits for another's lock: longer than any of our transactions, short enough
that a stuck lock gets a polite answer quickly."""
POOL_TIMEOUT_SECONDS = 10
"""How long an update waits for a PostgreSQL connection before it is turned away."""


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url, hide_parameters=True, connect_args={"timeout": SQLITE_BUSY_SECONDS}
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None  # transactions are begun below, not by the driver
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin_immediate(connection) -> None:
            """Take the write lock at the start: two connections that both read and then write would
            otherwise deadlock (SQLite cannot upgrade a reader while another writer waits)."""
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_async_engine(
        url, pool_pre_ping=True, hide_parameters=True, pool_timeout=POOL_TIMEOUT_SECONDS
    )


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
