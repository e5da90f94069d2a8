"""The `yanxiu` command line: run, console, db upgrade, roster import and codes, bind, export.

Conventions every subcommand keeps: exit 0 on success, 1 when something failed at run time (the
database, a file, the data), 2 for a usage or configuration error; each failure is one line on stderr
naming what to fix, never a traceback (`YANXIU_LOG_LEVEL=DEBUG` adds the traceback for developers).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import signal
import sys
import traceback
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.ops import logs
from bot.ops.config import ConfigError, Settings, load_settings
from bot.ops.policy import PolicyError

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """The command line asks for something it cannot do; exits 2 with the message."""


class Failure(Exception):
    """The command ran and failed (missing data, a file it cannot write); exits 1 with the message."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (argparse prints the usage block before it)."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "action"):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    command = getattr(args, "command_name", "yanxiu")
    try:
        settings = load_settings()
        return asyncio.run(args.action(args, settings)) or EXIT_OK
    except (ConfigError, PolicyError, UsageError) as problem:
        return _fail(command, problem, EXIT_USAGE)
    except Failure as problem:
        return _fail(command, problem, EXIT_FAILURE)
    except KeyboardInterrupt:
        return 130
    except Exception as problem:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        if logging.getLogger().isEnabledFor(logging.DEBUG) or _debugging():
            traceback.print_exc()
        return _fail(command, _describe(problem, locals().get("settings")), EXIT_FAILURE)


def _fail(command: str, problem: object, code: int) -> int:
    line = " ".join(str(problem).split()) or type(problem).__name__
    print(f"{command}: {line}", file=sys.stderr)
    return code


def _debugging() -> bool:
    import os

    return os.environ.get("YANXIU_LOG_LEVEL", "").strip().upper() == "DEBUG"


def _describe(problem: Exception, settings: Settings | None) -> str:
    """What went wrong in words an operator can act on; the cause's own text stays on the line."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    detail = str(getattr(problem, "orig", None) or problem).splitlines()[0] if str(problem) else ""
    if isinstance(problem, (OperationalError, DBAPIError, ConnectionError)) and settings is not None:
        return f"database {settings.database_target}: {detail} (check YANXIU_DATABASE_URL and that it is running)"
    if isinstance(problem, OSError):
        where = f" {problem.filename}" if problem.filename else ""
        return f"{problem.strerror or type(problem).__name__}:{where}"
    return f"{type(problem).__name__}: {detail}" if detail else type(problem).__name__


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("yanxiu")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="yanxiu", description="研修助手: a group-chat bot for teacher-training programs."
    )
    parser.add_argument("--version", action="version", version=f"yanxiu {_version()}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot on the configured platform")
    run.set_defaults(action=_run, command_name="yanxiu run")

    console = commands.add_parser(
        "console", help="chat with the bot locally (reads a script from stdin when piped)"
    )
    console.set_defaults(action=_console, command_name="yanxiu console")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(title="db commands", metavar="DB_COMMAND", required=True)
    db_upgrade = db_commands.add_parser("upgrade", help="apply migrations to YANXIU_DATABASE_URL (every "
                                                        "program's database with YANXIU_PROGRAMS)")
    db_upgrade.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    db_upgrade.set_defaults(action=_db_upgrade, command_name="yanxiu db upgrade")
    db_current = db_commands.add_parser("current", help="show the database's migration revision")
    db_current.set_defaults(action=_db_current, command_name="yanxiu db current")

    roster = commands.add_parser("roster", help="program roster")
    roster_commands = roster.add_subparsers(title="roster commands", metavar="ROSTER_COMMAND", required=True)
    roster_import = roster_commands.add_parser(
        "import", help="import a roster (CSV or XLSX): shows what would change, then asks before applying",
    )
    roster_import.add_argument("file", help="the roster file (.csv, .xlsx or .xls)")
    choice = roster_import.add_mutually_exclusive_group()
    choice.add_argument("--yes", action="store_true", help="apply without asking")
    choice.add_argument("--dry-run", action="store_true", help="only show what would change")
    _program_option(roster_import)
    roster_import.set_defaults(action=_roster_import, command_name="yanxiu roster import")
    roster_codes = roster_commands.add_parser(
        "codes", help="print one-time invitation codes for rostered teachers who have no account yet",
    )
    roster_codes.add_argument("--renew", action="store_true",
                              help="replace codes not yet used (the old ones stop working)")
    _program_option(roster_codes)
    roster_codes.set_defaults(action=_roster_codes, command_name="yanxiu roster codes")

    bind = commands.add_parser("bind", help="bind a chat that cannot send commands (a WeCom group robot) to a unit")
    bind.add_argument("chat", help="the chat id, e.g. robot:紫阳二小")
    bind.add_argument("scope", choices=("school", "workshop", "program"))
    bind.add_argument("name", nargs="?", default="", help="the school's or workshop's name")
    bind.add_argument("--platform", help="the platform of the chat (default: the configured one)")
    _program_option(bind)
    bind.set_defaults(action=_bind, command_name="yanxiu bind")

    export = commands.add_parser("export", help="export records, hours and scores (XLSX or CSV), or a monthly briefing")
    export.add_argument("--from", dest="first", type=_date, help="first day (default: the semester's start)")
    export.add_argument("--to", dest="last", type=_date, help="last day (default: today, or the semester's end)")
    scope = export.add_mutually_exclusive_group()
    scope.add_argument("--school", help="only this school")
    scope.add_argument("--workshop", help="only this workshop")
    export.add_argument("--format", choices=(*WORKBOOK_FORMATS, *BRIEFING_FORMATS),
                        help="workbook: xlsx (default) or csv (a file per sheet); briefing: docx (default), pdf "
                             "(needs LibreOffice) or md")
    export.add_argument("--briefing", metavar="YYYY-MM", help="write the monthly briefing (简报) instead")
    export.add_argument("--out", help="a file, or a folder to write into (csv: always a folder); "
                                      "default: the current folder")
    _program_option(export)
    export.set_defaults(action=_export, command_name="yanxiu export")
    return parser


def _program_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--program", metavar="KEY",
                         help="the program (its key in YANXIU_PROGRAMS); required when several are configured")


def _date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ops.platforms import make_adapter

    if settings.platform == "console" and not sys.stdin.isatty():
        # Under systemd or Docker a missing token would otherwise look like a clean stop.
        raise Failure(
            "nothing to run: no platform is configured (set YANXIU_TELEGRAM_TOKEN, or YANXIU_PLATFORM with "
            "its settings) and there is no terminal for the console; for a scripted chat use `yanxiu console`"
        )
    return await _serve(settings, make_adapter(settings))


async def _console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.console import ConsoleAdapter

    return await _serve(settings, ConsoleAdapter())


async def _serve(settings: Settings, adapter) -> int:
    from bot.ops.deployment import build_deployment

    logs.configure(settings.log_level or ("WARNING" if adapter.platform == "console" else "INFO"))
    app = build_deployment(settings, adapter)
    try:
        await app.prepare()
        if adapter.platform != "console":
            _stop_gracefully_on_signals(adapter)
        with contextlib.suppress(asyncio.CancelledError):
            await app.run()
    finally:
        await app.close()
    return 0


def _stop_gracefully_on_signals(adapter) -> None:
    """SIGTERM or SIGINT asks the adapter to stop: what was accepted is handled and confirmed first.
    A second signal interrupts at once (what is unconfirmed comes back from the platform)."""
    loop = asyncio.get_running_loop()

    def stop() -> None:
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(number)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        asyncio.ensure_future(adapter.stop())

    for number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(number, stop)


@contextlib.asynccontextmanager
async def _engine(url: str):
    from storage.db import make_engine

    engine = make_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()


def _databases(settings: Settings) -> list[tuple[str, str, str]]:
    """(program key, URL, URL with the password masked) of every database this deployment uses;
    the key is "" without YANXIU_PROGRAMS (and the policy file is not read then)."""
    if settings.programs is None:
        return [("", settings.database_url, settings.database_target)]
    from bot.ops.programs import load_programs

    return [(program.key, program.database_url, program.database_target) for program in load_programs(settings)]


async def _db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from storage.migrate import current_revision, upgrade

    for key, url, target in _databases(settings):
        named = f"program {key}: " if key else ""
        print(f"{named}migrating {target} to {args.revision}", flush=True)
        async with _engine(url) as engine:
            await upgrade(engine, args.revision)
            print(f"{named}database at revision {await current_revision(engine)}", flush=True)
    return 0


async def _db_current(args: argparse.Namespace, settings: Settings) -> int:
    from storage.migrate import current_revision

    for key, url, _ in _databases(settings):
        async with _engine(url) as engine:
            revision = await current_revision(engine) or "none"
        print(f"{key}\t{revision}" if key else revision)
    return 0


def _program(settings: Settings, key: str | None):
    """The program a command acts on (`--program KEY`); its policy is read only when there are several."""
    from bot.ops.programs import SINGLE_KEY, ProgramConfig, load_programs, pick

    if settings.programs is None:
        if key not in (None, SINGLE_KEY):
            raise UsageError(f"--program {key}: this deployment runs one program (YANXIU_PROGRAMS is not set)")
        return ProgramConfig(SINGLE_KEY, "", None, settings.database_url, settings.files_dir)
    return pick(load_programs(settings), key)


@contextlib.asynccontextmanager
async def _unit_of_work(settings: Settings, program: str | None = None):
    """One transaction over a migrated database, as the bot's dispatcher opens one per update."""
    from bot.ops.app import prepare_database
    from storage.db import make_session_factory
    from storage.repositories import Repositories

    async with _engine(_program(settings, program).database_url) as engine:
        await prepare_database(engine)
        async with make_session_factory(engine)() as session, session.begin():
            yield Repositories(session)


def _operator():
    from bot.services.audit import operator

    return operator(getpass.getuser())


def _now():
    from bot.kernel.clock import SystemClock

    return SystemClock().now()


async def _roster_import(args: argparse.Namespace, settings: Settings) -> int:
    """Dry run first; apply in one transaction only on --yes or an interactive yes (bot.services.roster,
    the same use case as a roster file sent in chat)."""
    from pathlib import Path

    from bot.domain.roster import Action, RosterFileError, read_roster
    from bot.i18n import Translator
    from bot.services.roster import import_plan, plan_for
    from handlers.roster import describe_plan

    t = Translator(settings.locale)
    path = Path(args.file)
    try:
        rows = read_roster(path.read_bytes(), path.name)
    except OSError as problem:
        print(f"yanxiu: cannot read {path}: {problem.strerror}", file=sys.stderr)
        return 2
    except RosterFileError as problem:
        print(f"yanxiu: {path}: {t(problem.key, **problem.values)}", file=sys.stderr)
        return 2
    actor = _operator()
    async with _unit_of_work(settings, args.program) as uow:
        plan = await plan_for(uow, actor, rows)
        print(describe_plan(t, plan, path.name))
        if args.dry_run or not plan.applicable or not (args.yes or _confirmed(t)):
            print(t("cli_roster_not_applied"))
            await uow.db.rollback()
            return 0
        applied = await import_plan(uow, actor, _now(), plan, path.name, progress=lambda done, total: _progress(
            t("import_progress", done=done, total=total)))
    print(t("roster_imported", created=applied.created, updated=applied.updated, rejected=plan.count(Action.REJECT)))
    return 0


async def _roster_codes(args: argparse.Namespace, settings: Settings) -> int:
    """A printable list (tab-separated) of codes for everyone on the roster who has neither a linked
    account nor one named on the roster: the same codes /invite makes, audited the same way."""
    from bot.i18n import Translator
    from bot.ops.policy import load_policy
    from bot.services.joining import codes_for_unlinked

    t = Translator(settings.locale)
    rules = (_program(settings, args.program).policy or load_policy(settings.policy)).joining
    async with _unit_of_work(settings, args.program) as uow:
        issued, kept = await codes_for_unlinked(uow, _operator(), _now(), renew=args.renew, rules=rules)
    if issued:
        print(t("cli_codes_header"))
        for line in issued:
            print(f"{line.school}\t{line.name}\t#{line.member_id}\t{line.code}")
        print(t("cli_codes_note", count=len(issued), days=rules.code_days), file=sys.stderr)
    else:
        print(t("cli_codes_none"), file=sys.stderr)
    if kept:
        print(t("cli_codes_kept", count=kept), file=sys.stderr)
    return 0


async def _bind(args: argparse.Namespace, settings: Settings) -> int:
    """The same use case as /bind in a group (bot.services.bindings): archived units are refused,
    the audit line has the same shape, the time comes from the clock."""
    from bot.i18n import Translator
    from bot.kernel.dispatcher import UserError
    from bot.services import bindings

    platform = args.platform or settings.platform
    await _not_bound_elsewhere(settings, args.program, platform, args.chat)
    try:
        async with _unit_of_work(settings, args.program) as uow:
            _, after = await bindings.bind(uow, _operator(), _now(), platform=platform, chat_id=args.chat,
                                           title=args.chat, scope=args.scope, name=args.name)
    except UserError as problem:
        print(f"yanxiu: bind: {Translator(settings.locale)(problem.key, **problem.values)}", file=sys.stderr)
        return 2
    print(f"{platform}:{args.chat} → {after.scope} {after.name}".rstrip())
    return 0


async def _not_bound_elsewhere(settings: Settings, key: str | None, platform: str, chat_id: str) -> None:
    """A chat belongs to one program: binding it in a second is refused, as /program refuses in chat."""
    if settings.programs is None:
        return
    from bot.ops.programs import load_programs
    from storage.db import make_session_factory
    from storage.repositories import Repositories

    target = _program(settings, key)
    for program in load_programs(settings):
        if program.key == target.key:
            continue
        async with _engine(program.database_url) as engine, make_session_factory(engine)() as session:
            try:
                bound = await Repositories(session).bindings.get(platform, chat_id)
            except Exception:  # noqa: BLE001 - a database not migrated yet binds nothing
                bound = None
        if bound is not None:
            raise UsageError(f"{platform}:{chat_id} is bound in program {program.key}; "
                             f"unbind it there first (yanxiu bind cannot move a chat between programs)")


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    """Write the files a project office files, from the database, without starting the bot."""
    from bot.i18n import Translator
    from bot.ops.app import prepare_database, program_zone
    from bot.ops.policy import load_policy
    from bot.services.reports import briefing, workbook
    from handlers.exports import month_of
    from storage.db import make_session_factory
    from storage.repositories import Repositories

    _check_export_options(args)
    program = _program(settings, args.program)
    policy, t = program.policy or load_policy(settings.policy), Translator(settings.locale)
    zone = program_zone(settings, policy)
    today = datetime.now(zone).date()
    month = None
    if args.briefing:
        try:
            month = month_of(args.briefing, today)
        except ValueError:
            raise UsageError(f"--briefing: not a month (YYYY-MM): {args.briefing!r}") from None
    first = args.first or policy.semester.start
    last = args.last or min(today, policy.semester.end)
    if month is None and last < first:
        raise UsageError("--to is before --from")
    async with _engine(program.database_url) as engine:
        await prepare_database(engine)
        async with make_session_factory(engine)() as session:
            repos = Repositories(session)
            if month is not None:
                report = await briefing(repos, policy, t, zone, month, f"{policy.name}研修简报", today)
                return _write_briefing(args, report, month)
            scope = {}
            for key, repo, name in (("school_id", repos.schools, args.school),
                                    ("workshop_id", repos.workshops, args.workshop)):
                if name:
                    unit = await repo.by_name(name)
                    if unit is None:
                        raise Failure(f"no such {key.removesuffix('_id')}: {name!r} (see /schools or the roster)")
                    scope[key] = unit.id
            _progress(t("export_progress"))
            sheets = await workbook(repos, policy, t, zone, today, first, last, **scope)
    return _write_workbook(args, sheets, policy.name, f"研修台账-{first:%Y%m%d}-{last:%Y%m%d}")


BRIEFING_FORMATS, WORKBOOK_FORMATS = ("docx", "pdf", "md"), ("xlsx", "csv")


def _check_export_options(args: argparse.Namespace) -> None:
    if args.briefing:
        given = [flag for flag, value in (("--school", args.school), ("--workshop", args.workshop),
                                          ("--from", args.first), ("--to", args.last)) if value]
        if given:
            raise UsageError(f"--briefing covers the whole program and one month; drop {', '.join(given)} "
                             f"(for one school or dates, export the workbook)")
        if (args.format or "docx") not in BRIEFING_FORMATS:
            raise UsageError(f"--briefing writes {', '.join(BRIEFING_FORMATS)}, not {args.format}")
    elif (args.format or "xlsx") not in WORKBOOK_FORMATS:
        raise UsageError(f"--format {args.format} is for --briefing; the workbook is {' or '.join(WORKBOOK_FORMATS)}")
    elif args.format == "csv" and args.out and Path(args.out).exists() and not Path(args.out).is_dir():
        raise UsageError(f"--out {args.out}: CSV export writes a file per sheet, so --out must be a folder")


def _progress(line: str) -> None:
    """A progress line for a person at a terminal; scripts and logs get only results and failures."""
    if sys.stderr.isatty():
        print(line, file=sys.stderr, flush=True)


def _output(out: str | None, default_name: str) -> Path:
    """`--out` as a file, or a folder (existing, or written with a trailing /) to put *default_name* in;
    missing folders on the way are created."""
    if not out:
        target = Path(default_name)
    elif out.endswith(("/", "\\")) or Path(out).is_dir():
        target = Path(out) / default_name
    else:
        target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _write_briefing(args: argparse.Namespace, report, month) -> int:
    from bot.render.exports import briefing_docx, briefing_markdown
    from bot.render.pdf import PdfUnavailable, docx_to_pdf

    form = args.format or "docx"
    target = _output(args.out, f"研修简报-{month:%Y-%m}.{form}").with_suffix(f".{form}")
    if form == "md":
        target.write_text(briefing_markdown(report), encoding="utf-8")
    elif form == "docx":  # and the Markdown beside it, to paste into a chat or an e-mail
        target.write_bytes(briefing_docx(report))
        target.with_suffix(".md").write_text(briefing_markdown(report), encoding="utf-8")
        print(target.with_suffix(".md"))
    else:
        try:
            target.write_bytes(docx_to_pdf(briefing_docx(report)))
        except PdfUnavailable as problem:
            raise Failure(f"cannot write PDF: {problem}") from None
    print(target)
    return 0


def _write_workbook(args: argparse.Namespace, sheets, program: str, stem: str) -> int:
    from bot.render.exports import to_csv, to_xlsx

    if (args.format or "xlsx") == "xlsx":
        target = _output(args.out, f"{stem}.xlsx")
        target.write_bytes(to_xlsx(sheets, title=program))
        print(target)
        return 0
    folder = Path(args.out or ".")
    folder.mkdir(parents=True, exist_ok=True)
    for sheet in sheets:
        target = folder / f"{stem}-{sheet.title}.csv"
        target.write_bytes(to_csv(sheet))
        print(target)
    return 0


def _confirmed(t) -> bool:
    if not sys.stdin.isatty():
        return False
    answer = input(t("cli_roster_ask")).strip().lower()
    return answer in {"y", "yes", "是", "确认"}


if __name__ == "__main__":
    raise SystemExit(main())
