"""/review · 评阅: 坊主, 组长 and 导师 grade their own members' records on the program's scale."""

from __future__ import annotations

from bot.domain.policy import Checkins, Policy, Reviews
from bot.domain.reviews import Unit, grade_of, reviews
from bot.kernel.messages import Attachment, AttachmentKind
from storage.models import AuditEntry, Record, RecordReview
from tests.programs.support import link
from tests.conftest import open_chat

REFLECTION = "反思：" + "今天的课堂上我尝试了小组合作学习，学生讨论热烈，但有的小组偏离了主题，下次要把任务说得更具体，并且在巡视时及时提醒。"
ROSTER = """姓名,学校,工作坊,小组,角色
王芳,紫阳县第二小学,语文,一组,学员
李明,紫阳县第二小学,语文,二组,坊主、学员
赵强,紫阳县第二小学,数学,二组,学员
钱多,紫阳县第二小学,数学,三组,导师、学员
""".encode()


def test_who_reviews_whom():
    author = Unit(1, workshop_id=10, group_id=20)
    allowed = ("workshop_leader", "leader", "mentor")
    assert reviews(Unit(2, 10, 21), {"workshop_leader"}, author, apprentices=(), allowed=allowed)
    assert not reviews(Unit(2, 11, 21), {"workshop_leader"}, author, apprentices=(), allowed=allowed)
    assert reviews(Unit(3, 11, 20), {"leader"}, author, apprentices=(), allowed=allowed)
    assert not reviews(Unit(3, 11, 20), {"leader"}, author, apprentices=(), allowed=("workshop_leader",))
    assert reviews(Unit(4, None, None), {"mentor"}, author, apprentices={1}, allowed=allowed)
    assert not reviews(Unit(4, None, None), {"mentor"}, author, apprentices={5}, allowed=allowed)
    assert not reviews(Unit(1, 10, 20), {"workshop_leader"}, author, apprentices=(), allowed=allowed, organiser=True)
    assert reviews(Unit(9, None, None), set(), author, apprentices=(), allowed=allowed, organiser=True)


def test_grades_are_read_off_the_programs_scale():
    scale = ["合格", "优质", "精品"]
    assert [grade_of(word, scale) for word in ("优质", "优质课", "精品", "3", "合格作品", "很好", "4")] == [
        "优质", "优质", "精品", "精品", "合格", None, None]
    assert grade_of("B", ["A", "B", "C"]) == "B"


async def test_a_workshop_leader_reviews_her_members_and_the_author_is_told(sqlite_url, clock):
    policy = Policy(checkins=Checkins(acknowledge="reply"))
    async with open_chat(sqlite_url, clock, policy=policy) as chat:
        await chat.join("coord", "教研室", roles=("coordinator",))
        chat.adapter.files["roster"] = ROSTER
        file = (Attachment(AttachmentKind.DOCUMENT, "roster", "名单.csv"),)
        await chat.one("/roster import", user="coord", private=True, attachments=file)
        await chat.one("/confirm", user="coord", private=True)
        for user, name in (("wang", "王芳"), ("li", "李明"), ("zhao", "赵强"), ("qian", "钱多")):
            await link(chat, user, name)
        await chat.one("/pair 钱多 赵强", user="coord")
        await chat.one(REFLECTION, user="wang")
        await chat.one(REFLECTION, user="zhao")
        await chat.one(REFLECTION, user="li")
        ids = {record.member_id: record.id for record in await chat.rows(Record)}
        wang_record, zhao_record, li_record = sorted(ids.values())

        listing = (await chat.one("/review", user="li")).splitlines()
        assert listing[0] == "最近30天您负责的成员的记录（1篇待评阅）："
        assert listing[1].startswith(f"#{wang_record} 王芳 教学反思") and listing[1].endswith("待评阅")
        assert not any("赵强" in line for line in listing)  # another workshop's member

        replies = await chat.say(f"/review {wang_record} 优质课 情境导入自然，建议多给学生表达的机会。", user="li")
        assert replies[0] == f"已评阅 #{wang_record}（王芳）：优质。已私信告知作者。"
        notice = chat.adapter.sent[-1]
        assert notice.text.startswith("李明评阅了您的教学反思") and "优质" in notice.text
        assert notice.chat.chat_id == "wang"
        assert "更新" in (await chat.say(f"/review {wang_record} 精品", user="li"))[0]
        assert [(r.record_id, r.grade) for r in await chat.rows(RecordReview)] == [(wang_record, "精品")]

        assert "不是您负责的成员" in await chat.one(f"/review {zhao_record} 合格", user="li")
        assert "不是您负责的成员" in await chat.one(f"/review {li_record} 合格", user="li")  # not her own
        assert "已评阅" in (await chat.say(f"/review {zhao_record} 合格 请补充学生反馈", user="qian"))[0]  # his apprentice
        assert "不认识的等级“很好”" in await chat.one(f"/review {wang_record} 很好", user="li")
        assert "没有找到编号" in await chat.one("/review 999 合格", user="li")
        assert (await chat.say(f"/review {li_record} 合格", user="coord"))[0].startswith("已评阅")
        assert sum(e.action == "records.review" for e in await chat.rows(AuditEntry)) == 4


async def test_a_program_with_its_own_scale(sqlite_url, clock):
    policy = Policy(checkins=Checkins(acknowledge="reply"), reviews=Reviews(scale=["达标课", "优质课", "示范课"]))
    async with open_chat(sqlite_url, clock, policy=policy) as chat:
        await chat.join("coord", "教研室", roles=("coordinator",))
        await chat.join("wang", "王芳")
        await chat.one(REFLECTION, user="wang")
        record = (await chat.rows(Record))[0]
        assert "示范课" in (await chat.say(f"/review {record.id} 示范课", user="coord"))[0]
        assert "达标课、优质课、示范课" in await chat.one(f"/review {record.id} 精品", user="coord")
