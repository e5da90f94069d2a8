"""Reply texts by locale. Chinese (zh_CN) is complete and the fallback for any missing key."""

from __future__ import annotations

from bot.i18n import en, zh_CN, zh_TW

CATALOGS: dict[str, dict[str, str]] = {
    "zh_CN": zh_CN.MESSAGES,
    "zh_TW": zh_TW.MESSAGES,
    "en": en.MESSAGES,
}


class Term(str):
    """A catalogue key given as a value: translated in the reader's language when the text is made,
    so services can name a thing ("学校") without knowing who will read the answer."""


class Translator:
    def __init__(self, locale: str = "zh_CN") -> None:
        self.locale = locale
        self._catalog = CATALOGS.get(locale, zh_CN.MESSAGES)

    def __call__(self, key: str, **values: object) -> str:
        template = self._catalog.get(key) or zh_CN.MESSAGES[key]
        values = {name: self(value) if isinstance(value, Term) else value for name, value in values.items()}
        return template.format(**values) if values else template

    def has(self, key: str) -> bool:
        return key in zh_CN.MESSAGES
