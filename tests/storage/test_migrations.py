"""Migrations build exactly the tables the models describe, on SQLite and PostgreSQL, both ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

from storage.db import make_engine, make_session_factory
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.models import Base, HandledMessage
from storage.repositories import Repositories


async def test_upgrade_matches_models_and_downgrade_removes_everything(database_url):
    engine = make_engine(database_url)
    try:
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
        assert differences == []
        await downgrade(engine, "base")
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        assert set(tables) <= {"alembic_version"}
        await upgrade(engine)
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()


async def test_times_round_trip_as_utc(database_url):
    engine = make_engine(database_url)
    try:
        await upgrade(engine)
        factory = make_session_factory(engine)
        shanghai_evening = datetime(2026, 11, 23, 23, 30, tzinfo=timezone(timedelta(hours=8)))
        async with factory() as session, session.begin():
            await Repositories(session).handled.record("t", "c", "1", [], shanghai_evening)
        async with factory() as session:
            stored = await session.scalar(select(HandledMessage.handled_at))
        assert stored == shanghai_evening
        assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
        assert stored.astimezone(UTC).hour == 15
    finally:
        await engine.dispose()
