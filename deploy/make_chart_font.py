"""Rebuild bot/render/fonts/NotoSansSC-Chart.otf: Noto Sans CJK SC cut down to what charts print.

The full font is 16 MB per weight; a chart shows names, numbers and a few labels, so the shipped
file keeps ASCII, Latin-1, CJK punctuation and the 6,763 hanzi of GB 2312 plus the traditional
hanzi of Big5 level 1 (names in zh_TW programs).  A server with Debian's fonts-noto-cjk installed
uses that full font instead, so rare characters in names still render there.

    apt-get install fonts-noto-cjk
    pip install fonttools
    python deploy/make_chart_font.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

The font is under the SIL Open Font License 1.1 (bot/render/fonts/OFL.txt), which allows
redistributing a modified (subset) version with software under its own licence.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

TARGET = Path(__file__).resolve().parent.parent / "bot" / "render" / "fonts" / "NotoSansSC-Chart.otf"
FAMILY = "Noto Sans CJK SC"


def _double_byte(codec: str, leads: range, trails: range) -> set[str]:
    found = set()
    for lead in leads:
        for trail in trails:
            try:
                found.update(bytes((lead, trail)).decode(codec))
            except UnicodeDecodeError:
                continue
    return found


def characters() -> str:
    wanted = {chr(code) for code in range(0x20, 0x7F)} | {chr(code) for code in range(0xA0, 0x100)}
    wanted |= {chr(code) for code in range(0x3000, 0x3040)}  # CJK symbols and punctuation
    wanted |= {chr(code) for code in range(0xFF01, 0xFF5F)}  # full-width forms
    wanted |= set("–—‘’“”…·•→←↑↓√×÷≤≥％−")
    wanted |= _double_byte("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF))
    wanted |= _double_byte("big5", range(0xA4, 0xC7), range(0x40, 0xFF))  # level 1: the common hanzi
    return "".join(sorted(wanted))


def main(source: str) -> None:
    collection = TTCollection(source)
    font = next(f for f in collection.fonts if f["name"].getDebugName(1) == FAMILY)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters())
    subsetter.subset(font)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(TARGET))
    print(f"{TARGET.name}: {TARGET.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
