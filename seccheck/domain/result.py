"""The scoring result: every number and the reason for every deduction, as data, so it can be
explained in words (seccheck.text.zh) and sealed without them (records.md §5).

A reason is a small record named by a stable code (`fixed`, `per_occurrence_capped`, `grade_veto` …)
with the numbers it needs; docs/result.md lists them. No sentence is built here: rewording a message
changes no field of a result.

The result types are standard dataclasses (treat them as read-only; frozen ones take twice as
long to build) rather than pydantic models: scoring builds about
two hundred of them per audit from values that are already validated, and validating them again
would cost more than the scoring itself. pydantic still owns their boundary: `result_adapter()`
serialises them to JSON, validates them when read back, and gives their JSON Schema.

Decimals serialise to JSON as strings ("45.8"), which keeps them exact; an answer value keeps its type
({"decimal": "0.5"}, {"date": "2026-11-20"}, as in the sealed answers).

Results stored by 0.1 (format 1) carried sentences instead of reasons; `result_from_data` reads them
into the `legacy_*` fields, which seccheck.text.zh shows as they were. Results made now (format 2)
never have them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

from seccheck.domain.answers import AnswerValue, Mode
from seccheck.domain.reasons import Breach, CategoryReason, CheckReason, GradeReason, ItemReason
from seccheck.domain.seal import canonical, decode_value, encode_value
from seccheck.ruleset.model import Kind, Severity

if TYPE_CHECKING:
    from pydantic import TypeAdapter

#: The shape of a result: 1 = 0.1.x (sentences), 2 = reason codes and numbers.
RESULT_FORMAT = 2

ZERO = Decimal(0)


def _decode(data: Any) -> Any:
    return decode_value(data) if isinstance(data, dict) else data


#: An answer value as sealed: its type kept through JSON (2 stays int, 0.5 Decimal, a date a date).
TypedValue = Annotated[AnswerValue | None, BeforeValidator(_decode), PlainSerializer(encode_value, when_used="json")]


# --- the result -----------------------------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class CheckResult:
    id: str
    question: str
    kind: Kind | None = None  # None only in format 1
    applicable: bool
    value: TypedValue = None  # the answer as given (None: unanswered or 不适用)
    na: bool = False  # answered 不适用
    compliant: bool | None  # None when not applicable or unanswered
    deduction: Decimal = ZERO
    reason: CheckReason | None = None  # why this deduction, or why it does not count
    breach: Breach | None = None  # non-compliant: the rule the answer broke
    veto: bool = False
    legacy_answer: str | None = None  # format 1: the answer as shown
    legacy_reason: str | None = None  # format 1: the reason in words


@dataclass(slots=True, kw_only=True)
class ItemResult:
    id: str
    title: str
    points: Decimal
    aggravating: bool
    applicable: bool
    reason: ItemReason | None = None  # why not applicable, or how the deduction was capped
    deduction_total: Decimal = ZERO  # sum of check deductions, before the cap
    deduction: Decimal = ZERO  # what the item actually loses
    earned: Decimal | None = None  # None for aggravating and inapplicable items
    capped: bool = False
    checks: tuple[CheckResult, ...] = ()
    legacy_reason: str | None = None


@dataclass(slots=True, kw_only=True)
class CategoryResult:
    id: str
    title: str
    applicable: bool
    reason: CategoryReason | None = None
    points: Decimal = ZERO  # applicable points in this category (实有项目分值)
    earned: Decimal = ZERO
    deduction: Decimal = ZERO  # capped deductions of scored items
    aggravated: Decimal = ZERO  # deductions of aggravating items in this category
    findings: int = 0
    items: tuple[ItemResult, ...] = ()
    legacy_reason: str | None = None


@dataclass(slots=True, kw_only=True)
class Finding:
    check_id: str
    item_id: str
    category_id: str
    category_title: str
    item_title: str
    finding: str | None = None  # the ruleset's words for the problem (check.finding), if any
    question: str
    value: TypedValue = None  # the answer given
    deduction: Decimal
    severity: Severity
    basis: str | None
    rectify: str | None
    deadline_days: int
    due: dt.date
    note: str | None = None
    evidence: tuple[str, ...] = ()
    veto: bool = False
    aggravating: bool = False
    legacy_text: str | None = None  # format 1: the problem as worded then
    legacy_answer: str | None = None


@dataclass(slots=True, kw_only=True)
class Result:
    format: int = 1  # RESULT_FORMAT for results scored now; 1 when read from a 0.1 record
    ruleset_id: str
    ruleset_title: str
    ruleset_version: str
    method: str
    normalize: bool
    unit: str
    date: dt.date
    mode: Mode
    applicable: Decimal | None  # 实有项目分值; None for checklist
    earned: Decimal | None
    aggravated: Decimal | None
    raw: Decimal | None  # max(0, earned - aggravated)
    percent: Decimal | None  # rounded half-up to one decimal, as shown
    percent_exact: str | None  # the exact value as a fraction, e.g. "275/6"
    grade: str
    grade_index: int  # position of the grade in the ruleset's grades, 0 = best
    grade_reason: GradeReason | None = None  # None only in format 1
    veto: bool
    veto_checks: tuple[str, ...] = ()
    categories: tuple[CategoryResult, ...] = ()
    findings: tuple[Finding, ...] = ()
    stats: dict[str, Decimal] = field(default_factory=dict)
    legacy_grade_reason: str | None = None


@cache
def result_adapter() -> TypeAdapter[Result]:
    from pydantic import TypeAdapter

    return TypeAdapter(Result)


# The legacy fields are absent from results made now: leave them out rather than write nulls.
_CHECK_LEGACY = {"legacy_answer": True, "legacy_reason": True}
_NEW_FORMAT_EXCLUDE: dict[str, Any] = {
    "legacy_grade_reason": True,
    "categories": {
        "__all__": {
            "legacy_reason": True,
            "items": {"__all__": {"legacy_reason": True, "checks": {"__all__": _CHECK_LEGACY}}},
        }
    },
    "findings": {"__all__": {"legacy_text": True, "legacy_answer": True}},
}


def result_to_json(result: Result, indent: int | None = 2) -> str:
    exclude = _NEW_FORMAT_EXCLUDE if result.format >= 2 else None
    return result_adapter().dump_json(result, indent=indent, exclude=exclude).decode("utf-8")


def result_from_data(data: Any) -> Result:
    """Validate a result read back from JSON or a database; a 0.1 result (format 1) keeps its sentences
    in the legacy fields."""
    if isinstance(data, dict) and "format" not in data:
        data = _from_format_1(data)
    return result_adapter().validate_python(data)


def _from_format_1(data: dict[str, Any]) -> dict[str, Any]:
    def moved(node: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
        out = {k: v for k, v in node.items() if k not in renames}
        out.update({new: node[old] for old, new in renames.items() if node.get(old) is not None})
        return out

    categories = []
    for cat in data.get("categories", ()):
        items = []
        for item in cat.get("items", ()):
            checks = tuple(
                moved(c, {"answer": "legacy_answer", "reason": "legacy_reason"}) for c in item.get("checks", ())
            )
            items.append(moved(item, {"reason": "legacy_reason"}) | {"checks": checks})
        categories.append(moved(cat, {"reason": "legacy_reason"}) | {"items": tuple(items)})
    findings = tuple(moved(f, {"text": "legacy_text", "answer": "legacy_answer"}) for f in data.get("findings", ()))
    top = moved(data, {"grade_reason": "legacy_grade_reason"})
    return top | {"format": 1, "categories": tuple(categories), "findings": findings}


def scores_agree(stored: Any, rescored: Result) -> bool:
    """Does a stored result (as read from JSON) say what scoring the same answers says now?

    A result of this format must be equal in every field. A 0.1 result is compared on every field it
    shares with this format — every number, applicability, compliance, grade, finding — but not on its
    sentences, which scoring no longer makes."""
    new = json.loads(result_to_json(rescored, indent=None))
    if isinstance(stored, dict) and "format" in stored:
        return canonical(stored) == canonical(new)
    return _shared_agree(stored, new)


_FORMAT_1_SENTENCES = frozenset({"reason", "grade_reason", "answer", "text"})


def _shared_agree(old: Any, new: Any) -> bool:
    if isinstance(old, dict):
        if not isinstance(new, dict):
            return False
        return all(k in new and _shared_agree(v, new[k]) for k, v in old.items() if k not in _FORMAT_1_SENTENCES)
    if isinstance(old, list):
        return isinstance(new, list) and len(old) == len(new) and all(map(_shared_agree, old, new))
    return bool(old == new)
