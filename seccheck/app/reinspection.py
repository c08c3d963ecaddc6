"""Re-inspection (复查, records.md §3): an audit that follows up the problems open in a chain.

Starting one copies the answers of the latest audit in the chain and leaves the open problems'
checks (and any the inspector adds) to be asked again. However it is finished — `reinspect`,
`audit --resume`, or `reinspect ID --answers FILE` — finalising runs the same close-out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from seccheck.app.audit_checks import check_date
from seccheck.app.audits import Draft, Finalised, complete_followups, dues_of, finalise
from seccheck.app.context import Context
from seccheck.app.evidence import keep_file_evidence
from seccheck.domain.answers import Answers
from seccheck.domain.answertext import match_id
from seccheck.domain.rectification import UNRESOLVED
from seccheck.domain.result import result_from_data
from seccheck.domain.seal import submission_digest
from seccheck.domain.validate import check_answers
from seccheck.errors import BadInput, Conflict, Problem
from seccheck.io.answersfile import load_answers
from seccheck.storage import audits as repo
from seccheck.storage import events
from seccheck.storage import findings as finding_repo
from seccheck.storage import units as unit_repo
from seccheck.storage.tables import Audit, Campaign


def _latest_final(session: Session, chain_id: int) -> Audit:
    finals = [a for a in repo.chain(session, chain_id) if a.status == "final"]
    if not finals:
        raise Conflict([Problem(f"检查 {chain_id} 尚未定稿，不能复查", field="audit")])
    return finals[-1]


def open_checks(session: Session, chain_id: int, before: int) -> list[str]:
    """The checks of the chain's problems not yet verified."""
    return [f.check_id for f, r in finding_repo.of_chain(session, chain_id, before=before) if r.state in UNRESOLVED]


def start_reinspection(
    ctx: Context, audit_id: int, extra: Sequence[str], day: dt.date | None, *, accept_date: bool = False
) -> Draft:
    """The chain's open re-inspection (its date and extra checks updated when given), or a new one
    following the chain's latest final audit."""

    def work(session: Session) -> Draft:
        audit = repo.get(session, audit_id)
        chain_id = audit.chain_id or audit.id
        repo.lock(session, chain_id)  # one open re-inspection per chain, even with two inspectors at once
        draft = repo.open_reinspection(session, chain_id)
        follows = repo.get(session, draft.reinspection_of) if draft and draft.reinspection_of else None
        follows = follows or _latest_final(session, chain_id)
        loaded = repo.ruleset_of(session, follows)
        checks = [match_id(c, loaded.ruleset.checks) or c for c in extra]  # typed in any case: 1A is 1a
        unknown = [c for c in checks if c not in loaded.ruleset.checks]
        if unknown:
            raise BadInput([Problem("未知的检查 id", id=c, field="--check") for c in unknown])
        when = day or (draft.date if draft else ctx.today())
        if when < follows.date:
            raise BadInput([Problem(f"复查日期 {when} 早于被复查的检查日期 {follows.date}", field="date")])
        campaign = session.get(Campaign, follows.campaign_id) if follows.campaign_id else None
        check_date(ctx, when, campaign, accept=accept_date)
        if draft is not None:
            draft.date = when
            for key in checks:
                repo.remove_answer(session, draft.id, key)
            return Draft(draft.id, False)
        reopen = set(open_checks(session, chain_id, before=follows.id + 1)) | set(checks)
        # A check asked again takes its item's 不适用 with it, so the question can be answered.
        items = {loaded.ruleset.checks[c][0].id for c in reopen if c in loaded.ruleset.checks}
        unit = repo.unit_name(session, follows)
        previous = repo.answers_of(session, follows, unit)
        kept = {k: a for k, a in previous.answers.items() if k not in reopen and k not in items}
        new = repo.create(
            session,
            loaded,
            previous.model_copy(update={"answers": kept, "date": when}),
            unit_id=follows.unit_id,
            campaign_id=follows.campaign_id,
            actor=ctx.actor,
            at=ctx.at(),
            source=f"复查检查 {follows.id}",
            reinspection_of=follows.id,
            chain_id=chain_id,
        )
        events.record(
            session,
            at=ctx.at(),
            actor=ctx.actor,
            action="audit.reinspection_started",
            audit_id=new.id,
            follows=follows.id,
            chain=chain_id,
            reopened=sorted(reopen),
        )
        return Draft(new.id, True)

    return ctx.db.transaction(work)


def _check_file(session: Session, audit_id: int, answers: Answers, path: Path) -> None:
    """The file is for this audit's unit and ruleset: checked before any draft is made."""
    audit = repo.get(session, audit_id)
    problems = []
    if answers.ruleset != audit.ruleset_id:
        problems.append(
            Problem(
                f"答案文件属于规则集 {answers.ruleset!r}，复查的是 {audit.ruleset_id!r}",
                file=str(path),
                field="ruleset",
            )
        )
    named, _former = unit_repo.resolve(session, answers.unit.strip())
    if named is None or named.id != audit.unit_id:
        unit = repo.unit_name(session, audit)
        problems.append(Problem(f"答案文件的单位是 {answers.unit!r}，复查的是 {unit!r}", file=str(path), field="unit"))
    if problems:
        raise BadInput(problems)


def reinspect_from_file(
    ctx: Context,
    audit_id: int,
    path: Path,
    extra: Sequence[str] = (),
    *,
    accept_date: bool = False,
    notice: bool = True,
) -> Finalised:
    """Finish a re-inspection from an answers file, without a terminal: the file's answers replace
    the copied ones (and count as asked again); the close-out runs as for any re-inspection."""
    answers, lines = load_answers(path)
    with ctx.db.read() as session:
        _check_file(session, audit_id, answers, path)
    answers = keep_file_evidence(ctx, answers, path, lines)
    digest = submission_digest(answers)
    with ctx.db.read() as session:
        known = repo.submission(session, digest)
        status = repo.get(session, known.audit_id).status if known is not None else None
    if known is not None and status == "draft":
        return finalise(ctx, known.audit_id, notice=notice)  # interrupted before it was finalised
    if known is not None and status == "final":
        return _already(ctx, known.audit_id, notice=notice)
    draft = start_reinspection(ctx, audit_id, extra, answers.date, accept_date=accept_date)

    def work(session: Session) -> None:
        audit = repo.get(session, draft.audit_id)
        unit = repo.unit_name(session, audit)
        loaded = repo.ruleset_of(session, audit)
        current = repo.answers_of(session, audit, unit)
        merged = current.model_copy(update={"answers": {**current.answers, **answers.answers}})
        problems = [p for p in check_answers(loaded.ruleset, merged, name=str(path), lines=lines) if not p.warning]
        if problems:
            raise BadInput(problems)
        repo.replace_answers(session, audit.id, merged.answers, ctx.actor, ctx.at())
        repo.mark_asked(audit, answers.answers)
        repo.forget_submission(session, digest)  # one made for an audit since discarded
        repo.add_submission(session, digest, audit.id, str(path), ctx.actor, ctx.at())

    ctx.db.transaction(work)
    return finalise(ctx, draft.audit_id, notice=notice)


def _already(ctx: Context, audit_id: int, *, notice: bool) -> Finalised:
    """This file was used before: nothing changes; what should follow is completed."""
    with ctx.db.read() as session:
        audit = repo.get(session, audit_id)
        result = result_from_data(audit.result)
        found = Finalised(audit.id, audit.revision, result, audit.seal or "", None, audit.reinspection_of)
    found.already = True
    found.followups = complete_followups(ctx, audit_id, notice=notice)
    found.dues = dues_of(ctx, audit_id)
    return found
