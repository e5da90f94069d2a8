"""The program switch: in a deployment of several programs, which program's dispatcher a message goes to.

- a group bound (`/bind`) in a program → that program; an unbound group → the program chosen there
  with `/program <名称>`, else the first program;
- a private chat → the program the person chose, else the one program where their account is
  linked; linked in several without a choice → they are asked to choose; `/join 姓名 学校` from
  someone not linked there → the program whose roster has that name at that school;
- `/program` (· 项目) is answered here: the programs, and which one this chat or person uses.

Choices are kept in the first program's database (`program_choices`). Where a group or a person
goes is cached in memory for a minute, and forgotten at once after their /bind, /unbind, /join,
/forgetme or /program. With one program the switch is not used at all (`Deployment.handle` is the
dispatcher's own), so a single-program deployment costs nothing more.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from bot.domain.people import match_school
from bot.domain.text import clean_text, normalize, split_args
from bot.i18n import Translator
from bot.kernel.boundary import clean_message
from bot.kernel.commands import parse_command
from bot.kernel.delivery import Delivery, resolve_reply
from bot.kernel.messages import IncomingMessage, Reply
from storage.models import Member, RosterAccount
from storage.program_choices import CHAT, PERSON, ProgramChoices
from storage.repositories import Repositories

log = logging.getLogger("yanxiu.programs")

CACHE_SECONDS = 60.0
"""How long where a chat or person goes is trusted without asking the databases again (a /bind or
/join from the command line, or an approval in another program, shows within this time)."""
ASK_ANYWAY = frozenset({"start", "help"})
"""Commands that need no program of one's own: sent to the first program a person is linked in."""
FORGET_GROUP_AFTER = frozenset({"bind", "unbind"})
FORGET_PERSON_AFTER = frozenset({"join", "forgetme"})


@dataclass(frozen=True)
class _Cached:
    value: object
    until: float


class ProgramSwitch:
    """`handle(message)` for the adapter: picks the program, hands the message to its dispatcher."""

    def __init__(self, apps: list, delivery: Delivery, translator: Translator, *,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.apps = apps
        self.by_key = {app.program.key: app for app in apps}
        self.first = apps[0]
        self.delivery, self.t, self._now = delivery, translator, now
        router = self.first.dispatcher.router
        self._router = router
        self._keyword = next((rule for rule in router.text_rules if rule.name == "program"), None)
        self._groups: dict[tuple[str, str], _Cached] = {}
        self._people: dict[tuple[str, str], _Cached] = {}

    # ---- the adapter's callback ------------------------------------------------------------------
    async def handle(self, message: IncomingMessage) -> None:
        clean = clean_message(message)
        if clean.sender.is_bot:
            return
        route, args = self._route_of(clean)
        try:
            if route == "program":
                if await self._first_time(clean):
                    await self._answer(clean, await self._program_command(clean, args))
                return
            if clean.is_private:
                app = await self._private_program(clean, route, args)
                if app is None:
                    await self._answer(clean, self._ask(await self._linked(clean)))
                    return
            else:
                app = await self.group_program(clean.platform, clean.chat.chat_id)
        except Exception:  # a database that cannot answer: a polite reply, never a traceback in chat
            error_id = uuid.uuid4().hex[:8]
            log.exception("program switch failed error_id=%s", error_id)
            await self._answer(clean, self.t("internal_error", error_id=error_id))
            return
        await app.dispatcher.handle(message)
        if route in FORGET_GROUP_AFTER:
            self._groups.pop((clean.platform, clean.chat.chat_id), None)
        if route in FORGET_PERSON_AFTER:
            self._people.pop((clean.platform, clean.sender.user_id), None)

    async def settle(self) -> None:
        for app in self.apps:
            await app.dispatcher.settle()

    # ---- where a message goes --------------------------------------------------------------------
    def _route_of(self, message: IncomingMessage) -> tuple[str | None, str]:
        """The route name the programs' routers give a command (or the 项目 keyword); None for the rest."""
        command = parse_command(message.text)
        if command is not None:
            route = self._router.for_command(command.name, command.args)
            return (route.name, route.args) if route else (None, "")
        if self._keyword is not None and message.text.lstrip().startswith(("项目", "#项目", "＃项目")):
            args = self._keyword.matcher(normalize(clean_text(message.text)), message)
            if args is not None:
                return "program", args
        return None, ""

    async def group_program(self, platform: str, chat_id: str):
        key = (platform, chat_id)
        cached = self._groups.get(key)
        if cached is not None and cached.until > self._now():
            return self.by_key[cached.value]
        bound = await self._bound_in(platform, chat_id)
        if bound:
            if len(bound) > 1:
                log.warning("chat %s:%s is bound in several programs (%s); using %s", platform, chat_id,
                            ",".join(app.program.key for app in bound), bound[0].program.key)
            app = bound[0]
        else:
            app = self.by_key.get(await self._choice(platform, CHAT, chat_id)) or self.first
        self._groups[key] = _Cached(app.program.key, self._now() + CACHE_SECONDS)
        return app

    async def _private_program(self, message: IncomingMessage, route: str | None, args: str):
        """The program for a private message, or None when the person must choose first."""
        if route == "join" and args.strip():
            target = await self._join_target(message, args)
            if target is not None:
                return target
        choice = self.by_key.get(await self._choice(message.platform, PERSON, message.sender.user_id))
        linked = await self._linked(message)
        if choice is not None and (not linked or choice in linked):
            return choice
        if len(linked) == 1 or (linked and route in ASK_ANYWAY):
            return linked[0]
        if not linked:
            return choice or self.first
        return None

    async def _join_target(self, message: IncomingMessage, args: str):
        """The one program whose roster has this name at this school and where the sender is not
        linked yet; None when there is no such program, or several."""
        fields = [field for field in split_args(args) if field]
        if len(fields) < 2:
            return None
        name = fields[0]
        schools_typed = [" ".join(fields[1:end]) for end in (len(fields), len(fields) - 1) if end > 1]
        found = []
        for app in self.apps:
            async with app.session_factory() as session:
                repos = Repositories(session)
                if await repos.members.by_account(message.platform, message.sender.user_id) is not None:
                    continue
                names = [school.name for school, _ in await repos.schools.listing()]
                for typed in schools_typed:
                    matched = match_school(typed, names)
                    if len(matched) == 1:
                        school = await repos.schools.by_name(matched[0])
                        if school is not None and await repos.members.in_school(school.id, name):
                            found.append(app)
                            break
        return found[0] if len(found) == 1 else None

    async def _linked(self, message: IncomingMessage) -> list:
        """The programs where the sender's account is linked, or named on the roster (it links on
        the first message there), in the deployment's order."""
        key = (message.platform, message.sender.user_id)
        cached = self._people.get(key)
        if cached is not None and cached.until > self._now():
            return [self.by_key[k] for k in cached.value]
        handles = [message.sender.user_id]
        if message.sender.username:
            handles.append(f"@{message.sender.username.lower()}")
        linked = []
        for app in self.apps:
            async with app.session_factory() as session:
                members = Repositories(session).members
                found = await members.by_account(message.platform, message.sender.user_id) is not None
                if not found:
                    found = await session.scalar(
                        select(RosterAccount.member_id).join(Member, Member.id == RosterAccount.member_id)
                        .where(RosterAccount.platform == message.platform, RosterAccount.handle.in_(handles),
                               Member.left_at.is_(None)).limit(1)) is not None
            if found:
                linked.append(app)
        self._people[key] = _Cached(tuple(app.program.key for app in linked), self._now() + CACHE_SECONDS)
        return linked

    async def _bound_in(self, platform: str, chat_id: str) -> list:
        bound = []
        for app in self.apps:
            async with app.session_factory() as session:
                if await Repositories(session).bindings.get(platform, chat_id) is not None:
                    bound.append(app)
        return bound

    async def _first_time(self, message: IncomingMessage) -> bool:
        """/program is answered once per message, as the dispatchers answer theirs: a platform's
        redelivery of it is dropped (recorded in the first program's handled messages)."""
        async with self.first.session_factory() as session, session.begin():
            return await Repositories(session).handled.claim(
                message.platform, message.chat.chat_id, message.message_id, [], self.first.dispatcher.clock.now())

    async def _choice(self, platform: str, scope: str, subject_id: str) -> str | None:
        async with self.first.session_factory() as session:
            return await ProgramChoices(session).get(platform, scope, subject_id)

    async def _choose(self, message: IncomingMessage, scope: str, subject_id: str, app) -> None:
        account = f"{message.platform}:{message.sender.user_id}"
        async with self.first.session_factory() as session, session.begin():
            await ProgramChoices(session).choose(message.platform, scope, subject_id, app.program.key,
                                                 self.first.dispatcher.clock.now(), account)
        cache = self._groups if scope == CHAT else self._people
        cache.pop((message.platform, subject_id), None)

    # ---- /program ------------------------------------------------------------------------------
    async def _program_command(self, message: IncomingMessage, args: str) -> str:
        wanted = args.strip()
        if message.is_private:
            return await self._program_private(message, wanted)
        return await self._program_group(message, wanted)

    async def _program_group(self, message: IncomingMessage, wanted: str) -> str:
        platform, chat_id = message.platform, message.chat.chat_id
        bound = await self._bound_in(platform, chat_id)
        if not wanted:
            current = bound[0] if bound else await self.group_program(platform, chat_id)
            return self._listing(lambda app: (self.t("program_mark_group") if app is current else "")
                                 + (self.t("program_mark_bound") if app in bound else ""))
        target = self._find(wanted)
        if target is None:
            return self._unknown(wanted)
        if bound:
            key = "program_bound_here" if target is bound[0] else "program_bound_elsewhere"
            return self.t(key, name=bound[0].program.name)
        await self._choose(message, CHAT, chat_id, target)
        return self.t("program_group_chosen", name=target.program.name)

    async def _program_private(self, message: IncomingMessage, wanted: str) -> str:
        self._people.pop((message.platform, message.sender.user_id), None)
        linked = await self._linked(message)
        if not wanted:
            current = await self._private_program(message, None, "")
            listing = self._listing(lambda app: (self.t("program_mark_linked") if app in linked else "")
                                    + (self.t("program_mark_person") if app is current else ""))
            if current is None:
                listing = self.t("program_not_chosen") + "\n" + listing
            return listing
        target = self._find(wanted)
        if target is None:
            return self._unknown(wanted)
        if linked and target not in linked:
            return self.t("program_person_not_linked", name=target.program.name,
                          names="、".join(app.program.name for app in linked))
        await self._choose(message, PERSON, message.sender.user_id, target)
        return self.t("program_person_chosen", name=target.program.name)

    def _find(self, wanted: str):
        """A program by key, number in the listing, exact name, or the one name containing the words."""
        folded = wanted.strip().casefold()
        if folded.isdigit() and 1 <= int(folded) <= len(self.apps):
            return self.apps[int(folded) - 1]
        for app in self.apps:
            if folded in (app.program.key.casefold(), app.program.name.casefold()):
                return app
        partial = [app for app in self.apps if folded in app.program.name.casefold()]
        return partial[0] if len(partial) == 1 else None

    def _listing(self, marks: Callable[[object], str]) -> str:
        lines = [self.t("program_list_header", count=len(self.apps))]
        for number, app in enumerate(self.apps, 1):
            lines.append(self.t("program_line", number=number, name=app.program.name, code=app.program.key,
                                marks=marks(app)))
        lines.append(self.t("program_choose_hint"))
        return "\n".join(lines)

    def _unknown(self, wanted: str) -> str:
        return self.t("program_unknown", name=wanted[:40], names="、".join(app.program.name for app in self.apps))

    def _ask(self, linked: list) -> str:
        return self.t("program_ask", count=len(linked), names="、".join(app.program.name for app in linked),
                      example=linked[0].program.key)

    async def _answer(self, message: IncomingMessage, text: str) -> None:
        outgoing = [resolve_reply(Reply(text), message, self.delivery.capabilities)]
        sent = await self.delivery.hand_over(outgoing)
        if self.delivery.adapter.replies_before_confirming:
            await sent
        log.info("update platform=%s chat=%s msg=%s route=program-switch", message.platform,
                 message.chat.chat_id, message.message_id)
