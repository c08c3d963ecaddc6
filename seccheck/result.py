"""The scoring result: every number and the reason for every deduction, so it can be explained.

Decimals serialise to JSON as strings ("45.8"), which keeps them exact.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from seccheck.answers import Mode
from seccheck.ruleset.model import Severity


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CheckResult(_Frozen):
    id: str
    question: str
    applicable: bool
    answer: str  # as shown to people: 是/否/4/不适用/（未答）
    compliant: bool | None  # None when not applicable
    deduction: Decimal = Decimal(0)
    reason: str | None = None  # why this deduction, in words
    veto: bool = False


class ItemResult(_Frozen):
    id: str
    title: str
    points: Decimal
    aggravating: bool
    applicable: bool
    reason: str | None = None  # why not applicable, or how the deduction was capped
    deduction_total: Decimal = Decimal(0)  # sum of check deductions, before the cap
    deduction: Decimal = Decimal(0)  # what the item actually loses
    earned: Decimal | None = None  # None for aggravating and inapplicable items
    capped: bool = False
    checks: tuple[CheckResult, ...] = ()


class CategoryResult(_Frozen):
    id: str
    title: str
    applicable: bool
    reason: str | None = None
    points: Decimal = Decimal(0)  # applicable points in this category (实有项目分值)
    earned: Decimal = Decimal(0)
    deduction: Decimal = Decimal(0)  # capped deductions of scored items
    aggravated: Decimal = Decimal(0)  # deductions of aggravating items in this category
    findings: int = 0
    items: tuple[ItemResult, ...] = ()


class Finding(_Frozen):
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


class Result(_Frozen):
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
    stats: dict[str, Decimal] = {}
