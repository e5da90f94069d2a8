from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.web.scenario import Program, open_program


@pytest.fixture
async def program(sqlite_url, clock) -> AsyncIterator[Program]:
    async with open_program(sqlite_url, clock) as seeded:
        yield seeded


@pytest.fixture
async def program_any_db(database_url, clock) -> AsyncIterator[Program]:
    """The same program on SQLite and on the throwaway PostgreSQL."""
    async with open_program(database_url, clock) as seeded:
        yield seeded
