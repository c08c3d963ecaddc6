"""Plausibility rules (`[[plausibility]]`, ruleset-format.md): answers that cannot be true together.

The one table of them is `table(ruleset)`: each rule with its expression (as text and as a tree of
plain data), the checks it concerns and its Chinese message, plus the engine's own wording of a
refusal. Everything that checks answers uses it — `check_answers` (import, `score`, amendments), the
interview (re-asks), and the offline form can generate its validation from the same export. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from seccheck.ruleset import expr
from seccheck.ruleset.model import Plausibility, Ruleset

# The engine's wording around a ruleset's message (seccheck.text.zh has the rest of the words).
REFUSAL = "答案不可能同时成立：{message}（{values}）；请核对后改正"
REASK = "{message}（{values}）；请重新回答，或按 b 回到上一题改正"


@dataclass(frozen=True)
class Violation:
    rule: Plausibility
    values: tuple[tuple[str, Any], ...]  # (check id, the answer given) of the checks it concerns

    @property
    def shown(self) -> str:
        return "，".join(f"{key} 答 {_show(value)}" for key, value in self.values)

    def refusal(self) -> str:
        return REFUSAL.format(message=self.rule.message, values=self.shown)

    def reask(self) -> str:
        return REASK.format(message=self.rule.message, values=self.shown)


def _show(value: Any) -> str:
    if value is None:
        return "（未答）"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def violations(rs: Ruleset, values: Mapping[str, object]) -> list[Violation]:
    """The rules whose `when` holds for these answers (id -> typed value of each applicable answer)."""
    found = []
    for rule in rs.plausibility:
        if _compiled(rule)(values):
            found.append(Violation(rule, tuple((c, values.get(c)) for c in rule.checks)))
    return found


@cache
def _compiled(rule: Plausibility) -> expr.Predicate:
    return expr.compile_expr(expr.parse(rule.when))


def _tree(node: expr.Node) -> dict[str, Any]:
    """An expression as plain data, for a form to evaluate without a parser."""
    match node:
        case expr.Name(id=name):
            return {"name": name}
        case expr.Const(value=value):
            return {"const": str(value) if isinstance(value, Decimal) else value}
        case expr.Not(operand=operand):
            return {"not": _tree(operand)}
        case expr.BoolOp(op=op, operands=operands):
            return {op: [_tree(o) for o in operands]}
        case expr.Compare(op=op, left=left, right=right):
            return {"compare": op, "left": _tree(left), "right": _tree(right)}
    raise AssertionError(node)  # pragma: no cover


def table(rs: Ruleset) -> dict[str, Any]:
    """Every plausibility rule of the ruleset with its message, and the engine's wording of a refusal
    and a re-ask ({message} and {values} filled per violation): plain JSON-able data."""
    return {
        "refusal": REFUSAL,
        "reask": REASK,
        "rules": [
            {
                "when": rule.when,
                "tree": _tree(expr.parse(rule.when)),
                "checks": list(rule.checks),
                "message": rule.message,
            }
            for rule in rs.plausibility
        ],
    }
