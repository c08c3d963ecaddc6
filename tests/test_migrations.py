"""Alembic migrations: the models match them, and an old database upgrades losing nothing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Date, MetaData, Table, func, insert, select, text

from seccheck.app.audit_verify import verify
from seccheck.app.audits import amend
from seccheck.app.context import Context, FixedClock
from seccheck.app.verification import check_ledger
from seccheck.domain.answers import Answer
from seccheck.storage import db as dbmod
from seccheck.storage.db import Database, make_engine, migrate
from seccheck.storage.tables import (
    AnswerRow,
    Audit,
    AuditRevision,
    Base,
    Event,
    FindingRow,
    NoticeNumber,
    Rectification,
)
from seccheck.storage.workspace import Issuer, init_workspace
from tests.conftest import DATA


def test_head_constant_is_alembic_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(dbmod.MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == dbmod.HEAD


def test_models_match_the_migrated_schema(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    database = Database(db_url)
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    database.close()
    assert diff == [], diff


FIXTURE = DATA / "v0.1.0-records.json"  # a workspace made by seccheck 0.1.0 (schema 0003); see tests/data/README.md
TABLE_ORDER = [
    "units",
    "campaigns",
    "campaign_units",
    "ruleset_copies",
    "audits",
    "answers",
    "findings",
    "rectifications",
    "notice_numbers",
    "events",
]


def _load_fixture(db_url: str, tweak: Any = None) -> dict[str, list[dict[str, Any]]]:
    """The 0.1.0 records (changed by `tweak` first, if given), written into a database at 0.1.0's schema."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    if tweak is not None:
        tweak(data["tables"])
    assert data["alembic_version"] == "0003"
    engine = make_engine(db_url)
    migrate(engine, "0003")
    with engine.begin() as conn:
        for name in TABLE_ORDER:
            table = Table(name, MetaData(), autoload_with=conn)
            rows = [
                {k: dt.date.fromisoformat(v) if isinstance(table.c[k].type, Date) and v else v for k, v in row.items()}
                for row in data["tables"][name]
            ]
            if rows:
                conn.execute(insert(table), rows)
            if conn.dialect.name == "postgresql" and "id" in table.c:
                # The rows came with their ids, as 0.1.0 wrote them: move the sequence past them, as 0.1.0's was.
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
                )
    engine.dispose()
    return data["tables"]


def test_upgrade_from_0_1_0_keeps_every_record_and_its_seal(db_url: str, tmp_path: Path) -> None:
    old = _load_fixture(db_url)
    workspace = init_workspace(tmp_path / "ws", Issuer(name="某区国家保密局", prefix="某保检"), [], db_url)
    ctx = Context("测试员", workspace, Database(db_url), FixedClock(dt.date(2026, 11, 30)))  # opening upgrades
    with ctx.db.read() as session:
        audits = {a.id: a for a in session.scalars(select(Audit))}
        revisions = session.scalars(select(AuditRevision)).all()
        events = session.scalar(select(func.count()).select_from(Event))
        numbers = session.scalars(select(NoticeNumber).order_by(NoticeNumber.id)).all()
        findings = {
            (f.audit_id, f.check_id): (f, r)
            for f, r in session.execute(select(FindingRow, Rectification).join(Rectification))
        }
    # The revision rows 10 and 11 of audit 6 became its revisions 2 and 3: one audit, its id kept.
    assert sorted(audits) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13]
    assert audits[6].revision == 3 and audits[6].seal == next(a["seal"] for a in old["audits"] if a["id"] == 11)
    assert sorted((r.audit_id, r.revision) for r in revisions if r.audit_id == 6) == [(6, 1), (6, 2), (6, 3)]
    assert len(revisions) == 12 - 2 + 2  # every final revision kept: 12 final rows, folded into 10 audits
    assert audits[12].reinspection_of == 7 and audits[12].chain_id == 7 and audits[7].chain_id == 7
    assert audits[13].status == "draft"
    # Every old seal still verifies, by its own rule, after the fold.
    for audit_id, audit in audits.items():
        if audit.status == "final":
            assert verify(ctx, audit_id) == [], audit_id
    # ... and the upgrade recorded every existing row in the ledger, so the whole workspace verifies.
    with ctx.db.read() as session:
        kept_formats = {r.seal_format for r in session.scalars(select(AuditRevision))}
    assert kept_formats == {1}
    assert check_ledger(ctx).problems == []
    # Nothing of the history is lost; notice numbers are never dropped (audit 6 keeps its first).
    assert events == len(old["events"])
    assert [(n.number, n.audit_id) for n in numbers] == [(n, n) for n in range(1, 9)] + [(9, 6), (10, 12)]
    # One finding per (audit, check): audit 6's three sets of findings are one set, still open.
    six = {c: r.state for (a, c), (f, r) in findings.items() if a == 6}
    assert len(six) == 9 and set(six.values()) == {"open"}
    # The re-inspection's repeat of W07 is folded into the original finding, which keeps its state.
    seven = {c: r.state for (a, c), (f, r) in findings.items() if a == 7}
    assert seven == {
        "W01b": "verified",
        "W02": "verified",
        "W07": "rejected",
        "W08": "verified",
        "W11": "verified",
        "W13": "verified",
    }
    assert not [k for k in findings if k[0] == 12]
    assert len(findings) == len(old["findings"]) - 18 - 1
    # The migrated records take part in new work: an amendment keeps the audit and its findings.
    done = amend(ctx, 6, {"24": Answer(value=True)}, "复核", notice=False)
    assert done.revision == 4 and verify(ctx, 6) == []
    assert check_ledger(ctx).problems == []  # the amendment, in seal format 2, chained after the upgrade
    after = {f.check_id: r.state for f, r in _findings_of(ctx, 6)}
    assert after["24"] == "withdrawn" and sum(1 for s in after.values() if s == "open") == 8
    ctx.db.close()


def test_upgrade_converts_every_value_to_its_type_and_keeps_the_log_append_only(db_url: str, tmp_path: Path) -> None:
    """Migration 0006 on the 0.1.0 records: the same values, typed; the log still refuses changes."""
    import pytest
    from sqlalchemy import inspect

    old = _load_fixture(db_url)
    database = Database(db_url)  # opening upgrades through 0006
    with database.read() as session:
        events = {e.id: e for e in session.scalars(select(Event))}
        numbers = {n.id: n for n in session.scalars(select(NoticeNumber))}
        audits = {a.id: a for a in session.scalars(select(Audit))}
        answers = {(a.audit_id, a.key): a for a in session.scalars(select(AnswerRow))}
        rects = {r.id: r for r in session.scalars(select(Rectification))}
    moment = dt.datetime.fromisoformat
    assert len(events) == len(old["events"])
    for row in old["events"]:
        assert (events[row["id"]].at, events[row["id"]].detail) == (moment(row["at"]), json.loads(row["detail"]))
    for row in old["notice_numbers"]:
        assert numbers[row["id"]].issued_at == dt.date.fromisoformat(row["issued_at"][:10])
    # Audits not folded by 0004 keep their own row: every typed value equals the text it was.
    kept = [row for row in old["audits"] if row["id"] in audits and row["revision_of"] is None and row["id"] != 6]
    assert len(kept) >= 8
    for row in kept:
        audit = audits[row["id"]]
        assert audit.percent == (Decimal(row["percent"]) if row["percent"] else None)
        assert str(audit.percent) == (row["percent"] or "None")  # one decimal, as shown
        assert audit.result == (json.loads(row["result"]) if row["result"] else None)
        assert (audit.inspectors, audit.methods) == (json.loads(row["inspectors"]), json.loads(row["methods"]))
        assert audit.created_at == moment(row["created_at"]) and audit.created_at.tzinfo is not None
        assert audit.finalized_at == (moment(row["finalized_at"]) if row["finalized_at"] else None)
    mine = [row for row in old["answers"] if row["audit_id"] in {r["id"] for r in kept}]
    assert any(row["deduct"] for row in mine)
    for row in mine:
        answer = answers[(row["audit_id"], row["key"])]
        assert answer.value == json.loads(row["value"]) and answer.evidence == json.loads(row["evidence"])
        assert answer.deduct == (Decimal(row["deduct"]) if row["deduct"] is not None else None)
        assert answer.answered_at == moment(row["answered_at"])
    for row in old["rectifications"]:
        if row["id"] in rects and rects[row["id"]].report_note == row["report_note"]:
            assert rects[row["id"]].report_evidence == json.loads(row["report_evidence"])
    # Plain SQL now orders by score.
    with database.engine.connect() as conn:
        order = (
            conn.execute(text("SELECT id FROM audits WHERE percent IS NOT NULL ORDER BY percent DESC, id"))
            .scalars()
            .all()
        )
        top = conn.execute(text("SELECT max(percent) FROM audits")).scalar()
        references = {
            fk["constrained_columns"][0]: fk["referred_table"] for fk in inspect(conn).get_foreign_keys("audits")
        }
    by_score = sorted((a for a in audits.values() if a.percent is not None), key=lambda a: (-a.percent, a.id))  # type: ignore[operator]
    assert order == [a.id for a in by_score]
    assert Decimal(str(top)) == by_score[0].percent
    assert {references[c] for c in ("reinspection_of", "chain_id", "superseded_by", "revision_of")} == {"audits"}
    # The event log is still append-only (SQLite rebuilt the table: its triggers are made again).
    for statement in ("UPDATE events SET actor = 'x'", "DELETE FROM events"):
        with pytest.raises(Exception, match="append-only"), database.engine.begin() as conn:
            conn.execute(text(statement))
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == len(old["events"])
    database.close()


def test_a_value_that_cannot_convert_exactly_stops_the_upgrade_and_leaves_the_database_as_it_was(
    db_url: str,
) -> None:
    import pytest

    from seccheck.errors import EnvironmentProblem

    def five_decimals(tables: dict[str, list[dict[str, Any]]]) -> None:
        finding = next(f for f in tables["findings"] if f["audit_id"] == 1)
        finding["deduction"] = "4.00001"

    _load_fixture(db_url, five_decimals)
    with pytest.raises(EnvironmentProblem, match=r"findings.*deduction.*4\.00001"):
        Database(db_url)
    engine = make_engine(db_url)
    assert dbmod.current_revision(engine) == "0003"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT deduction FROM findings WHERE deduction = '4.00001'")).scalar() == "4.00001"
        assert conn.execute(text("SELECT count(*) FROM answers")).scalar() > 0
    engine.dispose()


def test_a_format_1_seal_over_a_deduction_written_4_0_still_verifies_after_numeric(db_url: str, tmp_path: Path) -> None:
    """Seal format 1 sealed a deduction as written ("4.0"); NUMERIC keeps its value (4). The audit
    still verifies: answers compare with the sealed revision by value. (The test fails if they are
    compared as text.)"""
    from seccheck.domain.seal import seal_of

    def written_4_0(tables: dict[str, list[dict[str, Any]]]) -> None:
        audit = next(a for a in tables["audits"] if a["id"] == 1)
        answers = [a for a in tables["answers"] if a["audit_id"] == 1]
        answer = next(a for a in answers if a["deduct"] == "4")
        answer["deduct"] = "4.0"
        unit = next(u["name"] for u in tables["units"] if u["id"] == audit["unit_id"])
        particulars = {
            "unit": unit,
            "date": audit["date"],
            "mode": audit["mode"],
            "inspectors": json.loads(audit["inspectors"]),
            "methods": json.loads(audit["methods"]),
            "ruleset_id": audit["ruleset_id"],
            "ruleset_version": audit["ruleset_version"],
            "revision": audit["revision"],
        }
        snapshot = {
            a["key"]: {
                "value": json.loads(a["value"]),
                "na": bool(a["na"]),
                "deduct": a["deduct"],
                "note": a["note"],
                "evidence": json.loads(a["evidence"]),
            }
            for a in answers
        }
        audit["seal"] = seal_of(audit["ruleset_sha256"], particulars, snapshot, json.loads(audit["result"]))

    _load_fixture(db_url, written_4_0)
    workspace = init_workspace(tmp_path / "ws", Issuer(name="某区国家保密局", prefix="某保检"), [], db_url)
    ctx = Context("测试员", workspace, Database(db_url), FixedClock(dt.date(2026, 11, 30)))
    with ctx.db.read() as session:
        sealed = session.scalars(select(AuditRevision.answers).where(AuditRevision.audit_id == 1)).one()
        kept = session.scalars(select(AnswerRow.deduct).where(AnswerRow.audit_id == 1, AnswerRow.key == "K02")).one()
    assert sealed["K02"]["deduct"] == "4.0" and str(kept) == "4"
    assert verify(ctx, 1) == []
    ctx.db.close()


def test_progress_recorded_against_a_reinspection_repeat_is_kept(db_url: str, tmp_path: Path) -> None:
    """0.1.0 recorded work on a problem still failing at re-inspection against the re-inspection's own
    copy of the finding; folding the copy into the original keeps that work."""

    def verified_on_the_repeat(tables: dict[str, list[dict[str, Any]]]) -> None:
        repeat = next(f["id"] for f in tables["findings"] if f["audit_id"] == 12 and f["check_id"] == "W07")
        rect = next(r for r in tables["rectifications"] if r["finding_id"] == repeat)
        rect.update(state="verified", report_note="已全部实名", updated_at="2026-12-05T09:00:00+00:00")

    _load_fixture(db_url, verified_on_the_repeat)
    database = Database(db_url)
    with database.read() as session:
        rows = session.execute(
            select(FindingRow.audit_id, Rectification.state, Rectification.report_note)
            .join(Rectification)
            .where(FindingRow.check_id == "W07")
        ).all()
        asked = session.scalar(select(Audit.asked).where(Audit.id == 12))
    database.close()
    assert [tuple(r) for r in rows] == [(7, "verified", "已全部实名")]
    assert asked == ["W01b", "W02", "W07", "W08", "W11", "W13"]


def _findings_of(ctx: Context, audit_id: int) -> list[Any]:
    with ctx.db.read() as session:
        return list(
            session.execute(
                select(FindingRow, Rectification).join(Rectification).where(FindingRow.audit_id == audit_id)
            ).all()
        )


def test_opening_an_up_to_date_database_does_not_import_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'x.db'}"
    Database(url).close()
    code = (
        f"import sys; from seccheck.storage.db import Database; Database({url!r}).close(); "
        "print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_unsupported_url_is_an_input_error() -> None:
    import pytest

    from seccheck.errors import BadInput

    with pytest.raises(BadInput, match="不支持的数据库地址"):
        make_engine("mysql://x@y/z")
