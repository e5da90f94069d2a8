"""The session summary (纪要): the writer submits it, the host approves it (published to the groups,
with the document where the platform takes files) or returns it with a comment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.session_status import MoveRefused, SummaryMove, SummaryStatus, summary_after
from bot.kernel.dispatcher import UserError
from bot.kernel.messages import Attachment, ChatRef, OutgoingFile, OutgoingMessage
from bot.services.sessions import Env, describe, group_chats, to_groups, to_member
from storage.models import Member, OnlineSession
from storage.repositories import Repositories

MIN_CHARS, MAX_CHARS = 30, 20000


async def find(repos: Repositories, number: int) -> OnlineSession:
    online = await repos.online_sessions.get(number)
    if online is None:
        raise UserError("session_not_found", id=number)
    return online


def _move(online: OnlineSession, move: SummaryMove, refused_key: str, now: datetime) -> None:
    try:
        online.summary_status = summary_after(online.summary_status, move)
    except MoveRefused:
        raise UserError(refused_key, id=online.id) from None
    online.updated_at = now


async def fallback_group(repos: Repositories, env: Env, online: OnlineSession) -> ChatRef | None:
    """Where a refused private notice goes from a private chat: the session's first group."""
    chats = await group_chats(repos, env, await repos.online_sessions.schools_of(online.id))
    return chats[0] if chats else None


async def submit(
    repos: Repositories, env: Env, online: OnlineSession, *, writer: Member, organiser: bool, text: str,
    files: list[Attachment], now: datetime, fallback: ChatRef | None,
) -> list[OutgoingMessage]:
    """Keep the writer's text (and files) and tell the host it waits for review."""
    if online.summary_writer_id != writer.id and not organiser:
        raise UserError("summary_not_writer", id=online.id)
    if online.summary_status not in (SummaryStatus.REQUESTED, SummaryStatus.RETURNED):
        raise UserError("summary_not_open", id=online.id)
    if not files and len(text) < MIN_CHARS:
        raise UserError("summary_too_short", min=MIN_CHARS)
    if len(text) > MAX_CHARS:
        raise UserError("summary_too_long", max=MAX_CHARS)
    _move(online, SummaryMove.SUBMIT, "summary_not_open", now)
    online.summary_text, online.summary_comment = text, ""
    online.summary_attachments = [
        {"kind": a.kind.value, "file_ref": a.file_ref, "file_name": a.file_name} for a in files
    ]
    notice = env.t("summary_submitted_host", id=online.id, topic=online.topic, name=writer.name, text=text[:1500])
    return await to_member(repos, env, online.host, notice, fallback)


def check_reviewer(online: OnlineSession, member: Member | None, organiser: bool) -> None:
    if not organiser and (member is None or member.id != online.host_member_id):
        raise UserError("summary_not_host", id=online.id)
    if online.summary_status != SummaryStatus.SUBMITTED:
        raise UserError("summary_nothing_to_review", id=online.id)


async def approve(
    repos: Repositories, env: Env, online: OnlineSession, now: datetime, *, files: bool,
) -> list[OutgoingMessage]:
    """Publish the summary to the session's groups, with its document where the platform sends files."""
    _move(online, SummaryMove.APPROVE, "summary_nothing_to_review", now)
    schools = await repos.online_sessions.schools_of(online.id)
    writer = await repos.members.get(online.summary_writer_id)
    text = env.t("summary_published", line=describe(env, online, schools), writer=writer.name if writer else "",
                 host=online.host.name, text=online.summary_text)
    published = await to_groups(repos, env, schools, text)
    document = next((a for a in online.summary_attachments if a.get("kind") == "document"), None)
    if document and published and files:
        file = OutgoingFile(file_name=document.get("file_name") or f"纪要{online.id}", file_ref=document["file_ref"])
        published = [OutgoingMessage(chat=m.chat, text=m.text, file=file) for m in published]
    return published


@dataclass(frozen=True)
class Returned:
    writer: Member | None
    messages: list[OutgoingMessage]


async def send_back(
    repos: Repositories, env: Env, online: OnlineSession, comment: str, now: datetime, fallback: ChatRef | None,
) -> Returned:
    """Return the summary to its writer with the host's comment."""
    _move(online, SummaryMove.RETURN, "summary_nothing_to_review", now)
    online.summary_comment = comment
    writer = await repos.members.get(online.summary_writer_id)
    if writer is None:
        return Returned(None, [])
    notice = env.t("summary_returned_writer", id=online.id, topic=online.topic, host=online.host.name,
                   comment=comment)
    return Returned(writer, await to_member(repos, env, writer, notice, fallback))
