"""The lists of issued offline forms (forms.md §1): the distribution list written with a folder of forms,
and who returned theirs, who is overdue and whom to remind (催报)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from seccheck.app.context import Context
from seccheck.storage import campaigns as campaign_repo
from seccheck.storage import forms as repo

DISTRIBUTION = "分发清单"
HEADERS = ("单位", "文件名", "表单编号", "报送截止日期")


def _csv_cell(value: object) -> str:
    from seccheck.report.xlsx import risky, safe_text

    text = "" if value is None else safe_text(value)
    return "'" + text if risky(text) else text


Row = Sequence[str | dt.date | None]


def distribution_csv(rows: Sequence[Row], headers: tuple[str, ...] = HEADERS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_cell(v.isoformat() if isinstance(v, dt.date) else v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: spreadsheets read it as UTF-8


def distribution_xlsx(rows: Sequence[Row], headers: tuple[str, ...] = HEADERS) -> bytes:
    from seccheck.report.xlsx import DATE, Book, Column

    book = Book()
    columns = [Column(h, DATE) if h == "报送截止日期" else Column(h) for h in headers]
    book.sheet(DISTRIBUTION, columns, rows)
    return book.save()


# --- status -----------------------------------------------------------------------------------------

STATE_LABELS = {"returned": "已回收", "overdue": "逾期未报", "issued": "已下发"}


@dataclass(frozen=True)
class StatusRow:
    number: str
    unit: str
    campaign: str | None
    ruleset_id: str
    ruleset_version: str
    issued_on: dt.date
    due: dt.date | None
    state: str  # returned | overdue | issued
    returned_on: dt.date | None
    audit_id: int | None
    department: str = ""  # forms issued per department or per person (forms.md §4)
    person: str = ""
    staff_no: str = ""

    @property
    def respondent(self) -> str:
        """Who answers: the unit, then the department and the person (工号) when the form was for them."""
        who = " ".join(p for p in (self.unit, self.department, self.person) if p)
        return who + (f"（工号 {self.staff_no}）" if self.staff_no else "")

    @property
    def ruleset(self) -> str:
        return f"{self.ruleset_id} {self.ruleset_version}"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass
class FormStatus:
    rows: list[StatusRow] = field(default_factory=list)

    @property
    def remind(self) -> list[StatusRow]:
        """Units to remind (催报): not returned, overdue first."""
        waiting = [r for r in self.rows if r.state != "returned"]
        return sorted(waiting, key=lambda r: (r.state != "overdue", r.due or dt.date.max, r.respondent))

    def counts(self) -> dict[str, int]:
        return {state: sum(1 for r in self.rows if r.state == state) for state in STATE_LABELS}


def form_status(ctx: Context, campaign_ref: str | None = None) -> FormStatus:
    today = ctx.today()
    with ctx.db.read() as session:
        campaign = campaign_repo.find(session, campaign_ref) if campaign_ref else None
        listed = repo.listing(session, campaign.id if campaign else None)
    rows = []
    for f in listed:
        if f.audit_id is not None:
            state = "returned"
        elif f.due is not None and f.due < today:
            state = "overdue"
        else:
            state = "issued"
        rows.append(
            StatusRow(
                number=f.number,
                unit=f.unit,
                campaign=f.campaign,
                ruleset_id=f.ruleset_id,
                ruleset_version=f.ruleset_version,
                issued_on=f.issued_on,
                due=f.due,
                state=state,
                returned_on=f.returned_on,
                audit_id=f.audit_id,
                department=f.department,
                person=f.person,
                staff_no=f.staff_no,
            )
        )
    return FormStatus(rows)


def status_xlsx(status: FormStatus) -> bytes:
    from seccheck.report.xlsx import DATE, Book, Column

    book = Book()
    columns = [
        Column("表单编号"),
        Column("单位"),
        Column("内设机构"),
        Column("姓名"),
        Column("工号"),
        Column("检查活动"),
        Column("规则集"),
        Column("下发日期", DATE),
        Column("报送截止日期", DATE),
        Column("状态"),
        Column("回收日期", DATE),
    ]

    def row(r: StatusRow) -> tuple[object, ...]:
        return (
            r.number,
            r.unit,
            r.department,
            r.person,
            r.staff_no,
            r.campaign or "",
            r.ruleset,
            r.issued_on,
            r.due,
            r.state_label,
            r.returned_on,
        )

    book.sheet("回收情况", columns, [row(r) for r in status.rows])
    book.sheet("催报名单", columns, [row(r) for r in status.remind])
    return book.save()
