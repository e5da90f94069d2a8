"""The web dashboard's use cases: who is looking (from a signed pass), and what they see or do —
the overview by school or workshop, people, sessions, work waiting, operations, downloads.

Everything takes the unit of work and the time, and keeps to the viewer's scope; the web layer only
renders what comes back. Numbers come from the same services and rules the chat uses (standings,
compliance, the workbook and the briefing).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.checkins import month_bounds
from bot.domain.dashboard import LINK_MINUTES, PROGRAM, Pass, Scope, scope_for, sign
from bot.domain.people import match_school
from bot.domain.policy import Policy
from bot.domain.records import LABELS, RecordKind
from bot.domain.roles import school_role_label
from bot.domain.sessions import HeldSession, MonthCompliance, compliance
from bot.i18n import Translator
from bot.kernel.access import resolve_roles, rule_for
from bot.kernel.delivery import outgoing_to_json
from bot.kernel.dispatcher import UserError
from bot.kernel.messages import ChatKind, ChatRef, OutgoingMessage
from bot.services import joining, leave
from bot.services.audit import Actor, record
from bot.services.people import label
from bot.services.scores import Standing, current_period, grade_label, line_text, missing_text, standings
from storage.dashboard import DashboardQueries, OutboxHealth
from storage.models import Member, OnlineSession
from storage.repositories import Repositories
from storage.sessions import session_end, session_start

GRADES = ("excellent", "pass", "fail")


@asynccontextmanager
async def unit_of_work(session_factory) -> AsyncIterator[Repositories]:
    """One transaction for one web request, as the dispatcher opens one for one chat message."""
    async with session_factory() as session, session.begin():
        yield Repositories(session)


# --- links -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LinkIssuer:
    """Signs dashboard links; set once per process by the composition root (handlers get no settings)."""

    base_url: str
    secret: bytes

    def link(self, account: str, member_id: int | None, scope: Scope, now: datetime) -> tuple[str, datetime]:
        expires = now + timedelta(minutes=LINK_MINUTES)
        token = sign(Pass("link", account, member_id, scope, int(expires.timestamp())), self.secret)
        return f"{self.base_url.rstrip('/')}/dashboard/login?t={token}", expires


_issuer: LinkIssuer | None = None


def set_link_issuer(issuer: LinkIssuer | None) -> None:
    global _issuer
    _issuer = issuer


@dataclass(frozen=True)
class Link:
    url: str
    expires: datetime
    scope_label: str


async def dashboard_link(uow: Repositories, policy: Policy, member: Member | None, roles: frozenset[str],
                         account: str, now: datetime) -> Link:
    """A signed link for the asker, scoped to the units they lead; UserError when off or not a leader."""
    if _issuer is None:
        raise UserError("dashboard_off")
    scope = scope_for(roles, school_id=member.school_id if member else None,
                      workshop_id=member.workshop_id if member else None,
                      group_id=member.group_id if member else None)
    if scope is None:
        raise UserError("dashboard_no_unit")
    url, expires = _issuer.link(account, member.id if member else None, scope, now)
    return Link(url, expires, await scope_label(uow, scope, policy))


# --- who is looking ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Viewer:
    account: str
    member_id: int | None
    name: str
    roles: frozenset[str]
    scope: Scope
    scope_label: str

    @property
    def actor(self) -> str:
        """Named as the chat's audit entries name people: roster name and platform account."""
        return f"{self.name} ({self.account})" if self.name else self.account

    @property
    def as_actor(self) -> Actor:
        """The viewer as the shared services name and check whoever acts."""
        return Actor(label=self.actor, member_id=self.member_id, roles=self.roles)

    def may(self, route_name: str) -> bool:
        """The chat's permission table decides what the page offers too."""
        return rule_for(route_name).allows(self.roles)


async def viewer_for(uow: Repositories, token: Pass, admins: frozenset[tuple[str, str]], policy: Policy) -> Viewer | None:
    """The viewer a pass names, if their roles today still give the scope it was signed for."""
    platform, _, user_id = token.account.partition(":")
    member = await uow.members.by_account(platform, user_id)
    if member is not None and member.left_at is not None:
        member = None
    if token.member_id != (member.id if member else None):
        return None
    granted = await uow.members.roles(member.id) if member else set()
    roles = resolve_roles(member is not None, granted, (platform, user_id) in admins)
    scope = scope_for(roles, school_id=member.school_id if member else None,
                      workshop_id=member.workshop_id if member else None,
                      group_id=member.group_id if member else None)
    if scope != token.scope:
        return None
    return Viewer(token.account, token.member_id, member.name if member else "", roles, scope,
                  await scope_label(uow, scope, policy))


async def scope_label(uow: Repositories, scope: Scope, policy: Policy) -> str:
    if scope.is_program:
        return policy.name
    unit = await uow.units(scope.kind).get(scope.unit_id)
    return unit.name if unit else "?"


async def audit(uow: Repositories, viewer: Viewer, action: str, target: str, now: datetime,
                before: dict | None = None, after: dict | None = None) -> None:
    await record(uow, viewer.as_actor, now, action, target, before, after)


async def audit_refusal(uow: Repositories, reason: str, path: str, remote: str, now: datetime) -> None:
    """A refused link or session: nobody is known for sure, so the entry names the web and the address."""
    await record(uow, Actor(label=f"web ({remote})"), now, "dashboard.refused", path, after={"reason": reason})


async def _member_ids(uow: Repositories, scope: Scope) -> set[int] | None:
    """The members inside a unit scope (None: the whole program)."""
    if scope.is_program:
        return None
    lines = await uow.members.roster(**{f"{scope.kind}_id": scope.unit_id})
    return {line.member.id for line in lines}


async def scoped_standings(uow: Repositories, policy: Policy, today: date, scope: Scope) -> list[Standing]:
    filters = {f"{scope.kind}_id": scope.unit_id} if scope.kind in ("school", "workshop") else {}
    ranked = await standings(uow, policy, today, **filters)
    if scope.kind == "group":
        inside = await _member_ids(uow, scope) or set()
        ranked = [s for s in ranked if s.who.member_id in inside]
    return ranked


# --- overview ----------------------------------------------------------------------------------

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


async def overview(uow: Repositories, policy: Policy, zone: ZoneInfo, today: date, scope: Scope, by: str) -> Overview:
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
        key = who.school if by == "school" else (who.workshop or "（未分工作坊）")
        row = rows.setdefault(key, UnitRow(name=key, sessions=sessions_by_school.get(who.school_id, ())
                                           if by == "school" else ()))
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
    program = _compliance([h for _, h in held], policy, today)
    return Overview(
        month=first, period_name=period.name, by=by, rows=ordered, total=total,
        hours_target=policy.hours.school_based_per_semester,
        hours_due=round(policy.hours.school_based_per_semester * period.hours_share, 1),
        online_target=policy.hours.online_per_semester,
        reflections_per_month=records.reflections_per_month, cases_per_month=records.cases_per_month,
        program_sessions=program.months,
    )


async def _held(uow: Repositories, zone: ZoneInfo, first: date, last: date) -> list[tuple[int, HeldSession]]:
    """(session id, how compliance counts it) for the sessions starting on [first, last], as
    bot.services.sessions.held_sessions counts them, keeping the id to split them by school."""
    start = datetime.combine(first, time.min, zone)
    end = datetime.combine(last + timedelta(days=1), time.min, zone)
    return [
        (online.id, HeldSession(session_start(online).astimezone(zone).date(),
                                online.valid if online.status == "ended" else None))
        for online in await uow.online_sessions.between(start, end) if online.status != "cancelled"
    ]


def _compliance(held: list[HeldSession], policy: Policy, today: date):
    semester, rules = policy.semester, policy.sessions
    return compliance(held, semester_start=semester.start, semester_end=semester.end, breaks=semester.breaks,
                      today=today, per_month=rules.per_month, per_semester=rules.per_semester)


async def _school_compliance(uow: Repositories, policy: Policy, zone: ZoneInfo, today: date) -> dict[int, tuple]:
    """Month by month, the sessions each school took part in against the rule."""
    held = await _held(uow, zone, policy.semester.start, policy.semester.end)
    schools_of = await DashboardQueries(uow.db).session_schools([session_id for session_id, _ in held])
    by_school: dict[int, list[HeldSession]] = {}
    for session_id, session in held:
        for school_id in schools_of.get(session_id, []):
            by_school.setdefault(school_id, []).append(session)
    schools = [school for school, _ in await uow.schools.listing()]
    return {school.id: _compliance(by_school.get(school.id, []), policy, today).months for school in schools}


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


async def people(uow: Repositories, policy: Policy, t: Translator, today: date, scope: Scope, query: str = "") -> list[PersonRow]:
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
    categories = {"school": "校本", "online": "线上"}
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
    inside = await _scope_schools(uow, scope)
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


async def _scope_schools(uow: Repositories, scope: Scope) -> set[int] | None:
    if scope.is_program:
        return None
    if scope.kind == "school":
        return {scope.unit_id}
    lines = await uow.members.roster(**{f"{scope.kind}_id": scope.unit_id})
    return {line.member.school_id for line in lines}


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


# --- work waiting ------------------------------------------------------------------------------

@dataclass(frozen=True)
class JoinView:
    id: int
    name: str
    school: str
    who: str
    reason: str
    created_at: datetime
    candidates: list[tuple[int, str]]
    schools: list[str]
    suggested_school: str


@dataclass(frozen=True)
class SummaryView:
    session_id: int
    topic: str
    writer: str
    text: str


@dataclass(frozen=True)
class Waiting:
    joins: list[JoinView]
    summaries: list[SummaryView]
    leaves: list = field(default_factory=list)
    """Pending leave requests (bot.services.leave.LeaveView): coordinators decide them."""
    objections: list = field(default_factory=list)
    """Open objections to a published score (bot.services.leave.ObjectionView)."""


async def waiting(uow: Repositories, t: Translator, scope: Scope) -> Waiting:
    """Join requests (program-wide: only coordinators decide them) and summaries handed in."""
    joins = []
    if scope.is_program:
        schools = [school.name for school, _ in await uow.schools.listing()]
        for request in await uow.join_requests.open():
            candidates = []
            for member_id in request.candidates:
                member = await uow.members.get(member_id)
                if member is not None:
                    candidates.append((member.id, label(member)))
            matched = match_school(request.school_name, schools)
            joins.append(JoinView(
                request.id, request.name, request.school_name, request.display_name or request.user_id,
                t(f"pending_reason_{request.reason}").rstrip("："), request.created_at, candidates, schools,
                matched[0] if len(matched) == 1 else "",
            ))
    inside = await _scope_schools(uow, scope)
    queries = DashboardQueries(uow.db)
    submitted = await queries.summaries_submitted()
    schools_of = await queries.session_schools([s.id for s in submitted])
    summaries = []
    for online in submitted:
        if inside is not None and not inside & set(schools_of.get(online.id, [])):
            continue
        writer = await uow.members.get(online.summary_writer_id) if online.summary_writer_id else None
        summaries.append(SummaryView(online.id, online.topic, writer.name if writer else "", online.summary_text))
    if not scope.is_program:
        return Waiting(joins, summaries)
    return Waiting(joins, summaries, await leave.pending_leave(uow), await leave.open_objections(uow))


@dataclass(frozen=True)
class Decision:
    message: str
    """What the coordinator is told on the page (the chat's reply text)."""
    notice: OutgoingMessage
    """What the requester is told in chat, queued in the outbox."""


async def approve_join(uow: Repositories, t: Translator, viewer: Viewer, request_id: int, choice: str,
                       now: datetime) -> Decision:
    """/approve from the page: the chat's use case (bot.services.joining), then the notice queued."""
    if not viewer.may("approve"):
        raise UserError("not_allowed", command="approve")
    decision = await joining.approve(uow, viewer.as_actor, now, await _platform_of(uow, request_id), request_id,
                                     choice.strip())
    notice = _to_requester(decision.requester, t("approved_notice", name=decision.name, school=decision.school))
    await _queue(uow, f"join:{decision.request_id}:decision", notice, now)
    return Decision(t("approved", id=decision.request_id, member=decision.member), notice)


async def reject_join(uow: Repositories, t: Translator, viewer: Viewer, request_id: int, reason: str,
                      now: datetime) -> Decision:
    if not viewer.may("reject"):
        raise UserError("not_allowed", command="reject")
    reason = reason.strip()[:200]
    decision = await joining.reject(uow, viewer.as_actor, now, await _platform_of(uow, request_id), request_id,
                                    reason)
    notice = _to_requester(decision.requester, t("rejected_notice", name=decision.name,
                                                 reason=reason or t("rejected_no_reason")))
    await _queue(uow, f"join:{decision.request_id}:decision", notice, now)
    return Decision(t("rejected", id=decision.request_id, name=decision.name), notice)


async def _platform_of(uow: Repositories, request_id: int) -> str:
    """The page is on no platform: a request is decided on its own (the chat decides its platform's)."""
    request = await uow.join_requests.get(request_id)
    if request is None:
        raise UserError("request_not_found", id=request_id)
    return request.platform


async def decide_leave(uow: Repositories, t: Translator, viewer: Viewer, request_id: int, approve: bool,
                       note: str, now: datetime) -> Decision:
    """/leave approve|reject from the page, audited and told to the teacher as the chat command does."""
    if not viewer.scope.is_program:
        raise UserError("not_allowed", command="leave approve")
    note = note.strip()[:200]
    view = await leave.decide_leave(uow, request_id, approve, viewer.actor, now)
    await audit(uow, viewer, "leave.approve" if approve else "leave.reject", f"#{view.id} {view.name}", now,
                before={"status": "pending"}, after={"status": view.status, "note": note})
    key = "leave_approved" if approve else "leave_rejected"
    span = leave_span(view.first, view.last)
    notice = OutgoingMessage(chat=view.chat, text=t(f"{key}_notice", span=span, kind=view.kind_label,
                                                    note=note or t("leave_no_note")))
    await _queue(uow, f"leave:{view.id}:decision", notice, now)
    return Decision(t(key, id=view.id, name=view.name, span=span), notice)


def leave_span(first: date, last: date) -> str:
    day = f"{first.month}月{first.day}日"
    return day if first == last else f"{day}—{last.month}月{last.day}日"


def _to_requester(who: joining.Requester, text: str) -> OutgoingMessage:
    """The decision goes back to the chat the teacher asked in."""
    return OutgoingMessage(chat=ChatRef(who.platform, who.chat_id, ChatKind(who.chat_kind)), text=text)


async def _queue(uow: Repositories, key: str, message: OutgoingMessage, now: datetime) -> None:
    """In the outbox, in the decision's transaction: sent by the next sweep (or at once, if the
    server was given a way to flush it) and never lost to a failed send."""
    chat = message.chat
    await uow.outbox.enqueue(f"{key}@{chat.platform}:{chat.chat_id}"[:120], "decision",
                             [outgoing_to_json(message)], now)


# --- operations --------------------------------------------------------------------------------

@dataclass(frozen=True)
class BoundChat:
    platform: str
    chat_id: str
    title: str
    scope: str
    unit: str


@dataclass(frozen=True)
class Operations:
    outbox: OutboxHealth
    failed: list[tuple[str, int, int]]
    """(group title or chat, waiting after a failure, given up)."""
    bindings: dict[str, list[BoundChat]]


async def operations(uow: Repositories, t: Translator, now: datetime) -> Operations:
    health = await DashboardQueries(uow.db).outbox_health(now)
    schools = {school.id: school for school, _ in await uow.schools.listing(include_archived=True)}
    workshops = {w.id: w for w, _ in await uow.workshops.listing(include_archived=True)}
    bindings: dict[str, list[BoundChat]] = {}
    titles = {}
    for b in await uow.bindings.all():
        if b.scope == "school":
            unit = f"{schools[b.school_id].name}（{school_role_label(schools[b.school_id].role) or '学校'}）" \
                if b.school_id in schools else "?"
        elif b.scope == "workshop":
            unit = workshops[b.workshop_id].name if b.workshop_id in workshops else "?"
        else:
            unit = t("announce_program")
        bindings.setdefault(b.platform, []).append(BoundChat(b.platform, b.chat_id, b.title, b.scope, unit))
        titles[f"{b.platform}:{b.chat_id}"] = b.title or unit
    failed = [(titles.get(chat, chat), waiting_, given_up) for chat, waiting_, given_up in health.failed]
    return Operations(health, failed, bindings)


# --- downloads ---------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Download:
    file_name: str
    content: bytes
    mime_type: str


async def export_workbook(uow: Repositories, policy: Policy, t: Translator, zone: ZoneInfo, today: date,
                          viewer: Viewer, unit: Scope, first: date, last: date, now: datetime) -> Download:
    """The /export workbook for a unit the viewer may see (their own, or any for a coordinator)."""
    if unit.kind == "group" or not (viewer.scope.is_program or unit == viewer.scope):
        raise UserError("dashboard_out_of_scope")
    from bot.render.exports import to_xlsx  # documents are rare: a worker answering chat never loads them
    from bot.services.reports import workbook

    filters = {} if unit.is_program else {f"{unit.kind}_id": unit.unit_id}
    label = t("announce_program") if unit.is_program else await scope_label(uow, unit, policy)
    sheets = await workbook(uow, policy, t, zone, today, first, last, **filters)
    name = f"研修台账-{label}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
    await audit(uow, viewer, "export.workbook", name, now, after={"rows": [len(sheet.rows) for sheet in sheets]})
    return Download(name, to_xlsx(sheets, title=f"{policy.name} {label}"), XLSX)


async def export_briefing(uow: Repositories, policy: Policy, t: Translator, zone: ZoneInfo, today: date,
                          viewer: Viewer, month: date, now: datetime) -> Download:
    """The month's 简报 covers the whole program: for program viewers only."""
    if not viewer.scope.is_program:
        raise UserError("dashboard_out_of_scope")
    from bot.render.exports import briefing_docx
    from bot.services.reports import briefing

    report = await briefing(uow, policy, t, zone, month, f"{policy.name}研修简报", today)
    stem = f"研修简报-{month:%Y年%m月}"
    await audit(uow, viewer, "export.briefing", stem, now)
    return Download(f"{stem}.docx", briefing_docx(report), DOCX)


async def units_for_downloads(uow: Repositories, viewer: Viewer, policy: Policy) -> list[tuple[Scope, str]]:
    """The units a viewer may download: the program and every school and workshop, or their own."""
    if not viewer.scope.is_program:
        return [] if viewer.scope.kind == "group" else [(viewer.scope, viewer.scope_label)]
    units: list[tuple[Scope, str]] = [(PROGRAM, policy.name)]
    units += [(Scope("school", s.id), s.name) for s, _ in await uow.schools.listing()]
    units += [(Scope("workshop", w.id), w.name) for w, _ in await uow.workshops.listing()]
    return units

