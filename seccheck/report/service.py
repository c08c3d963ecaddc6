"""A campaign's report as HTML, PDF or XLSX, from figures handed to it (seccheck.domain.figures)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from seccheck.domain.answers import MODE_LABELS
from seccheck.domain.figures import Summary, YearSummary
from seccheck.domain.paragraph import Group, percent_text, rate, subjects
from seccheck.domain.rectification import STATE_LABELS, is_overdue
from seccheck.limits import neutralised
from seccheck.notice.fonts import role_css
from seccheck.notice.pdfmeta import PdfMeta
from seccheck.numbers import fmt
from seccheck.report.charts import bar_chart
from seccheck.report.xlsx import ANY, DATE, INT, NUMBER, PERCENT, Book, Column, percent_value
from seccheck.ruleset.model import SEVERITY_LABELS

ASSETS = Path(__file__).resolve().parent / "assets"


@cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(str(ASSETS)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Printed text drops invisible and direction characters (the records keep them): nothing reorders.
        finalize=lambda value: neutralised(value) if isinstance(value, str) else value,
    )
    env.filters["fmt"] = fmt
    env.filters["pct"] = percent_text
    return env


def report_html(
    summary: Summary, today: dt.date, meta: PdfMeta | None = None, *, portable: bool = False, verification: str = ""
) -> str:
    """The report as HTML; `meta` (title, issuer, subject, keywords, date) goes into <head>. `portable`:
    an HTML file for another machine names every face, the Windows/WPS ones first."""
    meta = meta or PdfMeta(title=f"{summary.campaign} 汇总")
    fonts = role_css(portable=portable)
    body_font = fonts["body"].replace('"', "")
    grade_chart = bar_chart([(label, n) for label, n in summary.grades], unit=" 家", font=body_font)
    weak = weak_categories(summary)
    titles = ruleset_titles(summary)
    weak_chart = bar_chart(
        [(title, rate) for title, rate, _ in weak],
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
            meta=meta,
            fonts=fonts,
            grade_chart=grade_chart,
            weak_chart=weak_chart,
            missing=missing,
            weak=weak,
            titles=titles,
            stats=stat_rows(summary.groups),
            generated=f"{today.year}年{today.month}月{today.day}日",
            verification=verification,
        )
    )


@cache
def _builtin_title(ruleset_id: str) -> str | None:
    from seccheck.ruleset.load import builtin_paths, load_ruleset

    for path in builtin_paths():
        if path.stem == ruleset_id:
            return load_ruleset(path, builtin=True).ruleset.title
    return None


def ruleset_titles(summary: Summary) -> dict[str, str]:
    """Ruleset id → title, for every ruleset a report names: leaders read titles, never ids."""
    titles = {g.ruleset: g.wording.title for g in summary.groups if g.wording.title}
    for rid in [*summary.rulesets, *(u.ruleset for u in summary.units)]:
        if rid not in titles:
            titles[rid] = _builtin_title(rid) or rid
    return titles


def weak_categories(summary: Summary) -> list[tuple[str, Decimal, int]]:
    """The 薄弱类别: only categories below full marks (a category at 100% is nobody's weakness)."""
    return [(title, rate, n) for title, rate, n in summary.weakest if rate < 100]


def stat_rows(groups: list[Group]) -> list[tuple[str, str, str, Decimal, str]]:
    """(ruleset title, label, key, value, measure word) of every declared or reported stat figure."""
    rows = []
    for g in groups:
        declared = {d.key: d for d in g.wording.stats}
        for d in g.wording.stats:
            if d.key in g.stats:
                rows.append((g.wording.title, d.label, d.key, g.stats[d.key], d.unit))
        for key, value in sorted(g.stats.items()):
            if key not in declared:
                rows.append((g.wording.title, key, key, value, ""))
    return rows


def report_xlsx(
    summary: Summary,
    detail: list[dict[str, Any]],
    today: dt.date,
    year: YearSummary | None = None,
    book: Book | None = None,
    verification: str = "",
) -> bytes:
    """The campaign report as a workbook: 汇总 carries every figure of the PDF report; then units,
    problems, rectifications, stat figures, and the year's figures across campaigns."""
    book = book or Book()
    titles = ruleset_titles(summary)
    book.sheet(
        "汇总",
        [Column("项目", min_width=24), Column("数值", ANY, min_width=12), Column("说明", min_width=10)],
        _figures(summary, today)
        + ([("核验码", verification, "出具时账本的条数和摘要（verify --anchor）")] if verification else []),
    )
    book.sheet(
        "单位",
        [Column("单位"), Column("检查编号", INT), Column("检查名称"), Column("日期", DATE), Column("等次"),
         Column("得分率", PERCENT), Column("问题", INT), Column("已整改", INT)],
        [
            (u.unit, u.audit_id, titles[u.ruleset], u.date, u.grade, u.percent, u.findings, u.verified)
            for u in summary.units
        ],
    )  # fmt: skip
    book.sheet(
        "问题",
        [Column("单位"), Column("检查编号", INT), Column("问题"), Column("严重程度"),
         Column("扣分", NUMBER), Column("整改期限", DATE)],
        [
            (d["unit"], d["audit_id"], d["text"], SEVERITY_LABELS.get(d["severity"], d["severity"]),
             d["deduction"], d["due"])
            for d in detail
        ],
    )  # fmt: skip
    book.sheet(
        "整改",
        [Column("整改编号", INT), Column("单位"), Column("问题"), Column("整改期限", DATE),
         Column("状态"), Column("逾期"), Column("整改情况"), Column("退回理由")],
        [
            (d["rect_id"], d["unit"], d["text"], d["due"], STATE_LABELS[d["state"]],
             "是" if is_overdue(d["state"], d["due"], today) else "", d["note"], d["reason"])
            for d in detail
        ],
    )  # fmt: skip
    book.sheet(
        "统计",
        [Column("检查名称"), Column("统计项"), Column("合计", NUMBER), Column("量词", min_width=6)],
        [(title, label, value, unit) for title, label, _key, value, unit in stat_rows(summary.groups)],
    )
    if year is not None:
        year_sheet(book, year)
    return book.save()


GROUP_COLUMNS = [
    Column("规则集"), Column("检查对象"), Column("方式"), Column("应检", INT), Column("应检中已检", INT),
    Column("已检合计", INT), Column("覆盖率", PERCENT), Column("发现问题", INT), Column("已整改", INT),
    Column("整改率", PERCENT), Column("复查", INT), Column("复查后最高等次", INT),
]  # fmt: skip


def group_rows(groups: list[Group]) -> list[tuple[Any, ...]]:
    return [
        (
            g.wording.title or g.ruleset, g.wording.subject, MODE_LABELS.get(g.mode, g.mode), g.planned,
            g.planned_covered, g.covered, rate(g.planned_covered, g.planned), g.findings, g.verified,
            rate(g.verified, g.findings), g.reinspected, g.reinspected_ok,
        )
        for g in groups
    ]  # fmt: skip


def headline_rows(groups: Sequence[Group]) -> list[tuple[Any, ...]]:
    """The headline's figures (records.md §4): each subject's units once, then each kind of inspection."""
    rows: list[tuple[Any, ...]] = []
    for self_check in (False, True):
        mine = [g for g in groups if (g.mode == "self") == self_check and (g.covered or g.planned)]
        what = "自查" if self_check else "检查"
        for s in subjects(mine):
            m = s.wording.measure
            rows.append((f"{what}{s.wording.subject}（不重复）", s.covered, m))
            rows += [(f"{what}{s.wording.subject}：{kind}", n, m) for kind, n in s.kinds]
    return rows


def year_sheet(book: Book, year: YearSummary) -> None:
    """The year's figures per ruleset across campaigns (`seccheck summary`), and its paragraphs."""
    book.sheet(f"{year.year}年汇总", GROUP_COLUMNS, group_rows(year.groups))
    rows: list[tuple[Any, ...]] = [("年度", year.year, ""), ("专项行动", "、".join(year.campaigns), "")]
    rows += [("年终总结表述", text, "") for text in year.paragraphs]
    rows += headline_rows(year.groups)
    rows += [(f"{title}：{label}", value, unit) for title, label, _key, value, unit in stat_rows(year.groups)]
    book.sheet(f"{year.year}年表述", [Column("项目", min_width=20), Column("内容", ANY), Column("量词")], rows)


def _figures(s: Summary, today: dt.date) -> list[tuple[Any, Any, str]]:
    """Every figure of the PDF report, one per row: (what, value, note)."""
    rows: list[tuple[Any, Any, str]] = [
        ("专项行动", s.campaign, ""),
        ("年度", s.year, ""),
        ("检查名称", "、".join(ruleset_titles(s)[r] for r in s.rulesets), ""),
        ("生成日期", today, ""),
    ]
    rows += [("年终总结表述", text, "") for text in s.paragraphs]
    rows += [
        ("应检单位", len(s.planned), "家"),
        ("已检单位", len(s.covered), "家"),
        ("已检单位中的应检单位", s.planned_covered, "家"),
        ("覆盖率", percent_value(s.coverage), "应检单位中已检的"),
        ("检查记录", s.audits, "份（每个单位每个规则集一份原检查）"),
        ("得分率：平均", percent_value(s.percent_mean), ""),
        ("得分率：最低", percent_value(s.percent_min), ""),
        ("得分率：最高", percent_value(s.percent_max), ""),
        ("发现问题", s.findings, "个"),
    ]
    rows += [(f"整改：{label}", s.rect_states.get(state, 0), "个") for state, label in STATE_LABELS.items()]
    rows += [
        ("整改：逾期", s.overdue, "个"),
        ("整改率", percent_value(s.rect_rate), "已核实 / 发现问题"),
        ("复查", s.reinspected, "家"),
        ("复查后评为最高等次", s.reinspected_ok, "家"),
    ]
    rows += [(f"等次：{label}", n, "家") for label, n in s.grades]
    rows += [(f"薄弱类别：{title}", percent_value(r), f"{n} 份检查的平均得分率") for title, r, n in weak_categories(s)]
    rows += [(f"常见问题：{text}", n, "次") for _check, text, n in s.frequent]
    rows += [(f"统计：{label}（{title}）", value, unit) for title, label, _key, value, unit in stat_rows(s.groups)]
    missing = [u for u in s.planned if u not in s.covered]
    rows += [("未检单位", "、".join(missing) if missing else "无", f"{len(missing)} 家")]
    return rows
