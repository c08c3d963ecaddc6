"""Offline forms (forms.md §1, §3): issue one per unit, follow who returned theirs, and check a
returned answers file before it goes through the same import as any answers file."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from seccheck.app.context import Context
from seccheck.app.units import find_unit
from seccheck.domain.answers import Answers
from seccheck.domain.formfile import key_digest, mac_matches
from seccheck.errors import BadInput, Problem
from seccheck.fileutil import private_dir, write_atomic
from seccheck.forms.page import FormIssue, file_stem, render_form
from seccheck.ruleset.load import LoadedRuleset, resolve_ruleset
from seccheck.storage import audits as audit_repo
from seccheck.storage import campaigns as campaign_repo
from seccheck.storage import events
from seccheck.storage import forms as repo
from seccheck.storage import units as unit_repo
from seccheck.storage.tables import Campaign, Department, IssuedForm, IssuedFormTier, Person, RulesetCopy, Unit

FORM_NUMBER = "自查表〔{year}〕{serial}号"


@dataclass(frozen=True)
class Issued:
    number: str
    unit: str
    path: Path
    due: dt.date | None
    department: str = ""  # a form issued per department or per person (forms.md §4)
    person: str = ""  # the person's name
    staff_no: str = ""


@dataclass(frozen=True)
class Respondent:
    """Whom below its unit a form is for: a department, or a person (in the department they are in)."""

    department: Department
    person: Person | None = None

    @property
    def token(self) -> str:
        """The person as the answers file names them: the 工号, or the name when they have none."""
        assert self.person is not None
        return self.person.staff_no or self.person.name


def _file_name(unit: str, year: int, serial: int, respondent: Respondent | None = None) -> str:
    """`单位[-内设机构[-姓名（工号）]]-自查表年度-序号.html`: each part made safe by `file_stem`, so
    that no name typed by a person leaves the folder or reads as an option or a formula."""
    parts = [file_stem(unit)]
    if respondent is not None:
        parts.append(file_stem(respondent.department.name))
        if respondent.person is not None:
            who = respondent.person
            parts.append(file_stem(who.name + (f"（{who.staff_no}）" if who.staff_no else "")))
    return "-".join(parts) + f"-自查表{year}-{serial:03d}.html"


def _issue_one(
    session: Session,
    ctx: Context,
    loaded: LoadedRuleset,
    unit: Unit,
    campaign: Campaign | None,
    due: dt.date | None,
    out: Path,
    respondent: Respondent | None = None,
) -> Issued:
    from seccheck.app.audits import check_campaign

    # Its returned file would be refused by the import: refuse the form now (the campaign's rulesets
    # and units, issue 22).
    check_campaign(session, campaign, loaded, unit)
    year = ctx.today().year
    serial = repo.next_serial(session, year)
    number = FORM_NUMBER.format(year=year, serial=serial)
    key = secrets.token_hex(32)
    audit_repo.store_ruleset(session, loaded)  # a returned file is scored with exactly this text
    repo.add(
        session,
        IssuedForm(
            number=number,
            year=year,
            serial=serial,
            unit_id=unit.id,
            campaign_id=campaign.id if campaign else None,
            ruleset_id=loaded.ruleset.id,
            ruleset_version=loaded.ruleset.version,
            ruleset_sha256=loaded.sha256,
            issued_on=ctx.today(),
            due=due,
            key=key,
            key_sha256=key_digest(key),
            file_name=out.name,
            created_at=ctx.at(),
        ),
    )
    events.record(
        session,
        at=ctx.at(),
        actor=ctx.actor,
        action="form.issued",
        number=number,
        unit=unit.id,
        ruleset=loaded.ruleset.id,
        ruleset_sha256=loaded.sha256,
    )
    department = person = person_name = None
    if respondent is not None:
        form = repo.by_number(session, number)
        assert form is not None
        department = respondent.department.name
        if respondent.person is not None:
            person, person_name = respondent.token, respondent.person.name
        repo.set_tier(
            session,
            IssuedFormTier(
                form_id=form.id,
                department_id=respondent.department.id,
                person_id=respondent.person.id if respondent.person is not None else None,
                department=department,
                person=person or "",
                person_name=person_name or "",
            ),
        )
    issue = FormIssue(
        number=number,
        unit=unit.name,
        key=key,
        ruleset_sha256=loaded.sha256,
        campaign=campaign.name if campaign else None,
        due=due.isoformat() if due else None,
        issuer=ctx.workspace.config.issuer.name or None,
        department=department,
        person=person,
        person_name=person_name,
    )
    write_atomic(out, render_form(loaded.ruleset, issue).encode("utf-8"))
    staff_no = respondent.person.staff_no if respondent is not None and respondent.person is not None else ""
    return Issued(number, unit.name, out, due, department or "", person_name or "", staff_no)


def _check_due(ctx: Context, due: dt.date | None) -> None:
    if due is not None and due < ctx.today():
        raise BadInput([Problem(f"报送截止日期 {due} 早于今天（{ctx.today()}）；请给出今后的日期", field="due")])


def _check_level(loaded: LoadedRuleset, department: str | None, person: str | None, *, every: str = "") -> None:
    """A ruleset is issued to whom it is answered by (forms.md §4): individual-self-check per person,
    department-self-check per department, the rest per unit. `every` is the flag asking for all of
    them (--all-people / --all-departments), for the message."""
    rs = loaded.ruleset
    title = f"规则集 {rs.id}（{rs.title}）"
    if rs.level == "individual" and person is None:
        raise BadInput(
            [
                Problem(
                    f"{title}是个人自查，按人员下发：请用 --person 工号或姓名 为一人生成，"
                    "或用 --all-people 为单位名单中的每个人各生成一份",
                    field=every or "department",
                )
            ]
        )
    if person is not None and rs.level != "individual":
        raise BadInput(
            [
                Problem(
                    f"{title}不是个人自查，不能按人员下发；个人自查用 individual-self-check"
                    + ("，按内设机构下发用 --all-departments" if rs.level == "department" else ""),
                    field=every or "person",
                )
            ]
        )
    if rs.level == "department" and department is None:
        raise BadInput(
            [
                Problem(
                    f"{title}是内设机构自查，按内设机构下发：请用 --department 内设机构 为一个内设机构生成，"
                    "或用 --all-departments 为单位的每个内设机构各生成一份",
                    field=every or "department",
                )
            ]
        )
    if department is not None and person is None and rs.level != "department":
        raise BadInput(
            [
                Problem(
                    f"{title}不是内设机构自查，不能按内设机构下发；内设机构自查用 department-self-check"
                    + ("；本规则集按单位下发，只用 --unit" if rs.level != "individual" else ""),
                    field=every or "department",
                )
            ]
        )


def _respondent(session: Session, unit: Unit, department: str | None, person: str | None) -> Respondent | None:
    from seccheck.app.tiers import find_department, find_person

    if person is not None:
        who = find_person(session, unit, person, field="person")
        dept = session.get(Department, who.department_id)
        assert dept is not None
        if department is not None and find_department(session, unit, department).id != dept.id:
            raise BadInput(
                [
                    Problem(
                        f"{who.name} 在{unit.name}的名单中属于 {dept.name}，不属于 {department}；"
                        "请去掉 --department，或先 seccheck unit people move "
                        f"{person} --unit {unit.name} --to {department}",
                        field="department",
                    )
                ]
            )
        return Respondent(dept, who)
    if department is not None:
        return Respondent(find_department(session, unit, department))
    return None


def issue_form(
    ctx: Context,
    ref: str,
    unit_name: str,
    campaign_ref: str | None,
    due: dt.date | None,
    out: Path | None,
    *,
    department: str | None = None,
    person: str | None = None,
) -> Issued:
    """`seccheck form RULESET --unit NAME [--department D | --person P]`: one form file for one unit
    (or one of its departments, or one of its people), recorded and sealed."""
    loaded = resolve_ruleset(ref)
    _check_due(ctx, due)
    if loaded.ruleset.level in ("individual", "department") or department is not None or person is not None:
        _check_level(loaded, department, person)

    def work(session: Session) -> Issued:
        campaign = campaign_repo.find(session, campaign_ref) if campaign_ref else None
        unit = find_unit(session, ctx, unit_name, create=False)
        respondent = _respondent(session, unit, department, person)
        serial = repo.next_serial(session, ctx.today().year)
        path = out or Path(_file_name(unit.name, ctx.today().year, serial, respondent))
        return _issue_one(session, ctx, loaded, unit, campaign, due, path, respondent)

    return ctx.db.transaction(work)


def issue_for_tier(
    ctx: Context,
    ref: str,
    unit_name: str,
    every: str,
    campaign_ref: str | None,
    due: dt.date | None,
    folder: Path,
    *,
    department: str | None = None,
) -> list[Issued]:
    """`--unit U --all-people [--department D]` (one form per listed person, in the department the list
    gives them) or `--unit U --all-departments` (one per listed department): into `folder`, with the
    distribution list as for `--all-units`."""
    assert every in ("people", "departments")
    loaded = resolve_ruleset(ref)
    _check_due(ctx, due)
    flag = f"--all-{every}"
    if every == "people":
        _check_level(loaded, None, "", every=flag)
    else:
        _check_level(loaded, "", None, every=flag)
    from seccheck.app.tiers import find_department
    from seccheck.storage import tiers as tier_repo

    def work(session: Session) -> list[Issued]:
        campaign = campaign_repo.find(session, campaign_ref) if campaign_ref else None
        unit = find_unit(session, ctx, unit_name, create=False)
        depts = {d.id: d for d in tier_repo.departments(session, unit.id, active_only=False)}
        respondents: list[Respondent]
        if every == "people":
            people = tier_repo.people(session, unit.id)
            if department is not None:
                only = find_department(session, unit, department)
                people = [p for p in people if p.department_id == only.id]
            if not people:
                where = f"{unit.name}的内设机构 {department}" if department is not None else unit.name
                raise BadInput(
                    [
                        Problem(
                            f"{where}没有登记人员名单，无法按人员下发；请先用 seccheck unit people import 名单.csv "
                            f"--unit {unit.name} 导入名单（表头 内设机构,姓名,工号），"
                            "或用 seccheck unit people add 添加",
                            field="unit" if department is None else "department",
                        )
                    ]
                )
            respondents = [Respondent(depts[p.department_id], p) for p in people]
            respondents.sort(key=lambda r: (r.department.id, r.person.id if r.person else 0))
        else:
            respondents = [Respondent(d) for d in tier_repo.departments(session, unit.id)]
            if not respondents:
                raise BadInput(
                    [
                        Problem(
                            f"{unit.name}没有登记内设机构，无法按内设机构下发；请先用 seccheck unit people import "
                            f"名单.csv --unit {unit.name} 导入名单，或用 seccheck unit department add 名称 "
                            f"--unit {unit.name} 添加",
                            field="unit",
                        )
                    ]
                )
        issued = []
        for respondent in respondents:
            serial = repo.next_serial(session, ctx.today().year)
            path = folder / _file_name(unit.name, ctx.today().year, serial, respondent)
            issued.append(_issue_one(session, ctx, loaded, unit, campaign, due, path, respondent))
        return issued

    private_dir(folder)
    issued = ctx.db.transaction(work)
    rows: list[Row]
    headers: tuple[str, ...]
    if every == "people":
        headers = ("单位", "内设机构", "姓名", "工号", "文件名", "表单编号", "报送截止日期")
        rows = [(i.unit, i.department, i.person, i.staff_no, i.path.name, i.number, i.due) for i in issued]
    else:
        headers = ("单位", "内设机构", "文件名", "表单编号", "报送截止日期")
        rows = [(i.unit, i.department, i.path.name, i.number, i.due) for i in issued]
    write_atomic(folder / f"{DISTRIBUTION}.xlsx", distribution_xlsx(rows, headers))
    write_atomic(folder / f"{DISTRIBUTION}.csv", distribution_csv(rows, headers))
    return issued


DISTRIBUTION = "分发清单"
HEADERS = ("单位", "文件名", "表单编号", "报送截止日期")


def issue_for_campaign(ctx: Context, ref: str, campaign_ref: str, due: dt.date | None, folder: Path) -> list[Issued]:
    """`--campaign C --all-units`: one form per planned unit into `folder`, plus the distribution list
    (XLSX and CSV: unit, file name, form number, due date)."""
    loaded = resolve_ruleset(ref)
    _check_due(ctx, due)
    private_dir(folder)

    def work(session: Session) -> list[Issued]:
        campaign = campaign_repo.find(session, campaign_ref)
        unit_ids = campaign_repo.planned_ids(session, campaign.id)
        if not unit_ids:
            raise BadInput(
                [
                    Problem(
                        f"专项行动 {campaign.name!r} 没有应检单位；请先用 seccheck campaign add-unit 列入单位",
                        field="campaign",
                    )
                ]
            )
        issued = []
        for unit in sorted((session.get(Unit, i) for i in unit_ids), key=lambda u: u.name if u else ""):
            assert unit is not None
            serial = repo.next_serial(session, ctx.today().year)
            path = folder / _file_name(unit.name, ctx.today().year, serial)
            issued.append(_issue_one(session, ctx, loaded, unit, campaign, due, path))
        return issued

    issued = ctx.db.transaction(work)
    rows = [(i.unit, i.path.name, i.number, i.due) for i in issued]
    write_atomic(folder / f"{DISTRIBUTION}.xlsx", distribution_xlsx(rows))
    write_atomic(folder / f"{DISTRIBUTION}.csv", distribution_csv(rows))
    return issued


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


# --- a returned file --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Returned:
    """A returned file that passed the form checks: the form's ruleset copy and campaign, and the
    audit an earlier file of the same form became (a later file revises it)."""

    form_id: int
    number: str
    loaded: LoadedRuleset
    campaign: str | None
    audit_id: int | None
    # Whom the audit is for (department id, person id) when the form was issued per department or
    # per person; None for a unit's form (the file's own `department`/`person`, if any, then apply).
    tier: tuple[int | None, int | None] | None = None


def _check_tier(
    session: Session, form: IssuedForm, unit: Unit, answers: Answers, name: str
) -> tuple[int, int | None] | None:
    """The form's department and person against the file's (forms.md §4), refused by field; the tier
    the audit is recorded for. A person is the one the form was issued to (found by the row, not by a
    name that may since have changed), recorded in the department they are in when the file is
    imported: moved after the form was issued, their audit counts where they are now."""
    tier = repo.tier_of(session, form.id)
    if tier is None:
        return None
    whom = f"{unit.name} {tier.department}" + (f" {tier.person_name}" if tier.person_name else "")
    if answers.department != tier.department:
        raise BadInput(
            [
                Problem(
                    f"表单 {form.number} 是下发给 {whom} 的，文件中的内设机构却是 {answers.department or '（未写）'}；"
                    "答案文件不能手工修改，请让填表人用下发给自己的表单重新保存答案文件",
                    file=name,
                    field="department",
                )
            ]
        )
    if (answers.person or "") != tier.person:
        raise BadInput(
            [
                Problem(
                    f"表单 {form.number} 是下发给 {whom} 的，文件中的人员却是 {answers.person or '（未写）'}；"
                    "答案文件不能手工修改，请让本人用下发给自己的表单重新保存答案文件",
                    file=name,
                    field="person",
                )
            ]
        )
    if tier.person_id is None:
        return tier.department_id, None
    person = session.get(Person, tier.person_id)
    assert person is not None
    return person.department_id, person.id


def check_returned(ctx: Context, path: Path, answers: Answers, *, allow_draft: bool = False) -> Returned:
    """Refuse, saying what to do, a file from a form this workspace never issued, for another unit
    or ruleset version, whose mac does not verify, a draft, or whose evidence is missing or differs."""
    stamp = answers.form
    assert stamp is not None
    name = str(path)

    def refuse(message: str, field: str = "form") -> BadInput:
        return BadInput([Problem(message, file=name, field=field)])

    with ctx.db.read() as session:
        form = repo.by_number(session, stamp.number)
        if form is None:
            raise refuse(
                f"表单编号 {stamp.number} 不是本工作区下发的表单；请确认文件来自本机关下发的表单，"
                "或用 seccheck form status 查看已下发的表单编号"
            )
        unit = session.get(Unit, form.unit_id)
        assert unit is not None
        named, _former = unit_repo.resolve(session, answers.unit)
        if named is None or named.id != unit.id:
            raise refuse(
                f"表单 {form.number} 是下发给 {unit.name} 的，文件中的单位却是 {answers.unit}；"
                "请让该单位用下发给自己的表单填写",
                "unit",
            )
        tier = _check_tier(session, form, unit, answers, name)
        if tier is None and (answers.department is not None or answers.person is not None):
            raise refuse(
                f"表单 {form.number} 是下发给单位 {unit.name} 的，文件中却写了内设机构或人员；"
                "答案文件不能手工修改，请用下发的表单重新保存答案文件",
                "department" if answers.department is not None else "person",
            )
        if (
            answers.ruleset != form.ruleset_id
            or answers.ruleset_version != form.ruleset_version
            or stamp.ruleset_sha256 != form.ruleset_sha256
        ):
            raise refuse(
                f"表单 {form.number} 按规则集 {form.ruleset_id} {form.ruleset_version} 下发，"
                f"文件却属于 {answers.ruleset} {answers.ruleset_version or ''}；请用下发的表单重新填写",
                "ruleset",
            )
        if not mac_matches(form.key, answers, stamp):
            raise refuse(
                f"核验值不符：文件在表单保存之后被改动过，或不是由表单 {form.number} 生成的；"
                "请让单位用下发的表单重新保存定稿答案文件后报送"
            )
        if stamp.status != "final" and not allow_draft:
            raise refuse(
                f"这是表单 {form.number} 保存的草稿，尚未定稿；请单位答完全部问题后保存定稿答案文件再报送"
                "（要在终端里接着填写，用 seccheck audit start --answers 该文件）"
            )
        copy = session.get(RulesetCopy, form.ruleset_sha256)
        assert copy is not None
        loaded = audit_repo.frozen_ruleset(copy.text, copy.sha256)
        campaign = session.get(Campaign, form.campaign_id) if form.campaign_id else None
        returned = Returned(form.id, form.number, loaded, campaign.name if campaign else None, form.audit_id, tier)

    listed = {e.name: e.sha256 for e in stamp.evidence}
    problems = []
    for key, answer in answers.answers.items():
        for ref in answer.evidence:
            expected = listed.get(ref)
            source = path.parent / ref
            if expected is None:
                problems.append(
                    Problem(f"证明材料 {ref} 未列出 SHA-256；请用表单重新保存", name, None, key, "evidence")
                )
                continue
            try:
                actual = hashlib.sha256(source.read_bytes()).hexdigest()
            except OSError:
                problems.append(
                    Problem(
                        f"缺少证明材料 {ref}（应放在答案文件所在目录 {path.parent}）；请单位补送该文件",
                        name,
                        None,
                        key,
                        "evidence",
                    )
                )
                continue
            if actual != expected:
                problems.append(
                    Problem(
                        f"证明材料 {ref} 与表单中记录的 SHA-256 不符（文件已被替换或改动）；请单位重新报送原文件",
                        name,
                        None,
                        key,
                        "evidence",
                    )
                )
    if problems:
        raise BadInput(problems)
    return returned


def mark_returned(session: Session, ctx: Context, form_id: int, audit_id: int, mac: str) -> None:
    form = session.get(IssuedForm, form_id)
    assert form is not None
    if form.audit_id == audit_id and form.last_mac == mac:
        return
    form.audit_id = audit_id
    form.returned_on = ctx.today()
    form.last_mac = mac
    events.record(session, at=ctx.at(), actor=ctx.actor, action="form.returned", audit_id=audit_id, number=form.number)
