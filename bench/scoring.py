"""Scoring recompute: a program of `teachers` teachers with `records` records, scored from SQL aggregates.

Setup (schema and generated data) is timed and reported but is not the subject. Measured in a
fresh process once the data is there, each the best of 3 runs after a warm-up:

- recompute: `standings()` for every teacher, what /scores, announcements and exports run;
- reference: the cheapest query that must read every record (GROUP BY member_id, kind);
- naive: per teacher, load its records, hours lines and marks as ORM objects and count in Python,
  on a sample of teachers, extrapolated to all of them.
"""

from __future__ import annotations

import asyncio
import random
import resource
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from time import perf_counter

from sqlalchemy import event, insert, select, text

from bot.services.scores import current_period, rules_of, standings
from bot.domain.scoring import Activity, score
from bot.domain.policy import Policy
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import HoursLine, Member, MemberRole, Record, School, StudyGroup, TrainingMark, Workshop
from storage.repositories import Repositories

TODAY = date(2026, 12, 2)  # mid-semester: September to November are due
NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
ON_ROSTER = datetime(2026, 8, 20, 1, 0, tzinfo=UTC)  # before the semester: every teacher owes all of it
SCHOOLS, WORKSHOPS, GROUP_SIZE, HOURS_LINES = 50, 10, 8, 10
CHUNK, RUNS, SAMPLE = 20_000, 3, 100
KINDS = (("reflection", 0.45), ("case", 0.80), ("observation", 1.0))  # cumulative shares
_TEXT = ("本节课围绕“分数的初步认识”展开，学生通过折纸、涂色等操作活动体会平均分的含义。课堂上小组合作较充分，"
         "但部分学生在表述时仍依赖教师提示，说明概念的语言化还不够。下次将增加学生独立表达的机会，并设计分层练习，"
         "关注后进生的操作过程。听课教师建议在导入环节使用生活情境，例如分月饼、分披萨，让学生自己提出问题。")
BODIES = [(_TEXT * 3)[:n] for n in (110, 150, 190, 240, 300)]
_SCAN = "SELECT member_id, kind, count(*) FROM records {} GROUP BY member_id, kind"
REFERENCE = {"postgresql": _SCAN.format(""),
             "sqlite": _SCAN.format("NOT INDEXED")}  # else SQLite walks ix_records_member_id, ~3× slower


def _records(teachers: int, count: int, rng: random.Random):
    semester = Policy().semester
    days = [semester.start + timedelta(d) for d in range((semester.end - semester.start).days + 1)]
    noon = [datetime.combine(d, time(4), UTC) for d in days]  # 12:00 in Beijing
    writers = max(1, teachers * 95 // 100)  # the last 5% write nothing: their scores list what is missing
    for i in range(1, count + 1):
        roll, d = rng.random(), rng.randrange(len(days))
        kind = next(name for name, share in KINDS if roll < share)
        member, observed = rng.randint(1, writers), kind == "observation"
        yield {
            "member_id": member, "kind": kind, "day": days[d], "title": f"{kind} {i}",
            "body": BODIES[i % len(BODIES)], "attachments": [],
            "observed_member_id": member % teachers + 1 if observed else None,
            "observed_name": f"教师{member % teachers + 1}" if observed else "",
            "observed_on": days[d] if observed else None, "class_subject": "数学" if observed else "",
            "platform": "telegram", "chat_id": str(-100 - member % SCHOOLS), "message_id": str(i),
            "created_at": noon[d], "updated_at": noon[d],
            "withdrawn_at": noon[d] if rng.random() < 0.02 else None,
        }


def _hours(teachers: int, rng: random.Random):
    start = Policy().semester.start
    for member in range(1, teachers + 1):
        for k in range(HOURS_LINES):
            minutes = 45 * rng.randint(1, 5)
            yield {"member_id": member, "day": start + timedelta(days=k * 9 + rng.randrange(9)),
                   "category": "online" if k >= 8 else "school", "minutes": minutes,
                   "hours": round(minutes / 45, 2), "source": f"session:{k}" if k >= 8 else f"training:{k}",
                   "description": "校本研修", "created_at": NOW}


def _marks(teachers: int, rng: random.Random):
    for t, day in enumerate((date(2026, 9, 18), date(2026, 10, 23), date(2026, 11, 20))):
        for member in rng.sample(range(1, teachers + 1), teachers * 3 // 100):
            yield {"member_id": member, "title": f"专题培训{t + 1}", "day": day,
                   "mark": "unqualified" if rng.random() < 0.3 else "excellent", "created_at": NOW}


async def _insert(engine, model, rows) -> int:
    rows, total = iter(rows), 0
    while chunk := list(islice(rows, CHUNK)):
        async with engine.begin() as connection:
            await connection.execute(insert(model.__table__), chunk)
        total += len(chunk)
    return total


def _loader(url: str):
    """An engine for the bulk load only: on SQLite a page cache that holds the indexes being built."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine.sync_engine, "connect")
        def _bulk_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA cache_size=-524288")  # 512 MiB
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.close()
    return engine


def _program(teachers: int, records: int, rng: random.Random):
    """(model, rows) in the order the foreign keys need."""
    yield School, ({"id": i, "name": f"第{i}中学", "role": "base" if i == 1 else "partner", "created_at": NOW}
                   for i in range(1, SCHOOLS + 1))
    yield Workshop, ({"id": i, "name": f"工作坊{i}", "subject": "数学", "created_at": NOW}
                     for i in range(1, WORKSHOPS + 1))
    yield StudyGroup, ({"id": g, "name": f"小组{g}", "workshop_id": g % WORKSHOPS + 1, "created_at": NOW}
                       for g in range(1, -(-teachers // GROUP_SIZE) + 1))
    yield Member, ({"id": i, "name": f"教师{i}", "school_id": i % SCHOOLS + 1, "subject": "数学",
                    "group_id": (i - 1) // GROUP_SIZE + 1, "workshop_id": ((i - 1) // GROUP_SIZE + 1) % WORKSHOPS + 1,
                    "created_at": ON_ROSTER, "updated_at": ON_ROSTER} for i in range(1, teachers + 1))
    yield MemberRole, ({"member_id": i, "role": "teacher", "granted_at": NOW} for i in range(1, teachers + 1))
    yield Record, _records(teachers, records, rng)
    yield HoursLine, _hours(teachers, rng)
    yield TrainingMark, _marks(teachers, rng)


async def generate(url: str, teachers: int, records: int) -> dict[str, int]:
    """A program on a fresh schema; row counts per table."""
    engine = _loader(url)
    try:
        await upgrade(engine)
        counts = {model.__tablename__: await _insert(engine, model, rows)
                  for model, rows in _program(teachers, records, random.Random(2026))}
        if engine.dialect.name == "postgresql":  # what autovacuum soon does on its own after a bulk load
            async with engine.connect() as connection:
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text("VACUUM ANALYZE"))
    finally:
        await engine.dispose()
    return counts


async def recompute(factory) -> list:
    async with factory() as session:
        return await standings(Repositories(session), Policy(), TODAY)


async def reference(factory) -> list:
    async with factory() as session:
        return (await session.execute(text(REFERENCE[session.bind.dialect.name]))).all()


async def naive(factory, sample: list[int]) -> dict[int, float]:
    """The row-by-row way, for contrast: points per sampled teacher."""
    policy = Policy()
    period, rules = current_period(policy, TODAY), rules_of(policy)
    points = {}
    async with factory() as session:
        for member_id in sample:
            records = (await session.scalars(select(Record).where(Record.member_id == member_id))).all()
            lines = (await session.scalars(select(HoursLine).where(HoursLine.member_id == member_id))).all()
            marks = (await session.scalars(select(TrainingMark).where(TrainingMark.member_id == member_id))).all()
            inside = lambda row: period.first <= row.day <= period.last
            counted = Counter((r.kind, (r.day.year, r.day.month)) for r in records
                              if r.withdrawn_at is None and inside(r))
            hours = Counter()
            for line in filter(inside, lines):
                hours[line.category] += line.hours
            activity = Activity(
                member_id, school_based_hours=hours["school"], online_hours=hours["online"],
                reflections={m: n for (k, m), n in counted.items() if k == "reflection"},
                cases={m: n for (k, m), n in counted.items() if k == "case"},
                observations=sum(n for (k, _), n in counted.items() if k == "observation"),
                marks=tuple(mark.mark for mark in marks if inside(mark)),
            )
            points[member_id] = score(activity, rules, months=period.months, hours_share=period.hours_share,
                                      observations_due=period.final).points
    return points


async def best_of(work) -> tuple[float, object]:
    """Seconds of the fastest of RUNS runs after one warm-up, and what the last run returned."""
    result, times = await work(), []
    for _ in range(RUNS):
        started = perf_counter()
        result = await work()
        times.append(perf_counter() - started)
    return min(times), result


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


async def _measure(database: str, url: str, teachers: int, records: int) -> dict:
    engine = make_engine(url)  # as the bot makes it
    factory = make_session_factory(engine)
    try:
        async with engine.connect() as connection:
            version = await connection.scalar(text(
                "SHOW server_version" if database == "postgresql" else "SELECT sqlite_version()"))
        recompute_s, scores = await best_of(lambda: recompute(factory))
        rss = _peak_mb()
        assert len(scores) == teachers, f"{len(scores)} scores for {teachers} teachers"
        reference_s, groups = await best_of(lambda: reference(factory))
        assert sum(count for *_, count in groups) == records
        sample = list(range(1, teachers + 1, max(1, teachers // SAMPLE)))[:SAMPLE]
        naive_s, naive_points = await best_of(lambda: naive(factory, sample))
        points = {s.who.member_id: s.score.points for s in scores}
        assert naive_points == {m: points[m] for m in sample}, "the naive way scores differently"
    finally:
        await engine.dispose()
    return {
        "database": database, "version": version.split()[0], "recompute": recompute_s, "reference": reference_s,
        "naive": naive_s * teachers / len(sample), "sample": len(sample), "rss": rss, "scores": len(scores),
    }


def setup(database: str, url: str, teachers: int, records: int) -> dict:
    """Generate the program; run it in its own process, so the load does not count in `measure`'s RSS."""
    started = perf_counter()
    counts = asyncio.run(generate(url, teachers, records))
    return {"counts": counts, "setup": perf_counter() - started}


def measure(database: str, url: str, teachers: int, records: int) -> dict:
    """Measure a generated program; run it in a fresh process: peak RSS is per process."""
    return asyncio.run(_measure(database, url, teachers, records))


def table(results: list[dict]) -> str:
    head = ("| database | setup s | recompute s | reference s | recompute / reference "
            "| naive s (extrapolated) | naive / recompute | peak RSS MB | scores |")
    rows = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for r in results:
        rows.append(
            f"| {r['database']} {r['version']} | {r['setup']:.1f} | {r['recompute']:.2f} | {r['reference']:.2f} "
            f"| {r['recompute'] / r['reference']:.1f}× | {r['naive']:.1f} | {r['naive'] / r['recompute']:.1f}× "
            f"| {r['rss']:.0f} | {r['scores']:,} |")
    return "\n".join(rows)
