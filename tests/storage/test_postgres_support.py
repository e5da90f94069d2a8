from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine


pytestmark = pytest.mark.postgres

_seen_databases: list[str] = []


@pytest.mark.parametrize("run", ["first", "second"])
async def test_fresh_database_per_test(postgres_url: str, run: str) -> None:
    engine = create_async_engine(postgres_url)
    try:
        async with engine.begin() as conn:
            version = (await conn.execute(text("select version()"))).scalar_one()
            assert version.startswith("PostgreSQL ")

            db = (await conn.execute(text("select current_database()"))).scalar_one()
            assert db == make_url(postgres_url).database
            assert db not in _seen_databases
            leftovers = (
                await conn.execute(
                    text("select datname from pg_database where datname = any(:names)"),
                    {"names": _seen_databases},
                )
            ).scalars().all()
            assert leftovers == []
            _seen_databases.append(db)

            await conn.execute(text("create table notes (id serial primary key, body text not null)"))
            await conn.execute(text("insert into notes (body) values (:a), (:b)"), {"a": run, "b": "研修助手"})
            rows = (await conn.execute(text("select body from notes order by id"))).scalars().all()
            assert rows == [run, "研修助手"]
    finally:
        await engine.dispose()
