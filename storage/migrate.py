"""Alembic, driven from code: `yanxiu db upgrade`, `make run` and the tests all come through here."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    await _run(engine, command.upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    await _run(engine, command.downgrade, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def _run(engine: AsyncEngine, operation, revision: str) -> None:
    def in_sync(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        operation(config, revision)

    async with engine.connect() as connection:
        # A batch migration on SQLite copies a table and drops the old one, which rows of other tables
        # still point to: foreign keys are checked once at the end instead, outside any transaction
        # (where SQLite ignores the pragma), and switched on again for the pool's next user.
        sqlite = connection.dialect.name == "sqlite"
        driver = (await connection.get_raw_connection()).driver_connection if sqlite else None
        if driver is not None:
            await driver.execute("PRAGMA foreign_keys=OFF")
        try:
            async with connection.begin():
                await connection.run_sync(in_sync)
                if driver is not None:
                    broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).fetchall()
                    if broken:
                        raise RuntimeError(f"the migration left rows pointing nowhere: {broken[:5]}")
        finally:
            if driver is not None:
                await driver.execute("PRAGMA foreign_keys=ON")
