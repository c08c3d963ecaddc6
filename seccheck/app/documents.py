"""Documents of an audit: the rectification notice (整改通知书) — numbered, built, checked, written."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

from sqlalchemy.orm import Session

from seccheck.app.audits import Document, record_of
from seccheck.app.context import Context
from seccheck.domain.rectification import due_date
from seccheck.errors import BadInput, Conflict, EnvironmentProblem, Problem
from seccheck.fileutil import inside, safe_filename, write_atomic
from seccheck.notice.content import Issuer, build_notice, notice_number
from seccheck.notice.fonts import describe, missing_glyphs, user_fonts
from seccheck.notice.pdfmeta import PdfMeta
from seccheck.notice.render import notice_html, render_pdf
from seccheck.storage import audits as repo
from seccheck.storage import events, notices
from seccheck.storage import findings as finding_repo

NOTICE = "notice"


def _active(session: Session, audit_id: int) -> list[str]:
    return [c for c, (_f, r) in finding_repo.of_audit(session, audit_id).items() if r.state != "withdrawn"]


def notice_due(ctx: Context, audit_id: int) -> bool:
    """Should the audit's notice be (re)written now? Final, an original audit, with problems, and no
    notice written for its latest revision yet (or the file has gone)."""
    with ctx.db.read() as session:
        audit = repo.get(session, audit_id)
        if audit.status != "final" or audit.reinspection_of is not None or not _active(session, audit_id):
            return False
        written = notices.document(session, audit_id, NOTICE, audit.revision)
        return written is None or not Path(written.path).is_file()


def _number(ctx: Context, audit_id: int) -> tuple[int, str, dt.date]:
    """The audit's notice number: kept if it has one; else the next of the year, and the deadlines of
    its findings then count from today, the notice's date (records.md §2)."""
    issuer = ctx.workspace.config.issuer

    def work(session: Session) -> tuple[int, str, dt.date]:
        audit = repo.get(session, audit_id)
        row = notices.number_of(session, audit_id)
        if row is None:
            row = notices.next_number(session, audit_id, issuer.name, ctx.today())
            issued = notices.issued_on(row)
            deadline_from = ctx.workspace.config.rectification.deadline_from
            for finding, rect in finding_repo.of_audit(session, audit_id).values():
                if rect.state in ("open", "rejected") and finding.deadline_days is not None:
                    due = due_date(
                        finding.deadline_days, audit_date=audit.date, issued=issued, deadline_from=deadline_from
                    )
                    finding_repo.set_due(finding, rect, due)
            events.record(
                session,
                at=ctx.at(),
                actor=ctx.actor,
                action="notice.numbered",
                audit_id=audit_id,
                issuer=issuer.name,
                year=row.year,
                number=row.number,
            )
        return row.id, notice_number(issuer.prefix, row.year, row.number), notices.issued_on(row)

    return ctx.db.transaction(work)


def target_in(folder: Path, stem: str, suffix: str) -> Path:
    """Where a document named from user text goes: inside `folder`, never through a link to elsewhere."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return inside(folder, safe_filename(stem) + suffix)
    except ValueError:
        raise EnvironmentProblem(
            [Problem(f"{folder} 中同名文件是指向别处的链接，不会覆盖；请删去它或用 --out 另选目录", field="out")]
        ) from None


def write_notice(
    ctx: Context,
    audit_id: int,
    *,
    fmt: str = "pdf",
    out_dir: Path | None = None,
    allow_missing_glyphs: bool = False,
) -> Document:
    """Write (or write again) the audit's rectification notice under its one number."""
    with ctx.db.read() as session:
        audit = repo.get(session, audit_id)
        if audit.status != "final":
            raise Conflict(
                [Problem(f"检查 {audit_id} 尚未定稿，不能出具整改通知书；请先完成检查并定稿", field="audit")]
            )
        if not _active(session, audit_id):
            raise Conflict([Problem(f"检查 {audit_id} 没有发现问题，不出具整改通知书", field="audit")])
    number_id, number, issued = _number(ctx, audit_id)
    with ctx.db.read() as session:
        audit = repo.get(session, audit_id)
        record = record_of(session, audit)
        dues = {c: f.due for c, (f, _r) in finding_repo.of_audit(session, audit_id).items()}
    assert record.result is not None and record.seal is not None
    config = ctx.workspace.config.issuer
    rs = record.ruleset.ruleset
    content = build_notice(
        # Addressed to the unit by its name today (it may have been renamed since the audit).
        dataclasses.replace(record.result, unit=record.unit),
        audit_id=audit_id,
        seal=record.seal,
        number=number,
        issued=issued,
        issuer=Issuer(config.name, config.marking, config.contact, config.phone),
        inspectors=record.answers.inspectors,
        methods=record.answers.methods,
        title=rs.notice_title,
        bases=rs.basis,
        dues=dues,
    )
    fonts_dir = ctx.workspace.root / "fonts"
    extra = user_fonts(fonts_dir)
    missing = missing_glyphs(content.text(), extra)
    if missing and not allow_missing_glyphs:
        chars = "、".join(describe(ch) for ch in missing)
        raise BadInput(
            [
                Problem(
                    f"通知书中有 {len(missing)} 个字符在已配置的字体中都没有，打印出来会是方框：{chars}。"
                    f"请把含这些字符的字体文件放入 {fonts_dir}，或改用常用字；确需照印可加 --allow-missing-glyphs",
                    field="notice",
                )
            ]
        )
    meta = PdfMeta(
        title=f"{number} {content.title}",
        author=config.name,
        subject=f"对{record.unit}开展{content.ruleset_title}发现问题的整改通知",
        keywords=("保密检查", "整改通知书", number, record.unit, content.ruleset_title),
        created=issued,  # the notice's own date, kept with its number: rendering again changes nothing
    )
    html = notice_html(content, extra, meta)
    target = target_in(out_dir or ctx.workspace.reports, f"{number}-{record.unit}", f".{fmt}")
    fetched: tuple[str, ...] = ()
    if fmt == "html":
        data = html.encode("utf-8")
    else:
        data, log = render_pdf(html, fonts_dir if extra else None)
        fetched = (*log.served, *log.refused)
    write_atomic(target, data)
    if fmt == "pdf" and out_dir is None:

        def work(session: Session) -> None:
            notices.record_document(
                session,
                audit_id=audit_id,
                kind=NOTICE,
                revision=record.revision,
                number_id=number_id,
                path=str(target),
                sha256=hashlib.sha256(data).hexdigest(),
                actor=ctx.actor,
                at=ctx.at(),
            )
            events.record(
                session, at=ctx.at(), actor=ctx.actor, action="document.issued", audit_id=audit_id, kind=NOTICE,
                number=number, revision=record.revision, sha256=hashlib.sha256(data).hexdigest(),
            )  # fmt: skip

        ctx.db.transaction(work)
    return Document(NOTICE, number, target, fetched)
