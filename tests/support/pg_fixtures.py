from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.postgres import PostgresAdmin, PostgresServer, PostgresUnavailable, skip_reason

EXTERNAL_URL_ENV = "YANXIU_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresAdmin]:
    external = os.environ.get(EXTERNAL_URL_ENV)
    if external:
        yield PostgresAdmin(external)
        return
    server = PostgresServer()
    try:
        server.start()
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL unavailable: {skip_reason() or exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def postgres_url(postgres_server: PostgresAdmin) -> AsyncIterator[str]:
    name = f"t_{uuid.uuid4().hex[:8]}"
    url = await postgres_server.create_database(name)
    try:
        yield url
    finally:
        await postgres_server.drop_database(name)
