"""The files a project office files: a workbook of records, hours and scores for a date range, school
or workshop, and the monthly briefing (研修简报). Used by /export and `yanxiu export`."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.services.scores import current_period, grade_label, missing_text, standings
from bot.domain.checkins import month_bounds
from bot.domain.identity import platform_name
from bot.domain.records import LABELS, RecordKind
from bot.domain.roster import natural_key
from bot.domain.session_status import SessionStatus
from bot.i18n import Translator
from bot.services.compliance import compliance_lines
from bot.domain.policy import Policy
from storage.repositories import Repositories

if TYPE_CHECKING:  # at run time imported where used: it loads openpyxl and python-docx
    from bot.render.exports import Briefing, Sheet

CATEGORIES = {"school": "校本", "online": "线上", "county": "县级", "above_county": "县级以上"}


async def workbook(
    repos: Repositories, policy: Policy, t: Translator, zone: ZoneInfo, today: date, first: date, last: date,
    *, school_id: int | None = None, workshop_id: int | None = None, group_id: int | None = None,
) -> list[Sheet]:
    """Records (with their text and attachments), hours, scores, check-ins and completion by unit.

    The first three sheets keep their places: /export reports their row counts by position."""
    from bot.render.exports import Sheet

    records = [
        (rid, name, school, workshop, LABELS[RecordKind(kind)], day, title, length or 0, observed, subject,
         created.astimezone(zone).replace(tzinfo=None), body or "", attachment_names(attachments))
        for rid, name, school, workshop, kind, day, title, length, observed, subject, created, body, attachments
        in await repos.reports.records(first, last, school_id, workshop_id, group_id)
    ]
    hours = [
        (name, school, day, CATEGORIES.get(category, category), hours, minutes, describe_source(source), description)
        for name, school, day, category, hours, minutes, source, description
        in await repos.reports.hours(first, last, school_id, workshop_id, group_id)
    ]
    checkins = [
        (name, school, workshop, day, at.astimezone(zone).replace(tzinfo=None), platform_name(platform))
        for name, school, workshop, day, at, platform
        in await repos.reports.checkins(first, last, school_id, workshop_id, group_id)
    ]
    ranked = await standings(repos, policy, today, school_id=school_id, workshop_id=workshop_id,
                             group_id=group_id)
    scores = [
        (rank, s.who.name, s.who.school, s.who.workshop, s.school_hours, s.online_hours, s.score.points,
         grade_label(t, s.score.grade), missing_text(t, s.score.missing))
        for rank, s in enumerate(ranked, 1)
    ]
    return [
        Sheet("研修记录", ("编号", "姓名", "学校", "工作坊", "类型", "日期", "标题", "字数", "被听课教师", "班级学科",
                       "提交时间", "正文", "附件"), records),
        Sheet("学时台账", ("姓名", "学校", "日期", "类别", "学时", "分钟", "来源", "说明"), hours),
        Sheet(f"积分（{current_period(policy, today).name}）",
              ("排名", "姓名", "学校", "工作坊", "校本学时", "线上学时", "积分", "等级", "缺项"), scores),
        Sheet("签到", ("姓名", "学校", "工作坊", "日期", "签到时间", "平台"), checkins),
        Sheet("完成情况", ("单位类型", "单位", "教师人数", "全部完成", "完成率", "优秀", "合格", "不合格", "平均积分"),
              completion_rows(ranked)),
        *await declared_sheets(repos, policy, zone, first, last, school_id=school_id, workshop_id=workshop_id),
    ]


async def declared_sheets(repos: Repositories, policy: Policy, zone: ZoneInfo, first: date, last: date, *,
                          school_id: int | None = None, workshop_id: int | None = None) -> list[Sheet]:
    """One sheet per declared kind (教学设计, 研究课 …) with its records and their grades; none when the
    policy declares no kind."""
    from bot.render.exports import Sheet
    from storage.quotas import DeclaredRecords
    from storage.reviews import Reviews

    if not policy.records.kinds:
        return []
    rows = await DeclaredRecords(repos.db).report_rows(first, last, school_id, workshop_id)
    verdicts = await Reviews(repos.db).of_declared([row[0] for row in rows])
    names = [kind.name for kind in policy.records.kinds]
    names += sorted({row[1] for row in rows} - set(names))
    sheets = []
    for name in names:
        chosen = [
            (f"D{rid}", teacher, school, workshop, day, title, subject, about,
             created.astimezone(zone).replace(tzinfo=None), body or "", attachment_names(attachments),
             "；".join(f"{grade}（{reviewer}）" for reviewer, grade, _ in verdicts.get(rid, ())))
            for rid, kind, teacher, school, workshop, day, title, subject, about, created, body, attachments in rows
            if kind == name
        ]
        sheets.append(Sheet(name, ("编号", "姓名", "学校", "工作坊", "日期", "标题", "班级学科", "指导对象",
                                   "提交时间", "正文", "附件", "评定"), chosen))
    return sheets


SOURCES = {"record": "研修记录 #{}", "session": "网络研讨 #{}"}


def describe_source(source: str) -> str:
    """Where an hours line came from, in words: 研修记录 #12, 网络研讨 #3, 补录（企业微信群）."""
    kind, _, rest = source.partition(":")
    if kind in SOURCES and rest:
        return SOURCES[kind].format(rest)
    if kind == "sheet":
        return "补录表格"
    if kind == "credit":
        platform = rest.partition(":")[0]
        return f"补录（{platform_name(platform)}群）" if platform else "补录"
    return source


def attachment_names(attachments: list[dict] | None) -> str:
    return "、".join(item.get("file_name") or ("图片" if item.get("kind") == "photo" else "文件")
                    for item in attachments or ())


def completion_rows(ranked: list) -> list[tuple]:
    """Per school, then per workshop, in natural order: how many teachers have nothing missing."""
    rows = []
    for kind, unit_of in (("学校", lambda s: s.who.school), ("工作坊", lambda s: s.who.workshop)):
        units: dict[str, list] = {}
        for standing in ranked:
            if unit_of(standing):
                units.setdefault(unit_of(standing), []).append(standing)
        for unit in sorted(units, key=natural_key):
            people = units[unit]
            done = sum(1 for s in people if not s.score.missing)
            grades = [sum(1 for s in people if s.score.grade == grade) for grade in ("excellent", "pass", "fail")]
            average = round(sum(s.score.points for s in people) / len(people), 1)
            rows.append((kind, unit, len(people), done, f"{done / len(people):.0%}", *grades, average))
    return rows


async def briefing(
    repos: Repositories, policy: Policy, t: Translator, zone: ZoneInfo, month: date, title: str, today: date,
) -> Briefing:
    """The month in figures, its online sessions, the semester's compliance, and highlights."""
    from bot.render.exports import Briefing, Sheet

    first, last = month_bounds(month)
    counts = await repos.reports.counts(first, last)
    start = datetime.combine(first, datetime.min.time(), zone)
    held = await repos.online_sessions.between(start, start + timedelta(days=(last - first).days + 1))
    valid = [s for s in held if s.status == SessionStatus.ENDED and s.valid]
    figures = [
        ("签到人次", str(counts["checkins"])),
        ("教学反思", str(counts.get("reflection", 0))),
        ("教学案例", str(counts.get("case", 0))),
        ("听课记录", str(counts.get("observation", 0))),
        ("提交记录的教师", str(counts["active"])),
        ("网络研讨（有效/举行）", f"{len(valid)}/{sum(1 for s in held if s.status == SessionStatus.ENDED)}"),
    ]
    session_lines = [
        f"{s.planned_start.astimezone(zone):%m月%d日} 《{s.topic}》主持人{s.host.name}："
        + {SessionStatus.ENDED: "有效" if s.valid else "不符合要求", SessionStatus.CANCELLED: "已取消"}.get(
            SessionStatus(s.status), "已安排")
        for s in held
    ] or ["本月没有网络研讨。"]
    compliance = await compliance_lines(repos, policy, t, zone, today)
    highlights = [f"{name}：{LABELS[RecordKind(kind)]}《{title}》"
                  for name, kind, title in await repos.reports.longest_records(first, last)] or ["（暂无）"]
    ranked = await standings(repos, policy, today)
    top = Sheet("积分前十", ("排名", "姓名", "学校", "积分", "等级"), [
        (rank, s.who.name, s.who.school, s.score.points, grade_label(t, s.score.grade))
        for rank, s in enumerate(ranked[:10], 1)
    ])
    return Briefing(
        title=title, period=f"{month.year}年{month.month}月",
        figures=figures,
        sections=[("网络研讨", session_lines), ("达标情况", compliance), ("优秀记录", highlights)],
        table=top, issuer=policy.name, issued=today,
    )
