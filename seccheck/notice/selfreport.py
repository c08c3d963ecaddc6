"""What the unit's 自查自评工作报告 to the bureau says (forms.md §4, issue 25): a GB/T 9704 report
written from the year's figures — coverage of the tiers, the unit's score and grade, the main problems
(lower tiers under the unit-level items they bear on), what was rectified and what is planned — signed
by the unit's head, ending with the 核验码. Pure: it takes plain figures, builds the sentences.

Every sentence the bureau reads is written here or in `selfreport.html.j2`; both the PDF and the DOCX
are made from one `SelfReportContent`, so they say the same.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from seccheck.notice.content import CHINESE_ORDINALS, chinese_date

# The tiers as the report names them, and how it counts the subjects of each.
TIER_ORDER = {"unit": 0, "department": 1, "individual": 2}
OTHER_GROUP = "其他问题"
TITLE_TAIL = "工作情况的报告"
TITLE_LINE = 19  # characters of 2号 on a line of the text block (20, less room for wider digits)


def report_title(unit: str, year: int) -> str:
    return f"{unit}关于{year}年度保密自查自评{TITLE_TAIL}"


def who(tier: str, count: int) -> str:
    """Who has the problem: 单位, 2个内设机构, 3名人员."""
    if tier == "department":
        return f"{count}个内设机构"
    if tier == "individual":
        return f"{count}名人员"
    return "单位" if count <= 1 else f"单位（{count}次检查）"


def _ems(text: str) -> float:
    """How wide a line is in characters of its size: a Chinese character one, a digit or letter half."""
    from seccheck.text.linebreak import cells

    return sum(cells(ch) for ch in text) / 2


def _percent(done: int, total: int) -> str:
    value = (Decimal(done) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value.normalize():f}%" if value == value.to_integral() else f"{value}%"


# --- what the use case hands over -------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentLine:
    name: str
    self_checked: bool
    people_completed: int
    people_total: int


@dataclass(frozen=True)
class Assessment:
    """The year's final unit self-assessment, as the report cites it."""

    ruleset_title: str
    date: dt.date
    score_line: str  # 实有项目分值88分，得分75分，得分率85.2%，评定为“基本符合要求”
    grade: str


@dataclass(frozen=True)
class Problem:
    """One check's problem in one tier, with the number of subjects that have it; `group` is the
    unit-level item it is shown under ("" when it bears on none), `order` that item's place."""

    tier: str
    text: str
    count: int
    group: str
    order: int
    measure: str  # what the ruleset asks to do about it
    open: int  # subjects whose rectification is not finished (open or sent back)
    verified: int  # subjects whose rectification was verified
    due: dt.date | None  # the latest due date of the unfinished ones
    note: str = ""  # the unit's own account of the rectification, when there is exactly one


# --- what the report prints ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemRow:
    n: int
    problem: str
    who: str


@dataclass(frozen=True)
class ProblemGroup:
    title: str
    rows: tuple[ProblemRow, ...]


@dataclass(frozen=True)
class DoneRow:
    n: int
    problem: str
    who: str
    state: str


@dataclass(frozen=True)
class PlanRow:
    n: int
    problem: str
    who: str
    measure: str
    due: str


@dataclass(frozen=True)
class CoverageRow:
    n: int
    department: str
    self_checked: str
    people: str


@dataclass(frozen=True)
class SelfReportContent:
    title: str
    to: str
    unit: str
    year: int
    opening: str
    coverage: tuple[str, ...]
    coverage_rows: tuple[CoverageRow, ...]
    result: str
    problems_intro: str
    problem_groups: tuple[ProblemGroup, ...]
    rectification_intro: str
    done: tuple[DoneRow, ...]
    planned: tuple[PlanRow, ...]
    next_steps: str
    issued: dt.date
    verification: str

    @property
    def issued_on(self) -> str:
        """成文日期, as GB/T 9704 writes it."""
        return chinese_date(self.issued)

    @property
    def title_lines(self) -> tuple[str, ...]:
        """The title in lines broken where the sense allows (GB/T 9704): before 工作情况的报告, or
        after 关于 when the unit's name is long; a title that fits neither way flows as it will."""
        head = self.title.removesuffix(TITLE_TAIL)
        if _ems(self.title) <= TITLE_LINE:
            return (self.title,)
        if _ems(head) <= TITLE_LINE:
            return (head, TITLE_TAIL)
        addressed = f"{self.unit}关于"
        rest = self.title.removeprefix(addressed)
        if self.title.startswith(addressed) and _ems(addressed) <= TITLE_LINE and _ems(rest) <= TITLE_LINE:
            return (addressed, rest)
        return (self.title,)

    @property
    def to_line(self) -> str:
        return f"{self.to or '（主送机关）'}："

    def text(self) -> str:
        """Every piece of text the report prints, for the glyph check."""
        parts = [self.title, self.to_line, self.unit, self.opening, *self.coverage, self.result]
        parts += [self.problems_intro, self.rectification_intro, self.next_steps, self.issued_on]
        parts += ["单位负责人（签字）：序号内设机构本机构自查人员完成情况问题涉及整改情况整改措施完成时限已完成"]
        for row in self.coverage_rows:
            parts += [row.department, row.self_checked, row.people]
        for group in self.problem_groups:
            parts.append(group.title)
            parts += [r.problem + r.who for r in group.rows]
        parts += [r.problem + r.who + r.state for r in self.done]
        parts += [r.problem + r.who + r.measure + r.due for r in self.planned]
        return "".join(parts)

    def data_key(self) -> str:
        """A digest of what the report says from the data — everything but its date and 核验码: the
        same key means the same report, which keeps the date and code of its first issue."""
        body = dataclasses.asdict(self)
        del body["issued"], body["verification"]
        return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def build_selfreport(
    *,
    unit: str,
    year: int,
    to: str,
    departments: tuple[int, int],
    people: tuple[int, int],
    department_lines: Sequence[DepartmentLine],
    assessment: Assessment | None,
    problems: Sequence[Problem],
    issued: dt.date,
    verification: str,
) -> SelfReportContent:
    """`departments` and `people` are (total, completed). No sentence names a day but the report's own
    date, so the same data give the same report whenever it is written again."""
    dept_total, dept_done = departments
    people_total, people_done = people
    tiers = dept_total > 0 or people_total > 0

    if tiers:
        opening = (
            f"根据{year}年度保密自查自评工作安排，我单位组织开展了单位、内设机构和个人三级保密自查自评。"
            "现将有关情况报告如下。"
        )
    else:
        opening = f"根据{year}年度保密自查自评工作安排，我单位开展了保密自查自评。现将有关情况报告如下。"

    coverage: list[str] = []
    if tiers:
        line = f"全单位共有内设机构{dept_total}个、在册人员{people_total}名，"
        line += f"{dept_done}个内设机构、{people_done}名人员完成自查"
        rates = []
        if dept_total:
            rates.append(f"内设机构完成率{_percent(dept_done, dept_total)}")
        if people_total:
            rates.append(f"人员完成率{_percent(people_done, people_total)}")
        line += "，" + "、".join(rates) if rates else ""
        if dept_done == dept_total and people_done == people_total:
            line += "，实现了自查全覆盖。"
        else:
            line += "。"
        coverage.append(line)
        missing = [d.name for d in department_lines if not d.self_checked]
        gaps = []
        if missing:
            gaps.append(f"尚未完成自查的内设机构有{'、'.join(missing)}")
        if people_done < people_total:
            gaps.append(f"尚有{people_total - people_done}名人员未完成自查")
        if gaps:
            coverage.append("；".join(gaps) + "。")
    else:
        coverage.append("本单位尚未建立内设机构和人员自查名单，本报告只反映单位自查自评的情况。")
    rows = tuple(
        CoverageRow(
            n,
            d.name,
            "已完成" if d.self_checked else "未完成",
            f"{d.people_completed}/{d.people_total}" if d.people_total else "—",
        )
        for n, d in enumerate(department_lines, start=1)
    )

    if assessment is not None:
        result = (
            f"{chinese_date(assessment.date)}，我单位对照《{assessment.ruleset_title}》"
            f"逐项开展单位自查自评，{assessment.score_line}。"
        )
    else:
        result = f"我单位{year}年度单位自查自评尚未完成，暂无单位得分和考评结果，完成后另行报告。"

    problems = _ordered(problems)
    groups = _groups(problems)
    if problems:
        counts = [sum(1 for p in problems if p.tier == tier) for tier in TIER_ORDER]
        parts = [f"{label}自查{n}项" for label, n in zip(("单位", "内设机构", "个人"), counts, strict=True) if n]
        problems_intro = (
            f"自查共发现问题{len(problems)}项，其中{'，'.join(parts)}。"
            "下表按单位自查项目归类；同一问题在几个内设机构或几名人员中发现的，合为一项，注明涉及的数量。"
        )
    else:
        problems_intro = "自查未发现问题。"

    done_problems = [p for p in problems if p.open == 0]
    open_problems = [p for p in problems if p.open > 0]
    done = tuple(
        DoneRow(
            n,
            p.text,
            who(p.tier, p.count),
            ("已整改，经核实" if p.verified == p.count else "已整改，待核实") + (f"：{p.note}" if p.note else ""),
        )
        for n, p in enumerate(done_problems, start=1)
    )
    planned = tuple(
        PlanRow(
            n,
            p.text,
            who(p.tier, p.open),
            p.measure or "按有关保密规定整改。",
            chinese_date(p.due) if p.due else "—",
        )
        for n, p in enumerate(open_problems, start=1)
    )
    if not problems:
        rectification_intro = "自查未发现需要整改的问题。"
    elif not open_problems:
        rectification_intro = f"发现的{len(problems)}项问题已全部整改。"
    elif not done_problems:
        rectification_intro = f"发现的{len(problems)}项问题正在整改，整改措施和完成时限见下表。"
    else:
        rectification_intro = (
            f"发现的{len(problems)}项问题中，已整改{len(done_problems)}项，正在整改{len(open_problems)}项，"
            "整改措施和完成时限见下表。"
        )

    steps = []
    if tiers and (dept_done < dept_total or people_done < people_total):
        left = []
        if dept_done < dept_total:
            left.append(f"{dept_total - dept_done}个内设机构")
        if people_done < people_total:
            left.append(f"{people_total - people_done}名人员")
        steps.append(f"督促尚未完成自查的{'、'.join(left)}尽快完成自查")
    if assessment is None:
        steps.append("尽快完成单位自查自评并报送结果")
    if open_problems:
        steps.append(f"按计划完成{len(open_problems)}项问题的整改，逐项销号")
    steps.append("加强保密教育和日常监督检查，举一反三，防止问题反弹")
    next_steps = "下一步，我单位将" + "；".join(steps) + "。"

    return SelfReportContent(
        title=report_title(unit, year),
        to=to,
        unit=unit,
        year=year,
        opening=opening,
        coverage=tuple(coverage),
        coverage_rows=rows,
        result=result,
        problems_intro=problems_intro,
        problem_groups=groups,
        rectification_intro=rectification_intro,
        done=done,
        planned=planned,
        next_steps=next_steps,
        issued=issued,
        verification=verification,
    )


def _ordered(problems: Sequence[Problem]) -> list[Problem]:
    """The problems in the order the report lists them: by the unit-level item they bear on (in the
    ruleset's order, those bearing on none last); within an item the unit's own first, then the
    departments', then the people's, more subjects first."""
    return sorted(
        problems,
        key=lambda p: (0 if p.group else 1, p.order if p.group else 0, p.group, TIER_ORDER.get(p.tier, 3), -p.count),
    )


def _groups(problems: Sequence[Problem]) -> tuple[ProblemGroup, ...]:
    """Ordered problems under the titles of their unit-level items ("其他问题" for the rest)."""
    groups: list[tuple[str, list[ProblemRow]]] = []
    for n, p in enumerate(problems, start=1):
        title = p.group or OTHER_GROUP
        if not groups or groups[-1][0] != title:
            groups.append((title, []))
        groups[-1][1].append(ProblemRow(n, p.text, who(p.tier, p.count)))
    return tuple(ProblemGroup(title, tuple(rows)) for title, rows in groups)


def heading(n: int) -> str:
    """一、二、… for the level-1 headings."""
    return f"{CHINESE_ORDINALS[n - 1]}、"
