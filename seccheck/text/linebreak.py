"""Chinese line breaking (禁则) for text set in fixed-width cells: where a line may end.

Rules (GB/T 15834 usage, the 避头尾 habit of Chinese typesetting):
- a line never starts with closing punctuation (、。，）？！：；」』》 …) — it stays with the text before it;
- a line never ends with opening punctuation (（「『《 “ …) — it goes with the text after it;
- a run of Latin letters and digits ("2026", "u6.7", "SHA-256") is not split while it fits on a line;
- anywhere else between two Chinese characters is a place to break; spaces are places to break too.

Widths are terminal cells: East Asian wide and fullwidth characters take two. The terminal installs
`divide_line` as the one wrapper rich uses (seccheck.cli.console); tests use `violations` to check
terminal output and lines extracted from PDFs.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

# Characters that may not start a line (行首禁则).
NO_START = frozenset(
    "、。，．,.）)］]｝}〕〗】」』》〉”’\"'？?！!：:；;…‥·・％%～〜ー—-–々〻ゝゞヽヾ"
    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
)
# Characters that may not end a line (行尾禁则).
NO_END = frozenset("（(［[｛{〔〖【「『《〈“‘")
# Dashes and ellipses come in pairs that are not split; they are also in NO_START above.
_PAIRS = frozenset("…—")


def cells(char: str) -> int:
    """Terminal cells a character takes."""
    if unicodedata.combining(char) or char in "\u200b\u200c\u200d\u2060\ufeff":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _wordlike(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "._/-:%+#@")


def may_break(before: str, after: str) -> bool:
    """May a line end after `before` and the next start with `after`?"""
    if after in NO_START or before in NO_END:
        return False
    if before in _PAIRS and after == before:
        return False
    if after.isspace():
        return False  # break after the spaces, not before them
    if before.isspace():
        return True
    # Latin words, numbers and ids stay whole; Chinese breaks between any two characters.
    return not (_wordlike(before) and _wordlike(after))


def divide_line(text: str, width: int, fold: bool = True) -> list[int]:
    """Offsets at which to break `text` so every line fits `width` cells (rich's `divide_line` contract).

    Breaks at the last place allowed before the line is full; where a line has no such place (a long
    id, or punctuation all the way), it is cut at the width so nothing runs off the screen, and even
    then a cut is moved back to keep a closing mark with the text it closes. With `fold` off a line
    with no place to break is left to overflow (rich crops it).
    """
    breaks: list[int] = []
    start = 0  # where the current line starts
    used = 0  # cells used on the current line
    last_ok = -1  # last offset in the current line where a break is allowed
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if i > start and may_break(text[i - 1], char):
            last_ok = i
        w = cells(char)
        if used + w > width and i > start and not char.isspace():
            if last_ok > start:
                cut = last_ok
            elif fold:
                cut = i
                # Keep a closing mark (and an opening mark's text) together where the line allows it.
                while cut - 1 > start and not may_break(text[cut - 1], text[cut]):
                    cut -= 1
                if cut - 1 <= start:
                    cut = i
            else:
                i += 1
                used += w
                continue
            # A break swallows the spaces it falls on (rich strips them at line ends).
            breaks.append(cut)
            start = cut
            used = sum(cells(c) for c in text[start:i])
            last_ok = -1
            for j in range(start + 1, i + 1):
                if j < n and may_break(text[j - 1], text[j]):
                    last_ok = j
            continue
        used += w
        i += 1
    return breaks


def wrap(text: str, width: int) -> list[str]:
    """`text` as lines of at most `width` cells (trailing spaces dropped), by the rules above."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        offsets = [0, *divide_line(paragraph, width), len(paragraph)]
        lines.extend(paragraph[a:b].rstrip() for a, b in itertools.pairwise(offsets))
    return lines


# Where a line of a terminal table or tree splits into cells: box drawing, or two spaces and more.
_CELL_GAP = re.compile(r"[\u2500-\u257f]+|\s{2,}|\u3000{2,}")


# An empty-cell dash or a page number "— 1 —" is not a sentence.
_PLACEHOLDER = re.compile(r"[—\-–\d\s]+")


def violations(lines: list[str]) -> list[str]:
    """Lines that break the rules: a cell starting with closing punctuation or ending with opening punctuation.

    A line of a table or a tree is checked cell by cell (cells are separated by box drawing or by two
    spaces and more), since each cell wraps on its own.
    """
    found: list[str] = []
    for line in lines:
        for cell in _CELL_GAP.split(line):
            text = cell.strip()
            if not text or _PLACEHOLDER.fullmatch(text):
                continue
            if text[0] in NO_START_CJK:
                found.append(f"行首标点：{line!r}")
            if text[-1] in NO_END_CJK:
                found.append(f"行尾标点：{line!r}")
    return found


# The checks look at full-width marks only: an ASCII '-' or '.' at a line start is a list mark or a
# number in a table, not a punctuation fault.
NO_START_CJK = frozenset(c for c in NO_START if not c.isascii())
NO_END_CJK = frozenset(c for c in NO_END if not c.isascii())
