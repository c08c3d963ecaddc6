"""Spec §5: the worked example and its variants must hold exactly."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from seccheck.domain.answers import Answers
from seccheck.domain.scoring import score
from seccheck.domain.validate import check_answers
from seccheck.ruleset.load import load_ruleset
from seccheck.ruleset.model import Ruleset
from seccheck.text import zh
from tests.conftest import DATA

BASE: dict[str, Any] = {
    "has_pcs": True,
    "1a": False,
    "1b": {"value": False, "deduct": Decimal("0.5")},
    "1c": True,
    "2": True,
    "3": 4,
    "4": "na",
    "5": 0,
    "6": False,
}


@pytest.fixture(scope="module")
def rs() -> Ruleset:
    return load_ruleset(DATA / "worked-example.toml").ruleset


def answers(**changes: Any) -> Answers:
    values = dict(BASE)
    for key, value in changes.items():
        values[key.removeprefix("a")] = value
    return Answers.model_validate(
        {
            "format": 1,
            "ruleset": "worked-example",
            "unit": "某区教育局",
            "date": "2026-11-20",
            "mode": "inspection",
            "answers": values,
        }
    )


def test_base_case(rs: Ruleset) -> None:
    a = answers()
    assert check_answers(rs, a) == []
    r = score(rs, a)
    items = {i.id: i for c in r.categories for i in c.items}
    assert items["1"].earned == Decimal("2.5")
    assert items["2"].earned == 3
    assert items["3"].deduction_total == 8 and items["3"].deduction == 5 and items["3"].earned == 0
    assert items["3"].capped
    assert not items["4"].applicable
    assert r.applicable == 12
    assert r.earned == Decimal("5.5")
    assert r.aggravated == 0
    assert r.percent_exact is not None and Fraction(r.percent_exact) == Fraction(275, 6)
    assert r.percent == Decimal("45.8")
    assert r.grade == "不符合要求"
    assert [f.check_id for f in r.findings] == ["1a", "1b", "3"]
    assert not r.veto


def test_without_pcs(rs: Ruleset) -> None:
    r = score(rs, answers(has_pcs=False))
    assert r.applicable == 7
    assert r.earned == Decimal("5.5")
    assert Fraction(r.percent_exact or "0") == Fraction(550, 7)
    assert r.percent == Decimal("78.6")
    assert r.grade == "不符合要求"
    assert [f.check_id for f in r.findings] == ["1a", "1b"]


def test_without_pcs_and_1b_compliant(rs: Ruleset) -> None:
    r = score(rs, answers(has_pcs=False, a1b=True))
    assert r.earned == 6
    assert r.percent == Decimal("85.7")
    assert r.grade == "基本符合要求"


def test_aggravating_one_occurrence(rs: Ruleset) -> None:
    r = score(rs, answers(has_pcs=False, a1b=True, a5=1))
    assert r.aggravated == 4
    assert r.raw == 2
    assert r.percent == Decimal("28.6")
    assert r.grade == "不符合要求"
    assert any(f.check_id == "5" and f.severity == "critical" for f in r.findings)


def test_veto_whatever_the_percent(rs: Ruleset) -> None:
    perfect = {"has_pcs": False, "a1a": True, "a1b": True, "a1c": True}
    r = score(rs, answers(**perfect))
    assert r.percent == 100 and r.grade == "符合要求"
    r = score(rs, answers(**perfect, a6=True))
    assert r.percent == 100
    assert r.veto and r.veto_checks == ("6",)
    assert r.grade == "不符合要求"
    veto_finding = next(f for f in r.findings if f.check_id == "6")
    assert veto_finding.severity == "critical" and veto_finding.veto


def test_range_deduction_upper_bound(rs: Ruleset) -> None:
    r = score(rs, answers(a1b={"value": False, "deduct": 1}))
    items = {i.id: i for c in r.categories for i in c.items}
    assert items["1"].earned == 2


def test_exact_ninety_is_ninety() -> None:
    # 9 of 10 points: 90 exactly, never 89.999...; the grade boundary is inclusive.
    from seccheck.ruleset.load import load_ruleset_text

    rs = load_ruleset_text(
        """
format = 1
id = "t"
title = "t"
version = "1"
[[category]]
id = "c"
title = "c"
[[item]]
id = "1"
category = "c"
title = "i"
points = 10
question = "q"
deduct = [0.5, 1]
[[item]]
id = "2"
category = "c"
title = "i2"
points = 0.1
allow_na = true
question = "q2"
"""
    ).ruleset
    a = Answers.model_validate(
        {
            "format": 1,
            "ruleset": "t",
            "unit": "u",
            "date": "2026-01-01",
            "answers": {"1": {"value": False, "deduct": 1}, "2": {"value": True}},
        }
    )
    r = score(rs, a)
    assert r.applicable == Decimal("10.1")
    assert r.earned == Decimal("9.1")
    a = Answers.model_validate(
        {
            "format": 1,
            "ruleset": "t",
            "unit": "u",
            "date": "2026-01-01",
            "answers": {"1": {"value": False, "deduct": 1}, "2": "na"},
        }
    )
    r = score(rs, a)
    assert r.percent == 90 and r.percent_exact == "90"
    assert r.grade == "符合要求"


def test_due_dates_and_finding_fields(rs: Ruleset) -> None:
    r = score(rs, answers())
    f = r.findings[0]
    assert str(f.due) == "2026-12-20"  # default 30 days
    assert f.finding is None and f.question == "是否提出明确要求？" and f.value is False
    assert zh.finding_text(f) == "是否提出明确要求？（答：否）"
    assert f.category_title == "主要类别"
