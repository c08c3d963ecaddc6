"""Scoring (spec §2, §3): pure functions from a ruleset and answers to a result. No I/O.

Arithmetic is exact: points and deductions are Decimals (TOML floats are read as Decimal), the
percent is a Fraction until it is rounded half-up for display.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from seccheck.domain.answers import Answer, Answers, AnswerValue
from seccheck.domain.applicability import _NUMBERS, Applicability, applicability, is_compliant
from seccheck.domain.reasons import (
    Aggravating,
    AnsweredNA,
    Breach,
    Capped,
    CategoryReason,
    CheckReason,
    ChoiceDeduction,
    Deduction,
    Fixed,
    GradeByScore,
    GradeChecklist,
    GradeReason,
    GradeVeto,
    ItemPoints,
    NoApplicableItems,
    NotApplicableExpr,
    NotCounted,
    PerOccurrence,
    PerOccurrenceCapped,
    Range,
    Unanswered,
)
from seccheck.domain.result import RESULT_FORMAT, CategoryResult, CheckResult, Finding, ItemResult, Result
from seccheck.numbers import round_half_up
from seccheck.ruleset.model import Check, Item, Ruleset

ZERO = Decimal(0)


def _breach(chk: Check, value: AnswerValue | None) -> Breach:
    """What the non-compliant answer was checked against."""
    if chk.kind == "yesno":
        return Breach(expected=chk.expected)
    if chk.kind == "count":
        return Breach(max_ok=chk.max_ok)
    if chk.kind == "choice":
        return Breach(label=next((o.label for o in chk.options if o.value == value), None))
    return Breach(min_ok=chk.min_ok, max_ok=chk.max_ok)


def _deduction(item: Item, chk: Check, ans: Answer, counts: bool) -> tuple[Decimal, Deduction]:
    """The deduction of a non-compliant check and why."""
    value = ans.value
    if not counts:
        return ZERO, NotCounted()
    if chk.kind == "count":
        per = chk.per or ZERO
        count = int(value)  # type: ignore[arg-type]
        amount = per * count
        cap = chk.per_cap
        if cap is not None and amount > cap:
            return cap, PerOccurrenceCapped(count=count, per=per, total=amount, cap=cap, amount=cap)
        return amount, PerOccurrence(count=count, per=per, amount=amount)
    if chk.kind == "choice":
        option = next((o for o in chk.options if o.value == value), None)
        amount = option.deduct if option else ZERO
        return amount, ChoiceDeduction(option=str(value), amount=amount)
    if isinstance(chk.deduct, tuple):
        lo, hi = chk.deduct
        chosen = ans.deduct is not None
        amount = ans.deduct if ans.deduct is not None else hi
        return amount, Range(amount=amount, low=lo, high=hi, step=chk.step, chosen=chosen)
    if chk.deduct is not None:
        return chk.deduct, Fixed(amount=chk.deduct)
    return item.points, ItemPoints(amount=item.points)


# --- the score ---------------------------------------------------------------------------------


def score(rs: Ruleset, answers: Answers) -> Result:
    """Score answers against a ruleset exactly as the official method does (spec §2)."""
    app = applicability(rs, answers)
    given = answers.answers
    deduction_method = rs.scoring.method == "deduction"

    findings: list[Finding] = []
    veto_checks: list[str] = []
    stats: dict[str, Decimal] = {}
    item_results: dict[str, ItemResult] = {}
    applicable_total = earned_total = aggravated_total = ZERO

    for item in rs.item:
        counts = deduction_method and item.scored
        check_results: list[CheckResult] = []
        deduction_sum = ZERO
        for chk in item.check:
            ans = given.get(chk.id)
            applies = app.check[chk.id]
            if not applies or ans is None or ans.na:
                why: CheckReason | None
                if applies:
                    why = AnsweredNA() if ans is not None else Unanswered()
                else:  # its own applies_if, or why its item is out
                    why = app.reason.get(chk.id) if app.item[item.id] else app.reason.get(item.id)
                check_results.append(
                    CheckResult(
                        id=chk.id,
                        question=chk.question,
                        kind=chk.kind,
                        applicable=applies,
                        value=ans.value if ans is not None and not ans.na else None,
                        na=ans is not None and ans.na,
                        compliant=None,
                        reason=why,
                        veto=chk.veto,
                    )
                )
                continue
            if chk.stat:
                _add_stat(stats, chk, ans.value)
            if is_compliant(chk, ans.value):
                check_results.append(
                    CheckResult(
                        id=chk.id,
                        question=chk.question,
                        kind=chk.kind,
                        applicable=True,
                        value=ans.value,
                        compliant=True,
                        veto=chk.veto,
                    )
                )
                continue
            amount, deduction_reason = _deduction(item, chk, ans, counts)
            deduction_sum += amount
            if chk.veto:
                veto_checks.append(chk.id)
            check_results.append(
                CheckResult(
                    id=chk.id,
                    question=chk.question,
                    kind=chk.kind,
                    applicable=True,
                    value=ans.value,
                    compliant=False,
                    deduction=amount,
                    reason=deduction_reason,
                    breach=_breach(chk, ans.value),
                    veto=chk.veto,
                )
            )
            findings.append(_finding(rs, item, chk, ans, amount, answers.date))

        applies = app.item[item.id]
        if not applies:
            item_results[item.id] = ItemResult(
                id=item.id,
                title=item.title,
                points=item.points,
                aggravating=item.aggravating,
                applicable=False,
                reason=app.reason.get(item.id),
                checks=tuple(check_results),
            )
            continue
        if item.aggravating:
            aggravated_total += deduction_sum
            item_results[item.id] = ItemResult(
                id=item.id,
                title=item.title,
                points=ZERO,
                aggravating=True,
                applicable=True,
                deduction_total=deduction_sum,
                deduction=deduction_sum,
                checks=tuple(check_results),
                reason=Aggravating(amount=deduction_sum) if deduction_sum else None,
            )
            continue
        capped = deduction_sum > item.points
        deduction = min(item.points, deduction_sum)
        earned = item.points - deduction
        applicable_total += item.points
        earned_total += earned
        reason = Capped(total=deduction_sum, points=item.points) if capped else None
        item_results[item.id] = ItemResult(
            id=item.id,
            title=item.title,
            points=item.points,
            aggravating=False,
            applicable=True,
            reason=reason,
            deduction_total=deduction_sum,
            deduction=deduction,
            earned=earned,
            capped=capped,
            checks=tuple(check_results),
        )

    categories = _categories(rs, app, item_results, findings)
    veto = bool(veto_checks)
    percent: Fraction | None = None
    raw: Decimal | None = None
    if deduction_method:
        raw = max(ZERO, earned_total - aggravated_total)
        if rs.scoring.normalize:
            percent = Fraction(100) * Fraction(raw) / Fraction(applicable_total) if applicable_total else None
        else:
            percent = Fraction(raw)
    grade, grade_reason = _grade(rs, percent, findings, veto_checks)

    return Result(
        format=RESULT_FORMAT,
        ruleset_id=rs.id,
        ruleset_title=rs.title,
        ruleset_version=rs.version,
        method=rs.scoring.method,
        normalize=rs.scoring.normalize,
        unit=answers.unit,
        date=answers.date,
        mode=answers.mode,
        applicable=applicable_total if deduction_method else None,
        earned=earned_total if deduction_method else None,
        aggravated=aggravated_total if deduction_method else None,
        raw=raw,
        percent=round_half_up(percent) if percent is not None else None,
        percent_exact=str(percent) if percent is not None else None,
        grade=grade,
        grade_index=[g.label for g in rs.scoring.grades].index(grade),
        grade_reason=grade_reason,
        veto=veto,
        veto_checks=tuple(veto_checks),
        categories=categories,
        findings=tuple(findings),
        stats=stats,
    )


def _grade(
    rs: Ruleset, percent: Fraction | None, findings: list[Finding], veto_checks: list[str]
) -> tuple[str, GradeReason]:
    grades = rs.scoring.grades
    if veto_checks:
        return rs.scoring.effective_veto_grade, GradeVeto(checks=tuple(veto_checks))
    if percent is not None:
        shown = round_half_up(percent)
        normalize = rs.scoring.normalize
        for n, g in enumerate(grades):
            if percent >= Fraction(g.min):
                below = grades[n - 1].min if n else None
                return g.label, GradeByScore(percent=shown, normalize=normalize, at_least=g.min, below=below)
        last = grades[-1]  # unreachable: the last min is 0
        below = grades[-2].min if len(grades) > 1 else None
        return last.label, GradeByScore(percent=shown, normalize=normalize, at_least=last.min, below=below)
    # Checklist rule, also used when no scored item applies.
    critical = sum(1 for f in findings if f.severity == "critical")
    if not findings:
        label = grades[0].label
    elif critical:
        label = grades[-1].label
    else:
        label = grades[1].label
    return label, GradeChecklist(findings=len(findings), critical=critical)


def _finding(rs: Ruleset, item: Item, chk: Check, ans: Answer, amount: Decimal, date: dt.date) -> Finding:
    days = rs.deadline_of(chk)
    return Finding(
        check_id=chk.id,
        item_id=item.id,
        category_id=item.category,
        category_title=rs.categories_by_id[item.category].title if item.category in rs.categories_by_id else "",
        item_title=item.title,
        finding=chk.finding,
        question=chk.question,
        value=ans.value,
        deduction=amount,
        severity=rs.severity_of(item, chk),
        basis=chk.basis,
        rectify=chk.rectify,
        deadline_days=days,
        due=date + dt.timedelta(days=days),
        note=ans.note,
        evidence=ans.evidence,
        veto=chk.veto,
        aggravating=item.aggravating,
    )


def _add_stat(stats: dict[str, Decimal], chk: Check, value: AnswerValue | None) -> None:
    assert chk.stat is not None
    if chk.kind == "yesno":
        amount = Decimal(1) if value is True else ZERO
    elif isinstance(value, _NUMBERS) and not isinstance(value, bool):
        amount = Decimal(value)
    else:
        return
    stats[chk.stat] = stats.get(chk.stat, ZERO) + amount


def _categories(
    rs: Ruleset, app: Applicability, items: dict[str, ItemResult], findings: list[Finding]
) -> tuple[CategoryResult, ...]:
    out = []
    for cat in rs.category:
        members = [items[i.id] for i in rs.items_by_category.get(cat.id, ())]
        applicable = app.category.get(cat.id, False)
        scored = [m for m in members if m.applicable and not m.aggravating]
        out.append(
            CategoryResult(
                id=cat.id,
                title=cat.title,
                applicable=applicable,
                reason=None if applicable else _category_reason(cat.applies_if, members),
                points=sum((m.points for m in scored), ZERO),
                earned=sum((m.earned or ZERO for m in scored), ZERO),
                deduction=sum((m.deduction for m in scored), ZERO),
                aggravated=sum((m.deduction for m in members if m.applicable and m.aggravating), ZERO),
                findings=sum(1 for f in findings if f.category_id == cat.id),
                items=tuple(members),
            )
        )
    return tuple(out)


def _category_reason(applies_if: str | None, members: list[ItemResult]) -> CategoryReason:
    if applies_if and not any(m.applicable for m in members):
        return NotApplicableExpr(expr=applies_if)
    return NoApplicableItems()
