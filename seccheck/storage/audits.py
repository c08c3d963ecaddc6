"""Audits: the current revision in `audits` and `answers`, every sealed revision in `audit_revisions`,
submissions by digest, and the frozen copy of each ruleset an audit was scored with."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, delete, func, insert, select
from sqlalchemy.orm import Session

from seccheck.domain.answers import Answer, Answers
from seccheck.domain.listing import AuditSummary
from seccheck.domain.seal import answered_by_digest, decode_value, encode_value
from seccheck.errors import BadInput, Problem, not_found
from seccheck.ruleset.load import LoadedRuleset, load_ruleset_text
from seccheck.storage.tables import (
    AnswerRow,
    Audit,
    AuditRevision,
    Campaign,
    RulesetCopy,
    Submission,
    Unit,
)
from seccheck.storage.types import plain

# --- rulesets ------------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def frozen_ruleset(text: str, sha256: str) -> LoadedRuleset:
    """The ruleset an audit was scored with, from its frozen text (cached per process)."""
    return load_ruleset_text(text, f"<ruleset {sha256[:12]}>", frozen=True)


def store_ruleset(session: Session, loaded: LoadedRuleset) -> None:
    if session.get(RulesetCopy, loaded.sha256) is None:
        session.add(
            RulesetCopy(
                sha256=loaded.sha256, ruleset_id=loaded.ruleset.id, version=loaded.ruleset.version, text=loaded.text
            )
        )
        session.flush()


def ruleset_of(session: Session, audit: Audit) -> LoadedRuleset:
    copy = session.get(RulesetCopy, audit.ruleset_sha256)
    if copy is None:
        raise BadInput([Problem(f"检查 {audit.id} 的规则集副本缺失（{audit.ruleset_sha256[:12]}）")])
    return frozen_ruleset(copy.text, copy.sha256)


# --- audits and their answers --------------------------------------------------------------------


def get(session: Session, audit_id: int) -> Audit:
    audit = session.get(Audit, audit_id)
    if audit is None:
        raise not_found(f"找不到检查 {audit_id}；请核对编号（seccheck audit list 列出全部检查）", field="audit")
    return audit


def unit_name(session: Session, audit: Audit) -> str:
    unit = session.get(Unit, audit.unit_id)
    assert unit is not None
    return unit.name


def create(
    session: Session,
    loaded: LoadedRuleset,
    meta: Answers,
    *,
    unit_id: int,
    campaign_id: int | None,
    actor: str,
    at: dt.datetime,
    source: str,
    reinspection_of: int | None = None,
    chain_id: int | None = None,
) -> Audit:
    """A draft audit holding `meta`'s answers. An original audit is the start of its own chain."""
    store_ruleset(session, loaded)
    audit = Audit(
        unit_id=unit_id,
        campaign_id=campaign_id,
        ruleset_id=loaded.ruleset.id,
        ruleset_version=loaded.ruleset.version,
        ruleset_sha256=loaded.sha256,
        mode=meta.mode,
        inspectors=list(meta.inspectors),
        methods=list(meta.methods),
        date=meta.date,
        status="draft",
        revision=1,
        reinspection_of=reinspection_of,
        chain_id=chain_id,
        source=source,
        created_by=actor,
        created_at=at,
    )
    session.add(audit)
    session.flush()
    if audit.chain_id is None:
        audit.chain_id = audit.id
    add_answers(session, audit.id, meta.answers, actor, at)
    return audit


def _answer_values(
    audit_id: int, key: str, answer: Answer, actor: str, position: int, at: dt.datetime
) -> dict[str, Any]:
    return {
        "audit_id": audit_id,
        "key": key,
        # JSON null, not SQL NULL: a bulk insert leaves out a None (an unanswered question's value).
        "value": JSON.NULL if answer.value is None else encode_value(answer.value),
        "na": answer.na,
        "deduct": answer.deduct,
        "note": answer.note,
        "evidence": list(answer.evidence),
        "answered_by": actor,
        "answered_at": at,
        "position": position,
    }


def answer_rows(answers: Mapping[str, Answer], actor: str, at: dt.datetime, audit_id: int = 0) -> list[dict[str, Any]]:
    """The `answers` rows of an audit's answers, in the order given."""
    return [_answer_values(audit_id, k, a, actor, n, at) for n, (k, a) in enumerate(answers.items())]


def as_stored(answers: Answers) -> Answers:
    """The answers as the database gives them back once written: a deduction kept as NUMERIC reads
    back in its shortest form (4.00 as 4). An audit is scored and sealed from these, not re-read."""
    changed = {
        key: answer.model_copy(update={"deduct": plain(answer.deduct)})
        for key, answer in answers.answers.items()
        if answer.deduct is not None and str(plain(answer.deduct)) != str(answer.deduct)
    }
    return answers.model_copy(update={"answers": {**answers.answers, **changed}}) if changed else answers


def add_answers(session: Session, audit_id: int, answers: Mapping[str, Answer], actor: str, at: dt.datetime) -> None:
    if answers:
        # One executemany rather than an ORM object per answer: an audit has a hundred of them.
        session.execute(insert(AnswerRow), answer_rows(answers, actor, at, audit_id))


def replace_answers(
    session: Session, audit_id: int, answers: Mapping[str, Answer], actor: str, at: dt.datetime
) -> None:
    session.execute(delete(AnswerRow).where(AnswerRow.audit_id == audit_id))
    add_answers(session, audit_id, answers, actor, at)


def save_answer(session: Session, audit_id: int, key: str, answer: Answer, actor: str, at: dt.datetime) -> None:
    """Store one answer (replacing an earlier answer to the same question)."""
    position = session.scalar(
        select(func.coalesce(func.max(AnswerRow.position), -1)).where(AnswerRow.audit_id == audit_id)
    )
    old = session.get(AnswerRow, (audit_id, key))
    if old is not None:
        session.delete(old)
        session.flush()
    session.execute(insert(AnswerRow), [_answer_values(audit_id, key, answer, actor, (position or 0) + 1, at)])


def mark_asked(audit: Audit, keys: Iterable[str]) -> None:
    """Record that a re-inspection asked these checks again (answered them itself)."""
    if audit.reinspection_of is not None:
        audit.asked = sorted(set(audit.asked or []) | set(keys))


def remove_answer(session: Session, audit_id: int, key: str) -> None:
    old = session.get(AnswerRow, (audit_id, key))
    if old is not None:
        session.delete(old)


def _answer_from_row(row: AnswerRow) -> Answer:
    return Answer(
        value=decode_value(row.value),
        na=row.na,
        deduct=row.deduct,
        note=row.note,
        evidence=tuple(row.evidence),
    )


def answers_of(session: Session, audit: Audit, unit: str) -> Answers:
    rows = session.scalars(select(AnswerRow).where(AnswerRow.audit_id == audit.id).order_by(AnswerRow.position))
    return Answers(
        format=1,
        ruleset=audit.ruleset_id,
        ruleset_version=audit.ruleset_version,
        unit=unit,
        date=audit.date,
        mode=audit.mode,
        inspectors=tuple(audit.inspectors),
        methods=tuple(audit.methods),
        answers={row.key: _answer_from_row(row) for row in rows},
    )


def particulars(audit: Audit, unit: str) -> dict[str, Any]:
    """The audit's particulars as sealed; `unit` is the unit's name at sealing."""
    return {
        "unit": unit,
        "date": audit.date.isoformat(),
        "mode": audit.mode,
        "inspectors": list(audit.inspectors),
        "methods": list(audit.methods),
        "ruleset_id": audit.ruleset_id,
        "ruleset_version": audit.ruleset_version,
        "revision": audit.revision,
    }


# --- sealed revisions ----------------------------------------------------------------------------


def add_revision(
    session: Session,
    audit: Audit,
    *,
    unit: str,
    snapshot: Mapping[str, Any],
    result_json: str,
    seal: str,
    reason: str,
    actor: str,
    at: dt.datetime,
    seal_format: int,
    engine_version: str,
) -> None:
    session.add(
        AuditRevision(
            audit_id=audit.id,
            revision=audit.revision,
            unit_name=unit,
            particulars=particulars(audit, unit),
            answers=dict(snapshot),
            result=json.loads(result_json),
            seal=seal,
            seal_format=seal_format,
            engine_version=engine_version,
            reason=reason,
            created_by=actor,
            created_at=at,
            answered_by=answered_by_digest(answered_by(session, audit.id)),
        )
    )


def answered_by(session: Session, audit_id: int) -> dict[str, str]:
    """Who gave each current answer of an audit."""
    rows = session.execute(select(AnswerRow.key, AnswerRow.answered_by).where(AnswerRow.audit_id == audit_id))
    return {key: person for key, person in rows}


def revisions(session: Session, audit_id: int) -> list[AuditRevision]:
    return list(
        session.scalars(
            select(AuditRevision).where(AuditRevision.audit_id == audit_id).order_by(AuditRevision.revision)
        )
    )


def revision(session: Session, audit_id: int, number: int) -> AuditRevision | None:
    return session.get(AuditRevision, (audit_id, number))


# --- finding audits ------------------------------------------------------------------------------


def _year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def originals_in_scope(
    session: Session, *, unit_id: int, ruleset_id: str, campaign_id: int | None, year: int
) -> list[Audit]:
    """Original (not re-inspection) audits, draft or final, of this unit and ruleset in this campaign,
    or, outside any campaign, in this year."""
    query = select(Audit).where(
        Audit.unit_id == unit_id,
        Audit.ruleset_id == ruleset_id,
        Audit.reinspection_of.is_(None),
        Audit.status.in_(("draft", "final")),
    )
    if campaign_id is not None:
        query = query.where(Audit.campaign_id == campaign_id)
    else:
        first, last = _year_bounds(year)
        query = query.where(Audit.campaign_id.is_(None), Audit.date >= first, Audit.date <= last)
    return list(session.scalars(query.order_by(Audit.id)))


def chain(session: Session, chain_id: int) -> list[Audit]:
    """The audits of a chain, the original first, then its re-inspections in order."""
    return list(
        session.scalars(select(Audit).where(Audit.chain_id == chain_id, Audit.status != "discarded").order_by(Audit.id))
    )


def open_reinspection(session: Session, chain_id: int) -> Audit | None:
    return session.scalars(
        select(Audit).where(Audit.chain_id == chain_id, Audit.status == "draft", Audit.reinspection_of.is_not(None))
    ).first()


def submission(session: Session, digest: str) -> Submission | None:
    """The import record of this content. When the row has gone but the ledger still holds it (deleted
    behind seccheck's back), the ledger's copy: the same content is still recognised as imported
    (and `verify` reports the deletion)."""
    found = session.get(Submission, digest)
    if found is not None:
        return found
    from seccheck.storage import ledger

    row = ledger.latest_row(session, "submissions", [digest])
    if row is None or row.get("audit_id") is None:
        return None
    return Submission(digest=digest, audit_id=row["audit_id"], source=row.get("source") or "")


def forget_submission(session: Session, digest: str) -> None:
    """Forget a submission whose audit was discarded, so the same file can be imported afresh."""
    # Through the session, so that the ledger records the import record's removal.
    found = session.get(Submission, digest)
    if found is not None:
        session.delete(found)


def lock(session: Session, audit_id: int) -> None:
    """Serialise changes to one audit's chain (PostgreSQL row lock; SQLite writers are serial already)."""
    session.execute(select(Audit.id).where(Audit.id == audit_id).with_for_update())


def add_submission(session: Session, digest: str, audit_id: int, source: str, actor: str, at: dt.datetime) -> None:
    session.add(Submission(digest=digest, audit_id=audit_id, source=source[:500], imported_by=actor, imported_at=at))


# --- listing -------------------------------------------------------------------------------------


def ids_with_status(session: Session, status: str) -> list[int]:
    return list(session.scalars(select(Audit.id).where(Audit.status == status).order_by(Audit.id)))


def listing(
    session: Session,
    *,
    unit_id: int | None = None,
    campaign_id: int | None = None,
    status: str | None = None,
) -> list[AuditSummary]:
    query = select(Audit, Unit.name).join(Unit, Unit.id == Audit.unit_id).order_by(Audit.id)
    if unit_id is not None:
        query = query.where(Audit.unit_id == unit_id)
    if campaign_id is not None:
        query = query.where(Audit.campaign_id == campaign_id)
    query = query.where(Audit.status == status) if status else query.where(Audit.status != "discarded")
    names = {c.id: c.name for c in session.scalars(select(Campaign))}
    return [
        AuditSummary(
            a.id,
            name,
            names.get(a.campaign_id) if a.campaign_id else None,
            a.ruleset_id,
            a.ruleset_version,
            a.date,
            a.mode,
            a.status,
            a.grade,
            None if a.percent is None else str(a.percent),
            a.revision,
            a.reinspection_of,
        )
        for a, name in session.execute(query)
    ]
