"""An HTTP endpoint for operators: liveness, readiness (the database answers) and Prometheus metrics.

`HealthServer` (started by `Yanxiu.run` when `YANXIU_HEALTH_PORT` is set) serves

- `GET /livez`: 200 while the process answers at all (liveness);
- `GET /healthz`: 200 when a `SELECT 1` reaches the database within a short timeout, else 503 (readiness);
- `GET /metrics`: the registry through prometheus_client's aiohttp handler (text or OpenMetrics, as the
  scraper asks), the outbox gauges read from the database first, so a backlog shows even while the
  scheduler that would drain it is stuck.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select, text

from bot.kernel.metrics import METRICS, OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE, Registry, last_update_age
from storage.models import OutboxEntry

if TYPE_CHECKING:  # aiohttp.web is imported when a server starts: it is slow to import, and rarely needed
    from aiohttp import web
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger("yanxiu.health")


class HealthServer:
    """`/livez`, `/healthz` and `/metrics` over HTTP; `port` 0 binds any free port (read `port` after start)."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession] | Mapping[str, async_sessionmaker[AsyncSession]],
        listen: str = "127.0.0.1",
        port: int = 0,
        *,
        registry: Registry = METRICS,
        db_timeout: float = 2.0,
    ) -> None:
        self.databases = dict(session_factory) if isinstance(session_factory, Mapping) else {"": session_factory}
        """Program key → its database; one unnamed entry when the deployment runs one program."""
        self.listen, self.port = listen, port
        self.registry = registry
        self.db_timeout = db_timeout
        self._runner: web.AppRunner | None = None
        self._exposition = None

    async def start(self) -> None:
        from aiohttp import web
        from prometheus_client.aiohttp import make_aiohttp_handler

        self._exposition = make_aiohttp_handler(self.registry.collectors)
        app = web.Application()
        app.router.add_get("/livez", self._livez)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.listen, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]
        log.info("health and metrics on http://%s:%s (/healthz /livez /metrics)", self.listen, self.port)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def check_database(self) -> str | None:
        """None when `SELECT 1` succeeds within the timeout on every database, else the error's class
        name (with the program's key when there are several)."""
        for key, factory in self.databases.items():
            problem = await self._check_one(factory)
            if problem is not None:
                return f"{key}: {problem}" if key else problem
        return None

    async def _check_one(self, session_factory) -> str | None:
        try:
            async with asyncio.timeout(self.db_timeout), session_factory() as session:
                await session.execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 - any failure means "not ready"
            log.warning("health check: database unavailable (%s: %s)", type(error).__name__, error)
            return type(error).__name__
        return None

    async def _livez(self, _request: web.Request) -> web.Response:
        from aiohttp import web

        return web.json_response({"status": "ok"})

    async def _healthz(self, _request: web.Request) -> web.Response:
        from aiohttp import web

        problem = await self.check_database()
        if problem is not None:
            return web.json_response({"status": "unavailable", "database": problem}, status=503)
        body = {"status": "ok", "database": "ok", "last_update_age_seconds": last_update_age()}
        return web.json_response(body)

    async def refresh_outbox(self) -> None:
        """Backlog and the age of the oldest waiting entry, as the databases have them now (summed
        over the programs' outboxes; the oldest of all)."""
        now = datetime.now(UTC)
        waiting = (OutboxEntry.sent_at.is_(None),
                   or_(OutboxEntry.expires_at.is_(None), OutboxEntry.expires_at > now))
        backlog, oldest_of_all = 0, None
        for factory in self.databases.values():
            try:
                async with asyncio.timeout(self.db_timeout), factory() as session:
                    count, oldest = (await session.execute(
                        select(func.count(), func.min(OutboxEntry.created_at)).where(*waiting))).one()
            except Exception as error:  # noqa: BLE001 - metrics still render; /healthz reports the database
                log.warning("metrics: outbox unavailable (%s)", type(error).__name__)
                return
            backlog += count
            if oldest is not None and oldest.tzinfo is None:
                oldest = oldest.replace(tzinfo=UTC)
            if oldest is not None and (oldest_of_all is None or oldest < oldest_of_all):
                oldest_of_all = oldest
        OUTBOX_BACKLOG.set(backlog)
        OUTBOX_OLDEST_AGE.set(max(0.0, (now - oldest_of_all).total_seconds()) if oldest_of_all else 0.0)

    async def _metrics(self, request: web.Request) -> web.Response:
        if self.registry is METRICS:  # the outbox gauges live in the process registry
            await self.refresh_outbox()
        return await self._exposition(request)
