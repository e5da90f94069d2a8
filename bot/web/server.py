"""The dashboard's listener: one port, one root application, every program's site mounted at its path.

One program: its site at `/dashboard` (the URLs of a one-program deployment never change). Several:
each program at `/p/<key>/dashboard`; `/dashboard` then only says where to get a link, naming no
program, since the program a person belongs to is known from the chat, not from the address.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiohttp import web

from bot.domain.dashboard import SINGLE_PATH
from bot.web.pages import Pages
from bot.web.site import COOKIE, DashboardConfig, DashboardSite

log = logging.getLogger("yanxiu.web")

__all__ = ["COOKIE", "DashboardConfig", "DashboardServer", "DashboardSite"]


class DashboardServer:
    """Serves the programs' dashboards on `listen:port` (port 0: any free port; read `port` after start)."""

    def __init__(self, configs: DashboardConfig | Sequence[DashboardConfig], listen: str = "127.0.0.1",
                 port: int = 0) -> None:
        configs = [configs] if isinstance(configs, DashboardConfig) else list(configs)
        if not configs:
            raise ValueError("a dashboard server needs at least one program")
        paths = [config.path for config in configs]
        if len(set(paths)) != len(paths) or (len(configs) > 1 and SINGLE_PATH in paths):
            raise ValueError(f"each program needs its own dashboard path, not {SINGLE_PATH}: {paths}")
        self.sites = [DashboardSite(config) for config in configs]
        self.listen, self.port = listen, port
        self._runner: web.AppRunner | None = None

    @property
    def config(self) -> DashboardConfig:
        """The first (with one program: the only) program's configuration."""
        return self.sites[0].config

    def application(self) -> web.Application:
        root = web.Application()
        for site in self.sites:
            root.add_subapp(site.path, site.application())
        if len(self.sites) > 1:
            root.router.add_get(SINGLE_PATH, self._no_program)
            root.router.add_get(f"{SINGLE_PATH}/", self._no_program)
        return root

    async def _no_program(self, _request: web.Request) -> web.Response:
        pages = Pages(self.sites[0].config.zone, "研修助手", SINGLE_PATH)
        return pages.problem(404, "请从私聊获取链接",
                             "本机器人服务多个项目，每个项目的看板地址不同。请在与机器人的私聊中发送 /dashboard，"
                             "用收到的链接打开您所在项目的看板。")

    async def start(self) -> None:
        runner = web.AppRunner(self.application(), access_log=None, shutdown_timeout=1)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.listen, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]
        log.info("dashboard on http://%s:%s (%s; public %s)", self.listen, self.port,
                 ", ".join(f"{site.path}/" for site in self.sites), self.config.base_url)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
