"""What a teacher's post means, read the way teachers really write in QQ/WeChat training groups.

`understand` turns one message text into an `Understanding`: a check-in, a 接龙 relay, a record
(reflection, case, observation) with its fields, a question about one's own progress, a near miss
worth one brief hint, a short presence word, a command typed on a Chinese keyboard, or chatter.
Pure and cached: every text rule of the router asks it, and the answer for one text never changes.

Chatter must stay silent, so every rule errs on that side: a word like 反思 or 签到 only counts in
the position a header or a check-in puts it (the start of the post, a bracket, a hashtag, the end
of a short title line), never in the middle of a sentence about it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache

from bot.domain.dates import PAST, find_date_prefix, parse_date
from bot.domain.record_text import ObservationDraft, clean_teacher_name, title_of
from bot.domain.records import RecordKind
from bot.domain.relay import Relay, parse_relay
from bot.domain.text import clean_text, fold, normalize


class Intent(str, enum.Enum):
    CHECKIN = "checkin"
    RELAY = "relay"
    RECORD = "record"
    HEADER = "header"
    """A record's header or title alone: the body (or a photo) follows in the next message."""
    OBSERVATION = "observation"
    QUESTION = "question"
    MENTION = "mention"
    """The bot was addressed with nothing it can place."""
    NEAR_MISS = "near_miss"
    PRESENCE = "presence"
    COMMAND = "command"
    """A slash command typed as 、 by the IME (、me), or a command's Chinese keyword."""
    CHATTER = "chatter"


class Hint(str, enum.Enum):
    """What a near miss lacked: one brief hint each."""

    CHECKIN_TYPO = "checkin_typo"
    OBSERVATION_FIELDS = "observation_fields"


@dataclass(frozen=True)
class Understanding:
    intent: Intent
    kind: RecordKind | None = None
    title: str = ""
    body: str = ""
    """The record's text as the teacher wrote it (Traditional stays Traditional), header removed."""
    note: str = ""
    """A check-in's words after the keyword."""
    name: str = ""
    """A name written with a check-in (王芳签到): only the sender may be checked in."""
    relay: Relay | None = None
    observation: ObservationDraft | None = None
    hint: Hint | None = None
    command: str = ""
    args: str = ""
    addressed: bool = False
    """The post addressed the bot (@研修助手, a platform mention)."""


CHATTER = Understanding(Intent.CHATTER)

BOT_NAMES = ("研修助手", "研修小助手", "小助手", "助手", "yanxiu_bot", "yanxiu", "研修机器人", "机器人")

# --- what comes before the post proper: quotes, replies, mentions -------------------------------

_QUOTE_BLOCK = re.compile(r"^「[^」]*」\s*\n\s*(?:-\s*){3,}\s*\n", re.DOTALL)
"""WeChat's quoted reply: 「张三：原文」, a dashed rule, then the new text."""
_QUOTE_LINE = re.compile(r"^(?:回复|引用|回覆)\s*@?[^:：\n]{1,20}[:：][^\n]*\n")
_REPLY_PREFIX = re.compile(r"^(?:回复|回覆)\s*@?[^:：\s]{1,20}\s*[:：]\s*")
_MENTION = re.compile(r"^@(?P<who>[^\s@:：,，]{1,24})[\s:：,，\u2005]*")


@dataclass(frozen=True)
class Stripped:
    text: str
    addressed: bool


def strip_preamble(text: str) -> Stripped:
    """Drop a quoted reply, 回复 xx:, and leading @mentions; note whether the bot was one of them."""
    text = clean_text(text).replace("\r\n", "\n").strip()
    addressed = False
    for _ in range(5):
        before = text
        text = _QUOTE_BLOCK.sub("", text, count=1).lstrip()
        text = _QUOTE_LINE.sub("", text, count=1).lstrip()
        text = _REPLY_PREFIX.sub("", text, count=1).lstrip()
        mention = _MENTION.match(text)
        if mention:
            who = normalize(mention["who"]).lower()
            addressed = addressed or any(who.startswith(name.lower()) for name in BOT_NAMES)
            text = text[mention.end():].lstrip()
        if text == before:
            break
    return Stripped(text, addressed)


# --- check-ins ----------------------------------------------------------------------------------

_GREETING = (
    r"(?:(?:各位|亲爱的)?(?:老师们?|领导|同仁|伙伴们?|大家)(?:早上好|上午好|下午好|晚上好|好|早)"
    r"|早上好|早安|上午好|下午好|晚上好|早|大家好|你好|您好|hello|hi|morning|good morning)"
)
_VERB = r"(?:签到|打卡|签个到|打个卡|报到|签了到|补个?卡|补签到?|check\s?-?\s?in|sign\s?-?\s?in|clock\s?in)"
_AFTER = r"(?:了|啦|咯|喽|啰|罗|哦|哟|呀|啊|嘞|哈|呢|完毕|成功|完成|ok|\+1|一下)*"
_DAY_COUNT = r"(?:第?[0-9一二三四五六七八九十百]+天|day\s?[0-9]+)"
_WECHAT_EMOJI = r"\[[\u4e00-\u9fffA-Za-z]{1,4}\]"
"""WeChat's emoji as text: [太阳] [玫瑰] [强]."""
_NOT_PRE = r"(?:今天|今日|今早|准时|按时|研修|每日|日常|学习|培训|已经|已|我|本人|来|第|签|打卡|报到)"
_CHECKIN = re.compile(
    rf"^(?:{_WECHAT_EMOJI}\s*)*(?:{_GREETING}(?:呀|啊|哦|哈|啦)?[\s,，.。!！]*)*(?:{_WECHAT_EMOJI}\s*)*#?\s*"
    rf"(?:(?!{_NOT_PRE})(?P<pre>[\u4e00-\u9fff·]{{2,8}}?)(?:老师)?[\s,，:：]*)?"
    rf"(?:今天|今日份?|今早|我|本人|也|都)*(?:已经?|来|准时|按时)?"
    rf"(?:{_DAY_COUNT}\s*)?(?:研修|每日|日常|学习|培训)?"
    rf"{_VERB}(?:{_VERB})*#?{_AFTER}(?P<count>\s*{_DAY_COUNT})?"
    r"(?P<tail>.*)$",
    re.DOTALL,
)
_TAIL_NAME = re.compile(r"^[\s,，:：\-—(（]*(?P<name>[\u4e00-\u9fff·]{2,4}?)(?:老师)?[)）]?[\s。.!！]*$")
_TAIL_NOTE = re.compile(r"^[\s,，:：;；。.!！\-—]+(?P<note>.+)$", re.DOTALL)
_ASKING = re.compile(r"[吗嘛哪么啥谁几表]|什么|怎么|时间|地点|链接|二维码")
_TO_OTHERS = re.compile(r"^(?:大家|各位|老师们|别忘|不要忘|记得|请|都|谁|还有|没签|未签)")
_PUNCT_ONLY = re.compile(r"^(?:[\s,，。.!！✓√✔✅]|\[[\u4e00-\u9fffA-Za-z]{1,4}\])*$")
_NOT_A_NAME = re.compile(
    r"^(?:记得|请|大家|准时|按时|忘记|忘了|没有|还没|不要|别忘|需要|要|都|统一|开始|每天|明天|昨天|怎么|如何|"
    r"在哪|哪里|提醒|通知|注意|谁|今天|今日|已经|我们|你们|他们|不用|不能|可以|补|补签|代|帮|"
    r"集体|全员|全体|线上|线下|现场|扫码|登录|一起)"
)
_TYPO = re.compile(rf"^(?:{_GREETING}[\s,，]*)?(?:已)?(?:签道|前到|打咔|签倒|打卡卡)[了啦!！。\s]*$")

# --- presence during a live session --------------------------------------------------------------

_PRESENCE = re.compile(
    r"^(?:我)?(?:已|已经)?(?:到+|在|来了|到了|在线|上线|进入|进来了|入会|进会|已进入|进入直播间|进入会议|"
    r"已进会议室|在听|收看中|观看中|已就位|就位)(?:了|啦|咯|喽|哦|呀)?[\s!！。.✋🙋]*$"
)

# --- records ------------------------------------------------------------------------------------

REFLECTION_WORDS = (
    "教学反思", "课后反思", "教后反思", "教学后记", "教后记", "教后感", "每周反思", "本周反思", "周反思",
    "每日反思", "今日反思", "日反思", "本月反思", "月反思", "研修反思", "学习反思", "培训反思",
    "反思随笔", "教学随笔", "教育随笔", "随笔", "研修心得", "学习心得", "培训心得", "心得体会", "读书心得",
    "心得", "研修感悟", "学习感悟", "教学感悟", "感悟", "研修日志", "反思",
)
CASE_WORDS = (
    "教学案例", "教育案例", "德育案例", "班主任案例", "典型案例", "案例分析", "个案分析", "个案研究", "个案",
    "教育叙事", "教学叙事", "叙事研究", "叙事", "教育故事", "教学故事", "案例",
)
OBSERVATION_WORDS = (
    "听课记录表", "听课记录", "听课笔记", "听课反思", "听课感受", "听课心得", "观课记录", "观课报告",
    "观课笔记", "观课议课", "观课", "听评课", "评课记录", "评课稿", "评课", "课堂观察", "听课",
)
_KIND_OF: dict[str, RecordKind] = {
    **{word: RecordKind.REFLECTION for word in REFLECTION_WORDS},
    **{word: RecordKind.CASE for word in CASE_WORDS},
    **{word: RecordKind.OBSERVATION for word in OBSERVATION_WORDS},
}
_KIND_WORDS = "|".join(sorted(map(re.escape, _KIND_OF), key=len, reverse=True))
_QUALIFIER = (
    r"(?:(?:[0-9一二三四五六七八九十]+月(?:份)?|第[0-9一二三四五六七八九十]+(?:周|次|篇)|本周|本月|这周|这个月|"
    r"今日|今天|每周|每日|[0-9]{1,2}[./][0-9]{1,2}|[0-9]{4}[-./][0-9]{1,2}[-./][0-9]{1,2}|"
    r"学科|语文|数学|英语|的|之|我的)\s*)*"
)
_OPEN = r"(?:[【\[〖［(（「『]\s*|#\s*)"
_CLOSE = r"(?:\s*[】\]〗］)）」』#])"
_BRACKET = r"(?P<bracket>[【\[〖［(（「『]\s*)"
_SEP = r"[\s:：,，。.\-—|｜]"
_NOTE = r"(?:\s*[(（][^)）\n]{1,12}[)）])?"
_HEADER_START = re.compile(
    rf"^(?:{_BRACKET}(?:[^】\]〗］)）」』\n]{{0,6}}?(?={_KIND_WORDS}))?|(?P<hash>#\s*))?{_QUALIFIER}(?:教学|教育)?"
    rf"(?P<kw>{_KIND_WORDS}){_QUALIFIER}{_NOTE}"
    rf"(?(bracket){_CLOSE}{_SEP}*|(?:(?P<closehash>#){_SEP}*|(?:{_SEP}+|(?=《)|$)))",
)
"""The kind first: 【教学反思】…, #反思 …, 反思：…, 11月教学案例 《…》…, 课后反思(第3周)."""
_TITLE_THEN_KIND = re.compile(
    rf"^(?:(?P<book>《[^《》\n]{{1,40}}》)\s*[\-—·:：|｜]*\s*|(?P<plain>[^\n#【】《》]{{2,30}}?)\s*[\-—·:：|｜]+\s*)"
    rf"(?:{_OPEN})?(?P<kw>{_KIND_WORDS})(?:{_CLOSE})?\s*[:：]?\s*$"
)
"""A title line with the kind after it: 《秋天的雨》教学反思, 一次小组合作的尝试——教育叙事."""
_NOT_RECORD_AFTER = re.compile(
    r"^(?:要求|模板|范文|格式|怎么写|如何写|写作|提交|截止|上交|已|都|什么时候|交了|写了|写完|收齐|"
    r"统计|汇总|评比|通知|名单|的要求|的模板|的提交|的截止|大家|请|记得|还没|没交|催交|也要)"
)
SHORT_BODY = 40
_NOTICE_BODY = re.compile(r"征文|投稿|活动|通知|开始了?|截止|请|欢迎|报名|评比|要求|模板|范文|链接|群文件|提交")
_ARTICLE = re.compile(r"^(?:【?转发|转载|分享|推荐|推送|链接|文章|好文|转|http|www\.)|公众号|mp\.weixin|阅读原文|点击链接")
_LESSON_PLAN = re.compile(r"教学设计|教案|导学案|课件|说课稿|教学计划|活动方案|作业设计")
_NOTICE = re.compile(
    r"^(?:通知|请|提醒|温馨提示|重要|注意|各位|大家|关于|@所有人|@全体)|(?:请|务必|记得|提醒|按时|尽快|截止)"
    r".{0,20}(?:提交|上交|完成|签到|打卡|写好|上传)"
)

# --- structured observation forms (听课记录表) ------------------------------------------------------

_FORM_LABELS = {
    "teacher": ("执教者", "执教教师", "执教老师", "授课教师", "授课老师", "授课人", "上课教师", "上课老师", "执教人",
                "执教", "教师", "老师"),
    "topic": ("课题", "课名", "授课内容", "教学内容", "课文", "内容"),
    "class": ("班级学科", "授课班级", "班级", "年级", "学科"),
    "date": ("听课时间", "听课日期", "上课时间", "授课时间", "时间", "日期"),
}
_NOTE_LABELS = (
    "优点", "亮点", "优点与亮点", "不足", "缺点", "问题", "不足之处", "建议", "改进建议", "意见", "评价", "总评",
    "听课感受", "感受", "收获", "教学过程", "过程", "记录", "评析", "点评", "反思",
)
_LABELLED = re.compile(r"^\s*[0-9一二三四五六七八九十]*[.、)]?\s*(?P<label>[\u4e00-\u9fff]{1,6})\s*[:：]\s*(?P<value>.*)$")

# --- questions about one's own progress ----------------------------------------------------------

_SELF = r"(?:我|俺|本人|自己)"
_TOPIC = (r"(?:差|缺|还要|还需|还得|够|算|多少|几篇|几次|几天|几个|进度|学时|课时|时长|积分|分数|得分|成绩|"
          r"完成|交了|交没交|提交|记录|登记|统计|签到|打卡|反思|案例|听课|达标|合格|考核)")
_QUESTION_MARK = r"(?:吗|么|嘛|没|没有|多少|几|什么|啥|哪些|怎样|如何|是否|呢|\?|？)"
_QUESTION = re.compile(rf"{_SELF}.{{0,12}}{_TOPIC}.{{0,16}}{_QUESTION_MARK}|^(?:查|查询|查下|查查|看看|看一下|查一下|帮我查一?下?){_SELF}")
_OTHERS_QUESTION = re.compile(r"(?:大家|你们|谁|哪位|各位|他|她)")

# --- commands typed on a Chinese keyboard --------------------------------------------------------

_IME_COMMAND = re.compile(r"^[、\\／](?P<name>[A-Za-z][A-Za-z0-9_]{0,31})(?:\s+(?P<args>.*))?$", re.DOTALL)


def understand(text: str, today: date, *, addressed: bool = False) -> Understanding:
    """What `text` means; never raises (an unreadable post is chatter)."""
    try:
        return _understand(text, today, addressed)
    except Exception:  # noqa: BLE001 - understanding is best effort: silence beats a traceback
        return CHATTER


@lru_cache(maxsize=2048)
def _understand(text: str, today: date, addressed: bool) -> Understanding:
    stripped = strip_preamble(text)
    addressed = addressed or stripped.addressed
    original = stripped.text
    folded = fold(original)
    if not folded:
        return Understanding(Intent.MENTION, addressed=True) if addressed else CHATTER
    found = (
        _ime_command(folded)
        or _relay(original)
        or _checkin(folded)
        or _record(original, folded, today)
        or _question(folded, addressed)
        or _presence(folded)
        or _near_miss(folded)
    )
    if found is not None:
        return _with(found, addressed=addressed)
    if addressed:
        return Understanding(Intent.MENTION, addressed=True)
    return CHATTER


def _with(found: Understanding, **changes: object) -> Understanding:
    return replace(found, **changes)


def _ime_command(folded: str) -> Understanding | None:
    found = _IME_COMMAND.match(folded)
    if found is None:
        return None
    return Understanding(Intent.COMMAND, command=found["name"].lower(), args=(found["args"] or "").strip())


def _relay(original: str) -> Understanding | None:
    relay = parse_relay(normalize(original))
    if relay is None:
        return None
    if not relay.is_checkin:
        return CHATTER
    return Understanding(Intent.RELAY, relay=relay)


def _checkin(folded: str) -> Understanding | None:
    first_line, _, _ = folded.partition("\n")
    if _NOTICE.search(first_line) and not _CHECKIN.match(first_line):
        return None
    found = _CHECKIN.match(folded)
    if found is None:
        return None
    name = found["pre"] or ""
    if name and _NOT_A_NAME.match(name):
        return None
    tail = found["tail"]
    if found["count"]:
        tail = " " + found["count"].strip() + tail
    if _PUNCT_ONLY.match(tail):
        return Understanding(Intent.CHECKIN, name=name)
    named = _TAIL_NAME.match(tail)
    if named and not name and not _NOT_A_NAME.match(named["name"]) and not _ASKING.search(named["name"]):
        return Understanding(Intent.CHECKIN, name=named["name"])
    note = _TAIL_NOTE.match(tail)
    if note and _TO_OTHERS.match(note["note"]):
        return None
    if note and not name:
        return Understanding(Intent.CHECKIN, note=note["note"].strip())
    if note and name:
        return Understanding(Intent.CHECKIN, name=name, note=note["note"].strip())
    return None


def _presence(folded: str) -> Understanding | None:
    return Understanding(Intent.PRESENCE) if _PRESENCE.match(folded) else None


def _near_miss(folded: str) -> Understanding | None:
    if _TYPO.match(folded):
        return Understanding(Intent.NEAR_MISS, hint=Hint.CHECKIN_TYPO)
    return None


def _question(folded: str, addressed: bool) -> Understanding | None:
    if len(folded) > 60 or "\n" in folded:
        return None
    if not _QUESTION.search(folded):
        return None
    if _OTHERS_QUESTION.search(folded.split("我")[0]) and not addressed:
        return None
    return Understanding(Intent.QUESTION)


# --- records ------------------------------------------------------------------------------------


def _lines(original: str) -> tuple[list[str], list[str]]:
    """The post's lines as written and as matched (same count: folding never adds line breaks)."""
    lines = [line.strip() for line in original.replace("\r", "").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    return lines, [fold(line) for line in lines]


def _record(original: str, folded: str, today: date) -> Understanding | None:
    if _ARTICLE.search(folded.partition("\n")[0]) or "http" in folded[:200]:
        return None
    lines, matched = _lines(original)
    if not lines:
        return None
    head = _header(lines, matched)
    if head is None:
        return _plain_observation(original, folded, today)
    kind, title, body_lines = head
    body = "\n".join(body_lines).strip()
    if body and len(body) < SHORT_BODY and _NOTICE_BODY.search(fold(body)):
        return None  # #教学反思# 征文活动开始啦: a notice under a record's tag
    if _LESSON_PLAN.search(matched[0]) and kind is not RecordKind.OBSERVATION and not body:
        return None
    if kind is RecordKind.OBSERVATION:
        return _observation(title, body, today)
    title = title or title_of(body)
    if not body:
        return Understanding(Intent.HEADER, kind=kind, title=title)
    return Understanding(Intent.RECORD, kind=kind, title=title, body=body)


def _header(lines: list[str], matched: list[str]) -> tuple[RecordKind, str, list[str]] | None:
    """(kind, title, body lines) when the first line or two say what kind of record this is."""
    first = matched[0]
    start = _HEADER_START.match(first)
    if start is not None and not _NOT_RECORD_AFTER.match(first[start.end():]):
        kind = _KIND_OF[start["kw"]]
        rest = _same_tail(lines[0], first, start.end())
        title = ""
        if not rest and len(lines) > 1 and _is_title_line(matched[1]):
            title = _original_title(lines[1:2], matched[1].strip("《》 "))
            lines = lines[:1] + lines[2:]
        body = ([rest] if rest else []) + lines[1:]
        return kind, title, body
    titled = _TITLE_THEN_KIND.match(first)
    if titled is not None and not _LESSON_PLAN.search(first) and not _NOTICE.search(first):
        title = (titled["book"] or titled["plain"]).strip("《》 —-·:：")
        if title and not _NOT_RECORD_AFTER.match(title) and not _QUESTION.search(first):
            return _KIND_OF[titled["kw"]], _original_title([lines[0]], title), lines[1:]
    if len(lines) > 1 and _is_title_line(first):
        second = _HEADER_START.match(matched[1])
        if second is not None and not _same_tail(lines[1], matched[1], second.end()):
            return _KIND_OF[second["kw"]], _original_title(lines[:1], first.strip("《》 ")), lines[2:]
    return None


def _is_title_line(line: str) -> bool:
    return bool(line) and (
        (line.startswith("《") and line.endswith("》") and len(line) <= 42)
        or (len(line) <= 20 and not re.search(r"[，,。.!！?？:：]", line))
    )


def _same_tail(original_line: str, folded_line: str, end: int) -> str:
    """The original text after the first `end` matched characters (kept in the teacher's own script)."""
    rest_folded = folded_line[end:].strip()
    if not rest_folded:
        return ""
    original = original_line.strip()
    for cut in range(len(original) + 1):
        if fold(original[cut:]) == rest_folded:
            return original[cut:].strip()
    return rest_folded


def _original_title(lines: list[str], folded_title: str) -> str:
    """The title as the teacher wrote it (《My School》 keeps its capitals, 《秋天的雨》 its script)."""
    if not folded_title:
        return folded_title
    for line in lines[:3]:
        line = line.strip()[:60]
        for start in range(len(line)):
            for end in range(len(line), start, -1):
                if fold(line[start:end]) == folded_title:
                    return line[start:end].strip()
    return folded_title


def _observation(title: str, body: str, today: date) -> Understanding:
    form = _form(body, today)
    if form is not None:
        return Understanding(Intent.OBSERVATION, kind=RecordKind.OBSERVATION, observation=form, body=body)
    draft = _prose_observation(body, today)
    if draft is not None:
        return Understanding(Intent.OBSERVATION, kind=RecordKind.OBSERVATION, observation=draft, body=body)
    if not body:
        return Understanding(Intent.HEADER, kind=RecordKind.OBSERVATION, title=title)
    return Understanding(Intent.NEAR_MISS, kind=RecordKind.OBSERVATION, hint=Hint.OBSERVATION_FIELDS)


def _plain_observation(original: str, folded: str, today: date) -> Understanding | None:
    """An observation in prose without a header: 今天听了赵老师的语文课《秋天的雨》，…"""
    form = _form(original, today)
    if form is not None:
        return Understanding(Intent.OBSERVATION, kind=RecordKind.OBSERVATION, observation=form, body=original)
    if not re.match(r"^(?:[0-9一二三四五六七八九十]+月[0-9一二三四五六七八九十]+[日号]?|今天|昨天|前天|上午|下午|周.)?\s*"
                    r"(?:我)?(?:上午|下午|第.节)?(?:去)?(?:听了|观摩了|聆听了|听)", folded):
        return None
    draft = _prose_observation(original, today)
    if draft is None:
        return None
    return Understanding(Intent.OBSERVATION, kind=RecordKind.OBSERVATION, observation=draft, body=original)


_PROSE = re.compile(
    r"(?:听了?|观摩了?|聆听了?|观看了?)\s*(?P<teacher>[\u4e00-\u9fff·]{1,4}?)老师(?:执教)?(?:的)?"
    r"(?P<class>[^《\n，,。]{0,20}?)(?:课|一课)?\s*《(?P<topic>[^《》\n]{1,40})》(?:一课|这节课|这堂课)?"
    r"[\s,，。:：]*(?P<notes>.*)$",
    re.DOTALL,
)


def _prose_observation(body: str, today: date) -> ObservationDraft | None:
    text = normalize(body)
    dated = find_date_prefix(text, today, prefer=PAST)
    observed_on = dated[0] if dated is not None and dated[0] <= today else None
    found = _PROSE.search(text[:160])
    if found is None:
        return None
    notes = _same_tail(body, text, found.start("notes")) if found["notes"].strip() else ""
    return ObservationDraft(
        teacher=clean_teacher_name(found["teacher"]),
        observed_on=observed_on,
        class_subject=found["class"].strip(" 的，,"),
        topic=found["topic"].strip(),
        notes=notes or found["notes"].strip(),
    )


def _value_as_written(written: str, value: str) -> str:
    """A labelled line's value in the teacher's own script (课題：分數… stays Traditional)."""
    for separator in ("：", ":"):
        if separator in written:
            candidate = written.split(separator, 1)[1].strip()
            if normalize(candidate) == value:
                return candidate
    return value


def _form(text: str, today: date) -> ObservationDraft | None:
    """The 听课记录表 schools hand out: 执教者：…, 课题：…, 班级：…, 时间：…, then 优点/不足/建议."""
    values: dict[str, str] = {}
    notes: list[str] = []
    for written in clean_text(text).replace("\r", "").split("\n"):
        line = normalize(written)
        labelled = _LABELLED.match(line)
        if labelled is None:
            if notes and line.strip():
                notes.append(written.strip())
            continue
        label, value = labelled["label"], _value_as_written(written, labelled["value"].strip())
        slot = next((name for name, labels in _FORM_LABELS.items() if label in labels), None)
        if slot is not None and slot not in values:
            values[slot] = value
        elif label in _NOTE_LABELS or any(label.endswith(word) for word in _NOTE_LABELS):
            notes.append(written.strip())
    if "teacher" not in values or "topic" not in values:
        return None
    observed_on = parse_date(values["date"], today, prefer=PAST) if values.get("date") else None
    if observed_on is None and values.get("date"):
        dated = find_date_prefix(values["date"], today, prefer=PAST)
        observed_on = dated[0] if dated else None
    return ObservationDraft(
        teacher=clean_teacher_name(values["teacher"]),
        observed_on=observed_on,
        class_subject=values.get("class", ""),
        topic=values["topic"].strip("《》 "),
        notes="\n".join(notes) or values.get("topic", ""),
    )
