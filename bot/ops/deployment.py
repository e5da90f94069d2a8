"""A deployment: one process, one adapter, one Delivery (one pacer: a platform's rate limits are the
bot's), and one program or several — each its own policy, database and dispatcher, with the program
switch (bot/ops/switch.py) in front when there are several."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.i18n import Translator
from bot.kernel.adapter import Adapter
from bot.kernel.clock import Clock
from bot.kernel.delivery import Delivery
from bot.kernel.messages import Button, ChatRef, IncomingMessage
from bot.ops import platform_events
from bot.ops.app import Yanxiu, build_program, prepare_database, serve
from bot.ops.config import ConfigError, Settings
from bot.ops.programs import ProgramConfig, load_programs
from bot.ops.switch import ProgramSwitch

log = logging.getLogger("yanxiu.app")


@dataclass
class Deployment:
    settings: Settings
    adapter: Adapter
    apps: list[Yanxiu]
    switch: ProgramSwitch | None
    """None with one program: messages go straight to its dispatcher."""

    @property
    def first(self) -> Yanxiu:
        return self.apps[0]

    async def handle(self, message: IncomingMessage) -> None:
        if self.switch is None:
            await self.first.dispatcher.handle(message)
        else:
            await self.switch.handle(message)

    @property
    def on_message(self):
        """What the adapter calls: the one dispatcher itself, or the switch."""
        return self.first.dispatcher.handle if self.switch is None else self.switch.handle

    async def settle(self) -> None:
        for app in self.apps:
            await app.dispatcher.settle()

    async def prepare(self) -> None:
        """Every program's database migrated (SQLite) or checked to be at head (PostgreSQL)."""
        for app in self.apps:
            try:
                await prepare_database(app.engine)
            except ConfigError as problem:
                if len(self.apps) == 1:
                    raise
                raise ConfigError(f"program {app.program.key} ({app.program.database_target}): {problem}") from None

    async def run(self) -> None:
        await serve(self.apps, self.adapter, self.on_message, self.settle)

    async def close(self) -> None:
        for app in self.apps:
            await app.close()


def build_deployment(
    settings: Settings,
    adapter: Adapter,
    programs: list[ProgramConfig] | None = None,
    *,
    clock: Clock | None = None,
) -> Deployment:
    """The programs of YANXIU_PROGRAMS (or the one of YANXIU_POLICY) wired to one adapter."""
    programs = programs if programs is not None else load_programs(settings)
    translator = Translator(settings.locale)
    if len(programs) == 1:
        return Deployment(settings, adapter, [build_program(settings, adapter, programs[0], clock=clock)], None)
    delivery = Delivery(adapter, start_button=Button(translator("open_private_chat"), "/start hi"))
    apps = [
        build_program(settings, adapter, program, clock=clock, delivery=delivery, dashboard_key=program.key,
                      wire_adapter=index == 0)
        for index, program in enumerate(programs)
    ]
    switch = ProgramSwitch(apps, delivery, translator)
    _wire_platform_events(adapter, apps, switch, delivery, translator)
    return Deployment(settings, adapter, apps, switch)


def _wire_platform_events(adapter: Adapter, apps: list[Yanxiu], switch: ProgramSwitch, delivery: Delivery,
                          translator: Translator) -> None:
    """Friend requests and newcomers answered by the program they concern; coordinators of all."""
    events = [platform_events.PlatformEvents(app.session_factory, delivery, app.policy, translator, adapter.platform)
              for app in apps]

    async def friend_request_wanted(user_id: str) -> bool:
        for program_events in events:
            if await program_events.friend_request_wanted(user_id):
                return True
        return False

    async def member_joined(chat: ChatRef, user_id: str) -> None:
        program = await switch.group_program(chat.platform, chat.chat_id)
        await events[apps.index(program)].member_joined(chat, user_id)

    if hasattr(adapter, "friend_request_wanted"):
        adapter.friend_request_wanted = friend_request_wanted
    if hasattr(adapter, "member_joined"):
        adapter.member_joined = member_joined
    if hasattr(adapter, "coordinator_chats"):
        finders = [platform_events.coordinator_chats(app.session_factory, adapter.platform, app.dispatcher.admins)
                   for app in apps]

        async def coordinator_chats() -> list[str]:
            found: set[str] = set()
            for find in finders:
                found.update(await find())
            return sorted(found)

        adapter.coordinator_chats = coordinator_chats
