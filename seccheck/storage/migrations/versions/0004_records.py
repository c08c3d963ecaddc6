"""Records with identity (records.md §1–§3): an audit keeps its id across revisions, findings keep
theirs across revisions and re-inspections, imports are recognised by content.

0.1.0 stored each revision as a new audit row (`revision_of` / `superseded_by`) with its own
findings and fresh rectifications, and a re-inspection repeated the findings still failing. This
migration folds each chain of revisions into its first row:

- every final revision is kept, as sealed, in `audit_revisions` (its seal still verifies);
- the first row takes the latest revision's particulars, result, seal and answers;
- one finding per (audit, check): the latest revision's, carrying the furthest rectification state
  any revision reached (verified > reported > rejected > open); a check that failed only in earlier
  revisions keeps its finding, withdrawn;
- a re-inspection's finding for a check still open in its chain is folded into that finding;
- notice numbers stay (never reused) and point at the audit; an audit may thus hold two numbers
  issued by 0.1.0, and keeps the first.

The old columns `revision_of` and `superseded_by` stay in the table, unused: rebuilding `audits` on
SQLite would cascade-delete its answers.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

RANK = {"open": 0, "rejected": 1, "reported": 2, "verified": 3}


def _canonical(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def upgrade() -> None:
    op.create_table(
        "audit_revisions",
        sa.Column("audit_id", sa.Integer, sa.ForeignKey("audits.id"), primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("unit_name", sa.String(200), nullable=False),
        sa.Column("particulars", sa.Text, nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("seal", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("created_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "submissions",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("audit_id", sa.Integer, sa.ForeignKey("audits.id"), nullable=False),
        sa.Column("source", sa.String(500), nullable=False, server_default=""),
        sa.Column("imported_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("imported_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "unit_aliases",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("audit_id", sa.Integer, sa.ForeignKey("audits.id"), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("number_id", sa.Integer, nullable=True),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.add_column("audits", sa.Column("chain_id", sa.Integer, nullable=True))
    op.add_column("audits", sa.Column("asked", sa.Text, nullable=True))
    op.add_column("findings", sa.Column("deadline_days", sa.Integer, nullable=True))
    op.add_column("rectifications", sa.Column("verified_by", sa.Integer, nullable=True))
    _rebuild_notice_numbers()
    _fold_revisions(op.get_bind())


def _rebuild_notice_numbers() -> None:
    # An audit may now hold the numbers 0.1.0 issued to each of its revisions: drop unique(audit_id).
    # Nothing refers to this table, so copying it is safe on both databases.
    op.create_table(
        "notice_numbers_new",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("issuer", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("audit_id", sa.Integer, sa.ForeignKey("audits.id"), nullable=False),
        sa.Column("issued_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("issuer", "year", "number", name="uq_notice_numbers_issuer_year_number"),
    )
    op.execute(
        "INSERT INTO notice_numbers_new (id, issuer, year, number, audit_id, issued_at) "
        "SELECT id, issuer, year, number, audit_id, issued_at FROM notice_numbers"
    )
    op.drop_table("notice_numbers")
    op.rename_table("notice_numbers_new", "notice_numbers")
    op.create_index("ix_notice_numbers_audit", "notice_numbers", ["audit_id"])
    if op.get_bind().dialect.name == "postgresql":
        # Keep the id sequence going past the copied ids.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('notice_numbers', 'id'), "
            "COALESCE((SELECT max(id) FROM notice_numbers), 0) + 1, false)"
        )


def _fold_revisions(conn: sa.Connection) -> None:
    audits = {row.id: row for row in conn.execute(sa.text("SELECT * FROM audits ORDER BY id"))}
    units = {row.id: row.name for row in conn.execute(sa.text("SELECT id, name FROM units"))}
    answers: dict[int, list[Any]] = defaultdict(list)
    for row in conn.execute(sa.text("SELECT * FROM answers ORDER BY audit_id, position")):
        answers[row.audit_id].append(row)

    def root(audit_id: int) -> int:
        while audits[audit_id].revision_of is not None:
            audit_id = audits[audit_id].revision_of
        return audit_id

    chains: dict[int, list[Any]] = defaultdict(list)
    for audit in audits.values():
        chains[root(audit.id)].append(audit)
    moved = {a.id: root(a.id) for a in audits.values()}

    for root_id, rows in chains.items():
        rows.sort(key=lambda a: a.revision)
        for row in rows:
            if row.status != "final" or not row.seal:
                continue
            unit_name = units[row.unit_id]
            particulars = {
                "unit": unit_name,
                "date": str(row.date),
                "mode": row.mode,
                "inspectors": json.loads(row.inspectors),
                "methods": json.loads(row.methods),
                "ruleset_id": row.ruleset_id,
                "ruleset_version": row.ruleset_version,
                "revision": row.revision,
            }
            snapshot = {
                a.key: {
                    "value": json.loads(a.value),
                    "na": bool(a.na),
                    "deduct": a.deduct,
                    "note": a.note,
                    "evidence": json.loads(a.evidence),
                }
                for a in answers[row.id]
            }
            conn.execute(
                sa.text(
                    "INSERT INTO audit_revisions (audit_id, revision, unit_name, particulars, answers, result, seal,"
                    " reason, created_by, created_at) VALUES (:a, :r, :u, :p, :ans, :res, :s, '', :by, :at)"
                ),
                {
                    "a": root_id,
                    "r": row.revision,
                    "u": unit_name,
                    "p": _canonical(particulars),
                    "ans": _canonical(snapshot),
                    "res": _canonical(json.loads(row.result)),
                    "s": row.seal,
                    "by": row.created_by,
                    "at": row.finalized_at or row.created_at,
                },
            )
        latest = rows[-1]
        if latest.id != root_id:
            conn.execute(sa.text("DELETE FROM answers WHERE audit_id = :a"), {"a": root_id})
            conn.execute(
                sa.text("UPDATE answers SET audit_id = :r WHERE audit_id = :a"), {"r": root_id, "a": latest.id}
            )
            conn.execute(
                sa.text(
                    "UPDATE audits SET ruleset_version = :v, ruleset_sha256 = :sha, inspectors = :i, methods = :m,"
                    " date = :d, status = :st, revision = :rev, grade = :g, percent = :pc, result = :res, seal = :s,"
                    " finalized_at = :f WHERE id = :id"
                ),
                {
                    "v": latest.ruleset_version,
                    "sha": latest.ruleset_sha256,
                    "i": latest.inspectors,
                    "m": latest.methods,
                    "d": latest.date,
                    "st": latest.status,
                    "rev": latest.revision,
                    "g": latest.grade,
                    "pc": latest.percent,
                    "res": latest.result,
                    "s": latest.seal,
                    "f": latest.finalized_at,
                    "id": root_id,
                },
            )

    # Re-inspections follow the audit, not one of its revision rows; chains start at an original.
    def chain(audit_id: int) -> int:
        audit = audits[moved[audit_id]]
        return chain(audit.reinspection_of) if audit.reinspection_of is not None else audit.id

    for root_id in chains:
        follows = audits[root_id].reinspection_of
        conn.execute(
            sa.text("UPDATE audits SET reinspection_of = :f, chain_id = :c WHERE id = :id"),
            {"f": moved[follows] if follows is not None else None, "c": chain(root_id), "id": root_id},
        )

    _fold_findings(conn, audits, moved, chain)

    conn.execute(sa.text("UPDATE audits SET revision_of = NULL, superseded_by = NULL"))
    for audit_id, root_id in moved.items():
        if audit_id != root_id:
            conn.execute(
                sa.text("UPDATE notice_numbers SET audit_id = :r WHERE audit_id = :a"), {"r": root_id, "a": audit_id}
            )
            conn.execute(sa.text("DELETE FROM answers WHERE audit_id = :a"), {"a": audit_id})
            conn.execute(sa.text("DELETE FROM audits WHERE id = :a"), {"a": audit_id})


def _fold_findings(conn: sa.Connection, audits: dict[int, Any], moved: dict[int, int], chain: Any) -> None:
    rows = conn.execute(
        sa.text(
            "SELECT f.id AS fid, f.audit_id, f.check_id, f.due, r.id AS rid, r.state, r.report_note,"
            " r.report_evidence, r.reason, r.updated_at, r.updated_by"
            " FROM findings f JOIN rectifications r ON r.finding_id = f.id ORDER BY f.id"
        )
    ).all()
    by_key: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for row in rows:
        by_key[(moved[row.audit_id], row.check_id)].append(row)
    latest_revision: dict[int, int] = {}
    for audit in audits.values():
        latest_revision[moved[audit.id]] = max(latest_revision.get(moved[audit.id], 0), audit.revision)
    kept: dict[tuple[int, str], Any] = {}
    for (root_id, check), found in by_key.items():
        found.sort(key=lambda r: audits[r.audit_id].revision)
        keep = found[-1]
        best = max(found, key=lambda r: (RANK.get(r.state, 0), r.updated_at))
        still_failing = audits[keep.audit_id].revision == latest_revision[root_id]
        state = best.state if still_failing else "withdrawn"
        _take_progress(conn, keep.rid, state, best)
        days = (_as_date(keep.due) - _as_date(audits[keep.audit_id].date)).days
        for other in found[:-1]:
            _drop_finding(conn, other.fid)
        conn.execute(
            sa.text("UPDATE findings SET audit_id = :a, deadline_days = :d WHERE id = :id"),
            {"a": root_id, "d": days, "id": keep.fid},
        )
        kept[(root_id, check)] = (keep, state, best)

    # A re-inspection repeated the findings still failing: fold each into the chain's earlier open
    # finding, which takes over whatever progress was recorded against the repeat.
    dropped: set[tuple[int, str]] = set()
    for (root_id, check), (row, state, best) in sorted(kept.items()):
        if audits[root_id].reinspection_of is None or state == "withdrawn":
            continue
        chain_id = chain(root_id)
        earlier = [
            (r, c)
            for (r, c), v in kept.items()
            if c == check
            and r < root_id
            and (r, c) not in dropped
            and chain(r) == chain_id
            and v[1] not in ("withdrawn", "verified")
        ]
        if not earlier:
            continue
        target = max(earlier)
        target_row, target_state, _ = kept[target]
        if RANK.get(state, 0) > RANK.get(target_state, 0):
            _take_progress(conn, target_row.rid, state, best)
            kept[target] = (target_row, state, best)
        _drop_finding(conn, row.fid)
        dropped.add((root_id, check))

    # What each re-inspection asked again, from the log: only those answers can verify a problem fixed.
    for event in conn.execute(sa.text("SELECT audit_id, detail FROM events WHERE action = 'audit.reinspection'")):
        reopened = json.loads(event.detail or "{}").get("reopened")
        if event.audit_id in moved and isinstance(reopened, list):
            conn.execute(
                sa.text("UPDATE audits SET asked = :a WHERE id = :id"),
                {"a": _canonical(sorted(reopened)), "id": moved[event.audit_id]},
            )

    # Which re-inspection verified what, from the log: an amendment of it can then undo its verification.
    for event in conn.execute(sa.text("SELECT detail FROM events WHERE action = 'rectification.verify'")):
        detail = json.loads(event.detail or "{}")
        via, rect_id = detail.get("via_reinspection"), detail.get("rectification")
        if via in moved and isinstance(rect_id, int):
            conn.execute(
                sa.text("UPDATE rectifications SET verified_by = :v WHERE id = :id AND state = 'verified'"),
                {"v": moved[via], "id": rect_id},
            )


def _take_progress(conn: sa.Connection, rect_id: int, state: str, source: Any) -> None:
    """Rectification `rect_id` takes `state` and the note, evidence and reason recorded on `source`."""
    conn.execute(
        sa.text(
            "UPDATE rectifications SET state = :st, report_note = :n, report_evidence = :e, reason = :rs,"
            " updated_at = :at, updated_by = :by WHERE id = :id"
        ),
        {
            "st": state,
            "n": source.report_note,
            "e": source.report_evidence,
            "rs": source.reason,
            "at": source.updated_at,
            "by": source.updated_by,
            "id": rect_id,
        },
    )


def _drop_finding(conn: sa.Connection, finding_id: int) -> None:
    conn.execute(sa.text("DELETE FROM rectifications WHERE finding_id = :f"), {"f": finding_id})
    conn.execute(sa.text("DELETE FROM findings WHERE id = :f"), {"f": finding_id})


def _as_date(value: Any) -> Any:
    import datetime as dt

    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def downgrade() -> None:
    raise NotImplementedError("0004 folds revisions into one audit; restore a backup to go back to 0.1.0")
