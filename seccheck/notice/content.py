"""What a notice says (spec notice.md §Content), built from an audit; pure, no I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from seccheck.domain.result import Result
from seccheck.numbers import fmt

DEFAULT_TITLE = "保密检查整改通知书"


def chinese_date(day: dt.date) -> str:
    """成文日期 in Arabic numerals, as GB/T 9704 writes it: 2026年11月20日."""
    return f"{day.year}年{day.month}月{day.day}日"


def notice_number(prefix: str, year: int, n: int) -> str:
    """发文字号: 某保检〔2026〕12号 — year in 六角括号, no leading zeros."""
    return f"{prefix}〔{year}〕{n}号"


@dataclass(frozen=True)
class FindingRow:
    n: int
    problem: str
    note: str | None
    item: str
    basis: str
    deduction: str
    rectify: str
    due: str
    critical: bool


@dataclass(frozen=True)
class Issuer:
    name: str
    marking: str
    contact: str
    phone: str


@dataclass(frozen=True)
class NoticeContent:
    issuer: Issuer
    number: str
    title: str
    unit: str
    ruleset_title: str
    ruleset_version: str
    inspected_on: str
    inspectors: tuple[str, ...]
    methods: tuple[str, ...]
    mode: str
    score_line: str
    calculation: str
    grade: str
    findings: tuple[FindingRow, ...]
    critical: tuple[int, ...]
    report_by: str
    issued_on: str
    audit_id: int
    seal: str
    bases: tuple[str, ...] = field(default_factory=tuple)

    def text(self) -> str:
        """Every piece of text the notice prints, for the glyph check."""
        parts = [
            self.issuer.name,
            self.issuer.marking,
            self.issuer.contact,
            self.issuer.phone,
            self.number,
            self.title,
            self.unit,
            self.ruleset_title,
            self.ruleset_version,
            self.inspected_on,
            *self.inspectors,
            *self.methods,
            self.score_line,
            self.calculation,
            self.grade,
            self.report_by,
            self.issued_on,
            *self.bases,
        ]
        for f in self.findings:
            parts += [f.problem, f.note or "", f.item, f.basis, f.deduction, f.rectify, f.due]
        return "".join(parts)


def build_notice(
    result: Result,
    *,
    audit_id: int,
    seal: str,
    number: str,
    issued: dt.date,
    issuer: Issuer,
    inspectors: tuple[str, ...],
    methods: tuple[str, ...],
    title: str | None,
    bases: tuple[str, ...],
    dues: Mapping[str, dt.date] | None = None,
) -> NoticeContent:
    """`dues` are the findings' rectification due dates as recorded (they count from the notice date)."""
    due_of = {f.check_id: (dues or {}).get(f.check_id, f.due) for f in result.findings}
    rows = []
    for n, f in enumerate(result.findings, start=1):
        rows.append(
            FindingRow(
                n=n,
                problem=f.text,
                note=f.note,
                item=f"{f.item_id} {f.item_title}",
                basis=f.basis or "—",
                deduction=fmt(f.deduction) if result.method == "deduction" and f.deduction else "—",
                rectify=f.rectify or "按有关保密规定整改。",
                due=chinese_date(due_of[f.check_id]),
                critical=f.severity == "critical",
            )
        )
    latest = max(due_of.values(), default=issued + dt.timedelta(days=30))
    return NoticeContent(
        issuer=issuer,
        number=number,
        title=title or DEFAULT_TITLE,
        unit=result.unit,
        ruleset_title=result.ruleset_title,
        ruleset_version=result.ruleset_version,
        inspected_on=chinese_date(result.date),
        inspectors=inspectors,
        methods=methods,
        mode=result.mode,
        score_line=score_line(result),
        calculation=calculation(result),
        grade=result.grade,
        findings=tuple(rows),
        critical=tuple(r.n for r in rows if r.critical),
        report_by=chinese_date(latest),
        issued_on=chinese_date(issued),
        audit_id=audit_id,
        seal=seal,
        bases=bases,
    )


def score_line(result: Result) -> str:
    if result.method == "deduction" and result.percent is not None:
        if result.normalize:
            return (
                f"实有项目 {fmt(result.applicable)} 分，得分 {fmt(result.raw)} 分，得分率 {result.percent}%，"
                f"评定为“{result.grade}”"
            )
        return f"得分 {fmt(result.raw)} 分，评定为“{result.grade}”"
    return f"发现问题 {len(result.findings)} 个，评定为“{result.grade}”"


def calculation(result: Result) -> str:
    """The calculation in one line, so the unit can check the arithmetic."""
    if result.veto:
        return f"否决项（{'、'.join(result.veto_checks)}）不合规，按规定直接评定为“{result.grade}”。"
    if result.method != "deduction" or result.percent is None:
        return f"本次检查不计分：{result.grade_reason}。"
    deducted = (result.applicable or 0) - (result.earned or 0)
    line = f"各项扣分合计 {fmt(deducted)} 分（单项扣分以该项分值为限）"
    if result.aggravated:
        line += f"，加重扣分 {fmt(result.aggravated)} 分"
    if result.normalize:
        line += f"；得分率 = {fmt(result.raw)} ÷ {fmt(result.applicable)} × 100% = {result.percent}%"
    return line + "。"
