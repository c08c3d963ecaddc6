"""An audit as the use cases hand it out: `AuditRecord` (read by `record_of`), the documents written for
it, why it was voided and its problems' deadlines. Below `audits` and `documents`, which both use it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from seccheck.domain.answers import Answers
from seccheck.domain.result import Result, result_from_data
from seccheck.ruleset.load import LoadedRuleset
from seccheck.storage import audits as repo
from seccheck.storage import events
from seccheck.storage import findings as finding_repo
from seccheck.storage.tables import Audit, Campaign


@dataclass(frozen=True)
class Document:
    kind: str
    number: str | None
    path: Path
    fetched: tuple[str, ...] = ()  # what the PDF renderer asked for (served or refused): nothing, normally


STATUS_NAMES = {"draft": "草稿", "final": "已定稿", "discarded": "已作废", "void": "定稿后作废"}


@dataclass(frozen=True)
class VoidInfo:
    audit_id: int
    reason: str
    actor: str
    at: dt.datetime
    numbers: list[str]  # its notice numbers, kept and marked 作废 in the register


def void_info(session: Session, audit: Audit) -> VoidInfo | None:
    """Why and by whom a voided audit was voided (from its sealed event)."""
    if audit.status != "void":
        return None
    found = [e for e in events.listing(session, audit.id) if e.action == "audit.voided"]
    if not found:
        return VoidInfo(audit.id, "", "", audit.created_at, [])
    e = found[-1]
    numbers = [str(n) for n in (e.detail or {}).get("numbers", [])]
    return VoidInfo(audit.id, str((e.detail or {}).get("reason", "")), e.actor, e.at, numbers)


def recorded_dues(session: Session, audit: Audit) -> dict[str, dt.date]:
    rows = finding_repo.of_chain(session, audit.chain_id or audit.id, before=audit.id + 1)
    return {f.check_id: r.due for f, r in rows if r.state != "withdrawn"}


@dataclass
class AuditRecord:
    id: int
    unit: str
    campaign: str | None
    ruleset: LoadedRuleset
    answers: Answers
    status: str
    revision: int
    reinspection_of: int | None
    chain_id: int | None
    seal: str | None
    result: Result | None
    result_json: str | None
    source: str
    created_by: str
    created_at: dt.datetime
    finalized_at: dt.datetime | None
    dues: dict[str, dt.date] = field(default_factory=dict)
    voided: VoidInfo | None = None


def record_of(session: Session, audit: Audit) -> AuditRecord:
    unit = repo.unit_name(session, audit)
    campaign = session.get(Campaign, audit.campaign_id) if audit.campaign_id else None
    return AuditRecord(
        id=audit.id,
        unit=unit,
        campaign=campaign.name if campaign else None,
        ruleset=repo.ruleset_of(session, audit),
        answers=repo.answers_of(session, audit, unit),
        status=audit.status,
        revision=audit.revision,
        reinspection_of=audit.reinspection_of,
        chain_id=audit.chain_id,
        seal=audit.seal,
        result=result_from_data(audit.result) if audit.result else None,
        result_json=json.dumps(audit.result, ensure_ascii=False) if audit.result is not None else None,
        source=audit.source,
        created_by=audit.created_by,
        created_at=audit.created_at,
        finalized_at=audit.finalized_at,
        dues=recorded_dues(session, audit),
        voided=void_info(session, audit),
    )
