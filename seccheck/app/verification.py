"""Verifying a workspace against its sealed ledger (records.md §5): the chain, then every current
sealed row against what the ledger says it must be, then each audit's seals, then evidence files.

Problems are sentences an office can act on: which record, which field, what the ledger says and
what the database holds now.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seccheck.app.context import Context
from seccheck.app.progress import Progress, no_progress
from seccheck.domain.ledger import check_chain, parse_anchor, replay
from seccheck.errors import BadInput, Problem
from seccheck.io.evidence import digest_in_name, file_digest
from seccheck.storage import findings as finding_repo
from seccheck.storage import ledger as ledger_repo

_TABLE = {
    "units": "单位",
    "unit_aliases": "单位曾用名",
    "campaigns": "专项行动",
    "campaign_units": "专项行动的应检单位",
    "audits": "检查",
    "audit_revisions": "检查的定稿版本",
    "findings": "问题记录",
    "rectifications": "整改记录",
    "notice_numbers": "发文字号",
    "documents": "已出具的文书",
    "events": "操作日志",
    "departments": "内设机构",
    "people": "人员",
    "audit_tiers": "检查所属的内设机构和人员",
}
_FIELD = {
    "name": "名称",
    "code": "代码",
    "kind": "类别",
    "unit_id": "单位",
    "campaign_id": "专项行动",
    "rulesets": "规则集",
    "year": "年度",
    "period_start": "开始日期",
    "period_end": "结束日期",
    "ruleset_id": "规则集",
    "ruleset_sha256": "规则集副本",
    "mode": "方式",
    "date": "日期",
    "status": "状态",
    "revision": "版本",
    "reinspection_of": "所复查的检查",
    "chain_id": "检查链",
    "grade": "等次",
    "percent": "得分率",
    "seal": "封签",
    "seal_format": "封签格式",
    "engine_version": "封签时的 seccheck 版本",
    "unit_name": "单位名称",
    "audit_id": "检查",
    "check_id": "检查项",
    "item_id": "项目",
    "category_id": "类别",
    "text": "问题描述",
    "deduction": "扣分",
    "severity": "严重程度",
    "due": "整改期限",
    "deadline_days": "整改天数",
    "finding_id": "问题",
    "state": "整改状态",
    "report_note": "整改情况说明",
    "report_evidence": "整改佐证材料",
    "reason": "退回理由",
    "verified_by": "确认整改的复查",
    "issuer": "发文机关",
    "number": "序号",
    "number_id": "发文字号",
    "sha256": "文件摘要",
    "at": "时间",
    "actor": "操作人",
    "action": "操作",
    "detail": "内容",
    "former_names": "曾用名",
    "active": "在册",
    "department_id": "内设机构",
    "person_id": "人员",
    "staff_no": "工号",
}


def _label(table: str, key: str) -> str:
    parts = json.loads(key)
    return f"{_TABLE.get(table, table)} {'/'.join(str(p) for p in parts)}"


def _shown(value: Any) -> str:
    if value is None:
        return "（空）"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "…"


@dataclass
class LedgerReport:
    position: int = 0
    head: str = ""
    algorithms: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def check_ledger(ctx: Context, *, audit_ids: Sequence[int] | None = None) -> LedgerReport:
    """The chain, and every sealed row against the ledger (only rows of `audit_ids` when given)."""
    report = LedgerReport()
    with ctx.db.read() as session:
        entries = list(ledger_repo.entries(session))
        breaks, report.position, report.head = check_chain(entries)
        for entry in entries:
            report.algorithms[entry.algorithm] = report.algorithms.get(entry.algorithm, 0) + 1
        for b in breaks:
            if b.problem == "gap":
                report.problems.append(f"账本第 {b.position} 条之前缺少第 {b.expected} 条：账本被删除或重排")
            elif b.problem == "algorithm":
                report.problems.append(f"账本第 {b.position} 条的摘要算法无法识别")
            else:
                report.problems.append(f"账本第 {b.position} 条与其摘要不符：该条或其前一条被改动")
        expected = replay(entries)
        rows = {spec.table: ledger_repo.current_rows(session, spec) for spec in ledger_repo.SEALED.values()}
        if not entries and any(rows.values()):
            report.problems.append("账本为空，而数据库中有记录：账本被清空")
        for spec in ledger_repo.SEALED.values():
            current = rows[spec.table]
            wanted = {key: state for (table, key), state in expected.items() if table == spec.table}
            for key in sorted(set(current) | set(wanted), key=_natural):
                if audit_ids is not None and not _concerns(spec.table, key, current, wanted, audit_ids):
                    continue
                report.problems.extend(_compare(spec.table, key, current.get(key), wanted.get(key)))
    return report


def _natural(key: str) -> Any:
    return [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in json.loads(key)]


def _concerns(table: str, key: str, current: dict[str, Any], wanted: dict[str, Any], audit_ids: Sequence[int]) -> bool:
    row = current.get(key) or (wanted.get(key) or (0, None))[1] or {}
    if table == "audits":
        return json.loads(key)[0] in audit_ids
    if table == "audit_revisions":
        return json.loads(key)[0] in audit_ids
    return row.get("audit_id") in audit_ids


def _compare(table: str, key: str, now: dict[str, Any] | None, recorded: tuple[int, Any] | None) -> list[str]:
    label = _label(table, key)
    if recorded is None:
        return [f"{label} 不在账本中：未经 seccheck 写入数据库"]
    position, row = recorded
    if row is None:
        return [] if now is None else [f"{label} 在账本第 {position} 条已删除，数据库中却仍有"]
    if now is None:
        return [f"{label} 已从数据库中删除（账本第 {position} 条记载了它）"]
    return [
        f"{label} 的{_FIELD.get(name, name)}与账本第 {position} 条不符（账本：{_shown(row.get(name))}；"
        f"数据库：{_shown(now.get(name))}）"
        for name in sorted(set(row) | set(now))
        if row.get(name) != now.get(name)
    ]


def check_anchor(ctx: Context, anchor: str) -> list[str]:
    """Does the ledger still agree with a `POS:DIGEST` printed on a document? Empty when it does."""
    try:
        position, digest = parse_anchor(anchor)
    except ValueError:
        raise BadInput(
            [Problem(f"“{anchor}”不是核验码；应为 位置:摘要，如 128:3f2a…（64 位十六进制）", field="--anchor")]
        ) from None
    with ctx.db.read() as session:
        entries = [e for e in ledger_repo.entries(session) if e.position <= position]
    breaks, last, head = check_chain(entries)
    problems = [f"账本第 {b.position} 条之前已不完整或被改动" for b in breaks]
    if last < position:
        problems.append(f"账本只有 {last} 条，而文书上的核验码记载到第 {position} 条：账本被截短")
    elif head != digest:
        problems.append(f"账本第 {position} 条的摘要与文书上的核验码不符：此前的记录被改写")
    return problems


def evidence_problems(root: Path, evidence: dict[int, list[str]]) -> list[str]:
    """Re-hash every evidence file an audit names: the digest in its name must match its content."""
    problems: list[str] = []
    for audit_id, names in evidence.items():
        for name in names:
            path = root / name
            digest = digest_in_name(name)
            if not path.is_file():
                problems.append(f"检查 {audit_id} 的佐证材料 {name} 不在工作区中")
                continue
            actual = file_digest(path)
            if len(digest) < 16 or not actual.startswith(digest):
                problems.append(f"检查 {audit_id} 的佐证材料 {name} 的内容与记录的摘要不符：文件被替换或改动")
    return problems


@dataclass
class WorkspaceVerification:
    audits: list[tuple[int, list[str]]]
    ledger: LedgerReport

    @property
    def ok(self) -> bool:
        return not self.ledger.problems and not any(problems for _, problems in self.audits)


def verify_workspace(
    ctx: Context, audit_ids: Sequence[int], *, every_final: bool = False, progress: Progress = no_progress
) -> WorkspaceVerification:
    """`seccheck verify`: the audits named (every final one with `every_final`), their seals and
    evidence files, and the ledger — all of it with `every_final`, else the rows of those audits.
    `progress` counts each audit, then the ledger."""
    from seccheck.app.audits import audits_to_verify, load_audit, verify

    ids = audits_to_verify(ctx, audit_ids, every_final=every_final)
    steps = len(ids) + 1
    prefix = f"{ctx.workspace.evidence.name}/"
    audits = []
    for number, audit_id in enumerate(ids, 1):
        problems = verify(ctx, audit_id)
        record = load_audit(ctx, audit_id)
        names = [e for a in record.answers.answers.values() for e in a.evidence]
        with ctx.db.read() as session:
            for _, rect in finding_repo.of_audit(session, audit_id).values():
                kept = rect.report_evidence
                names.extend(json.loads(kept) if isinstance(kept, str) else list(kept or []))
        # Files kept by seccheck in the workspace carry their digest in their name.
        names = [n for n in dict.fromkeys(names) if n.startswith(prefix)]
        audits.append((audit_id, problems + evidence_problems(ctx.workspace.evidence.parent, {audit_id: names})))
        progress(number, steps, f"检查 {audit_id}")
    report = check_ledger(ctx, audit_ids=None if every_final else ids)
    progress(steps, steps, "账本")
    return WorkspaceVerification(audits, report)
