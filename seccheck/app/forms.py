"""Offline forms (forms.md §1, §3): issue one per unit, follow who returned theirs, and check a
returned answers file before it goes through the same import as any answers file."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from seccheck.app.context import Context
from seccheck.app.form_lists import DISTRIBUTION, Row, distribution_csv, distribution_xlsx
from seccheck.app.units import find_unit
from seccheck.domain.formfile import key_digest
from seccheck.errors import BadInput, Problem
from seccheck.fileutil import private_dir, write_atomic
from seccheck.forms.page import FormIssue, file_stem, render_form
from seccheck.ruleset.load import LoadedRuleset, resolve_ruleset
from seccheck.storage import audits as audit_repo
from seccheck.storage import campaigns as campaign_repo
from seccheck.storage import events
from seccheck.storage import forms as repo
from seccheck.storage.tables import Campaign, Department, IssuedForm, IssuedFormTier, Person, Unit

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
    from seccheck.app.audit_checks import check_campaign

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
