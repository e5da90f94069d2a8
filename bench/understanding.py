"""Understanding teachers' posts: the labelled corpus (tests/understanding/corpus.py) through the real
dispatcher on a fresh SQLite database, scored by what was stored and answered; plus the classifier's
own cost per post."""

from __future__ import annotations

import asyncio
import tempfile
from datetime import date, datetime
from time import perf_counter
from zoneinfo import ZoneInfo

from bot.adapters.memory import MemoryAdapter
from bot.domain.understanding import _understand
from bot.domain.policy import Checkins, Policy
from bot.kernel.clock import FixedClock
from bot.ops.app import build
from storage.db import make_engine
from storage.migrate import upgrade
from tests.conftest import make_settings
from tests.support.chat import ChatHarness
from tests.understanding.corpus import corpus
from tests.understanding.runner import Report, run_corpus

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def _run() -> tuple[Report, float, float]:
    with tempfile.TemporaryDirectory(prefix="yanxiu-bench-") as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/understanding.db"
        engine = make_engine(url)
        await upgrade(engine)
        clock = FixedClock(NOW)
        adapter = MemoryAdapter()
        policy = Policy(checkins=Checkins(acknowledge="reply"))  # every answer is a message the runner reads
        app = build(make_settings(url, admins="memory:admin"), adapter, clock=clock, engine=engine, policy=policy)
        try:
            items = corpus()
            started = perf_counter()
            report = await run_corpus(ChatHarness(app, adapter, clock), items)
            through_bot = perf_counter() - started
        finally:
            await app.close()
    texts = [text for item in items for text in item.messages]
    started = perf_counter()
    for text in texts:
        _understand.__wrapped__(text, date(2026, 11, 23), False)
    per_post = (perf_counter() - started) / len(texts)
    return report, through_bot, per_post


def measure() -> dict:
    report, seconds, per_post = asyncio.run(_run())
    return {"report": report, "seconds": seconds, "per_post_ms": per_post * 1000}


def section(title: str, result: dict, command: str) -> str:
    report: Report = result["report"]
    return f"""{title}

{len(report.outcomes)} posts written from the phenomena of issue 13 (check-ins in every shape, 接龙 relays,
reflections, cases and observation logs with their headers anywhere in the first lines, the 听课记录表
form, split posts with photos, questions, mentions, presence words during a live session, near misses,
commands typed on a Chinese keyboard, Traditional characters, and chatter that must stay silent), each
sent as one teacher into her school's group through the dispatcher, from an empty ledger; an item is
right when the stored rows and replies are what the label asks for (kind, title, observed teacher,
photo kept, only the sender credited). Goals: ≥ 97% of actionable posts right, 0 answers to chatter,
0 internal errors.

{report.table()}

Reading one post (normalise, classify, uncached) takes {result["per_post_ms"]:.2f} ms on average; the whole
corpus through the bot took {result["seconds"]:.1f} s. Run with `{command}`.
"""
