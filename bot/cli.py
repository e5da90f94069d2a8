"""The `yanxiu` command line: run, console, db upgrade."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence

from bot import logs
from bot.config import ConfigError, Settings, load_settings
from bot.policy import PolicyError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "action"):
        parser.print_help()
        return 2
    try:
        settings = load_settings()
        return asyncio.run(args.action(args, settings)) or 0
    except (ConfigError, PolicyError) as problem:
        print(f"yanxiu: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="yanxiu", description="研修助手: a group-chat bot for teacher-training programs."
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot on the configured platform")
    run.set_defaults(action=_run)

    console = commands.add_parser(
        "console", help="chat with the bot locally (reads a script from stdin when piped)"
    )
    console.set_defaults(action=_console)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(title="db commands", metavar="DB_COMMAND", required=True)
    db_upgrade = db_commands.add_parser("upgrade", help="apply migrations to YANXIU_DATABASE_URL")
    db_upgrade.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    db_upgrade.set_defaults(action=_db_upgrade)
    db_current = db_commands.add_parser("current", help="show the database's migration revision")
    db_current.set_defaults(action=_db_current)
    return parser


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters import make_adapter

    return await _serve(settings, make_adapter(settings))


async def _console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.console import ConsoleAdapter

    return await _serve(settings, ConsoleAdapter())


async def _serve(settings: Settings, adapter) -> int:
    from bot.app import build, prepare_database

    logs.configure(settings.log_level or ("WARNING" if adapter.platform == "console" else "INFO"))
    app = build(settings, adapter)
    try:
        await prepare_database(app.engine)
        with contextlib.suppress(asyncio.CancelledError):
            await app.run()
    finally:
        await app.close()
    return 0


@contextlib.asynccontextmanager
async def _engine(settings: Settings):
    from storage.db import make_engine

    engine = make_engine(settings.database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from storage.migrate import current_revision, upgrade

    async with _engine(settings) as engine:
        await upgrade(engine, args.revision)
        print(f"database at revision {await current_revision(engine)}")
    return 0


async def _db_current(args: argparse.Namespace, settings: Settings) -> int:
    from storage.migrate import current_revision

    async with _engine(settings) as engine:
        print(await current_revision(engine) or "none")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
