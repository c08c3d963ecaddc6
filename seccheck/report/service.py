"""A campaign's report as HTML, PDF or XLSX, from figures handed to it (seccheck.domain.figures)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from seccheck.domain.figures import Summary
from seccheck.domain.rectification import STATE_LABELS, is_overdue
from seccheck.notice.fonts import role_css
from seccheck.numbers import fmt
from seccheck.report.charts import bar_chart

ASSETS = Path(__file__).resolve().parent / "assets"
STAT_LABELS = {
    "wechat_groups_found": "摸底发现微信工作群（个）",
    "wechat_groups_dissolved": "解散微信工作群（个）",
    "wechat_groups_merged": "合并微信工作群（个）",
    "wechat_groups_standardised": "规范微信工作群（个）",
    "wechat_members_registered": "实名登记备案成员（人）",
    "documents_due_for_return": "应清退涉密文件（件）",
    "documents_returned": "已清退涉密文件（件）",
    "documents_overdue": "逾期未清退涉密文件（件）",
    "items_destroyed": "销毁涉密载体（件）",
    "classified_pcs_checked": "检查涉密计算机（台）",
    "classified_media_checked": "检查涉密存储介质（件）",
}


@cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(str(ASSETS)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    return env


def report_html(summary: Summary, today: dt.date) -> str:
    fonts = role_css()
    body_font = fonts["body"].replace('"', "")
    grade_chart = bar_chart([(label, n) for label, n in summary.grades], unit=" 家", font=body_font)
    weak_chart = bar_chart(
        [(title, rate) for title, rate, _ in summary.weakest],
        unit="%",
        font=body_font,
        max_value=100,
        colours=("#c62828",),
    )
    missing = [u for u in summary.planned if u not in summary.covered]
    return str(
        _environment()
        .get_template("report.html.j2")
        .render(
            s=summary,
            fonts=fonts,
            grade_chart=grade_chart,
            weak_chart=weak_chart,
            missing=missing,
            stat_labels=STAT_LABELS,
            generated=f"{today.year}年{today.month}月{today.day}日",
        )
    )


def report_xlsx(summary: Summary, detail: list[dict[str, Any]], today: dt.date) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("汇总")
    sheet.append(["专项行动", summary.campaign])
    sheet.append(["年度", summary.year])
    sheet.append(["年终总结表述", summary.paragraph])
    sheet.append(["应检单位", len(summary.planned)])
    sheet.append(["已检单位", len(summary.covered)])
    sheet.append(["检查记录", summary.audits])
    sheet.append(["发现问题", summary.findings])
    for state, label in STATE_LABELS.items():
        sheet.append([f"整改：{label}", summary.rect_states.get(state, 0)])
    sheet.append(["整改：逾期", summary.overdue])
    sheet.append(["整改率（%）", float(summary.rect_rate) if summary.rect_rate is not None else None])
    for label, n in summary.grades:
        sheet.append([f"等次：{label}", n])
    units = book.create_sheet("单位")
    units.append(["单位", "检查编号", "规则集", "日期", "等次", "得分率（%）", "问题", "已整改"])
    for u in summary.units:
        units.append(
            [
                u.unit,
                u.audit_id,
                u.ruleset,
                u.date,
                u.grade,
                float(u.percent) if u.percent else None,
                u.findings,
                u.verified,
            ]
        )
    findings = book.create_sheet("问题")
    findings.append(["单位", "检查编号", "检查", "问题", "严重程度", "扣分", "整改期限"])
    for d in detail:
        findings.append(
            [d["unit"], d["audit_id"], d["check_id"], d["text"], d["severity"], float(d["deduction"]), d["due"]]
        )
    rect = book.create_sheet("整改")
    rect.append(["整改编号", "单位", "检查", "问题", "整改期限", "状态", "逾期", "整改情况", "退回理由"])
    for d in detail:
        rect.append(
            [
                d["rect_id"],
                d["unit"],
                d["check_id"],
                d["text"],
                d["due"],
                STATE_LABELS[d["state"]],
                "是" if is_overdue(d["state"], d["due"], today) else "",
                d["note"],
                d["reason"],
            ]
        )
    stats = book.create_sheet("统计")
    stats.append(["统计项", "键", "合计"])
    for key, value in summary.stats.items():
        stats.append([STAT_LABELS.get(key, key), key, float(value)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
