"""The activities repository on SQLite and PostgreSQL: one mark per person and activity, marks taken
back, a unit's members with their roles, and activities found by status and time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Activity, Member, StudyGroup
from storage.repositories import Repositories

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


async def test_rolls_and_units_round_trip(database_url):
    engine = make_engine(database_url)
    try:
        await upgrade(engine)
        factory = make_session_factory(engine)
        async with factory() as session, session.begin():
            uow = Repositories(session)
            school, _ = await uow.schools.get_or_create("紫阳县第二小学", NOW)
            group = await uow.groups.add(StudyGroup(name="第一组", created_at=NOW))
            members = []
            for name, roles in (("王组长", ("teacher", "leader")), ("甲老师", ("teacher",)), ("乙老师", ("teacher",))):
                members.append(await uow.members.add(
                    Member(name=name, school_id=school.id, group_id=group.id, created_at=NOW, updated_at=NOW),
                    roles=roles))
            activity = await uow.activities.add(Activity(
                kind="集体备课", unit_kind="group", unit_id=group.id, host_member_id=members[0].id,
                planned_start=NOW, planned_minutes=90, topic="秋天的雨", place="", status="running",
                created_at=NOW, updated_at=NOW, verdict={"absent": [members[2].id]}))
            assert await uow.activities.mark(activity.id, members[1].id, NOW, "self")
            assert not await uow.activities.mark(activity.id, members[1].id, NOW + timedelta(minutes=5), "王组长")
            assert await uow.activities.mark(activity.id, members[2].id, NOW, "王组长")
            assert await uow.activities.unmark(activity.id, members[2].id)
            assert not await uow.activities.unmark(activity.id, members[2].id)
        async with factory() as session:
            uow = Repositories(session)
            assert await uow.activities.arrivals(activity.id) == {members[1].id: NOW}
            unit = await uow.activities.unit_members("group", group.id)
            assert [(m.name, roles) for m, roles in unit] == [
                ("王组长", frozenset({"teacher", "leader"})), ("甲老师", frozenset({"teacher"})),
                ("乙老师", frozenset({"teacher"}))]
            assert len(await uow.activities.unit_members("program", None)) == 3
            assert [a.id for a in await uow.activities.with_status("running")] == [activity.id]
            found = await uow.activities.between(NOW, NOW + timedelta(hours=1), "running")
            assert [a.verdict for a in found] == [{"absent": [members[2].id]}]
            assert await uow.activities.between(NOW + timedelta(minutes=1), NOW + timedelta(hours=1)) == []
    finally:
        await engine.dispose()
