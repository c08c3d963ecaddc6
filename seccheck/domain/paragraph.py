"""The year-end paragraph: figures worded as a secrecy office's year-end report words them. Pure.

One generator for the campaign report and for `seccheck summary`: it takes per-ruleset figures
(`Group`, counted in seccheck.domain.figures) and the wording each ruleset declares (subject noun
and measure word, `[[stat]]` labels and phrases). No ruleset is named here.

Register (docs/decisions.md, "年终总结表述"):
- subjects by their noun: "对11家打字复印店、22家单位开展保密检查"; planned vs covered: "实现全覆盖"
  when every planned one was inspected, else "应检25家单位，已检查22家，覆盖率88%";
- "发现问题23个，已整改5个，整改率21.7%"; "已全部整改"; nothing is said of a zero figure;
- rates as integers when whole, one decimal only when needed;
- stat figures through each ruleset's phrases, in declaration order, skipped when zero; the
  `phrase_all` variant when a figure equals its declared `total` ("全部实名制登记备案").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from seccheck.numbers import fmt, round_half_up
from seccheck.ruleset.model import StatDecl


@dataclass(frozen=True)
class Wording:
    """How a ruleset's figures are named: from its `subject`, `subject_unit` and `[[stat]]`."""

    ruleset: str
    title: str = ""
    subject: str = "单位"
    measure: str = "家"
    best_grade: str = "符合要求"
    stats: tuple[StatDecl, ...] = ()
    activity: str = ""  # what the inspection is called in the headline ("微信工作群专项检查"); else the title

    def count(self, n: int) -> str:
        return f"{n}{self.measure}{self.subject}"

    @property
    def kind(self) -> str:
        return self.activity or self.title or self.ruleset


@dataclass
class Group:
    """One ruleset's figures: a campaign's, or a year's across its campaigns (records.md §4)."""

    wording: Wording
    mode: str = "inspection"
    planned: int = 0  # planned units (a unit once per ruleset)
    planned_covered: int = 0  # of them, inspected
    covered: int = 0  # units inspected, planned or not
    unlisted: int = 0  # of them, in no campaign's planned units
    findings: int = 0
    verified: int = 0
    reinspected: int = 0
    reinspected_ok: int = 0
    grades: list[tuple[str, int]] = field(default_factory=list)
    stats: dict[str, Decimal] = field(default_factory=dict)
    # Which units, when known: a subject's headline counts each unit once across rulesets (records.md §4).
    units: frozenset[str] | None = None
    planned_units: frozenset[str] | None = None
    unlisted_units: frozenset[str] | None = None

    @property
    def ruleset(self) -> str:
        return self.wording.ruleset


@dataclass(frozen=True)
class Subject:
    """One subject noun's headline figures for the paragraph: each unit once, whatever the number of
    rulesets (kinds of inspection) that inspected it; `kinds` names them when there are several."""

    wording: Wording
    covered: int
    planned: int
    planned_covered: int
    unlisted: int
    kinds: tuple[tuple[str, int], ...] = ()  # (kind of inspection, units it covered), largest first
    all_in_first: bool = False  # the first kind covered every unit of the subject


def subjects(groups: Sequence[Group]) -> list[Subject]:
    """Per subject noun (and measure word): distinct units inspected, planned, covered of the
    planned, unlisted; the kinds of inspection when more than one ruleset shares the noun. Groups
    that do not say which units (built by hand) add up."""
    keyed: dict[tuple[str, str], list[Group]] = {}
    for g in groups:
        keyed.setdefault((g.wording.subject, g.wording.measure), []).append(g)
    out = []
    for mine in keyed.values():
        if all(g.units is not None and g.planned_units is not None for g in mine):
            units = frozenset().union(*(g.units or () for g in mine))
            planned = frozenset().union(*(g.planned_units or () for g in mine))
            unlisted = frozenset().union(*(g.unlisted_units or () for g in mine))
            covered, n_planned, n_planned_covered = len(units), len(planned), len(planned & units)
            n_unlisted = len(unlisted)
        else:
            covered = sum(g.covered for g in mine)
            n_planned = sum(g.planned for g in mine)
            n_planned_covered = sum(g.planned_covered for g in mine)
            n_unlisted = sum(g.unlisted for g in mine)
            units = frozenset()
        kinds: tuple[tuple[str, int], ...] = ()
        all_in_first = False
        active = sorted((g for g in mine if g.covered), key=lambda g: -g.covered)
        if len({g.wording.kind for g in active}) > 1:
            merged: dict[str, int] = {}
            for g in active:
                merged[g.wording.kind] = merged.get(g.wording.kind, 0) + g.covered
            kinds = tuple(sorted(merged.items(), key=lambda k: -k[1]))
            first = active[0]
            all_in_first = first.covered == covered and (first.units is None or first.units == units)
        out.append(Subject(mine[0].wording, covered, n_planned, n_planned_covered, n_unlisted, kinds, all_in_first))
    return out


def rate(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part / whole in percent, half-up to one decimal; never 100 unless whole, never 0 unless none."""
    if not whole:
        return None
    exact = Fraction(Decimal(part)) * 100 / Fraction(Decimal(whole))
    value = round_half_up(exact)
    if value == 100 and exact < 100:
        return Decimal("99.9")
    if value == 0 and exact > 0:
        return Decimal("0.1")
    return value


def percent_text(value: Decimal | None) -> str:
    """60 -> "60%", 31.25 -> "31.3%" (given already rounded), None -> "—"."""
    return "—" if value is None else f"{fmt(value)}%"


def rate_text(part: int | Decimal, whole: int | Decimal) -> str:
    return percent_text(rate(part, whole))


def _names(items: Iterable[str]) -> str:
    return "、".join(items)


def _kinds(subject: Subject, verb: str) -> tuple[str, str]:
    """(what was done, the clause naming the kinds): "开展保密自查自评检查", "其中8家开展微信工作群专项检查"."""
    if not subject.kinds:
        return verb, ""
    m = subject.wording.measure
    if subject.all_in_first:
        (first, _n), *rest = subject.kinds
        return f"开展{first}", "其中" + "、".join(f"{n}{m}开展{kind}" for kind, n in rest)
    return verb, "其中" + "、".join(f"{n}{m}开展{kind}" for kind, n in subject.kinds)


def _coverage(groups: Sequence[Group], self_check: bool) -> list[str]:
    verb = "开展保密自查自评" if self_check else "开展保密检查"
    lead = "组织" if self_check else "对"
    complete, unplanned, partial = [], [], []
    for s in subjects(groups):
        if not s.covered and not s.planned:
            continue
        wording = s.wording
        done_what, which = _kinds(s, verb)
        if s.planned and s.planned_covered >= s.planned:
            complete.append((wording.count(s.covered), done_what, which))
        elif not s.planned:
            unplanned.append((wording.count(s.covered), done_what, which))
        else:
            done = "已完成" if self_check else "已检查"
            text = (
                f"应{'组织' if self_check else '检'}{wording.count(s.planned)}{'开展自查自评' if self_check else ''}，"
                f"{done}{s.planned_covered}{wording.measure}，覆盖率{rate_text(s.planned_covered, s.planned)}"
            )
            if s.unlisted:
                text += f"，另{'有' if self_check else '检查'}名单外{s.unlisted}{wording.measure}"
            if which:
                text += f"，{which}"
            partial.append(text)
    clauses = []
    for found, tail in ((complete, "，实现全覆盖"), (unplanned, "")):
        plain: list[str] = []  # subjects of one kind each share a clause, in order
        for count, what, which in found:
            if not which:
                plain.append(count)
                continue
            if plain:
                clauses.append(f"{lead}{_names(plain)}{verb}{tail}")
                plain = []
            clauses.append(f"{lead}{count}{what}{tail}，{which}")
        if plain:
            clauses.append(f"{lead}{_names(plain)}{verb}{tail}")
    clauses += partial
    return clauses


def _problems(groups: Sequence[Group], self_check: bool) -> str | None:
    found = sum(g.findings for g in groups)
    verified = sum(g.verified for g in groups)
    if not found:
        return None
    lead = f"{'自查' if self_check else ''}发现问题{found}个"
    if verified == found:
        return f"{lead}，已全部整改"
    if not verified:
        return f"{lead}，均已限期整改"
    return f"{lead}，已整改{verified}个，整改率{rate_text(verified, found)}"


def _values(g: Group) -> dict[str, str]:
    return {d.key: fmt(g.stats.get(d.key, Decimal(0))) for d in g.wording.stats}


def stat_phrases(g: Group) -> list[str]:
    """The group's stat figures as its ruleset phrases them; a zero (or absent) figure says nothing."""
    values = _values(g)
    out = []
    for decl in g.wording.stats:
        value = g.stats.get(decl.key)
        if decl.phrase is None or not value:
            continue
        template = decl.phrase
        if decl.total is not None and decl.phrase_all is not None and g.stats.get(decl.total) == value:
            template = decl.phrase_all
        out.append(fill(template, {**values, "value": fmt(value), "label": decl.label, "unit": decl.unit}))
    return out


_NAME = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def fill(template: str, values: dict[str, str]) -> str:
    """Substitute `{name}`s (checked at load to be known names) and unescape `{{` `}}`."""
    parts = re.split(r"(\{\{|\}\})", template)
    out = []
    for part in parts:
        if part in ("{{", "}}"):
            out.append(part[0])
        else:
            out.append(_NAME.sub(lambda m: values.get(m.group(1), m.group(0)), part))
    return "".join(out)


def _reinspections(groups: Sequence[Group]) -> list[str]:
    out = []
    for g in groups:
        if not g.reinspected:
            continue
        text = f"复查{g.wording.count(g.reinspected)}"
        if g.reinspected_ok:
            text += f"，复查后{g.wording.best_grade}{g.reinspected_ok}{g.wording.measure}"
        out.append(text)
    return out


def _grades(groups: Sequence[Group]) -> list[str]:
    subjects = [g.wording.subject for g in groups if g.grades]
    out = []
    for g in groups:
        if not g.grades:
            continue
        who = g.wording.subject if subjects.count(g.wording.subject) == 1 else g.wording.title or g.ruleset
        counts = "、".join(f"{label}{n}{g.wording.measure}" for label, n in g.grades if n)
        out.append(f"{who}评定结果：{counts}")
    return out


def paragraphs(groups: Sequence[Group]) -> list[str]:
    """The paragraph(s) a year-end summary pastes in: one for inspections, one for self-assessments.

    Each is one line (no line breaks), sentences ending in "。"."""
    out = []
    for self_check in (False, True):
        mine = [g for g in groups if (g.mode == "self") == self_check and (g.covered or g.planned)]
        if not mine:
            continue
        first = _coverage(mine, self_check)
        problems = _problems(mine, self_check)
        if problems:
            first.append(problems)
        sentences = ["；".join(first)]
        sentences += ["，".join(p) for g in mine if (p := stat_phrases(g))]
        sentences += _reinspections(mine)
        sentences += _grades(mine)
        out.append("".join(s + "。" for s in sentences if s))
    return out
