"""A check-in costs one transaction of at most five SQL statements, on SQLite and on PostgreSQL.

Counted with SQLAlchemy's cursor events on the bot's own engine, chat in through the dispatcher."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event, select

from storage.models import CheckIn, HandledMessage


@dataclass
class Statements:
    sql: list[str] = field(default_factory=list)
    begins: int = 0
    commits: int = 0

    @property
    def work(self) -> list[str]:
        """What ran inside the transaction (SQLite's own BEGIN IMMEDIATE left out)."""
        return [s for s in self.sql if not s.upper().startswith("BEGIN")]


@contextmanager
def counting(engine):
    seen = Statements()

    def on_execute(_conn, _cursor, statement, _parameters, _context, _many):
        seen.sql.append(" ".join(statement.split()))

    def on_begin(_conn):
        seen.begins += 1

    def on_commit(_conn):
        seen.commits += 1

    target = engine.sync_engine
    event.listen(target, "before_cursor_execute", on_execute)
    event.listen(target, "begin", on_begin)
    event.listen(target, "commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(target, "before_cursor_execute", on_execute)
        event.remove(target, "begin", on_begin)
        event.remove(target, "commit", on_commit)


async def test_a_checkin_is_one_transaction_of_at_most_five_statements(chat_any_db):
    chat = chat_any_db
    await chat.join("u1", "王芳")
    message = chat.message("签到", user="u1")
    with counting(chat.app.engine) as seen:
        await chat.app.dispatcher.handle(message)
    assert seen.begins == 1 and seen.commits == 1, seen.sql
    assert len(seen.work) <= 5, "\n".join(seen.work)
    assert not any("SAVEPOINT" in s.upper() for s in seen.sql), seen.sql
    assert any("ON CONFLICT" in s.upper() and "CHECKINS" in s.upper() for s in seen.work), seen.work
    await chat.app.dispatcher.settle()
    [stored] = await chat.rows(CheckIn)
    assert stored.message_id == message.message_id
    [handled] = [h for h in await chat.rows(HandledMessage) if h.message_id == message.message_id]
    assert handled.delivered_at is not None
    assert "签到成功" in chat.adapter.sent[-1].text


async def test_delivered_marks_of_a_burst_are_written_in_one_statement(chat):
    for user, name in (("u1", "王芳"), ("u2", "李明"), ("u3", "赵敏")):
        await chat.join(user, name)
    messages = [chat.message("签到", user=user) for user in ("u1", "u2", "u3")]
    keys = [(m.platform, m.chat.chat_id, m.message_id) for m in messages]
    chat.app.dispatcher.delivery.background = True  # as on a platform with flood limits
    chat.app.dispatcher.delivery.hand_over = _hold  # replies "sent" only when the test says so
    for message in messages:
        await chat.app.dispatcher.handle(message)
    with counting(chat.app.engine) as seen:
        for key in keys:  # three replies went out while nothing was being written
            chat.app.dispatcher.marks.add(key)
        await chat.app.dispatcher.settle()
    updates = [s for s in seen.work if s.upper().startswith("UPDATE HANDLED_MESSAGES")]
    assert len(updates) == 1 and seen.begins == 1, seen.sql
    async with chat.app.session_factory() as session:
        delivered = list(await session.scalars(
            select(HandledMessage.delivered_at).where(
                HandledMessage.message_id.in_([m.message_id for m in messages]))
        ))
    assert len(delivered) == 3 and all(at is not None for at in delivered)


async def _hold(messages, on_done=None) -> None:
    return None


async def test_a_redelivered_checkin_is_answered_once(chat):
    await chat.join("u1", "王芳")
    message = chat.message("签到", user="u1")
    assert len(await chat.send(message)) == 1
    assert await chat.send(message) == []
    assert len(await chat.rows(CheckIn)) == 1
