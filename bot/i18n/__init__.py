"""Reply texts by locale. Chinese (zh_CN) is complete and the fallback for any missing key."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from bot.i18n import en, zh_CN, zh_TW

CATALOGS: dict[str, dict[str, str]] = {
    "zh_CN": zh_CN.MESSAGES,
    "zh_TW": zh_TW.MESSAGES,
    "en": en.MESSAGES,
}


class Term(str):
    """A catalogue key given as a value: translated in the reader's language when the text is made,
    so services can name a thing ("学校") without knowing who will read the answer."""


@cache
def _titled(template: str) -> frozenset[str]:
    """The values a template sets between book-title marks: 《{topic}》."""
    return frozenset(re.findall(r"《\{(\w+)\}》", template))


def as_inner_title(value: object) -> str:
    """A title shown inside 《》: one already wrapped whole loses its own marks, and marks within
    become the inner ones (《〈秋天〉磨课》), as Chinese typography nests them."""
    text = str(value)
    if text.startswith("《") and text.endswith("》") and text.count("《") == 1 and text.count("》") == 1:
        text = text[1:-1]
    return text.replace("《", "〈").replace("》", "〉")


class Translator:
    def __init__(self, locale: str = "zh_CN") -> None:
        self.locale = locale
        self._catalog = CATALOGS.get(locale, zh_CN.MESSAGES)

    def __call__(self, key: str, **values: object) -> str:
        template = self._catalog.get(key) or zh_CN.MESSAGES[key]
        if not values:
            return template
        titled = _titled(template)
        values = {name: self(value) if isinstance(value, Term) else as_inner_title(value) if name in titled else value
                  for name, value in values.items()}
        return template.format(**values)

    def has(self, key: str) -> bool:
        return key in zh_CN.MESSAGES
