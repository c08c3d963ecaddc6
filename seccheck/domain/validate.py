"""Checking answers against their ruleset (spec §4): every problem at once, each naming the id."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from seccheck import limits
from seccheck.domain import plausibility
from seccheck.domain.answers import Answer, Answers
from seccheck.domain.applicability import applicability, is_compliant
from seccheck.errors import Problem, shortened
from seccheck.ruleset.model import Check, ProfileQuestion, Ruleset
from seccheck.tomlfile import LineIndex

# The one table of answer rules and their messages. `check_answers` below and the offline form
# (seccheck.forms.compile, which generates these messages into the page) both take their words from
# here, so a rule is never written twice. `{given}` is filled with the wrong value where it is found.
EXPECTED = {
    "yesno": "true 或 false",
    "count": "非负整数（发现几起，不超过 {count_max}）",
    "number": "数字",
    "integer": "整数（此题只收整数，如 3）",
    "min": "不小于 {min} 的数字",
    "max": "不大于 {max} 的数字",
    "choice": "选项之一：{options}",
    "text": "字符串",
    "date": "日期，如 2026-11-20",
}
MESSAGES = {
    "wrong_value": "应为{space}{expected}（实际：{given}）",
    "missing_value": "缺少答案（value）",
    "deduct_missing": "答“不合规”且扣分为区间 [{lo}, {hi}]，需给出 deduct（{lo} 至 {hi}，按 {step} 分取值）",
    "deduct_range": "deduct 应在 {lo} 至 {hi} 之间，按 {step} 分取值（实际：{given}）",
    "unanswered": "有 {n} 个适用的问题未作答：{ids}（未答完可保存为草稿，但不能定稿评分）",
}


def wrong_value(expected_key: str, given: str, **params: object) -> str:
    """The message for an answer of the wrong type or out of range, from the table above."""
    expected = EXPECTED[expected_key].format(**params)
    space = " " if expected[0].isascii() else ""
    return MESSAGES["wrong_value"].format(space=space, expected=expected, given=given)


def check_answers(
    rs: Ruleset,
    answers: Answers,
    *,
    name: str = "<answers>",
    lines: LineIndex | None = None,
    final: bool = True,
) -> list[Problem]:
    """Every problem with the answers against the ruleset (spec §4). Warnings do not block.

    `final=False` accepts a draft: unanswered applicable checks are then not problems.
    """
    lines = lines or LineIndex("")
    problems: list[Problem] = []

    def add(message: str, ident: str, field: str | None = None, *, warning: bool = False) -> None:
        problems.append(Problem(message, file=name, line=lines.of_key(ident), id=ident, field=field, warning=warning))

    if answers.ruleset != rs.id:
        problems.append(
            Problem(
                f"答案文件属于规则集 {shortened(answers.ruleset)!r}，但用于 {rs.id!r}",
                file=name,
                line=lines.of_key("ruleset"),
                field="ruleset",
            )
        )
    if answers.ruleset_version is not None and answers.ruleset_version != rs.version:
        problems.append(
            Problem(
                f"答案按规则集版本 {answers.ruleset_version} 填写，当前版本为 {rs.version}；请核对题目是否有变化",
                file=name,
                line=lines.of_key("ruleset_version"),
                field="ruleset_version",
                warning=True,
            )
        )

    checks = rs.checks
    items = rs.items_by_id
    profile = rs.profile_by_id
    for ident, ans in answers.answers.items():
        if ident in profile:
            if ans.na:
                add("基本情况问题不能答“不适用”", ident)
            else:
                _check_value(profile[ident], ans, add, ident)
            continue
        item = items.get(ident)
        if ans.na:
            if item is None:
                owner = checks[ident][0].id if ident in checks else None
                if owner:
                    add(f'“不适用”针对整个检查项，请写 "{owner}" = "na"', ident)
                else:
                    add(f"{UNKNOWN_ID}：规则集中没有这个问题或检查", ident)
            elif not item.allow_na:
                add("此项不允许答“不适用”（规则集未允许）；若确无此项工作，请核对基本情况问题", ident)
            elif any(c.id in answers.answers for c in item.check if c.id != ident):
                add("检查项已答“不适用”，其下的检查不应再作答", ident)
            continue
        if ident not in checks:
            hint = "（这是检查项 id，请按检查 id 作答：" + "、".join(c.id for c in item.check) + "）" if item else ""
            add(f"{UNKNOWN_ID}：规则集中没有这个问题或检查{hint}", ident)
            continue
        owner_item, chk = checks[ident]
        if not _check_value(chk, ans, add, ident):
            continue
        _check_deduct(rs, owner_item.scored, chk, ans, add, ident)

    app = applicability(rs, answers)
    for ident, ans in answers.answers.items():
        if ident in checks and not app.check.get(ident, True) and not ans.na:
            add(
                "按基本情况的回答，此题不适用（或所属项目不适用），答案不计入；如基本情况答错了，请改正后重新评分或导入",
                ident,
                warning=True,
            )
    for violation in plausibility.violations(rs, app.values):
        first = violation.rule.checks[0]
        problems.append(
            Problem(
                violation.refusal(),
                file=name,
                line=lines.of_key(first),
                id="、".join(violation.rule.checks),
                field="value",
            )
        )
    if final:
        missing = app.unanswered(answers)
        if missing:
            problems.append(
                Problem(
                    MESSAGES["unanswered"].format(n=len(missing), ids="、".join(missing)),
                    file=name,
                    field="answers",
                )
            )
    return _version_mismatch(rs, answers, problems, name, lines)


UNKNOWN_ID = "未知编号"


def _version_mismatch(
    rs: Ruleset, answers: Answers, problems: list[Problem], name: str, lines: LineIndex
) -> list[Problem]:
    """Answers written for another version of the ruleset: one problem that says so and what to do,
    instead of a line for every id the versions do not share (problems not about ids stay)."""
    if answers.ruleset_version is None or answers.ruleset_version == rs.version:
        return problems
    unknown = [p.id for p in problems if p.message.startswith(UNKNOWN_ID) and p.id]
    if not unknown:
        return problems
    shown = "、".join(str(i) for i in unknown[:8]) + ("等" if len(unknown) > 8 else "")
    summary = Problem(
        f"答案按规则集版本 {answers.ruleset_version} 填写，当前版本为 {rs.version}，有 {len(unknown)} 个 id "
        f"在当前版本中没有（{shown}）。请按 CHANGELOG 中的 id 对照改写答案文件，"
        f"或用 --ruleset 指定 {answers.ruleset_version} 版的规则集文件",
        file=name,
        line=lines.of_key("ruleset_version"),
        field="ruleset_version",
    )
    about_ids = {"ruleset_version", "answers"}
    kept = [
        p
        for p in problems
        if not p.message.startswith(UNKNOWN_ID) and p.field not in about_ids and not (p.warning and p.id)
    ]
    return [summary, *kept]


def _check_value(q: Check | ProfileQuestion, ans: Answer, add: Any, ident: str) -> bool:
    value = ans.value
    kind = q.kind
    if value is None:
        add(MESSAGES["missing_value"], ident, "value")
        return False
    ok = True
    params: dict[str, object] = {}
    key: str = kind
    if kind == "yesno":
        ok = isinstance(value, bool)
    elif kind == "count":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= limits.COUNT_MAX
        params = {"count_max": limits.COUNT_MAX}
    elif kind == "number":
        ok = isinstance(value, int | Decimal) and not isinstance(value, bool)
        if ok and q.integer and not isinstance(value, int):
            ok, key = False, "integer"
        if ok and q.min is not None and Decimal(value) < q.min:  # type: ignore[arg-type]
            ok, key, params = False, "min", {"min": q.min}
        if ok and q.max is not None and Decimal(value) > q.max:  # type: ignore[arg-type]
            ok, key, params = False, "max", {"max": q.max}
    elif kind == "choice":
        values = [o.value for o in q.options]
        ok = isinstance(value, str) and value in values
        params = {"options": choice_options(q)}
    elif kind == "text":
        ok = isinstance(value, str)
    else:  # date
        ok = isinstance(value, dt.date) or (isinstance(value, str) and _is_iso_date(value))
    if not ok:
        given = repr(shortened(value)) if isinstance(value, str) else shortened(_given(value))
        add(wrong_value(key, given, **params), ident, "value")
    return ok


def choice_options(q: Check | ProfileQuestion) -> str:
    return "、".join(f"{o.value}（{o.label}）" for o in q.options)


def _given(value: object) -> str:
    """A wrong value in a problem message (the words of answers are in seccheck.text.zh)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _is_iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _check_deduct(rs: Ruleset, scored: bool, chk: Check, ans: Answer, add: Any, ident: str) -> None:
    compliant = is_compliant(chk, ans.value)
    if ans.deduct is None:
        if not compliant and chk.is_range and scored and rs.scoring.method == "deduction":
            lo, hi = chk.deduct  # type: ignore[misc]
            step = chk.deduct_step
            add(MESSAGES["deduct_missing"].format(lo=lo, hi=hi, step=step), ident, "deduct")
        return
    if compliant:
        add("答案合规，给出的 deduct 不计", ident, "deduct", warning=True)
    elif not chk.is_range:
        add("此检查为固定扣分，不能自定 deduct（只有区间扣分才由检查人员酌定）", ident, "deduct")
    else:
        lo, hi = chk.deduct  # type: ignore[misc]
        step = chk.deduct_step
        if not (lo <= ans.deduct <= hi) or (ans.deduct - lo) % step:
            add(MESSAGES["deduct_range"].format(lo=lo, hi=hi, step=step, given=ans.deduct), ident, "deduct")
