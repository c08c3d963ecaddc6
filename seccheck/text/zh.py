"""Every sentence about a result, in Chinese, produced from its reason codes and numbers.

Scoring (seccheck.domain) records why (`Fixed(amount=1)`, `Capped(total=8, points=5)` …); this module
says it (“扣 1 分”, “扣分合计 8 分，超过本项分值，按 5 分扣”). The sentences are in one table,
`WORDS`, so rewording one is an edit here and changes no result, no seal and no stored record.
The terminal (`score --explain`), the documents, the workbooks and the interview call these functions.

A result stored by 0.1 (format 1) carries its sentences as they were then (`legacy_*`); they are shown
as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import fields
from decimal import Decimal
from typing import Any

from seccheck.domain.answers import Answer, AnswerValue
from seccheck.domain.reasons import GradeByScore, GradeChecklist, GradeVeto
from seccheck.domain.result import CategoryResult, CheckResult, Finding, ItemResult, Result
from seccheck.numbers import fmt
from seccheck.ruleset.model import Option

#: Every sentence, by reason code (docs/result.md). Placeholders are filled from the reason's fields
#: (numbers as 4, 0.5 — never 4.0 or 5E-1) and from `said`, what was seen.
WORDS: dict[str, str] = {
    # what was seen, by the kind of the check
    "said.yesno": "答“{answer}”（合规答案为“{expected}”）",
    "said.count": "发现 {answer} 起",
    "said.count_allowed": "发现 {answer} 起（允许 {max_ok} 起）",
    "said.choice": "选“{label}”",
    "said.number": "答 {answer}，不在合规范围 [{min_ok}, {max_ok}]",
    # why a non-compliant check loses what it loses
    "fixed": "{said}，扣 {amount} 分",
    "range": "{said}，扣 {amount} 分（区间 {low}–{high} 分，检查人员酌定）",
    "range.step": "{said}，扣 {amount} 分（区间 {low}–{high} 分，按 {step} 分，检查人员酌定）",
    "per_occurrence": "{said}，每起扣 {per} 分，共扣 {amount} 分",
    "per_occurrence_capped": "{said}，每起扣 {per} 分，合计 {total} 分，本检查最多扣 {cap} 分",
    "choice": "{said}，扣 {amount} 分",
    "item_points": "{said}，扣本项全部分值 {amount} 分",
    "not_counted": "{said}，不计分",
    "veto": "{reason}；否决项不合规，直接评定为{grade}",
    # why something does not count
    "not_applicable_expr": "不适用（{expr} 不成立）",
    "category_not_applicable": "所属类别不适用（{expr}）",
    "na": "答“不适用”",
    "unanswered": "未作答",
    "no_applicable_items": "无适用的检查项",
    # how an item's deduction was limited
    "capped": "扣分合计 {total} 分，超过本项分值，按 {points} 分扣",
    "aggravating": "加重扣分项：扣分累加，不封顶",
    # how the grade was decided
    "grade_veto": "否决项 {checks} 不合规，直接评定",
    "grade_by_score.best": "{score}，不低于 {at_least}{unit}",
    "grade_by_score": "{score}，低于 {below}{unit}、不低于 {at_least}{unit}",
    "grade_by_score.lowest": "{score}，低于 {below}{unit}",
    "score.percent": "得分率 {percent}",
    "score.points": "得分 {percent}",
    "unit.percent": "%",
    "unit.points": " 分",
    "grade_checklist.none": "未发现问题",
    "grade_checklist.critical": "发现严重问题",
    "grade_checklist": "发现 {findings} 个问题，无严重问题",
    # answers
    "answer.yes": "是",
    "answer.no": "否",
    "answer.na": "不适用",
    "answer.unanswered": "（未答）",
    "finding": "{question}（答：{answer}）",
    # the score sheet (自查自评表): the explanation column
    "sheet.check": "{text}（扣{amount}分）",
    "sheet.capped": "（扣分以本项分值{points}分为限）",
    "sheet.not_applicable": "非实有项目，不计分",
    "sheet.separator": "；",
    # the notice: the score in one sentence, and the calculation when the workspace prints it
    "notice.score": "实有项目分值{applicable}分，得分{raw}分，得分率{percent}%，评定为“{grade}”",
    "notice.score_points": "得分{raw}分，评定为“{grade}”",
    "notice.score_checklist": "发现问题{findings}个，评定为“{grade}”",
    "notice.veto": "因存在否决项所列情形，直接评定为“{grade}”。",
    "notice.deducted": "各项扣分合计{deducted}分（单项扣分以该项分值为限）",
    "notice.aggravated": "，加重扣分{aggravated}分",
    "notice.percent": "，得分率为得分除以实有项目分值，即{percent}%",
    "notice.end": "。",
    "list.separator": "、",
}


def item_number(official: str | None, position: int, check: int | None = None) -> str:
    """How a person finds an item: the official standard's number where the ruleset gives one
    (标准第34项), else its 序号 in this ruleset (第5项); a second question of the item adds 第2问."""
    text = f"标准第{official}项" if official else f"第{position}项"
    return text + (f"第{check}问" if check else "")


def _say(key: str, **values: Any) -> str:
    return WORDS[key].format(**{k: _shown(v) for k, v in values.items()})


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return value_text(value)
    if isinstance(value, Decimal | int) or value is None:
        return fmt(value)
    return str(value)


def _fields(reason: Any) -> dict[str, Any]:
    return {f.name: getattr(reason, f.name) for f in fields(reason) if f.name != "code"}


# --- answers -------------------------------------------------------------------------------------


def value_text(value: AnswerValue | None, options: Sequence[Option] = ()) -> str:
    """An answer value as people read it: 是/否, 4, 0.5, 2026-11-20, （未答）; a choice by its label
    when the check's `options` are given."""
    if value is None:
        return WORDS["answer.unanswered"]
    if isinstance(value, str) and (label := next((o.label for o in options if o.value == value), None)):
        return label
    if value is True:
        return WORDS["answer.yes"]
    if value is False:
        return WORDS["answer.no"]
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def answer_text(answer: Answer, options: Sequence[Option] = ()) -> str:
    """An answer as people read it, 不适用 included."""
    return WORDS["answer.na"] if answer.na else value_text(answer.value, options)


def check_answer(chk: CheckResult) -> str:
    if chk.legacy_answer is not None:
        return chk.legacy_answer
    return WORDS["answer.na"] if chk.na else value_text(chk.value)


# --- reasons -------------------------------------------------------------------------------------


def _said(chk: CheckResult) -> str:
    """What was seen, against what the check allows."""
    breach = chk.breach
    answer = value_text(chk.value)
    if chk.kind == "yesno" and breach is not None:
        return _say("said.yesno", answer=answer, expected=bool(breach.expected))
    if chk.kind == "count":
        if breach is not None and breach.max_ok:
            return _say("said.count_allowed", answer=answer, max_ok=breach.max_ok)
        return _say("said.count", answer=answer)
    if chk.kind == "choice":
        return _say("said.choice", label=breach.label if breach and breach.label else answer)
    return _say(
        "said.number",
        answer=answer,
        min_ok=breach.min_ok if breach else None,
        max_ok=breach.max_ok if breach else None,
    )


def check_reason(chk: CheckResult, result: Result) -> str | None:
    """Why a check loses what it loses, or why it does not count; None when there is nothing to say."""
    if chk.legacy_reason is not None:
        return chk.legacy_reason
    reason = chk.reason
    if reason is None:
        return None
    values = _fields(reason)
    if chk.compliant is not False:
        return _say(reason.code, **values)
    key = "range.step" if reason.code == "range" and values["step"] is not None else reason.code
    text = _say(key, said=_said(chk), **values)
    if chk.veto:
        text = WORDS["veto"].format(reason=text, grade=result.grade)
    return text


def item_reason(item: ItemResult) -> str | None:
    if item.legacy_reason is not None:
        return item.legacy_reason
    if item.reason is None:
        return None
    return _say(item.reason.code, **_fields(item.reason))


def category_reason(cat: CategoryResult) -> str | None:
    if cat.legacy_reason is not None:
        return cat.legacy_reason
    if cat.reason is None:
        return None
    return _say(cat.reason.code, **_fields(cat.reason))


def grade_reason(result: Result) -> str:
    """How the grade was decided: 得分率 45.8%，低于 80% / 否决项 6 不合规，直接评定 / 未发现问题."""
    if result.legacy_grade_reason is not None:
        return result.legacy_grade_reason
    reason = result.grade_reason
    if isinstance(reason, GradeVeto):
        return _say("grade_veto", checks=WORDS["list.separator"].join(reason.checks))
    if isinstance(reason, GradeByScore):
        unit = WORDS["unit.percent" if reason.normalize else "unit.points"]
        score = WORDS["score.percent" if reason.normalize else "score.points"].format(percent=reason.percent)
        score += unit
        if reason.below is None:
            key = "grade_by_score.best"
        else:
            key = "grade_by_score" if reason.at_least else "grade_by_score.lowest"
        return WORDS[key].format(score=score, unit=unit, below=fmt(reason.below), at_least=fmt(reason.at_least))
    if isinstance(reason, GradeChecklist):
        if not reason.findings:
            return WORDS["grade_checklist.none"]
        if reason.critical:
            return WORDS["grade_checklist.critical"]
        return _say("grade_checklist", findings=reason.findings)
    return ""


# --- findings ------------------------------------------------------------------------------------


def finding_text(f: Finding) -> str:
    """The problem as a document states it: the ruleset's words, else the question with the answer."""
    if f.legacy_text is not None:
        return f.legacy_text
    if f.finding:
        return f.finding
    return WORDS["finding"].format(question=f.question, answer=value_text(f.value))


def finding_answer(f: Finding) -> str:
    return f.legacy_answer if f.legacy_answer is not None else value_text(f.value)


# --- the score sheet -----------------------------------------------------------------------------


def sheet_explanation(item: ItemResult, findings: Mapping[str, Finding]) -> str:
    """The 扣分说明 of an item on the 自查自评表: each problem with what it cost, and the cap."""
    if not item.applicable:
        return WORDS["sheet.not_applicable"]
    parts = []
    for chk in item.checks:
        if chk.id in findings:
            text = finding_text(findings[chk.id])
            parts.append(WORDS["sheet.check"].format(text=text, amount=fmt(chk.deduction)) if chk.deduction else text)
    explanation = WORDS["sheet.separator"].join(parts)
    if item.capped:
        explanation += WORDS["sheet.capped"].format(points=fmt(item.points))
    return explanation


# --- the notice ----------------------------------------------------------------------------------


def score_line(result: Result) -> str:
    """实有项目分值12分，得分5.5分，得分率45.8%，评定为“不符合要求”."""
    if result.method == "deduction" and result.percent is not None:
        key = "notice.score" if result.normalize else "notice.score_points"
        return WORDS[key].format(
            applicable=fmt(result.applicable), raw=fmt(result.raw), percent=result.percent, grade=result.grade
        )
    return WORDS["notice.score_checklist"].format(findings=len(result.findings), grade=result.grade)


def calculation(result: Result) -> str:
    """The calculation in one line, for workspaces that print it in the body ([notice] calculation)."""
    if result.veto:
        return WORDS["notice.veto"].format(grade=result.grade)
    if result.method != "deduction" or result.percent is None:
        return ""
    deducted = (result.applicable or 0) - (result.earned or 0)
    line = WORDS["notice.deducted"].format(deducted=fmt(deducted))
    if result.aggravated:
        line += WORDS["notice.aggravated"].format(aggravated=fmt(result.aggravated))
    if result.normalize:
        line += WORDS["notice.percent"].format(percent=result.percent)
    return line + WORDS["notice.end"]


# --- packages reported upward (issue 25) ---------------------------------------------------------

PACKAGE_WORDS = {
    "key_header": (
        "# seccheck 上报密钥：{issuer} 发给 {subject}，用于封签上报的自查自评数据包。\n"
        "# 请以安全的方式（不经聊天工具）交给对方；对方用 seccheck unit key add 本文件 登记后即可导出数据包。\n"
    ),
    "no_unit_for_key": (
        "本工作区没有单位“{subject}”：这把上报密钥是发给它的；请先用 seccheck unit add {subject} 登记本单位"
    ),
    "not_a_key": "不是 seccheck 上报密钥文件（{why}）；请用上级机关 seccheck unit key issue 发来的文件",
    "no_held_key": (
        "没有上级机关发给 {subject} 的上报密钥；请向上级保密行政管理部门索取（对方用 seccheck unit key issue），"
        "再用 seccheck unit key add 密钥文件 登记"
    ),
    "no_self_assessment": ("{unit} {year} 年没有定稿的单位保密自查自评；请先完成并定稿本单位的自查自评，再导出数据包"),
    "nothing_to_report": (
        "{year} 年还没有导入任何单位的数据包；请先导入各单位报来的数据包（seccheck import 文件），再导出"
    ),
    "unreadable": "不能读取数据包：{why}；请让报送单位重新导出（seccheck rollup 单位 --export 文件）后报送",
    "not_a_package": (
        "不是上报数据包：seccheck import 把 .json 文件当作数据包（由 rollup --export 或 summary --export 导出）；"
        "答案文件请用 .toml 文件"
    ),
    "malformed": "数据包的字段 {field} 缺少或不对（{why}）；文件可能被改动过，请让报送单位重新导出后报送",
    "tampered": "数据包的摘要与内容不符：文件在导出之后被改动过；请让 {subject} 重新导出后报送",
    "mac": (
        "数据包的核验值不符：文件被改动过，或不是用本机关发给 {subject} 的上报密钥封签的；请让 {subject} 用本机关"
        "发给它的密钥重新导出后报送"
    ),
    "foreign_key": (
        "数据包不是用本机关发出的上报密钥封签的（{issuer} 发给 {subject} 的密钥，本工作区没有发过）；"
        "请确认数据包来自本机关管辖的单位，或用 seccheck unit key issue 给该单位发密钥后请它重新导出"
    ),
    "foreign_unit": (
        "这把上报密钥是本机关发给 {owner} 的，数据包却是 {subject} 的；请让 {subject} 用本机关发给它自己的密钥导出"
    ),
    "wrong_level": "这把上报密钥是发给{expected}的，数据包却是{actual}的数据包；请让对方用对应的密钥重新导出",
    "seal": "数据包中 {subject} 自查自评的封签与内容不符：内容被改动过；请让 {subject} 重新导出后报送",
    "twice": "数据包中单位“{unit}”出现了不止一次；请让 {subject} 重新导出后报送",
    "older": (
        "这份数据包比已导入的第 {revision} 版更早导出（核验码 {anchor} 之前）；已导入的较新的数据包保持不变。"
        "如确需更正，请让 {subject} 重新导出后报送"
    ),
    "level_unit": "单位",
    "level_district": "区（县）",
    "region_unit": "全区",
    "region_district": "全市",
    "coverage": "{region}{units}家单位、{departments}个内设机构、{people}名人员完成保密自查自评",
    "coverage_districts": "（{districts}个区县报送）",
}


def package_says(key: str, **values: Any) -> str:
    return PACKAGE_WORDS[key].format(**values)


def coverage_sentence(region: str, units: int, departments: int, people: int, districts: int = 0) -> str:
    """The paste-ready 全覆盖 sentence of a year's imported packages."""
    text = package_says("coverage", region=region, units=units, departments=departments, people=people)
    if districts:
        text += package_says("coverage_districts", districts=districts)
    return text + "。"
