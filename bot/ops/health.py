"""An HTTP endpoint for operators: liveness, readiness (the database answers) and Prometheus metrics.

`HealthServer` (started by `Yanxiu.run` when `YANXIU_HEALTH_PORT` is set) serves

- `GET /livez`: 200 while the process answers at all (liveness);
- `GET /healthz`: 200 when a `SELECT 1` reaches the database within a short timeout, else 503 (readiness);
- `GET /metrics`: the registry in the Prometheus text format.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from sqlalchemy import text

from bot.kernel.metrics import CONTENT_TYPE, METRICS, Registry, last_update_age

if TYPE_CHECKING:  # aiohttp.web is imported when a server starts: it is slow to import, and rarely needed
    from aiohttp import web
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger("yanxiu.health")


class HealthServer:
    """`/livez`, `/healthz` and `/metrics` over HTTP; `port` 0 binds any free port (read `port` after start)."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        listen: str = "127.0.0.1",
        port: int = 0,
        *,
        registry: Registry = METRICS,
        db_timeout: float = 2.0,
    ) -> None:
        self.session_factory = session_factory
        self.listen, self.port = listen, port
        self.registry = registry
        self.db_timeout = db_timeout
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        from aiohttp import web

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
        """None when `SELECT 1` succeeds within the timeout, else the error's class name."""
        try:
            async with asyncio.timeout(self.db_timeout), self.session_factory() as session:
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

    async def _metrics(self, _request: web.Request) -> web.Response:
        from aiohttp import web

        return web.Response(body=self.registry.render().encode(), headers={"Content-Type": CONTENT_TYPE})
