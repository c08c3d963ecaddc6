"""Importing answers files: each file once, by its content; every follow-up completed on a re-run.

Importing the same content again changes nothing and says so; re-running an import that was
interrupted (even by kill -9) skips what is in and completes what is missing, notices included.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from seccheck.app.audits import (
    FollowUps,
    check_date,
    check_scope,
    complete_followups,
    create_audit,
    seal_revision,
)
from seccheck.app.context import Context
from seccheck.app.evidence import keep_file_evidence
from seccheck.app.progress import Progress, no_progress
from seccheck.app.tiers import record_tier, same_tier, tier_of_file
from seccheck.app.units import find_unit
from seccheck.domain.answers import Answers
from seccheck.domain.seal import submission_digest
from seccheck.domain.validate import check_answers
from seccheck.errors import BadInput, Conflict, Problem, SeccheckError
from seccheck.io.answersfile import load_answers
from seccheck.ruleset.load import LoadedRuleset, resolve_ruleset
from seccheck.storage import audits as repo
from seccheck.storage import campaigns as campaign_repo
from seccheck.storage import units as unit_repo
from seccheck.storage.tables import Campaign


@dataclass(frozen=True)
class ImportOptions:
    ruleset: str | None = None
    campaign: str | None = None
    draft: bool = False
    notice: bool = True
    new_unit: bool = False  # create units the files name that are not known yet
    another: bool = False  # allow a second, independent audit of the same unit, ruleset and campaign
    amend: bool = False  # the files revise existing audits of the same unit, ruleset and campaign
    accept_date: bool = False  # accept dates in the future or outside the campaign period


@dataclass
class Imported:
    path: Path
    audit_id: int
    outcome: str  # "new" | "finalised" (a draft imported before) | "amended" | "already" | "unchanged"
    revision: int
    grade: str | None = None
    followups: FollowUps = field(default_factory=FollowUps)


@dataclass
class ImportReport:
    done: list[Imported] = field(default_factory=list)
    failed: list[tuple[Path, list[Problem]]] = field(default_factory=list)


def import_file(
    ctx: Context, path: Path, options: ImportOptions, rulesets: dict[str, LoadedRuleset] | None = None
) -> Imported:
    """Import one file; `rulesets` caches rulesets by reference across a batch."""
    name = str(path)
    answers, lines = load_answers(path)
    returned = None
    loaded: LoadedRuleset | None
    if answers.form is not None:
        # A file returned from an offline form: the form checks first, then the same import as any
        # answers file, with the form's own ruleset copy and campaign (forms.md §3).
        from seccheck.app.forms import check_returned

        draft = options.draft and answers.form.status == "draft"
        returned = check_returned(ctx, path, answers, allow_draft=draft)
        options = replace(options, ruleset=None, campaign=returned.campaign, draft=draft, amend=False)
        loaded = returned.loaded
    else:
        cache = rulesets if rulesets is not None else {}
        ref = options.ruleset or answers.ruleset
        loaded = cache.get(ref)
        if loaded is None:
            loaded = cache[ref] = resolve_ruleset(ref)
    assert loaded is not None
    problems = check_answers(loaded.ruleset, answers, name=name, lines=lines, final=not options.draft)
    if any(not p.warning for p in problems):
        raise BadInput([p for p in problems if not p.warning])
    answers = keep_file_evidence(ctx, answers, path, lines)
    digest = submission_digest(answers)

    def work(session: Session) -> Imported:
        known = repo.submission(session, digest)
        if known is not None and repo.get(session, known.audit_id).status == "discarded":
            repo.forget_submission(session, digest)  # its audit was put aside: import it afresh
            known = None
        if known is not None:
            audit = repo.get(session, known.audit_id)
            if audit.status == "draft" and not options.draft:
                # Imported as a draft before, complete now: finalise that audit (with its own frozen
                # ruleset) rather than keep a draft.
                done = seal_revision(session, ctx, audit)
                return Imported(path, audit.id, "finalised", audit.revision, done.result.grade)
            return Imported(path, audit.id, "already", audit.revision, audit.grade)
        if returned is not None and returned.audit_id is not None:
            # A later, different file of the same form: a new revision of the audit it became.
            revised = _revise_with(session, ctx, path, answers, returned.audit_id, digest)
            _mark(session, revised)
            return revised
        campaign = campaign_repo.find(session, options.campaign) if options.campaign else None
        unit = find_unit(session, ctx, answers.unit, create=options.new_unit, file=name)
        unit_repo.lock(session, unit.id)
        tier = tier_of_file(session, ctx, unit, answers, create=options.new_unit, file=name)
        check_date(ctx, answers.date, campaign, accept=options.accept_date, file=name)
        if options.amend:
            return _amend_from(session, ctx, path, answers, unit.id, campaign, digest, tier)
        if not options.another:
            try:
                check_scope(session, unit.id, unit.name, loaded.ruleset.id, campaign, answers.date, tier)
            except Conflict as exc:
                hint = "；要以此文件修订已有的检查，请加 --amend"
                raise Conflict([Problem(p.message + hint, file=name, field=p.field) for p in exc.problems]) from None
        audit = create_audit(session, ctx, loaded, answers, unit, campaign, source=name, submission=digest)
        record_tier(session, audit.id, tier)
        grade: str | None = None
        if not options.draft:
            grade = seal_revision(session, ctx, audit, loaded=loaded).result.grade
        repo.add_submission(session, digest, audit.id, name, ctx.actor, ctx.at())
        fresh = Imported(path, audit.id, "new", audit.revision, grade)
        _mark(session, fresh)
        return fresh

    def _mark(session: Session, done: Imported) -> None:
        if returned is not None and answers.form is not None and answers.form.status == "final":
            from seccheck.app.forms import mark_returned

            mark_returned(session, ctx, returned.form_id, done.audit_id, answers.form.mac)

    imported = ctx.db.transaction(work)
    if not options.draft:
        imported.followups = complete_followups(ctx, imported.audit_id, notice=options.notice)
    return imported


def _revise_with(session: Session, ctx: Context, path: Path, answers: Answers, audit_id: int, digest: str) -> Imported:
    """Revise one audit with a file's answers (a later file of the same form): history and
    rectifications kept, as `audit amend` does."""
    audit = repo.get(session, audit_id)
    unit = repo.unit_name(session, audit)
    current = repo.answers_of(session, audit, unit)
    if current.answers == answers.answers:
        repo.add_submission(session, digest, audit.id, str(path), ctx.actor, ctx.at())
        return Imported(path, audit.id, "unchanged", audit.revision, audit.grade)
    loaded = repo.ruleset_of(session, audit)
    amended = current.model_copy(update={"answers": dict(answers.answers)})
    problems = [p for p in check_answers(loaded.ruleset, amended, name=str(path)) if not p.warning]
    if problems:
        raise BadInput(problems)
    audit.revision += 1
    repo.replace_answers(session, audit.id, amended.answers, ctx.actor, ctx.at())
    done = seal_revision(session, ctx, audit, loaded=loaded, answers=amended, reason=f"以 {path} 修订")
    repo.add_submission(session, digest, audit.id, str(path), ctx.actor, ctx.at())
    return Imported(path, audit.id, "amended", audit.revision, done.result.grade)


def _amend_from(
    session: Session,
    ctx: Context,
    path: Path,
    answers: Answers,
    unit_id: int,
    target: Campaign | None,
    digest: str,
    tier: tuple[int | None, int | None] = (None, None),
) -> Imported:
    """Revise the unit's (department's, person's) final audit in this scope with the file's answers."""
    scope = [
        a
        for a in same_tier(
            session,
            repo.originals_in_scope(
                session,
                unit_id=unit_id,
                ruleset_id=answers.ruleset,
                campaign_id=target.id if target else None,
                year=answers.date.year,
            ),
            tier,
        )
        if a.status == "final"
    ]
    if not scope:
        raise Conflict(
            [Problem("没有可修订的已定稿检查（--amend 修订同一单位、规则集、专项行动的检查）", file=str(path))]
        )
    audit = scope[-1]
    unit = repo.unit_name(session, audit)
    current = repo.answers_of(session, audit, unit)
    if current.answers == answers.answers and current.date == answers.date:
        repo.add_submission(session, digest, audit.id, str(path), ctx.actor, ctx.at())
        return Imported(path, audit.id, "unchanged", audit.revision, audit.grade)
    loaded = repo.ruleset_of(session, audit)
    amended = current.model_copy(update={"answers": dict(answers.answers)})
    problems = [p for p in check_answers(loaded.ruleset, amended, name=str(path)) if not p.warning]
    if problems:
        raise BadInput(problems)
    audit.revision += 1
    repo.replace_answers(session, audit.id, amended.answers, ctx.actor, ctx.at())
    done = seal_revision(session, ctx, audit, loaded=loaded, answers=amended, reason=f"以 {path} 修订")
    repo.add_submission(session, digest, audit.id, str(path), ctx.actor, ctx.at())
    return Imported(path, audit.id, "amended", audit.revision, done.result.grade)


def import_files(
    ctx: Context,
    paths: Iterable[Path],
    options: ImportOptions,
    progress: Progress = no_progress,
) -> ImportReport:
    """Import each file on its own: a bad file is reported and skipped, the rest go in."""
    report = ImportReport()
    rulesets: dict[str, LoadedRuleset] = {}  # a thousand files load their ruleset once
    files = list(paths)
    for number, path in enumerate(files, 1):
        try:
            report.done.append(import_file(ctx, path, options, rulesets))
        except SeccheckError as exc:
            report.failed.append((path, exc.problems))
        except DataError as exc:
            # A value the input checks let through but this database cannot store: this file is
            # refused (its transaction rolled back) and the batch goes on.
            detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            report.failed.append((path, [Problem(f"数据库拒绝保存此文件中的值：{detail}", file=str(path))]))
        progress(number, len(files), path.name)
    return report
