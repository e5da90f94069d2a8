"""Keeping a post of a policy-declared record kind (教学设计, 个人研修计划, 研究课, 导师指导记录 …) and
counting it toward its period's quota; its author's own view and changes (list, withdraw, edit)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.policy import Policy, RecordKindRule
from bot.domain.record_kinds import (
    DeclaredEntry,
    DeclaredPost,
    facts_of,
    is_open,
    period_span,
    problem,
    ref,
)
from bot.domain.roles import MENTOR
from bot.domain.text import normalize
from bot.kernel.dispatcher import UserError
from bot.kernel.messages import Attachment, IncomingMessage
from storage.models import DeclaredRecord, Member
from storage.quotas import DeclaredRecords
from storage.repositories import Repositories
from storage.reviews import Reviews

PERIOD_WORDS = {"week": "本周", "month": "本月", "semester": "本学期"}
ROLE_WORDS = {"teacher": "学员", "leader": "组长", "workshop_leader": "坊主", "mentor": "导师", "host": "主持人"}


@dataclass(frozen=True)
class Poster:
    """Who posts: their member id, roles, and whether they run the program (may post for a teacher)."""

    member_id: int
    roles: frozenset[str]
    organiser: bool


@dataclass(frozen=True)
class Kept:
    record_id: int | None  # None when this message was already kept
    count: int  # of this kind in the current period, this one included
    period: str
    owner: str = ""  # the teacher it was posted for, when not the poster
    about: str = ""  # the apprentice a guidance log names


async def _one_named(uow: Repositories, name: str, missing_key: str) -> Member:
    matches = await uow.members.named(name)
    if not matches and normalize(name) != name:
        matches = await uow.members.named(normalize(name))
    if len(matches) != 1:
        raise UserError(missing_key if not matches else "declared_name_ambiguous", name=name[:20])
    return matches[0]


async def _owner(uow: Repositories, poster: Poster, post: DeclaredPost, teacher: str) -> Member | None:
    """The teacher a lesson is credited to when the post names someone else (None: the poster)."""
    if not post.kind.lesson or not teacher:
        return None
    named = await _one_named(uow, teacher, "declared_teacher_unknown")
    if named.id == poster.member_id:
        return None
    if not poster.organiser:
        raise UserError("lesson_for_other", name=named.name, kind=post.kind.name)
    return named


async def keep(uow: Repositories, policy: Policy, poster: Poster, post: DeclaredPost, message: IncomingMessage,
               files: Sequence[Attachment], today: date, now: datetime) -> Kept:
    found = problem(post, bool(files), policy.records.max_chars)
    if found is not None:
        raise UserError(found[0], **found[1])
    kind = post.kind
    facts = facts_of(post)
    owner = await _owner(uow, poster, post, facts.teacher)
    if owner is None and kind.authors and not set(kind.authors) & poster.roles:
        raise UserError("declared_not_author", name=kind.name,
                        roles="、".join(ROLE_WORDS.get(role, role) for role in kind.authors))
    about = None
    if MENTOR in kind.authors and MENTOR in poster.roles:
        if not facts.about:
            raise UserError("guidance_needs_apprentice", name=kind.name)
        about = await _one_named(uow, facts.about, "declared_teacher_unknown")
        if about.id not in await Reviews(uow.db).apprentices(poster.member_id):
            raise UserError("guidance_not_apprentice", name=about.name)
    member_id = owner.id if owner else poster.member_id
    store = DeclaredRecords(uow.db)
    record = await store.add(DeclaredRecord(
        member_id=member_id, kind=kind.name, day=today, title=post.title or facts.topic, body=post.body,
        attachments=[{"kind": f.kind.value, "file_ref": f.file_ref, "file_name": f.file_name,
                      "mime_type": f.mime_type} for f in files],
        platform=message.platform, chat_id=message.chat.chat_id, message_id=message.message_id, created_at=now,
        class_subject=facts.class_subject, about_member_id=about.id if about else None,
        about_name=about.name if about else "", posted_by_id=poster.member_id if owner else None, version=1,
    ))
    first, last = period_span(kind, today, policy.semester)
    count = await store.count(member_id, kind.name, first, last)
    return Kept(record.id if record else None, count, PERIOD_WORDS[kind.per],
                owner.name if owner else "", about.name if about else "")


def kind_named(policy: Policy, name: str) -> RecordKindRule | None:
    return next((kind for kind in policy.records.kinds if kind.name == name), None)


async def entries_of(uow: Repositories, policy: Policy, rows: Sequence[DeclaredRecord]) -> list[DeclaredEntry]:
    posters = await DeclaredRecords(uow.db).names({row.posted_by_id for row in rows if row.posted_by_id})
    verdicts = await Reviews(uow.db).of_declared([row.id for row in rows])
    result = []
    for row in rows:
        kind = kind_named(policy, row.kind)
        result.append(DeclaredEntry(
            id=row.id, kind=row.kind, day=row.day, title=row.title or "", body=row.body or "",
            attachments=tuple(row.attachments or ()), class_subject=row.class_subject or "",
            about_name=row.about_name or "", posted_by=posters.get(row.posted_by_id, ""),
            lesson=bool(kind and kind.lesson),
            verdicts=tuple((reviewer, grade) for reviewer, grade, _ in verdicts.get(row.id, ()))))
    return result


async def recent(uow: Repositories, policy: Policy, member_id: int, limit: int) -> list[DeclaredEntry]:
    return await entries_of(uow, policy, await DeclaredRecords(uow.db).recent(member_id, limit))


async def of_semester(uow: Repositories, policy: Policy, member_id: int) -> list[DeclaredEntry]:
    semester = policy.semester
    return await entries_of(uow, policy, await DeclaredRecords(uow.db).between(semester.start, semester.end,
                                                                                member_id))


async def latest(uow: Repositories, member_id: int) -> DeclaredRecord | None:
    return await DeclaredRecords(uow.db).latest_own(member_id)


async def _own(uow: Repositories, policy: Policy, member_id: int, record_id: int, today: date) -> DeclaredRecord:
    record = await DeclaredRecords(uow.db).get_own(member_id, record_id)
    if record is None:
        raise UserError("record_not_found", id=ref(record_id))
    if not is_open(kind_named(policy, record.kind), record.day, today, policy.semester):
        raise UserError("record_frozen", id=ref(record.id), period=_period_label(policy, record))
    return record


def _period_label(policy: Policy, record: DeclaredRecord) -> str:
    kind = kind_named(policy, record.kind)
    if kind is not None and kind.per == "month":
        return f"{record.day.month}月"
    if kind is not None and kind.per == "week":
        first, _ = period_span(kind, record.day, policy.semester)
        return f"{first.month}.{first.day}起那周"
    return "本学期" if record.day >= policy.semester.start else "上学期"


async def withdraw(uow: Repositories, policy: Policy, member_id: int, record_id: int, today: date,
                   now: datetime) -> DeclaredEntry:
    """Withdraw a declared record of `member_id`'s; it no longer counts toward its quota."""
    record = await _own(uow, policy, member_id, record_id, today)
    await DeclaredRecords(uow.db).withdraw(record, now)
    return (await entries_of(uow, policy, [record]))[0]


async def edit(uow: Repositories, policy: Policy, member_id: int, record_id: int, text: str, today: date,
               now: datetime) -> tuple[DeclaredEntry, int]:
    """Replace a declared record's text under the kind's length rules; returns it and its new version."""
    record = await _own(uow, policy, member_id, record_id, today)
    kind = kind_named(policy, record.kind)
    if kind is not None:
        found = problem(DeclaredPost(kind, record.title, text), bool(record.attachments), policy.records.max_chars)
        if found is not None and found[0] != "declared_needs_file":
            raise UserError(found[0], **found[1])
    version = await DeclaredRecords(uow.db).replace_text(record, record.title or "", text, now)
    return (await entries_of(uow, policy, [record]))[0], version


def exempt_kinds(policy: Policy, roles: Collection[str]) -> set[str]:
    """Names of the declared kinds a member holding `roles` does not owe (authored by other roles)."""
    return {kind.name for kind in policy.records.kinds if kind.authors and not set(kind.authors) & set(roles)}


@dataclass(frozen=True)
class KindProgress:
    """How far a member is with one declared kind's quota in the period `today` is in."""

    name: str
    period: str  # 本周, 10月, 本学期
    done: int
    required: int
    last: date

    @property
    def missing(self) -> int:
        return max(self.required - self.done, 0)


async def progress(uow: Repositories, policy: Policy, member_id: int, roles: Collection[str],
                   today: date) -> list[KindProgress]:
    """The declared kinds this member owes (count > 0, authored by one of their roles), in policy order."""
    store = DeclaredRecords(uow.db)
    exempt = exempt_kinds(policy, roles)
    result = []
    for kind in policy.records.kinds:
        if kind.count <= 0 or kind.name in exempt:
            continue
        first, last = period_span(kind, today, policy.semester)
        label = {"week": "本周", "month": f"{today.month}月"}.get(kind.per, "本学期")
        done = await store.count(member_id, kind.name, first, last)
        result.append(KindProgress(kind.name, label, done, kind.count, last))
    return result


async def authors_of(uow: Repositories, policy: Policy) -> dict[str, set[int]]:
    """Kind name → the members who write it and owe its quota, for the kinds that name their authors
    (导师指导记录 is the mentors' to write, not the teachers')."""
    from storage.awards import UnitLeaders

    holders: dict[str, set[int]] = {}
    result = {}
    for kind in policy.records.kinds:
        if not kind.authors:
            continue
        for role in kind.authors:
            if role not in holders:
                holders[role] = await UnitLeaders(uow.db).holders(role)
        result[kind.name] = set().union(*(holders[role] for role in kind.authors))
    return result
