"""Importing a roster file in a private chat: a dry run, then /confirm (or 确认) applies it at once."""

from __future__ import annotations

from io import BytesIO

import openpyxl

from bot.kernel.messages import Attachment, AttachmentKind
from storage.models import Account, AuditEntry, Dialog, Member, MemberRole, School, StudyGroup, Workshop
from tests.handlers.test_people import make_coordinator
from tests.test_config_cli import run_cli

CSV = """姓名,学校,学科,工作坊,小组,角色,手机
王芳,紫阳县第二小学,语文,小学语文工作坊,语文一组,组长,13800138000
李明,紫阳中学,数学,,,,
赵强,紫阳中学,,,,校长,
钱多,紫阳中学,,,,协调员,
""".encode()


def roster_file(chat, content: bytes, name: str = "名单.csv") -> tuple[Attachment, ...]:
    chat.adapter.files[f"file-{name}"] = content
    return (Attachment(AttachmentKind.DOCUMENT, f"file-{name}", name),)


async def import_dry_run(chat, content: bytes = CSV, name: str = "名单.csv") -> str:
    return await chat.one("/roster import", user="coord", private=True, attachments=roster_file(chat, content, name))


async def test_dry_run_reports_every_row_and_changes_nothing(chat):
    await make_coordinator(chat)
    await chat.enrol("王芳")
    report = await import_dry_run(chat)
    assert "共4行。将新增1人，更新1人，0人不变，2行有问题将被跳过" in report
    assert "将新建学校：紫阳中学" in report and "将新建工作坊：小学语文工作坊" in report
    assert "第4行 赵强：" in report and "校长" in report
    assert "第5行 钱多：" in report, "a coordinator cannot hand out the coordinator role through a file"
    assert "第2行 王芳：学科 —→语文" in report and "第3行 李明（紫阳中学）" in report
    assert "角色 学员→组长、学员" in report
    assert "/confirm" in report and "确认" in report
    [sent] = chat.adapter.sent[-1:]
    assert [button.command for button in sent.buttons] == ["/confirm", "/cancel"]
    assert {m.name for m in await chat.rows(Member)} == {"教研室", "王芳"}
    assert [d.kind for d in await chat.rows(Dialog)] == ["roster_import"]


async def test_confirm_applies_the_whole_plan_in_one_step(chat_any_db):
    chat = chat_any_db
    await make_coordinator(chat)
    wang = await chat.enrol("王芳")
    await import_dry_run(chat)
    done = await chat.one("确认", user="coord", private=True)
    assert done.startswith("名单已导入：新增1人，更新1人，跳过2行")
    members = {m.name: m for m in await chat.rows(Member)}
    assert set(members) == {"教研室", "王芳", "李明"}
    assert members["王芳"].id == wang and members["王芳"].subject == "语文" and members["王芳"].phone == "13800138000"
    assert members["王芳"].workshop.name == "小学语文工作坊" and members["王芳"].group.name == "语文一组"
    assert members["李明"].school.name == "紫阳中学"
    roles = {(r.member_id, r.role) for r in await chat.rows(MemberRole)}
    assert (wang, "leader") in roles and (members["李明"].id, "teacher") in roles
    assert {s.name for s in await chat.rows(School)} == {"紫阳县第二小学", "紫阳中学"}
    assert len(await chat.rows(Workshop)) == 1 and len(await chat.rows(StudyGroup)) == 1
    assert await chat.rows(Dialog) == []
    [entry] = [e for e in await chat.rows(AuditEntry) if e.action == "roster.import"]
    assert entry.target == "名单.csv" and entry.after["created"] == 1 and entry.after["new_schools"] == ["紫阳中学"]
    assert "现在没有需要确认的操作" in await chat.one("/confirm", user="coord", private=True)
    li = next(m for m in await chat.rows(Member) if m.name == "李明")
    code = await chat.invitation(li.id)
    assert "登记成功：李明，紫阳中学" in await chat.one(f"/join 李明 紫阳中学 {code}", user="u2")


async def test_cancel_drops_the_import(chat):
    await make_coordinator(chat)
    await import_dry_run(chat)
    assert "已取消" in await chat.one("/cancel", user="coord", private=True)
    assert "现在没有需要确认的操作" in await chat.one("/confirm", user="coord", private=True)
    assert {m.name for m in await chat.rows(Member)} == {"教研室"}


async def test_an_admin_may_grant_coordinator_roles_through_an_xlsx(chat):
    book = openpyxl.Workbook()
    book.active.append(["姓名*", "学校", "角色", "工号"])
    book.active.append(["钱多", "紫阳中学", "协调员", 1001])
    content = BytesIO()
    book.save(content)
    await chat.one("/school add 紫阳中学", user="admin")
    await chat.one("/join 李主任 紫阳中学", user="admin")
    report = await chat.one("/roster import", user="admin", private=True,
                            attachments=roster_file(chat, content.getvalue(), "名单.xlsx"))
    assert "将新增1人" in report
    await chat.one("/confirm", user="admin", private=True)
    qian = next(m for m in await chat.rows(Member) if m.name == "钱多")
    assert qian.staff_no == "1001"
    assert ("coordinator", qian.id) in {(r.role, r.member_id) for r in await chat.rows(MemberRole)}


async def test_import_needs_a_private_chat_a_file_and_a_readable_roster(chat):
    await make_coordinator(chat)
    assert "私聊中导入" in await chat.one("/roster import", user="coord", attachments=roster_file(chat, CSV))
    assert "表头需要“姓名”“学校”" in await chat.one("/roster import", user="coord", private=True)
    missing = (Attachment(AttachmentKind.DOCUMENT, "gone", "名单.csv"),)
    assert "没能取到这个文件" in await chat.one("/roster import", user="coord", private=True, attachments=missing)
    bad = await import_dry_run(chat, "学科,手机\n语文,1\n".encode(), "bad.csv")
    assert "姓名" in bad and "学校" in bad and "名单.csv" not in bad
    assert await chat.rows(Dialog) == []
    await chat.join("u1", "王芳")
    refused = await chat.one("/roster import", user="u1", private=True, attachments=roster_file(chat, CSV))
    assert "没有使用 /roster 的权限" in refused


async def test_a_plain_confirm_in_a_group_is_chatter(chat):
    await chat.join("u1", "王芳")
    assert await chat.say("确认") == []
    assert await chat.rows(Account) != []


def test_cli_import_dry_run_then_apply(tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_bytes(CSV)
    dry = run_cli("roster", "import", str(roster), "--dry-run", cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "共4行。将新增3人" in dry.stdout and "没有应用任何改动" in dry.stdout
    piped = run_cli("roster", "import", str(roster), cwd=tmp_path, stdin="y\n")
    assert "没有应用任何改动" in piped.stdout, "without a terminal, only --yes applies"
    applied = run_cli("roster", "import", str(roster), "--yes", cwd=tmp_path)
    assert applied.returncode == 0, applied.stderr
    assert "名单已导入：新增3人" in applied.stdout
    again = run_cli("roster", "import", str(roster), "--dry-run", cwd=tmp_path)
    assert "将新增0人" in again.stdout and "3人不变" in again.stdout
    missing = run_cli("roster", "import", str(tmp_path / "nope.csv"), cwd=tmp_path)
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    wrong = tmp_path / "名单.pdf"
    wrong.write_bytes(b"%PDF")
    refused = run_cli("roster", "import", str(wrong), cwd=tmp_path)
    assert refused.returncode == 2 and "名单.pdf" in refused.stderr
