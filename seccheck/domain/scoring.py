"""Scoring (spec §2, §3): pure functions from a ruleset and answers to a result. No I/O.

Arithmetic is exact: points and deductions are Decimals (TOML floats are read as Decimal), the
percent is a Fraction until it is rounded half-up for display.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from seccheck.domain.answers import Answer, Answers, AnswerValue, show_value
from seccheck.domain.applicability import _NUMBERS, Applicability, applicability, is_compliant
from seccheck.domain.result import CategoryResult, CheckResult, Finding, ItemResult, Result
from seccheck.numbers import fmt, round_half_up
from seccheck.ruleset.model import Check, Item, Ruleset

ZERO = Decimal(0)


def _deduction(item: Item, chk: Check, ans: Answer, counts: bool) -> tuple[Decimal, str]:
    """The deduction of a non-compliant check and the reason in words."""
    value = ans.value
    shown = show_value(value)
    if chk.kind == "yesno":
        said = f"答“{shown}”（合规答案为“{show_value(chk.expected)}”）"
    elif chk.kind == "count":
        said = f"发现 {shown} 起" + (f"（允许 {fmt(chk.max_ok)} 起）" if chk.max_ok else "")
    elif chk.kind == "choice":
        label = next((o.label for o in chk.options if o.value == value), shown)
        said = f"选“{label}”"
    else:
        bounds = (
            f"[{fmt(chk.min_ok) if chk.min_ok is not None else '—'}, "
            f"{fmt(chk.max_ok) if chk.max_ok is not None else '—'}]"
        )
        said = f"答 {shown}，不在合规范围 {bounds}"
    if not counts:
        return ZERO, f"{said}，不计分"
    if chk.kind == "count":
        per = chk.per or ZERO
        amount = per * int(value)  # type: ignore[arg-type]
        cap = chk.per_cap
        if cap is not None and amount > cap:
            return cap, f"{said}，每起扣 {fmt(per)} 分，合计 {fmt(amount)} 分，本检查最多扣 {fmt(cap)} 分"
        return amount, f"{said}，每起扣 {fmt(per)} 分，共扣 {fmt(amount)} 分"
    if chk.kind == "choice":
        option = next((o for o in chk.options if o.value == value), None)
        amount = option.deduct if option else ZERO
        return amount, f"{said}，扣 {fmt(amount)} 分"
    if isinstance(chk.deduct, tuple):
        lo, hi = chk.deduct
        amount = ans.deduct if ans.deduct is not None else hi
        step = f"，按 {fmt(chk.deduct_step)} 分" if chk.step is not None else ""
        return amount, f"{said}，扣 {fmt(amount)} 分（区间 {fmt(lo)}–{fmt(hi)} 分{step}，检查人员酌定）"
    if chk.deduct is not None:
        return chk.deduct, f"{said}，扣 {fmt(chk.deduct)} 分"
    return item.points, f"{said}，扣本项全部分值 {fmt(item.points)} 分"


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
                shown = ans.display() if ans is not None else "（未答）"
                check_results.append(
                    CheckResult(
                        id=chk.id,
                        question=chk.question,
                        applicable=applies,
                        answer=shown,
                        compliant=None,
                        reason=app.reason.get(chk.id),
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
                        applicable=True,
                        answer=ans.display(),
                        compliant=True,
                        veto=chk.veto,
                    )
                )
                continue
            amount, why = _deduction(item, chk, ans, counts)
            deduction_sum += amount
            if chk.veto:
                veto_checks.append(chk.id)
                why += "；否决项不合规，直接评定为" + rs.scoring.effective_veto_grade
            check_results.append(
                CheckResult(
                    id=chk.id,
                    question=chk.question,
                    applicable=True,
                    answer=ans.display(),
                    compliant=False,
                    deduction=amount,
                    reason=why,
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
                reason="加重扣分项：扣分累加，不封顶" if deduction_sum else None,
            )
            continue
        capped = deduction_sum > item.points
        deduction = min(item.points, deduction_sum)
        earned = item.points - deduction
        applicable_total += item.points
        earned_total += earned
        reason = f"扣分合计 {fmt(deduction_sum)} 分，超过本项分值，按 {fmt(item.points)} 分扣" if capped else None
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


def _grade(rs: Ruleset, percent: Fraction | None, findings: list[Finding], veto_checks: list[str]) -> tuple[str, str]:
    grades = rs.scoring.grades
    if veto_checks:
        return rs.scoring.effective_veto_grade, f"否决项 {'、'.join(veto_checks)} 不合规，直接评定"
    if percent is not None:
        unit = "%" if rs.scoring.normalize else " 分"
        shown = f"得分{'率' if rs.scoring.normalize else ''} {round_half_up(percent)}{unit}"
        for n, g in enumerate(grades):
            if percent >= Fraction(g.min):
                if n == 0:
                    return g.label, f"{shown}，不低于 {fmt(g.min)}{unit}"
                upper = f"低于 {fmt(grades[n - 1].min)}{unit}"
                return g.label, f"{shown}，{upper}" + (f"、不低于 {fmt(g.min)}{unit}" if g.min else "")
        return grades[-1].label, shown  # unreachable: the last min is 0
    # Checklist rule, also used when no scored item applies.
    if not findings:
        return grades[0].label, "未发现问题"
    if any(f.severity == "critical" for f in findings):
        return grades[-1].label, "发现严重问题"
    return grades[1].label, f"发现 {len(findings)} 个问题，无严重问题"


def _finding(rs: Ruleset, item: Item, chk: Check, ans: Answer, amount: Decimal, date: dt.date) -> Finding:
    days = rs.deadline_of(chk)
    shown = ans.display()
    return Finding(
        check_id=chk.id,
        item_id=item.id,
        category_id=item.category,
        category_title=rs.categories_by_id[item.category].title if item.category in rs.categories_by_id else "",
        item_title=item.title,
        text=chk.finding or f"{chk.question}（答：{shown}）",
        question=chk.question,
        answer=shown,
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
                reason=None
                if applicable
                else (
                    f"不适用（{cat.applies_if} 不成立）"
                    if cat.applies_if and not any(m.applicable for m in members)
                    else "无适用的检查项"
                ),
                points=sum((m.points for m in scored), ZERO),
                earned=sum((m.earned or ZERO for m in scored), ZERO),
                deduction=sum((m.deduction for m in scored), ZERO),
                aggravated=sum((m.deduction for m in members if m.applicable and m.aggravating), ZERO),
                findings=sum(1 for f in findings if f.category_id == cat.id),
                items=tuple(members),
            )
        )
    return tuple(out)
