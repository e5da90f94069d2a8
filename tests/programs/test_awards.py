"""/outstanding (推优) with seed 004's rules and seed 002's cut, and /scores group, through the chat."""

from __future__ import annotations

from bot.domain.policy import Awards, Checkins, Hours, Points, Policy, Pool, Records
from bot.kernel.messages import Attachment, AttachmentKind
from tests.programs.support import link
from tests.conftest import open_chat

ROSTER = """姓名,学校,工作坊,小组,角色
王芳,紫阳县第二小学,语文,一组,学员
李明,紫阳县第二小学,语文,一组,坊主、学员
赵强,紫阳县第二小学,语文,二组,学员
钱多,紫阳县第二小学,数学,二组,坊主、学员
孙丽,紫阳县第二小学,体育,二组,学员
周杰,紫阳县第二小学,艺术,二组,学员
吴敏,紫阳县第二小学,艺术,二组,学员
""".encode()

POLICY = Policy(
    checkins=Checkins(acknowledge="reply"),
    records=Records(reflections_per_month=0, cases_per_month=0, observations_per_semester=0),
    hours=Hours(school_based_per_semester=0, per_year=0, per_five_years=0),
    points=Points(attendance_unqualified=-15),  # one 不合格 takes a teacher below 优秀 in this test
    awards=Awards(outstanding_per_unit=2, pools=[Pool(units=["体育", "艺术"], places=2)], bottom_share=0.2),
)


async def test_outstanding_members_leaders_and_cut_with_reasons(sqlite_url, clock):
    async with open_chat(sqlite_url, clock, policy=POLICY) as chat:
        await chat.join("coord", "教研室", roles=("coordinator",))
        chat.adapter.files["roster"] = ROSTER
        file = (Attachment(AttachmentKind.DOCUMENT, "roster", "名单.csv"),)
        await chat.one("/roster import", user="coord", private=True, attachments=file)
        assert "7" in await chat.one("/confirm", user="coord", private=True)
        await chat.one("/mark 优秀 王芳 孙丽 | 县级培训", user="coord")
        await chat.one("/mark 不合格 赵强 钱多 | 县级培训", user="coord")
        # Points: 王芳 102, 李明 100, 赵强 85, 钱多 85, 孙丽 102, 周杰 100, 吴敏 100.
        lines = (await chat.one("推优", user="coord")).splitlines()
        assert lines[0] == "推优结果（2026—2027学年第一学期，7人参评，按当前积分，学期未结束）："
        assert "体育+艺术（2名）：孙丽 102分（第1名）；吴敏 100分（第2名）〔与名额外的人并列，请协调员定夺〕；" \
               "周杰 100分（第2名）〔与名额外的人并列，请协调员定夺〕" in lines
        assert "数学（2名）：暂无人达到条件" in lines
        assert "语文（2名）：王芳 102分（第1名）；李明 100分（第2名）" in lines
        assert "优秀坊主：李明（语文，3人平均95.7分）" in lines
        assert "末位20%（2人）：赵强 85分；钱多 85分" in lines

        group = (await chat.say("/scores group 一组", user="coord", private=True))[0].splitlines()
        assert group[1:3] == ["1. 王芳 学时0 积分102 优秀", "2. 李明 学时0 积分100 优秀"]
        assert "共2人" in group[3]


        # A 坊主 sees her own workshop's ranking, and only hers; a teacher sees none.
        await link(chat, "li", "李明")
        own = (await chat.say("/scores", user="li", private=True))[0].splitlines()
        assert own[0].startswith("📊 语文 ") and len([line for line in own if line[:2] in ("1.", "2.", "3.")]) == 3
        assert "自己负责的工作坊或小组" in await chat.one("/scores workshop 数学", user="li", private=True)
        await link(chat, "wang", "王芳")
        assert "📊" not in await chat.one("/scores", user="wang", private=True)


async def test_outstanding_is_for_coordinators(chat):
    await chat.join("u1", "王芳")
    reply = await chat.one("/outstanding", user="u1")
    assert "推优" not in reply
