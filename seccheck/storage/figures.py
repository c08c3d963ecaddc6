"""What campaign figures are counted from: final audits with their stored results, and the findings
of their chains with their rectifications. Counting itself is seccheck.domain.figures."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seccheck.domain.figures import AuditFacts, FindingFacts
from seccheck.storage.tables import Audit, FindingRow, Rectification, Unit


def campaign_facts(
    session: Session, campaign_id: int
) -> tuple[list[AuditFacts], list[FindingFacts], list[dict[str, Any]]]:
    rows = session.execute(
        select(Audit.id, Unit.name, Audit.chain_id, Audit.reinspection_of, Audit.result)
        .join(Unit, Unit.id == Audit.unit_id)
        .where(Audit.campaign_id == campaign_id, Audit.status == "final")
        .order_by(Audit.id)
    ).all()
    audits = [
        AuditFacts(audit_id, unit, chain_id or audit_id, follows is not None, json.loads(result))
        for audit_id, unit, chain_id, follows, result in rows
        if result
    ]
    chains = {a.chain_id for a in audits}
    found = session.execute(
        select(FindingRow, Rectification, Audit.chain_id, Unit.name)
        .join(Rectification, Rectification.finding_id == FindingRow.id)
        .join(Audit, Audit.id == FindingRow.audit_id)
        .join(Unit, Unit.id == Audit.unit_id)
        .where(Audit.chain_id.in_(chains) if chains else Audit.id == -1, Audit.status == "final")
        .order_by(FindingRow.audit_id, FindingRow.id)
    ).all()
    findings = [FindingFacts(chain or f.audit_id, f.check_id, f.text, r.state, r.due) for f, r, chain, _ in found]
    detail = [
        {
            "audit_id": f.audit_id,
            "chain_id": chain or f.audit_id,
            "unit": unit,
            "check_id": f.check_id,
            "text": f.text,
            "severity": f.severity,
            "deduction": f.deduction,
            "due": r.due,
            "state": r.state,
            "rect_id": r.id,
            "note": r.report_note or "",
            "reason": r.reason or "",
        }
        for f, r, chain, unit in found
    ]
    return audits, findings, detail
