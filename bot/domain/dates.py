"""Chinese dates and times as teachers type them in group chats.

Every function is pure in (text, reference day or moment), so scheduling flows can be
tested against a fixed clock. Text is NFKC-normalised first, which makes full-width
digits and punctuation (１２月３日, 19：30, （周四）) behave like their ASCII forms.

Rules worth knowing:

* A bare weekday (周五), or one with 本周/这周/这个周, is that day of the current
  Monday-to-Sunday week, even when it has already passed; 上周/下周 (and 上上/下下)
  move by whole weeks.
* A month/day without a year is the occurrence nearest to today, so it never lies more
  than about six months away; a bare day (3号) is likewise the nearest such day in the
  previous, current or next month.
* A weekday written after a date, as in 12月3日（周四）, must agree with it, otherwise
  the text is treated as an impossible date.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from bot.domain.text import to_simplified

_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3,
    "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_NUMBER = r"(?:[0-9]{1,2}(?![0-9])|[零〇一二两三四五六七八九十廿卅]{1,3})"
_MINUTE = r"[0-9]{1,2}(?![0-9])|[零〇][一二三四五六七八九]|[二三四五]?十[一二三四五六七八九]?"
_WEEKDAY_CHAR = "[一二三四五六日天1-7]"
_WEEKDAY_INDEX = {
    **{name: index for index, name in enumerate("一二三四五六日")},
    **{str(index + 1): index for index in range(7)},
    "天": 6,
}
_SEPARATORS = " \t\r\n,，、:;.。!?~-—…"

_RELATIVE_DAYS = {
    "大前天": -3, "大后天": 3, "前天": -2, "后天": 2, "昨天": -1, "昨日": -1,
    "今天": 0, "今日": 0, "明天": 1, "明日": 1,
}
_CONTRACTED_DAYS = {"昨": -1, "今": 0, "明": 1}
_WEEK_OFFSETS = {"上上": -2, "上": -1, "本": 0, "这": 0, "下": 1, "下下": 2}

_RELATIVE = re.compile("|".join(_RELATIVE_DAYS))
_CONTRACTED = re.compile(r"[昨今明](?=[早晚])")
_WEEKDAY = re.compile(
    rf"(?:(?P<week>上上|下下|上|下|本|这)个?(?:周|星期|礼拜)?)?(?:周|星期|礼拜)(?P<weekday>{_WEEKDAY_CHAR})"
)
_WEEKDAY_NOTE = re.compile(rf"[\s,，、]*\(?(?:周|星期|礼拜)(?P<weekday>{_WEEKDAY_CHAR})\)?")
_DATE_AFTER_WEEKDAY = re.compile(r"[\s,，、]*(?P<open>\()?")
_MONTH_OFFSET_DAY = re.compile(rf"(?P<offset>下个?月|上个?月|本月|这个?月)(?P<day>{_NUMBER})[日号]?")
_MONTH_OFFSETS = {"下": 1, "上": -1, "本": 0, "这": 0}
_YEAR_MONTH_DAY = re.compile(
    rf"(?P<year>[0-9]{{4}})年(?P<month>{_NUMBER})月(?P<day>{_NUMBER})[日号]?"
)
_ISO_DATE = re.compile(
    r"(?P<year>[0-9]{4})(?P<sep>[-/.])(?P<month>[0-9]{1,2})(?P=sep)(?P<day>[0-9]{1,2})(?![0-9])"
)
_MONTH_DAY = re.compile(rf"(?P<month>{_NUMBER})月(?P<day>{_NUMBER})[日号]?")
_SHORT_MONTH_DAY = re.compile(
    r"(?P<month>[0-9]{1,2})(?P<sep>[./-])(?P<day>[0-9]{1,2})(?![0-9]|[./-][0-9]|[点时:])[日号]?"
)
_DAY_OF_MONTH = re.compile(rf"(?P<day>{_NUMBER})[日号]")


NEAREST, FUTURE, PAST = "nearest", "future", "past"
"""How to read a date that names no week, month or year: see `_match_date`."""


class _Period(NamedTuple):
    kind: str
    default_hour: int


_PERIODS = {
    "凌晨": _Period("small_hours", 0),
    "清晨": _Period("morning", 6),
    "早上": _Period("morning", 8),
    "早晨": _Period("morning", 8),
    "上午": _Period("morning", 9),
    "中午": _Period("noon", 12),
    "下午": _Period("afternoon", 14),
    "傍晚": _Period("afternoon", 18),
    "晚上": _Period("night", 19),
    "晚间": _Period("night", 19),
    "夜里": _Period("night", 22),
    "夜间": _Period("night", 22),
    "早": _Period("morning", 8),
    "晚": _Period("night", 19),
}
_PERIOD_WORDS = "|".join(_PERIODS)
_PERIOD_ONLY = re.compile(_PERIOD_WORDS)
_CLOCK = re.compile(
    rf"(?P<period>{_PERIOD_WORDS})?\s*(?:"
    r"(?P<hh>[0-9]{1,2}):(?P<mm>[0-9]{2})(?::[0-9]{2})?(?![0-9])"
    rf"|(?P<hour>{_NUMBER})[点时]钟?(?:(?P<half>半)|(?P<quarter>[一三13])刻"
    rf"|(?P<minute>{_MINUTE})分?|(?P<minute_digit>[一二三四五六七八九])分)?整?)"
)


@dataclass(frozen=True)
class ParsedDateTime:
    """What a leading date/time expression says.

    `value` is None when the text names a day but no time of day. `day` is the
    calendar day the text names, which differs from `value.date()` only for late-night
    readings such as 晚上12点 (the midnight ending that day). `rest` is the
    NFKC-normalised text after the expression, leading separators removed.
    """

    value: datetime | None
    ambiguous_hour: bool = False
    day: date | None = None
    rest: str = ""
    ambiguous_day: bool = False
    """下周日 said late in a week: this coming Sunday or the one after? Ask before scheduling."""
    bare_hour: bool = False
    """The ambiguity is a written hour (9点, 2:30) with no 上午/下午, not a period with no hour."""


class _DateSpan(NamedTuple):
    day: date | None  # None: the text names an impossible date
    end: int
    contracted: bool = False  # 今/明/昨 glued to 早/晚, as in 今晚
    ambiguous: bool = False  # 下周日 on a Saturday


class _TimeSpan(NamedTuple):
    value: datetime | None  # None: the text names an impossible time
    ambiguous: bool
    end: int
    bare: bool = False  # an hour written without 上午/下午


def parse_date(text: str, today: date, *, prefer: str = NEAREST) -> date | None:
    """A calendar date written the way teachers write it, relative to `today`; None if the text is not a date.

    The whole text must be the date; trailing punctuation is tolerated.
    """
    found = find_date_prefix(text, today, prefer=prefer)
    if found is None or found[1]:
        return None
    return found[0]


def parse_datetime(text: str, now: datetime, *, prefer: str = NEAREST) -> ParsedDateTime | None:
    """Date plus time of day, relative to `now` (naive local). None if no date/time at all is found.

    The expression must start the text; what follows is returned as `rest`. A time without
    a date means today. Periods: 下午/傍晚 add 12 to 1-11点; 晚上/晚/夜里 add 12 to 5-11点
    and read 12点 and 0-4点 as the small hours after that day; 中午 adds 12 to 1-5点;
    凌晨12点 is 00:00; 上午/早上/早 keep the hour; hours 13-23 are taken as written.
    A bare 1-11点 (or 7:30) is `ambiguous_hour`, valued at the morning reading; a leading
    zero (07:30) counts as explicit. A period with no hour after a date (周五晚上) is
    `ambiguous_hour`, valued at the period's usual start: 早上 8:00, 上午 9:00,
    中午 12:00, 下午 14:00, 傍晚 18:00, 晚上 19:00, 夜里 22:00, 凌晨 00:00.
    """
    text = _normalise(text)
    start = _skip_spaces(text, 0)
    today = now.date()
    dated = _match_date(text, start, today, prefer)
    if dated is not None and dated.day is None:
        return None
    day = dated.day if dated else today
    time_start = _skip_spaces(text, dated.end) if dated else start
    clock = _match_time(
        text, time_start, day, dated=dated is not None, contracted=bool(dated and dated.contracted)
    )
    if clock is None:
        if dated is None:
            return None
        return ParsedDateTime(None, day=day, rest=_rest(text, dated.end), ambiguous_day=dated.ambiguous)
    if clock.value is None:
        return None
    return ParsedDateTime(clock.value, clock.ambiguous, day, _rest(text, clock.end),
                          ambiguous_day=bool(dated and dated.ambiguous), bare_hour=clock.bare)


def find_date_prefix(text: str, today: date, *, prefer: str = NEAREST) -> tuple[date, str] | None:
    """If `text` starts with a date expression (after optional whitespace), return (date, remainder with leading separators/space stripped).

    The remainder is NFKC-normalised, so 今晚7点 yields (today, "晚7点") and the caller
    can still read the time.
    """
    text = _normalise(text)
    dated = _match_date(text, _skip_spaces(text, 0), today, prefer)
    if dated is None or dated.day is None:
        return None
    return dated.day, _rest(text, dated.end)


_SPACED_TIME = re.compile(r"(?<=[0-9零〇一二两三四五六七八九十])\s+(?=[点时:分刻])|(?<=[点时:])\s+(?=[0-9半一二三四五六七八九十])")
_SPACED_PERIOD = re.compile(r"(?<=上午|下午|中午|晚上|早上|傍晚|凌晨)\s+(?=[0-9零一二两三四五六七八九十])")


def _normalise(text: str) -> str:
    """NFKC, Traditional read as Simplified (週/點/號), and no spaces inside a time (晚上 7 点)."""
    text = to_simplified(unicodedata.normalize("NFKC", text))
    return _SPACED_PERIOD.sub("", _SPACED_TIME.sub("", text))


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _rest(text: str, end: int) -> str:
    return text[end:].lstrip(_SEPARATORS)


def _number(token: str | None) -> int | None:
    """Value of an ASCII or Chinese numeral below 100 (12, 十二, 二十三, 廿三, 零五); None if malformed."""
    if not token:
        return None
    if token.isascii():
        return int(token) if token.isdigit() else None
    if token[0] in "廿卅":
        tens, ones = (2 if token[0] == "廿" else 3), token[1:]
    elif "十" in token:
        head, _, ones = token.partition("十")
        tens = _CN_DIGITS.get(head) if head else 1
        if not tens:
            return None
    else:
        head, ones = token[:-1], token[-1]
        if head not in ("", "零", "〇"):
            return None
        tens = 0
    if not ones:
        return tens * 10
    digit = _CN_DIGITS.get(ones)
    return None if digit is None else tens * 10 + digit


def _safe_date(year: int | None, month: int | None, day: int | None) -> date | None:
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _nearest(candidates: list[date | None], today: date) -> date | None:
    valid = [candidate for candidate in candidates if candidate is not None]
    return min(valid, key=lambda candidate: abs((candidate - today).days), default=None)


def _nearest_month_day(month: int | None, day: int | None, today: date) -> date | None:
    """Chats talk about the coming or recent months, so 1月3日 in late December is next January."""
    years = (today.year - 1, today.year, today.year + 1)
    return _nearest([_safe_date(year, month, day) for year in years], today)


def _nearest_day_of_month(day: int | None, today: date) -> date | None:
    """3号 said on the 28th means the coming 3rd, said on the 5th it means two days ago."""
    candidates = []
    for shift in (-1, 0, 1):
        year, month_index = divmod(today.year * 12 + today.month - 1 + shift, 12)
        candidates.append(_safe_date(year, month_index + 1, day))
    return _nearest(candidates, today)


def _match_date(text: str, pos: int, today: date, prefer: str = NEAREST) -> _DateSpan | None:
    """The date at `pos`; `prefer` moves a date written without week, month or year (周一, 3号, 12月3日)
    to the coming one (FUTURE, for scheduling) or the last one (PAST, for what already happened)."""
    span = _match_date_nearest(text, pos, today)
    if span is None or span.day is None or prefer == NEAREST or not _unanchored(text, pos):
        return span
    day = span.day
    if prefer == FUTURE and day < today:
        day = _shift(text, pos, day, today, forward=True)
    elif prefer == PAST and day > today:
        day = _shift(text, pos, day, today, forward=False)
    return span._replace(day=day)


def _unanchored(text: str, pos: int) -> bool:
    """A bare weekday, day number or month/day: nothing in it fixes the week, month or year."""
    if _RELATIVE.match(text, pos) or _CONTRACTED.match(text, pos) or _MONTH_OFFSET_DAY.match(text, pos):
        return False
    if (weekday := _WEEKDAY.match(text, pos)) is not None:
        return weekday["week"] is None
    return not (_YEAR_MONTH_DAY.match(text, pos) or _ISO_DATE.match(text, pos))


def _shift(text: str, pos: int, day: date, today: date, *, forward: bool) -> date:
    if _WEEKDAY.match(text, pos):
        return day + timedelta(weeks=1 if forward else -1)
    if _DAY_OF_MONTH.match(text, pos) and not (_MONTH_DAY.match(text, pos) or _SHORT_MONTH_DAY.match(text, pos)):
        candidate = day
        for _ in range(3):
            year, month_index = divmod(candidate.year * 12 + candidate.month - 1 + (1 if forward else -1), 12)
            moved = _safe_date(year, month_index + 1, day.day)
            if moved is not None and (moved >= today if forward else moved <= today):
                return moved
            candidate = moved or candidate.replace(day=1)
        return day
    moved = _safe_date(day.year + (1 if forward else -1), day.month, day.day)
    return moved or day


def _match_date_nearest(text: str, pos: int, today: date) -> _DateSpan | None:
    if match := _RELATIVE.match(text, pos):
        day = today + timedelta(days=_RELATIVE_DAYS[match.group()])
        return _with_weekday_note(text, day, match.end())
    if match := _CONTRACTED.match(text, pos):
        day = today + timedelta(days=_CONTRACTED_DAYS[match.group()])
        return _DateSpan(day, match.end(), contracted=True)
    if match := _WEEKDAY.match(text, pos):
        monday = today - timedelta(days=today.weekday())
        weeks = _WEEK_OFFSETS.get(match["week"], 0)
        weekday = _WEEKDAY_INDEX[match["weekday"]]
        written = _date_after_weekday(text, match.end(), today, weekday)
        if written is not None:
            return written
        ambiguous = weeks == 1 and today.weekday() >= 4 and weekday > today.weekday()
        return _DateSpan(monday + timedelta(weeks=weeks, days=weekday), match.end(), ambiguous=ambiguous)
    if match := _MONTH_OFFSET_DAY.match(text, pos):
        year, month_index = divmod(today.year * 12 + today.month - 1 + _MONTH_OFFSETS[match["offset"][0]], 12)
        return _with_weekday_note(text, _safe_date(year, month_index + 1, _number(match["day"])), match.end())
    for pattern in (_YEAR_MONTH_DAY, _ISO_DATE):
        if match := pattern.match(text, pos):
            day = _safe_date(int(match["year"]), _number(match["month"]), _number(match["day"]))
            return _with_weekday_note(text, day, match.end())
    for pattern in (_MONTH_DAY, _SHORT_MONTH_DAY):
        if match := pattern.match(text, pos):
            day = _nearest_month_day(_number(match["month"]), _number(match["day"]), today)
            return _with_weekday_note(text, day, match.end())
    if match := _DAY_OF_MONTH.match(text, pos):
        return _with_weekday_note(text, _nearest_day_of_month(_number(match["day"]), today), match.end())
    return None


def _date_after_weekday(text: str, end: int, today: date, weekday: int) -> _DateSpan | None:
    """周四（12月3日） or 周四，12月3日: the written date wins, and must be that weekday."""
    lead = _DATE_AFTER_WEEKDAY.match(text, end)
    start = lead.end()
    for pattern in (_YEAR_MONTH_DAY, _ISO_DATE, _MONTH_DAY, _SHORT_MONTH_DAY):
        if match := pattern.match(text, start):
            if "year" in match.groupdict() and match["year"]:
                day = _safe_date(int(match["year"]), _number(match["month"]), _number(match["day"]))
            else:
                day = _nearest_month_day(_number(match["month"]), _number(match["day"]), today)
            close = match.end()
            if lead["open"] and close < len(text) and text[close] == ")":
                close += 1
            if day is not None and day.weekday() != weekday:
                return _DateSpan(None, close)
            return _DateSpan(day, close)
    return None


def _with_weekday_note(text: str, day: date | None, end: int) -> _DateSpan:
    """Consume a trailing （周四）; a weekday that contradicts the date makes it impossible."""
    note = _WEEKDAY_NOTE.match(text, end)
    if note is None or day is None:
        return _DateSpan(day, end)
    if day.weekday() != _WEEKDAY_INDEX[note["weekday"]]:
        return _DateSpan(None, note.end())
    return _DateSpan(day, note.end())


def _match_time(text: str, pos: int, day: date, *, dated: bool, contracted: bool) -> _TimeSpan | None:
    if clock := _CLOCK.match(text, pos):
        ambiguous = _is_ambiguous(clock)
        return _TimeSpan(_clock_value(clock, day), ambiguous, clock.end(), bare=ambiguous)
    period = _PERIOD_ONLY.match(text, pos)
    if period is None or not dated:
        return None
    word = period.group()
    standalone = period.end() == len(text) or text[period.end()] in _SEPARATORS
    if len(word) == 1 and not (contracted or standalone):
        return None
    value = datetime.combine(day, time(_PERIODS[word].default_hour))
    return _TimeSpan(value, True, period.end())


def _clock_value(clock: re.Match[str], day: date) -> datetime | None:
    if clock["hh"] is not None:
        hour, minute = int(clock["hh"]), int(clock["mm"])
    else:
        hour, minute = _number(clock["hour"]), _minutes(clock)
    if hour is None or minute is None or hour > 23 or minute > 59:
        return None
    hour, extra_days = _to_24_hour(hour, clock["period"])
    return datetime.combine(day, time(hour, minute)) + timedelta(days=extra_days)


def _minutes(clock: re.Match[str]) -> int | None:
    if clock["half"]:
        return 30
    if clock["quarter"]:
        return 15 if clock["quarter"] in ("一", "1") else 45
    token = clock["minute"] or clock["minute_digit"]
    return _number(token) if token else 0


def _is_ambiguous(clock: re.Match[str]) -> bool:
    hour_text = clock["hh"] or clock["hour"]
    hour = _number(hour_text)
    return clock["period"] is None and hour is not None and 1 <= hour <= 11 and not hour_text.startswith("0")


def school_day_reading(parsed: ParsedDateTime) -> datetime | None:
    """An offline activity's bare hour read within the school day: 8–11点 are the morning, 12点 is
    noon, 1–6点 the afternoon (2点半 is 14:30). None when the reading stays a question: 7点 (a 7:00
    start or an evening study?) or a period with no hour (周五下午)."""
    if parsed.value is None or not parsed.ambiguous_hour or not parsed.bare_hour:
        return None
    hour = parsed.value.hour
    if 8 <= hour <= 11:
        return parsed.value
    if 1 <= hour <= 6:
        return parsed.value + timedelta(hours=12)
    return None


def _to_24_hour(hour: int, period: str | None) -> tuple[int, int]:
    """(hour, days to add): 下午3点 is 15:00; 晚上12点 is the midnight that ends the day."""
    kind = _PERIODS[period].kind if period else None
    if kind is None or hour > 12:
        return hour, 0
    if kind == "small_hours":
        return hour % 12, 0
    if kind == "noon":
        return (hour + 12 if 1 <= hour <= 5 else hour), 0
    if kind == "afternoon":
        return (hour + 12 if 1 <= hour <= 11 else hour), 0
    if kind == "night":
        return (hour + 12, 0) if 5 <= hour <= 11 else (hour % 12, 1)
    return hour, 0
