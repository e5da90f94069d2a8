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
from bot.ops.programs import SINGLE_KEY, ProgramConfig
from bot.domain.dashboard import LinkIssuer, dashboard_path, program_secret
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

    program: ProgramConfig | None = None
    """The program this instance serves (key, name, database) in a deployment of several."""
    dashboard_key: str | None = None
    """The program's key in the dashboard's paths and signing keys; None when it is the only program."""

    async def run(self) -> None:
        await serve([self], self.adapter, self.dispatcher.handle, self.dispatcher.settle)

    def dashboard_server(self):
        """This program's web dashboard when YANXIU_DASHBOARD_PORT is set, else None (see bot/web)."""
        return dashboard_server([self])

    def dashboard_config(self):
        """What the dashboard's site of this program needs: its database, rules, path and signing key."""
        from bot.web.server import DashboardConfig
        from reminders.outbox import queue_messages, send_queued

        settings, dispatcher = self.settings, self.dispatcher
        return DashboardConfig(
            session_factory=self.session_factory, policy=self.policy, zone=dispatcher.zone, clock=dispatcher.clock,
            t=dispatcher.translator, secret=_dashboard_secret(settings, self.dashboard_key),
            base_url=settings.dashboard_url, session_minutes=settings.dashboard_session_minutes,
            admins=dispatcher.admins,
            queue=queue_messages,
            flush=lambda: send_queued(self.session_factory, dispatcher.delivery, dispatcher.clock),
            path=dashboard_path(self.dashboard_key),
        )

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
    """The bot of one program: YANXIU_POLICY's rules over YANXIU_DATABASE_URL."""
    policy = policy or load_policy(settings.policy)
    program = ProgramConfig(SINGLE_KEY, policy.name, policy, settings.database_url, settings.files_dir)
    return build_program(settings, adapter, program, clock=clock, engine=engine)


def build_program(
    settings: Settings,
    adapter: Adapter,
    program: ProgramConfig,
    *,
    clock: Clock | None = None,
    engine: AsyncEngine | None = None,
    delivery: Delivery | None = None,
    dashboard_key: str | None = None,
    wire_adapter: bool = True,
) -> Yanxiu:
    """One program's policy, database and dispatcher; `delivery` is shared by the programs of one
    deployment (one pacer: a platform's rate limits are the bot's, whatever program speaks).
    `dashboard_key`: the program's key when the deployment runs several (its dashboard's path and
    signing key are its own), None for the only one."""
    policy = program.policy
    engine = engine or make_engine(program.database_url)
    session_factory = make_session_factory(engine)
    admins = settings.admin_ids | getattr(adapter, "implicit_admins", frozenset())
    router = build_router(policy)
    translator = Translator(settings.locale)
    if wire_adapter:
        # The menu every chat member sees lists the teachers' commands; organisers find theirs in /help.
        adapter.command_menu = tuple(
            (spec.name, translator(spec.summary_key))
            for spec in router.visible_commands()
            if spec.summary_key and rule_for(spec.name).roles <= {MEMBER}
        )
    dispatcher = Dispatcher(
        router=router,
        session_factory=session_factory,
        delivery=delivery or Delivery(adapter, start_button=Button(translator("open_private_chat"), "/start hi")),
        policy=policy,
        zone=program_zone(settings, policy),
        clock=clock or SystemClock(),
        translator=translator,
        admins=frozenset(admins),
        files=LocalFileStore(program.files_dir),
        links=LinkIssuer(settings.dashboard_url, _dashboard_secret(settings, dashboard_key),
                         dashboard_path(dashboard_key))
        if settings.dashboard_url and settings.dashboard_secret else None,
    )
    if wire_adapter:
        platform_events.wire(adapter, platform_events.PlatformEvents(
            session_factory, dispatcher.delivery, policy, translator, adapter.platform))
        if hasattr(adapter, "command_menus"):  # menus per audience (Telegram's command scopes)
            adapter.command_menus = command_menus(router, translator)
            adapter.coordinator_chats = platform_events.coordinator_chats(session_factory, adapter.platform,
                                                                          frozenset(admins))
    return Yanxiu(settings, policy, engine, session_factory, adapter, dispatcher, program, dashboard_key)


async def serve(apps: list[Yanxiu], adapter: Adapter, on_message, settle) -> None:
    """Run the adapter with every program's scheduled work, the health endpoint over every database
    and every program's dashboard, until the adapter stops."""
    from reminders.scheduler import make_scheduler
    from bot.services.compliance import unknown_holiday_years

    first = apps[0]
    log.info("yanxiu running platform=%s programs=%s", adapter.platform,
             ",".join(app.program.key for app in apps if app.program) or "-")
    for app in apps:
        unknown = unknown_holiday_years(app.policy)
        if unknown:
            log.warning("no holiday calendar for %s (chinesecalendar too old, nothing under [calendar] in the "
                        "policy): only weekends count as days off", ",".join(map(str, unknown)))
    port = first.settings.health_port
    databases = (first.session_factory if len(apps) == 1
                 else {app.program.key: app.session_factory for app in apps})
    health = None if port is None else HealthServer(databases, first.settings.health_listen, port)
    scheduler = make_scheduler(*apps)
    dashboard = dashboard_server(apps)
    scheduler.start()

    async def answer_unanswered() -> None:
        for app in apps:
            await app.dispatcher.answer_unanswered()

    adapter.on_started = answer_unanswered
    try:
        if health is not None:
            await health.start()
        if dashboard is not None:
            await dashboard.start()
        await adapter.run(on_message)
    finally:
        try:  # replies already handed over to delivery still go out
            await asyncio.wait_for(settle(), STOP_SENDING_TIMEOUT_S)
        except TimeoutError:
            log.warning("stopped with replies unsent; they are sent on the next start")
        scheduler.shutdown(wait=False)
        if health is not None:
            await health.stop()
        if dashboard is not None:
            await dashboard.stop()


def dashboard_server(apps: list[Yanxiu]):
    """One listener for the dashboards of all the programs when YANXIU_DASHBOARD_PORT is set, else None."""
    settings = apps[0].settings
    if settings.dashboard_port is None:
        return None
    from bot.web.server import DashboardServer

    return DashboardServer([app.dashboard_config() for app in apps], settings.dashboard_listen,
                           settings.dashboard_port)


def _dashboard_secret(settings: Settings, dashboard_key: str | None) -> bytes:
    """The program's signing key, derived from YANXIU_DASHBOARD_SECRET (that secret itself for the only program)."""
    return program_secret(settings.dashboard_secret.get_secret_value().encode(), dashboard_key)


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
