"""The labelled corpus through the dispatcher: precision and recall per label, and the goals."""

from __future__ import annotations

from tests.understanding.corpus import corpus
from tests.understanding.runner import run_corpus


async def test_the_corpus_is_understood(chat, capsys):
    items = corpus()
    assert len(items) >= 600
    report = await run_corpus(chat, items)
    with capsys.disabled():
        print("\n" + report.table())
        for miss in report.misses():
            print("  miss:", miss)
    assert report.errors == []
    assert report.chatter_answered == []
    assert report.actionable_right >= 0.97
