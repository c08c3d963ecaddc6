"""The unit's 自查自评工作报告 to the bureau (forms.md §4, issue 25 line 4): written from the year's
roll-up, the unit's final self-assessment and the rectification records, as a GB/T 9704 PDF (PDF/A,
like the notices), an HTML file, or a DOCX the unit can edit.

The report is dated and coded (核验码) when it is first written; writing it again from the same data
keeps both, so the PDF is the same to the byte. Each first issue is an event in the sealed ledger
(`selfreport.issued`, holding the digest of what the report says, its date and code).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from seccheck.app import views
from seccheck.app.context import Context
from seccheck.app.documents import target_in
from seccheck.app.packages import exported_code
from seccheck.app.progress import Progress, Steps, no_progress
from seccheck.app.rollup import UNIT_RULESET, _rollup, _unit_items, year_audits
from seccheck.app.tiers import unit_named
from seccheck.errors import BadInput, Problem
from seccheck.fileutil import safe_filename, write_atomic
from seccheck.limits import neutralised
from seccheck.notice import selfreport as doc
from seccheck.notice.pdfmeta import PdfMeta
from seccheck.ruleset.model import Ruleset
from seccheck.storage import events
from seccheck.storage.audits import ruleset_of
from seccheck.storage.tables import Audit, AuditTier, Event, FindingRow, Rectification
from seccheck.text import zh

FORMATS = ("pdf", "html", "docx")
ISSUED = "selfreport.issued"


@dataclass(frozen=True)
class SelfReportFile:
    path: Path
    content: doc.SelfReportContent
    fetched: tuple[str, ...] = ()


def _ledger_code(ctx: Context) -> str:
    """The code a report ends with while the unit has exported no package for the year: the ledger's
    head, as notices print it (`seccheck verify --anchor` checks it)."""
    from seccheck.notice.content import verification_code
    from seccheck.storage import ledger

    with ctx.db.read() as session:
        return verification_code(ledger.head(session))


def _assessment(audits: Sequence[Audit], tiered: set[int]) -> doc.Assessment | None:
    """The year's final unit self-assessment (the latest, when there are several): the unit's own,
    not a department's scored with the same ruleset."""
    own = [a for a in audits if a.ruleset_id == UNIT_RULESET and a.mode == "self" and a.id not in tiered]
    if not own:
        return None
    audit = max(own, key=lambda a: (a.date, a.id))
    from seccheck.domain.result import result_from_data

    result = result_from_data(audit.result or {})
    return doc.Assessment(result.ruleset_title, result.date, zh.score_line(result), result.grade)


@dataclass(frozen=True)
class _Facts:
    unit_id: int
    rollup: views.Rollup
    problems: list[doc.Problem]
    assessment: doc.Assessment | None


def _facts(session: Session, unit_name: str, year: int) -> _Facts:
    """The roll-up, the problems its self-checks found (counted as the roll-up counts them) with their
    rectification state and the unit-level items they are shown under, and the unit's self-assessment."""
    rollup = _rollup(session, unit_name, year)
    unit = unit_named(session, unit_name)
    audits = year_audits(session, unit.id, year)
    by_id = {a.id: a for a in audits}
    tiers = {t.audit_id: t for t in session.scalars(select(AuditTier).where(AuditTier.audit_id.in_(list(by_id))))}
    tiered = set(tiers)
    titles = _unit_items(session, audits)
    order = {item: n for n, item in enumerate(titles)}

    rulesets: dict[tuple[str, str], Ruleset] = {}

    def ruleset(audit: Audit) -> Ruleset:
        key = (audit.ruleset_id, audit.ruleset_sha256 or "")
        if key not in rulesets:
            rulesets[key] = ruleset_of(session, audit).ruleset
        return rulesets[key]

    def subject(audit: Audit) -> object:
        """Who had the problem, as the roll-up counts them: the unit's audit, a department, a person."""
        tier = tiers.get(audit.id)
        if tier is None:
            return audit.id
        if tier.person_id is not None:
            return ("individual", tier.department_id, tier.person_id)
        return ("department", tier.department_id, None)

    # What the self-checks found (an inspection by the bureau is no 自查): each subject's record of a
    # check, with its rectification state, due date and the unit's account.
    records: dict[tuple[str, str], list[tuple[str, dt.date, str | None]]] = {}
    subjects: dict[tuple[str, str], set[object]] = {}
    measures: dict[tuple[str, str], str] = {}
    items: dict[tuple[str, str], str] = {}
    rows = session.execute(
        select(FindingRow, Rectification)
        .join(Rectification, Rectification.finding_id == FindingRow.id)
        .where(FindingRow.audit_id.in_(list(by_id)), Rectification.state != "withdrawn")
        .order_by(FindingRow.id)
    ).all()
    for finding, rect in rows:
        audit = by_id[finding.audit_id]
        if audit.mode != "self":
            continue
        key = (audit.ruleset_id, finding.check_id)
        subjects.setdefault(key, set()).add(subject(audit))
        records.setdefault(key, []).append((rect.state, rect.due, rect.report_note))
        if key not in measures:
            found = ruleset(audit).checks.get(finding.check_id)
            measures[key] = (found[1].rectify or "") if found else ""
            if audit.ruleset_id == UNIT_RULESET and audit.id not in tiered and found:
                items[key] = found[0].id

    problems = []
    for p in rollup.problems:
        key = (p.ruleset_id, p.check)
        if key not in subjects:
            continue  # found by an inspection only
        item = items.get(key) if p.tier == "unit" else p.rolls_up_to
        group = titles.get(item, "") if item else ""
        states = records.get(key, [])
        unfinished = [due for state, due, _note in states if state in ("open", "rejected")]
        notes = [note for _s, _d, note in states if note]
        problems.append(
            doc.Problem(
                tier=p.tier,
                text=p.text,
                count=len(subjects[key]),
                group=group,
                order=order.get(item or "", len(order)),
                measure=measures.get(key, ""),
                open=len(unfinished),
                verified=sum(1 for state, _d, _n in states if state == "verified"),
                due=max(unfinished, default=None),
                note=notes[0] if len(states) == 1 and len(notes) == 1 else "",
            )
        )
    return _Facts(unit.id, rollup, problems, _assessment(audits, tiered))


def _issued_before(session: Session, unit_id: int, year: int, key: str, code: str | None) -> tuple[dt.date, str] | None:
    """The date and code of the first report written from the same data (and, once a package was
    exported, ending with that package's code), if there was one."""
    for event in session.scalars(select(Event).where(Event.action == ISSUED).order_by(Event.id)):
        detail = event.detail or {}
        same = detail.get("unit_id") == unit_id and detail.get("year") == year and detail.get("key") == key
        if same and (code is None or detail.get("code") == code):
            return dt.date.fromisoformat(str(detail["issued"])), str(detail["code"])
    return None


def build(ctx: Context, unit_name: str, year: int | None = None, *, to: str | None = None) -> doc.SelfReportContent:
    """What the report says, dated and coded as first issued when the data are unchanged."""
    year = year or ctx.today().year
    addressee = ctx.workspace.config.issuer.name if to is None else to
    with ctx.db.read() as session:
        facts = _facts(session, unit_name, year)
        rollup = facts.rollup
        if addressee == rollup.unit:
            addressee = ""  # the workspace is the unit's own: the bureau's name is for the unit to write

        def content(issued: dt.date, code: str) -> doc.SelfReportContent:
            return doc.build_selfreport(
                unit=rollup.unit,
                year=year,
                to=addressee,
                departments=(rollup.departments.total, rollup.departments.completed),
                people=(rollup.people.total, rollup.people.completed),
                department_lines=[
                    doc.DepartmentLine(d.department, d.self_checked, d.people_completed, d.people_total)
                    for d in rollup.department_coverage
                ],
                assessment=facts.assessment,
                problems=facts.problems,
                issued=issued,
                verification=code,
            )

        draft = content(ctx.today(), "")
        package = exported_code(session, facts.unit_id, year)
        before = _issued_before(session, facts.unit_id, year, draft.data_key(), package)
    if before is not None:
        return content(*before)
    return content(ctx.today(), package or _ledger_code(ctx))


def _record(ctx: Context, unit_name: str, content: doc.SelfReportContent) -> None:
    """The first issue of a report from these data, as an event in the sealed ledger."""
    if ctx.db.readonly is not None:
        return
    key = content.data_key()

    def work(session: Session) -> None:
        unit = unit_named(session, unit_name)
        if _issued_before(session, unit.id, content.year, key, content.verification) is not None:
            return
        events.record(
            session, at=ctx.at(), actor=ctx.actor, action=ISSUED, unit_id=unit.id, unit=content.unit,
            year=content.year, key=key, issued=content.issued.isoformat(), code=content.verification,
        )  # fmt: skip

    ctx.db.transaction(work)


def write_selfreport(
    ctx: Context,
    unit_name: str,
    year: int | None = None,
    *,
    fmt: str = "pdf",
    to: str | None = None,
    out_dir: Path | None = None,
    allow_missing_glyphs: bool = False,
    progress: Progress = no_progress,
) -> SelfReportFile:
    """Write the unit's 自查自评工作报告 for the year into the reports folder (or `out_dir`)."""
    from seccheck.notice.fonts import describe, missing_glyphs, user_fonts
    from seccheck.notice.render import document_html, render_pdf

    if fmt not in FORMATS:
        raise BadInput([Problem(f"报告格式只能是 {'、'.join(FORMATS)}，不是 {fmt!r}", field="--format")])
    steps = Steps(progress, 4)
    content = build(ctx, unit_name, year, to=to)
    steps("已汇总本年度自查情况")
    fonts_dir = ctx.workspace.root / "fonts"
    extra = user_fonts(fonts_dir)
    if fmt == "pdf" and not allow_missing_glyphs:
        missing = missing_glyphs(neutralised(content.text()), extra)
        if missing:
            chars = "、".join(describe(ch) for ch in missing)
            raise BadInput(
                [
                    Problem(
                        f"自查自评工作报告中有 {len(missing)} 个字符在已配置的字体中都没有，打印出来会是方框：{chars}。"
                        f"请把含这些字符的字体文件放入 {fonts_dir}，或改用常用字；确需照印可加 --allow-missing-glyphs",
                        field="selfreport",
                    )
                ]
            )
    stem = f"{safe_filename(content.unit, limit=40)}-{content.year}年度保密自查自评工作报告"
    target = target_in(ctx.output_dir(out_dir), stem, f".{fmt}")
    fetched: tuple[str, ...] = ()
    if fmt == "docx":
        from seccheck.report.selfreport_docx import selfreport_docx

        data = selfreport_docx(content)
        steps("已排版")
    else:
        meta = PdfMeta(
            title=content.title,
            author=content.unit,
            subject=f"{content.unit}{content.year}年度保密自查自评工作情况",
            keywords=("保密自查自评", "工作报告", str(content.year), content.unit),
            created=content.issued,  # the report's own date, kept with its code: writing it again changes nothing
        )
        html = document_html("selfreport", content, meta, extra, portable=fmt == "html")
        steps("已排版")
        if fmt == "html":
            data = html.encode("utf-8")
        else:
            data, log = render_pdf(html, fonts_dir if extra else None)
            fetched = (*log.served, *log.refused)
    steps("已生成")
    write_atomic(target, data)
    _record(ctx, unit_name, content)
    steps("已写入")
    return SelfReportFile(target, content, fetched)
