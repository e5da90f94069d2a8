"""`python -m bench`: scoring recompute, inbound check-ins and announcement fan-out, in fresh processes.

PostgreSQL is a throwaway cluster started like the test suite's (tests/support/postgres.py), or the
server at YANXIU_BENCH_POSTGRES_URL (a database is created there and dropped afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import re
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from time import perf_counter

from bench import scoring
from tests.support.postgres import PostgresAdmin, PostgresServer

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
SECTION = "## Scoring recompute"
INBOUND, FANOUT = "## Inbound check-ins", "## Announcement fan-out"
MORNING = "## Morning check-in burst"
UNDERSTANDING = "## Understanding teachers' posts"
BENCHMARKS = ("scoring", "inbound", "morning", "fanout", "understanding")
INTRO = """# Benchmarks

Run them with `make bench` (it installs PostgreSQL if it can, then runs `python -m bench` in the
project venv); `python -m bench --help` lists the options. `python -m bench --write-docs` rewrites
the sections below with the numbers of that run. Compare the ratios, not the seconds: both sides
of a ratio are measured in the same run on the same machine.
"""


def _fresh(function, *args):
    """`function(*args)` in a fresh interpreter: its peak RSS is the measurement's own."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def _run(database: str, url: str, args: argparse.Namespace) -> dict:
    """Setup, then the measurements, each in a fresh interpreter: the peak RSS is the measurements' own."""
    result = {"database": database}
    for step in (scoring.setup, scoring.measure):
        print(f"{database}: {step.__name__}…", flush=True)
        result |= _fresh(step, database, url, args.teachers, args.records)
    return result


@contextmanager
def _postgres() -> Iterator[str | None]:
    """A fresh database URL, or None (and why, printed) when PostgreSQL is not available."""
    external = os.environ.get("YANXIU_BENCH_POSTGRES_URL")
    server = PostgresAdmin(external) if external else PostgresServer()
    try:
        if not external:
            server.start()
        name = f"bench_{uuid.uuid4().hex[:8]}"
        url = asyncio.run(server.create_database(name))
    except Exception as exc:  # noqa: BLE001 - whatever the reason: say it and go on without PostgreSQL
        print(f"PostgreSQL skipped: {exc}")
        if not external:
            server.stop()
        yield None
        return
    try:
        yield url
    finally:
        asyncio.run(server.drop_database(name))
        if not external:
            server.stop()


def machine(results: list[dict]) -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
    return {
        "CPU": model.group(1) if model else platform.processor() or "unknown",
        "cores": str(os.cpu_count()),
        "RAM": f"{int(total.group(1)) / 1024 ** 2:.0f} GB" if total else "unknown",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": next((r["version"] for r in results if r["database"] == "postgresql"), "not measured"),
    }


def section(results: list[dict], facts: dict[str, str], args: argparse.Namespace, elapsed: float) -> str:
    counts, sample = results[0]["counts"], results[0]["sample"]
    command = f"python -m bench --bench scoring --teachers {args.teachers} --records {args.records}"
    command += f" --only {args.only}" if args.only else ""
    machine_line = ", ".join(f"{key} {value}" for key, value in facts.items())
    return f"""{SECTION}

A program of {args.teachers:,} teachers in {counts["schools"]} schools with {counts["records"]:,} records
(reflections, cases and observation logs over the semester's months), {counts["hours_ledger"]:,} hours
lines and {counts["training_marks"]:,} training marks. `python -m bench` generates it, then measures,
best of 3 runs after a warm-up:

- **recompute**: `bot.services.scores.standings()` for every teacher on 2026-12-02: SQL aggregates, then
  the pure scoring of each teacher;
- **reference**: `SELECT member_id, kind, count(*) FROM records GROUP BY member_id, kind`, the
  cheapest query that reads every record;
- **naive**, for contrast: per teacher, load its records, hours lines and marks as ORM objects and
  count in Python. Run on a sample of {sample} teachers and **extrapolated** to all of them; its
  scores are checked equal to the recompute's.

Setup (schema, generated data; `VACUUM ANALYZE` on PostgreSQL) runs in its own process; it is timed
but is not the subject. The measurements run in a fresh process per database, and peak RSS is its
high-water mark after the recompute. On SQLite the reference says `NOT INDEXED`: left to itself,
SQLite walks `ix_records_member_id` and takes about three times as long.

{scoring.table(results)}

Machine: {machine_line}.
Run on {date.today().isoformat()} with `{command}`; the whole run took {elapsed:.0f} s.
"""


def write_section(text: str, title: str = SECTION) -> None:
    """Replace this benchmark's section of docs/benchmarks.md, or add it; the rest stays as it is."""
    DOCS.parent.mkdir(exist_ok=True)
    doc = DOCS.read_text(encoding="utf-8") if DOCS.exists() else INTRO
    pattern = re.compile(rf"^{re.escape(title)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(doc):
        doc = pattern.sub(lambda _: text + "\n", doc, count=1)
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    DOCS.write_text(doc.rstrip("\n") + "\n", encoding="utf-8")


def _databases(name: str, args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """(database, url) for each database --only selects: a fresh SQLite file, a fresh PostgreSQL database."""
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory(prefix="yanxiu-bench-") as tmp:
            yield "sqlite", f"sqlite+aiosqlite:///{tmp}/{name}.db"
    if args.only in (None, "postgresql"):
        with _postgres() as url:
            if url is not None:
                yield "postgresql", url


def _machine_line(results: list[dict]) -> str:
    return ", ".join(f"{key} {value}" for key, value in machine(results).items() if value != "not measured")


def run_scoring(args: argparse.Namespace) -> None:
    started = perf_counter()
    results = [_run(database, url, args) for database, url in _databases("bench", args)]
    elapsed = perf_counter() - started
    if not results:
        raise SystemExit("no database could be measured")
    print(scoring.table(results))
    print(f"{args.teachers:,} teachers, {args.records:,} records; naive figures are extrapolated from "
          f"{results[0]['sample']} teachers; whole run {elapsed:.0f} s")
    if args.write_docs:
        write_section(section(results, machine(results), args, elapsed))
        print(f"wrote {DOCS}")


# inbound and fanout are imported where they run: importing them here would load the whole bot (and
# PTB) into every spawned worker, the scoring ones too, and inflate the peak RSS scoring reports.
def run_inbound(args: argparse.Namespace) -> None:
    from bench import inbound

    started, results = perf_counter(), []
    for database, url in _databases("inbound", args):
        print(f"inbound: yanxiu on {database}…", flush=True)
        results.append(_fresh(inbound.measure, database, url, args.checkins))
    print("inbound: echo bot…", flush=True)
    results.append(_fresh(inbound.measure, "echo", "", args.checkins))
    elapsed = perf_counter() - started
    print(inbound.table(results))
    print(f"{args.checkins:,} check-ins from {inbound.GROUPS} groups, Pacer off; whole run {elapsed:.0f} s")
    if args.write_docs:
        command = f"python -m bench --bench inbound --checkins {args.checkins}"
        command += f" --only {args.only}" if args.only else ""
        write_section(inbound.section(INBOUND, results, _machine_line(results), command, elapsed), INBOUND)
        print(f"wrote {DOCS}")


def run_morning(args: argparse.Namespace) -> None:
    from bench import inbound

    started, results = perf_counter(), []
    with tempfile.TemporaryDirectory(prefix="yanxiu-bench-") as tmp:
        for style in ("reaction", "tally"):
            print(f"morning: {args.teachers_morning:,} check-ins in {inbound.MORNING_GROUPS} groups, {style}…",
                  flush=True)
            results.append(_fresh(inbound.morning, f"sqlite+aiosqlite:///{tmp}/morning-{style}.db",
                                  args.teachers_morning, inbound.MORNING_GROUPS, args.spread, style))
    elapsed = perf_counter() - started
    print(inbound.morning_table(results))
    print(f"whole run {elapsed:.0f} s")
    if args.write_docs:
        command = f"python -m bench --bench morning --morning-teachers {args.teachers_morning} --spread {args.spread:g}"
        facts = _machine_line([{"database": "sqlite"}])
        write_section(inbound.morning_section(MORNING, results, facts, command, elapsed), MORNING)
        print(f"wrote {DOCS}")


def run_fanout(args: argparse.Namespace) -> None:
    from bench import fanout

    started = perf_counter()
    least = (args.groups - 1) / fanout.PER_SECOND
    print(f"fanout: {args.groups:,} groups, at least {least:.0f} s…", flush=True)
    with tempfile.TemporaryDirectory(prefix="yanxiu-bench-") as tmp:
        results = [_fresh(fanout.measure, f"sqlite+aiosqlite:///{tmp}/fanout.db", args.groups)]
    elapsed = perf_counter() - started
    print(fanout.table(results))
    print(f"whole run {elapsed:.0f} s")
    if args.write_docs:
        command = f"python -m bench --bench fanout --groups {args.groups}"
        facts = _machine_line([{"database": "sqlite"}])
        write_section(fanout.section(FANOUT, results, facts, command, elapsed), FANOUT)
        print(f"wrote {DOCS}")


def run_understanding(args: argparse.Namespace) -> None:
    from bench import understanding

    print("understanding: the labelled corpus through the dispatcher…", flush=True)
    result = understanding.measure()
    print(result["report"].table())
    for miss in result["report"].misses():
        print("  miss:", miss)
    if args.write_docs:
        write_section(understanding.section(UNDERSTANDING, result, "python -m bench --bench understanding"),
                      UNDERSTANDING)
        print(f"wrote {DOCS}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--bench", action="append", choices=BENCHMARKS,
                        help="run this benchmark (repeatable; default: all of them)")
    parser.add_argument("--teachers", type=int, default=10_000, help="scoring: teachers in the program")
    parser.add_argument("--records", type=int, default=1_000_000, help="scoring: records in the program")
    parser.add_argument("--checkins", type=int, default=2_000, help="inbound: check-ins sent at once")
    parser.add_argument("--morning-teachers", dest="teachers_morning", type=int, default=1_000,
                        help="morning: teachers checking in at once")
    parser.add_argument("--spread", type=float, default=3.0, help="morning: seconds over which they arrive")
    parser.add_argument("--groups", type=int, default=1_000, help="fanout: groups the announcement goes to")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="scoring and inbound: one database")
    parser.add_argument("--write-docs", action="store_true", help=f"write the results into {DOCS.name}")
    args = parser.parse_args(argv)
    runners = {"scoring": run_scoring, "inbound": run_inbound, "morning": run_morning, "fanout": run_fanout,
               "understanding": run_understanding}
    for name in dict.fromkeys(args.bench or BENCHMARKS):
        runners[name](args)


if __name__ == "__main__":
    main()
