"""0013 adds schools.base_school_id without touching the schools already stored, and takes it away again."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import downgrade, upgrade

NOW = datetime(2026, 9, 1, tzinfo=UTC).replace(tzinfo=None)


async def test_partnership_column_round_trips_with_stored_schools(database_url):
    engine = make_engine(database_url)
    try:
        await upgrade(engine, "0012")
        async with engine.begin() as connection:
            for number, (name, role) in enumerate((("城关小学", "base"), ("向阳小学", "supported")), 1):
                await connection.execute(
                    text("INSERT INTO schools (id, name, role, created_at) VALUES (:id, :name, :role, :at)"),
                    {"id": number, "name": name, "role": role, "at": NOW})
        await upgrade(engine)
        async with engine.begin() as connection:
            assert (await connection.execute(text("SELECT base_school_id FROM schools WHERE id = 2"))).scalar() is None
            await connection.execute(text("UPDATE schools SET base_school_id = 1 WHERE id = 2"))
            await connection.execute(text("DELETE FROM schools WHERE id = 1"))
            orphan = (await connection.execute(text("SELECT base_school_id FROM schools WHERE id = 2"))).scalar()
        assert orphan is None, "archiving is the way out; a deleted 基地校 leaves its partners unassigned"
        await downgrade(engine, "0012")
        async with engine.connect() as connection:
            names = (await connection.execute(text("SELECT name, role FROM schools ORDER BY id"))).all()
        assert [tuple(row) for row in names] == [("向阳小学", "supported")]
        await upgrade(engine)
    finally:
        await engine.dispose()
