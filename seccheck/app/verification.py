# Long on purpose: one verification of a workspace (chain, sealed rows, anchors, evidence), one report.
"""Verifying a workspace against its sealed ledger (records.md §5): the chain, then every current
sealed row against what the ledger says it must be, then each audit's seals, then evidence files.

Problems are sentences an office can act on: which record, which field, what the ledger says and
what the database holds now.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seccheck.app.context import Context
from seccheck.app.progress import Progress, no_progress
from seccheck.domain.ledger import ChainChecker, Entry, canonical, mac_matches, parse_anchor
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
    "submissions": "导入记录",
    "departments": "内设机构",
    "people": "人员",
    "audit_tiers": "检查所属的内设机构和人员",
    "package_keys": "上报密钥",
    "packages": "上报数据包",
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
    "contact": "联系人",
    "created_by": "定稿人",
    "updated_by": "最后更新人",
    "path": "文件位置",
    "source": "来源文件",
    "imported_by": "导入人",
    "former_names": "曾用名",
    "active": "在册",
    "department_id": "内设机构",
    "person_id": "人员",
    "staff_no": "工号",
}


_FIELD_OF = {("audit_revisions", "reason"): "修订原因", ("audit_revisions", "answered_by"): "答题人"}


def _field(table: str, name: str) -> str:
    return _FIELD_OF.get((table, name)) or _FIELD.get(name, name)


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
    keyed: int = 0  # entries whose keyed code was checked and matched
    key_missing: bool = False  # the ledger has coded entries but the key was not found


def _short(text: str) -> int:
    """A small fingerprint of a text (never 0), so that a ledger of any length is checked in little memory."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big") or 1


#: Records written once (records.md §5, write-once): their content never changes while they exist.
#: A revision and a notice number are never deleted either; an import record is forgotten (deleted)
#: when its audit is discarded, so that the same file can be imported afresh.
_WRITE_ONCE = {"audit_revisions": True, "notice_numbers": True, "submissions": False, "packages": True}
#: What may never change: a revision's seal (over its whole sealed content), format, engine and unit
#: name; a number's issuer, year, number and audit; the audit an import record names. (Fields sealed
#: later, such as a revision's reason, are recorded again once by migration 0008 and not compared here.)
_ONCE_FIELDS = {
    "audit_revisions": ("seal", "seal_format", "engine_version", "unit_name"),
    "notice_numbers": ("issuer", "year", "number", "audit_id"),
    "submissions": ("audit_id",),
    # A package reported upward (issue 25): what it says and which revision it is never change.
    "packages": ("role", "digest", "unit_id", "year", "revision", "anchor_position", "anchor_digest"),
}
#: A record's identity, which names one row for good: two rows for it in the ledger is a failure.
_IDENTITY = {
    "findings": ("audit_id", "check_id"),
    "notice_numbers": ("issuer", "year", "number"),
    "packages": ("role", "level", "unit_id", "year", "revision"),
}
_IDENTITY_NAME = {
    "findings": "检查 {0} 的检查项 {1}",
    "notice_numbers": "{0}〔{1}〕{2}号",
    "packages": "上报数据包（{0}，{1}，单位 {2}，{3} 年第 {4} 版）",
}


class _LedgerScan:
    """One pass over the ledger: the chain, each entry's keyed code, write-once records and
    identities, and (in little memory) what every sealed row must be now."""

    def __init__(self, key: bytes | None, report: LedgerReport) -> None:
        self.key, self.report = key, report
        self.chain = ChainChecker()
        # fingerprint of (table, key) -> position << 64 | fingerprint of the row (0: deleted), one int each
        self.state: dict[int, int] = {}
        self.identities: dict[int, int] = {}  # fingerprint of an identity -> position << 64 | row fingerprint
        self.once: dict[int, tuple[int, int | None]] = {}  # write-once rows: fingerprint -> (position, content)
        self.first_keyed: int | None = None
        self.unkeyed_after: list[int] = []  # the first 20 of them
        self.unkeyed = 0
        self.coded_unchecked = 0

    def feed(self, entry: Entry) -> None:
        report = self.report
        report.algorithms[entry.algorithm] = report.algorithms.get(entry.algorithm, 0) + 1
        for b in self.chain.feed(entry):
            if b.problem == "gap":
                report.problems.append(f"账本第 {b.position} 条之前缺少第 {b.expected} 条：账本被删除或重排")
            elif b.problem == "algorithm":
                report.problems.append(f"账本第 {b.position} 条的摘要算法无法识别")
            else:
                report.problems.append(f"账本第 {b.position} 条与其摘要不符：该条或其前一条被改动")
        self._code(entry)
        try:
            data = entry.data
            table, key, row = data["table"], canonical(data["key"]), data["row"]
        except (ValueError, KeyError, TypeError):
            report.problems.append(f"账本第 {entry.position} 条的内容无法读取")
            return
        if table not in ledger_repo.SEALED:
            return
        fingerprint = _short(f"{table}\x00{key}")
        content = None if row is None else _short(canonical(row))
        label = _label(table, key)
        if table in _WRITE_ONCE:
            self._once(entry.position, table, fingerprint, label, row)
        if table in _IDENTITY and row is not None:
            parts = [row.get(name) for name in _IDENTITY[table]]
            identity = _short(canonical([table, parts]))
            owner = self.identities.get(identity)
            if owner is not None and owner & (2**64 - 1) != fingerprint:
                named = _IDENTITY_NAME[table].format(*parts)
                report.problems.append(
                    f"账本第 {entry.position} 条把{named}记为{label}，而第 {owner >> 64} 条已把它记为另一条"
                    "记录：同一记录有两条"
                )
            else:
                self.identities[identity] = entry.position << 64 | fingerprint
        self.state[fingerprint] = entry.position << 64 | (content or 0)

    def _once(self, position: int, table: str, fingerprint: int, label: str, row: dict[str, Any] | None) -> None:
        fixed = None if row is None else _short(canonical([row.get(name) for name in _ONCE_FIELDS[table]]))
        before = self.once.get(fingerprint)
        self.once[fingerprint] = (position, fixed)
        if before is None or before[1] is None or fixed == before[1]:
            return
        if fixed is not None:
            self.report.problems.append(
                f"账本第 {position} 条给{label}记下了与第 {before[0]} 条不同的内容：定稿的记录不能改写"
            )
        elif _WRITE_ONCE[table]:
            self.report.problems.append(f"账本第 {position} 条删除了{label}（第 {before[0]} 条记载）：它不能删除")

    def _code(self, entry: Entry) -> None:
        if entry.mac is None:
            if self.first_keyed is not None:
                self.unkeyed += 1
                if len(self.unkeyed_after) < 20:
                    self.unkeyed_after.append(entry.position)
            return
        if self.first_keyed is None:
            self.first_keyed = entry.position
        if self.key is None:
            self.coded_unchecked += 1
        elif mac_matches(entry.algorithm, self.key, entry.digest, entry.mac):
            self.report.keyed += 1
        else:
            self.report.problems.append(
                f"账本第 {entry.position} 条的校验码不符：这一条不是持有本工作区账本密钥的 seccheck 写入的"
                "（可能是直接改写数据库的人伪造的）"
            )

    def finish(self, key_file: Any) -> None:
        report = self.report
        report.position, report.head = self.chain.position, self.chain.previous
        for position in self.unkeyed_after:
            report.problems.append(f"账本第 {position} 条没有校验码，而此前的条目都有：它是在 seccheck 之外追加的")
        if self.unkeyed > len(self.unkeyed_after):
            report.problems.append(f"另有 {self.unkeyed - len(self.unkeyed_after)} 条账本条目没有校验码")
        if self.key is not None and self.first_keyed is None and report.position:
            report.problems.append("账本中没有一条带校验码的条目，而本工作区有账本密钥：账本被不持有密钥的人重建过")
        if self.key is None and self.first_keyed is not None:
            report.key_missing = True
            report.problems.append(
                f"找不到账本密钥文件 {key_file}：{self.coded_unchecked} 条账本条目的校验码无法核对。"
                "摘要链和各条记录已核对；文书上的核验码仍可用 --anchor 核对。请从备份恢复密钥文件"
                "（见 docs/storage.md“账本密钥”）"
            )


def check_ledger(ctx: Context, *, audit_ids: Sequence[int] | None = None) -> LedgerReport:
    """The chain, each entry's keyed code, write-once records, and every sealed row against the ledger
    (only rows of `audit_ids` when given). Streams the ledger and each table: memory stays small
    however long the ledger is."""
    report = LedgerReport()
    scan = _LedgerScan(ctx.db.verification_key(), report)
    with ctx.db.read() as session:
        for entry in ledger_repo.entries(session):
            scan.feed(entry)
        scan.finish(ctx.db.key_file)
        state = scan.state
        any_rows = False
        for spec in ledger_repo.SEALED.values():
            for key, now in ledger_repo.stream_rows(session, spec):
                any_rows = True
                fingerprint = _short(f"{spec.table}\x00{key}")
                packed = state.pop(fingerprint, None)
                recorded = None if packed is None else _unpack(packed)
                if recorded is not None and recorded[1] == _short(canonical(now)):
                    continue
                if audit_ids is not None and not _concerns(spec.table, key, now, audit_ids):
                    continue
                wanted = _recorded(session, recorded)
                report.problems.extend(_compare(spec.table, key, now, wanted))
        if not report.position and any_rows:
            report.problems.append("账本为空，而数据库中有记录：账本被清空")
        # Rows the ledger holds that the database no longer has (read back only for those).
        for position, content in sorted(_unpack(p) for p in state.values()):
            if content is None:
                continue
            gone = ledger_repo.entry_at(session, position)
            if gone is None:
                continue
            data = gone.data
            table, key = data["table"], canonical(data["key"])
            if audit_ids is not None and not _concerns(table, key, data["row"], audit_ids):
                continue
            report.problems.extend(_compare(table, key, None, (position, data["row"])))
    return report


def _unpack(packed: int) -> tuple[int, int | None]:
    return packed >> 64, (packed & (2**64 - 1)) or None


def _recorded(session: Any, recorded: tuple[int, int | None] | None) -> tuple[int, Any] | None:
    if recorded is None:
        return None
    entry = ledger_repo.entry_at(session, recorded[0])
    return (recorded[0], entry.data["row"] if entry is not None else None)


def _natural(key: str) -> Any:
    return [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in json.loads(key)]


def _concerns(table: str, key: str, row: dict[str, Any] | None, audit_ids: Sequence[int]) -> bool:
    if table in ("audits", "audit_revisions"):
        return json.loads(key)[0] in audit_ids
    return (row or {}).get("audit_id") in audit_ids


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
        f"{label} 的{_field(table, name)}与账本第 {position} 条不符（账本：{_shown(row.get(name))}；"
        f"数据库：{_shown(now.get(name))}）"
        for name in sorted(set(row) | set(now))
        if row.get(name) != now.get(name)
    ]


@dataclass
class AnchorReport:
    problems: list[str] = field(default_factory=list)
    #: Entries after the anchor that change a record which existed at the anchor ("since this document").
    since: list[str] = field(default_factory=list)


def check_anchor(ctx: Context, anchor: str) -> AnchorReport:
    """Does the ledger still agree with a `POS:DIGEST` printed on a document? And what has changed,
    since, of the records that existed when it was printed."""
    try:
        position, digest = parse_anchor(anchor)
    except ValueError:
        raise BadInput(
            [Problem(f"“{anchor}”不是核验码；应为 位置:摘要，如 128:3f2a…（64 位十六进制）", field="--anchor")]
        ) from None
    report = AnchorReport()
    existed: set[int] = set()
    checker = ChainChecker()
    # Every entry's keyed code, before the anchor and after it: an entry forged after the document
    # was printed is named here too.
    codes = _LedgerScan(ctx.db.verification_key(), LedgerReport())
    with ctx.db.read() as session:
        for entry in ledger_repo.entries(session):
            codes._code(entry)
            if entry.position <= position:
                if checker.feed(entry):
                    report.problems.append(f"账本第 {entry.position} 条之前已不完整或被改动")
                data = entry.data
                if data["table"] in ledger_repo.SEALED and data["table"] != "events":
                    fingerprint = _short(f"{data['table']}\x00{canonical(data['key'])}")
                    (existed.add if data["row"] is not None else existed.discard)(fingerprint)
                continue
            data = entry.data
            if _short(f"{data['table']}\x00{canonical(data['key'])}") in existed:
                change = "删除了" if data["row"] is None else "改动了"
                report.since.append(
                    f"第 {entry.position} 条（{data.get('at', '')[:10]}，{data.get('actor') or '（未记名）'}）"
                    f"{change}{_label(data['table'], canonical(data['key']))}"
                )
    codes.chain.position = codes.report.position = max(checker.position, position)
    codes.finish(ctx.db.key_file)
    report.problems.extend(codes.report.problems)
    if checker.position < position:
        report.problems.append(f"账本只有 {checker.position} 条，而文书上的核验码记载到第 {position} 条：账本被截短")
    elif checker.previous != digest:
        report.problems.append(f"账本第 {position} 条的摘要与文书上的核验码不符：此前的记录被改写")
    return report


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
    notes: dict[int, str] = field(default_factory=dict)  # e.g. a voided audit: why, by whom

    @property
    def ok(self) -> bool:
        return not self.ledger.problems and not any(problems for _, problems in self.audits)


def verify_workspace(
    ctx: Context, audit_ids: Sequence[int], *, every_final: bool = False, progress: Progress = no_progress
) -> WorkspaceVerification:
    """`seccheck verify`: the audits named (every final one with `every_final`), their seals and
    evidence files, and the ledger — all of it with `every_final`, else the rows of those audits.
    `progress` counts each audit, then the ledger."""
    from seccheck.app.audit_verify import audits_to_verify, verify
    from seccheck.app.audits import load_audit

    ids = audits_to_verify(ctx, audit_ids, every_final=every_final)
    steps = len(ids) + 1
    prefix = f"{ctx.workspace.evidence.name}/"
    audits = []
    notes: dict[int, str] = {}
    for number, audit_id in enumerate(ids, 1):
        problems = verify(ctx, audit_id)
        record = load_audit(ctx, audit_id)
        if record.voided is not None:
            v = record.voided
            notes[audit_id] = f"已作废：{v.reason}，{v.actor} {v.at.date().isoformat()}"
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
    return WorkspaceVerification(audits, report, notes)
