"""Campaign figures, computed from the stored results: pure, no I/O.

Results are taken as the JSON the engine stored (dicts), not re-validated: a report over a
thousand audits should not spend its time rebuilding a thousand object trees.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from seccheck.domain.paragraph import Group, Wording, paragraphs
from seccheck.domain.rectification import is_overdue
from seccheck.numbers import round_half_up


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
class CampaignFacts:
    """One campaign's facts, for the year's figures."""

    name: str
    rulesets: list[str]  # ruleset ids it was created with (resolved)
    planned: list[str]
    audits: list[AuditFacts]
    findings: list[FindingFacts]

    def plan(self) -> dict[str, set[str]]:
        """Its planned units by ruleset (see `attribute`)."""
        return attribute(self.planned, self.rulesets, self.audits)


def attribute(planned: Iterable[str], rulesets: Sequence[str], audits: Iterable[AuditFacts]) -> dict[str, set[str]]:
    """A campaign's planned units by ruleset, each once (records.md §4: a unit counts once per
    campaign and is covered by any final audit in it): an inspected unit under the ruleset of its
    first original audit in the campaign, one not (yet) inspected under the campaign's first ruleset.
    So a print-shop and a unit planned in one campaign are counted under their own subject nouns."""
    first: dict[str, str] = {}
    for a in sorted(audits, key=lambda a: a.audit_id):
        if not a.reinspection:
            first.setdefault(a.unit, a.result["ruleset_id"])
    default = rulesets[0] if rulesets else next(iter(first.values()), None)
    plan: dict[str, set[str]] = {r: set() for r in rulesets}
    for unit in planned:
        ruleset = first.get(unit, default)
        if ruleset is not None:
            plan.setdefault(ruleset, set()).add(unit)
    return plan


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
    groups: list[Group] = field(default_factory=list)  # per ruleset, for the paragraph and stat rows
    paragraphs: list[str] = field(default_factory=list)  # the year-end paragraph(s), each one line

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


@dataclass
class _Counted:
    """What records.md §4 counts from: each (unit, ruleset) once through its original audit (the
    later of two independent ones), the chains' latest audits and re-inspections, their problems."""

    originals: list[AuditFacts]
    latest: dict[int, AuditFacts]
    latest_reinspection: dict[int, AuditFacts]
    problems: list[FindingFacts]


def _count(audits: Iterable[AuditFacts], findings: Iterable[FindingFacts]) -> _Counted:
    audits = sorted(audits, key=lambda a: a.audit_id)
    counted: dict[tuple[str, str], AuditFacts] = {}
    for a in audits:
        if not a.reinspection:
            counted[(a.unit, a.result["ruleset_id"])] = a
    originals = sorted(counted.values(), key=lambda a: a.audit_id)
    chains = {a.chain_id for a in originals}
    latest: dict[int, AuditFacts] = {}
    latest_reinspection: dict[int, AuditFacts] = {}
    for a in audits:
        if a.chain_id in chains:
            latest[a.chain_id] = a
            if a.reinspection:
                latest_reinspection[a.chain_id] = a
    problems = [f for f in findings if f.chain_id in chains and f.state != "withdrawn"]
    return _Counted(originals, latest, latest_reinspection, problems)


def _groups(c: _Counted, planned: Mapping[str, Collection[str]], wordings: Mapping[str, Wording]) -> list[Group]:
    """Per ruleset: planned units, covered ones, problems, stats, re-inspections, grades."""
    by_ruleset: dict[str, list[AuditFacts]] = {r: [] for r in planned}
    for a in c.originals:
        by_ruleset.setdefault(a.result["ruleset_id"], []).append(a)
    found_in: Counter[int] = Counter(f.chain_id for f in c.problems)
    verified_in: Counter[int] = Counter(f.chain_id for f in c.problems if f.state == "verified")
    listed = set().union(*planned.values()) if planned else set()
    groups = []
    for ruleset, originals in by_ruleset.items():
        title = originals[0].result.get("ruleset_title", "") if originals else ""
        wording = wordings.get(ruleset) or Wording(ruleset, title)
        units = {a.unit for a in originals}
        plan = set(planned.get(ruleset, ()))
        modes = Counter(a.result["mode"] for a in originals)
        grade_order: dict[str, int] = {}
        grades: Counter[str] = Counter()
        stats: defaultdict[str, Decimal] = defaultdict(Decimal)
        for a in originals:
            grades[a.result["grade"]] += 1
            grade_order.setdefault(a.result["grade"], a.result["grade_index"])
            for key, value in c.latest[a.chain_id].result.get("stats", {}).items():
                stats[key] += Decimal(value)
        chains = {a.chain_id for a in originals}
        again = [r for chain, r in c.latest_reinspection.items() if chain in chains]
        groups.append(
            Group(
                wording,
                modes.most_common(1)[0][0] if modes else "inspection",
                planned=len(plan),
                planned_covered=len(plan & units),
                covered=len(units),
                unlisted=len(units - listed),
                findings=sum(found_in[ch] for ch in chains),
                verified=sum(verified_in[ch] for ch in chains),
                reinspected=len(again),
                reinspected_ok=sum(1 for r in again if r.result["grade_index"] == 0),
                grades=sorted(grades.items(), key=lambda g: grade_order[g[0]]),
                stats=dict(stats),
                units=frozenset(units),
                planned_units=frozenset(plan),
                unlisted_units=frozenset(units - listed),
            )
        )
    return groups


@dataclass(frozen=True)
class TierCoverage:
    """全覆盖 of a year from the packages units (districts) reported (issue 25): units that completed
    their self-assessment, and their departments and people that completed self-checks, each once."""

    region: str  # 全区 | 全市
    units: int
    departments: int
    people: int
    districts: int  # district packages counted (0 at a district's bureau)
    sentence: str


@dataclass
class YearSummary:
    """A year's figures across campaigns, per ruleset, and the paragraph(s) made of them."""

    year: int
    campaigns: list[str]
    groups: list[Group]
    paragraphs: list[str]
    coverage: TierCoverage | None = None


def year_summary(year: int, campaigns: Sequence[CampaignFacts], wordings: Mapping[str, Wording]) -> YearSummary:
    groups = year_groups(campaigns, wordings)
    return YearSummary(year, [c.name for c in campaigns], groups, paragraphs(groups))


def year_groups(campaigns: Iterable[CampaignFacts], wordings: Mapping[str, Wording]) -> list[Group]:
    """A year's figures per ruleset across its campaigns (records.md §4): campaigns of one ruleset add
    up, a unit counting once per ruleset however many campaigns inspected it."""
    audits: list[AuditFacts] = []
    findings: list[FindingFacts] = []
    planned: dict[str, set[str]] = {}
    for campaign in campaigns:
        audits += campaign.audits
        findings += campaign.findings
        for ruleset, units in campaign.plan().items():
            planned.setdefault(ruleset, set()).update(units)
    return _groups(_count(audits, findings), planned, wordings)


def summarise(
    campaign: str,
    year: int,
    rulesets: list[str],
    planned: list[str],
    audits: Sequence[AuditFacts],
    findings: Iterable[FindingFacts],
    today: dt.date,
    top: int = 10,
    wordings: Mapping[str, Wording] | None = None,
) -> Summary:
    """The campaign's figures, counted as records.md §4 says.

    A unit counts once: inspection figures come from its original audit (latest revision; with two
    independent audits of one ruleset, the later). Re-inspections are counted apart. Problems are
    the chains' findings, each once, withdrawn ones in no figure. Stat figures come once per unit,
    from the latest final audit of its chain. `rulesets` are the campaign's ruleset ids (see
    `attribute` for how its planned units are counted per ruleset).
    """
    wordings = wordings or {}
    c = _count(audits, findings)
    originals, latest, latest_reinspection, problems = c.originals, c.latest, c.latest_reinspection, c.problems
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
    summary.groups = _groups(c, attribute(planned, rulesets, audits), wordings)
    summary.paragraphs = paragraphs(summary.groups)
    return summary
