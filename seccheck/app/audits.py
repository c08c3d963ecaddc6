"""Audits: drafts, finalising, amending, discarding, and what follows each of them.

Every path that finishes an audit — the interview, `audit --answers`, `import`, `reinspect`,
`audit amend` — goes through `seal_revision` (score, seal, keep the revision, bring findings and the
re-inspection close-out in step) in one transaction, then `complete_followups` (documents). A
follow-up that fails never undoes the audit: running the same command again completes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from seccheck import __version__, limits
from seccheck.app import findings as finding_sync
from seccheck.app.context import Context
from seccheck.app.records import STATUS_NAMES, AuditRecord, Document, VoidInfo, record_of, recorded_dues
from seccheck.domain.answers import Answer, Answers
from seccheck.domain.ledger import canonical_decimal
from seccheck.domain.listing import AuditSummary
from seccheck.domain.reinspection import Comparison
from seccheck.domain.result import Result, result_from_data, result_to_json, scores_agree
from seccheck.domain.scoring import score
from seccheck.domain.seal import SEAL_FORMAT, answered_by_digest, answers_snapshot, canonical, seal_by_format, seal_v2
from seccheck.domain.validate import check_answers
from seccheck.errors import BadInput, Conflict, Problem, SeccheckError, checked_text
from seccheck.ruleset.load import LoadedRuleset, resolve_ruleset
from seccheck.storage import audits as repo
from seccheck.storage import campaigns as campaign_repo
from seccheck.storage import events
from seccheck.storage import findings as finding_repo
from seccheck.storage import notices as notice_repo
from seccheck.storage import units as unit_repo
from seccheck.storage.tables import Audit, Campaign, RulesetCopy, Unit


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


def check_date(ctx: Context, day: dt.date, campaign: Campaign | None, *, accept: bool, file: str | None = None) -> None:
    """An audit date in the future or outside its campaign's period is refused unless accepted."""
    if accept:
        return
    problems = []
    if day > ctx.today():
        problems.append(
            Problem(f"检查日期 {day} 晚于今天（{ctx.today()}）；确需如此请加 --accept-date", file=file, field="date")
        )
    if campaign is not None:
        start, end = campaign.period_start, campaign.period_end
        if (start and day < start) or (end and day > end):
            period = f"{start or '…'} 至 {end or '…'}"
            problems.append(
                Problem(
                    f"检查日期 {day} 不在专项行动“{campaign.name}”的时间段（{period}）内；确需如此请加 --accept-date",
                    file=file,
                    field="date",
                )
            )
    if problems:
        raise BadInput(problems)


def _campaign_ruleset_ids(campaign: Campaign) -> list[str]:
    ids = []
    for ref in campaign.rulesets:
        try:
            ids.append(resolve_ruleset(ref).ruleset.id)
        except BadInput:
            ids.append(ref)  # a ruleset file no longer where it was: compare by what was written
    return ids


def check_campaign(
    session: Session,
    campaign: Campaign | None,
    loaded: LoadedRuleset,
    unit: Unit,
    *,
    add: bool = False,
    file: str | None = None,
) -> None:
    """A campaign takes only its own rulesets and the units on its list (issue 22): a wrong file must
    not slip into an office's figures. `add` puts an unlisted unit on the list, as asked explicitly."""
    if campaign is None:
        return
    problems = []
    rulesets = _campaign_ruleset_ids(campaign)
    if rulesets and loaded.ruleset.id not in rulesets and loaded.ruleset.id not in campaign.rulesets:
        titles = "、".join(rulesets)
        problems.append(
            Problem(
                f"规则集“{loaded.ruleset.title}”（{loaded.ruleset.id}）不是专项行动“{campaign.name}”的规则集"
                f"（{titles}）；请核对答案文件的 ruleset 和 --campaign 是否写对，"
                "不属于该专项行动的检查请不加 --campaign 导入",
                file=file,
                field="ruleset",
            )
        )
    planned = campaign_repo.planned_ids(session, campaign.id)
    if planned and unit.id not in planned:
        if add and not problems:
            campaign_repo.add_unit(session, campaign.id, unit.id)
        elif not add:
            problems.append(
                Problem(
                    f"单位“{unit.name}”不在专项行动“{campaign.name}”的应检单位名单中；"
                    "请核对单位名称和 --campaign，确应检查请加 --add-to-campaign（同时把它加入名单），"
                    f"或先 seccheck campaign add-unit {campaign.name} {unit.name}",
                    file=file,
                    field="unit",
                )
            )
    if problems:
        raise BadInput(problems)


def check_scope(
    session: Session,
    unit_id: int,
    unit: str,
    ruleset_id: str,
    campaign: Campaign | None,
    day: dt.date,
    tier: tuple[int | None, int | None] = (None, None),
) -> None:
    """A second, independent audit of the same unit, ruleset and campaign is refused (records.md §1);
    below the unit, of the same department or person (`tier`, forms.md §4)."""
    from seccheck.app.tiers import same_tier

    existing = same_tier(
        session,
        repo.originals_in_scope(
            session,
            unit_id=unit_id,
            ruleset_id=ruleset_id,
            campaign_id=campaign.id if campaign else None,
            year=day.year,
        ),
        tier,
    )
    if not existing:
        return
    audit = existing[-1]
    where = f"专项行动“{campaign.name}”中" if campaign else f"{day.year} 年（不属于任何专项行动）"
    state = "草稿" if audit.status == "draft" else "已定稿"
    raise Conflict(
        [
            Problem(
                f"{unit} 在{where}已有 {ruleset_id} 检查 {audit.id}（{state}）。"
                f"修改请用 seccheck audit amend {audit.id}，复查请用 seccheck reinspect {audit.id}；"
                "确是另一次独立的检查请加 --another-audit",
                field="unit",
            )
        ]
    )


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
    checked_text(reason, limits.REPORT, what="修订理由", field="reason", multiline=True)

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


def discard(ctx: Context, audit_id: int, reason: str = "") -> None:
    """Put aside a draft (a mistaken start, a typo in the unit): kept, but out of every list and figure."""
    checked_text(reason, limits.REPORT, what="作废原因", field="reason", multiline=True)

    def work(session: Session) -> None:
        audit = repo.get(session, audit_id)
        if audit.status != "draft":
            raise Conflict(
                [Problem(f"只能作废草稿；检查 {audit_id} 已定稿，要更正请用 seccheck audit amend", field="audit")]
            )
        audit.status = "discarded"
        events.record(session, at=ctx.at(), actor=ctx.actor, action="audit.discarded", audit_id=audit.id, reason=reason)

    ctx.db.transaction(work)


def number_label(prefix: str, year: int, number: int) -> str:
    from seccheck.notice.content import notice_number

    return notice_number(prefix, year, number)


def void(ctx: Context, audit_id: int, reason: str) -> VoidInfo:
    """Void a final audit entered by mistake (wrong unit, wrong campaign, wrong file): it stays, sealed,
    with its answers, result and notices, but counts in no figure; its notice numbers stay taken (a
    字号 is never reused) and the register marks them 作废. The ledger records it with the reason and
    who did it (the audit's status, and an event)."""
    reason = reason.strip()
    if not reason:
        raise BadInput([Problem("请用 --reason 写明作废的理由（如：误将其他单位的答案文件导入）", field="reason")])

    def work(session: Session) -> VoidInfo:
        audit = repo.get(session, audit_id)
        if audit.status == "draft":
            raise Conflict(
                [Problem(f"检查 {audit_id} 是草稿；草稿请用 seccheck audit discard {audit_id}", field="audit")]
            )
        if audit.status != "final":
            raise Conflict([Problem(f"检查 {audit_id} 已作废，无需再作废", field="audit")])
        if audit.reinspection_of is not None:
            raise Conflict(
                [
                    Problem(
                        f"检查 {audit_id} 是复查，不能单独作废；作废原检查 {audit.chain_id} 时其复查一并作废",
                        field="audit",
                    )
                ]
            )
        # The whole chain goes: its re-inspections were made of what was voided.
        for later in repo.chain(session, audit.chain_id or audit.id):
            if later.id != audit.id and later.status in ("final", "draft"):
                later.status = "void" if later.status == "final" else "discarded"
        audit.status = "void"
        prefix = ctx.workspace.config.issuer.prefix
        numbers = [number_label(prefix, n.year, n.number) for n in notice_repo.numbers_of(session, audit.id)]
        events.record(
            session,
            at=ctx.at(),
            actor=ctx.actor,
            action="audit.voided",
            audit_id=audit.id,
            reason=reason,
            numbers=numbers,
        )
        return VoidInfo(audit.id, reason, ctx.actor, ctx.at(), numbers)

    return ctx.db.transaction(work)


@dataclass(frozen=True)
class RegisterRow:
    number: str  # 某保检〔2026〕4号
    audit_id: int
    unit: str
    issued: dt.date
    void: bool  # its audit was voided: the number stays taken, marked 作废


def notice_register(ctx: Context, year: int | None = None) -> list[RegisterRow]:
    """发文登记: every notice number taken, in order, with its unit; voided ones marked."""
    prefix = ctx.workspace.config.issuer.prefix
    with ctx.db.read() as session:
        return [
            RegisterRow(number_label(prefix, n.year, n.number), n.audit_id, unit, n.issued_at, status == "void")
            for n, unit, status in notice_repo.register(session, year)
        ]


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
        from seccheck.app.tiers import record_tier, same_tier, tier_of_file
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


def verify_audits(ctx: Context, audit_ids: Sequence[int], *, every_final: bool = False) -> list[tuple[int, list[str]]]:
    """Each audit named (and, with `every_final`, every final one) with what does not match its seals."""
    return [(audit_id, verify(ctx, audit_id)) for audit_id in audits_to_verify(ctx, audit_ids, every_final=every_final)]


def audits_to_verify(ctx: Context, audit_ids: Sequence[int], *, every_final: bool = False) -> list[int]:
    if every_final:
        with ctx.db.read() as session:
            # Ids only: loading every audit whole here made verifying grow faster than the workspace.
            audit_ids = [*audit_ids, *repo.ids_with_status(session, "final"), *repo.ids_with_status(session, "void")]
    return list(dict.fromkeys(audit_ids))


# --- verifying ---------------------------------------------------------------------------------------


def _by_value(snapshot: Mapping[str, Any]) -> str:
    """An answers snapshot in canonical JSON, each deduction in its shortest form."""
    return canonical(
        {
            key: {**record, "deduct": None if record["deduct"] is None else canonical_decimal(record["deduct"])}
            for key, record in snapshot.items()
        }
    )


def verify(ctx: Context, audit_id: int) -> list[str]:
    """Everything that does not match the seals; empty when the audit is intact."""
    with ctx.db.read() as session:
        audit = repo.get(session, audit_id)
        if audit.status not in ("final", "void") or not audit.seal:
            return [f"这是{STATUS_NAMES[audit.status]}，尚未定稿，没有封签"]
        copy = session.get(RulesetCopy, audit.ruleset_sha256)
        if copy is None:
            return ["规则集副本缺失"]
        problems: list[str] = []
        if hashlib.sha256(copy.text.encode("utf-8")).hexdigest() != copy.sha256:
            problems.append("规则集副本的内容与其 SHA-256 不符（规则集文本被改动）")
        kept = repo.revisions(session, audit.id)
        numbers = [r.revision for r in kept]
        if numbers != list(range(1, audit.revision + 1)):
            problems.append(f"修订记录不全：应有第 1 至 {audit.revision} 版，实有 {numbers or '无'}")
        for rev in kept:
            # Every revision of an audit is scored with the ruleset copy the audit was made with.
            # The columns hold JSON data: each seal is over its canonical form, as when it was sealed.
            try:
                sealed = seal_by_format(
                    rev.seal_format,
                    audit.ruleset_sha256,
                    rev.particulars,
                    rev.answers,
                    rev.result,
                    rev.engine_version,
                )
            except (ValueError, KeyError, TypeError):
                sealed = None
            if sealed != rev.seal:
                problems.append(f"第 {rev.revision} 版的封签不符：定稿后被改动")
        current = next((r for r in kept if r.revision == audit.revision), None)
        if current is None:
            return [*problems, "当前版本没有封存记录"]
        answers = repo.answers_of(session, audit, current.unit_name)
        live = {
            "particulars": repo.particulars(audit, current.unit_name),
            "result": audit.result,
            "seal": audit.seal,
        }
        sealed_content = {"particulars": current.particulars, "result": current.result, "seal": current.seal}
        # A deduction compares by value: kept as NUMERIC, it reads back 2 where format 1 sealed 2.0.
        if canonical(live) != canonical(sealed_content) or _by_value(answers_snapshot(answers.answers)) != _by_value(
            current.answers
        ):
            problems.append("答案、检查信息或评分结果与封存的版本不符：定稿后被改动")
        if current.answered_by is not None and current.answered_by != answered_by_digest(
            repo.answered_by(session, audit.id)
        ):
            problems.append("答题人与封存的版本不符：定稿后被改动")
        try:
            rescored = score(repo.ruleset_of(session, audit).ruleset, answers)
        except SeccheckError as exc:
            return [*problems, f"规则集副本无法加载：{exc}"]
        if not scores_agree(current.result, rescored):
            problems.append("按保存的答案重新评分，结果与保存的结果不同")
        if audit.grade != rescored.grade or audit.percent != rescored.percent:
            problems.append("列表中的等次或得分率与评分结果不一致")
        if audit.reinspection_of is None:
            active = {c for c, (_, r) in finding_repo.of_audit(session, audit.id).items() if r.state != "withdrawn"}
            if active != {f.check_id for f in rescored.findings}:
                problems.append("问题记录与评分结果不一致")
        return problems


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
