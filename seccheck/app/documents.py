# Long on purpose: the three documents share one write path (number, fonts, render, atomic write, record).
"""Documents of an audit (notice.md): the rectification notice (整改通知书), the re-inspection opinion
(复查意见书) and the score sheet (自查自评表) — which one is due, built, checked and written.

Which document an audit gets is decided here once, for every path that finishes an audit:
- an inspection with problems: a notice under its one number; after an amendment that changes the
  problems, a corrected notice (更正) under the same number;
- a self-assessment: its score sheet, never a notice;
- a re-inspection: a 复查意见书 citing the original notice's number.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from seccheck.app.context import Context
from seccheck.app.progress import Progress, Steps, no_progress
from seccheck.app.records import AuditRecord, Document, record_of
from seccheck.domain.rectification import due_date
from seccheck.domain.result import Result, result_from_data
from seccheck.errors import BadInput, Conflict, EnvironmentProblem, Problem
from seccheck.fileutil import inside, private_dir, safe_filename, write_atomic
from seccheck.limits import neutralised
from seccheck.notice.content import Issuer, NoticeContent, build_notice, notice_number
from seccheck.notice.fonts import FontFile, describe, missing_glyphs, user_fonts
from seccheck.notice.pdfmeta import PdfMeta
from seccheck.notice.render import document_html, render_pdf
from seccheck.notice.review_content import ReviewProblem, build_review
from seccheck.notice.scoresheet_content import build_scoresheet
from seccheck.storage import audits as repo
from seccheck.storage import events, notices
from seccheck.storage import findings as finding_repo
from seccheck.storage import ledger as ledger_repo
from seccheck.storage.tables import Audit
from seccheck.text import zh

NOTICE = "notice"
REVIEW = "review"
SCORESHEET = "scoresheet"
NAMES = {NOTICE: "整改通知书", REVIEW: "复查意见书", SCORESHEET: "自查自评表"}


def _active(session: Session, audit_id: int) -> list[str]:
    return [c for c, (_f, r) in finding_repo.of_audit(session, audit_id).items() if r.state != "withdrawn"]


def _problems_key(result: Result) -> list[Any]:
    """What a notice says about each problem: if an amendment leaves this as it was, the notice stands."""
    return [
        [f.check_id, zh.finding_text(f), str(f.deduction), f.note, f.basis, f.rectify, f.item_title]
        for f in result.findings
    ] + [result.grade, str(result.percent)]


def _revision_result(session: Session, audit_id: int, revision: int) -> Result | None:
    row = repo.revision(session, audit_id, revision)
    return result_from_data(row.result) if row is not None else None


def kind_for(audit: Audit) -> str:
    """The document an audit gets when it is finished."""
    if audit.reinspection_of is not None:
        return REVIEW
    if audit.mode == "self":
        return SCORESHEET
    return NOTICE


def _scored(audit: Audit) -> bool:
    """Scored with points (扣分制): only these have a score sheet; a checklist has none."""
    result = audit.result or {}
    return result.get("method") == "deduction" and result.get("percent") is not None


def _file_gone(doc: Any, root: Path) -> bool:
    return doc is None or not (root / doc.path).is_file()  # a relative path is the workspace's; absolute as is


def _stored_path(ctx: Context, path: Path) -> str:
    """A document's path as recorded: relative to the workspace when inside it, so a copied
    workspace points into itself."""
    try:
        return path.resolve().relative_to(ctx.workspace.root.resolve()).as_posix()
    except ValueError:
        return str(path)


def document_due(ctx: Context, audit_id: int) -> str | None:
    """The document to write now for the audit's latest revision, if any: it is final, needs one
    (see the module's text), and none was written for this revision yet (or the file has gone)."""
    with ctx.db.read() as session:
        audit = repo.get(session, audit_id)
        if audit.status != "final":
            return None
        kind = kind_for(audit)
        if kind == SCORESHEET:
            if not _scored(audit):
                return None  # a checklist self-check: recorded, no score sheet to make
            return (
                kind
                if _file_gone(notices.document(session, audit_id, kind, audit.revision), ctx.workspace.root)
                else None
            )
        if kind == REVIEW:
            if notices.number_of(session, audit.chain_id or audit_id) is None:
                return None  # nothing was notified: there is no notice to review
            return (
                kind
                if _file_gone(notices.document(session, audit_id, kind, audit.revision), ctx.workspace.root)
                else None
            )
        if not _active(session, audit_id):
            return None
        latest = notices.latest_document(session, audit_id, NOTICE)
        if latest is None or latest.revision == audit.revision:
            return kind if _file_gone(latest, ctx.workspace.root) else None
        # An amendment: a corrected notice only if what the notice says has changed.
        before = _revision_result(session, audit_id, latest.revision)
        now = _revision_result(session, audit_id, audit.revision)
        if before is not None and now is not None and _problems_key(before) == _problems_key(now):
            return kind if _file_gone(latest, ctx.workspace.root) else None
        return kind


def _local_day(at: dt.datetime) -> dt.date:
    return at.astimezone().date()


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
    private_dir(folder)
    try:
        return inside(folder, safe_filename(stem) + suffix)
    except ValueError:
        raise EnvironmentProblem(
            [Problem(f"{folder} 中同名文件是指向别处的链接，不会覆盖；请删去它或用 --out 另选目录", field="out")]
        ) from None


def _unit_part(unit: str) -> str:
    """The unit's name in a file name, shortened so that what follows it (更正, 复查意见书) is kept."""
    return safe_filename(unit, limit=40)


def _issuer(ctx: Context) -> Issuer:
    config = ctx.workspace.config.issuer
    return Issuer(config.name, config.marking, config.contact, config.phone)


def _final_record(ctx: Context, audit_id: int, what: str) -> AuditRecord:
    with ctx.db.read() as session:
        audit = repo.get(session, audit_id)
        if audit.status != "final":
            raise Conflict([Problem(f"检查 {audit_id} 尚未定稿，不能出具{what}；请先完成检查并定稿", field="audit")])
        record = record_of(session, audit)
    assert record.result is not None and record.seal is not None
    return record


@dataclasses.dataclass(frozen=True)
class _Written:
    path: Path
    data: bytes
    fetched: tuple[str, ...]


def _write(
    ctx: Context,
    kind: str,
    content: Any,
    meta: PdfMeta,
    stem: str,
    *,
    fmt: str,
    out_dir: Path | None,
    allow_missing_glyphs: bool,
    progress: Progress = no_progress,
) -> _Written:
    """Check every character has a glyph, render, and write atomically inside the reports folder.

    `progress` hears of each stage and, while a PDF is laid out, of each page (a notice of hundreds of
    problems takes a while)."""
    steps = Steps(progress, 4)
    fonts_dir = ctx.workspace.root / "fonts"
    extra: tuple[FontFile, ...] = user_fonts(fonts_dir)
    missing = missing_glyphs(neutralised(content.text()), extra)
    if missing and not allow_missing_glyphs and isinstance(content, NoticeContent):
        # A situation note is the answerer's free text (pasted from a chat, with an emoji): a character
        # no font has is printed as 〓, the typesetter's mark for a missing character, instead of
        # stopping the notice. Names, numbers and the ruleset's words are still checked below.
        content = _notes_printable(content, set(missing))
        missing = missing_glyphs(neutralised(content.text()), extra)
    if missing and not allow_missing_glyphs:
        chars = "、".join(describe(ch) for ch in missing)
        raise BadInput(
            [
                Problem(
                    f"{NAMES[kind]}中有 {len(missing)} 个字符在已配置的字体中都没有，打印出来会是方框：{chars}。"
                    f"请把含这些字符的字体文件放入 {fonts_dir}，或改用常用字；确需照印可加 --allow-missing-glyphs",
                    field=kind,
                )
            ]
        )
    steps("检查字形")
    html = document_html(kind, content, meta, extra, portable=fmt == "html")
    target = target_in(ctx.output_dir(out_dir), stem, f".{fmt}")
    steps("生成 HTML")
    fetched: tuple[str, ...] = ()
    if fmt == "html":
        data = html.encode("utf-8")
    else:
        data, log = render_pdf(
            html, fonts_dir if extra else None, on_page=lambda page: progress(2, 4, f"排版第 {page} 页")
        )
        fetched = (*log.served, *log.refused)
    steps("生成 PDF" if fmt == "pdf" else "生成 HTML")
    write_atomic(target, data)
    steps("写入文件")
    return _Written(target, data, fetched)


MISSING_MARK = "〓"


def _notes_printable(content: NoticeContent, missing: set[str]) -> NoticeContent:
    def shown(note: str | None) -> str | None:
        return None if note is None else "".join(MISSING_MARK if ch in missing else ch for ch in note)

    rows = tuple(dataclasses.replace(row, note=shown(row.note)) for row in content.findings)
    return dataclasses.replace(content, findings=rows)


def _anchor(ctx: Context, audit_id: int, kind: str, revision: int) -> tuple[int, str]:
    """The ledger position and head digest this document prints: those of its first issue, so writing
    it again gives the same document; else the ledger's head now."""
    with ctx.db.read() as session:
        issued = notices.document(session, audit_id, kind, revision)
        if issued is not None and issued.anchor_position is not None and issued.anchor_digest:
            return issued.anchor_position, issued.anchor_digest
        return ledger_repo.head(session)


def _record(
    ctx: Context, kind: str, audit_id: int, revision: int, number_id: int | None, number: str | None, written: _Written
) -> None:
    digest = hashlib.sha256(written.data).hexdigest()
    anchor = _anchor(ctx, audit_id, kind, revision)

    path = _stored_path(ctx, written.path)

    def work(session: Session) -> None:
        issued = notices.document(session, audit_id, kind, revision)
        if issued is not None and issued.sha256 == digest and issued.path == path:
            return  # the same document written again in the same place: nothing new to record
        notices.record_document(
            session,
            audit_id=audit_id,
            kind=kind,
            revision=revision,
            number_id=number_id,
            path=path,
            sha256=digest,
            anchor=anchor,
            actor=ctx.actor,
            at=ctx.at(),
        )
        events.record(
            session, at=ctx.at(), actor=ctx.actor, action="document.issued", audit_id=audit_id, kind=kind,
            number=number, revision=revision, sha256=digest,
        )  # fmt: skip

    ctx.db.transaction(work)


def write_document(ctx: Context, audit_id: int, **options: Any) -> Document:
    """Write the document the audit gets (see `kind_for`)."""
    with ctx.db.read() as session:
        kind = kind_for(repo.get(session, audit_id))
    writer = {NOTICE: write_notice, REVIEW: write_review, SCORESHEET: write_scoresheet}[kind]
    return writer(ctx, audit_id, **options)


def write_notice_or_review(ctx: Context, audit_id: int, **options: Any) -> Document:
    """`seccheck notice`: the notice of an inspection, or the 复查意见书 of a re-inspection."""
    with ctx.db.read() as session:
        reinspection = repo.get(session, audit_id).reinspection_of is not None
    return (write_review if reinspection else write_notice)(ctx, audit_id, **options)


def write_notice(
    ctx: Context,
    audit_id: int,
    *,
    fmt: str = "pdf",
    out_dir: Path | None = None,
    allow_missing_glyphs: bool = False,
    progress: Progress = no_progress,
) -> Document:
    """Write (or write again) the audit's rectification notice under its one number; after an
    amendment that changed its problems, the corrected notice (更正) under the same number."""
    with ctx.db.read() as session:
        audit = repo.get(session, audit_id)
        if audit.status != "final":
            raise Conflict(
                [Problem(f"检查 {audit_id} 尚未定稿，不能出具整改通知书；请先完成检查并定稿", field="audit")]
            )
        if audit.reinspection_of is not None:
            raise Conflict(
                [Problem(f"检查 {audit_id} 是复查，出具的是复查意见书：seccheck notice 不适用于复查", field="audit")]
            )
        if audit.mode == "self":
            raise Conflict(
                [
                    Problem(
                        f"检查 {audit_id} 是自查自评，不出具整改通知书；"
                        f"自查结果见自查自评表（seccheck scoresheet {audit_id}）",
                        field="audit",
                    )
                ]
            )
        if not _active(session, audit_id):
            raise Conflict([Problem(f"检查 {audit_id} 没有发现问题，不出具整改通知书", field="audit")])
    number_id, number, first_issued = _number(ctx, audit_id)
    with ctx.db.read() as session:
        audit = repo.get(session, audit_id)
        record = record_of(session, audit)
        dues = {c: f.due for c, (f, _r) in finding_repo.of_audit(session, audit_id).items()}
        first = notices.first_document(session, audit_id, NOTICE)
        this = notices.document(session, audit_id, NOTICE, audit.revision)
        corrected = False
        if first is not None and first.revision != audit.revision:
            before = _revision_result(session, audit_id, first.revision)
            now = _revision_result(session, audit_id, audit.revision)
            corrected = before is None or now is None or _problems_key(before) != _problems_key(now)
    assert record.result is not None and record.seal is not None
    # A corrected notice is dated the day it is first written for this revision, so writing it again
    # gives the same document; the original keeps its number's date.
    issued = (_local_day(this.created_at) if this is not None else ctx.today()) if corrected else first_issued
    rs = record.ruleset.ruleset
    content = build_notice(
        # Addressed to the unit by its name today (it may have been renamed since the audit).
        dataclasses.replace(record.result, unit=record.unit),
        rs,
        anchor=_anchor(ctx, audit_id, NOTICE, record.revision),
        number=number,
        issued=issued,
        issuer=_issuer(ctx),
        inspectors=record.answers.inspectors,
        methods=record.answers.methods,
        dues=dues,
        show_calculation=ctx.workspace.config.notice.calculation,
        corrects=first_issued if corrected else None,
    )
    meta = PdfMeta(
        title=f"{number} {content.title}{'（更正）' if corrected else ''}",
        author=ctx.workspace.config.issuer.name,
        subject=f"对{record.unit}开展{content.ruleset_title}发现问题的整改通知",
        keywords=("保密检查", "整改通知书", number, record.unit, content.ruleset_title),
        created=issued,  # the notice's own date, kept with its number: rendering again changes nothing
    )
    stem = f"{number}-{_unit_part(record.unit)}" + ("-更正" if corrected else "")
    written = _write(
        ctx,
        NOTICE,
        content,
        meta,
        stem,
        fmt=fmt,
        out_dir=out_dir,
        allow_missing_glyphs=allow_missing_glyphs,
        progress=progress,
    )
    if fmt == "pdf" and out_dir is None:
        _record(ctx, NOTICE, audit_id, record.revision, number_id, number, written)
    return Document(NOTICE, number, written.path, written.fetched)


def _review_problems(session: Session, audit: Audit, result: Result) -> dict[str, list[ReviewProblem]]:
    """The chain's problems as this re-inspection left them: fixed, still failing, not re-checked, new."""
    assert audit.chain_id is not None
    asked = set(audit.asked or [])
    failing = {f.check_id for f in result.findings}
    groups: dict[str, list[ReviewProblem]] = {"earlier": [], "fixed": [], "remaining": [], "unchecked": [], "new": []}
    latest: dict[str, tuple[Any, Any]] = {}
    for row, rect in finding_repo.of_chain(session, audit.chain_id, before=audit.id):
        if rect.state != "withdrawn":
            latest[row.check_id] = (row, rect)
    rs = repo.ruleset_of(session, audit).ruleset
    for check_id, (row, rect) in latest.items():
        title = rs.items_by_id[row.item_id].title if row.item_id in rs.items_by_id else ""
        problem = ReviewProblem(row.text, title, rect.due)
        if rect.state == "verified" and rect.verified_by == audit.id:
            groups["fixed"].append(ReviewProblem(row.text, title))
        elif rect.state == "verified" and (rect.verified_by is None or rect.verified_by < audit.id):
            groups["earlier"].append(ReviewProblem(row.text, title))  # closed before this re-inspection
        elif check_id in failing and check_id in asked:
            groups["remaining"].append(problem)
        else:
            groups["unchecked"].append(problem)
    for row, rect in finding_repo.of_audit(session, audit.id).values():
        if rect.state != "withdrawn":
            title = rs.items_by_id[row.item_id].title if row.item_id in rs.items_by_id else ""
            groups["new"].append(ReviewProblem(row.text, title, rect.due))
    return groups


def write_review(
    ctx: Context,
    audit_id: int,
    *,
    fmt: str = "pdf",
    out_dir: Path | None = None,
    allow_missing_glyphs: bool = False,
    progress: Progress = no_progress,
) -> Document:
    """Write the 复查意见书 of a finished re-inspection, citing the original notice's number."""
    record = _final_record(ctx, audit_id, "复查意见书")
    issuer = ctx.workspace.config.issuer
    with ctx.db.read() as session:
        audit = repo.get(session, audit_id)
        if audit.reinspection_of is None or audit.chain_id is None:
            raise Conflict([Problem(f"检查 {audit_id} 不是复查，没有复查意见书", field="audit")])
        number_row = notices.number_of(session, audit.chain_id)
        if number_row is None:
            raise Conflict([Problem(f"检查 {audit.chain_id} 没有出具过整改通知书，复查意见书无从引用", field="audit")])
        assert record.result is not None
        groups = _review_problems(session, audit, record.result)
        this = notices.document(session, audit_id, REVIEW, audit.revision)
        original = repo.get(session, audit.chain_id)
        original_title = repo.ruleset_of(session, original).ruleset.notice_title or "保密检查整改通知书"
    number = notice_number(issuer.prefix, number_row.year, number_row.number)
    issued = _local_day(this.created_at) if this is not None else ctx.today()
    assert record.seal is not None
    content = build_review(
        record.ruleset.ruleset,
        unit=record.unit,
        issuer=_issuer(ctx),
        original_number=number,
        original_title=f"《{original_title}》",
        original_date=notices.issued_on(number_row),
        reinspected=record.answers.date,
        inspectors=record.answers.inspectors,
        earlier=groups["earlier"],
        fixed=groups["fixed"],
        remaining=groups["remaining"],
        unchecked=groups["unchecked"],
        new=groups["new"],
        issued=issued,
        anchor=_anchor(ctx, audit_id, REVIEW, record.revision),
    )
    meta = PdfMeta(
        title=f"{number} {content.title}",
        author=issuer.name,
        subject=f"对{record.unit}整改情况的复查意见",
        keywords=("保密检查", "复查意见书", number, record.unit, content.ruleset_title),
        created=issued,
    )
    written = _write(
        ctx, REVIEW, content, meta, f"{number}-{_unit_part(record.unit)}-复查意见书",
        fmt=fmt, out_dir=out_dir, allow_missing_glyphs=allow_missing_glyphs, progress=progress,
    )  # fmt: skip
    if fmt == "pdf" and out_dir is None:
        _record(ctx, REVIEW, audit_id, record.revision, None, number, written)
    return Document(REVIEW, number, written.path, written.fetched)


def write_scoresheet(
    ctx: Context,
    audit_id: int,
    *,
    fmt: str = "pdf",
    out_dir: Path | None = None,
    allow_missing_glyphs: bool = False,
    progress: Progress = no_progress,
) -> Document:
    """Write the score sheet (自查自评表) of a scored audit, in the official form's layout."""
    record = _final_record(ctx, audit_id, "自查自评表")
    assert record.result is not None and record.seal is not None
    if record.result.method != "deduction" or record.result.percent is None:
        raise Conflict(
            [
                Problem(
                    f"检查 {audit_id} 按检查清单进行，不计分，所以没有评分表（自查自评表）；"
                    f"它的等次和发现的问题已记录，可用 seccheck audit show {audit_id} 查看",
                    field="audit",
                )
            ]
        )
    content = build_scoresheet(
        dataclasses.replace(record.result, unit=record.unit),
        record.ruleset.ruleset,
        anchor=_anchor(ctx, audit_id, SCORESHEET, record.revision),
    )
    meta = PdfMeta(
        title=f"{record.unit} {content.title}",
        author=record.unit if record.result.mode == "self" else ctx.workspace.config.issuer.name,
        subject=f"{record.unit}{content.ruleset_title}评分结果",
        keywords=("保密检查", content.title, record.unit, content.ruleset_title),
        created=record.result.date,
    )
    sheet = "保密自查自评表" if record.result.mode == "self" else "评分表"
    stem = f"{_unit_part(record.unit)}-{sheet}-{record.result.date.isoformat()}"
    written = _write(
        ctx,
        SCORESHEET,
        content,
        meta,
        stem,
        fmt=fmt,
        out_dir=out_dir,
        allow_missing_glyphs=allow_missing_glyphs,
        progress=progress,
    )
    if fmt == "pdf" and out_dir is None:
        _record(ctx, SCORESHEET, audit_id, record.revision, None, None, written)
    return Document(SCORESHEET, None, written.path, written.fetched)
