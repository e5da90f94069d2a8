"""Who may become whom (issue 14, findings 1 and 5): knowing a name and a school links nothing;
accounts named on the roster link on their first message; one-time codes link once; entries with
coordinator powers link, leave or get codes only on an administrator's word; every link is audited
and a teacher can list the accounts linked to her."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from bot.kernel.messages import ChatKind, ChatRef, IncomingMessage, Sender
from storage.models import Account, AuditEntry, Invitation, JoinRequest, RosterAccount
from tests.conftest import open_chat
from tests.handlers.test_people import make_coordinator
from tests.handlers.test_roster_import import import_dry_run
from tests.test_config_cli import run_cli

SCHOOL = "紫阳县第二小学"


def code_in(reply: str) -> str:
    return next(word for word in reply.replace("：", " ").split() if len(word) == 9 and word[4] == "-")


async def test_a_stranger_cannot_take_over_an_unlinked_coordinator_or_teacher_entry(chat):
    await chat.enrol("教研室", roles=("coordinator",))
    await chat.enrol("王芳")
    for name in ("教研室", "王芳"):
        reply = await chat.one(f"/join {name} {SCHOOL}", user="stranger")
        assert "需要核实身份" in reply and "邀请码" in reply
    assert "请先登记身份" in await chat.one("/pending", user="stranger")
    assert "请先登记身份" in await chat.one("/export", user="stranger", private=True)
    assert await chat.rows(Account) == []
    [request] = await chat.rows(JoinRequest)
    assert request.reason == "needs_code" and request.decided_at is None


async def test_roster_accounts_link_on_their_first_message_without_join(chat):
    await chat.one("/school add 紫阳县第二小学", user="admin")
    roster = f"姓名,学校,Telegram,QQ\n王芳,{SCHOOL},@WangFang,\n李明,{SCHOOL},777001,\n赵强,{SCHOOL},,12345678\n"
    report = await chat.one("/roster import", user="admin", private=True,
                            attachments=_file(chat, roster.encode()))
    assert "将新增3人" in report
    assert "名单已导入" in await chat.one("/confirm", user="admin", private=True)
    assert {(r.platform, r.handle) for r in await chat.rows(RosterAccount)} == {
        ("telegram", "@wangfang"), ("telegram", "777001"), ("onebot", "12345678")}

    chat.adapter.platform = "telegram"
    assert "李明老师签到成功" in await chat.one("签到", user="777001")
    assert "王芳老师签到成功" in (await _say_as(chat, "签到", user_id="5550001", username="wangfang"))[0]
    assert "请先登记身份" in await chat.one("签到", user="12345678"), "a QQ number is no Telegram account"
    assert "请先登记身份" in (await _say_as(chat, "签到", user_id="5550002", username="wangfang_"))[0]
    links = {(a.platform, a.user_id, a.via) for a in await chat.rows(Account)}
    assert links == {("telegram", "777001", "roster"), ("telegram", "5550001", "roster")}
    audit = [e for e in await chat.rows(AuditEntry) if e.action == "join.roster_account"]
    assert {e.after["account"] for e in audit} == {"telegram:777001", "telegram:5550001"}
    assert "@wangfang" in {e.after["roster"] for e in audit}
    again = await _say_as(chat, "签到", user_id="5550003", username="WangFang")
    assert "请先登记身份" in again[0], "a roster account links one account only"


async def test_invitation_codes_link_once_with_the_right_name_and_school(chat):
    await make_coordinator(chat)
    member_id = await chat.enrol("王芳")
    assert "只能在与我的私聊中使用" in await chat.one("/invite 王芳", user="coord")
    old = code_in(await chat.one("/invite 王芳", user="coord", private=True))
    code = code_in(await chat.one(f"/invite #{member_id}", user="coord", private=True))
    assert "邀请码不对" in await chat.one(f"/join 王芳 {SCHOOL} {old}", user="u1"), "a new code replaces the old"
    assert "邀请码不对" in await chat.one(f"/join 李明 {SCHOOL} {code}", user="u1"), "the code is for 王芳 only"
    assert await chat.rows(Account) != [] and len(await chat.rows(Account)) == 1  # the coordinator's
    assert "登记成功：王芳" in await chat.one(f"/join 王芳 {SCHOOL} {code}", user="u1")
    assert "邀请码不对" in await chat.one(f"/join 王芳 {SCHOOL} {code}", user="u2"), "one use only"
    [used] = [i for i in await chat.rows(Invitation) if i.member_id == member_id]
    assert used.used_by == "memory:u1" and code.replace("-", "") not in used.code_hash
    actions = [e.action for e in await chat.rows(AuditEntry)]
    assert actions.count("join.invite") == 2 and "join.code" in actions


async def test_an_invitation_code_expires_and_says_so_only_to_its_owner(chat):
    await make_coordinator(chat)
    member_id = await chat.enrol("王芳")
    handed = await chat.one("/invite 王芳", user="coord", private=True)
    assert "60天内有效" in handed
    chat.clock.set(chat.clock.now() + timedelta(days=60))
    assert "邀请码不对" in await chat.one(f"/join 李明 {SCHOOL} {code_in(handed)}", user="u1"), \
        "someone who does not name its owner learns nothing about the code"
    assert "已过期" in await chat.one(f"/join 王芳 {SCHOOL} {code_in(handed)}", user="u1")
    assert [a.member_id for a in await chat.rows(Account)] != [member_id] and len(await chat.rows(Account)) == 1
    fresh = code_in(await chat.one("/invite 王芳", user="coord", private=True))
    assert "登记成功：王芳" in await chat.one(f"/join 王芳 {SCHOOL} {fresh}", user="u1")


async def test_coordinator_entries_link_only_on_an_administrators_word(chat):
    await make_coordinator(chat)
    other = await chat.enrol("李主任", roles=("coordinator",))
    assert "只有管理员" in await chat.one("/invite 李主任", user="coord", private=True)
    await chat.one(f"/join 李主任 {SCHOOL}", user="stranger")
    assert "只有管理员" in (await chat.say("/approve 1", user="coord"))[0]
    assert "只有管理员" in (await chat.say(f"/approve 1 #{other}", user="coord"))[0]
    assert not [a for a in await chat.rows(Account) if a.user_id == "stranger"]
    replies = await chat.say(f"/approve 1 #{other}", user="admin")
    assert replies[0].startswith("已批准申请 #1")
    [linked] = [a for a in await chat.rows(Account) if a.user_id == "stranger"]
    assert linked.member_id == other and linked.via == "approval"
    assert "只有管理员" in await chat.one("/roster leave 李主任", user="coord")
    assert "只有管理员" in await chat.one("/grant 王芳 协调员", user="coord")
    assert "标记为离开" in await chat.one("/roster leave 李主任", user="admin")


async def test_a_coordinator_cannot_name_an_account_for_a_coordinator_entry_by_file(chat):
    await make_coordinator(chat)
    await chat.enrol("李主任", roles=("coordinator",))
    await chat.enrol("王芳")
    roster = f"姓名,学校,Telegram\n李主任,{SCHOOL},999\n王芳,{SCHOOL},@wangfang\n".encode()
    report = await import_dry_run(chat, roster)
    assert "第2行 李主任：" in report and "只有管理员可以导入这一行" in report
    assert "第3行 王芳：Telegram —→@wangfang" in report


async def test_a_bare_join_lists_the_accounts_linked_to_me(chat):
    await chat.join("u1", "王芳")
    reply = await chat.one("/join")
    assert "您已经登记过了：王芳" in reply and "关联到您的聊天账号" in reply
    assert "memory u1（u1）" in reply and "经邀请码关联" in reply
    assert "用法：/join 姓名 学校 邀请码" in await chat.one("/join", user="nobody")


async def test_cli_prints_codes_for_everyone_without_an_account(tmp_path, clock):
    url = f"sqlite+aiosqlite:///{tmp_path / 'codes.db'}"
    async with open_chat(url, clock) as chat:
        await chat.join("u1", "王芳")
        await chat.enrol("李明")
        await chat.enrol("赵强", account="zhao")
        first = await asyncio.to_thread(run_cli, "roster", "codes", env={"YANXIU_DATABASE_URL": url}, cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        lines = first.stdout.strip().splitlines()
        assert lines[0].split("\t") == ["学校", "姓名", "成员编号", "邀请码"] and len(lines) == 2
        school, name, _, code = lines[1].split("\t")
        assert (school, name) == (SCHOOL, "李明")
        again = await asyncio.to_thread(run_cli, "roster", "codes", env={"YANXIU_DATABASE_URL": url}, cwd=tmp_path)
        assert again.stdout == "" and "另有1人持有尚未使用、仍在有效期内的邀请码" in again.stderr
        assert "登记成功：李明" in await chat.one(f"/join 李明 {SCHOOL} {code}", user="u2")
        assert [e for e in await chat.rows(AuditEntry) if e.action == "join.codes"]


def _file(chat, content: bytes):
    from tests.handlers.test_roster_import import roster_file

    return roster_file(chat, content)


async def _say_as(chat, text: str, *, user_id: str, username: str) -> list[str]:
    """A message from an account with a public user name (as Telegram reports it)."""
    message = IncomingMessage(
        chat=ChatRef(chat.adapter.platform, "group-1", ChatKind.GROUP, "校本研修群"),
        sender=Sender(user_id, "某老师", username=username),
        message_id=uuid.uuid4().hex[:12], text=text, sent_at=chat.clock.now(),
    )
    return await chat.send(message)

