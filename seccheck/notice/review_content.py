"""What the re-inspection opinion (复查意见书, notice.md) says, built from records; pure, no I/O. Shared wording
and the issuer are in `content`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from seccheck.notice.content import REVIEW_TITLE, Issuer, address_of, chinese_date, verification_code
from seccheck.ruleset.model import Ruleset


@dataclass(frozen=True)
class ReviewRow:
    n: int
    problem: str
    item: str
    due: str = ""  # the new deadline, for problems still to fix


@dataclass(frozen=True)
class ReviewContent:
    issuer: Issuer
    title: str
    unit: str
    address: str
    original_number: str
    original_title: str
    original_date: str
    ruleset_title: str
    reinspected_on: str
    inspectors: tuple[str, ...]
    fixed: tuple[ReviewRow, ...]
    remaining: tuple[ReviewRow, ...]
    unchecked: tuple[ReviewRow, ...]
    new: tuple[ReviewRow, ...]
    report_by: str
    issued_on: str
    verification: str
    earlier: tuple[ReviewRow, ...] = ()  # verified before this re-inspection (rectify verify, an earlier 复查)

    @property
    def closed(self) -> bool:
        """Everything verified and nothing new: 整改完毕，予以销号."""
        return not (self.remaining or self.unchecked or self.new)

    @property
    def open_groups(self) -> str:
        """What the conclusion asks to keep rectifying, naming only the groups that have problems:
        "仍未整改到位和新发现的问题", "仍未整改到位的问题"."""
        names = [
            name
            for name, rows in (("仍未整改到位", self.remaining), ("本次未复查", self.unchecked), ("新发现", self.new))
            if rows
        ]
        joined = "、".join(names[:-1]) + "和" + names[-1] if len(names) > 1 else "".join(names)
        return f"{joined}的问题"

    def text(self) -> str:
        parts = [
            self.issuer.name,
            self.issuer.marking,
            self.issuer.contact,
            self.issuer.phone,
            self.title,
            self.unit,
            self.original_number,
            self.original_title,
            self.original_date,
            self.ruleset_title,
            self.reinspected_on,
            *self.inspectors,
            self.report_by,
            self.issued_on,
        ]
        for row in (*self.earlier, *self.fixed, *self.remaining, *self.unchecked, *self.new):
            parts += [row.problem, row.item, row.due]
        return "".join(parts)


@dataclass(frozen=True)
class ReviewProblem:
    """A problem of the chain as the 复查意见书 lists it."""

    text: str
    item: str
    due: dt.date | None = None


def build_review(
    rs: Ruleset,
    *,
    unit: str,
    issuer: Issuer,
    original_number: str,
    original_title: str,
    original_date: dt.date,
    reinspected: dt.date,
    inspectors: tuple[str, ...],
    earlier: Sequence[ReviewProblem] = (),
    fixed: Sequence[ReviewProblem],
    remaining: Sequence[ReviewProblem],
    unchecked: Sequence[ReviewProblem],
    new: Sequence[ReviewProblem],
    issued: dt.date,
    anchor: tuple[int, str],
) -> ReviewContent:
    def rows(problems: Sequence[ReviewProblem]) -> tuple[ReviewRow, ...]:
        return tuple(
            ReviewRow(n, p.text, p.item, chinese_date(p.due) if p.due else "") for n, p in enumerate(problems, 1)
        )

    dues = [p.due for p in (*remaining, *unchecked, *new) if p.due]
    return ReviewContent(
        issuer=issuer,
        title=REVIEW_TITLE,
        unit=unit,
        address=address_of(rs),
        original_number=original_number,
        original_title=original_title,
        original_date=chinese_date(original_date),
        ruleset_title=rs.title,
        reinspected_on=chinese_date(reinspected),
        inspectors=inspectors,
        earlier=rows(earlier),
        fixed=rows(fixed),
        remaining=rows(remaining),
        unchecked=rows(unchecked),
        new=rows(new),
        report_by=chinese_date(max(dues)) if dues else "",
        issued_on=chinese_date(issued),
        verification=verification_code(anchor),
    )
