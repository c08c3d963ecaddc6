"""Typed columns (records.md §6): a query run on the database itself sorts and sums correctly, on
SQLite and PostgreSQL alike, and what the application reads back is exact."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from seccheck.storage.db import Database
from seccheck.storage.tables import AnswerRow, Audit, AuditRevision, Event, FindingRow, RulesetCopy, Unit
from tests.conftest import ROOT, Workspace

EXAMPLES = sorted((ROOT / "examples").glob("*.answers.toml"))
UTC = dt.UTC
BEIJING = dt.timezone(dt.timedelta(hours=8))
AT = dt.datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


def _audits_with(database: Database, percents: list[str], deductions: list[str]) -> list[int]:
    """Audits with these percents, and a finding and an answer with each deduction."""

    def work(session):  # type: ignore[no-untyped-def]
        unit = Unit(name="某区财政局", created_at=AT)
        session.add(unit)
        session.add(RulesetCopy(sha256="0" * 64, ruleset_id="r", version="1", text=""))
        session.flush()
        ids = []
        for n, percent in enumerate(percents):
            audit = Audit(
                unit_id=unit.id,
                ruleset_id="r",
                ruleset_version="1",
                ruleset_sha256="0" * 64,
                mode="inspection",
                inspectors=["李明"],
                methods=[],
                date=dt.date(2026, 11, 1 + n),
                status="final",
                percent=Decimal(percent),
                grade="合格",
                result={"grade": "合格", "percent": percent, "findings": [{"deduction": deductions[0]}]},
                created_at=AT,
            )
            session.add(audit)
            session.flush()
            ids.append(audit.id)
        for n, deduction in enumerate(deductions):
            session.add(
                FindingRow(
                    audit_id=ids[0],
                    check_id=f"C{n}",
                    item_id="I",
                    category_id="k",
                    text="问题",
                    deduction=Decimal(deduction),
                    severity="general",
                    due=dt.date(2026, 12, 1),
                )
            )
            session.add(
                AnswerRow(
                    audit_id=ids[0],
                    key=f"C{n}",
                    value={"decimal": deduction},
                    deduct=Decimal(deduction),
                    evidence=[],
                    answered_at=AT,
                    position=n,
                )
            )
        return ids

    return database.transaction(work)


def test_scores_sort_and_sum_as_numbers_in_plain_sql(db_url: str) -> None:
    database = Database(db_url)
    ids = _audits_with(database, ["100.0", "88.2", "9.5"], ["0.25", "45.8", "2"])
    with database.engine.connect() as conn:
        order = conn.execute(text("SELECT id FROM audits ORDER BY percent DESC")).scalars().all()
        top, bottom = conn.execute(text("SELECT max(percent), min(percent) FROM audits")).one()
        total = conn.execute(text("SELECT sum(deduction) FROM findings")).scalar()
        over = conn.execute(text("SELECT count(*) FROM audits WHERE percent > 50")).scalar()
    assert order == ids  # as text, 88.2 and 9.5 came before 100.0
    assert Decimal(str(top)) == 100 and Decimal(str(bottom)) == Decimal("9.5")
    assert round(float(total), 4) == 48.05 and over == 2
    # Read back through the application: Decimal, exactly as written, never a float on the way.
    with database.read() as session:
        percents = session.scalars(select(Audit.percent).order_by(Audit.id)).all()
        deductions = session.scalars(select(FindingRow.deduction).order_by(FindingRow.id)).all()
        deducts = session.scalars(select(AnswerRow.deduct).order_by(AnswerRow.position)).all()
    assert [str(p) for p in percents] == ["100.0", "88.2", "9.5"]
    assert [str(d) for d in deductions] == ["0.25", "45.8", "2"] == [str(d) for d in deducts]
    assert all(isinstance(d, Decimal) for d in [*percents, *deductions, *deducts])
    database.close()


@pytest.mark.parametrize("value", ["0.00001", "123456789012", "NaN"])
def test_a_number_that_would_not_read_back_exactly_is_refused_not_rounded(db_url: str, value: str) -> None:
    database = Database(db_url)
    with pytest.raises(StatementError, match="超出存储范围"):
        _audits_with(database, ["90.0"], [value])
    database.close()


def test_moments_sort_in_time_order_whatever_offset_they_were_written_with(db_url: str) -> None:
    database = Database(db_url)
    earlier = dt.datetime(2026, 11, 21, 8, 30, tzinfo=BEIJING)  # 00:30 UTC: its local text sorts after 01:00
    later = dt.datetime(2026, 11, 21, 1, 0, tzinfo=UTC)

    def work(session):  # type: ignore[no-untyped-def]
        session.add_all([Event(at=later, actor="甲", action="b"), Event(at=earlier, actor="乙", action="a")])

    database.transaction(work)
    with database.engine.connect() as conn:
        order = conn.execute(text("SELECT action FROM events ORDER BY at")).scalars().all()
        newest = conn.execute(text("SELECT action FROM events WHERE at = (SELECT max(at) FROM events)")).scalar()
    assert order == ["a", "b"] and newest == "b"
    with database.read() as session:
        back = session.scalars(select(Event.at).order_by(Event.at)).all()
    assert back == [earlier, later] and all(m.tzinfo is not None for m in back)
    database.close()


JSON_COLUMNS = [
    ("audits", "inspectors"),
    ("audits", "methods"),
    ("audits", "asked"),
    ("audits", "result"),
    ("audit_revisions", "particulars"),
    ("audit_revisions", "answers"),
    ("audit_revisions", "result"),
    ("answers", "value"),
    ("answers", "evidence"),
    ("campaigns", "rulesets"),
    ("events", "detail"),
    ("rectifications", "report_evidence"),
]
NUMERIC_COLUMNS = [("audits", "percent"), ("findings", "deduction"), ("answers", "deduct")]
MOMENT_COLUMNS = [
    ("units", "created_at"),
    ("campaigns", "created_at"),
    ("audits", "created_at"),
    ("audits", "finalized_at"),
    ("audit_revisions", "created_at"),
    ("submissions", "imported_at"),
    ("answers", "answered_at"),
    ("events", "at"),
    ("rectifications", "updated_at"),
    ("documents", "created_at"),
]


def column_types(database: Database) -> dict[tuple[str, str], str]:
    with database.engine.connect() as conn:
        if database.dialect == "postgresql":
            rows = conn.execute(
                text(
                    "SELECT table_name, column_name, data_type, numeric_precision, numeric_scale"
                    " FROM information_schema.columns WHERE table_schema = current_schema()"
                )
            ).all()
            return {(t, c): f"{kind}({p},{s})" if kind == "numeric" else kind for t, c, kind, p, s in rows}
        tables = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars().all()
        return {
            (t, row[1]): row[2].lower() for t in tables for row in conn.execute(text(f"PRAGMA table_info({t})")).all()
        }


def test_columns_have_their_types(db_url: str) -> None:
    database = Database(db_url)
    types = column_types(database)
    pg = database.dialect == "postgresql"
    assert {types[c] for c in JSON_COLUMNS} == {"jsonb" if pg else "json"}
    assert {types[c] for c in NUMERIC_COLUMNS} == {"numeric(15,4)" if pg else "numeric(15, 4)"}
    assert {types[c] for c in MOMENT_COLUMNS} == {"timestamp with time zone" if pg else "datetime"}
    assert types[("notice_numbers", "issued_at")] == "date"
    database.close()


def test_imported_audits_are_queryable_with_json_operators(workspace: Workspace) -> None:
    run = workspace.run("import", "--new-unit", "--no-notice", *EXAMPLES)
    assert run.code == 0, run.text
    listed = json.loads(workspace.run("audit", "list", "--json").out)
    scored = sorted((a for a in listed if a["percent"]), key=lambda a: (-Decimal(a["percent"]), a["id"]))
    database = Database(workspace.db_url)
    pg = database.dialect == "postgresql"
    grade = "result->>'grade'" if pg else "json_extract(result, '$.grade')"
    first = "inspectors->>0" if pg else "json_extract(inspectors, '$[0]')"
    with database.engine.connect() as conn:
        order = (
            conn.execute(text("SELECT id FROM audits WHERE percent IS NOT NULL ORDER BY percent DESC, id"))
            .scalars()
            .all()
        )
        grades = dict(conn.execute(text(f"SELECT id, {grade} FROM audits")).all())
        inspectors = dict(conn.execute(text(f"SELECT id, {first} FROM audits")).all())
        finalised = conn.execute(text("SELECT id FROM audits ORDER BY finalized_at, id")).scalars().all()
    assert order == [a["id"] for a in scored] and len(order) >= 3
    assert grades == {a["id"]: a["grade"] for a in listed}
    assert sorted(finalised) == sorted(a["id"] for a in listed)
    with database.read() as session:
        # The same through SQLAlchemy's portable JSON operators, and the lists as the application reads them.
        same = dict(session.execute(select(Audit.id, Audit.result["grade"].as_string())).all())
        lists = dict(session.execute(select(Audit.id, Audit.inspectors)).all())
    assert same == grades
    assert inspectors == {i: (names or [None])[0] for i, names in lists.items()} and any(inspectors.values())
    database.close()
    assert workspace.run("verify", "--all").code == 0


def test_a_deduction_written_2_0_keeps_verifying_though_numeric_keeps_only_its_value(
    workspace: Workspace, tmp_path: Path
) -> None:
    """NUMERIC stores the value, not how it was written: `4.00` reads back as 4 from the answers table,
    and the audit still verifies (answers compare with the sealed revision by value)."""
    source = (ROOT / "examples" / "classified-computers.answers.toml").read_text(encoding="utf-8")
    written = source.replace("deduct = 4,", "deduct = 4.00,").replace("deduct = 2,", "deduct = 2.0,")
    assert written.count("deduct = 4.00,") == 1 and written.count("deduct = 2.0,") == 1
    path = tmp_path / "cc.answers.toml"
    path.write_text(written, encoding="utf-8")
    assert workspace.run("import", "--new-unit", "--no-notice", path).code == 0
    database = Database(workspace.db_url)
    with database.read() as session:
        deducts = dict(
            session.execute(select(AnswerRow.key, AnswerRow.deduct).where(AnswerRow.deduct.is_not(None))).tuples().all()
        )
        sealed = session.scalars(select(AuditRevision.answers)).one()
    database.close()
    assert deducts == {"K02": Decimal(4), "K08": Decimal(2)} and str(deducts["K02"]) == "4"
    assert (Decimal(sealed["K02"]["deduct"]), Decimal(sealed["K08"]["deduct"])) == (4, 2)
    verified = workspace.run("verify", "--all")
    assert verified.code == 0 and "✓ 封签相符" in verified.out, verified.text


def test_sqlite_numeric_reads_back_every_value_in_range_exactly(tmp_path: Path) -> None:
    """SQLite keeps NUMERIC(15, 4) values as doubles: every value of at most 11 + 4 digits comes back
    exactly (a double holds 15 significant digits). Checked on the edges and a spread between."""
    import random

    from sqlalchemy import Column, Integer, MetaData, Table, insert

    from seccheck.storage.types import Exact

    rng = random.Random(11)
    values = [Decimal("99999999999.9999"), Decimal("-99999999999.9999"), Decimal("0.0001"), Decimal("45.8")]
    values += [Decimal(rng.randrange(-(10**12) + 1, 10**12)).scaleb(-4) for _ in range(5000)]
    database = Database(f"sqlite:///{tmp_path / 'n.db'}")
    table = Table("numbers", MetaData(), Column("id", Integer, primary_key=True), Column("n", Exact))
    with database.engine.begin() as conn:
        table.create(conn)
        conn.execute(insert(table), [{"id": i, "n": v} for i, v in enumerate(values)])
        stored = conn.execute(text("SELECT typeof(n) FROM numbers WHERE id = 3")).scalar()
    with database.engine.connect() as conn:
        back = [n for (n,) in conn.execute(select(table.c.n).order_by(table.c.id))]
    database.close()
    assert stored == "real"
    assert back == values and [str(b) for b in back[:4]] == ["99999999999.9999", "-99999999999.9999", "0.0001", "45.8"]
