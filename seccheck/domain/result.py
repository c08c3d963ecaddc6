"""The scoring result: every number and the reason for every deduction, so it can be explained.

The result types are standard dataclasses (treat them as read-only; frozen ones take twice as
long to build) rather than pydantic models: scoring builds about
two hundred of them per audit from values that are already validated, and validating them again
would cost more than the scoring itself. pydantic still owns their boundary: `result_adapter()`
serialises them to JSON, validates them when read back, and gives their JSON Schema.

Decimals serialise to JSON as strings ("45.8"), which keeps them exact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from seccheck.domain.answers import Mode
from seccheck.ruleset.model import Severity

if TYPE_CHECKING:
    from pydantic import TypeAdapter

ZERO = Decimal(0)


@dataclass(slots=True, kw_only=True)
class CheckResult:
    id: str
    question: str
    applicable: bool
    answer: str  # as shown to people: 是/否/4/不适用/（未答）
    compliant: bool | None  # None when not applicable or unanswered
    deduction: Decimal = ZERO
    reason: str | None = None  # why this deduction (or why not applicable), in words
    veto: bool = False


@dataclass(slots=True, kw_only=True)
class ItemResult:
    id: str
    title: str
    points: Decimal
    aggravating: bool
    applicable: bool
    reason: str | None = None  # why not applicable, or how the deduction was capped
    deduction_total: Decimal = ZERO  # sum of check deductions, before the cap
    deduction: Decimal = ZERO  # what the item actually loses
    earned: Decimal | None = None  # None for aggravating and inapplicable items
    capped: bool = False
    checks: tuple[CheckResult, ...] = ()


@dataclass(slots=True, kw_only=True)
class CategoryResult:
    id: str
    title: str
    applicable: bool
    reason: str | None = None
    points: Decimal = ZERO  # applicable points in this category (实有项目分值)
    earned: Decimal = ZERO
    deduction: Decimal = ZERO  # capped deductions of scored items
    aggravated: Decimal = ZERO  # deductions of aggravating items in this category
    findings: int = 0
    items: tuple[ItemResult, ...] = ()


@dataclass(slots=True, kw_only=True)
class Finding:
    check_id: str
    item_id: str
    category_id: str
    category_title: str
    item_title: str
    text: str
    question: str
    answer: str
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


@dataclass(slots=True, kw_only=True)
class Result:
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
    grade_reason: str
    veto: bool
    veto_checks: tuple[str, ...] = ()
    categories: tuple[CategoryResult, ...] = ()
    findings: tuple[Finding, ...] = ()
    stats: dict[str, Decimal] = field(default_factory=dict)


@cache
def result_adapter() -> TypeAdapter[Result]:
    from pydantic import TypeAdapter

    return TypeAdapter(Result)


def result_to_json(result: Result, indent: int | None = 2) -> str:
    return result_adapter().dump_json(result, indent=indent).decode("utf-8")


def result_from_data(data: Any) -> Result:
    """Validate a result read back from JSON or a database."""
    return result_adapter().validate_python(data)
