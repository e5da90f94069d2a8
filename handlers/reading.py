"""The one reading of a message every text rule shares (pure and cached in bot.domain.understanding)."""

from __future__ import annotations

from bot.domain.understanding import Intent, Understanding, understand
from bot.kernel.messages import IncomingMessage


def understanding_of(message: IncomingMessage) -> Understanding:
    return understand(message.text, message.sent_at.date(), addressed=message.mentions_bot)


def matcher(*intents: Intent):
    """A router text matcher that fires when the post means one of `intents`."""

    def match(_text: str, message: IncomingMessage) -> str | None:
        return "" if understanding_of(message).intent in intents else None

    return match
