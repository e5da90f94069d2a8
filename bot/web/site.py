"""One program's dashboard: sign-in by link, the session cookie, and the pages.

Every request is one unit of work; the viewer is re-read from the database each time (a revoked
role closes the dashboard at once) and every visit, refusal and action is written to the audit log.
Everything the site links to, redirects to or scopes a cookie to lies under its program's path, and
its tokens are signed with its program's secret: one program's session never opens another's pages.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.domain.dashboard import SINGLE_PATH, BadToken, Pass, Scope, form_token, sign, verify
from bot.domain.dates import parse_date
from bot.domain.policy import Policy
from bot.i18n import Translator
from bot.kernel.clock import Clock
from bot.kernel.dispatcher import UserError
from bot.kernel.metrics import LAST_SWEEP
from bot.services import dashboard as access
from bot.services import dashboard_views as views
from bot.services import dashboard_work as work
from bot.web.pages import Pages

log = logging.getLogger("yanxiu.web")

COOKIE = "yanxiu_dashboard"
FLASH = "yanxiu_flash"


@dataclass
class DashboardConfig:
    """What one program's dashboard needs from the composition root."""

    session_factory: Any
    policy: Policy
    zone: ZoneInfo
    clock: Clock
    t: Translator
    secret: bytes
    """The program's own signing key (`bot.domain.dashboard.program_secret`)."""
    base_url: str
    session_minutes: int = 120
    admins: frozenset[tuple[str, str]] = frozenset()
    queue: work.Queue | None = None
    """The outbox's queuing, for the notices decisions send (required to decide anything)."""
    flush: Callable[[], Awaitable[object]] | None = None
    """Sends what an action queued (the approval notice) now rather than at the next sweep."""
    path: str = SINGLE_PATH
    """Where the program's pages are served (`bot.domain.dashboard.dashboard_path`)."""


class DashboardSite:
    """One program's pages, as an aiohttp application mounted at `config.path` by DashboardServer."""

    def __init__(self, config: DashboardConfig) -> None:
        self.config, self.path = config, config.path
        self.pages = Pages(config.zone, config.policy.name, config.path)

    def application(self) -> web.Application:
        """Routes relative to the mount point: `<path>/login`, `<path>/people`, …"""
        app = web.Application(middlewares=[self._errors])
        get, post = app.router.add_get, app.router.add_post
        get("/login", self.login)
        get("/logout", self.logout)
        get("", self.to_root)
        get("/", self.overview)
        get("/people", self.people)
        get("/people/{member_id:\\d+}", self.teacher)
        get("/sessions", self.sessions)
        get("/waiting", self.waiting)
        post("/waiting/{request_id:\\d+}/approve", self.approve)
        post("/waiting/{request_id:\\d+}/reject", self.reject)
        post("/leave/{request_id:\\d+}/{verdict:approve|reject}", self.decide_leave)
        get("/operations", self.operations)
        get("/downloads", self.downloads)
        get("/downloads/export.xlsx", self.export_xlsx)
        get("/downloads/briefing.docx", self.briefing_docx)
        return app

    # --- access ----------------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.config.clock.now()

    def _today(self) -> date:
        return self._now().astimezone(self.config.zone).date()

    @web.middleware
    async def _errors(self, request: web.Request, handler):
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except Exception:
            log.exception("dashboard request failed path=%s", request.path)
            return self.pages.problem(500, "出错了", "页面出错，已记录在日志中。请稍后再试。")

    async def _refuse(self, request: web.Request, reason: str, *, forget: bool = True) -> web.Response:
        """403 for a bad, expired or outgrown pass (forgetting the session), or a forged form; audited."""
        async with access.unit_of_work(self.config.session_factory) as uow:
            await access.audit_refusal(uow, reason, request.path, _client(request), self._now())
        response = self.pages.problem(
            403, "无法打开看板",
            "链接无效、已过期，或您的权限已变化。请在与机器人的私聊中发送 /dashboard 获取新的链接。",
        )
        if forget:
            response.del_cookie(COOKIE, path=self.path)
        return response

    async def login(self, request: web.Request) -> web.StreamResponse:
        try:
            token = verify(request.query.get("t", ""), self.config.secret, int(self._now().timestamp()), "link")
        except BadToken as bad:
            return await self._refuse(request, f"link {bad.reason}")
        async with access.unit_of_work(self.config.session_factory) as uow:
            viewer = await access.viewer_for(uow, token, self.config.admins, self.config.policy)
            if viewer is not None:
                await access.audit(uow, viewer, "dashboard.login", viewer.scope_label, self._now(),
                                    after={"scope": viewer.scope.encode(), "from": _client(request)})
        if viewer is None:
            return await self._refuse(request, "link outgrown")
        expires = self._now() + timedelta(minutes=self.config.session_minutes)
        session = sign(Pass("session", token.account, token.member_id, token.scope, int(expires.timestamp())),
                       self.config.secret)
        response = _see_other(f"{self.path}/")
        response.set_cookie(COOKIE, session, path=self.path, httponly=True, samesite="Lax",
                            secure=self.config.base_url.startswith("https://"),
                            max_age=self.config.session_minutes * 60)
        return response

    async def logout(self, request: web.Request) -> web.StreamResponse:
        response = self.pages.problem(200, "已退出", "已退出网页看板。需要时在私聊中发送 /dashboard 获取新的链接。")
        response.del_cookie(COOKIE, path=self.path)
        return response

    async def to_root(self, _request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"{self.path}/")

    def _session(self, request: web.Request) -> tuple[str, Pass] | None:
        cookie = request.cookies.get(COOKIE, "")
        try:
            return cookie, verify(cookie, self.config.secret, int(self._now().timestamp()), "session")
        except BadToken:
            return None

    async def _page(self, request: web.Request, action: Callable) -> web.StreamResponse:
        """Open the unit of work, check the viewer, audit the visit, and render what `action` returns."""
        found = self._session(request)
        if found is None:
            return await self._refuse(request, "no session" if COOKIE not in request.cookies else "session invalid")
        cookie, token = found
        async with access.unit_of_work(self.config.session_factory) as uow:
            viewer = await access.viewer_for(uow, token, self.config.admins, self.config.policy)
            if viewer is None:
                refused = True
            else:
                refused = False
                await access.audit(uow, viewer, "dashboard.view", request.path_qs, self._now())
                result = await action(uow, viewer)
        if refused:
            return await self._refuse(request, "session outgrown")
        if isinstance(result, web.StreamResponse):
            return result
        template, values = result
        flash = unquote(request.cookies.get(FLASH, ""))
        response = self.pages.render(template, viewer=viewer, form_token=form_token(cookie, self.config.secret),
                                     flash=flash, path=request.path, **values)
        if flash:
            response.del_cookie(FLASH, path=self.path)
        return response

    # --- pages -----------------------------------------------------------------------------

    async def overview(self, request: web.Request) -> web.StreamResponse:
        by = request.query.get("by", "school")

        async def show(uow, viewer):
            view = await views.overview(uow, self.config.policy, self.config.zone, self._today(), viewer.scope, by,
                                        self.config.t)
            return "overview.html", {"view": view}

        return await self._page(request, show)

    async def people(self, request: web.Request) -> web.StreamResponse:
        query = request.query.get("q", "").strip()[:50]

        async def show(uow, viewer):
            rows = await views.people(uow, self.config.policy, self.config.t, self._today(), viewer.scope, query)
            return "people.html", {"rows": rows, "query": query}

        return await self._page(request, show)

    async def teacher(self, request: web.Request) -> web.StreamResponse:
        member_id = int(request.match_info["member_id"])

        async def show(uow, viewer):
            page = await views.teacher(uow, self.config.policy, self.config.t, self._today(), viewer.scope, member_id)
            if page is None:
                return self.pages.problem(404, "找不到", "没有这位老师，或不在您负责的范围内。")
            return "teacher.html", {"page": page}

        return await self._page(request, show)

    async def sessions(self, request: web.Request) -> web.StreamResponse:
        async def show(uow, viewer):
            rows = await views.sessions(uow, self.config.policy, self.config.t, self.config.zone, self._now(),
                                          viewer.scope)
            return "sessions.html", {"rows": rows}

        return await self._page(request, show)

    async def waiting(self, request: web.Request) -> web.StreamResponse:
        async def show(uow, viewer):
            return "waiting.html", {"work": await work.waiting(uow, self.config.t, viewer.scope)}

        return await self._page(request, show)

    async def operations(self, request: web.Request) -> web.StreamResponse:
        async def show(uow, viewer):
            if not viewer.scope.is_program:
                return self.pages.problem(403, "无权查看", self.config.t("dashboard_out_of_scope"))
            swept = LAST_SWEEP.value()
            return "operations.html", {"ops": await work.operations(uow, self.config.t, self._now()),
                                       "last_sweep": datetime.fromtimestamp(swept, UTC) if swept else None}

        return await self._page(request, show)

    async def downloads(self, request: web.Request) -> web.StreamResponse:
        async def show(uow, viewer):
            units = await work.units_for_downloads(uow, viewer, self.config.policy)
            semester = self.config.policy.semester
            return "downloads.html", {
                "units": units, "first": semester.start, "last": min(self._today(), semester.end),
                "months": _months(semester.start, min(self._today(), semester.end)),
            }

        return await self._page(request, show)

    async def export_xlsx(self, request: web.Request) -> web.StreamResponse:
        try:
            unit = Scope.decode(request.query.get("unit", "program"))
        except ValueError:
            raise web.HTTPBadRequest(text="unit?") from None
        today, semester = self._today(), self.config.policy.semester
        first = parse_date(request.query.get("first", ""), today) or semester.start
        last = parse_date(request.query.get("last", ""), today) or min(today, semester.end)
        first, last = sorted((first, last))

        async def fetch(uow, viewer):
            try:
                found = await work.export_workbook(uow, self.config.policy, self.config.t, self.config.zone,
                                                      today, viewer, unit, first, last, self._now())
            except UserError as problem:
                return self.pages.problem(403, "无权下载", self.config.t(problem.key, **problem.values))
            return self._attachment(found)

        return await self._page(request, fetch)

    async def briefing_docx(self, request: web.Request) -> web.StreamResponse:
        try:
            year, month = (int(part) for part in request.query.get("month", "").split("-", 1))
            chosen = date(year, month, 1)
        except ValueError:
            chosen = self._today().replace(day=1)

        async def fetch(uow, viewer):
            try:
                found = await work.export_briefing(uow, self.config.policy, self.config.t, self.config.zone,
                                                      self._today(), viewer, chosen, self._now())
            except UserError as problem:
                return self.pages.problem(403, "无权下载", self.config.t(problem.key, **problem.values))
            return self._attachment(found)

        return await self._page(request, fetch)

    # --- actions ---------------------------------------------------------------------------

    async def approve(self, request: web.Request) -> web.StreamResponse:
        form, number = await request.post(), int(request.match_info["request_id"])
        return await self._act(request, form, lambda uow, viewer: work.approve_join(
            uow, self.config.queue, self.config.t, viewer, number, str(form.get("choice", "")), self._now()))

    async def reject(self, request: web.Request) -> web.StreamResponse:
        form, number = await request.post(), int(request.match_info["request_id"])
        return await self._act(request, form, lambda uow, viewer: work.reject_join(
            uow, self.config.queue, self.config.t, viewer, number, str(form.get("reason", "")), self._now()))

    async def decide_leave(self, request: web.Request) -> web.StreamResponse:
        form, number = await request.post(), int(request.match_info["request_id"])
        approve = request.match_info["verdict"] == "approve"
        return await self._act(request, form, lambda uow, viewer: work.decide_leave(
            uow, self.config.queue, self.config.t, viewer, number, approve, str(form.get("note", "")), self._now()))

    async def _act(self, request: web.Request, form, action: Callable) -> web.StreamResponse:
        """Run a decision in its own transaction (rolled back whole on a refusal), then show the
        result on the waiting page (post, redirect, get)."""
        found = self._session(request)
        if found is None:
            return await self._refuse(request, "no session")
        cookie, token = found
        if not hmac.compare_digest(str(form.get("form_token", "")), form_token(cookie, self.config.secret)):
            return await self._refuse(request, "form token", forget=False)
        message = ""
        try:
            async with access.unit_of_work(self.config.session_factory) as uow:
                viewer = await access.viewer_for(uow, token, self.config.admins, self.config.policy)
                if viewer is None:
                    raise _Outgrown
                message = (await action(uow, viewer)).message
        except _Outgrown:
            return await self._refuse(request, "session outgrown")
        except UserError as problem:
            message = self.config.t(problem.key, **problem.values)
        else:
            if self.config.flush is not None:
                try:
                    await self.config.flush()
                except Exception:
                    log.exception("sending queued messages after a dashboard action failed")
        response = _see_other(f"{self.path}/waiting")
        response.set_cookie(FLASH, quote(message), path=self.path, httponly=True, samesite="Lax", max_age=60)
        return response

    def _attachment(self, found: work.Download) -> web.Response:
        """The file to save; with several programs its name starts with the program's, so the same
        month's workbooks of two programs are told apart in a downloads folder."""
        name = found.file_name if self.path == SINGLE_PATH else f"{self.config.policy.name}-{found.file_name}"
        return web.Response(body=found.content, content_type=found.mime_type, headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
        })


class _Outgrown(Exception):
    """The viewer's roles no longer give the scope their session was signed for."""


def _client(request: web.Request) -> str:
    """The visitor's address: nginx's X-Real-IP when the request came through it on this machine."""
    remote = request.remote or ""
    if remote in ("127.0.0.1", "::1") and request.headers.get("X-Real-IP"):
        return request.headers["X-Real-IP"][:45]
    return remote


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _months(first: date, last: date) -> list[date]:
    months, cursor = [], first.replace(day=1)
    while cursor <= last:
        months.append(cursor)
        cursor = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
    return list(reversed(months))
