"""What the documents say (spec notice.md): the rectification notice (整改通知书), the re-inspection
opinion (复查意见书, `review_content`) and the score sheet (自查自评表, `scoresheet_content`), built from
records; pure, no I/O. This module holds the notice and what the three share (dates, numbers, the issuer).

Every sentence a recipient reads is written here or in the templates; nothing a ruleset marks as a
drafting note (`basis_note`), no program name, command, internal id or version reaches a document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from seccheck.domain.result import Result
from seccheck.numbers import fmt
from seccheck.ruleset.model import Ruleset
from seccheck.text import zh

DEFAULT_TITLE = "保密检查整改通知书"
REVIEW_TITLE = "保密检查复查意见书"
SCORESHEET_TITLE = "保密自查自评表"
LEGAL_HOOK = "根据《中华人民共和国保守国家秘密法实施条例》第五十九条和有关规定"

# The notice's general requirements by whom it is addressed to (notice.md §Content 8). A shop or a
# company is not a party-and-government body: it is not told to 依规依纪追究 its staff.
REQUIREMENTS_BODY = (
    "认真分析问题产生的原因，对照上表逐项整改，明确责任人和完成时限，整改一项、销号一项。",
    "对发现的问题，依规依纪追究有关人员责任。",
    "举一反三，健全完善保密管理制度，堵塞管理漏洞，防止问题反弹。",
)
REQUIREMENTS_BUSINESS = (
    "对照上表逐项整改，明确整改责任人和完成时限，整改一项、销号一项。",
    "加强对从业人员的保密提醒和教育，严格执行承接业务登记等有关规定。",
    "举一反三，完善内部管理措施，防止问题反复发生。",
)
REQUIREMENTS_PERSON = (
    "对照上表逐项整改，按期完成。",
    "加强保密知识学习，严格遵守保密规定，防止问题反复发生。",
)
CHINESE_ORDINALS = "一二三四五六七八九十"


def chinese_date(day: dt.date) -> str:
    """成文日期 in Arabic numerals, as GB/T 9704 writes it: 2026年11月20日."""
    return f"{day.year}年{day.month}月{day.day}日"


def notice_number(prefix: str, year: int, n: int) -> str:
    """发文字号: 某保检〔2026〕12号 — year in 六角括号, no leading zeros."""
    return f"{prefix}〔{year}〕{n}号"


def ordinal(n: int) -> str:
    """（一）…（十）, then （11）: requirement lists are short."""
    return f"（{CHINESE_ORDINALS[n - 1]}）" if 1 <= n <= len(CHINESE_ORDINALS) else f"（{n}）"


def address_of(rs: Ruleset) -> str:
    """How the body addresses the recipient: 你单位, 你店, 你部门, 你."""
    if rs.level == "individual":
        return "你"
    if rs.level == "department":
        return "你部门"
    if rs.subject.endswith("店"):
        return "你店"
    return "你单位"


def is_business(rs: Ruleset) -> bool:
    """Shops and companies (site inspections): not bodies that 依规依纪追究 their staff."""
    return rs.level == "site"


def requirements_of(rs: Ruleset) -> tuple[str, ...]:
    if rs.general_requirements:
        return rs.general_requirements
    if rs.level == "individual":
        return REQUIREMENTS_PERSON
    if is_business(rs):
        return REQUIREMENTS_BUSINESS
    return REQUIREMENTS_BODY


def verification_code(anchor: tuple[int, str]) -> str:
    """The ledger's position and head digest when the document was issued (records.md §5), as the
    recipient reads it: the digest in groups of eight, so it can be read out and compared."""
    position, digest = anchor
    return f"{position}:" + " ".join(digest[i : i + 8] for i in range(0, len(digest), 8))


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

    @property
    def signature(self) -> str:
        return self.name or "（发文机关）"

    @property
    def body_name(self) -> str:
        return self.name or "本机关"


@dataclass(frozen=True)
class NoticeContent:
    issuer: Issuer
    number: str
    title: str
    unit: str
    address: str
    ruleset_title: str
    inspected_on: str
    inspectors: tuple[str, ...]
    methods: tuple[str, ...]
    score_line: str
    calculation: str  # empty unless the workspace switches the one-line calculation on
    findings: tuple[FindingRow, ...]
    scored: bool  # the 扣分 column is printed only when the method scores
    requirements: tuple[str, ...]
    critical: tuple[int, ...]
    report_by: str
    issued_on: str
    verification: str
    corrects: str = ""  # the date of the notice this one replaces (更正), if any

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
            self.inspected_on,
            *self.inspectors,
            *self.methods,
            self.score_line,
            self.calculation,
            *self.requirements,
            self.report_by,
            self.issued_on,
            self.corrects,
        ]
        for f in self.findings:
            parts += [f.problem, f.note or "", f.item, f.basis, f.deduction, f.rectify, f.due]
        return "".join(parts)


def build_notice(
    result: Result,
    rs: Ruleset,
    *,
    anchor: tuple[int, str],
    number: str,
    issued: dt.date,
    issuer: Issuer,
    inspectors: tuple[str, ...],
    methods: tuple[str, ...],
    dues: Mapping[str, dt.date] | None = None,
    show_calculation: bool = False,
    corrects: dt.date | None = None,
) -> NoticeContent:
    """`dues` are the findings' rectification due dates as recorded (they count from the notice date);
    `corrects` is the date of the earlier notice under the same number that this one replaces."""
    due_of = {f.check_id: (dues or {}).get(f.check_id, f.due) for f in result.findings}
    scored = result.method == "deduction"
    rows = tuple(
        FindingRow(
            n=n,
            problem=zh.finding_text(f),
            note=f.note,
            item=f.item_title,
            basis=f.basis or "有关保密管理规定",
            deduction=fmt(f.deduction) if scored and f.deduction else "—",
            rectify=f.rectify or "按有关保密规定整改。",
            due=chinese_date(due_of[f.check_id]),
            critical=f.severity == "critical" or f.veto or f.aggravating,
        )
        for n, f in enumerate(result.findings, start=1)
    )
    latest = max(due_of.values(), default=issued + dt.timedelta(days=30))
    return NoticeContent(
        issuer=issuer,
        number=number,
        title=rs.notice_title or DEFAULT_TITLE,
        unit=result.unit,
        address=address_of(rs),
        ruleset_title=result.ruleset_title,
        inspected_on=chinese_date(result.date),
        inspectors=inspectors,
        methods=methods,
        score_line=zh.score_line(result),
        calculation=zh.calculation(result) if show_calculation else "",
        findings=rows,
        scored=scored,
        requirements=requirements_of(rs),
        critical=tuple(r.n for r in rows if r.critical),
        report_by=chinese_date(latest),
        issued_on=chinese_date(issued),
        verification=verification_code(anchor),
        corrects=chinese_date(corrects) if corrects else "",
    )
