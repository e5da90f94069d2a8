"""Several programs in one deployment: a 培育站 (seed 000) and a 校本 program (seed 003) side by side,
one bot account in both programs' groups, each program its own policy and its own database.

Messages go in through the deployment (the program switch) and out of a memory adapter; what is
stored is read from each program's database."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.adapters.memory import MemoryAdapter
from bot.kernel.clock import FixedClock
from bot.kernel.messages import ChatKind, ChatRef, IncomingMessage, Sender
from bot.ops.config import Settings
from bot.ops.deployment import Deployment, build_deployment
from storage.models import Account, ChatBinding, CheckIn, Record
from tests.support.roster import enrol

ROOT = Path(__file__).resolve().parents[2]
PEIYUZHAN, XIAOBEN = "城关培育站", "射县实验小学校本培训"
SCHOOL = "城关小学"
REFLECTION = ("反思：今天的课堂上我尝试了小组合作学习，学生讨论热烈，但有的小组偏离了主题，"
              "下次要把任务说得更具体，并且在巡视时及时提醒。")
GROUP_A, GROUP_B = "group-a", "group-b"


def programs_file(folder: Path, extra: str = "") -> Path:
    """Two programs with the example policies, copied beside the file (paths are relative to it)."""
    (folder / "policies").mkdir(exist_ok=True)
    for name in ("peiyuzhan.toml", "xiaoben.toml"):
        shutil.copy(ROOT / "deploy" / "policies" / name, folder / "policies" / name)
    path = folder / "programs.toml"
    path.write_text(f"""
[[programs]]
key = "chengguan"
name = "{PEIYUZHAN}"
policy = "policies/peiyuzhan.toml"

[[programs]]
key = "shexian"
policy = "policies/xiaoben.toml"
{extra}""", encoding="utf-8")
    return path


class Chats:
    """Messages into a deployment; the texts it answered with."""

    def __init__(self, deployment: Deployment, adapter: MemoryAdapter, clock: FixedClock) -> None:
        self.deployment, self.adapter, self.clock = deployment, adapter, clock

    async def say(self, text: str, *, user: str, chat: str | None = None, message_id: str | None = None) -> list[str]:
        kind = ChatKind.GROUP if chat else ChatKind.PRIVATE
        message = IncomingMessage(
            chat=ChatRef(self.adapter.platform, chat or user, kind, "研修群" if chat else ""),
            sender=Sender(user, user), message_id=message_id or uuid.uuid4().hex[:12], text=text,
            sent_at=self.clock.now())
        before = len(self.adapter.sent)
        await self.deployment.handle(message)
        await self.deployment.settle()
        return [sent.text for sent in self.adapter.sent[before:]]

    async def one(self, text: str, **where) -> str:
        replies = await self.say(text, **where)
        assert len(replies) == 1, replies
        return replies[0]

    def program(self, key: str):
        return next(app for app in self.deployment.apps if app.program.key == key)

    async def rows(self, key: str, model) -> list:
        async with self.program(key).session_factory() as session:
            return list(await session.scalars(select(model)))

    async def enrol(self, key: str, name: str, account: str | None, roles=("teacher",)) -> int:
        named = (self.adapter.platform, account) if account else None
        return await enrol(self.program(key).session_factory, name, SCHOOL, self.clock.now(), roles, account=named)


@pytest.fixture
async def two(tmp_path, clock) -> AsyncIterator[Chats]:
    settings = Settings(_env_file=None, platform="console", database_url=f"sqlite+aiosqlite:///{tmp_path / 'yanxiu.db'}",
                        programs=programs_file(tmp_path), files_dir=tmp_path / "files")
    adapter = MemoryAdapter()
    deployment = build_deployment(settings, adapter, clock=clock)
    await deployment.prepare()
    try:
        yield Chats(deployment, adapter, clock)
    finally:
        await deployment.close()


async def test_each_group_is_served_by_the_program_it_is_bound_in(two, tmp_path):
    # one coordinator and one teacher, the same chat accounts, on both programs' rosters
    for key in ("chengguan", "shexian"):
        await two.enrol(key, "教研员", "coord", roles=("coordinator",))
        await two.enrol(key, "王芳", "wang")
    assert [app.program.database_url.rsplit("/", 1)[1] for app in two.deployment.apps] == [
        "yanxiu.db", "yanxiu-shexian.db"]
    assert two.program("shexian").program.name == XIAOBEN  # the policy's own name when the file gives none

    # an unbound group without a choice goes to the first program; group B chooses the second
    assert "绑定到整个项目" in await two.one("/bind program", user="coord", chat=GROUP_A)
    assert XIAOBEN in await two.one("/program shexian", user="coord", chat=GROUP_B)
    assert "绑定到整个项目" in await two.one("/bind program", user="coord", chat=GROUP_B)
    assert [b.chat_id for b in await two.rows("chengguan", ChatBinding)] == [GROUP_A]
    assert [b.chat_id for b in await two.rows("shexian", ChatBinding)] == [GROUP_B]

    # a bound group cannot be moved to another program by /program
    refused = await two.one("/program chengguan", user="coord", chat=GROUP_B)
    assert refused == f"本群已绑定到“{XIAOBEN}”，请先在本群发送 /unbind 解除绑定，再选择其他项目。"
    listing = await two.one("/program", user="wang", chat=GROUP_B)
    assert f"2. {XIAOBEN}（代号 shexian） ← 本群使用（本群已绑定）" in listing
    assert f"1. {PEIYUZHAN}（代号 chengguan）\n" in listing

    # a reflection in group A is stored in the 培育站's database only, and judged by its policy
    in_a = await two.say(REFLECTION, user="wang", chat=GROUP_A)
    assert len(await two.rows("chengguan", Record)) == 1 and await two.rows("shexian", Record) == []
    in_b = await two.say(REFLECTION, user="wang", chat=GROUP_B)
    assert len(await two.rows("shexian", Record)) == 1
    # 培育站 asks no monthly reflection; 校本 asks one a month
    assert in_a == ["已记录 #1：11月第1篇教学反思（本月不作要求）"]
    assert in_b == ["已记录 #1：11月第1篇教学反思（本月要求1篇，已完成）"]
    # hours credited in group B are the 校本 program's
    assert "3" in await two.one("/credit 3 王芳 | 集体备课", user="coord", chat=GROUP_B)

    # in private the person is asked first, then /score follows /program
    asked = await two.one("/score", user="wang")
    assert asked.startswith("您在 2 个项目中都已登记") and PEIYUZHAN in asked and XIAOBEN in asked
    assert "项目" in await two.one("/program", user="wang")
    assert XIAOBEN in await two.one("/program shexian", user="wang")
    score_b = await two.one("/score", user="wang")
    assert XIAOBEN in await two.one("/program", user="wang") and "您的私聊使用" in await two.one("项目", user="wang")
    assert PEIYUZHAN in await two.one("/program 1", user="wang")
    score_a = await two.one("/score", user="wang")
    assert "校本 3" in score_b and "校本 0" in score_a, (score_a, score_b)


async def test_private_routing_for_people_in_one_program_and_for_newcomers(two):
    await two.enrol("shexian", "李明", "li")
    await two.enrol("shexian", "赵丽", None)
    # linked (through the roster) in the second program only: goes there without choosing
    assert "李明" in await two.one("/me", user="li")
    assert [a.user_id for a in await two.rows("shexian", Account)] == ["li"]
    # someone unknown joins the program whose roster has her at that school
    await two.say(f"/join 赵丽 {SCHOOL}", user="zhao")
    assert await two.rows("chengguan", Account) == []
    from storage.models import JoinRequest
    assert [r.name for r in await two.rows("shexian", JoinRequest)] == ["赵丽"]
    # a person linked only in the second program cannot pick the first
    refused = await two.one(f"/program {PEIYUZHAN}", user="li")
    assert refused.startswith(f"您没有在“{PEIYUZHAN}”登记")
    # an unknown program is named back with the real ones
    assert "没有名为“县城”的项目" in await two.one("/program 县城", user="li")
    # a platform's redelivery of /program is not answered twice
    assert len(await two.say("/program", user="li", message_id="m-1")) == 1
    assert await two.say("/program", user="li", message_id="m-1") == []


async def test_a_database_that_fails_gets_a_polite_answer(two):
    """The switch reads the first program's database for choices: when it cannot, the sender gets
    the usual apology with an error id, not silence and not a traceback."""
    two.program("chengguan").session_factory = lambda: (_ for _ in ()).throw(ConnectionError("down"))
    [answer] = await two.say("/score", user="someone")
    assert "出了点问题" in answer and "Traceback" not in answer


async def test_one_program_deployment_answers_program_without_the_switch(tmp_path, clock):
    settings = Settings(_env_file=None, platform="console", database_url=f"sqlite+aiosqlite:///{tmp_path / 'one.db'}",
                        files_dir=tmp_path / "files")
    adapter = MemoryAdapter()
    deployment = build_deployment(settings, adapter, clock=clock)
    await deployment.prepare()
    try:
        assert deployment.switch is None
        assert deployment.on_message == deployment.first.dispatcher.handle
        chats = Chats(deployment, adapter, clock)
        assert await chats.one("/program", user="u1") == "本部署只运行一个项目：教师研修项目。"
        assert await chats.one("项目", user="u1", chat="g") == "本部署只运行一个项目：教师研修项目。"
        assert await chats.say("项目组今天开会", user="u1", chat="g") == []
    finally:
        await deployment.close()


async def test_a_checkin_in_a_known_group_costs_the_switch_no_statement(two):
    """After the first message of a group, the switch answers from memory: a check-in is the
    serving program's own transaction and nothing at all on the other database."""
    from tests.kernel.test_inbound_statements import counting

    await two.enrol("shexian", "王芳", "wang")
    await two.one("/program shexian", user="wang", chat=GROUP_B)
    await two.say("签到", user="wang", chat=GROUP_B)  # links the roster account; the group is now known
    two.clock.advance(days=1)
    first, second = two.program("chengguan"), two.program("shexian")
    with counting(first.engine) as other, counting(second.engine) as own:
        await two.say("签到", user="wang", chat=GROUP_B)
    assert other.sql == [], other.sql
    assert not any("chat_bindings" in sql or "program_choices" in sql for sql in own.sql), own.sql
    assert len(await two.rows("shexian", CheckIn)) == 2


async def test_health_checks_every_programs_database(two):
    from bot.ops.health import HealthServer

    databases = {app.program.key: app.session_factory for app in two.deployment.apps}
    assert await HealthServer(databases).check_database() is None
    broken = dict(databases, shexian=lambda: (_ for _ in ()).throw(ConnectionError("down")))
    assert await HealthServer(broken, db_timeout=0.5).check_database() == "shexian: ConnectionError"
