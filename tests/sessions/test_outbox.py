"""The one outbox: an expired dialog's note is an outbox row (a failed send is retried, never lost),
and a scheduled announcement stores its chart as what to draw, drawn only when it is sent."""

from __future__ import annotations

from datetime import datetime

from reminders.planner import queue_due_work, sweep
from reminders.scheduler import session_env
from storage.models import Dialog, OutboxEntry
from bot.domain.policy import Announcements, Policy
from tests.conftest import SHANGHAI, open_chat


async def tick(chat) -> list:
    before = len(chat.adapter.sent)
    app = chat.app
    await sweep(app.session_factory, app.dispatcher.delivery, session_env(app), chat.clock)
    return chat.adapter.sent[before:]


async def test_an_expired_dialogs_note_that_fails_is_sent_on_the_next_sweep(chat):
    await chat.join("u1", "王芳")
    await chat.one("/reflect", user="u1", chat="group-school")
    chat.clock.advance(minutes=31)
    chat.adapter.fail_next = True
    assert await tick(chat) == []
    assert await chat.rows(Dialog) == [], "the dialog is closed even though its note failed"
    [note] = await tick(chat)
    assert "王芳" in note.text and "分钟没有回复" in note.text
    assert note.chat.chat_id == "group-school" and note.mention_user_id == "u1"
    assert await tick(chat) == []
    assert [e.sent_at is not None for e in await chat.rows(OutboxEntry) if e.kind == "dialog"] == [True, True]


async def test_a_scheduled_announcement_keeps_its_chart_undrawn_until_it_is_sent(sqlite_url, clock):
    """With the ranked table in the groups (policy), its chart is planned, stored undrawn, drawn at send."""
    policy = Policy(announcements=Announcements(table=True))
    async with open_chat(sqlite_url, clock, policy=policy) as chat:
        await chat.join("coord", "教研室", roles=("coordinator",))
        for number in (1, 2):
            await chat.join(f"u{number}", f"老师{number:02d}")
        await chat.one("/bind school 紫阳县第二小学", user="coord", chat="group-school")
        chat.clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI))
        app = chat.app
        delivery = app.dispatcher.delivery
        sent = await plan_only(chat)
        stored = [m for e in await chat.rows(OutboxEntry) for m in e.messages if m.get("chart")]
        assert sent == [] and len(stored) == 1
        assert "file" not in stored[0], "no image is stored in the outbox"
        assert [bar[0] for bar in stored[0]["chart"]["bars"]] == ["老师01", "老师02"]
        await sweep(app.session_factory, delivery, session_env(app), chat.clock)
        [table, chart] = [m for m in chat.adapter.sent if m.chat.chat_id == "group-school"][-2:]
        assert table.text.startswith("📊") and chart.file.content.startswith(b"\x89PNG")


async def plan_only(chat) -> list:
    """The planner's half of a sweep: rows written to the outbox, nothing sent."""
    before = len(chat.adapter.sent)
    await queue_due_work(chat.app.session_factory, session_env(chat.app), chat.clock)
    return chat.adapter.sent[before:]
