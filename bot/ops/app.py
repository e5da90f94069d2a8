"""Composition root: settings, policy, database, dispatcher and adapter wired together once."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.domain.policy import Policy
from bot.i18n import Translator
from bot.kernel.access import MEMBER, rule_for
from bot.kernel.adapter import Adapter
from bot.kernel.clock import Clock, SystemClock
from bot.kernel.delivery import Delivery
from bot.kernel.messages import Button
from bot.kernel.dispatcher import Dispatcher
from bot.ops import platform_events
from bot.ops.menus import command_menus
from bot.ops.config import ConfigError, Settings
from bot.ops.health import HealthServer
from bot.ops.policy import load_policy
from bot.domain.dashboard import LinkIssuer
from handlers import build_router
from storage.files import LocalFileStore
from storage.db import make_engine, make_session_factory
from storage.migrate import current_revision, head_revision, upgrade

log = logging.getLogger("yanxiu.app")

STOP_SENDING_TIMEOUT_S = 15


@dataclass
class Yanxiu:
    settings: Settings
    policy: Policy
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    adapter: Adapter
    dispatcher: Dispatcher

    async def run(self) -> None:
        from reminders.scheduler import make_scheduler

        log.info("yanxiu running platform=%s", self.adapter.platform)
        from bot.services.sessions import unknown_holiday_years

        unknown = unknown_holiday_years(self.policy)
        if unknown:
            log.warning("no holiday calendar for %s (chinesecalendar too old, nothing under [calendar] in the "
                        "policy): only weekends count as days off", ",".join(map(str, unknown)))
        port = self.settings.health_port
        health = None if port is None else HealthServer(self.session_factory, self.settings.health_listen, port)
        scheduler = make_scheduler(self)
        dashboard = self.dashboard_server()
        scheduler.start()
        try:
            if health is not None:
                await health.start()
            if dashboard is not None:
                await dashboard.start()
            await self.adapter.run(self.dispatcher.handle)
        finally:
            try:  # replies already handed over to delivery still go out
                await asyncio.wait_for(self.dispatcher.settle(), STOP_SENDING_TIMEOUT_S)
            except TimeoutError:
                log.warning("stopped with replies unsent; their messages are answered again on redelivery")
            scheduler.shutdown(wait=False)
            if health is not None:
                await health.stop()
            if dashboard is not None:
                await dashboard.stop()

    def dashboard_server(self):
        """The web dashboard when YANXIU_DASHBOARD_PORT is set, else None (see bot/web)."""
        settings = self.settings
        if settings.dashboard_port is None:
            return None
        from bot.web.server import DashboardConfig, DashboardServer
        from reminders.outbox import queue_messages, send_queued

        dispatcher = self.dispatcher
        config = DashboardConfig(
            session_factory=self.session_factory, policy=self.policy, zone=dispatcher.zone, clock=dispatcher.clock,
            t=dispatcher.translator, secret=settings.dashboard_secret.get_secret_value().encode(),
            base_url=settings.dashboard_url, session_minutes=settings.dashboard_session_minutes,
            admins=dispatcher.admins,
            queue=queue_messages,
            flush=lambda: send_queued(self.session_factory, dispatcher.delivery, dispatcher.clock),
        )
        return DashboardServer(config, settings.dashboard_listen, settings.dashboard_port)

    async def close(self) -> None:
        await self.engine.dispose()


def build(
    settings: Settings,
    adapter: Adapter,
    *,
    clock: Clock | None = None,
    policy: Policy | None = None,
    engine: AsyncEngine | None = None,
) -> Yanxiu:
    policy = policy or load_policy(settings.policy)
    engine = engine or make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    admins = settings.admin_ids | getattr(adapter, "implicit_admins", frozenset())
    router = build_router(policy)
    translator = Translator(settings.locale)
    # The menu every chat member sees lists the teachers' commands; organisers find theirs in /help.
    adapter.command_menu = tuple(
        (spec.name, translator(spec.summary_key))
        for spec in router.visible_commands()
        if spec.summary_key and rule_for(spec.name).roles <= {MEMBER}
    )
    dispatcher = Dispatcher(
        router=router,
        session_factory=session_factory,
        delivery=Delivery(adapter, start_button=Button(translator("open_private_chat"), "/start hi")),
        policy=policy,
        zone=program_zone(settings, policy),
        clock=clock or SystemClock(),
        translator=translator,
        admins=frozenset(admins),
        files=LocalFileStore(settings.files_dir),
        links=LinkIssuer(settings.dashboard_url, settings.dashboard_secret.get_secret_value().encode())
        if settings.dashboard_url and settings.dashboard_secret else None,
    )
    platform_events.wire(adapter, platform_events.PlatformEvents(
        session_factory, dispatcher.delivery, policy, translator, adapter.platform))
    if hasattr(adapter, "command_menus"):  # menus per audience (Telegram's command scopes)
        adapter.command_menus = command_menus(router, translator)
        adapter.coordinator_chats = platform_events.coordinator_chats(session_factory, adapter.platform,
                                                                      frozenset(admins))
    return Yanxiu(settings, policy, engine, session_factory, adapter, dispatcher)


def program_zone(settings: Settings, policy: Policy) -> ZoneInfo:
    """YANXIU_TIMEZONE when it is set, else the policy file's zone (both default to Asia/Shanghai)."""
    if "timezone" in settings.model_fields_set:
        return settings.zone
    return ZoneInfo(policy.timezone)


async def prepare_database(engine: AsyncEngine) -> None:
    """SQLite is ours to migrate on start; PostgreSQL must already be at head (`yanxiu db upgrade`)."""
    if engine.dialect.name == "sqlite":
        await upgrade(engine)
        return
    current, head = await current_revision(engine), head_revision()
    if current != head:
        raise ConfigError(
            f"YANXIU_DATABASE_URL: database is at revision {current or 'none'}, "
            f"code expects {head}; run `yanxiu db upgrade` first"
        )
