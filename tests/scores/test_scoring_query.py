"""The scoring aggregate on SQLite and PostgreSQL: records counted by their stored month key, only
the days of the period, withdrawn ones never; the month key follows the day on every insert path."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import column, insert, select, table

from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Member, Record, RecordMonthCount, School
from storage.repositories import Repositories

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _record(number: int, kind: str, day: date, withdrawn: bool = False) -> dict:
    return {"member_id": 1, "kind": kind, "day": day, "title": "", "body": "", "attachments": [],
            "observed_name": "", "class_subject": "", "platform": "t", "chat_id": "c", "message_id": str(number),
            "created_at": NOW, "updated_at": NOW, "withdrawn_at": NOW if withdrawn else None}


async def test_counts_use_the_month_key_and_only_the_periods_days(database_url):
    engine = make_engine(database_url)
    try:
        await upgrade(engine)
        async with engine.begin() as connection:
            await connection.execute(insert(School.__table__), [{"id": 1, "name": "一中", "created_at": NOW}])
            await connection.execute(insert(Member.__table__), [
                {"id": 1, "name": "王芳", "school_id": 1, "created_at": NOW, "updated_at": NOW}])
            await connection.execute(insert(Record.__table__), [  # Core insert: the column default fills the key
                _record(1, "reflection", date(2026, 9, 3)),   # before the period's first day
                _record(2, "reflection", date(2026, 9, 10)),
                _record(3, "reflection", date(2026, 10, 31)),
                _record(4, "reflection", date(2026, 10, 8), withdrawn=True),
                _record(5, "case", date(2026, 11, 20)),       # after the period's last day
                _record(6, "observation", date(2026, 11, 2)),
                _record(7, "observation", date(2026, 9, 30)),
            ])
        factory = make_session_factory(engine)
        async with factory() as session, session.begin():
            session.add(Record(**_record(8, "case", date(2026, 10, 1))))  # ORM: the validator fills the key
        async with factory() as session:
            keys = dict((await session.execute(select(Record.message_id, Record.month_key))).all())
            activity = (await Repositories(session).scores.activities("", date(2026, 9, 5), date(2026, 11, 15)))[1]
        assert keys == {"1": 202609, "2": 202609, "3": 202610, "4": 202610, "5": 202611, "6": 202611,
                        "7": 202609, "8": 202610}
        assert dict(activity.reflections) == {(2026, 9): 1, (2026, 10): 1}
        assert dict(activity.cases) == {(2026, 10): 1}
        assert activity.observations == 2
    finally:
        await engine.dispose()


async def test_the_migration_gives_existing_records_their_month_key(database_url):
    engine = make_engine(database_url)
    try:
        await upgrade(engine, "0006")  # the revision before the month key
        async with engine.begin() as connection:
            await connection.execute(insert(School.__table__), [{"id": 1, "name": "一中", "created_at": NOW}])
            await connection.execute(insert(Member.__table__), [
                {"id": 1, "name": "王芳", "school_id": 1, "created_at": NOW, "updated_at": NOW}])
            before = table("records", *[column(c.name, c.type) for c in Record.__table__.c if c.name != "month_key"])
            await connection.execute(insert(before), [_record(1, "reflection", date(2026, 12, 31)),
                                                      _record(2, "case", date(2027, 1, 1))])
        await upgrade(engine)
        async with engine.connect() as connection:
            keys = dict((await connection.execute(select(Record.message_id, Record.month_key))).all())
        assert keys == {"1": 202612, "2": 202701}
    finally:
        await engine.dispose()



async def _counts(factory) -> dict[tuple[str, int], int]:
    async with factory() as session:
        rows = (await session.execute(select(RecordMonthCount.kind, RecordMonthCount.month_key,
                                             RecordMonthCount.records))).all()
    return {(kind, month): count for kind, month, count in rows if count}


async def test_the_month_counts_follow_every_change_to_the_records(database_url):
    """Scoring reads record_month_counts; the database's triggers keep it equal to counting the records."""
    engine = make_engine(database_url)
    try:
        await upgrade(engine, "0009")  # records written before the counts existed are counted by the migration
        async with engine.begin() as connection:
            await connection.execute(insert(School.__table__), [{"id": 1, "name": "一中", "created_at": NOW}])
            await connection.execute(insert(Member.__table__), [
                {"id": i, "name": f"教师{i}", "school_id": 1, "created_at": NOW, "updated_at": NOW} for i in (1, 2)])
            await connection.execute(insert(Record.__table__), [
                _record(1, "reflection", date(2026, 9, 10)), _record(2, "case", date(2026, 9, 11), withdrawn=True)])
        await upgrade(engine)
        factory = make_session_factory(engine)
        assert await _counts(factory) == {("reflection", 202609): 1}
        async with factory() as session, session.begin():
            session.add_all([Record(**_record(3, "reflection", date(2026, 9, 20))),
                             Record(**_record(4, "case", date(2026, 10, 2)))])
        assert await _counts(factory) == {("reflection", 202609): 2, ("case", 202610): 1}
        async with factory() as session, session.begin():
            records = {r.message_id: r for r in (await session.scalars(select(Record))).all()}
            records["1"].withdrawn_at = NOW          # withdrawn: no longer counted
            records["2"].withdrawn_at = None         # restored: counted again
            records["3"].day = date(2026, 10, 5)     # moved to another month
            records["4"].kind = "reflection"         # re-filed as another kind
        assert await _counts(factory) == {("case", 202609): 1, ("reflection", 202610): 2}
        async with factory() as session, session.begin():
            await session.delete(await session.get(Record, records["3"].id))
        assert await _counts(factory) == {("case", 202609): 1, ("reflection", 202610): 1}
        async with factory() as session, session.begin():
            record = await session.get(Record, records["4"].id)
            record.member_id = 2                     # moved to another teacher
        async with factory() as session:
            activities = await Repositories(session).scores.activities("", date(2026, 9, 1), date(2026, 10, 31))
        assert dict(activities[1].cases) == {(2026, 9): 1} and dict(activities[1].reflections) == {}
        assert dict(activities[2].reflections) == {(2026, 10): 1}
    finally:
        await engine.dispose()
