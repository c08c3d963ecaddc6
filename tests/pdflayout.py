"""Where text stands on the pages of a PDF, read back with poppler's `pdftotext -bbox-layout`."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

MM = 72 / 25.4  # points per millimetre


@dataclass(frozen=True)
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    lines: tuple[Line, ...]
    words: tuple[Line, ...]

    @property
    def text(self) -> str:
        return "".join(line.text for line in self.lines)


def layout(pdf: Path) -> list[Page]:
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    root = ET.fromstring(xml)
    pages = []
    for n, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), start=1):
        lines, words = [], []
        for word in page.iter("{http://www.w3.org/1999/xhtml}word"):
            box = (float(word.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax"))
            words.append(Line(word.text or "", *box))
        for line in page.iter("{http://www.w3.org/1999/xhtml}line"):
            texts = [w.text or "" for w in line.iter("{http://www.w3.org/1999/xhtml}word")]
            lines.append(
                Line(
                    "".join(texts),
                    float(line.get("xMin", 0)),
                    float(line.get("yMin", 0)),
                    float(line.get("xMax", 0)),
                    float(line.get("yMax", 0)),
                )
            )
        pages.append(Page(n, float(page.get("width", 0)), float(page.get("height", 0)), tuple(lines), tuple(words)))
    return pages
