# Long on purpose: the batch and the one-file paths of an import share their checks; apart they would drift.
"""Importing answers files: each file once, by its content; every follow-up completed on a re-run.

Importing the same content again changes nothing and says so; re-running an import that was
interrupted (even by kill -9) skips what is in and completes what is missing, notices included.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session

from seccheck import __version__
from seccheck.app import findings as finding_sync
from seccheck.app.answer_tiers import record_tier, same_tier, tier_of_file
from seccheck.app.audit_checks import check_campaign, check_date, check_scope
from seccheck.app.audits import FollowUps, complete_followups, create_audit, seal_revision
from seccheck.app.context import Context
from seccheck.app.evidence import keep_file_evidence
from seccheck.app.progress import Progress, no_progress
from seccheck.app.units import clean_name, find_unit, unknown_unit
from seccheck.domain.answers import MODE_LABELS, Answers
from seccheck.domain.result import Result, result_to_json
from seccheck.domain.scoring import score
from seccheck.domain.seal import SEAL_FORMAT, answered_by_digest, answers_snapshot, seal_v2, submission_digest
from seccheck.domain.validate import check_answers
from seccheck.errors import BadInput, Conflict, Problem, SeccheckError
from seccheck.io.answersfile import load_answers
from seccheck.ruleset.load import LoadedRuleset, resolve_ruleset
from seccheck.storage import audits as repo
from seccheck.storage import batch as batch_repo
from seccheck.storage import campaigns as campaign_repo
from seccheck.storage import units as unit_repo
from seccheck.storage.batch import NewAudit, NewFinding
from seccheck.storage.tables import Audit, Campaign
from seccheck.storage.types import checked_json_text, json_text
from seccheck.text import zh


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
    add_to_campaign: bool = False  # put a unit not on the campaign's list on it (else refused)


@dataclass
class Imported:
    path: Path
    audit_id: int
    outcome: str  # "new" | "finalised" (a draft imported before) | "amended" | "already" | "unchanged"
    revision: int
    grade: str | None = None
    followups: FollowUps = field(default_factory=FollowUps)
    recorded: str = ""  # what was recorded, in words: 自查，等次 合格，发现问题 2 个（检查清单，不计分）
    warnings: list[Problem] = field(default_factory=list)  # what `score` would warn about the file


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
        from seccheck.app.form_returns import check_returned

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
        if known is not None and repo.get(session, known.audit_id).status in ("discarded", "void"):
            repo.forget_submission(session, digest)  # its audit was put aside or voided: import it afresh
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
        check_campaign(session, campaign, loaded, unit, add=options.add_to_campaign, file=name)
        tier = (
            returned.tier  # issued per department or person: whom the form was for (forms.md §4)
            if returned is not None and returned.tier is not None
            else tier_of_file(session, ctx, unit, answers, create=options.new_unit, file=name)
        )
        check_date(ctx, answers.date, campaign, accept=options.accept_date, file=name)
        if options.amend:
            return _amend_from(session, ctx, path, answers, unit.id, campaign, digest, tier)
        if not options.another:
            try:
                check_scope(session, unit.id, unit.name, loaded.ruleset.id, campaign, answers.date, tier)
            except Conflict as exc:
                raise Conflict(
                    [Problem(p.message + _AMEND_HINT, file=name, field=p.field) for p in exc.problems]
                ) from None
        audit = create_audit(session, ctx, loaded, answers, unit, campaign, source=name, submission=digest)
        record_tier(session, audit.id, tier)
        grade: str | None = None
        recorded = "草稿"
        if not options.draft:
            result = seal_revision(session, ctx, audit, loaded=loaded).result
            grade = result.grade
            recorded = _recorded(result)
        repo.add_submission(session, digest, audit.id, name, ctx.actor, ctx.at())
        fresh = Imported(path, audit.id, "new", audit.revision, grade, recorded=recorded)
        _mark(session, fresh)
        return fresh

    def _mark(session: Session, done: Imported) -> None:
        if returned is not None and answers.form is not None and answers.form.status == "final":
            from seccheck.app.form_returns import mark_returned

            mark_returned(session, ctx, returned.form_id, done.audit_id, answers.form.mac)

    imported = ctx.db.transaction(work)
    imported.warnings = [p for p in problems if p.warning]
    if not options.draft:
        imported.followups = complete_followups(ctx, imported.audit_id, notice=options.notice)
    return imported


def _revise_with(session: Session, ctx: Context, path: Path, answers: Answers, audit_id: int, digest: str) -> Imported:
    """Revise one audit with a file's answers (a later file of the same form): history and
    rectifications kept, as `audit amend` does."""
    return _revise(session, ctx, path, answers, repo.get(session, audit_id), digest, same_date=False)


def _revise(
    session: Session, ctx: Context, path: Path, answers: Answers, audit: Audit, digest: str, *, same_date: bool
) -> Imported:
    """A new revision of `audit` with the file's answers, or "unchanged" when they are its answers
    already (`same_date`: and its date)."""
    unit = repo.unit_name(session, audit)
    current = repo.answers_of(session, audit, unit)
    if current.answers == answers.answers and (not same_date or current.date == answers.date):
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


def _recorded(result: Result) -> str:
    """What an import recorded, as a line of the report says it."""
    text = f"{MODE_LABELS[result.mode]}，等次 {result.grade}"
    if result.percent is not None:
        text += f"，得分率 {result.percent}%"
    text += f"，发现问题 {len(result.findings)} 个"
    if result.method == "checklist":
        text += "；检查清单不计分" + ("，没有自查自评表" if result.mode == "self" else "")
    return text


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
    return _revise(session, ctx, path, answers, scope[-1], digest, same_date=True)


def import_files(
    ctx: Context,
    paths: Iterable[Path],
    options: ImportOptions,
    progress: Progress = no_progress,
) -> ImportReport:
    """Import each file on its own: a bad file is reported and skipped, the rest go in.

    New final audits go in by batches, one transaction each (see `_import_batch`); drafts and
    amendments one file at a time. Notices follow each batch once it is committed.
    """
    ctx.db.require_writable()  # a read-only copy: said once, not as a failure of every file
    with _few_collections():
        return _import_files(ctx, list(paths), options, progress)


@contextlib.contextmanager
def _few_collections() -> Iterator[None]:
    """Python's cycle collector tuned for an import: the objects made so far (modules, tables, the
    ruleset) are set aside, so that full collections do not walk them again and again, and the
    young generation is collected every 100,000 allocations rather than 700, the oldest every 20
    million (an audit allocates tens of thousands of objects, nearly all freed by reference
    counting). Restored afterwards."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 20, 10)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _import_files(ctx: Context, files: list[Path], options: ImportOptions, progress: Progress) -> ImportReport:
    report = ImportReport()
    rulesets: dict[str, LoadedRuleset] = {}  # a thousand files load their ruleset once
    if options.draft or options.amend:
        for number, path in enumerate(files, 1):
            _import_one(ctx, path, options, rulesets, report)
            progress(number, len(files), path.name)
        return report
    done = 0
    size = 1  # batches grow 1, 2, 4 … BATCH: the first audits show at once, later ones go in bulk
    while done < len(files):
        batch = files[done : done + size]
        _import_batch(ctx, batch, options, rulesets, report)
        for number, path in enumerate(batch, done + 1):
            progress(number, len(files), path.name)
        done += len(batch)
        size = min(size * 2, BATCH)
    order = {path: n for n, path in enumerate(files)}
    report.done.sort(key=lambda i: order[i.path])
    report.failed.sort(key=lambda f: order[f[0]])
    return report


def _import_one(
    ctx: Context, path: Path, options: ImportOptions, rulesets: dict[str, LoadedRuleset], report: ImportReport
) -> None:
    try:
        report.done.append(import_file(ctx, path, options, rulesets))
    except SeccheckError as exc:
        report.failed.append((path, exc.problems))
    except DataError as exc:
        report.failed.append((path, [_refused_by_database(path, exc)]))


def _refused_by_database(path: Path, exc: DataError) -> Problem:
    # A value the input checks let through but this database cannot store: this file is refused
    # (its transaction rolled back) and the import goes on.
    detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return Problem(f"数据库拒绝保存此文件中的值：{detail}", file=str(path))


# --- batches -------------------------------------------------------------------------------------------

BATCH = 200  # files per transaction at most: kill -9 loses at most this many, a re-run completes them


@dataclass
class _Prepared:
    """A file read, checked and scored before the batch's transaction: nothing left but to write it."""

    path: Path
    answers: Answers
    loaded: LoadedRuleset
    digest: str
    result: Result
    warnings: list[Problem]  # what `score` would warn about the file


def _prepare(ctx: Context, path: Path, options: ImportOptions, rulesets: dict[str, LoadedRuleset]) -> _Prepared | None:
    """The file ready to write; None for a file returned from an offline form, which has checks of
    its own (forms.md §3), or of a department or person (their tier is recorded with the audit):
    these go through `import_file`."""
    name = str(path)
    answers, lines = load_answers(path)
    if answers.form is not None or answers.department is not None or answers.person is not None:
        return None
    ref = options.ruleset or answers.ruleset
    loaded = rulesets.get(ref)
    if loaded is None:
        loaded = rulesets[ref] = resolve_ruleset(ref)
    problems = check_answers(loaded.ruleset, answers, name=name, lines=lines, final=True)
    if any(not p.warning for p in problems):
        raise BadInput([p for p in problems if not p.warning])
    answers = keep_file_evidence(ctx, answers, path, lines)
    digest = submission_digest(answers)
    answers = repo.as_stored(answers)
    warnings = [p for p in problems if p.warning]
    return _Prepared(path, answers, loaded, digest, score(loaded.ruleset, answers), warnings)


@dataclass
class _BatchOutcome:
    written: list[tuple[_Prepared, NewAudit]] = field(default_factory=list)
    already: list[tuple[Path, int, int, str | None]] = field(default_factory=list)  # path, audit, revision, grade
    failed: list[tuple[Path, list[Problem]]] = field(default_factory=list)
    one_by_one: list[Path] = field(default_factory=list)  # left to import_file, after the batch


def _import_batch(
    ctx: Context, paths: list[Path], options: ImportOptions, rulesets: dict[str, LoadedRuleset], report: ImportReport
) -> None:
    """Import a batch of files as new final audits in one transaction.

    Every check that can refuse a file runs before anything is written, so a refused file is reported
    and the others go in together. What the batch does not handle — content imported before (a draft to
    finalise, a discarded audit), a second file for the same scope or content within the batch — is left
    to `import_file`, one at a time, after the batch is committed, as is a batch a database refuses a
    value of (each file then in its own transaction: only the file with that value is refused).
    """
    prepared: list[_Prepared] = []
    failed: list[tuple[Path, list[Problem]]] = []
    forms: list[Path] = []
    for path in paths:
        try:
            item = _prepare(ctx, path, options, rulesets)
        except SeccheckError as exc:
            failed.append((path, exc.problems))
            continue
        if item is None:
            forms.append(path)
        else:
            prepared.append(item)
    try:
        outcome = ctx.db.transaction(lambda session: _write_batch(session, ctx, prepared, options))
    except DataError:
        outcome = _BatchOutcome(one_by_one=[p.path for p in prepared])
    report.failed += failed + outcome.failed
    done = [
        Imported(
            item.path, new.id, "new", 1, item.result.grade, recorded=_recorded(item.result), warnings=item.warnings
        )
        for item, new in outcome.written
    ]
    warned = {item.path: item.warnings for item in prepared}
    done += [
        Imported(path, audit_id, "already", rev, grade, warnings=warned[path])
        for path, audit_id, rev, grade in outcome.already
    ]
    if options.notice:
        # After the commit: a notice that cannot be written never undoes the audits; a re-run makes it.
        for imported in done:
            imported.followups = complete_followups(ctx, imported.audit_id, notice=True)
    report.done += done
    for path in outcome.one_by_one + forms:
        _import_one(ctx, path, options, rulesets, report)


def _write_batch(session: Session, ctx: Context, prepared: list[_Prepared], options: ImportOptions) -> _BatchOutcome:
    """The batch's transaction (run again from the start if another writer holds a lock)."""
    outcome = _BatchOutcome()
    at = ctx.at()
    known = batch_repo.existing_submissions(session, [p.digest for p in prepared])
    try:
        campaign = campaign_repo.find(session, options.campaign) if options.campaign else None
    except SeccheckError as exc:
        outcome.failed = [(p.path, exc.problems) for p in prepared]
        return outcome
    names: dict[Path, str] = {}
    for item in prepared:
        with contextlib.suppress(SeccheckError):  # refused below, in its turn
            names[item.path] = clean_name(item.answers.unit)
    units = batch_repo.known_units(session, list(dict.fromkeys(names.values())))
    batch_repo.lock_units(session, sorted({unit_id for unit_id, _ in units.values()}))
    seen_digests: set[str] = set()
    scopes: set[tuple[object, ...]] = set()
    accepted: list[tuple[_Prepared, str]] = []
    for item in prepared:
        name = str(item.path)
        if item.digest in known:
            audit_id, status = known[item.digest]
            if status == "final":
                audit = repo.get(session, audit_id)
                outcome.already.append((item.path, audit.id, audit.revision, audit.grade))
            else:
                outcome.one_by_one.append(item.path)  # a draft to finalise, or a discarded or voided audit
            continue
        if item.digest in seen_digests:
            outcome.one_by_one.append(item.path)  # the same content twice in the batch: "already", after it
            continue
        try:
            unit_name = names[item.path] if item.path in names else clean_name(item.answers.unit)
            unit = units.get(unit_name)
            if unit is None and not options.new_unit:
                raise unknown_unit(session, unit_name, file=name)
            if campaign is not None:
                if unit is None:
                    outcome.one_by_one.append(item.path)  # a new unit: on the campaign's list or refused there
                    continue
                listed = unit_repo.get(session, unit[0])
                check_campaign(session, campaign, item.loaded, listed, add=options.add_to_campaign, file=name)
            check_date(ctx, item.answers.date, campaign, accept=options.accept_date, file=name)
            if not options.another:
                year = None if campaign else item.answers.date.year
                scope = (unit[0] if unit else unit_name, item.loaded.ruleset.id, year)
                if scope in scopes:
                    outcome.one_by_one.append(item.path)  # refused (or not) by import_file, after the batch
                    continue
                if unit is not None:
                    try:
                        check_scope(session, unit[0], unit[1], item.loaded.ruleset.id, campaign, item.answers.date)
                    except Conflict as exc:
                        raise Conflict(
                            [Problem(p.message + _AMEND_HINT, file=name, field=p.field) for p in exc.problems]
                        ) from None
                scopes.add(scope)
        except SeccheckError as exc:
            outcome.failed.append((item.path, exc.problems))
            continue
        seen_digests.add(item.digest)
        accepted.append((item, unit_name))
    new_units = [n for n in dict.fromkeys(unit_name for _, unit_name in accepted) if n not in units]
    units |= {
        n: (unit_id, n) for n, unit_id in batch_repo.add_units(session, new_units, at=at, actor=ctx.actor).items()
    }
    for loaded in {item.loaded.sha256: item.loaded for item, _ in accepted}.values():
        repo.store_ruleset(session, loaded)
    new_audits = [_new_audit(ctx, item, units[unit_name], campaign, at) for item, unit_name in accepted]
    batch_repo.write_new_audits(session, new_audits, at=at, actor=ctx.actor)
    outcome.written = [(item, new) for (item, _), new in zip(accepted, new_audits, strict=True)]
    return outcome


_AMEND_HINT = "；要以此文件修订已有的检查，请加 --amend"


def _new_audit(
    ctx: Context, item: _Prepared, unit: tuple[int, str], campaign: Campaign | None, at: dt.datetime
) -> NewAudit:
    """The rows of a new final audit, computed as `create_audit` and `seal_revision` would write them."""
    answers, loaded, result = item.answers, item.loaded, item.result
    name = str(item.path)
    unit_id, unit_name = unit
    particulars = {
        "unit": unit_name,
        "date": answers.date.isoformat(),
        "mode": answers.mode,
        "inspectors": list(answers.inspectors),
        "methods": list(answers.methods),
        "ruleset_id": loaded.ruleset.id,
        "ruleset_version": loaded.ruleset.version,
        "revision": 1,
    }
    # The result serialised once, stored as that text in both of its columns, and parsed once for the seal.
    result_text, result_data = checked_json_text(result_to_json(result, indent=None))
    snapshot = answers_snapshot(answers.answers)
    seal = seal_v2(loaded.sha256, particulars, snapshot, result_data, __version__)
    audit = {
        "unit_id": unit_id,
        "campaign_id": campaign.id if campaign else None,
        "ruleset_id": loaded.ruleset.id,
        "ruleset_version": loaded.ruleset.version,
        "ruleset_sha256": loaded.sha256,
        "mode": answers.mode,
        "inspectors": list(answers.inspectors),
        "methods": list(answers.methods),
        "date": answers.date,
        "status": "final",
        "revision": 1,
        "reinspection_of": None,
        "asked": None,
        "grade": result.grade,
        "percent": result.percent,
        "result": result_text,
        "seal": seal,
        "source": name,
        "created_by": ctx.actor,
        "created_at": at,
        "finalized_at": at,
    }
    revision = {
        "revision": 1,
        "unit_name": unit_name,
        "particulars": particulars,
        "answers": json_text(snapshot),
        "result": result_text,
        "seal": seal,
        "seal_format": SEAL_FORMAT,
        "engine_version": __version__,
        "reason": "",
        "created_by": ctx.actor,
        "created_at": at,
    }
    answer_rows = repo.answer_rows(answers.answers, ctx.actor, at)
    revision["answered_by"] = answered_by_digest({row["key"]: row["answered_by"] for row in answer_rows})
    issued = ctx.today()
    findings = [
        NewFinding(
            check_id=f.check_id,
            item_id=f.item_id,
            category_id=f.category_id,
            text=zh.finding_text(f),
            deduction=f.deduction,
            severity=f.severity,
            due=finding_sync.due_of(ctx, answers.date, f, issued),
            deadline_days=f.deadline_days,
        )
        for f in result.findings
    ]
    return NewAudit(
        audit=audit,
        answers=answer_rows,
        revision=revision,
        findings=findings,
        created={"unit": unit_name, "ruleset": loaded.ruleset.id, "source": name, "submission": item.digest},
        finalised={"revision": 1, "grade": result.grade, "seal": seal, "reason": ""},
        submission={"digest": item.digest, "source": name[:500], "imported_by": ctx.actor, "imported_at": at},
    )
