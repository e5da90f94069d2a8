"""Several programs behind real platform paths: the console from a script, Telegram through
python-telegram-bot against the fake Bot API, and two PostgreSQL databases."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.adapters.memory import MemoryAdapter
from bot.ops.config import Settings
from bot.ops.deployment import build_deployment
from bot.ops.platforms import telegram_adapter
from storage.migrate import upgrade
from storage.models import ChatBinding, CheckIn, Record
from tests.e2e.test_telegram import api, say  # noqa: F401 - the fake Bot API fixture
from tests.programs.test_deployment import REFLECTION, SCHOOL, XIAOBEN, Chats, programs_file
from tests.support.roster import enrol
from tests.test_config_cli import run_cli

GROUP_A, GROUP_B, WANG, COORD = -100111, -100222, 501, 900


async def rows(app, model) -> list:
    async with app.session_factory() as session:
        return list(await session.scalars(select(model)))


def test_console_with_two_programs(tmp_path):
    script = "\n".join([
        "/program",
        ":as coordinator 教研室",
        "/program shexian",
        f"/school add {SCHOOL} 基地校",
        f"/bind school {SCHOOL}",
        "/program chengguan",
        ":private",
        "/program",
    ]) + "\n"
    result = run_cli("console", stdin=script, cwd=tmp_path,
                     env={"YANXIU_PROGRAMS": str(programs_file(tmp_path))})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "本部署运行 2 个项目：\n1. 城关培育站（代号 chengguan） ← 本群使用" in out
    assert f"本群的消息今后交给“{XIAOBEN}”处理" in out
    assert f"已将本群绑定到学校“{SCHOOL}”" in out
    assert f"本群已绑定到“{XIAOBEN}”，请先在本群发送 /unbind" in out
    assert (tmp_path / "yanxiu.db").exists() and (tmp_path / "yanxiu-shexian.db").exists()


async def test_telegram_groups_of_two_programs(api, tmp_path):  # noqa: F811
    config = Settings(_env_file=None, telegram_token=api.token, telegram_base_url=api.base_url,
                      database_url=f"sqlite+aiosqlite:///{tmp_path / 'yanxiu.db'}", programs=programs_file(tmp_path),
                      files_dir=tmp_path / "files")
    adapter = telegram_adapter(config)
    adapter.poll_timeout = 1
    deployment = build_deployment(config, adapter)
    await deployment.prepare()
    first, second = deployment.apps
    for app in deployment.apps:
        now = datetime.now(UTC)
        await enrol(app.session_factory, "教研员", SCHOOL, now, ("coordinator",), account=("telegram", str(COORD)))
        await enrol(app.session_factory, "王芳", SCHOOL, now, account=("telegram", str(WANG)))
    task = asyncio.create_task(deployment.run())
    try:
        await asyncio.sleep(0.2)
        assert "绑定到整个项目" in (await say(api, "/bind program", user=COORD, chat=GROUP_A))[0]
        assert XIAOBEN in (await say(api, "/program shexian", user=COORD, chat=GROUP_B))[0]
        assert "绑定到整个项目" in (await say(api, "/bind program", user=COORD, chat=GROUP_B))[0]
        await say(api, "签到", user=WANG, chat=GROUP_A)
        await say(api, REFLECTION, user=WANG, chat=GROUP_B)
        [asked] = await say(api, "/score", user=WANG, chat=WANG)
        assert asked.startswith("您在 2 个项目中都已登记")
        assert [b.chat_id for b in await rows(first, ChatBinding)] == [str(GROUP_A)]
        assert [b.chat_id for b in await rows(second, ChatBinding)] == [str(GROUP_B)]
        assert len(await rows(first, CheckIn)) == 1 and await rows(second, CheckIn) == []
        assert await rows(first, Record) == [] and len(await rows(second, Record)) == 1
    finally:
        await adapter.stop()
        await asyncio.wait_for(task, 15)
        await deployment.close()


@pytest.mark.postgres
async def test_two_programs_on_two_postgresql_databases(postgres_server, tmp_path, clock):
    names = [f"t_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    first_url, second_url = [await postgres_server.create_database(name) for name in names]
    try:
        settings = Settings(_env_file=None, platform="console", database_url=first_url, files_dir=tmp_path / "files",
                            programs=programs_file(tmp_path, f'database_url = "{second_url}"\n'))
        adapter = MemoryAdapter()
        deployment = build_deployment(settings, adapter, clock=clock)
        for app in deployment.apps:
            await upgrade(app.engine)
        await deployment.prepare()
        try:
            chats = Chats(deployment, adapter, clock)
            for key in ("chengguan", "shexian"):
                await chats.enrol(key, "教研员", "coord", roles=("coordinator",))
                await chats.enrol(key, "王芳", "wang")
            await chats.one("/program 2", user="coord", chat="group-b")
            await chats.one("/bind program", user="coord", chat="group-b")
            assert await chats.say(REFLECTION, user="wang", chat="group-b") == [
                "已记录 #1：11月第1篇教学反思（本月要求1篇，已完成）"]
            assert len(await chats.rows("shexian", Record)) == 1 and await chats.rows("chengguan", Record) == []
            assert "您的私聊使用" in await chats.one("/program shexian", user="wang") + await chats.one(
                "/program", user="wang")
        finally:
            await deployment.close()
    finally:
        for name in names:
            await postgres_server.drop_database(name)
