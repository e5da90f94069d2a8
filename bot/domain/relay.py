"""接龙 relay lists as WeChat and QQ format them, read and written back.

A relay is a header (a #接龙 tag, a title, sometimes an example line 例 张三 XX小学), then numbered
lines; each teacher appends hers and reposts the whole list. Only the relay's *kind* matters to
the bot: a check-in relay (签到/打卡) credits the sender whose line it holds; 报名, 订餐 and the like
are chatter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TAG = re.compile(r"^\s*[#＃]?\s*接龙\s*[#＃]?\s*[:：]?\s*")
_NUMBERED = re.compile(r"^\s*(?P<number>[0-9]{1,3})(?:\s*[.、．)）:：]|\s)\s*(?P<text>[^\s0-9].*?)\s*$")
_EXAMPLE = re.compile(r"^\s*(?:例|示例|格式|例如|举例)\s*[:：]?\s*(?P<text>.*?)\s*$")
_CHECKIN_WORDS = re.compile(r"签到|打卡|到岗|出勤|参训|报到|考勤|已到|签名|参会")
_OTHER_WORDS = re.compile(r"统计|汇总|排名|排行|结果|情况|公示|报名|订餐|订饭|点餐|团购|投票|捐款|缴费|交费|预订|预定|领取|征集|接送|购买|订购|拼车|选课")
_NAME = re.compile(r"^(?P<name>[\u4e00-\u9fff·]{2,5}?)(?:老师)?(?=$|[\s,，(（\-—/|｜:：0-9]|[\u4e00-\u9fff]*(?:学校|小学|中学|幼儿园|学院))")


@dataclass(frozen=True)
class RelayEntry:
    number: int
    text: str

    @property
    def name(self) -> str:
        """The teacher's name at the start of the line ('' when it cannot be told apart)."""
        found = _NAME.match(self.text)
        return found["name"] if found else self.text.split()[0] if self.text.split() else ""

    def names(self, person: str) -> bool:
        """Whether this line is `person`'s: her name opens it."""
        text = self.text.replace(" ", "")
        return bool(person) and (text.startswith(person) or self.name == person)


@dataclass(frozen=True)
class Relay:
    title: str
    entries: tuple[RelayEntry, ...]
    example: str = ""

    @property
    def is_checkin(self) -> bool:
        return bool(_CHECKIN_WORDS.search(self.title)) and not _OTHER_WORDS.search(self.title)

    def entry_of(self, person: str) -> RelayEntry | None:
        return next((entry for entry in self.entries if entry.names(person)), None)


def parse_relay(text: str) -> Relay | None:
    """The relay in `text`, or None when the text is not a relay list."""
    lines = [line for line in text.replace("\r", "").split("\n")]
    header: list[str] = []
    example = ""
    entries: list[RelayEntry] = []
    tagged = False
    for index, line in enumerate(lines):
        if not entries and index < 4 and _TAG.match(line) and "接龙" in line:
            tagged = True
            rest = _TAG.sub("", line, count=1).strip()
            if rest:
                header.append(rest)
            continue
        numbered = _NUMBERED.match(line)
        if numbered and (entries or header or tagged) and not _EXAMPLE.match(line):
            number = int(numbered["number"])
            if number != len(entries) + 1:
                if entries:
                    break
                return None
            entries.append(RelayEntry(number, numbered["text"]))
            continue
        if entries:
            if line.strip():
                break
            continue
        example_line = _EXAMPLE.match(line)
        if example_line and (header or tagged):
            example = example_line["text"]
        elif line.strip():
            header.append(line.strip())
        if len(header) > 3:
            return None
    if not entries:
        return None
    title = " ".join(header)
    if not tagged and not (_CHECKIN_WORDS.search(title) and len(entries) >= 2):
        return None
    return Relay(title, tuple(entries), example)


def format_relay(relay: Relay) -> str:
    """The relay as WeChat posts it; `parse_relay` reads it back unchanged."""
    lines = ["#接龙", relay.title]
    if relay.example:
        lines.append(f"例 {relay.example}")
    lines.append("")
    lines += [f"{entry.number}. {entry.text}" for entry in relay.entries]
    return "\n".join(lines)
