"""Property tests of the scoring method (hypothesis) over generated rulesets and answers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from seccheck.domain.answers import Answers
from seccheck.domain.applicability import is_compliant
from seccheck.domain.scoring import score
from seccheck.domain.validate import check_answers
from seccheck.ruleset.load import check_ruleset
from seccheck.ruleset.model import Check, Ruleset

HALVES = st.integers(min_value=0, max_value=20).map(lambda n: Decimal(n) / 2)


@st.composite
def checks(draw: Any, item_id: str, scored: bool) -> list[dict[str, Any]]:
    out = []
    for n in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["yesno", "count", "choice"]))
        chk: dict[str, Any] = {"id": f"{item_id}c{n}", "question": "q", "kind": kind}
        if kind == "yesno":
            chk["expect"] = draw(st.booleans())
            style = draw(st.sampled_from(["fixed", "range", "default"]))
            if style == "fixed" or (style == "default" and not scored):
                chk["deduct"] = draw(HALVES)
            elif style == "range":
                lo = draw(HALVES)
                chk["deduct"] = [lo, lo + draw(HALVES.filter(bool))]
        elif kind == "count":
            chk["per"] = draw(HALVES)
        else:
            chk["options"] = [
                {"value": "ok", "label": "好", "deduct": 0},
                {"value": "bad", "label": "差", "deduct": draw(HALVES)},
                {"value": "worse", "label": "很差", "deduct": draw(HALVES), "ok": False},
            ]
        out.append(chk)
    return out


@st.composite
def rulesets(draw: Any) -> Ruleset:
    items = []
    for n in range(draw(st.integers(1, 7))):
        aggravating = draw(st.booleans()) and n > 0
        item: dict[str, Any] = {
            "id": f"i{n}",
            "category": "c",
            "title": "t",
            "aggravating": aggravating,
            "allow_na": draw(st.booleans()),
        }
        if not aggravating:
            item["points"] = draw(HALVES.filter(bool))
        item["check"] = draw(checks(f"i{n}", scored=not aggravating))
        items.append(item)
    items.append({"id": "veto", "category": "c", "title": "否决", "question": "q", "expect": False, "veto": True})
    rs = Ruleset.model_validate(
        {
            "format": 1,
            "id": "gen",
            "title": "t",
            "version": "1",
            "scoring": {"normalize": True},
            "category": [{"id": "c", "title": "c"}],
            "item": items,
        }
    )
    assert not [p for p in check_ruleset(rs, "gen") if not p.warning]
    return rs


@st.composite
def answer_for(draw: Any, chk: Check) -> Any:
    if chk.kind == "yesno":
        value = draw(st.booleans())
        if isinstance(chk.deduct, tuple) and value != chk.expected:
            lo, hi = chk.deduct
            steps = int((hi - lo) * 2)
            return {"value": value, "deduct": lo + Decimal(draw(st.integers(0, steps))) / 2}
        return value
    if chk.kind == "count":
        return draw(st.integers(0, 5))
    return draw(st.sampled_from([o.value for o in chk.options]))


@st.composite
def cases(draw: Any) -> tuple[Ruleset, Answers]:
    rs = draw(rulesets())
    values: dict[str, Any] = {}
    for item in rs.item:
        if item.allow_na and draw(st.integers(0, 4)) == 0:
            values[item.id] = "na"
            continue
        for chk in item.check:
            values[chk.id] = draw(answer_for(chk))
    answers = Answers.model_validate(
        {"format": 1, "ruleset": "gen", "unit": "u", "date": "2026-11-20", "answers": values}
    )
    assert not [p for p in check_answers(rs, answers) if not p.warning]
    return rs, answers


def compliant_answer(chk: Check) -> Any:
    if chk.kind == "yesno":
        return chk.expected
    if chk.kind == "count":
        return 0
    return "ok"


def with_answer(answers: Answers, ident: str, value: Any) -> Answers:
    values = {k: v for k, v in answers.answers.items()}
    values[ident] = value
    return Answers.model_validate({**answers.model_dump(exclude={"answers"}), "answers": values})


@settings(max_examples=300, deadline=None)
@given(cases())
def test_percent_within_bounds_and_items_capped(case: tuple[Ruleset, Answers]) -> None:
    rs, answers = case
    r = score(rs, answers)
    if r.percent is not None:
        assert 0 <= r.percent <= 100
    for cat in r.categories:
        for item in cat.items:
            if item.applicable and not item.aggravating:
                assert 0 <= item.deduction <= item.points
                assert item.earned is not None and item.earned >= 0


@settings(max_examples=300, deadline=None)
@given(cases(), st.data())
def test_fixing_an_answer_never_lowers_the_percent(case: tuple[Ruleset, Answers], data: Any) -> None:
    rs, answers = case
    failing = [
        (cid, chk)
        for cid, (_, chk) in rs.checks.items()
        if cid in answers.answers and not answers.answers[cid].na and not is_compliant(chk, answers.answers[cid].value)
    ]
    if not failing:
        return
    cid, chk = data.draw(st.sampled_from(failing))
    before = score(rs, answers)
    after = score(rs, with_answer(answers, cid, compliant_answer(chk)))
    if before.percent_exact is not None and after.percent_exact is not None:
        from fractions import Fraction

        assert Fraction(after.percent_exact) >= Fraction(before.percent_exact)
    assert len(after.findings) == len(before.findings) - 1


@settings(max_examples=300, deadline=None)
@given(cases(), st.data())
def test_na_leaves_numerator_and_denominator(case: tuple[Ruleset, Answers], data: Any) -> None:
    rs, answers = case
    candidates = [
        i
        for i in rs.item
        if i.allow_na and not i.aggravating and i.points and all(c.id in answers.answers for c in i.check)
    ]
    if not candidates:
        return
    item = data.draw(st.sampled_from(candidates))
    answered = score(rs, answers)
    values = {k: v for k, v in answers.answers.items() if k not in {c.id for c in item.check}}
    values[item.id] = "na"
    na = score(rs, Answers.model_validate({**answers.model_dump(exclude={"answers"}), "answers": values}))
    item_result = next(i for c in answered.categories for i in c.items if i.id == item.id)
    assert na.applicable == answered.applicable - item.points  # type: ignore[operator]
    assert na.earned == answered.earned - item_result.earned  # type: ignore[operator]


@settings(max_examples=200, deadline=None)
@given(cases())
def test_failed_veto_always_gives_the_veto_grade(case: tuple[Ruleset, Answers]) -> None:
    rs, answers = case
    r = score(rs, with_answer(answers, "veto", True))
    assert r.veto and r.grade == rs.scoring.effective_veto_grade
    r = score(rs, with_answer(answers, "veto", False))
    assert not r.veto
