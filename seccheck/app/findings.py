"""Keeping findings and rectifications in step with an audit's latest revision (records.md §2–§3).

Called inside the transaction that finalises or amends an audit, so an audit is never final without
its findings, and a re-inspection never final without its close-out, whatever finished it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from seccheck.app.context import Context
from seccheck.domain.rectification import due_date
from seccheck.domain.reinspection import Comparison, compare
from seccheck.domain.result import Finding, Result
from seccheck.storage import events
from seccheck.storage import findings as repo
from seccheck.storage.tables import Audit, FindingRow, Rectification
from seccheck.text import zh


def _due(ctx: Context, audit: Audit, finding: Finding, issued: dt.date) -> dt.date:
    return due_of(ctx, audit.date, finding, issued)


def due_of(ctx: Context, audit_date: dt.date, finding: Finding, issued: dt.date) -> dt.date:
    """A new problem's deadline (its notice issued on `issued`; see `sync`)."""
    return due_date(
        finding.deadline_days,
        audit_date=audit_date,
        issued=issued,
        deadline_from=ctx.workspace.config.rectification.deadline_from,
    )


def _event(session: Session, ctx: Context, action: str, audit_id: int, **detail: object) -> None:
    events.record(session, at=ctx.at(), actor=ctx.actor, action=action, audit_id=audit_id, **detail)


def _open_or_update(
    session: Session,
    ctx: Context,
    audit: Audit,
    finding: Finding,
    existing: tuple[FindingRow, Rectification] | None,
    issued: dt.date,
) -> None:
    if existing is None:
        row = repo.open_finding(
            session, audit.id, finding, zh.finding_text(finding), _due(ctx, audit, finding, issued), ctx.actor, ctx.at()
        )
        _event(
            session, ctx, "finding.opened", audit.id, finding=row.id, check=finding.check_id, revision=audit.revision
        )
        return
    row, rect = existing
    repo.update_finding(row, finding, zh.finding_text(finding))
    if rect.state == "withdrawn":
        # Failing again after an amendment had withdrawn it: the same problem, open again.
        rect.state, rect.updated_at, rect.updated_by = "open", ctx.at(), ctx.actor
        repo.set_due(row, rect, _due(ctx, audit, finding, issued))
        _event(
            session, ctx, "finding.reopened", audit.id, finding=row.id, check=finding.check_id, revision=audit.revision
        )


def _withdraw(session: Session, ctx: Context, audit: Audit, row: FindingRow, rect: Rectification) -> None:
    before = rect.state
    rect.state, rect.updated_at, rect.updated_by = "withdrawn", ctx.at(), ctx.actor
    _event(
        session,
        ctx,
        "finding.withdrawn",
        audit.id,
        finding=row.id,
        check=row.check_id,
        before=before,
        revision=audit.revision,
    )


def sync(session: Session, ctx: Context, audit: Audit, result: Result) -> Comparison | None:
    """Open, keep, update or withdraw the audit's findings; for a re-inspection, close out its chain.

    A new problem's deadline counts from today: the day its notice (or corrected notice) is issued;
    the first notice recounts them from its own date (seccheck.app.documents).
    """
    issued = ctx.today()
    own = repo.of_audit(session, audit.id)
    comparison = None
    failing = {f.check_id: f for f in result.findings}
    if audit.reinspection_of is not None:
        comparison = _close_out(session, ctx, audit, result)
        # The chain's open problems stay with the audit that found them; only new ones are this audit's.
        failing = {c: failing[c] for c in comparison.newly_failing}
    for check_id, finding in failing.items():
        _open_or_update(session, ctx, audit, finding, own.get(check_id), issued)
    for check_id, (row, rect) in own.items():
        if check_id not in failing and rect.state != "withdrawn":
            _withdraw(session, ctx, audit, row, rect)
    return comparison


def _close_out(session: Session, ctx: Context, audit: Audit, result: Result) -> Comparison:
    """Compare with the problems open in the chain: those this re-inspection asked about and found
    compliant are verified; those still failing keep their rectification, with a deadline counted
    from the re-inspection. Run again after an amendment, it undoes a verification it no longer backs.

    A problem verified by a later re-inspection, or closed before this one, is not this one's to
    change; a check failing again after its problem was closed is a new problem.
    """
    assert audit.chain_id is not None
    asked = set(audit.asked or [])
    known: dict[str, tuple[FindingRow, Rectification]] = {}
    for row, rect in repo.of_chain(session, audit.chain_id, before=audit.id):
        if rect.state != "withdrawn":
            known[row.check_id] = (row, rect)  # the latest finding of each check in the chain
    candidates: dict[str, tuple[FindingRow, Rectification]] = {}
    later: set[str] = set()
    for check_id, (row, rect) in known.items():
        if rect.state != "verified" or rect.verified_by == audit.id:
            candidates[check_id] = (row, rect)
        elif rect.verified_by is not None and rect.verified_by > audit.id:
            later.add(check_id)  # a later re-inspection's verification: left as it is
    comparison = compare(candidates, result, asked=asked, known=later)
    failing = {f.check_id: f for f in result.findings}
    for check_id in comparison.fixed:
        row, rect = candidates[check_id]
        if rect.state != "verified":
            before = rect.state
            rect.state, rect.verified_by, rect.updated_at, rect.updated_by = "verified", audit.id, ctx.at(), ctx.actor
            _event(
                session,
                ctx,
                "rectification.verify",
                row.audit_id,
                rectification=rect.id,
                check=check_id,
                before=before,
                after="verified",
                via_reinspection=audit.id,
            )
    for check_id in (*comparison.still_failing, *comparison.unchecked):
        row, rect = candidates[check_id]
        if rect.state == "verified":
            # An amendment of this re-inspection no longer backs the verification it made.
            after = "reported" if rect.report_note else "open"
            rect.state, rect.verified_by, rect.updated_at, rect.updated_by = after, None, ctx.at(), ctx.actor
            _event(
                session,
                ctx,
                "rectification.unverify",
                row.audit_id,
                rectification=rect.id,
                check=check_id,
                after=after,
                via_reinspection=audit.id,
            )
    for check_id in comparison.still_failing:
        row, rect = candidates[check_id]
        # The new deadline counts from the re-inspection, so amending it later does not move it again.
        repo.set_due(row, rect, max(rect.due, _due(ctx, audit, failing[check_id], audit.date)))
    return comparison
