"""The database layer never writes a teacher's words into logs, and never keeps a caller waiting long."""

from __future__ import annotations

import io
import logging
import sqlite3
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError

from storage.db import SQLITE_BUSY_SECONDS, make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import School
from bot.ops.logs import configure
from tests.conftest import open_chat

NOISY = ("httpx", "httpcore", "telegram", "apscheduler", "aiosqlite", "alembic")

SECRET = "我今天在课堂上批评了张小明同学"

log = logging.getLogger("yanxiu.dispatch")


@pytest.fixture
def app_logs():
    """Logging as `yanxiu run` sets it up at its most verbose level (YANXIU_LOG_LEVEL=debug)."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, {name: logging.getLogger(name).level for name in NOISY})
    configure("debug")
    written = io.StringIO()
    root.handlers[0].setStream(written)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # even with SQL echo on
    yield written.getvalue
    root.handlers[:], root.level, levels = saved
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.NOTSET)


async def test_a_failing_statement_logs_no_parameters(database_url, app_logs) -> None:
    engine = make_engine(database_url)
    await upgrade(engine)
    factory = make_session_factory(engine)
    now = datetime.now(UTC)
    try:
        async with factory() as session, session.begin():
            session.add(School(name=SECRET, created_at=now))
        with pytest.raises(IntegrityError) as failure:
            async with factory() as session, session.begin():
                session.add(School(name=SECRET, created_at=now))
        log.error("handler failed", exc_info=failure.value)
        logged = app_logs()
        assert SECRET not in str(failure.value)
        assert SECRET not in logged
        assert "INSERT INTO schools" in logged and "hidden" in logged  # the statement is named, not its values  # the statement is still named, its values are not
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_a_nul_byte_on_postgresql_logs_no_text(postgres_url, app_logs) -> None:
    """PostgreSQL refuses NUL in text; the refusal must not carry the rest of the text to the log."""
    engine = make_engine(postgres_url)
    await upgrade(engine)
    try:
        with pytest.raises(DBAPIError) as failure:
            async with make_session_factory(engine)() as session, session.begin():
                session.add(School(name=SECRET + "\x00", created_at=datetime.now(UTC)))
        log.error("handler failed", exc_info=failure.value)
        logged = app_logs()
        assert "handler failed" in logged and SECRET not in logged
    finally:
        await engine.dispose()


async def test_a_locked_sqlite_database_answers_within_seconds(sqlite_url, clock) -> None:
    async with open_chat(sqlite_url, clock) as chat:
        await chat.join("u1", "王芳")
        holder = sqlite3.connect(sqlite_url.split("///", 1)[1], isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock and never lets go
        try:
            started = time.monotonic()
            replies = await chat.say("签到")
            waited = time.monotonic() - started
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    assert waited < SQLITE_BUSY_SECONDS + 3, waited
    assert len(replies) == 1 and "没有保存" in replies[0]
