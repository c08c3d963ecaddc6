"""Applicability (实有项目) and compliance: which checks apply given the answers so far, and whether an
answer is compliant. Pure; shared by answer validation, scoring and the interview."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from seccheck.domain.answers import Answer, Answers, AnswerValue
from seccheck.domain.reasons import AnsweredNA, CategoryNotApplicable, NotApplicableExpr
from seccheck.ruleset.model import Check, Ruleset

# --- applicability (实有项目) -------------------------------------------------------------------


@dataclass
class Applicability:
    """Which categories, items and checks apply, given the answers so far, and why not."""

    category: dict[str, bool] = field(default_factory=dict)
    item: dict[str, bool] = field(default_factory=dict)
    check: dict[str, bool] = field(default_factory=dict)
    # Why an item or check (by id) does not apply.
    reason: dict[str, NotApplicableExpr | CategoryNotApplicable | AnsweredNA] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)
    profile_ids: tuple[str, ...] = ()

    def unanswered(self, answers: Answers) -> list[str]:
        """Applicable questions without an answer, in the order they are asked."""
        given = answers.answers
        missing = [pid for pid in self.profile_ids if pid not in given]
        for cid, applies in self.check.items():
            if applies and cid not in given:
                missing.append(cid)
        return missing


def applicability(rs: Ruleset, answers: Answers | Mapping[str, Answer]) -> Applicability:
    given = answers.answers if isinstance(answers, Answers) else answers
    conditions = rs.conditions
    result = Applicability(profile_ids=tuple(p.id for p in rs.profile))
    values = result.values
    for p in rs.profile:
        ans = given.get(p.id)
        if ans is not None and not ans.na and ans.value is not None:
            values[p.id] = ans.value
    for item in rs.item:
        cat_ok = result.category.get(item.category)
        if cat_ok is None:
            cond = conditions.get(("category", item.category))
            cat_ok = cond(values) if cond else True
            result.category[item.category] = cat_ok
        item_ok = cat_ok
        if not cat_ok:
            result.reason[item.id] = CategoryNotApplicable(expr=rs.categories_by_id[item.category].applies_if)
        elif (cond := conditions.get(("item", item.id))) and not cond(values):
            item_ok = False
            result.reason[item.id] = NotApplicableExpr(expr=item.applies_if or "")
        elif (ans := given.get(item.id)) is not None and ans.na:
            item_ok = False
            result.reason[item.id] = AnsweredNA()
        result.item[item.id] = item_ok
        for chk in item.check:
            chk_ok = item_ok
            if chk_ok and (cond := conditions.get(("check", chk.id))) and not cond(values):
                chk_ok = False
                result.reason[chk.id] = NotApplicableExpr(expr=chk.applies_if or "")
            result.check[chk.id] = chk_ok
            ans = given.get(chk.id)
            if chk_ok and ans is not None and not ans.na and ans.value is not None:
                values[chk.id] = ans.value
    # A category whose items are all out is out as well.
    for cat in rs.category:
        items = rs.items_by_category.get(cat.id, ())
        result.category[cat.id] = result.category.get(cat.id, False) and any(result.item[i.id] for i in items)
    return result


# --- compliance and deductions -------------------------------------------------------------------


_NUMBERS = (int, Decimal)  # a tuple: `int | Decimal` would build a union object on every call


def is_compliant(chk: Check, value: AnswerValue | None) -> bool:
    if value is None:
        return True
    kind = chk.kind
    if kind == "yesno":
        return value is chk.expected or value == chk.expected
    if kind == "count":
        limit = chk.max_ok if chk.max_ok is not None else 0
        return not (isinstance(value, _NUMBERS) and value > limit)
    if kind == "choice":
        option = next((o for o in chk.options if o.value == value), None)
        return option is None or option.compliant
    if kind == "number" and isinstance(value, _NUMBERS):
        if chk.min_ok is not None and value < chk.min_ok:
            return False
        return not (chk.max_ok is not None and value > chk.max_ok)
    return True
