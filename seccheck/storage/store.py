"""What seccheck keeps: units, campaigns, audits with their answers, findings and seals.

Every write is one transaction (retried on lock contention) and logs an event with who and when.
Commands call these functions; nothing here prints.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import hashlib
import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from seccheck.answers import Answer, Answers, check_answers, load_answers
from seccheck.errors import InputError, Problem
from seccheck.result import Result, result_from_data, result_to_json
from seccheck.ruleset.load import LoadedRuleset, load_ruleset_text, resolve_ruleset
from seccheck.scoring import score
from seccheck.seal import answer_record, audit_seal, canonical, decode_value, encode_value
from seccheck.storage.db import Database
from seccheck.storage.tables import (
    AnswerRow,
    Audit,
    Campaign,
    CampaignUnit,
    Event,
    FindingRow,
    NoticeNumber,
    Rectification,
    RulesetCopy,
    Unit,
)


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def current_actor() -> str:
    """Who is acting: SECCHECK_USER if set (an inspector's name), else the login name."""
    return os.environ.get("SECCHECK_USER") or getpass.getuser()


def log(session: Session, action: str, actor: str, audit_id: int | None = None, **detail: Any) -> None:
    session.add(Event(at=now(), actor=actor, action=action, audit_id=audit_id, detail=canonical(detail)))


# --- units ---------------------------------------------------------------------------------------


def unit_by_name(session: Session, name: str) -> Unit | None:
    return session.scalars(select(Unit).where(Unit.name == name)).first()


def ensure_unit(session: Session, name: str, actor: str) -> Unit:
    unit = unit_by_name(session, name)
    if unit is None:
        unit = Unit(name=name, code="", kind="", contact="", created_at=now())
        session.add(unit)
        session.flush()
        log(session, "unit.added", actor, name=name)
    return unit


def add_unit(db: Database, name: str, code: str = "", kind: str = "", contact: str = "") -> int:
    name = name.strip()
    if not name:
        raise InputError([Problem("单位名称不能为空", field="name")])
    actor = current_actor()

    def work(session: Session) -> int:
        if unit_by_name(session, name) is not None:
            raise InputError([Problem(f"单位 {name!r} 已存在", field="name")])
        unit = Unit(name=name, code=code, kind=kind, contact=contact, created_at=now())
        session.add(unit)
        session.flush()
        log(session, "unit.added", actor, name=name)
        return unit.id

    return db.transaction(work)


CSV_COLUMNS = {
    "name": ("name", "单位名称", "名称"),
    "code": ("code", "代码", "统一社会信用代码"),
    "kind": ("kind", "类型", "单位类型"),
    "contact": ("contact", "联系人", "联系方式"),
}


def read_units_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a units CSV (UTF-8, with or without BOM); every problem at once."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(f"无法读取：{exc.strerror}", file=name)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = "Excel 另存为“CSV UTF-8”，或 iconv -f GBK -t UTF-8 转换"
        raise InputError([Problem(f"不是 UTF-8 编码；{hint}", file=name, line=line)]) from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    mapping: dict[str, str] = {}
    for key, names in CSV_COLUMNS.items():
        for column in header:
            if column.strip() in names:
                mapping[key] = column
    if "name" not in mapping:
        raise InputError([Problem("缺少单位名称列（表头应为 name 或 单位名称）", file=name, line=1)])
    rows, problems = [], []
    for n, row in enumerate(reader, start=2):
        values = {key: (row.get(column) or "").strip() for key, column in mapping.items()}
        if not values["name"]:
            problems.append(Problem("单位名称为空", file=name, line=n, field="name"))
            continue
        rows.append({k: values.get(k, "") for k in CSV_COLUMNS})
    if problems:
        raise InputError(problems)
    return rows


def import_units(db: Database, rows: Sequence[Mapping[str, str]]) -> tuple[int, list[str]]:
    """Add the units not yet known; returns how many were added and the names already there."""
    actor = current_actor()

    def work(session: Session) -> tuple[int, list[str]]:
        added, existing = 0, []
        for row in rows:
            if unit_by_name(session, row["name"]) is not None:
                existing.append(row["name"])
                continue
            session.add(
                Unit(
                    name=row["name"],
                    code=row.get("code", ""),
                    kind=row.get("kind", ""),
                    contact=row.get("contact", ""),
                    created_at=now(),
                )
            )
            added += 1
        session.flush()
        log(session, "unit.imported", actor, added=added, existing=len(existing))
        return added, existing

    return db.transaction(work)


@dataclass(frozen=True)
class UnitInfo:
    id: int
    name: str
    code: str
    kind: str
    contact: str
    audits: int


def list_units(db: Database) -> list[UnitInfo]:
    with db.read() as session:
        counts = dict(
            session.execute(
                select(Audit.unit_id, func.count()).where(Audit.superseded_by.is_(None)).group_by(Audit.unit_id)
            ).all()
        )
        return [
            UnitInfo(u.id, u.name, u.code, u.kind, u.contact, counts.get(u.id, 0))
            for u in session.scalars(select(Unit).order_by(Unit.id))
        ]


# --- campaigns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignInfo:
    id: int
    name: str
    year: int
    rulesets: list[str]
    period_start: dt.date | None
    period_end: dt.date | None
    planned: list[str] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)  # planned or not, units with a final audit
    audits: int = 0


def create_campaign(
    db: Database,
    name: str,
    year: int,
    rulesets: Sequence[str],
    start: dt.date | None,
    end: dt.date | None,
    units: Sequence[str],
) -> int:
    problems = []
    for ref in rulesets:
        try:
            resolve_ruleset(ref)
        except InputError as exc:
            problems += exc.problems
    if start and end and start > end:
        problems.append(Problem("开始日期晚于结束日期", field="period"))
    if problems:
        raise InputError(problems)
    actor = current_actor()

    def work(session: Session) -> int:
        if session.scalars(select(Campaign).where(Campaign.name == name)).first() is not None:
            raise InputError([Problem(f"专项行动 {name!r} 已存在", field="name")])
        missing = [u for u in units if unit_by_name(session, u) is None]
        if missing:
            raise InputError(
                [Problem(f"单位 {u!r} 不存在；请先 seccheck unit add 或 unit import", field="unit") for u in missing]
            )
        campaign = Campaign(
            name=name,
            year=year,
            rulesets=json.dumps(list(rulesets), ensure_ascii=False),
            period_start=start,
            period_end=end,
            created_at=now(),
        )
        session.add(campaign)
        session.flush()
        for unit_name in dict.fromkeys(units):
            unit = unit_by_name(session, unit_name)
            assert unit is not None
            session.add(CampaignUnit(campaign_id=campaign.id, unit_id=unit.id))
        log(session, "campaign.created", actor, name=name, units=len(units))
        return campaign.id

    return db.transaction(work)


def find_campaign(session: Session, ref: str) -> Campaign:
    campaign = session.scalars(select(Campaign).where(Campaign.name == ref)).first()
    if campaign is None and ref.isdigit():
        campaign = session.get(Campaign, int(ref))
    if campaign is None:
        raise InputError([Problem(f"找不到专项行动 {ref!r}（按名称或编号）", field="campaign")])
    return campaign


def campaign_info(session: Session, campaign: Campaign) -> CampaignInfo:
    planned = list(
        session.scalars(
            select(Unit.name)
            .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
            .where(CampaignUnit.campaign_id == campaign.id)
            .order_by(Unit.id)
        )
    )
    final = select(Audit).where(
        Audit.campaign_id == campaign.id, Audit.status == "final", Audit.superseded_by.is_(None)
    )
    audits = list(session.scalars(final))
    covered = list(dict.fromkeys(session.get(Unit, a.unit_id).name for a in audits))  # type: ignore[union-attr]
    return CampaignInfo(
        campaign.id,
        campaign.name,
        campaign.year,
        json.loads(campaign.rulesets),
        campaign.period_start,
        campaign.period_end,
        planned,
        covered,
        len(audits),
    )


def list_campaigns(db: Database) -> list[CampaignInfo]:
    with db.read() as session:
        return [campaign_info(session, c) for c in session.scalars(select(Campaign).order_by(Campaign.id))]


def get_campaign(db: Database, ref: str) -> CampaignInfo:
    with db.read() as session:
        return campaign_info(session, find_campaign(session, ref))


# --- audits --------------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def frozen_ruleset(text: str, sha256: str) -> LoadedRuleset:
    """The ruleset an audit was scored with, from its frozen text (cached per process)."""
    loaded = load_ruleset_text(text, f"<ruleset {sha256[:12]}>")
    return loaded


def _store_ruleset(session: Session, loaded: LoadedRuleset) -> None:
    if session.get(RulesetCopy, loaded.sha256) is None:
        session.add(
            RulesetCopy(
                sha256=loaded.sha256, ruleset_id=loaded.ruleset.id, version=loaded.ruleset.version, text=loaded.text
            )
        )
        session.flush()


def answer_values(audit_id: int, key: str, answer: Answer, actor: str, position: int, at: str) -> dict[str, Any]:
    """The column values of one answers row."""
    return {
        "audit_id": audit_id,
        "key": key,
        "value": canonical(encode_value(answer.value)),
        "na": answer.na,
        "deduct": None if answer.deduct is None else str(answer.deduct),
        "note": answer.note,
        "evidence": canonical(list(answer.evidence)),
        "answered_by": actor,
        "answered_at": at,
        "position": position,
    }


def _add_answers(session: Session, audit_id: int, answers: Mapping[str, Answer], actor: str) -> None:
    if not answers:
        return
    at = now()
    # One executemany rather than an ORM object per answer: an audit has a hundred of them.
    rows = [answer_values(audit_id, k, a, actor, n, at) for n, (k, a) in enumerate(answers.items())]
    session.execute(insert(AnswerRow), rows)


def _answer_from_row(row: AnswerRow) -> Answer:
    return Answer(
        value=decode_value(json.loads(row.value)),
        na=row.na,
        deduct=None if row.deduct is None else Decimal(row.deduct),
        note=row.note,
        evidence=tuple(json.loads(row.evidence)),
    )


def create_audit(
    session: Session,
    loaded: LoadedRuleset,
    answers: Answers,
    actor: str,
    *,
    source: str = "",
    campaign: str | None = None,
) -> Audit:
    """A draft audit holding the given answers."""
    _store_ruleset(session, loaded)
    unit = ensure_unit(session, answers.unit, actor)
    campaign_id = find_campaign(session, campaign).id if campaign else None
    audit = Audit(
        unit_id=unit.id,
        campaign_id=campaign_id,
        ruleset_id=loaded.ruleset.id,
        ruleset_version=loaded.ruleset.version,
        ruleset_sha256=loaded.sha256,
        mode=answers.mode,
        inspectors=canonical(list(answers.inspectors)),
        methods=canonical(list(answers.methods)),
        date=answers.date,
        status="draft",
        revision=1,
        source=source,
        created_by=actor,
        created_at=now(),
    )
    session.add(audit)
    session.flush()
    _add_answers(session, audit.id, answers.answers, actor)
    log(session, "audit.created", actor, audit.id, unit=answers.unit, ruleset=loaded.ruleset.id, source=source)
    return audit


def _particulars(audit: Audit, unit_name: str) -> dict[str, Any]:
    return {
        "unit": unit_name,
        "date": audit.date.isoformat(),
        "mode": audit.mode,
        "inspectors": json.loads(audit.inspectors),
        "methods": json.loads(audit.methods),
        "ruleset_id": audit.ruleset_id,
        "ruleset_version": audit.ruleset_version,
        "revision": audit.revision,
    }


def _answers_of(session: Session, audit: Audit, unit_name: str) -> Answers:
    rows = session.scalars(select(AnswerRow).where(AnswerRow.audit_id == audit.id).order_by(AnswerRow.position))
    return Answers(
        format=1,
        ruleset=audit.ruleset_id,
        ruleset_version=audit.ruleset_version,
        unit=unit_name,
        date=audit.date,
        mode=audit.mode,
        inspectors=tuple(json.loads(audit.inspectors)),
        methods=tuple(json.loads(audit.methods)),
        answers={row.key: _answer_from_row(row) for row in rows},
    )


def _ruleset_of(session: Session, audit: Audit) -> LoadedRuleset:
    copy = session.get(RulesetCopy, audit.ruleset_sha256)
    if copy is None:
        raise InputError([Problem(f"检查 {audit.id} 的规则集副本缺失（{audit.ruleset_sha256[:12]}）")])
    return frozen_ruleset(copy.text, copy.sha256)


def finalize(
    session: Session,
    audit: Audit,
    actor: str,
    *,
    loaded: LoadedRuleset | None = None,
    answers: Answers | None = None,
    checked: bool = False,
) -> Result:
    """Score, seal and record the findings of a complete audit.

    Callers that hold the ruleset and answers already (and have checked them) pass them in;
    otherwise they are read back from the database.
    """
    unit_name = session.get(Unit, audit.unit_id).name  # type: ignore[union-attr]
    loaded = loaded or _ruleset_of(session, audit)
    answers = answers or _answers_of(session, audit, unit_name)
    if not checked:
        problems = [p for p in check_answers(loaded.ruleset, answers, name=f"检查 {audit.id}") if not p.warning]
        if problems:
            raise InputError(problems)
    result = score(loaded.ruleset, answers)
    result_json = result_to_json(result, indent=None)
    audit.result = result_json
    audit.grade = result.grade
    audit.percent = None if result.percent is None else str(result.percent)
    audit.status = "final"
    audit.finalized_at = now()
    audit.seal = audit_seal(audit.ruleset_sha256, _particulars(audit, unit_name), answers.answers, result_json)
    rows = [
        FindingRow(
            audit_id=audit.id,
            check_id=f.check_id,
            item_id=f.item_id,
            category_id=f.category_id,
            text=f.text,
            deduction=str(f.deduction),
            severity=f.severity,
            due=f.due,
        )
        for f in result.findings
    ]
    session.add_all(rows)
    session.flush()
    at = now()
    session.add_all(
        Rectification(finding_id=row.id, state="open", due=row.due, updated_at=at, updated_by=actor) for row in rows
    )
    log(session, "audit.finalized", actor, audit.id, grade=result.grade, seal=audit.seal)
    return result


_RULESET_CACHE: dict[str, LoadedRuleset] = {}


def _resolve_cached(ref: str) -> LoadedRuleset:
    # Importing a thousand answers files loads the same ruleset once, not a thousand times.
    if ref not in _RULESET_CACHE:
        _RULESET_CACHE[ref] = resolve_ruleset(ref)
    return _RULESET_CACHE[ref]


def import_answers(
    db: Database, path: Path, *, ruleset: str | None = None, campaign: str | None = None, draft: bool = False
) -> int:
    """Validate an answers file and store it as an audit (final and sealed unless `draft`)."""
    answers, lines = load_answers(path)
    loaded = _resolve_cached(ruleset or answers.ruleset)
    problems = [
        p for p in check_answers(loaded.ruleset, answers, name=str(path), lines=lines, final=not draft) if not p.warning
    ]
    if problems:
        raise InputError(problems)
    actor = current_actor()

    def work(session: Session) -> int:
        audit = create_audit(session, loaded, answers, actor, source=str(path), campaign=campaign)
        if not draft:
            finalize(session, audit, actor, loaded=loaded, answers=answers, checked=True)
        return audit.id

    return db.transaction(work)


@dataclass
class AuditRecord:
    id: int
    unit: str
    campaign: str | None
    ruleset: LoadedRuleset
    answers: Answers
    status: str
    revision: int
    revision_of: int | None
    superseded_by: int | None
    seal: str | None
    result: Result | None
    result_json: str | None
    source: str
    created_by: str
    created_at: str
    finalized_at: str | None


def _get_audit(session: Session, audit_id: int) -> Audit:
    audit = session.get(Audit, audit_id)
    if audit is None:
        raise InputError([Problem(f"找不到检查 {audit_id}", field="audit")])
    return audit


def load_audit(db: Database, audit_id: int) -> AuditRecord:
    with db.read() as session:
        audit = _get_audit(session, audit_id)
        unit = session.get(Unit, audit.unit_id)
        assert unit is not None
        campaign = session.get(Campaign, audit.campaign_id) if audit.campaign_id else None
        return AuditRecord(
            id=audit.id,
            unit=unit.name,
            campaign=campaign.name if campaign else None,
            ruleset=_ruleset_of(session, audit),
            answers=_answers_of(session, audit, unit.name),
            status=audit.status,
            revision=audit.revision,
            revision_of=audit.revision_of,
            superseded_by=audit.superseded_by,
            seal=audit.seal,
            result=result_from_data(json.loads(audit.result)) if audit.result else None,
            result_json=audit.result,
            source=audit.source,
            created_by=audit.created_by,
            created_at=audit.created_at,
            finalized_at=audit.finalized_at,
        )


@dataclass(frozen=True)
class AuditSummary:
    id: int
    unit: str
    campaign: str | None
    ruleset_id: str
    ruleset_version: str
    date: dt.date
    mode: str
    status: str
    grade: str | None
    percent: str | None
    revision: int
    superseded_by: int | None


def list_audits(
    db: Database,
    *,
    unit: str | None = None,
    campaign: str | None = None,
    status: str | None = None,
    include_superseded: bool = False,
) -> list[AuditSummary]:
    with db.read() as session:
        query = select(Audit, Unit.name).join(Unit, Unit.id == Audit.unit_id).order_by(Audit.id)
        if unit:
            query = query.where(Unit.name == unit)
        if campaign:
            query = query.where(Audit.campaign_id == find_campaign(session, campaign).id)
        if status:
            query = query.where(Audit.status == status)
        if not include_superseded:
            query = query.where(Audit.superseded_by.is_(None))
        names = {c.id: c.name for c in session.scalars(select(Campaign))}
        return [
            AuditSummary(
                a.id,
                unit_name,
                names.get(a.campaign_id) if a.campaign_id else None,
                a.ruleset_id,
                a.ruleset_version,
                a.date,
                a.mode,
                a.status,
                a.grade,
                a.percent,
                a.revision,
                a.superseded_by,
            )
            for a, unit_name in session.execute(query)
        ]


# --- sealing -------------------------------------------------------------------------------------


def verify(db: Database, audit_id: int) -> list[str]:
    """Everything that does not match the seal; empty when the audit is intact."""
    with db.read() as session:
        audit = _get_audit(session, audit_id)
        if audit.status != "final" or not audit.seal:
            return ["这是草稿，尚未定稿，没有封签"]
        problems: list[str] = []
        unit = session.get(Unit, audit.unit_id)
        assert unit is not None
        copy = session.get(RulesetCopy, audit.ruleset_sha256)
        if copy is None:
            return ["规则集副本缺失"]
        if hashlib.sha256(copy.text.encode("utf-8")).hexdigest() != copy.sha256:
            problems.append("规则集副本的内容与其 SHA-256 不符（规则集文本被改动）")
        answers = _answers_of(session, audit, unit.name)
        stored = audit.result or "null"
        if audit_seal(audit.ruleset_sha256, _particulars(audit, unit.name), answers.answers, stored) != audit.seal:
            problems.append("封签不符：答案、检查信息或评分结果在定稿后被改动")
        try:
            rescored = score(frozen_ruleset(copy.text, copy.sha256).ruleset, answers)
        except InputError as exc:
            return [*problems, f"规则集副本无法加载：{exc}"]
        if canonical(json.loads(result_to_json(rescored, indent=None))) != canonical(json.loads(stored)):
            problems.append("按保存的答案重新评分，结果与保存的结果不同")
        found = {r.check_id for r in session.scalars(select(FindingRow).where(FindingRow.audit_id == audit.id))}
        if found != {f.check_id for f in rescored.findings}:
            problems.append("问题记录与评分结果不一致")
        if audit.grade != rescored.grade or audit.percent != (str(rescored.percent) if rescored.percent else None):
            problems.append("列表中的等次或得分率与评分结果不一致")
        return problems


def _follow_up(old: Audit, actor: str, **changes: Any) -> Audit:
    """A new draft audit of the same unit, campaign, ruleset and inspectors as `old`."""
    fields: dict[str, Any] = {
        "unit_id": old.unit_id,
        "campaign_id": old.campaign_id,
        "ruleset_id": old.ruleset_id,
        "ruleset_version": old.ruleset_version,
        "ruleset_sha256": old.ruleset_sha256,
        "mode": old.mode,
        "inspectors": old.inspectors,
        "methods": old.methods,
        "status": "draft",
        "created_by": actor,
        "created_at": now(),
    }
    return Audit(**{**fields, **changes})


def amend(db: Database, audit_id: int, changes: Mapping[str, Answer], reason: str = "") -> int:
    """A new revision of a final audit with some answers changed; the old revision stays."""
    actor = current_actor()

    def work(session: Session) -> int:
        old = _get_audit(session, audit_id)
        if old.status != "final":
            raise InputError([Problem(f"检查 {audit_id} 是草稿，直接修改答案即可，无需修订", field="audit")])
        if old.superseded_by is not None:
            raise InputError(
                [Problem(f"检查 {audit_id} 已被修订为 {old.superseded_by}，请修订最新的版本", field="audit")]
            )
        unit = session.get(Unit, old.unit_id)
        assert unit is not None
        loaded = _ruleset_of(session, old)
        answers = _answers_of(session, old, unit.name)
        values = dict(answers.answers)
        unknown = [
            k
            for k in changes
            if k not in loaded.ruleset.checks
            and k not in loaded.ruleset.profile_by_id
            and k not in loaded.ruleset.items_by_id
        ]
        if unknown:
            raise InputError([Problem("未知 id：规则集中没有这个问题或检查", id=k) for k in unknown])
        values.update(changes)
        new = _follow_up(
            old, actor, date=old.date, revision=old.revision + 1, revision_of=old.id, source=f"修订自检查 {old.id}"
        )
        session.add(new)
        session.flush()
        _add_answers(session, new.id, values, actor)
        session.flush()
        finalize(session, new, actor)
        old.superseded_by = new.id
        log(session, "audit.amended", actor, new.id, previous=old.id, changed=sorted(changes), reason=reason)
        return new.id

    return db.transaction(work)


# --- export --------------------------------------------------------------------------------------


def export_audit(db: Database, audit_id: int, out_dir: Path) -> list[Path]:
    """The answers (TOML), the frozen ruleset (TOML) and the result (JSON); owner-only, atomic.

    `seccheck import AUDIT.answers.toml --ruleset AUDIT.ruleset.toml` scores to the same result.
    """
    import tomli_w

    from seccheck.fileutil import write_atomic

    record = load_audit(db, audit_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"audit-{audit_id}"
    answers = record.answers
    doc: dict[str, Any] = {
        "format": 1,
        "ruleset": answers.ruleset,
        "ruleset_version": answers.ruleset_version,
        "unit": answers.unit,
        "date": answers.date,
        "mode": answers.mode,
        "inspectors": list(answers.inspectors),
        "methods": list(answers.methods),
        "answers": {key: _answer_toml(a) for key, a in answers.answers.items()},
    }
    header = (
        f"# seccheck 导出：检查 {audit_id}（第 {record.revision} 版，{record.status}）\n"
        f"# 封签 SHA-256：{record.seal or '（草稿，无封签）'}\n"
    )
    paths = [out_dir / f"{stem}.answers.toml", out_dir / f"{stem}.ruleset.toml", out_dir / f"{stem}.result.json"]
    write_atomic(paths[0], (header + tomli_w.dumps(doc)).encode("utf-8"))
    write_atomic(paths[1], record.ruleset.text.encode("utf-8"))
    result = json.loads(record.result_json) if record.result_json else None
    payload = {"audit_id": audit_id, "seal": record.seal, "result": result}
    write_atomic(paths[2], json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8"))
    return paths


def _toml_number(value: Any) -> Any:
    # TOML writers print Decimal("1") as 1.0, which reads back as Decimal("1.0"): keep 1 an integer.
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def _answer_toml(answer: Answer) -> Any:
    if answer.na:
        return "na"
    record = answer_record(answer)
    if answer.deduct is None and answer.note is None and not answer.evidence:
        return _toml_number(answer.value)
    table: dict[str, Any] = {"value": _toml_number(answer.value)}
    if answer.deduct is not None:
        table["deduct"] = _toml_number(answer.deduct)
    if answer.note is not None:
        table["note"] = answer.note
    if answer.evidence:
        table["evidence"] = record["evidence"]
    return table


def events(db: Database, audit_id: int | None = None) -> list[Event]:
    with db.read() as session:
        query = select(Event).order_by(Event.id)
        if audit_id is not None:
            query = query.where(Event.audit_id == audit_id)
        return list(session.scalars(query))


def import_many(
    db: Database,
    paths: Iterable[Path],
    *,
    ruleset: str | None = None,
    campaign: str | None = None,
    draft: bool = False,
) -> tuple[list[tuple[Path, int]], list[tuple[Path, list[Problem]]]]:
    """Import each file on its own: a bad file is reported and skipped, the rest go in."""
    done: list[tuple[Path, int]] = []
    failed: list[tuple[Path, list[Problem]]] = []
    for path in paths:
        try:
            done.append((path, import_answers(db, path, ruleset=ruleset, campaign=campaign, draft=draft)))
        except InputError as exc:
            failed.append((path, exc.problems))
    return done, failed


# --- the interview's drafts ----------------------------------------------------------------------


def find_draft(db: Database, unit: str, ruleset_id: str, campaign: str | None) -> int | None:
    """The newest draft of this unit with this ruleset (and campaign), to resume it."""
    with db.read() as session:
        query = (
            select(Audit.id)
            .join(Unit, Unit.id == Audit.unit_id)
            .where(Unit.name == unit, Audit.ruleset_id == ruleset_id, Audit.status == "draft")
            .order_by(Audit.id.desc())
        )
        if campaign:
            query = query.where(Audit.campaign_id == find_campaign(session, campaign).id)
        return session.scalars(query).first()


def start_draft(db: Database, loaded: LoadedRuleset, meta: Answers, campaign: str | None) -> int:
    actor = current_actor()
    return db.transaction(
        lambda session: create_audit(session, loaded, meta, actor, source="interview", campaign=campaign).id
    )


def save_answer(db: Database, audit_id: int, key: str, answer: Answer) -> None:
    """Store one answer at once (replacing an earlier answer to the same question)."""
    actor = current_actor()

    def work(session: Session) -> None:
        audit = _get_audit(session, audit_id)
        if audit.status != "draft":
            raise InputError([Problem(f"检查 {audit_id} 已定稿，不能再改答案；请用 seccheck audit amend")])
        position = session.scalar(
            select(func.coalesce(func.max(AnswerRow.position), -1)).where(AnswerRow.audit_id == audit_id)
        )
        old = session.get(AnswerRow, (audit_id, key))
        if old is not None:
            session.delete(old)
            session.flush()
        session.execute(insert(AnswerRow), [answer_values(audit_id, key, answer, actor, (position or 0) + 1, now())])

    db.transaction(work)


def remove_answer(db: Database, audit_id: int, key: str) -> None:
    def work(session: Session) -> None:
        old = session.get(AnswerRow, (audit_id, key))
        if old is not None:
            session.delete(old)

    db.transaction(work)


def finalize_audit(db: Database, audit_id: int) -> Result:
    actor = current_actor()

    def work(session: Session) -> Result:
        audit = _get_audit(session, audit_id)
        if audit.status == "final":
            raise InputError([Problem(f"检查 {audit_id} 已经定稿")])
        return finalize(session, audit, actor)

    return db.transaction(work)


# --- notice numbers ------------------------------------------------------------------------------


def issue_notice_number(db: Database, audit_id: int, issuer: str, today: dt.date) -> tuple[int, int, dt.date]:
    """The audit's 发文字号 as (year, n, date issued): kept if it has one, else the next of the year.

    Gapless per issuer and year: the number is taken inside the transaction that stores it, and
    a second process taking the same number at once hits the unique constraint and retries.
    """
    actor = current_actor()

    def work(session: Session) -> tuple[int, int, dt.date]:
        existing = session.scalars(select(NoticeNumber).where(NoticeNumber.audit_id == audit_id)).first()
        if existing is not None:
            return existing.year, existing.number, dt.date.fromisoformat(existing.issued_at[:10])
        audit = _get_audit(session, audit_id)
        if audit.status != "final":
            raise InputError([Problem(f"检查 {audit_id} 尚未定稿，不能出具整改通知书")])
        year = today.year
        last = session.scalar(
            select(func.max(NoticeNumber.number)).where(NoticeNumber.issuer == issuer, NoticeNumber.year == year)
        )
        number = (last or 0) + 1
        session.add(
            NoticeNumber(issuer=issuer, year=year, number=number, audit_id=audit_id, issued_at=today.isoformat())
        )
        session.flush()
        log(session, "notice.numbered", actor, audit_id, issuer=issuer, year=year, number=number)
        return year, number, today

    return db.transaction(work)


# --- re-inspection -------------------------------------------------------------------------------


def start_reinspection(db: Database, audit_id: int, extra: list[str], date: dt.date) -> int:
    """A draft that follows up a final audit: its answers are kept, except for the checks that
    failed (and any the inspector adds), which are left open to be asked again."""
    actor = current_actor()

    def work(session: Session) -> int:
        old = _get_audit(session, audit_id)
        if old.status != "final" or old.superseded_by is not None:
            raise InputError([Problem(f"只能复查已定稿的最新版本检查；检查 {audit_id} 不是", field="audit")])
        loaded = _ruleset_of(session, old)
        unknown = [c for c in extra if c not in loaded.ruleset.checks]
        if unknown:
            raise InputError([Problem("未知的检查 id", id=c, field="--check") for c in unknown])
        failed = set(session.scalars(select(FindingRow.check_id).where(FindingRow.audit_id == audit_id)))
        reopen = failed | set(extra)
        unit = session.get(Unit, old.unit_id)
        assert unit is not None
        kept = {k: a for k, a in _answers_of(session, old, unit.name).answers.items() if k not in reopen}
        new = _follow_up(old, actor, date=date, revision=1, reinspection_of=old.id, source=f"复查检查 {old.id}")
        session.add(new)
        session.flush()
        _add_answers(session, new.id, kept, actor)
        log(session, "audit.reinspection", actor, new.id, previous=old.id, reopened=sorted(reopen))
        return new.id

    return db.transaction(work)


@dataclass(frozen=True)
class Comparison:
    before: Result
    after: Result
    fixed: list[str]
    still_failing: list[str]
    newly_failing: list[str]


def close_reinspection(db: Database, new_id: int) -> Comparison:
    """Compare a finished re-inspection with the audit it follows up; rectifications of the
    findings it shows fixed become verified."""
    actor = current_actor()

    def work(session: Session) -> Comparison:
        new = _get_audit(session, new_id)
        if new.reinspection_of is None or new.status != "final" or not new.result:
            raise InputError([Problem(f"检查 {new_id} 不是已定稿的复查", field="audit")])
        old = _get_audit(session, new.reinspection_of)
        before = result_from_data(json.loads(old.result or "null"))
        after = result_from_data(json.loads(new.result))
        failed_before = [f.check_id for f in before.findings]
        failed_after = {f.check_id for f in after.findings}
        fixed = [c for c in failed_before if c not in failed_after]
        rows = session.execute(
            select(FindingRow, Rectification)
            .join(Rectification, Rectification.finding_id == FindingRow.id)
            .where(FindingRow.audit_id == old.id, FindingRow.check_id.in_(fixed))
        ).all()
        for finding, rect in rows:
            if rect.state != "verified":
                before_state = rect.state
                rect.state, rect.updated_at, rect.updated_by = "verified", now(), actor
                log(
                    session,
                    "rectification.verify",
                    actor,
                    old.id,
                    rectification=rect.id,
                    before=before_state,
                    after="verified",
                    via_reinspection=new_id,
                    check=finding.check_id,
                )
        return Comparison(
            before,
            after,
            fixed,
            [c for c in failed_before if c in failed_after],
            [f.check_id for f in after.findings if f.check_id not in set(failed_before)],
        )

    return db.transaction(work)


def find_reinspection_draft(db: Database, audit_id: int) -> int | None:
    """An unfinished re-inspection of this audit, to resume it."""
    with db.read() as session:
        return session.scalars(
            select(Audit.id).where(Audit.reinspection_of == audit_id, Audit.status == "draft").order_by(Audit.id.desc())
        ).first()
