"""Bar charts as SVG text, drawn here: no plotting library, no network, fonts from the notice stacks."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from seccheck.text.linebreak import wrap

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
    """Horizontal bars, one row per (label, value), values printed at the bar ends.

    A long label (a category title) is set on several lines, broken by the Chinese rules
    (seccheck.text.linebreak), never cut off at the chart's left edge.
    """
    row_h, line_h, label_w, pad, size = 26, 13, 180, 6, 11
    # 11-unit type: a Chinese character takes 11 units, two cells of the breaker.
    label_cells = 2 * ((label_w - 10) // size)
    labels = [wrap(label, label_cells) or [""] for label, _ in rows]
    heights = [max(row_h, line_h * len(lines) + 10) for lines in labels]
    height = sum(heights) + 2 * pad
    top = max_value if max_value is not None else max((v for _, v in rows), default=1) or 1
    scale = (width - label_w - 60) / float(top)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{escape(font, {chr(34): "&quot;"})}" font-size="{size}">'
    ]
    y = pad
    for n, ((_, value), lines, h) in enumerate(zip(rows, labels, heights, strict=True)):
        bar = max(1.0, float(value) * scale)
        colour = colours[n % len(colours)]
        middle = y + h / 2
        first = middle - line_h * (len(lines) - 1) / 2 + 4
        for k, line in enumerate(lines):
            parts.append(
                f'<text x="{label_w - 6}" y="{first + k * line_h:.1f}" text-anchor="end">{escape(line)}</text>'
            )
        parts.append(f'<rect x="{label_w}" y="{middle - 8:.1f}" width="{bar:.1f}" height="16" fill="{colour}"/>')
        end = f"{escape(str(value))}{escape(unit)}"
        parts.append(f'<text x="{label_w + bar + 4:.1f}" y="{middle + 4:.1f}">{end}</text>')
        y += h
    parts.append("</svg>")
    return "".join(parts)
