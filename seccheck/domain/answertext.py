"""Reading an answer typed by a person (是/否, 3, 0.5, na …) into an answer value.

Shared by `seccheck audit amend --set` and the interview, so both accept the same words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from seccheck import limits
from seccheck.domain.answers import AnswerValue
from seccheck.numbers import fmt
from seccheck.ruleset.model import Check, ProfileQuestion

# Only words that say yes or no: "0"/"1" and "有/无" are not taken (a "0" typed for a count
# question that became a yes/no one must not silently mean 否).
YES = {"是", "y", "yes"}
NO = {"否", "n", "no"}


class AnswerTextError(ValueError):
    """The text does not fit the question; the message says what is accepted, in Chinese."""


def accepted(q: Check | ProfileQuestion) -> str:
    if q.kind == "yesno":
        return "是/否（或 y/n）"
    if q.kind == "count":
        return f"非负整数（发现几起，不超过 {limits.COUNT_MAX}）"
    if q.kind == "number":
        bounds = []
        if q.min is not None:
            bounds.append(f"不小于 {q.min}")
        if q.max is not None:
            bounds.append(f"不大于 {q.max}")
        noun = "整数" if q.integer else "数字"
        return noun + (f"（{'，'.join(bounds)}）" if bounds else "")
    if q.kind == "choice":
        return "选项编号或值：" + "、".join(f"{n}={o.label}" for n, o in enumerate(q.options, start=1))
    if q.kind == "date":
        return "日期，如 2026-11-20"
    return "文本"


def parse_value(q: Check | ProfileQuestion, text: str) -> AnswerValue:
    raw = text.strip()
    kind = q.kind
    if kind == "yesno":
        low = raw.lower()
        if low in YES:
            return True
        if low in NO:
            return False
    elif kind == "count":
        if _DIGITS.fullmatch(raw):
            if len(raw) > len(str(limits.COUNT_MAX)) or int(raw) > limits.COUNT_MAX:
                raise AnswerTextError(f"“{_shown(raw)}”过大：计数应为 0 至 {limits.COUNT_MAX}（10^6）之间的整数")
            return int(raw)
        if _is_number(raw):
            raise AnswerTextError(f"“{raw}”不是非负整数：计数只收 0、1、2 这样的整数；请输入{accepted(q)}")
    elif kind == "number":
        try:
            number = Decimal(raw) if raw and len(raw) <= 100 else None
        except InvalidOperation:
            number = None
        problem = limits.number_problem(number) if number is not None else None
        if problem:
            raise AnswerTextError(f"“{_shown(raw)}”不是有效的答案：{problem}")
        if number is not None and q.integer and (number % 1 or "." in raw):
            raise AnswerTextError(f"“{_shown(raw)}”不是整数：此题只收整数（如 3）；请输入{accepted(q)}")
        in_range = number is not None and (q.min is None or number >= q.min)
        if number is not None and in_range and (q.max is None or number <= q.max):
            return int(number) if number == number.to_integral_value() and "." not in raw else number
    elif kind == "choice":
        if _DIGITS.fullmatch(raw) and len(raw) < 4 and 1 <= int(raw) <= len(q.options):
            return q.options[int(raw) - 1].value
        for option in q.options:
            if raw in (option.value, option.label):
                return option.value
    elif kind == "date":
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    elif raw and len(raw) > limits.TEXT_ANSWER:
        raise AnswerTextError(f"答案过长：上限 {limits.TEXT_ANSWER} 字（实际 {len(raw)} 字）")
    elif raw:
        problem = limits.control_problem(raw, multiline=True)
        if problem:
            raise AnswerTextError(f"答案{problem}")
        return raw
    raise AnswerTextError(f"“{_shown(raw)}”不是有效的答案；请输入{accepted(q)}")


_DIGITS = re.compile(r"[0-9]+")


def _shown(raw: str) -> str:
    """What the person typed, as it may be shown back: no control characters, not too long."""
    text = "".join("�" if limits.control_problem(ch) else ch for ch in raw)
    return text if len(text) <= 40 else text[:40] + "…"


def _is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def deduct_choices(bounds: tuple[Decimal, Decimal], step: Decimal) -> str:
    """The amounts a range deduction allows, in words: 0.5、1 or 0.1、0.2…1."""
    lo, hi = bounds
    amounts = [lo + step * n for n in range(int((hi - lo) / step) + 1)]
    if len(amounts) <= 5:
        return "、".join(fmt(a) for a in amounts)
    return f"{fmt(amounts[0])}、{fmt(amounts[1])}…{fmt(amounts[-1])}"


def parse_deduct(text: str, bounds: tuple[Decimal, Decimal], step: Decimal = Decimal("0.5")) -> Decimal:
    lo, hi = bounds
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        amount = None
    if amount is not None and amount.is_finite() and limits.points_problem(amount) and lo <= amount <= hi:
        raise AnswerTextError(f"扣分{limits.points_problem(amount)}")
    if amount is None or not amount.is_finite() or not (lo <= amount <= hi) or (amount - lo) % step:
        raise AnswerTextError(
            f"扣分应在 {fmt(lo)} 至 {fmt(hi)} 之间，按 {fmt(step)} 分取值：{deduct_choices(bounds, step)}"
        )
    return amount


def match_id(typed: str, ids: Iterable[str]) -> str | None:
    """The id a person typed, ignoring case (1A is 1a); an exact match wins; None if none or ambiguous."""
    wanted = typed.strip()
    known = list(ids)
    if wanted in known:
        return wanted
    folded = {i for i in known if i.casefold() == wanted.casefold()}
    return folded.pop() if len(folded) == 1 else None


def problem_answer(q: Check | ProfileQuestion) -> str:
    """Which answer is the problem, in words, when it is not the usual 否 of a yes/no question.

    "" for a profile question (never a problem) and for a yes/no check whose compliant answer is 是.
    """
    if not isinstance(q, Check):
        return ""
    if q.kind == "yesno":
        return "" if q.expected else "答“是”为问题（合规答“否”）"
    if q.kind == "count":
        limit = q.max_ok if q.max_ok is not None else 0
        return f"大于 {fmt(limit)} 起为问题"
    if q.kind == "choice":
        bad = [o.label for o in q.options if not o.compliant]
        return "选" + "、".join(f"“{label}”" for label in bad) + "为问题" if bad else ""
    if q.kind == "number":
        bounds = []
        if q.min_ok is not None:
            bounds.append(f"小于 {fmt(q.min_ok)}")
        if q.max_ok is not None:
            bounds.append(f"大于 {fmt(q.max_ok)}")
        return "或".join(bounds) + "为问题" if bounds else ""
    return ""
