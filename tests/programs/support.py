"""A program set up as its coordinator would: the roster imported from a file, then people linked to
chat accounts with an invitation code each."""

from __future__ import annotations

from datetime import datetime

from bot.kernel.messages import Attachment, AttachmentKind
from storage.models import Member
from tests.conftest import SHANGHAI


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=SHANGHAI)


async def imported_program(chat, roster: str, people: tuple[tuple[str, str], ...]) -> None:
    """On 1 September: a coordinator imports `roster` and each (user, name) links with a code."""
    chat.clock.set(at(9, 1))
    await chat.join("coord", "教研室", roles=("coordinator",))
    chat.adapter.files["roster"] = roster
    file = (Attachment(AttachmentKind.DOCUMENT, "roster", "名单.csv"),)
    await chat.one("/roster import", user="coord", private=True, attachments=file)
    await chat.one("/confirm", user="coord", private=True)
    for user, name in people:
        await link(chat, user, name)


async def link(chat, user: str, name: str, school: str = "紫阳县第二小学") -> int:
    member = next(m for m in await chat.rows(Member) if m.name == name)
    code = await chat.invitation(member.id)
    reply = await chat.one(f"/join {name} {school} {code}", user=user)
    assert "登记成功" in reply, reply
    return member.id
