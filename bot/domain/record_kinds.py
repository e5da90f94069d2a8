"""Posts of the record kinds a program declares in its policy (教学设计, 个人研修计划, 微课例 …).

Reflections, cases and observations are read by bot.domain.understanding; a declared kind is read
only from a post that names it at its head, the way teachers label such work: "教学设计：…",
"【个人研修计划】…", "#微课例 …", "《分数的初步认识》教学设计". Anything else is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.policy import RecordKindRule
from bot.domain.text import clean_text, normalize

_OPEN = r"(?:[【\[〖［]\s*|#\s*)?"
_CLOSE = r"(?:\s*[】\]〗］#])?"
_SEP = r"(?:\s*[:：]\s*|(?<=[】\]〗］#])\s*|\s+|(?=《)|$)"


@dataclass(frozen=True)
class DeclaredPost:
    kind: RecordKindRule
    title: str
    body: str


def _pattern(words: Sequence[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    return re.compile(rf"^{_OPEN}(?P<word>{alternatives}){_CLOSE}{_SEP}(?P<rest>.*)$")


def _titled(words: Sequence[str]) -> re.Pattern[str]:
    alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    return re.compile(rf"^《(?P<title>[^《》]{{1,60}})》\s*[-—·]?\s*(?P<word>{alternatives})\s*[:：]?\s*(?P<rest>.*)$")


class DeclaredReader:
    """Reads posts for a fixed set of declared kinds; patterns are compiled once, and a post whose
    first line holds none of the kinds' words is passed over without a regular expression."""

    def __init__(self, kinds: Sequence[RecordKindRule]) -> None:
        self.by_word = {normalize(word): kind for kind in kinds for word in kind.words}
        self.head = _pattern(list(self.by_word)) if self.by_word else None
        self.titled = _titled(list(self.by_word)) if self.by_word else None

    def read(self, text: str) -> DeclaredPost | None:
        if self.head is None:
            return None
        lines = [line.strip() for line in clean_text(text).strip().splitlines()]
        if not lines or not lines[0]:
            return None
        first = normalize(lines[0])
        if not any(word in first for word in self.by_word):
            return None
        found = self.head.match(first) or self.titled.match(first)
        if found is None:
            return None
        kind = self.by_word[found["word"]]
        rest = found["rest"].strip()
        title = found.groupdict().get("title") or ""
        body_lines = ([rest] if rest else []) + [line for line in lines[1:] if line]
        if not title and body_lines and body_lines[0].startswith("《") and "》" in body_lines[0]:
            title = body_lines[0][1:body_lines[0].index("》")]
        return DeclaredPost(kind, title.strip()[:200], "\n".join(body_lines).strip())


def read_declared(text: str, kinds: Sequence[RecordKindRule]) -> DeclaredPost | None:
    """The declared kind this post's first line names, with its title and body; None otherwise."""
    return DeclaredReader(kinds).read(text)


def problem(post: DeclaredPost, has_attachment: bool, max_chars: int) -> tuple[str, dict] | None:
    """(i18n key, values) when the post cannot be kept as it is."""
    if post.kind.attachment_required and not has_attachment:
        return "declared_needs_file", {"name": post.kind.name}
    length = len(post.body)
    if length > max_chars:
        return "declared_too_long", {"name": post.kind.name, "limit": max_chars}
    if not has_attachment and length < max(post.kind.min_chars, 1):
        return "declared_too_short", {"name": post.kind.name, "limit": max(post.kind.min_chars, 1)}
    return None
