"""The order of questions: profile questions, then the checks that apply given the answers so far;
which are still unanswered; what a non-compliant answer costs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from seccheck.domain.answers import Answer
from seccheck.domain.applicability import applicability
from seccheck.interview.seam import (
    Question,
)
from seccheck.ruleset.describe import cost_words
from seccheck.ruleset.model import Check, Ruleset
from seccheck.text import zh


def questions(rs: Ruleset, answers: Mapping[str, Answer]) -> list[Question]:
    """Profile questions, then the checks that apply given the answers so far.

    An item answered 不适用 keeps its first check in the list (showing 不适用), so the person can
    go back and change it; its other checks are left out.
    """
    na_items = {key for key, a in answers.items() if a.na and key in rs.items_by_id}
    without_na = {k: a for k, a in answers.items() if k not in na_items} if na_items else answers
    app = applicability(rs, without_na)
    out = [Question(p.id, p) for p in rs.profile]
    categories = rs.categories_by_id
    for position, item in enumerate(rs.item, start=1):
        checks = item.check[:1] if item.id in na_items else item.check
        for n, chk in enumerate(checks, start=1):
            if app.check[chk.id]:
                label = zh.item_number(item.official, position, n if len(item.check) > 1 else None)
                out.append(Question(chk.id, chk, item, categories.get(item.category), label))
    return out


def cost_text(rs: Ruleset, q: Question) -> str:
    """What a non-compliant answer costs, in words."""
    if q.item is None:
        return "基本情况，决定哪些项目适用"
    chk = q.question
    assert isinstance(chk, Check)
    return "；".join(cost_words(rs, q.item, chk)) or "仅作记录"


def shown_answer(answers: Mapping[str, Answer], q: Question) -> str | None:
    if q.item is not None and (item_answer := answers.get(q.item.id)) is not None and item_answer.na:
        return zh.WORDS["answer.na"]
    answer = answers.get(q.key)
    return zh.answer_text(answer, q.question.options) if answer is not None else None


def position_of(seq: Iterable[Question], key: str | None, default: int) -> int:
    return next((n for n, s in enumerate(seq) if s.key == key), default)


def missing_answers(rs: Ruleset, answers: Mapping[str, Answer]) -> list[str]:
    return [q.key for q in questions(rs, answers) if shown_answer(answers, q) is None]
