from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.web.scenario import Program, open_program


@pytest.fixture
async def program(sqlite_url, clock) -> AsyncIterator[Program]:
    async with open_program(sqlite_url, clock) as seeded:
        yield seeded
