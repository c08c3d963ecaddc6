"""Campaign figures, computed from the stored results: pure, no I/O.

Results are taken as the JSON the engine stored (dicts), not re-validated: a report over a
thousand audits should not spend its time rebuilding a thousand object trees.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from seccheck.domain.rectification import is_overdue
from seccheck.numbers import fmt, round_half_up


@dataclass(frozen=True)
class AuditFacts:
    audit_id: int
    unit: str
    chain_id: int
    reinspection: bool
    result: Mapping[str, Any]  # the stored result JSON of the audit's latest revision


@dataclass(frozen=True)
class FindingFacts:
    chain_id: int
    check_id: str
    text: str
    state: str
    due: dt.date


@dataclass(frozen=True)
class UnitRow:
    unit: str
    audit_id: int
    ruleset: str
    date: str
    grade: str
    percent: str | None
    findings: int
    verified: int


@dataclass
class Summary:
    campaign: str
    year: int
    rulesets: list[str]
    planned: list[str]
    covered: list[str]
    audits: int
    mode: str
    grades: list[tuple[str, int]] = field(default_factory=list)
    percent_mean: Decimal | None = None
    percent_min: Decimal | None = None
    percent_max: Decimal | None = None
    weakest: list[tuple[str, Decimal, int]] = field(default_factory=list)  # category, mean rate %, audits
    frequent: list[tuple[str, str, int]] = field(default_factory=list)  # check id, finding text, count
    findings: int = 0
    rect_states: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    rect_rate: Decimal | None = None
    stats: dict[str, Decimal] = field(default_factory=dict)
    units: list[UnitRow] = field(default_factory=list)
    reinspected: int = 0  # units re-inspected (复查N家)
    reinspected_ok: int = 0  # of them, rated best grade at their latest re-inspection
    paragraph: str = ""

    @property
    def planned_covered(self) -> int:
        return len(set(self.planned) & set(self.covered))

    @property
    def coverage(self) -> Decimal | None:
        return percent(self.planned_covered, len(self.planned)) if self.planned else None


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return round_half_up(Fraction(Decimal(part)) * 100 / Fraction(Decimal(whole)))


def summarise(
    campaign: str,
    year: int,
    rulesets: list[str],
    planned: list[str],
    audits: Iterable[AuditFacts],
    findings: Iterable[FindingFacts],
    today: dt.date,
    top: int = 10,
) -> Summary:
    """The campaign's figures, counted as records.md §4 says.

    A unit counts once: inspection figures come from its original audit (latest revision; with two
    independent audits of one ruleset, the later). Re-inspections are counted apart. Problems are
    the chains' findings, each once, withdrawn ones in no figure. Stat figures come once per unit,
    from the latest final audit of its chain.
    """
    audits = list(audits)
    counted: dict[tuple[str, str], AuditFacts] = {}
    for a in sorted((a for a in audits if not a.reinspection), key=lambda a: a.audit_id):
        counted[(a.unit, a.result["ruleset_id"])] = a
    originals = sorted(counted.values(), key=lambda a: a.audit_id)
    chains = {a.chain_id for a in originals}
    latest: dict[int, AuditFacts] = {}
    latest_reinspection: dict[int, AuditFacts] = {}
    for a in sorted(audits, key=lambda a: a.audit_id):
        if a.chain_id in chains:
            latest[a.chain_id] = a
            if a.reinspection:
                latest_reinspection[a.chain_id] = a
    problems = [f for f in findings if f.chain_id in chains and f.state != "withdrawn"]
    modes = Counter(a.result["mode"] for a in originals)
    summary = Summary(
        campaign,
        year,
        rulesets,
        planned,
        list(dict.fromkeys(a.unit for a in originals)),
        len(originals),
        modes.most_common(1)[0][0] if modes else "inspection",
    )

    grade_order: dict[str, int] = {}
    grades: Counter[str] = Counter()
    percents: list[Fraction] = []
    rates: defaultdict[str, list[Fraction]] = defaultdict(list)
    stats: defaultdict[str, Decimal] = defaultdict(Decimal)
    found_in: Counter[int] = Counter(f.chain_id for f in problems)
    verified_in: Counter[int] = Counter(f.chain_id for f in problems if f.state == "verified")
    for a in originals:
        r = a.result
        grades[r["grade"]] += 1
        grade_order.setdefault(r["grade"], r["grade_index"])
        if r.get("percent_exact") is not None:
            percents.append(Fraction(r["percent_exact"]))
        for cat in r["categories"]:
            if cat["applicable"] and Decimal(cat["points"]):
                rates[cat["title"]].append(Fraction(Decimal(cat["earned"])) / Fraction(Decimal(cat["points"])))
        for key, value in latest[a.chain_id].result.get("stats", {}).items():
            stats[key] += Decimal(value)
        summary.units.append(
            UnitRow(
                a.unit,
                a.audit_id,
                r["ruleset_id"],
                r["date"],
                r["grade"],
                r.get("percent"),
                found_in[a.chain_id],
                verified_in[a.chain_id],
            )
        )
    summary.grades = sorted(grades.items(), key=lambda g: grade_order[g[0]])
    if percents:
        summary.percent_mean = round_half_up(sum(percents, Fraction(0)) / len(percents))
        summary.percent_min = round_half_up(min(percents))
        summary.percent_max = round_half_up(max(percents))
    weakest = [(title, round_half_up(sum(v, Fraction(0)) * 100 / len(v)), len(v)) for title, v in rates.items()]
    summary.weakest = sorted(weakest, key=lambda w: (w[1], w[0]))[:5]
    frequent: Counter[tuple[str, str]] = Counter((f.check_id, f.text) for f in problems)
    summary.frequent = [(check, text, n) for (check, text), n in frequent.most_common(top)]
    summary.findings = len(problems)
    summary.rect_states = dict(Counter(f.state for f in problems))
    summary.overdue = sum(1 for f in problems if is_overdue(f.state, f.due, today))
    summary.rect_rate = percent(summary.rect_states.get("verified", 0), len(problems)) if problems else None
    summary.stats = dict(sorted(stats.items()))
    summary.reinspected = len(latest_reinspection)
    summary.reinspected_ok = sum(1 for a in latest_reinspection.values() if a.result["grade_index"] == 0)
    summary.paragraph = paragraph(summary)
    return summary


def _n(value: Decimal | int) -> str:
    return fmt(Decimal(value))


def paragraph(s: Summary) -> str:
    """The sentence a year-end work summary pastes in, every figure from the data."""
    verb = "组织{n}家单位开展保密自查自评" if s.mode == "self" else "对{n}家单位开展保密检查"
    parts = [verb.format(n=len(s.covered))]
    if s.planned:
        parts[0] += f"（应检{len(s.planned)}家，完成{s.planned_covered}家，覆盖率{s.coverage}%）"
    verified = s.rect_states.get("verified", 0)
    parts.append(f"发现问题{s.findings}个，已整改{verified}个，整改率{s.rect_rate if s.rect_rate is not None else 0}%")
    st = {key: _n(value) for key, value in s.stats.items()}

    def stat(key: str) -> str:
        return st.get(key, "0")

    if "wechat_groups_dissolved" in st or "wechat_groups_found" in st:
        parts.append(
            f"整顿解散微信工作群{stat('wechat_groups_dissolved')}个、合并{stat('wechat_groups_merged')}个、"
            f"规范{stat('wechat_groups_standardised')}个，{stat('wechat_members_registered')}名成员实名登记备案"
        )
    if "documents_returned" in st or "items_destroyed" in st:
        parts.append(
            f"清退涉密文件{stat('documents_returned')}件（应清退{stat('documents_due_for_return')}件、"
            f"逾期{stat('documents_overdue')}件），销毁涉密载体{stat('items_destroyed')}件"
        )
    if "classified_pcs_checked" in st:
        parts.append(
            f"检查涉密计算机{stat('classified_pcs_checked')}台、涉密存储介质{stat('classified_media_checked')}件"
        )
    if s.reinspected:
        parts.append(f"复查{s.reinspected}家，复查后符合要求{s.reinspected_ok}家")
    if s.grades:
        parts.append("评定结果：" + "，".join(f"{label}{n}家" for label, n in s.grades))
    return "；".join(parts) + "。"
