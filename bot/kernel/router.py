"""Handler registration: each capability module owns a Router and declares its commands on it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.kernel.messages import IncomingMessage

if TYPE_CHECKING:
    from bot.kernel.dispatcher import HandlerFn

TextMatcher = Callable[[str, IncomingMessage], "str | None"]


@dataclass(frozen=True)
class CommandSpec:
    name: str
    handler: HandlerFn
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    summary_key: str | None = None
    usage_key: str | None = None


@dataclass(frozen=True)
class TextRule:
    name: str
    matcher: TextMatcher
    handler: HandlerFn


@dataclass(frozen=True)
class Route:
    """A decision: this handler, with these arguments; its name keys the permission table."""

    name: str
    handler: HandlerFn
    args: str


class Router:
    def __init__(self, *children: Router) -> None:
        self.commands: dict[str, CommandSpec] = {}
        self.text_rules: list[TextRule] = []
        self.dialogs: dict[str, HandlerFn] = {}
        self.dialog_interrupts: list[TextRule] = []
        for child in children:
            self.include(child)

    def include(self, other: Router) -> None:
        for name, spec in other.commands.items():
            if name in self.commands:
                raise ValueError(f"command /{name} registered twice")
            self.commands[name] = spec
        self.text_rules.extend(other.text_rules)
        self.dialog_interrupts.extend(other.dialog_interrupts)
        for kind, handler in other.dialogs.items():
            if kind in self.dialogs:
                raise ValueError(f"dialog {kind} registered twice")
            self.dialogs[kind] = handler

    def command(
        self,
        name: str,
        *,
        aliases: tuple[str, ...] = (),
        keywords: tuple[str, ...] = (),
        summary_key: str | None = None,
        usage_key: str | None = None,
        interrupts_dialogs: bool = False,
    ) -> Callable[[HandlerFn], HandlerFn]:
        """Register `/name` (and aliases); `keywords` also trigger it at the start of plain text.

        With `interrupts_dialogs`, the keywords work even while the sender is in a guided dialog.
        """

        def register(handler: HandlerFn) -> HandlerFn:
            spec = CommandSpec(name, handler, aliases, keywords, summary_key, usage_key)
            for key in (name, *aliases):
                if key in self.commands:
                    raise ValueError(f"command /{key} registered twice")
                self.commands[key] = spec
            if keywords:
                rule = TextRule(name, _keyword_matcher(keywords), handler)
                self.text_rules.append(rule)
                if interrupts_dialogs:
                    self.dialog_interrupts.append(rule)
            return handler

        return register

    def text(
        self,
        name: str,
        matcher: TextMatcher | re.Pattern[str],
    ) -> Callable[[HandlerFn], HandlerFn]:
        """Register a plain-text shape; the matcher returns the argument text, or None to pass."""
        if isinstance(matcher, re.Pattern):
            matcher = _regex_matcher(matcher)

        def register(handler: HandlerFn) -> HandlerFn:
            self.text_rules.append(TextRule(name, matcher, handler))
            return handler

        return register

    def dialog(self, kind: str) -> Callable[[HandlerFn], HandlerFn]:
        """Register the handler that receives a member's next messages while a `kind` dialog is open."""

        def register(handler: HandlerFn) -> HandlerFn:
            self.dialogs[kind] = handler
            return handler

        return register

    def for_dialog(self, kind: str, text: str, message: IncomingMessage) -> Route | None:
        for rule in self.dialog_interrupts:
            args = rule.matcher(text, message)
            if args is not None:
                return Route(rule.name, rule.handler, args)
        handler = self.dialogs.get(kind)
        if handler is None:
            return None
        return Route(f"dialog:{kind}", handler, text)

    def for_command(self, name: str, args: str) -> Route | None:
        spec = self.commands.get(name)
        if spec is None:
            spec = self.commands.get("__unknown__")
            args = name
            if spec is None:
                return None
        return Route(spec.name, spec.handler, args)

    def for_text(self, text: str, message: IncomingMessage) -> Route | None:
        for rule in self.text_rules:
            args = rule.matcher(text, message)
            if args is not None:
                return Route(rule.name, rule.handler, args)
        return None

    def route_names(self) -> set[str]:
        """Every name a route of this router can carry, for checking the permission table."""
        names = {spec.name for spec in self.commands.values()}
        names |= {rule.name for rule in self.text_rules}
        return names | {f"dialog:{kind}" for kind in self.dialogs}

    def visible_commands(self) -> list[CommandSpec]:
        """Each command once, in registration order, without internal ones."""
        seen: dict[str, CommandSpec] = {}
        for spec in self.commands.values():
            if not spec.name.startswith("__"):
                seen.setdefault(spec.name, spec)
        return list(seen.values())


def _keyword_matcher(keywords: tuple[str, ...]) -> TextMatcher:
    pattern = re.compile(
        r"^[#＃]?(?:" + "|".join(map(re.escape, keywords)) + r")(?:$|[\s:：,，]+(?P<rest>.*))",
        re.DOTALL,
    )
    return _regex_matcher(pattern)


def _regex_matcher(pattern: re.Pattern[str]) -> TextMatcher:
    def match(text: str, _message: IncomingMessage) -> str | None:
        found = pattern.match(text)
        if found is None:
            return None
        return (found.groupdict().get("rest") or "").strip()

    return match
