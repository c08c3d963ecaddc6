"""Length limits of free text, in characters, enforced where the text comes in (answers files, the
interview, the command line, rulesets) so that every document stays printable and quick to render.
docs/limits.md explains each; `bench/notice.py` renders a notice with every text at its limit."""

from __future__ import annotations

import re
from decimal import Decimal

from seccheck.errors import BadInput, Problem

NAME = 200  # a unit's or campaign's name
PERSON = 50  # an inspector's or actor's name
PEOPLE = 20  # inspectors of one audit
METHOD = 30  # one inspection method (查阅资料…)
METHODS = 10
NOTE = 200  # the situation note of one answer: printed in the notice's 问题 cell
TEXT_ANSWER = 1000  # a text answer (recorded, not printed on the notice)
EVIDENCE_PATH = 260  # one evidence file's path (the Windows path limit)
EVIDENCES = 20  # evidence files of one answer
SOURCE_PATH = 500  # the path of an imported answers file, recorded as the audit's source
REPORT = 2000  # a rectification report's note, a rejection's reason, an amendment's reason
VERSION = 40  # a ruleset's version string
PREFIX = 20  # the workspace's notice-number prefix (某保检) and marking (工作秘密)
PHONE = 40  # the issuer's telephone
UNIT_CODE = 64  # a unit's code (统一社会信用代码 or a local code)
UNIT_KIND = 64  # a unit's kind (党政机关、企业、打字复印店…)
# Texts of a ruleset that documents print.
TITLE = 100  # ruleset, category and item titles
QUESTION = 500
FINDING = 200  # the problem as the notice states it
RECTIFY = 300
BASIS = 300
HELP = 2000  # also the ceiling of any other text of a ruleset (descriptions)
LABEL = 20  # a grade's label (符合要求)
EXPRESSION = 1000  # an applies_if condition
CHECKS = 500  # checks of one ruleset, so problems of one notice (the largest built-in has 100 or so)

# --- Numbers (docs/limits.md, docs/ruleset-format.md “数值的精度与范围”) ---------------------------
# Arithmetic is exact (Decimal and Fraction); these bounds keep every sum and product far inside
# Decimal's 28 digits and every stored number short, so nothing is rounded or overflows silently.
POINTS_MAX = Decimal(1000)  # points, deduct, per, step, max (the cap of per), option deduct, totals
POINTS_PLACES = 2  # 0.5, 0.25, 0.1: the finest step local standards use
PERCENT_MAX = Decimal(100)  # a grade's min (%)
COUNT_MAX = 10**6  # a count answer (发现几起) and a count check's max_ok
NUMBER_MAX = Decimal(10) ** 12  # a number answer and a number check's min, max, min_ok, max_ok: below this
NUMBER_PLACES = 4


def decimal_places(number: Decimal | int) -> int:
    """The decimal places of a number as written: 0.5 has 1, 0.50 has 2, 4 and 4E+2 have 0."""
    if isinstance(number, int):
        return 0
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def points_problem(number: Decimal | int, maximum: Decimal = POINTS_MAX) -> str | None:
    """What is wrong with a point value (0 to `maximum`, at most POINTS_PLACES decimals), or None."""
    return _finite(number) or _places(number, POINTS_PLACES) or _between(number, Decimal(0), maximum)


def number_problem(number: Decimal | int) -> str | None:
    """What is wrong with a number answer or bound (|x| < NUMBER_MAX, NUMBER_PLACES decimals), or None."""
    if _finite(number):
        return _finite(number)
    if not -NUMBER_MAX < number < NUMBER_MAX:
        return f"数值过大：绝对值应小于 10^12（实际：{_short(number)}）"
    return _places(number, NUMBER_PLACES)


def count_problem(number: int) -> str | None:
    """What is wrong with a count (an integer 0 to COUNT_MAX), or None."""
    if not 0 <= number <= COUNT_MAX:
        return f"应为 0 至 {COUNT_MAX}（10^6）之间的整数（实际：{_short(number)}）"
    return None


def _finite(number: Decimal | int) -> str | None:
    if isinstance(number, Decimal) and not number.is_finite():
        return f"应为有限的数字（实际：{number}）"
    return None


def _places(number: Decimal | int, places: int) -> str | None:
    if decimal_places(number) > places:
        return f"小数位过多：最多 {places} 位小数（实际 {decimal_places(number)} 位：{_short(number)}）"
    return None


def _between(number: Decimal | int, low: Decimal, high: Decimal) -> str | None:
    if not low <= number <= high:
        return f"应在 {low} 至 {high} 之间（实际：{_short(number)}）"
    return None


def _short(number: Decimal | int) -> str:
    text = str(number)
    return text if len(text) <= 40 else text[:20] + "…" + text[-8:] + f"（共 {len(text)} 位）"


# --- Characters (records.md §6) -------------------------------------------------------------------
# Names, versions and paths are one line: no control characters at all. Notes and text answers may
# hold line breaks and tabs. NUL (which PostgreSQL cannot store) and every other control character,
# ESC included (it would drive the terminal), are refused where the text comes in.
LINE_BREAKS = "\t\n\r"


def control_problem(text: str, *, multiline: bool = False) -> str | None:
    """What is wrong with the characters of a text, or None. `multiline`: tab and line breaks allowed."""
    allowed = LINE_BREAKS if multiline else ""
    bad = sorted(set(_CONTROL.findall(text)) - set(allowed))
    if not bad:
        return None
    codes = "、".join(f"U+{ord(ch):04X}" for ch in bad[:5]) + ("…" if len(bad) > 5 else "")
    what = "除换行、制表符外的控制字符" if multiline else "控制字符（含换行、制表符）"
    return f"含有{what}：{codes}；请删去"


def text_problem(text: str, maximum: int, *, multiline: bool = False, required: bool = False) -> str | None:
    """The one guard every free text passes where it comes in (files, options, the interview, the
    environment): control characters, length, and (when `required`) a text that is only blanks."""
    problem = control_problem(text, multiline=multiline)
    if problem:
        return problem
    if len(text) > maximum:
        return f"过长：上限 {maximum} 字（实际 {len(text)} 字）"
    if required and not text.strip():
        return "不能为空或只有空白"
    return None


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


# What documents print of user text: invisible formatting characters (bidi overrides such as U+202E,
# zero-width spaces and joiners, soft hyphens: Unicode category Cf) are dropped, line and paragraph
# separators become line breaks. They change nothing a reader should see; kept, they reorder text or
# reach the renderer as characters no font has. The records keep the text as given.
_LINE_SEPARATORS = {"\u2028": "\n", "\u2029": "\n"}
# Unicode's format characters (category Cf, Unicode 15) and the two separators, as one character class:
# a text without any (nearly every text) is returned as it is after one search.
_INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def neutralised(text: str) -> str:
    """`text` as documents show it (see above)."""
    if text.isascii() or not _INVISIBLE.search(text):
        return text
    return _INVISIBLE.sub(lambda m: _LINE_SEPARATORS.get(m.group(), ""), text)


def _is_control(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F


# --- Invisible and direction-changing characters (issue 22) ---------------------------------------
# Zero-width spaces and joiners, the direction marks, embeddings, overrides and isolates, and the
# byte-order mark: invisible, and the direction ones reorder the text that follows them. A name or
# an id a person types (units, campaigns, inspectors, departments, people, ruleset ids) must be what
# it looks like: they are refused there. Free text keeps them, contained (see `contain_direction`).
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_EMBED = "\u202a\u202b\u202d\u202e"  # LRE RLE LRO RLO, closed by PDF U+202C
_ISOLATE = "\u2066\u2067\u2068"  # LRI RLI FSI, closed by PDI U+2069


def name_problem(text: str) -> str | None:
    """The one guard for names and ids a person types: no control characters, no invisible or
    direction-changing characters. What is wrong, each character shown as U+XXXX, or None."""
    problem = control_problem(text)
    if problem:
        return problem
    bad = sorted(set(INVISIBLE.findall(text)))
    if not bad:
        return None
    codes = "、".join(f"U+{ord(ch):04X}" for ch in bad)
    return (
        f"含有不可见或改变文字方向的字符：{codes}（常见于从网页、微信复制的文字）；"
        "名称和编号中不能使用，请删去后重新输入"
    )


def contain_direction(text: str) -> str:
    """Free text as it may be shown (documents, spreadsheets, a terminal): every embedding, override
    and isolate it opens is closed at its end, so it cannot reorder what follows; the characters are
    kept."""
    if not INVISIBLE.search(text):
        return text
    stack: list[str] = []
    for ch in text:
        if ch in _EMBED:
            stack.append("\u202c")
        elif ch == "\u202c" and stack and stack[-1] == "\u202c":
            stack.pop()
        elif ch in _ISOLATE:
            stack.append("\u2069")
        elif ch == "\u2069" and "\u2069" in stack:
            while stack.pop() != "\u2069":
                pass  # a PDI closes the embeddings opened inside its isolate too
    return text + "".join(reversed(stack))


def checked_text(
    text: str, maximum: int, *, what: str, field: str, multiline: bool = False, required: bool = False
) -> str:
    """`text` if the guard passes it; else BadInput naming what it is and the option or field."""
    problem = text_problem(text, maximum, multiline=multiline, required=required)
    if problem:
        raise BadInput([Problem(f"{what}{problem}", field=field)])
    return text
