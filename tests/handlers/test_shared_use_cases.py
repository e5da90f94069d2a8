"""Chat commands and the `yanxiu` command line run the same use cases: `/bind` and `yanxiu bind`,
a roster file sent in chat and `yanxiu roster import` refuse the same things and audit alike."""

from __future__ import annotations

import asyncio

from storage.models import AuditEntry, ChatBinding
from tests.conftest import open_chat
from tests.handlers.test_people import make_coordinator
from tests.handlers.test_roster_import import CSV, import_dry_run
from tests.test_config_cli import run_cli


async def cli(tmp_path, url: str, *args: str):
    """`yanxiu …` as a separate process on the chat's database."""
    return await asyncio.to_thread(run_cli, *args, env={"YANXIU_DATABASE_URL": url}, cwd=tmp_path)


async def test_bind_in_chat_and_on_the_command_line_refuse_archived_units_and_audit_alike(tmp_path, clock):
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    async with open_chat(url, clock) as chat:
        await make_coordinator(chat)
        await chat.one("/school add 旧校区 基地校", user="coord")
        await chat.one("/school archive 旧校区", user="coord")
        assert "没有找到学校“旧校区”" in await chat.one("/bind school 旧校区", user="coord")
        refused = await cli(tmp_path, url, "bind", "robot:旧校区", "school", "旧校区", "--platform", "wecom")
        assert refused.returncode == 2 and "没有找到学校“旧校区”" in refused.stderr
        assert await chat.rows(ChatBinding) == []

        assert "已将本群绑定到学校" in await chat.one("/bind school 紫阳县第二小学", user="coord")
        bound = await cli(tmp_path, url, "bind", "robot:二小", "school", "紫阳县第二小学", "--platform", "wecom")
        assert bound.returncode == 0, bound.stderr
        rebound = await cli(tmp_path, url, "bind", "robot:二小", "program", "--platform", "wecom")
        assert rebound.returncode == 0, rebound.stderr
        by_chat, by_cli, by_cli_again = [e for e in await chat.rows(AuditEntry) if e.action == "chat.bind"]
        assert by_chat.after == by_cli.after == {"scope": "school", "name": "紫阳县第二小学"}
        assert by_chat.target == "memory:group-1 校本研修群" and by_cli.target == "wecom:robot:二小"
        assert by_cli_again.before == {"scope": "school", "name": "紫阳县第二小学"}
        assert by_cli_again.after == {"scope": "program", "name": ""}
        assert by_chat.actor.startswith("教研室 (memory:coord)") and by_cli.actor.startswith("cli:")
        assert by_chat.at == clock.now(), "the chat path takes the dispatcher's clock"
        assert abs((by_cli.at - by_cli_again.at).total_seconds()) < 60


async def test_roster_import_in_chat_and_on_the_command_line_plan_and_audit_alike(tmp_path, clock):
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    (tmp_path / "名单.csv").write_bytes(CSV)
    async with open_chat(url, clock) as chat:
        await make_coordinator(chat)
        report = await import_dry_run(chat)
        dry = await cli(tmp_path, url, "roster", "import", "名单.csv", "--dry-run")
        assert dry.returncode == 0, dry.stderr
        assert "第5行 钱多：" in report and "第5行 钱多（紫阳中学）" in dry.stdout, \
            "the command line acts as an administrator, a coordinator may not grant 协调员 by file"
        applied = await cli(tmp_path, url, "roster", "import", "名单.csv", "--yes")
        assert applied.returncode == 0, applied.stderr
        assert "名单已导入" in await chat.one("/confirm", user="coord", private=True)
        by_cli, by_chat = [e for e in await chat.rows(AuditEntry) if e.action == "roster.import"]
        assert set(by_cli.after) == set(by_chat.after) == {
            "created", "updated", "rejected", "new_schools", "new_workshops", "new_groups"}
        assert by_cli.target == by_chat.target == "名单.csv"
