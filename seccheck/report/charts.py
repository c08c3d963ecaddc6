"""Bar charts as SVG text, drawn here: no plotting library, no network, fonts from the notice stacks."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

COLOURS = ("#2e7d32", "#f9a825", "#c62828", "#1565c0", "#6a1b9a")


def bar_chart(
    rows: Sequence[tuple[str, Decimal | int]],
    *,
    unit: str = "",
    width: int = 440,
    font: str = "serif",
    max_value: Decimal | int | None = None,
    colours: Sequence[str] = COLOURS,
) -> str:
    """Horizontal bars, one row per (label, value), values printed at the bar ends."""
    row_h, label_w, pad = 26, 150, 6
    height = row_h * len(rows) + 2 * pad
    top = max_value if max_value is not None else max((v for _, v in rows), default=1) or 1
    scale = (width - label_w - 60) / float(top)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{escape(font, {chr(34): "&quot;"})}" font-size="11">'
    ]
    for n, (label, value) in enumerate(rows):
        y = pad + n * row_h
        bar = max(1.0, float(value) * scale)
        colour = colours[n % len(colours)]
        parts.append(f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{bar:.1f}" height="{row_h - 10}" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + bar + 4:.1f}" y="{y + 17}">{escape(str(value))}{escape(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)
