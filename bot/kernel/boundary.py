"""Every text an update carries, cleaned once where it enters the bot.

The dispatcher applies `clean_message` before routing, so command arguments, plain text, names
and file names reach handlers, storage and exports without control or bidi characters, NUL or lone
surrogates — nothing downstream needs to clean again, and nothing stored can be unclean.
"""

from __future__ import annotations

from dataclasses import replace

from bot.domain.text import clean_text, is_clean
from bot.kernel.messages import Attachment, IncomingMessage


def clean_message(message: IncomingMessage) -> IncomingMessage:
    """The same message with every human-written text cleaned (ids are left as the platform sent them)."""
    texts = [message.text, message.sender.display_name, message.chat.title]
    texts += [a.file_name or "" for a in message.attachments]
    if all(is_clean(text) for text in texts):
        return message
    return replace(
        message,
        text=clean_text(message.text),
        sender=replace(message.sender, display_name=clean_text(message.sender.display_name)),
        chat=replace(message.chat, title=clean_text(message.chat.title)),
        attachments=tuple(_clean_attachment(a) for a in message.attachments),
    )


def _clean_attachment(attachment: Attachment) -> Attachment:
    if attachment.file_name is None or is_clean(attachment.file_name):
        return attachment
    return replace(attachment, file_name=clean_text(attachment.file_name))
