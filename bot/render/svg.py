"""Charts as inline SVG for the web dashboard: plain markup, no script, readable on a phone.

Pure formatting: values in, an `<svg>` string out, every label escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

COLORS = {"ok": "#2e7d32", "behind": "#c62828", "excellent": "#2e7d32", "pass": "#1565c0", "fail": "#c62828",
          "neutral": "#607d8b"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    """A share between 0 and 1."""
    tone: str = "ok"
    note: str = ""
    """Shown after the bar (e.g. "12/20"); the percentage when empty."""


def share_bars(bars: list[Bar], *, title: str, width: int = 480) -> str:
    """Horizontal bars of shares (0–100 %), one row each, with a 100 % guide line."""
    row, label_width, top = 28, 120, 26
    plot = width - label_width - 50
    height = top + row * max(len(bars), 1) + 8
    parts = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
         f'aria-label="{escape(title)}" class="chart">'),
        f'<title>{escape(title)}</title>',
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
        (f'<line x1="{label_width + plot}" y1="{top - 4}" x2="{label_width + plot}" y2="{height - 4}" '
         'stroke="#9e9e9e" stroke-dasharray="3 3"/>'),
    ]
    for index, bar in enumerate(bars):
        y = top + index * row
        share = min(max(bar.value, 0.0), 1.0)
        color = COLORS.get(bar.tone, COLORS["neutral"])
        note = bar.note or f"{share:.0%}"
        parts += [
            (f'<text x="{label_width - 6}" y="{y + 17}" text-anchor="end" class="chart-label">'
             f'{escape(_short(bar.label))}</text>'),
            f'<rect x="{label_width}" y="{y + 4}" width="{plot}" height="18" fill="#eceff1"/>',
            (f'<rect x="{label_width}" y="{y + 4}" width="{plot * share:.1f}" height="18" fill="{color}">'
             f'<title>{escape(bar.label)}：{escape(note)}</title></rect>'),
            f'<text x="{label_width + plot + 6}" y="{y + 17}" class="chart-value">{escape(note)}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def stacked_bar(parts: list[tuple[str, int, str]], *, title: str, width: int = 480) -> str:
    """One bar split into counted parts (label, count, tone), with a legend: a grade distribution."""
    total = sum(count for _, count, _ in parts) or 1
    out = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} 70" role="img" '
         f'aria-label="{escape(title)}" class="chart">'),
        f'<title>{escape(title)}</title>',
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
    ]
    x = 0.0
    for label, count, tone in parts:
        share = count / total
        color = COLORS.get(tone, COLORS["neutral"])
        out.append(f'<rect x="{x:.1f}" y="24" width="{width * share:.1f}" height="20" fill="{color}">'
                   f'<title>{escape(label)} {count}</title></rect>')
        x += width * share
    legend_x = 0
    for label, count, tone in parts:
        color = COLORS.get(tone, COLORS["neutral"])
        out.append(f'<rect x="{legend_x}" y="54" width="12" height="12" fill="{color}"/>'
                   f'<text x="{legend_x + 16}" y="65" class="chart-label">{escape(label)} {count}</text>')
        legend_x += 110
    out.append("</svg>")
    return "".join(out)


def _short(label: str, limit: int = 12) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
