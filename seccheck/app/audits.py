"""Audits: drafts, finalising, amending, and what follows each of them. Beside it: `audit_checks` (what is
checked before an audit is made), `records` (an audit as read), `voiding` (discard, void, the register) and
`audit_verify` (one audit's seal and score checked).

Every path that finishes an audit — the interview, `audit --answers`, `import`, `reinspect`,
`audit amend` — goes through `seal_revision` (score, seal, keep the revision, bring findings and the
re-inspection close-out in step) in one transaction, then `complete_followups` (documents). A
follow-up that fails never undoes the audit: running the same command again completes it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from seccheck import __version__, limits
from seccheck.app import findings as finding_sync
from seccheck.app.audit_checks import check_campaign, check_date, check_scope
from seccheck.app.context import Context
from seccheck.app.records import STATUS_NAMES, AuditRecord, Document, record_of, recorded_dues
from seccheck.domain.answers import Answer, Answers
from seccheck.domain.listing import AuditSummary
from seccheck.domain.reinspection import Comparison
from seccheck.domain.result import Result, result_from_data, result_to_json
from seccheck.domain.scoring import score
from seccheck.domain.seal import SEAL_FORMAT, answers_snapshot, seal_v2
from seccheck.domain.validate import check_answers
from seccheck.errors import BadInput, Conflict, Problem, SeccheckError
from seccheck.ruleset.load import LoadedRuleset
from seccheck.storage import audits as repo
from seccheck.storage import campaigns as campaign_repo
from seccheck.storage import events
from seccheck.storage import units as unit_repo
from seccheck.storage.tables import Audit, Campaign, Unit


@dataclass
class FollowUps:
    """What was done after an audit was finalised or amended, and what could not be done."""

    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Finalised:
    audit_id: int
    revision: int
    result: Result
    seal: str
    comparison: Comparison | None = None  # a re-inspection's close-out
    reinspection_of: int | None = None
    before: Result | None = None  # a re-inspection: the result of the audit it follows up
    dues: dict[str, dt.date] = field(default_factory=dict)  # each problem's rectification deadline, by check
    followups: FollowUps = field(default_factory=FollowUps)
    already: bool = False  # this content had been imported before: nothing was changed


# --- checks shared by every way of making an audit ---------------------------------------------------


# --- sealing a revision ------------------------------------------------------------------------------


def seal_revision(
    session: Session,
    ctx: Context,
    audit: Audit,
    *,
    loaded: LoadedRuleset | None = None,
    answers: Answers | None = None,
    reason: str = "",
) -> Finalised:
    """Score, seal and keep the audit's current answers as its revision `audit.revision`; bring its
    findings (and, for a re-inspection, its chain) in step. Runs inside the caller's transaction."""
    unit = repo.unit_name(session, audit)
    loaded = loaded or repo.ruleset_of(session, audit)
    answers = answers or repo.answers_of(session, audit, unit)
    problems = [p for p in check_answers(loaded.ruleset, answers, name=f"检查 {audit.id}") if not p.warning]
    if problems:
        raise BadInput(problems)
    result = score(loaded.ruleset, answers)
    result_json = result_to_json(result, indent=None)
    snapshot = answers_snapshot(answers.answers)
    seal = seal_v2(audit.ruleset_sha256, repo.particulars(audit, unit), snapshot, json.loads(result_json), __version__)
    audit.result = json.loads(result_json)
    audit.grade = result.grade
    audit.percent = result.percent
    audit.status = "final"
    audit.finalized_at = ctx.at()
    audit.seal = seal
    repo.add_revision(
        session, audit, unit=unit, snapshot=snapshot, result_json=result_json, seal=seal, reason=reason,
        actor=ctx.actor, at=ctx.at(), seal_format=SEAL_FORMAT, engine_version=__version__,
    )  # fmt: skip
    comparison = finding_sync.sync(session, ctx, audit, result)
    events.record(
        session,
        at=ctx.at(),
        actor=ctx.actor,
        action="audit.finalised" if audit.revision == 1 else "audit.amended",
        audit_id=audit.id,
        revision=audit.revision,
        grade=result.grade,
        seal=seal,
        reason=reason,
    )
    before = None
    if audit.reinspection_of is not None:
        followed = repo.get(session, audit.reinspection_of)
        before = result_from_data(followed.result) if followed.result else None
    return Finalised(audit.id, audit.revision, result, seal, comparison, audit.reinspection_of, before)


def finalise(ctx: Context, audit_id: int, *, notice: bool = True) -> Finalised:
    """Finalise a complete draft (whatever started it) and run its follow-ups."""

    def work(session: Session) -> Finalised:
        audit = repo.get(session, audit_id)
        if audit.status != "draft":
            raise Conflict(
                [Problem(f"检查 {audit_id} 不是草稿（{STATUS_NAMES[audit.status]}），不能定稿", field="audit")]
            )
        return seal_revision(session, ctx, audit)

    done = ctx.db.transaction(work)
    done.followups = complete_followups(ctx, audit_id, notice=notice)
    done.dues = dues_of(ctx, audit_id)
    return done


def dues_of(ctx: Context, audit_id: int) -> dict[str, dt.date]:
    """The deadline of each problem the audit shows, as recorded (a re-inspection's still-failing
    problems belong to the audit that found them)."""
    with ctx.db.read() as session:
        return recorded_dues(session, repo.get(session, audit_id))


def amend(
    ctx: Context, audit_id: int, changes: Mapping[str, Answer], reason: str = "", *, notice: bool = True
) -> Finalised:
    """A new revision of a final audit with some answers changed. The audit keeps its id; each finding
    that persists keeps its rectification; findings that became compliant are withdrawn."""
    limits.checked_text(reason, limits.REPORT, what="修订理由", field="reason", multiline=True)

    def work(session: Session) -> Finalised:
        audit = repo.get(session, audit_id)
        if audit.status != "final":
            state = "草稿，直接继续检查即可" if audit.status == "draft" else "已作废"
            raise Conflict([Problem(f"检查 {audit_id} 是{state}，无需修订", field="audit")])
        loaded = repo.ruleset_of(session, audit)
        unit = repo.unit_name(session, audit)
        rs = loaded.ruleset
        unknown = [k for k in changes if k not in rs.checks and k not in rs.profile_by_id and k not in rs.items_by_id]
        if unknown:
            raise BadInput([Problem("未知编号：规则集中没有这个问题或检查", id=k) for k in unknown])
        answers = repo.answers_of(session, audit, unit)
        values = {**answers.answers, **changes}
        amended = answers.model_copy(update={"answers": values})
        problems = [p for p in check_answers(rs, amended, name=f"检查 {audit_id}") if not p.warning]
        if problems:
            raise BadInput(problems)
        audit.revision += 1
        repo.replace_answers(session, audit.id, values, ctx.actor, ctx.at())
        repo.mark_asked(audit, changes)
        return seal_revision(session, ctx, audit, loaded=loaded, answers=amended, reason=reason)

    done = ctx.db.transaction(work)
    done.followups = complete_followups(ctx, audit_id, notice=notice)
    done.dues = dues_of(ctx, audit_id)
    return done


def amend_typed(
    ctx: Context, audit_id: int, settings: Sequence[str], notes: Sequence[str], reason: str = "", *, notice: bool = True
) -> Finalised:
    """`audit amend --set ID=VALUE --note ID=TEXT`: the typed settings read against the audit's own
    ruleset and answers, then amended as `amend` does."""
    from seccheck.domain.settings import parse_settings

    with ctx.db.read() as session:
        audit = repo.get(session, audit_id)
        loaded = repo.ruleset_of(session, audit)
        current = repo.answers_of(session, audit, repo.unit_name(session, audit))
    return amend(ctx, audit_id, parse_settings(loaded.ruleset, current, settings, notes), reason, notice=notice)


def complete_followups(ctx: Context, audit_id: int, *, notice: bool = True) -> FollowUps:
    """Make what should exist after the audit's latest revision and does not yet: its document (a
    notice, a corrected notice, a 复查意见书 or a score sheet; see seccheck.app.documents).

    Safe to run any number of times: what was done is not done again.
    """
    from seccheck.app.documents import NAMES, document_due, write_document

    done = FollowUps()
    if not notice:
        return done
    kind = None
    try:
        kind = document_due(ctx, audit_id)
        if kind is not None:
            done.documents.append(write_document(ctx, audit_id))
    except SeccheckError as exc:
        done.problems += exc.problems
    except OSError as exc:
        what = NAMES.get(kind or "", "文书")
        done.problems.append(Problem(f"{what}未能写入：{exc.strerror or exc}", file=exc.filename, field="notice"))
    return done


# --- drafts ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    audit_id: int
    created: bool


def open_draft(
    ctx: Context,
    loaded: LoadedRuleset,
    meta: Answers,
    *,
    campaign: str | None,
    new_unit: bool = False,
    another: bool = False,
    accept_date: bool = False,
    add_to_campaign: bool = False,
) -> Draft:
    """The draft to carry on with for this unit and ruleset: the unfinished one, or a new one."""

    def work(session: Session) -> Draft:
        from seccheck.app.answer_tiers import record_tier, same_tier, tier_of_file
        from seccheck.app.units import find_unit

        target = campaign_repo.find(session, campaign) if campaign else None
        unit = find_unit(session, ctx, meta.unit, create=new_unit)
        unit_repo.lock(session, unit.id)
        tier = tier_of_file(session, ctx, unit, meta, create=new_unit)  # the person or department (forms.md §4)
        scope = same_tier(
            session,
            repo.originals_in_scope(
                session,
                unit_id=unit.id,
                ruleset_id=loaded.ruleset.id,
                campaign_id=target.id if target else None,
                year=meta.date.year,
            ),
            tier,
        )
        drafts = [a for a in scope if a.status == "draft"]
        if drafts:
            return Draft(drafts[-1].id, False)
        check_campaign(session, target, loaded, unit, add=add_to_campaign)
        check_date(ctx, meta.date, target, accept=accept_date)
        if not another:
            check_scope(session, unit.id, unit.name, loaded.ruleset.id, target, meta.date, tier)
        audit = create_audit(session, ctx, loaded, meta, unit, target, source="interview")
        record_tier(session, audit.id, tier)
        return Draft(audit.id, True)

    return ctx.db.transaction(work)


def create_audit(
    session: Session,
    ctx: Context,
    loaded: LoadedRuleset,
    meta: Answers,
    unit: Unit,
    campaign: Campaign | None,
    *,
    source: str,
    **detail: object,
) -> Audit:
    """A new draft audit of `unit` holding `meta`'s answers, and its event."""
    audit = repo.create(
        session,
        loaded,
        meta.model_copy(update={"unit": unit.name}),
        unit_id=unit.id,
        campaign_id=campaign.id if campaign else None,
        actor=ctx.actor,
        at=ctx.at(),
        source=source,
    )
    events.record(
        session,
        at=ctx.at(),
        actor=ctx.actor,
        action="audit.created",
        audit_id=audit.id,
        unit=unit.name,
        ruleset=loaded.ruleset.id,
        source=source,
        **detail,
    )
    return audit


def save_answer(ctx: Context, audit_id: int, key: str, answer: Answer) -> None:
    """Store one answer of a draft at once."""

    def work(session: Session) -> None:
        audit = repo.get(session, audit_id)
        if audit.status != "draft":
            raise Conflict([Problem(f"检查 {audit_id} 已定稿，不能再改答案；请用 seccheck audit amend")])
        repo.save_answer(session, audit_id, key, answer, ctx.actor, ctx.at())
        repo.mark_asked(audit, [key])

    ctx.db.transaction(work)


def remove_answer(ctx: Context, audit_id: int, key: str) -> None:
    ctx.db.transaction(lambda session: repo.remove_answer(session, audit_id, key))


# --- reading -----------------------------------------------------------------------------------------


def load_audit(ctx: Context, audit_id: int) -> AuditRecord:
    with ctx.db.read() as session:
        return record_of(session, repo.get(session, audit_id))


def list_audits(
    ctx: Context, *, unit: str | None = None, campaign: str | None = None, status: str | None = None
) -> list[AuditSummary]:
    with ctx.db.read() as session:
        from seccheck.app.units import unit_id_of

        unit_id = unit_id_of(session, unit) if unit else None
        campaign_id = campaign_repo.find(session, campaign).id if campaign else None
        return repo.listing(session, unit_id=unit_id, campaign_id=campaign_id, status=status)


# --- verifying ---------------------------------------------------------------------------------------


def export_audit(ctx: Context, audit_id: int, out_dir: Path) -> list[Path]:
    from seccheck.io.export import write_export

    record = load_audit(ctx, audit_id)
    return write_export(
        out_dir,
        f"audit-{audit_id}",
        answers=record.answers,
        ruleset_text=record.ruleset.text,
        header=(
            f"# seccheck 导出：检查 {audit_id}（第 {record.revision} 版，{STATUS_NAMES[record.status]}）\n"
            f"# 封签 SHA-256：{record.seal or '（草稿，无封签）'}\n"
        ),
        result={"audit_id": audit_id, "seal": record.seal, "result": json.loads(record.result_json or "null")},
        evidence_root=ctx.workspace.root,
    )
