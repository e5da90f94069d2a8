"""What waits for the dashboard's viewer and what they act on: join requests, leave, objections and
summaries; the bot's operations; downloads. Decisions go through the chat's own use cases
(bot.services.joining, bot.services.leave), are audited the same way, and the teacher's notice goes
to the outbox in the decision's transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.dashboard import PROGRAM, Scope
from bot.domain.people import match_school
from bot.domain.policy import Policy
from bot.domain.roles import school_role_label
from bot.i18n import Translator
from bot.kernel.dispatcher import UserError
from bot.kernel.messages import ChatKind, ChatRef, OutgoingMessage
from bot.services import joining, leave
from bot.services.dashboard import Viewer, audit, schools_in_scope, scope_label
from bot.services.people import label
from storage.dashboard import DashboardQueries, OutboxHealth
from storage.repositories import Repositories


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
    inside = await schools_in_scope(uow, scope)
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


Queue = Callable[[Repositories, str, str, list[OutgoingMessage], datetime], Awaitable[int]]
"""The outbox's queuing (reminders.outbox.queue_messages, handed in by the composition root): the
teacher's notice is written in the decision's transaction and sent by the outbox, never lost to a
failed send."""


@dataclass(frozen=True)
class Decision:
    message: str
    """What the coordinator is told on the page (the chat's reply text)."""
    notice: OutgoingMessage
    """What the requester is told in chat, queued in the outbox."""


async def approve_join(uow: Repositories, queue: Queue, t: Translator, viewer: Viewer, request_id: int,
                       choice: str, now: datetime) -> Decision:
    """/approve from the page: the chat's use case (bot.services.joining), then the notice queued."""
    if not viewer.may("approve"):
        raise UserError("not_allowed", command="approve")
    decision = await joining.approve(uow, viewer.as_actor, now, await _platform_of(uow, request_id), request_id,
                                     choice.strip())
    notice = _to_requester(decision.requester, t("approved_notice", name=decision.name, school=decision.school))
    await queue(uow, f"join:{decision.request_id}:decision", "decision", [notice], now)
    return Decision(t("approved", id=decision.request_id, member=decision.member), notice)


async def reject_join(uow: Repositories, queue: Queue, t: Translator, viewer: Viewer, request_id: int,
                      reason: str, now: datetime) -> Decision:
    if not viewer.may("reject"):
        raise UserError("not_allowed", command="reject")
    reason = reason.strip()[:200]
    decision = await joining.reject(uow, viewer.as_actor, now, await _platform_of(uow, request_id), request_id,
                                    reason)
    notice = _to_requester(decision.requester, t("rejected_notice", name=decision.name,
                                                 reason=reason or t("rejected_no_reason")))
    await queue(uow, f"join:{decision.request_id}:decision", "decision", [notice], now)
    return Decision(t("rejected", id=decision.request_id, name=decision.name), notice)


async def _platform_of(uow: Repositories, request_id: int) -> str:
    """The page is on no platform: a request is decided on its own (the chat decides its platform's)."""
    request = await uow.join_requests.get(request_id)
    if request is None:
        raise UserError("request_not_found", id=request_id)
    return request.platform


async def decide_leave(uow: Repositories, queue: Queue, t: Translator, viewer: Viewer, request_id: int,
                       approve: bool, note: str, now: datetime) -> Decision:
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
    await queue(uow, f"leave:{view.id}:decision", "decision", [notice], now)
    return Decision(t(key, id=view.id, name=view.name, span=span), notice)


def leave_span(first: date, last: date) -> str:
    day = f"{first.month}月{first.day}日"
    return day if first == last else f"{day}—{last.month}月{last.day}日"


def _to_requester(who: joining.Requester, text: str) -> OutgoingMessage:
    """The decision goes back to the chat the teacher asked in."""
    return OutgoingMessage(chat=ChatRef(who.platform, who.chat_id, ChatKind(who.chat_kind)), text=text)


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
    if not (viewer.scope.is_program or unit == viewer.scope):
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
        return [(viewer.scope, viewer.scope_label)]
    units: list[tuple[Scope, str]] = [(PROGRAM, policy.name)]
    units += [(Scope("school", s.id), s.name) for s, _ in await uow.schools.listing()]
    units += [(Scope("workshop", w.id), w.name) for w, _ in await uow.workshops.listing()]
    return units
