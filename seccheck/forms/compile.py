"""A ruleset compiled into what the offline form needs (forms.md §2). Pure: no I/O.

The browser never parses and never decides a rule on its own: `applies_if` becomes a JSON tree the
page walks, points become integers at one common scale (hundredths, or finer where a frozen ruleset
has finer values), and the answer rules and their Chinese messages come from the engine's table in
`seccheck.domain.validate`, formatted here with the check's own bounds; only the wrong value itself
(`{given}`) is filled in by the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from seccheck import limits
from seccheck.domain.validate import EXPECTED, MESSAGES, choice_options, wrong_value
from seccheck.numbers import fmt
from seccheck.ruleset.expr import BoolOp, Compare, Const, Name, Node, Not, parse
from seccheck.ruleset.model import SEVERITY_LABELS, Check, Item, ProfileQuestion, Ruleset

GIVEN = "{given}"


def tree(node: Node) -> dict[str, Any]:
    """An `applies_if` expression as a JSON tree: the page walks it as expr.compile_expr does."""
    match node:
        case Name(id=name):
            return {"op": "name", "id": name}
        case Const(value=value):
            if isinstance(value, bool):
                return {"op": "bool", "v": value}
            if isinstance(value, str):
                return {"op": "str", "v": value}
            return {"op": "num", "v": format(Decimal(value), "f")}
        case Not(operand=operand):
            return {"op": "not", "a": tree(operand)}
        case BoolOp(op=op, operands=operands):
            return {"op": op, "args": [tree(o) for o in operands]}
        case Compare(op=op, left=left, right=right):
            return {"op": op, "l": tree(left), "r": tree(right)}
    raise AssertionError(node)  # pragma: no cover


def expr_tree(text: str | None) -> dict[str, Any] | None:
    return tree(parse(text)) if text else None


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def point_values(rs: Ruleset) -> list[Decimal]:
    """Every point value the score is made of: item points, deductions, caps, options, grade minimums."""
    values: list[Decimal] = [g.min for g in rs.scoring.grades]
    for item in rs.item:
        values.append(item.points)
        for chk in item.check:
            if isinstance(chk.deduct, tuple):
                values.extend((*chk.deduct, chk.deduct_step))
            elif chk.deduct is not None:
                values.append(chk.deduct)
            values.extend(v for v in (chk.per, chk.per_cap) if v is not None)
            values.extend(o.deduct for o in chk.options)
    return values


def common_scale(rs: Ruleset) -> int:
    """The power of ten that makes every point value an integer: 100 (hundredths) or finer."""
    places = max([limits.POINTS_PLACES, *(_places(v) for v in point_values(rs))])
    return int(10**places)


@dataclass(frozen=True)
class Question:
    """One question as the page shows it (profile question or check)."""

    id: str
    text: str
    kind: str
    help: str | None
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    allow_na: bool = False  # 不适用 among the radio values (a one-check item that allows it)
    deduct_range: tuple[str, str, str] | None = None  # (low, high, step) as written
    points_note: str = ""  # how this check deducts, for people: 扣1分, 扣0.5至1分, 每起扣2分
    basis: str | None = None
    integer: bool = False
    minimum: str | None = None
    maximum: str | None = None
    profile: bool = False


@dataclass(frozen=True)
class ItemView:
    id: str
    number: str | None  # the official item number, only where the ruleset gives it
    title: str
    points: str
    aggravating: bool
    allow_na_item: bool  # 不适用 for an item of several checks (a checkbox named the item id)
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class CategoryView:
    id: str
    title: str
    points: str
    items: tuple[ItemView, ...]


@dataclass(frozen=True)
class FormModel:
    """What the page template shows (`profile`, `categories`) and the logic it embeds (`logic`)."""

    ruleset_id: str
    title: str
    version: str
    description: str
    scored: bool
    profile: tuple[Question, ...]
    categories: tuple[CategoryView, ...]
    logic: dict[str, Any] = field(default_factory=dict)


def _h(value: Decimal, scale: int) -> str:
    scaled = value * scale
    assert scaled == scaled.to_integral_value(), value
    return str(int(scaled))  # a string: the page reads it as a BigInt


def _deduct_logic(item: Item, chk: Check, scale: int) -> dict[str, Any]:
    if chk.kind == "count":
        return {
            "type": "per",
            "per": _h(chk.per or Decimal(0), scale),
            "cap": None if chk.per_cap is None else _h(chk.per_cap, scale),
        }
    if chk.kind == "choice":
        return {"type": "choice"}
    if isinstance(chk.deduct, tuple):
        lo, hi = chk.deduct
        return {
            "type": "range",
            "lo": _h(lo, scale),
            "hi": _h(hi, scale),
            "step": _h(chk.deduct_step, scale),
        }
    if chk.deduct is not None:
        return {"type": "fixed", "amount": _h(chk.deduct, scale)}
    return {"type": "fixed", "amount": _h(item.points, scale)}


def _rules(q: Check | ProfileQuestion) -> dict[str, str]:
    """The answer rules of one question with their messages, formatted but for the wrong value."""
    rules: dict[str, str] = {"missing": MESSAGES["missing_value"]}
    if q.kind == "count":
        rules["kind"] = wrong_value("count", GIVEN, count_max=limits.COUNT_MAX)
    elif q.kind == "number":
        rules["kind"] = wrong_value("number", GIVEN)
        if q.integer:
            rules["integer"] = wrong_value("integer", GIVEN)
        if q.min is not None:
            rules["min"] = wrong_value("min", GIVEN, min=q.min)
        if q.max is not None:
            rules["max"] = wrong_value("max", GIVEN, max=q.max)
    elif q.kind == "choice":
        rules["kind"] = wrong_value("choice", GIVEN, options=choice_options(q))
    elif q.kind == "date":
        rules["kind"] = wrong_value("date", GIVEN)
    if isinstance(q, Check) and isinstance(q.deduct, tuple):
        lo, hi = q.deduct
        step = q.deduct_step
        rules["deduct_missing"] = MESSAGES["deduct_missing"].format(lo=lo, hi=hi, step=step)
        rules["deduct_range"] = MESSAGES["deduct_range"].format(lo=lo, hi=hi, step=step, given=GIVEN)
    return rules


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _points_note(rs: Ruleset, item: Item, chk: Check) -> str:
    if rs.scoring.method != "deduction" or not item.scored or not chk.scorable:
        return ""
    if chk.kind == "count":
        cap = f"，最多扣{fmt(chk.per_cap)}分" if chk.per_cap is not None else ""
        return f"每起扣{fmt(chk.per)}分{cap}" if chk.per else ""
    if chk.kind == "choice":
        return ""
    if isinstance(chk.deduct, tuple):
        lo, hi = chk.deduct
        return f"扣{fmt(lo)}至{fmt(hi)}分"
    amount = chk.deduct if chk.deduct is not None else item.points
    return f"扣{fmt(amount)}分"


def compile_form(rs: Ruleset) -> FormModel:
    """The form model of a ruleset: the questions by category and the logic the page runs."""
    scale = common_scale(rs)
    deduction = rs.scoring.method == "deduction"

    profile = tuple(
        Question(
            id=p.id,
            text=p.question,
            kind=p.kind,
            help=p.help,
            options=tuple((o.value, o.label) for o in p.options),
            integer=p.integer,
            minimum=_number(p.min),
            maximum=_number(p.max),
            profile=True,
        )
        for p in rs.profile
    )

    categories: list[CategoryView] = []
    known = [c.id for c in rs.category]
    order = known + [cid for cid in rs.items_by_category if cid not in known]
    for cid in order:
        cat = rs.categories_by_id.get(cid)
        items: list[ItemView] = []
        for item in rs.items_by_category.get(cid, ()):
            shorthand = item.is_shorthand
            questions = tuple(
                Question(
                    id=chk.id,
                    text=chk.question,
                    kind=chk.kind,
                    help=chk.help,
                    options=tuple((o.value, o.label) for o in chk.options),
                    allow_na=item.allow_na and shorthand,
                    deduct_range=(
                        (fmt(chk.deduct[0]), fmt(chk.deduct[1]), fmt(chk.deduct_step))
                        if isinstance(chk.deduct, tuple) and deduction and item.scored
                        else None
                    ),
                    points_note=_points_note(rs, item, chk),
                    basis=chk.basis,
                    integer=chk.integer,
                    minimum=_number(chk.min),
                    maximum=_number(chk.max) if chk.kind == "number" else None,
                )
                for chk in item.check
            )
            items.append(
                ItemView(
                    id=item.id,
                    number=item.official,
                    title=item.title,
                    points=fmt(item.points) if item.points else "",
                    aggravating=item.aggravating,
                    allow_na_item=item.allow_na and not shorthand,
                    questions=questions,
                )
            )
        scored_points = sum((i.points for i in rs.items_by_category.get(cid, ())), Decimal(0))
        categories.append(
            CategoryView(
                id=cid,
                title=cat.title if cat else cid,
                points=fmt(scored_points) if scored_points else "",
                items=tuple(items),
            )
        )

    logic: dict[str, Any] = {
        "scale": str(scale),
        "limits": {
            "count_max": str(limits.COUNT_MAX),
            "number_max": format(limits.NUMBER_MAX, "f"),
            "number_places": limits.NUMBER_PLACES,
        },
        "method": rs.scoring.method,
        "normalize": rs.scoring.normalize,
        "grades": [{"min": _h(g.min, scale), "label": g.label} for g in rs.scoring.grades],
        "veto_grade": rs.scoring.effective_veto_grade,
        "profile": [
            {"id": p.id, "kind": p.kind, "integer": p.integer, "rules": _rules(p), **_bounds(p)} for p in rs.profile
        ],
        "categories": {c.id: expr_tree(c.applies_if) for c in rs.category},
        "items": [
            {
                "id": item.id,
                "category": item.category,
                "points": _h(item.points, scale),
                "aggravating": item.aggravating,
                "scored": item.scored,
                "allow_na": item.allow_na,
                "applies_if": expr_tree(item.applies_if),
                "checks": [_check_logic(rs, item, chk, scale) for chk in item.check],
            }
            for item in rs.item
        ],
        "messages": {"unanswered": MESSAGES["unanswered"], "expected": dict(EXPECTED)},
        "plausibility": plausibility_logic(rs),
    }
    return FormModel(
        ruleset_id=rs.id,
        title=rs.title,
        version=rs.version,
        description=rs.description,
        scored=deduction,
        profile=profile,
        categories=tuple(categories),
        logic=logic,
    )


def _bounds(q: Check | ProfileQuestion) -> dict[str, Any]:
    return {
        "min": _number(q.min) if q.kind == "number" else None,
        "max": _number(q.max) if q.kind == "number" else None,
        "options": [{"value": o.value, "label": o.label} for o in q.options],
    }


def _check_logic(rs: Ruleset, item: Item, chk: Check, scale: int) -> dict[str, Any]:
    return {
        "id": chk.id,
        "kind": chk.kind,
        "expect": chk.expected,
        "integer": chk.integer,
        "min_ok": _number(chk.min_ok),
        "max_ok": _number(chk.max_ok),
        "deduct": _deduct_logic(item, chk, scale),
        "option_deduct": {o.value: _h(o.deduct, scale) for o in chk.options},
        "option_ok": {o.value: o.compliant for o in chk.options},
        "veto": chk.veto,
        "severity": rs.severity_of(item, chk),
        "severity_label": SEVERITY_LABELS[rs.severity_of(item, chk)],
        "applies_if": expr_tree(chk.applies_if),
        "rules": _rules(chk),
        **_bounds(chk),
    }


def plausibility_logic(rs: Ruleset) -> list[dict[str, Any]]:
    """The ruleset's `[[plausibility]]` rules (when the ruleset format has them): each `when` as a tree,
    its message and the checks it concerns. The page shows the message beside those checks."""
    rules = getattr(rs, "plausibility", ()) or ()
    return [{"when": expr_tree(r.when), "message": r.message, "checks": list(r.checks)} for r in rules]
