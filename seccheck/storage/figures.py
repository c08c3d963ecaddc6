"""What campaign figures are counted from: final audits with their stored results, and the findings
of their chains with their rectifications. Counting itself is seccheck.domain.figures."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from seccheck.domain.figures import AuditFacts, FindingFacts
from seccheck.ruleset.load import LoadedRuleset
from seccheck.storage.audits import frozen_ruleset
from seccheck.storage.tables import Audit, Campaign, FindingRow, Rectification, RulesetCopy, Unit


def campaigns_of_year(session: Session, year: int) -> list[Campaign]:
    return list(session.scalars(select(Campaign).where(Campaign.year == year).order_by(Campaign.id)))


def latest_rulesets(session: Session, campaign_ids: list[int]) -> dict[str, LoadedRuleset]:
    """Per ruleset id, the copy its latest final audit in these campaigns was scored with."""
    if not campaign_ids:
        return {}
    last = (
        select(func.max(Audit.id))
        .where(Audit.campaign_id.in_(campaign_ids), Audit.status == "final")
        .group_by(Audit.ruleset_id)
    )
    rows = session.execute(
        select(Audit.ruleset_id, RulesetCopy.text, RulesetCopy.sha256)
        .join(RulesetCopy, RulesetCopy.sha256 == Audit.ruleset_sha256)
        .where(Audit.id.in_(last))
    ).all()
    return {ruleset: frozen_ruleset(text, sha) for ruleset, text, sha in rows}


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
        AuditFacts(audit_id, unit, chain_id or audit_id, follows is not None, result)
        for audit_id, unit, chain_id, follows, result in rows
        if result
    ]
    # The campaign's chains as a subquery, not a list of parameters: one bound value per chain made
    # the query grow faster than the campaign (issue 26).
    chains = (
        select(func.coalesce(Audit.chain_id, Audit.id))
        .where(Audit.campaign_id == campaign_id, Audit.status == "final")
        .scalar_subquery()
    )
    found = session.execute(
        select(FindingRow, Rectification, Audit.chain_id, Unit.name)
        .join(Rectification, Rectification.finding_id == FindingRow.id)
        .join(Audit, Audit.id == FindingRow.audit_id)
        .join(Unit, Unit.id == Audit.unit_id)
        .where(Audit.chain_id.in_(chains) if audits else Audit.id == -1, Audit.status == "final")
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
            "deduction": str(f.deduction),
            "due": r.due,
            "state": r.state,
            "rect_id": r.id,
            "note": r.report_note or "",
            "reason": r.reason or "",
        }
        for f, r, chain, unit in found
    ]
    return audits, findings, detail
