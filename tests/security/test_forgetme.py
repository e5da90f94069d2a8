"""/forgetme: a teacher's personal data is erased on her confirmed request (PIPL), with one audit line."""

from __future__ import annotations


from sqlalchemy import select

from storage.models import Account, AuditEntry, Base, CheckIn, HoursLine, Member, Record, RecordRevision

REFLECTION = (
    "反思：今天《分数的初步认识》一课，我先用分披萨的情境导入，学生兴趣很高，但在比较分数大小时讲得太快，"
    "部分学生没有跟上，下次要多留时间让学生动手操作。"
)
NAME = "王芳"


async def everything_stored(chat) -> str:
    """Every value of every table, as one text: what a database dump would reveal."""
    async with chat.app.session_factory() as session:
        dump = []
        for table in Base.metadata.sorted_tables:
            rows = await session.execute(select(table))
            dump += [repr(tuple(row)) for row in rows]
        return "\n".join(dump)


async def test_forgetme_erases_what_identifies_her_and_keeps_anonymous_totals(chat):
    member_id = await chat.join("u1", NAME)
    await chat.one("签到", user="u1")
    stored = await chat.one(REFLECTION, user="u1")
    record_id = stored.split("#")[1].split()[0]
    await chat.one(f"/edit {record_id} {REFLECTION[3:]}再补充一句：学生的作品很有创意。", user="u1")
    await chat.one(f"/credit 2 {NAME} | 县级专题培训 | 县级", user="admin")
    assert NAME in await everything_stored(chat)

    explained = await chat.one("删除我的数据", user="u1", private=True)
    assert "确认" in explained and "/cancel" in explained
    assert NAME in await everything_stored(chat), "nothing happens before the confirmation"
    done = await chat.one("确认", user="u1", private=True)
    assert "已删除" in done and "1篇记录" in done

    dump = await everything_stored(chat)
    assert NAME not in dump
    assert "memory:u1" not in dump
    [member] = [m for m in await chat.rows(Member) if m.id == member_id]
    assert member.erased_at is not None and member.name == f"已删除成员{member_id}"
    assert await chat.rows(Account) == [] and await chat.rows(Record) == []
    assert await chat.rows(RecordRevision) == []
    assert len(await chat.rows(CheckIn)) == 1, "the check-in day is kept, anonymously"
    assert sum(line.hours for line in await chat.rows(HoursLine)) == 2, "hours stay for the program's totals"
    forget = [entry for entry in await chat.rows(AuditEntry) if entry.action == "member.forget"]
    assert len(forget) == 1 and forget[0].target == f"#{member_id}"

    assert "登记" in await chat.one("签到", user="u1"), "the account is a stranger now"


async def test_cancel_keeps_everything(chat):
    await chat.join("u1", NAME)
    await chat.one("/forgetme", user="u1", private=True)
    assert "已取消" in await chat.one("/cancel", user="u1", private=True)
    assert "没有需要确认" in await chat.one("/confirm", user="u1", private=True)
    [account] = await chat.rows(Account)
    assert account.user_id == "u1"
    assert NAME in await everything_stored(chat)


async def test_the_confirmation_expires(chat):
    await chat.join("u1", NAME)
    await chat.one("/forgetme", user="u1", private=True)
    chat.clock.advance(hours=2)
    assert "没有需要确认" in await chat.one("/confirm", user="u1", private=True)
    assert len(await chat.rows(Account)) == 1


async def test_a_stranger_cannot_ask(chat):
    assert "登记" in await chat.one("/forgetme", user="nobody", private=True)
