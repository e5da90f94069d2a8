"""Composition root: settings, policy, database, dispatcher and adapter wired together once."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.kernel.access import MEMBER, rule_for
from bot.kernel.adapter import Adapter
from bot.kernel.clock import Clock, SystemClock
from bot.ops.config import ConfigError, Settings
from bot.kernel.delivery import Delivery
from bot.kernel.dispatcher import Dispatcher
from bot.i18n import Translator
from bot.ops.health import HealthServer
from bot.domain.policy import Policy
from bot.ops.policy import load_policy
from handlers import build_router
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
        port = self.settings.health_port
        health = None if port is None else HealthServer(self.session_factory, self.settings.health_listen, port)
        scheduler = make_scheduler(self)
        scheduler.start()
        try:
            if health is not None:
                await health.start()
            await self.adapter.run(self.dispatcher.handle)
        finally:
            try:  # replies already handed over to delivery still go out
                await asyncio.wait_for(self.dispatcher.settle(), STOP_SENDING_TIMEOUT_S)
            except TimeoutError:
                log.warning("stopped with replies unsent; their messages are answered again on redelivery")
            scheduler.shutdown(wait=False)
            if health is not None:
                await health.stop()

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
        delivery=Delivery(adapter),
        policy=policy,
        zone=program_zone(settings, policy),
        clock=clock or SystemClock(),
        translator=translator,
        admins=frozenset(admins),
    )
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
