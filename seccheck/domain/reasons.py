"""Why a result is what it is: the reasons a scoring result records, each a small record named by a stable
code (`fixed`, `per_occurrence_capped`, `grade_veto` …) with the numbers it needs (docs/result.md), and the
rule a non-compliant answer was checked against (`Breach`). Data only: the words are in seccheck.text.zh."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

# --- why a non-compliant check loses what it loses ------------------------------------------------


@dataclass(slots=True, kw_only=True)
class Fixed:
    """A fixed deduction: `deduct = 1`."""

    code: Literal["fixed"] = "fixed"
    amount: Decimal


@dataclass(slots=True, kw_only=True)
class Range:
    """A deduction the inspector chose within `deduct = [low, high]` (the highest when none was chosen)."""

    code: Literal["range"] = "range"
    amount: Decimal
    low: Decimal
    high: Decimal
    step: Decimal | None  # the ruleset's `step`; None: the default 0.5
    chosen: bool  # False: no amount was chosen, the highest applies


@dataclass(slots=True, kw_only=True)
class PerOccurrence:
    """`per` points for each occurrence: count × per."""

    code: Literal["per_occurrence"] = "per_occurrence"
    count: int
    per: Decimal
    amount: Decimal


@dataclass(slots=True, kw_only=True)
class PerOccurrenceCapped:
    """count × per exceeded the check's `max`: the check loses `cap` (= amount)."""

    code: Literal["per_occurrence_capped"] = "per_occurrence_capped"
    count: int
    per: Decimal
    total: Decimal  # count × per, before the cap
    cap: Decimal
    amount: Decimal


@dataclass(slots=True, kw_only=True)
class ChoiceDeduction:
    """The deduction of the option chosen."""

    code: Literal["choice"] = "choice"
    option: str  # the option's value
    amount: Decimal


@dataclass(slots=True, kw_only=True)
class ItemPoints:
    """No deduction given: the check loses the item's whole points."""

    code: Literal["item_points"] = "item_points"
    amount: Decimal


@dataclass(slots=True, kw_only=True)
class NotCounted:
    """Non-compliant in an item that is not scored (no points) or a checklist: recorded, no deduction."""

    code: Literal["not_counted"] = "not_counted"


# --- why something does not count -----------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class NotApplicableExpr:
    """Its own `applies_if` is false (a check, an item or a category)."""

    code: Literal["not_applicable_expr"] = "not_applicable_expr"
    expr: str


@dataclass(slots=True, kw_only=True)
class CategoryNotApplicable:
    """An item whose category does not apply (the category's `applies_if` is false)."""

    code: Literal["category_not_applicable"] = "category_not_applicable"
    expr: str | None


@dataclass(slots=True, kw_only=True)
class AnsweredNA:
    """Answered 不适用 (na)."""

    code: Literal["na"] = "na"


@dataclass(slots=True, kw_only=True)
class Unanswered:
    """An applicable check without an answer: it counts as compliant."""

    code: Literal["unanswered"] = "unanswered"


@dataclass(slots=True, kw_only=True)
class NoApplicableItems:
    """A category none of whose items applies."""

    code: Literal["no_applicable_items"] = "no_applicable_items"


# --- how an item's deduction was limited ----------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class Capped:
    """The checks' deductions (`total`) exceed the item's points: the item loses its points."""

    code: Literal["capped"] = "capped"
    total: Decimal
    points: Decimal


@dataclass(slots=True, kw_only=True)
class Aggravating:
    """An aggravating item: its deductions add up without a cap."""

    code: Literal["aggravating"] = "aggravating"
    amount: Decimal


# --- how the grade was decided --------------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class GradeByScore:
    """By the percent (normalize) or the score: at least `at_least`, below `below` (None: the best grade)."""

    code: Literal["grade_by_score"] = "grade_by_score"
    percent: Decimal  # as shown, rounded half-up to one decimal (the score when not normalize)
    normalize: bool
    at_least: Decimal
    below: Decimal | None


@dataclass(slots=True, kw_only=True)
class GradeVeto:
    """A veto check is non-compliant: the veto grade, whatever the score."""

    code: Literal["grade_veto"] = "grade_veto"
    checks: tuple[str, ...]


@dataclass(slots=True, kw_only=True)
class GradeChecklist:
    """By findings (checklists, or no scored item applies): none → the first grade, any critical → the
    last, otherwise the second."""

    code: Literal["grade_checklist"] = "grade_checklist"
    findings: int
    critical: int


Deduction = Fixed | Range | PerOccurrence | PerOccurrenceCapped | ChoiceDeduction | ItemPoints | NotCounted
CheckReason = Annotated[
    Deduction | NotApplicableExpr | CategoryNotApplicable | AnsweredNA | Unanswered, Field(discriminator="code")
]
ItemReason = Annotated[
    NotApplicableExpr | CategoryNotApplicable | AnsweredNA | Capped | Aggravating, Field(discriminator="code")
]
CategoryReason = Annotated[NotApplicableExpr | NoApplicableItems, Field(discriminator="code")]
GradeReason = Annotated[GradeByScore | GradeVeto | GradeChecklist, Field(discriminator="code")]
ReasonCode = Literal[
    "fixed",
    "range",
    "per_occurrence",
    "per_occurrence_capped",
    "choice",
    "item_points",
    "not_counted",
    "not_applicable_expr",
    "category_not_applicable",
    "na",
    "unanswered",
    "no_applicable_items",
    "capped",
    "aggravating",
    "grade_by_score",
    "grade_veto",
    "grade_checklist",
]


@dataclass(slots=True, kw_only=True)
class Breach:
    """What a non-compliant answer was checked against, by the check's kind."""

    expected: bool | None = None  # yesno: the compliant answer
    min_ok: Decimal | None = None  # number: the compliant range (None: open)
    max_ok: Decimal | None = None  # number: the compliant range; count: the occurrences allowed
    label: str | None = None  # choice: the label of the option chosen
