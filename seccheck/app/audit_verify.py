"""Verifying one audit: its seal recomputed from what is recorded, its result rescored by the engine."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from seccheck.app.context import Context
from seccheck.app.records import STATUS_NAMES
from seccheck.domain.ledger import canonical_decimal
from seccheck.domain.result import scores_agree
from seccheck.domain.scoring import score
from seccheck.domain.seal import answered_by_digest, answers_snapshot, canonical, seal_by_format
from seccheck.errors import SeccheckError
from seccheck.storage import audits as repo
from seccheck.storage import findings as finding_repo
from seccheck.storage.tables import RulesetCopy


def verify_audits(ctx: Context, audit_ids: Sequence[int], *, every_final: bool = False) -> list[tuple[int, list[str]]]:
    """Each audit named (and, with `every_final`, every final one) with what does not match its seals."""
    return [(audit_id, verify(ctx, audit_id)) for audit_id in audits_to_verify(ctx, audit_ids, every_final=every_final)]


def audits_to_verify(ctx: Context, audit_ids: Sequence[int], *, every_final: bool = False) -> list[int]:
    if every_final:
        with ctx.db.read() as session:
            # Ids only: loading every audit whole here made verifying grow faster than the workspace.
            audit_ids = [*audit_ids, *repo.ids_with_status(session, "final"), *repo.ids_with_status(session, "void")]
    return list(dict.fromkeys(audit_ids))


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
