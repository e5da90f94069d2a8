"""Linking people put on the roster by an import to chat accounts, with an invitation code each."""

from __future__ import annotations

from storage.models import Member


async def link(chat, user: str, name: str, school: str = "紫阳县第二小学") -> int:
    member = next(m for m in await chat.rows(Member) if m.name == name)
    code = await chat.invitation(member.id)
    reply = await chat.one(f"/join {name} {school} {code}", user=user)
    assert "登记成功" in reply, reply
    return member.id
