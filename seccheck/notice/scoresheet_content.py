"""What the score sheet (自查自评表, notice.md) says, built from a result; pure, no I/O. Shared wording is in
`content`."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from seccheck.domain.result import Result
from seccheck.notice.content import SCORESHEET_TITLE, chinese_date, verification_code
from seccheck.numbers import fmt
from seccheck.ruleset.model import Ruleset
from seccheck.text import zh


@dataclass(frozen=True)
class SheetRow:
    n: int
    official: str
    title: str
    points: str
    applicable: bool
    deduction: str
    earned: str
    explanation: str


@dataclass(frozen=True)
class SheetGroup:
    title: str
    points: str
    rows: tuple[SheetRow, ...]


@dataclass(frozen=True)
class ScoreSheetContent:
    title: str
    unit: str
    ruleset_title: str
    assessed_on: str
    has_official: bool
    groups: tuple[SheetGroup, ...]
    aggravating: tuple[SheetRow, ...]
    total: str  # 总分: the points of every scored item
    applicable: str  # 实有项目总分值
    earned: str  # 总得分 (after 加重扣分)
    aggravated: str
    percent: str
    grade: str
    veto: tuple[str, ...]  # the 否决 items that occurred, by title
    verification: str
    extra_fields: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def text(self) -> str:
        parts = [self.title, self.unit, self.ruleset_title, self.assessed_on, self.grade, *self.veto]
        for group in self.groups:
            parts.append(group.title)
            for row in group.rows:
                parts += [row.official, row.title, row.explanation]
        for row in self.aggravating:
            parts += [row.official, row.title, row.explanation]
        return "".join(parts)


def build_scoresheet(result: Result, rs: Ruleset, *, anchor: tuple[int, str]) -> ScoreSheetContent:
    """The 自查自评表 of a scored audit: one row per scored item, grouped by category, then the totals.
    Its figures are the result's own, so they match `score --explain` by construction."""
    findings = {f.check_id: f for f in result.findings}
    groups: list[SheetGroup] = []
    aggravating: list[SheetRow] = []
    n = 0
    total = Decimal(0)
    for category in result.categories:
        rows: list[SheetRow] = []
        for item in category.items:
            if item.points <= 0 and not item.aggravating:
                continue
            n += 1
            official = rs.items_by_id[item.id].official if item.id in rs.items_by_id else None
            explanation = zh.sheet_explanation(item, findings)
            row = SheetRow(
                n=n,
                official=official or "",
                title=item.title,
                points="" if item.aggravating else fmt(item.points),
                applicable=item.applicable and not item.aggravating,
                deduction=fmt(item.deduction) if item.applicable and item.deduction else "",
                earned=fmt(item.earned) if item.earned is not None else "",
                explanation=explanation,
            )
            if item.aggravating:
                aggravating.append(row)
            else:
                total += item.points
                rows.append(row)
        if rows:
            groups.append(SheetGroup(category.title, fmt(sum((r_points(r) for r in rows), Decimal(0))), tuple(rows)))
    veto = tuple(
        item.title
        for category in result.categories
        for item in category.items
        if any(c.veto and c.compliant is False for c in item.checks)
    )
    return ScoreSheetContent(
        title=SCORESHEET_TITLE if result.mode == "self" else f"{result.ruleset_title}评分表",
        unit=result.unit,
        ruleset_title=result.ruleset_title,
        assessed_on=chinese_date(result.date),
        has_official=any(r.official for g in groups for r in g.rows) or any(r.official for r in aggravating),
        groups=tuple(groups),
        aggravating=tuple(aggravating),
        total=fmt(total),
        applicable=fmt(result.applicable) if result.applicable is not None else "",
        earned=fmt(result.raw) if result.raw is not None else "",
        aggravated=fmt(result.aggravated) if result.aggravated else "0",
        percent=f"{result.percent}%" if result.percent is not None else "",
        grade=result.grade,
        veto=veto,
        verification=verification_code(anchor),
    )


def r_points(row: SheetRow) -> Decimal:
    return Decimal(row.points) if row.points else Decimal(0)
