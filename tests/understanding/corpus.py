"""A labelled week of posts in a teacher-training group, written from how teachers really post.

Every item is one post (or a split post: header, then body) by 王芳 of 紫阳县第二小学, with what
the bot must do about it. Variants are built from small phrase lists so each phenomenon (emoji,
particles, names, greetings, Traditional characters, quoted replies, @mentions…) meets every shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import cycle, islice

from opencc import OpenCC

SENDER = "王芳"
SCHOOL = "紫阳县第二小学"
COLLEAGUES = ("李明", "赵丽", "陈静", "刘洋")

LABELS = (
    "checkin", "relay", "reflection", "case", "observation", "question", "mention", "near_miss",
    "presence", "command", "chatter",
)
ACTIONABLE = tuple(label for label in LABELS if label != "chatter")


@dataclass(frozen=True)
class Item:
    messages: tuple[str, ...]
    label: str
    title: str | None = None
    """For records: the title the bot must read (None: not checked)."""
    teacher: str | None = None
    """For observations: the observed teacher the bot must read."""
    photo: str = ""
    """"before"/"after"/"": a photo sent with the words (a split post)."""

    @property
    def text(self) -> str:
        return " / ".join(self.messages)


_traditional = OpenCC("s2twp").convert


def _items(label: str, texts, **fields) -> list[Item]:
    return [Item((text,) if isinstance(text, str) else tuple(text), label, **fields) for text in texts]


# --- check-ins ----------------------------------------------------------------------------------

CHECKIN_WORDS = (
    "签到", "打卡", "已签到", "已打卡", "签到了", "打卡了", "签到啦", "打卡啦", "签到～", "打卡~~", "签到✅",
    "打卡✔️", "今日打卡", "今天打卡", "签个到", "打个卡", "来签到", "准时签到", "签到完毕", "打卡成功",
    "报到", "已报到", "研修打卡", "每日打卡", "签到+1", "check in", "Check in~", "checkin", "打卡第5天",
    "第12天打卡", "打卡 Day 7", "#打卡", "＃签到", "#签到#", "签到！", "打卡。", "签到😊", "打卡🌹🌹",
    "签到哦", "打卡咯",
)
GREETINGS = ("早上好！", "早安～", "各位老师早上好，", "大家好，", "老师们好！", "早！", "Hello，", "上午好")
NOTES = (
    "今天参加了集体备课", "今天有公开课，紧张", "下午去听课", "今天在外校交流", "感冒了但还在坚持",
    "第三周了，继续加油",
)


def _checkins() -> list[Item]:
    texts = list(CHECKIN_WORDS)
    texts += [greeting + word for greeting, word in zip(cycle(GREETINGS), CHECKIN_WORDS[:24])]
    texts += [f"{SENDER}{word}" for word in ("签到", "已签到", "打卡", "打卡了", "老师签到", "老师已打卡")]
    texts += [f"{word} {SENDER}" for word in ("签到", "打卡", "已签到")]
    texts += [f"签到　{SENDER}", f"打卡—{SENDER}", f"{SENDER}　签到～", f"早上好，{SENDER}签到😊"]
    texts += [f"{word}，{note}" for word, note in zip(cycle(("签到", "打卡", "已签到", "签到！")), NOTES)]
    texts += [f"{word} {note}" for word, note in zip(cycle(("打卡", "签到")), NOTES[:4])]
    traditional = [_traditional(text) for text in ("已签到", "签到了", "签到～", "早上好，签到", f"{SENDER}签到",
                                                   "签到，今天参加了集体备课", "今日打卡", "签到完毕")]
    texts += traditional
    texts += ["、checkin", "@研修助手 签到", "@研修助手 打卡", "「李明：签到」\n- - - - - - - - - - - - - - -\n签到"]
    return _items("checkin", dict.fromkeys(texts))


# --- 接龙 relays ---------------------------------------------------------------------------------


def _relay(header: str, names: list[str], *, numbering: str = "{n}. ", example: str = "", tag: str = "#接龙") -> str:
    lines = [tag, header] if tag else [header]
    if example:
        lines.append(example)
    lines.append("")
    lines += [numbering.format(n=number) + name for number, name in enumerate(names, 1)]
    return "\n".join(lines)


RELAY_HEADERS = (
    "11月23日研修签到", "今日研修打卡", "周一教研签到", "第12周线上研修签到", "紫阳二小教师研修打卡",
    "11.23 集体备课签到", "【研修签到】11月23日", "今天线上培训签到",
)


def _relays() -> list[Item]:
    items = []
    forms = [
        dict(numbering="{n}. "), dict(numbering="{n}、", tag="接龙："), dict(numbering="{n}.", example="例 张三 XX小学"),
        dict(numbering="{n} ", tag="#接龙#"), dict(numbering="{n}）"),
    ]
    lines_of = [
        lambda names: [f"{name} {SCHOOL}" for name in names],
        lambda names: list(names),
        lambda names: [f"{name}老师" for name in names],
        lambda names: [f"{name}（{SCHOOL}）" for name in names],
    ]
    count = 0
    for header in RELAY_HEADERS:
        for form, lines in islice(zip(cycle(forms), cycle(lines_of)), 4):
            others = list(COLLEAGUES[: 1 + count % 4])
            text = _relay(header, lines(others + [SENDER]), **form)
            if form.get("tag") == "接龙：":
                text = text.replace("接龙：\n", "接龙：", 1)
            items.append(Item((text,), "relay"))
            count += 1
    items.append(Item((_traditional(_relay("今日研修签到", [f"{name} {SCHOOL}" for name in ["李明", SENDER]])),), "relay"))
    items.append(Item((_relay("研修签到", ["李明", SENDER, "赵丽"]),), "relay"))  # her line is not the last
    return items


def _other_relays() -> list[str]:
    return [
        _relay("周五午餐订餐", ["李明 1份", "赵丽 2份", f"{SENDER} 1份"]),
        _relay("元旦联欢会节目报名", ["李明 独唱", SENDER]),
        _relay("校服团购", ["李明 160", f"{SENDER} 150"]),
        _relay("教师节慰问品领取", ["李明", SENDER], numbering="{n}、"),
        _relay("周六拼车去县城", ["李明", SENDER]),
        _relay("研修活动报名（周四下午）", ["赵丽", SENDER]),
        _relay("爱心捐款", ["李明 50", f"{SENDER} 100"]),
        _relay("公开课投票", ["赵丽", f"{SENDER}"]),
        _relay("研修签到", ["李明", "赵丽"]),  # someone else's repost, her line not there: nothing for her
        _relay("今日打卡", ["陈静", "刘洋", "赵丽"]),
    ]


# --- records ------------------------------------------------------------------------------------

REFLECTION_BODIES = (
    "今天这节课我先用分披萨的情境导入，学生兴趣很高，但在比较分数大小时讲得太快，部分学生没有跟上，下次要多留时间让学生动手操作。",
    "本周我尝试让学生小组合作朗读课文，课堂气氛活跃了很多，可是个别内向的孩子参与度还是不高，以后分组时要注意搭配，给他们更多表达的机会。",
    "这节课的板书设计不够清晰，重点没有突出出来。课后我请两位同事帮我看了录像，他们建议把知识结构图放在黑板中间，我下周再试一次。",
    "上课时学生提出了一个我没预料到的问题，我当时处理得有些慌张。反思下来，备课时应该多预设学生的想法，课堂上也要敢于把问题还给学生讨论。",
    "今天的作业讲评课效率不高，我讲得太多，学生练得太少。以后讲评要先统计错误类型，挑典型错例让学生自己说错因，再做针对性的变式练习。",
    "这一周在识字教学中用了字理识字的方法，孩子们对汉字的来源很感兴趣，记得也更牢了，但课堂时间有点不够用，需要精简其他环节。",
)
REFLECTION_TITLES = ("秋天的雨", "分数的初步认识", "圆的面积", "小数乘法", "乡下人家", "认识钟表")

REFLECTION_SHAPES = (
    "反思：{body}", "#反思 {body}", "【教学反思】{body}", "【教学反思】\n{body}", "教学反思：{body}", "#教学反思#\n{body}",
    "课后反思：{body}", "【课后反思】《{title}》\n{body}", "本周反思：{body}", "11月教学反思\n{body}", "每日反思｜{body}",
    "研修心得：{body}", "学习心得\n{body}", "心得体会：{body}", "教后记：{body}", "#研修心得\n{body}",
    "《{title}》教学反思\n{body}", "《{title}》课后反思\n{body}", "《{title}》\n教学反思\n{body}", "〖教学反思〗{body}",
    "[反思] {body}", "周反思（第12周）\n{body}", "今日反思：{body}", "教学随笔：{body}", "#教学反思 《{title}》\n{body}",
    "反思 《{title}》{body}", "【反思】《{title}》{body}", "本月反思\n《{title}》\n{body}", "教后感：{body}",
    "教学反思——《{title}》\n{body}",
)


def _reflections() -> list[Item]:
    items = []
    for index, shape in enumerate(REFLECTION_SHAPES):
        for turn in range(3):
            body = REFLECTION_BODIES[(index + turn) % len(REFLECTION_BODIES)]
            title = REFLECTION_TITLES[(index + turn) % len(REFLECTION_TITLES)]
            items.append(Item((shape.format(body=body, title=title),), "reflection",
                              title=title if "{title}" in shape else None))
    for shape in ("教學反思：{body}", "【課後反思】\n{body}", "#研修心得 {body}"):
        items.append(Item((_traditional(shape.format(body=REFLECTION_BODIES[0])),), "reflection"))
    quoted = "「李明：请大家本周交反思」\n- - - - - - - - - - - - - - -\n反思：" + REFLECTION_BODIES[1]
    items += [
        Item((quoted,), "reflection"),
        Item(("@研修助手 反思：" + REFLECTION_BODIES[2],), "reflection"),
        Item(("回复 李明：" + "教学反思：" + REFLECTION_BODIES[3],), "reflection"),
        # split posts: the header (or title) alone, the body a minute later
        Item(("【教学反思】", REFLECTION_BODIES[4]), "reflection"),
        Item(("#反思", REFLECTION_BODIES[5]), "reflection"),
        Item(("《秋天的雨》教学反思", REFLECTION_BODIES[0]), "reflection", title="秋天的雨"),
        Item(("课后反思", "《乡下人家》", REFLECTION_BODIES[1]), "reflection", title="乡下人家"),
        Item(("反思：" + REFLECTION_BODIES[2],), "reflection", photo="before"),
        Item(("本月反思",), "reflection", photo="before"),
        Item(("【教学反思】",), "reflection", photo="after"),
    ]
    return items


CASE_BODIES = (
    "班上的小林最近总是不交作业，我没有直接批评，而是放学后和他聊天，才知道他家里刚添了弟弟，晚上没人辅导。我联系家长调整了作业时间，两周后他的作业基本能按时完成了。",
    "在教学小数乘法时，我从超市购物的情境出发，让学生先估算再计算，小组合作探究积的小数位数规律，学生在交流中自己发现了算理，比我直接讲解效果好得多。",
    "一次家访让我重新认识了小雨。她在课堂上沉默寡言，在家却是照顾奶奶的小大人。之后我请她担任班级图书管理员，她慢慢愿意在课堂上发言了。",
    "学生在课堂上因为座位发生争吵，我没有当场裁决，而是让两人各自写下经过和感受，第二天再一起讨论。他们最后互相道歉，还商量出了轮换座位的办法。",
)
CASE_SHAPES = (
    "案例：{body}", "【教学案例】{body}", "教学案例：{body}", "【教育案例】\n{body}", "德育案例：{body}",
    "个案分析：{body}", "教育叙事：{body}", "#教育叙事#\n{body}", "【教学叙事】{body}", "班主任案例\n{body}",
    "《{title}》教育叙事\n{body}", "教育故事：{body}", "#案例 {body}", "【案例】《{title}》{body}", "11月教学案例\n{body}",
)
CASE_TITLES = ("一次家访", "小数乘法", "作业风波", "座位的争吵")


def _cases() -> list[Item]:
    items = []
    for index, shape in enumerate(CASE_SHAPES):
        for turn in range(3):
            body = CASE_BODIES[(index + turn) % len(CASE_BODIES)]
            title = CASE_TITLES[(index + turn) % len(CASE_TITLES)]
            items.append(Item((shape.format(body=body, title=title),), "case",
                              title=title if "{title}" in shape else None))
    items += [
        Item((_traditional("教育叙事：" + CASE_BODIES[2]),), "case"),
        Item(("【教学案例】", CASE_BODIES[1]), "case"),
        Item(("教育叙事：《一次家访》\n" + CASE_BODIES[2],), "case", title="一次家访"),
    ]
    return items


OBSERVED = (("李明", "三年级数学", "分数的初步认识"), ("赵丽", "二年级语文", "秋天的雨"),
            ("陈静", "五年级英语", "My school"), ("刘洋", "四年级科学", "声音的传播"))
OBSERVATION_NOTES = (
    "情境导入自然，学生参与度高；小组合作时间稍短，建议多给学生展示的机会。",
    "教师朗读指导很到位，板书清晰，但拓展环节有些仓促。",
    "课堂提问有梯度，评价语言丰富；个别学生没有参与讨论，可以关注后排学生。",
)
OBSERVATION_SHAPES = (
    "今天听了{teacher}老师{lesson}《{topic}》，{notes}",
    "听课记录：11月20日 听{teacher}老师{lesson}《{topic}》{notes}",
    "【听课记录】今天听了{teacher}老师的{lesson}《{topic}》，{notes}",
    "#听课记录# 昨天听了{teacher}老师的《{topic}》，{notes}",
    "观课记录：听了{teacher}老师执教的《{topic}》，{notes}",
    "评课：今天观摩了{teacher}老师的{lesson}课《{topic}》，{notes}",
    "听课笔记\n今天上午听了{teacher}老师的{lesson}《{topic}》一课。\n{notes}",
    "11月19日听了{teacher}老师的《{topic}》，{notes}",
    "听课记录表\n执教者：{teacher}\n课题：{topic}\n班级：{lesson}\n时间：11月20日\n优点：{notes}\n不足：时间分配不太合理\n建议：多关注后进生",
    "听课记录\n授课教师：{teacher}老师\n课题：《{topic}》\n班级：{lesson}\n听课时间：11月18日\n优点：{notes}\n建议：板书再简洁些",
    "【观课记录】\n执教教师：{teacher}\n授课内容：{topic}\n日期：11月17日\n亮点：{notes}\n问题：个别环节拖沓",
    "执教者：{teacher}\n课题：{topic}\n班级：{lesson}\n优点：{notes}",
)


def _observations() -> list[Item]:
    items = []
    for index, shape in enumerate(OBSERVATION_SHAPES):
        for turn in range(4):
            teacher, lesson, topic = OBSERVED[(index + turn) % len(OBSERVED)]
            notes = OBSERVATION_NOTES[(index + turn) % len(OBSERVATION_NOTES)]
            items.append(Item((shape.format(teacher=teacher, lesson=lesson, topic=topic, notes=notes),),
                              "observation", teacher=teacher))
    items += [
        Item((_traditional("听课记录：今天听了李明老师三年级数学《分数的初步认识》，" + OBSERVATION_NOTES[0]),),
             "observation", teacher="李明"),
        Item(("【听课记录】", "今天听了赵丽老师的二年级语文《秋天的雨》，" + OBSERVATION_NOTES[1]), "observation",
             teacher="赵丽"),
    ]
    return items


# --- questions, mentions, presence, near misses, commands --------------------------------------

QUESTIONS = (
    "我还差几篇反思？", "我这个月的反思算了吗？", "我现在有多少学时了？", "我的学时够了吗", "我还缺什么？",
    "我打卡几天了？", "查一下我的进度", "我本月签到了几天？", "我这学期听课记录够了没", "我的积分是多少？",
    "我的案例交了吗？", "我还要交几篇？", "请问我的学时达标了吗？", "我这个月还差什么吗", "我听课记录登记了没有？",
    "我反思交了没？", "我的成绩怎么样？", "我这学期完成了多少？", "查询我的学时", "看看我的进度",
    "我的签到记录有吗？", "我今天签到了吗？", "我这个月的案例算上了吗", "我还需要写几篇案例？",
    "@研修助手 我还差什么", "@研修助手 我的学时够吗？", "@研修助手 我这个月完成了吗",
    "老师，我还差几篇反思呀？", "我是不是还缺一篇案例？", "我的考核合格了吗？",
)
MENTIONS = (
    "@研修助手", "@研修助手 你好", "@研修助手 在吗", "@研修助手 谢谢", "@研修助手 你能做什么",
    "@研修小助手 ？", "@研修助手 ？？", "@研修助手 早上好", "@研修助手 辛苦了", "@研修助手 👍",
)
PRESENCE = ("到", "到了", "已到", "在", "在线", "已进入", "我到了", "已进入直播间", "到！", "到🙋", "已上线", "已进会议室",
            "到～", "已就位")
NEAR_MISSES = (
    "反思：今天上课还行", "教学反思：好", "案例：见附件", "【教学反思】今天的课比较成功。", "签道", "打咔", "已签道",
    "听课记录：今天听了一节课很好", "【听课记录】听课很有收获，学到很多。", "心得：收获很大", "教育叙事：略",
    "#反思 太累了今天", "课后反思：还可以", "个案分析：待补充",
)
COMMANDS = (
    "、me", "、mine", "、help", "我的进度", "我的记录", "帮助", "撤回", "、undo", "我的情况",
    "、sessions", "查进度", "、me@yanxiu_bot".replace("@yanxiu_bot", ""), "我的進度", "幫助",
)


# --- chatter ------------------------------------------------------------------------------------

PRAISE = ("{name}老师的反思写得真好，学习了！", "{name}老师的案例很有启发👍", "赞{name}老师！", "向{name}老师学习🌹",
          "{name}老师的课上得太棒了", "{name}老师辛苦了", "谢谢{name}老师的分享", "{name}老师的听课记录好详细")
NOTICES = (
    "请各位老师本周五前提交教学反思", "提醒：明天上午9点线上研讨，记得签到", "各位老师，本月的教学案例请在25日前上交",
    "温馨提示：听课记录表已发到群文件", "请大家按时打卡，不要忘记", "通知：下周一教研活动改到三楼会议室",
    "@所有人 本周反思还没交的老师请尽快提交", "关于11月份研修考核的通知", "请还没签到的老师尽快签到",
    "注意：反思字数不少于50字", "各位老师记得每天签到哦", "大家记得写听课记录",
)
CHATTER_MISC = (
    "收到", "好的", "好的👍", "收到，谢谢", "👍👍👍", "辛苦了", "老师们辛苦了🌹", "哈哈哈", "[图片]", "[表情]",
    "谢谢！", "明白", "了解", "OK", "好的收到～", "嗯嗯", "周末愉快！", "今天降温了，大家注意保暖",
    "今天的签到人数有点少", "签到表在哪里下载？", "反思模板发群里了", "教学反思怎么写？有没有范文", "大家反思都交了吗？",
    "@李明 明天的课表发一下", "听课的时间改到周四了", "下午听课的老师请到三楼会议室", "案例评比结果出来了",
    "明天教研活动，请准时参加", "谁知道研修平台的网址？", "我们学校这周有公开课", "今天的反思大家写了吗",
    "王老师的反思写得真好", "李老师，下午的课能调一下吗", "我觉得这次培训收获很大", "签到的二维码在哪里",
    "有没有老师知道怎么打卡？", "反思要写多少字啊", "案例的格式有要求吗？", "听课记录表发我一份",
    "我下午要去听课", "我明天再写反思", "我打算写一篇关于家访的案例", "今天太忙了，反思晚上再交",
    "【转发】如何写好一篇教学反思", "分享一篇文章：https://mp.weixin.qq.com/s/abc123", "好文推荐：教育叙事的写法",
    "《秋天的雨》教学设计\n一、教学目标\n1. 认识生字\n2. 有感情地朗读课文", "《圆的面积》教案\n教学重点：公式推导",
    "分数的初步认识 课件已上传", "三年级数学导学案", "转发：教师研修心得体会的写作要点",
    "打卡的事情我问一下教务处", "签到还是用原来的方式吗", "今天不用签到吧？", "大家都打卡了吗",
    "下周的反思主题是课堂提问", "教研室：本周听课安排见附件", "明天早上8点签到", "今天的打卡截止到几点？",
    "这周的案例我已经写好了", "反思已交", "案例已经发给组长了", "听课回来了，很有收获", "签到签到，大家别忘了",
    "请假一天，明天不能参加", "李明老师今天请假", "哪位老师有三年级的课件", "期中考试成绩出来了", "明天下雨记得带伞",
    "@赵丽 反思写好了吗", "赵老师的反思在哪看", "我的天，今天好累", "我先下了，拜拜", "晚安",
)


def _chatter() -> list[Item]:
    texts = [shape.format(name=name) for shape in PRAISE for name in ("李", "赵丽", "陈")]
    texts += list(NOTICES) + list(CHATTER_MISC) + _other_relays()
    texts += [_traditional(text) for text in NOTICES[:6] + CHATTER_MISC[18:40]]
    return _items("chatter", dict.fromkeys(texts))


def corpus() -> list[Item]:
    return (
        _checkins() + _relays() + _reflections() + _cases() + _observations()
        + _items("question", QUESTIONS) + _items("question", [_traditional(q) for q in QUESTIONS[:8]])
        + _items("mention", MENTIONS) + _items("presence", PRESENCE) + _items("near_miss", NEAR_MISSES)
        + _items("command", dict.fromkeys(COMMANDS)) + _chatter()
    )


# --- a second week, written after the rules above were tuned (kept apart to see how they generalise) ---

SECOND_WEEK = {
    "checkin": (
        "早上好呀，打卡", "王芳 签到😁", "签到，今天阴天", "打卡打卡～", "今日已打卡", "签到，第二小学王芳",
        "老师们早，已签到", "早安打卡🌞", "簽到囉", "签到 🙋‍♀️", "签到啦～今天也要加油", "Good morning，签到",
        "下午好，补个卡", "打卡，今天外出学习",
    ),
    "reflection": (
        "【研修反思】今天参加了县里的教研活动，听了三节课，最大的感受是好的课堂要给学生留白，我平时讲得太满，学生没有思考的时间，以后要改。",
        "#每周反思# 这周的数学课我尝试用错题本，学生每天记录一道错题并写出错因，一周下来错误率明显下降，不过检查错题本占用了不少课余时间。",
        "课后反思\n《小数的意义》这节课学生对计数单位的理解不到位，我应该多用直观的米尺模型帮助学生建立小数与分数的联系，课后还要补一次练习。",
        "教学反思｜《草船借箭》\n本课我让学生分角色朗读，再讨论诸葛亮的神机妙算体现在哪里，学生发言踊跃，但时间把控不好，拖堂了三分钟，下次要精简导入。",
        "反思：今天英语课用了绘本导入，孩子们非常喜欢，可是后面的句型操练有些单调，学生注意力下降得很快，下次要设计游戏化的练习。",
        "學習心得：參加這次培訓後，我認識到課堂提問要有層次，先易後難，給學生搭好台階，這樣每個學生都能參與到課堂中來，收穫很大。",
    ),
    "case": (
        "【德育案例】《一张迟到的请假条》\n小刘连续三天迟到，我没有批评他，而是早上在校门口等他，才知道他每天要先送妹妹去幼儿园。后来我和家长商量了接送办法，他再没迟到过。",
        "个案：班里有个孩子上课总爱插话，我和他约定了一个手势，想发言时先举手并做手势，我会优先叫他。两周后他插话的次数少了一大半，同学们也更愿意和他合作了。",
        "#教育叙事 那天的作文课\n我让学生写“我的妈妈”，小明交了白卷。课后我才知道他的妈妈常年在外打工。我换了题目让他写“我最想念的人”，他写了满满一页。",
    ),
    "observation": (
        "今天上午听了陈静老师五年级英语《My school》，情境创设真实，学生开口率很高，值得我学习。",
        "听课记录：昨天听了刘洋老师的科学课《声音的传播》，实验设计巧妙，学生动手积极，但小结有些匆忙。",
        "听课记录表\n授课老师：赵丽\n课题：《秋天的雨》\n班级：二年级1班\n日期：11月21日\n优点：朗读指导细致\n建议：多给学生质疑的机会",
        "【评课】听了李明老师三年级数学《分数的初步认识》，教具使用恰当，学生理解到位，练习设计有层次。",
    ),
    "question": (
        "我这个月还差反思吗？", "请问我本学期的学时有多少了", "我的听课记录够了吗？", "我这周签到齐了吗", "我还差几天签到？",
        "查下我的学时", "我的案例登记上了没？",
    ),
    "chatter": (
        "今天的课真累啊", "谁有《秋天的雨》的课件？", "麻烦各位老师把反思发到邮箱", "反思收到，谢谢各位", "这个案例写得太感人了",
        "王老师，你的听课记录借我看看", "我们组的案例已经交齐了", "有老师一起去听课吗", "下午三点开会，不用签到",
        "签到的时候要拍照吗？", "请大家下载新的听课记录表", "分享：2026年教学反思优秀作品集", "今天状态不错😄",
        "大家好，我是新来的刘老师", "明天放假吗？", "收到收到", "👌", "[链接] 教育部关于教师培训的通知",
        "转发一下县里的研修通知", "反思怎么交？发群里还是发邮箱？", "谢谢陈老师的听课记录，学到了", "打卡的功能在哪",
        "李老师签到了吗？", "研修群的签到规则改了吗", "这周谁负责写案例？", "周五的教研活动取消了", "我们学校也在搞听课周",
        "祝大家周末愉快🌸", "好的，马上交", "@刘洋 收到请回复", "家长会改到下周二", "今天下雪了，注意安全",
        "期末复习资料已发群文件", "教学反思范文分享给大家参考", "谁能帮我看看这篇反思的格式对不对",
        "明天听课的老师名单：李明、赵丽", "各位老师辛苦了，本周研修圆满结束", "我先去上课了", "好嘞", "👏👏",
    ),
    "near_miss": ("反思：今天很累", "【教育叙事】待补充", "签道了", "听课记录：很好"),
    "presence": ("到到到", "我在", "已经到了", "在线～"),
    "command": ("、mine", "我的记录", "我的档案", "、me"),
}


def second_week() -> list[Item]:
    return [Item((text,), label) for label, texts in SECOND_WEEK.items() for text in texts]


_first_week = corpus


def corpus() -> list[Item]:  # noqa: F811 - the whole corpus: both weeks
    return _first_week() + second_week()


# --- a third week: quoted replies, mixed scripts, long greetings, notices that look like posts ----------

THIRD_WEEK = {
    "checkin": (
        "各位老师早上好！今天我签到啦🌸🌸", "[太阳]签到", "签到（王芳）", "王芳：签到", "紫阳二小王芳签到",
        "簽到 今天有教研活動", "早，打卡～～～", "打卡✌️第20天", "今日份打卡", "Day 21 打卡",
        "「李明：签到」\n- - - - - - - - - - - - - - -\n我也签到", "回复 李明：打卡",
    ),
    "reflection": (
        "#教学反思#《找春天》\n这节课带孩子们到校园里找春天，孩子们观察得很仔细，可是回到教室后交流环节有些乱，下次要先明确交流的顺序和要求，每组派代表发言。",
        "【周反思】\n本周主要进行了期中复习。我发现学生对应用题的审题能力较弱，常常没读完题就动笔，下周准备每天安排五分钟的审题训练，并让学生圈画关键词。",
        "研修日志：今天参加了网络教研，专家讲了大单元教学设计，我意识到自己的备课还停留在单课时，以后要从单元整体出发思考目标和评价，先从下一单元试起。",
        "《植物妈妈有办法》课后反思\n\n本课我用了动画导入，孩子们兴趣浓厚。但生字教学时间不足，书写指导只做了一个字，课后作业中错字较多，明天要补一次书写指导。",
        "@研修助手 教学反思：今天的口算练习我改成了小组竞赛，孩子们的积极性很高，正确率也比平时高，但个别后进生跟不上节奏，下次要分层设计题目。",
    ),
    "case": (
        "【班主任工作案例】\n开学第一周，班里两个孩子因为争当值日组长吵了起来。我让全班讨论组长应该具备什么品质，再由大家投票，两个孩子都接受了结果，后来成了好朋友。",
        "教学案例：《圆的认识》\n我先让学生用各种方法画圆，再追问“为什么这样画出来的都是圆”，学生在操作和争论中自己发现了半径处处相等的特征，理解得比听讲深刻。",
    ),
    "observation": (
        "听课记录\n时间：11月19日\n执教：赵丽\n课题：《秋天的雨》\n优点：朗读形式多样\n不足：板书略显凌乱",
        "今天下午听了李明老师的数学课《分数的初步认识》，学生动手折纸理解分数，效果很好。",
        "【听评课】听了陈静老师的《My school》一课，课堂用语规范，活动设计贴近学生生活，建议增加小组展示时间。",
    ),
    "question": (
        "我这个月反思交了没有呀？", "@研修助手 我的听课记录算上了吗", "我还缺几篇案例？", "请问我今天签到成功了吗？",
        "我的学时现在多少了呀",
    ),
    "chatter": (
        "「王芳：反思：今天……」\n- - - - - - - - - - - - - - -\n写得真好！", "回复 王芳：学习了👍", "王芳老师的反思值得学习",
        "【通知】本周五下午教研活动，请各位老师准时签到", "【温馨提示】反思请在月底前提交", "#教学反思# 征文活动开始啦，欢迎投稿",
        "教学反思的写作要点：1.写成功之处 2.写不足之处 3.写学生见解", "转发：《如何写好听课记录》", "打卡签到二维码已更新",
        "11月签到统计：\n1. 王芳 20天\n2. 李明 18天", "接龙：周六加班名单\n1. 李明\n2. 赵丽", "大家好，明天听课改在多媒体教室",
        "今天的公开课反响很好", "这篇案例是我去年写的，分享给大家", "签到时间是早上8点前吗", "听说明天要查听课记录",
        "我们组反思交齐了", "好的，收到，我会按时签到", "请各位老师把教学案例发给教研组长", "王老师，听课记录表在群文件里",
        "[图片][图片]", "哈哈，我也是", "下周三全体教师会议", "今天作业好多改不完😭", "谢谢大家的关心",
        "《秋天的雨》课件分享\n链接：https://pan.baidu.com/s/xyz", "@全体成员 请本周完成研修打卡", "打卡挑战第一天，大家加油！",
        "你们签到了吗？", "这个月的反思主题是什么？",
    ),
    "near_miss": ("教学反思：今天的课还不错", "案例：待写"),
    "presence": ("已进入会议", "在线✋"),
    "command": ("、mine", "撤销"),
}


def third_week() -> list[Item]:
    return [Item((text,), label) for label, texts in THIRD_WEEK.items() for text in texts]


_two_weeks = corpus


def corpus() -> list[Item]:  # noqa: F811 - the whole corpus: three weeks
    return _two_weeks() + third_week()
