"""What the dashboard shows, inside the viewer's scope: the overview by school or workshop, people,
one teacher's semester, and the online sessions. Numbers come from the same services and rules the
chat uses (standings, scores, compliance)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.checkins import month_bounds
from bot.domain.dashboard import Scope
from bot.domain.policy import Policy
from bot.domain.records import LABELS, RecordKind
from bot.domain.sessions import HeldSession, MonthCompliance
from bot.i18n import Translator
from bot.services.dashboard import schools_in_scope, scoped_standings
from bot.services.scores import current_period, grade_label, line_text, missing_text, standings
from bot.services.compliance import compliance_lines, held_of, semester_compliance, sessions_between, several
from bot.services.units import partnerships
from storage.dashboard import DashboardQueries
from storage.models import OnlineSession
from storage.repositories import Repositories
from storage.sessions import session_end, session_start

GRADES = ("excellent", "pass", "fail")


@dataclass
class UnitRow:
    """One school or workshop at a glance, this month and this semester."""

    name: str
    teachers: int = 0
    reflections_done: int = 0
    cases_done: int = 0
    observations_done: int = 0
    semester_reflections_done: int = 0
    """Teachers owing no reflection for the semester's months so far (as their score counts it)."""
    semester_cases_done: int = 0
    checkins: int = 0
    school_hours: float = 0.0
    online_hours: float = 0.0
    grades: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GRADES, 0))
    sessions: tuple[MonthCompliance, ...] = ()
    behind: bool = False
    unit: Scope | None = None
    """The school or workshop, for links that filter by it (None: teachers in no workshop)."""

    @property
    def month_completion(self) -> float:
        """Share of this month's reflection and case quotas met (teachers × 2 items)."""
        if not self.teachers:
            return 1.0
        return (self.reflections_done + self.cases_done) / (2 * self.teachers)

    @property
    def school_hours_avg(self) -> float:
        return self.school_hours / self.teachers if self.teachers else 0.0

    @property
    def online_hours_avg(self) -> float:
        return self.online_hours / self.teachers if self.teachers else 0.0


@dataclass(frozen=True)
class Overview:
    month: date
    today: date
    period_name: str
    by: str
    rows: list[UnitRow]
    total: UnitRow
    hours_target: float
    hours_due: float
    """The target pro rata to today: what a teacher on track has by now."""
    online_target: float
    reflections_per_month: int
    cases_per_month: int
    program_sessions: tuple[MonthCompliance, ...]
    partnership_compliance: tuple[str, ...] = ()
    """With several partnerships: the /compliance lines, each partnership under its 基地校."""


async def overview(uow: Repositories, policy: Policy, zone: ZoneInfo, today: date, scope: Scope, by: str,
                   t: Translator | None = None) -> Overview:
    by = by if by in ("school", "workshop") else "school"
    period = current_period(policy, today)
    first, last = month_bounds(today)
    ranked = await scoped_standings(uow, policy, today, scope)
    month = await uow.scores.activities(period.key, first, last)
    semester = await uow.scores.activities(period.key, period.first, period.last)
    checkins = await DashboardQueries(uow.db).checkin_counts(first, last)
    sessions_by_school = await _school_compliance(uow, policy, zone, today)
    rows: dict[str, UnitRow] = {}
    total = UnitRow(name="合计")
    records = policy.records
    for standing in ranked:
        who = standing.who
        if by == "school":
            key, unit, held = who.school, Scope("school", who.school_id), sessions_by_school.get(who.school_id, ())
        else:
            key, held = who.workshop or "（未分工作坊）", ()
            unit = Scope("workshop", who.workshop_id) if who.workshop_id is not None else None
        row = rows.setdefault(key, UnitRow(name=key, sessions=held, unit=unit))
        this_month = month.get(who.member_id)
        observed = (semester[who.member_id].observations if who.member_id in semester else 0) \
            >= records.observations_per_semester
        for target in (row, total):
            target.teachers += 1
            if this_month and sum(this_month.reflections.values()) >= records.reflections_per_month:
                target.reflections_done += 1
            if this_month and sum(this_month.cases.values()) >= records.cases_per_month:
                target.cases_done += 1
            target.observations_done += observed
            owed = {m.item for m in standing.score.missing}
            target.semester_reflections_done += "reflection" not in owed
            target.semester_cases_done += "case" not in owed
            target.checkins += checkins.get(who.member_id, 0)
            target.school_hours += standing.school_hours
            target.online_hours += standing.online_hours
            target.grades[standing.score.grade] = target.grades.get(standing.score.grade, 0) + 1
    ordered = sorted(rows.values(), key=lambda r: (r.month_completion, r.name))
    for row in ordered:
        row.behind = row.month_completion < total.month_completion
    held = await _held(uow, zone, policy.semester.start, policy.semester.end)
    program = semester_compliance([h for _, h in held], policy, today)
    return Overview(
        month=first, today=today, period_name=period.name, by=by, rows=ordered, total=total,
        hours_target=policy.hours.school_based_per_semester,
        hours_due=round(policy.hours.school_based_per_semester * period.hours_share, 1),
        online_target=policy.hours.online_per_semester,
        reflections_per_month=records.reflections_per_month, cases_per_month=records.cases_per_month,
        program_sessions=program.months,
        partnership_compliance=tuple(await compliance_lines(uow, policy, t, zone, today))
        if t is not None and scope.is_program and several(await partnerships(uow)) else (),
    )


async def _held(uow: Repositories, zone: ZoneInfo, first: date, last: date) -> list[tuple[int, HeldSession]]:
    """(session id, how compliance counts it): the id splits them by school."""
    return [(online.id, held_of(online, zone)) for online in await sessions_between(uow, zone, first, last)]


async def _school_compliance(uow: Repositories, policy: Policy, zone: ZoneInfo, today: date) -> dict[int, tuple]:
    """Month by month, the sessions each school took part in against the rule."""
    held = await _held(uow, zone, policy.semester.start, policy.semester.end)
    schools_of = await DashboardQueries(uow.db).session_schools([session_id for session_id, _ in held])
    by_school: dict[int, list[HeldSession]] = {}
    for session_id, session in held:
        for school_id in schools_of.get(session_id, []):
            by_school.setdefault(school_id, []).append(session)
    schools = [school for school, _ in await uow.schools.listing()]
    return {school.id: semester_compliance(by_school.get(school.id, []), policy, today).months for school in schools}


# --- people ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PersonRow:
    member_id: int
    name: str
    school: str
    workshop: str
    group: str
    school_hours: float
    online_hours: float
    points: float
    grade: str
    missing: str


async def people(
    uow: Repositories, policy: Policy, t: Translator, today: date, scope: Scope, query: str = "",
) -> list[PersonRow]:
    """The teachers in scope, best score first; `query` matches name, school, workshop or group."""
    words = query.split()
    rows = []
    for s in await scoped_standings(uow, policy, today, scope):
        who = s.who
        text = f"{who.name} {who.school} {who.workshop} {who.group}"
        if all(word in text for word in words):
            rows.append(PersonRow(who.member_id, who.name, who.school, who.workshop, who.group, s.school_hours,
                                  s.online_hours, s.score.points, s.score.grade, missing_text(t, s.score.missing)))
    return rows


@dataclass(frozen=True)
class RecordView:
    kind: str
    day: date
    title: str
    body: str
    attachments: tuple[str, ...]


@dataclass(frozen=True)
class HoursView:
    day: date
    category: str
    hours: float
    description: str


@dataclass(frozen=True)
class TeacherPage:
    member_id: int
    name: str
    school: str
    workshop: str
    group: str
    subject: str
    records: list[RecordView]
    hours: list[HoursView]
    score_lines: list[str]
    points: float | None
    grade: str
    missing: str


async def teacher(uow: Repositories, policy: Policy, t: Translator, today: date, scope: Scope,
                  member_id: int) -> TeacherPage | None:
    """One teacher's semester: records, hours ledger and score lines; None outside the scope."""
    member = await uow.members.get(member_id)
    if member is None or not scope.covers(member.school_id, member.workshop_id, member.group_id):
        return None
    semester = policy.semester
    records = [
        RecordView(LABELS[RecordKind(r.kind)], r.day, r.title, r.body,
                   tuple(a.get("file_name") or a.get("kind", "") for a in r.attachments or []))
        for r in await uow.records.between(member.id, semester.start, semester.end)
    ]
    categories = {"school": "校本", "online": "线上", "county": "县级", "above_county": "县级以上"}
    hours = [
        HoursView(line.day, categories.get(line.category, line.category), line.hours, line.description)
        for line in await DashboardQueries(uow.db).hours_lines(member.id, semester.start, semester.end)
    ]
    ranked = await standings(uow, policy, today, school_id=member.school_id)
    mine = next((s for s in ranked if s.who.member_id == member.id), None)
    return TeacherPage(
        member.id, member.name, member.school.name, member.workshop.name if member.workshop else "",
        member.group.name if member.group else "", member.subject, records, hours,
        [line_text(t, line) for line in mine.score.lines] if mine else [],
        mine.score.points if mine else None, grade_label(t, mine.score.grade) if mine else "",
        missing_text(t, mine.score.missing) if mine else "",
    )


# --- sessions ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SessionView:
    id: int
    topic: str
    host: str
    start: datetime
    minutes: int
    status: str
    valid: bool | None
    schools: list[tuple[str, int | None, int | None]]
    """(school, present, required) — counts once the session was evaluated."""
    problems: list[str]
    attendees: list[str]
    summary_status: str
    summary_text: str
    upcoming: bool


async def sessions(uow: Repositories, policy: Policy, t: Translator, zone: ZoneInfo, now: datetime,
                   scope: Scope) -> list[SessionView]:
    """This semester's sessions the scope's schools take part in, upcoming first, then the latest."""
    semester = policy.semester
    start = datetime.combine(semester.start, time.min, zone)
    end = datetime.combine(semester.end + timedelta(days=1), time.min, zone)
    found = await uow.online_sessions.between(start, end)
    found += [s for s in await uow.online_sessions.open_sessions() if s.id not in {f.id for f in found}]
    schools_of = await DashboardQueries(uow.db).session_schools([s.id for s in found])
    inside = await schools_in_scope(uow, scope)
    names = {school.id: school.name for school, _ in await uow.schools.listing(include_archived=True)}
    views = []
    for online in found:
        school_ids = schools_of.get(online.id, [])
        if inside is not None and not inside & set(school_ids):
            continue
        views.append(await _session_view(uow, t, online, school_ids, names, now))
    upcoming = sorted((v for v in views if v.upcoming), key=lambda v: v.start)
    past = sorted((v for v in views if not v.upcoming), key=lambda v: v.start, reverse=True)
    return upcoming + past


async def _session_view(uow: Repositories, t: Translator, online: OnlineSession, school_ids: list[int],
                        names: dict[int, str], now: datetime) -> SessionView:
    verdict = online.verdict or {}
    counts = {c["school_id"]: (c["present"], c["required"]) for c in verdict.get("schools", [])}
    problems = [
        t(f"session_problem_{p['code']}", school=names.get(p.get("school_id"), ""), have=p.get("have"),
          need=p.get("need"), host=online.host.name)
        for p in verdict.get("problems", [])
    ]
    attendees = sorted({member.name for _stretch, member in await uow.attendance.of_session(online.id)})
    return SessionView(
        online.id, online.topic, online.host.name, session_start(online), online.planned_minutes, online.status,
        online.valid,
        [(names.get(school_id, "?"), *counts.get(school_id, (None, None))) for school_id in school_ids],
        problems, attendees, online.summary_status, online.summary_text,
        online.status in ("scheduled", "live") and session_end(online) >= now,
    )
