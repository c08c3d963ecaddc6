"""Alembic migrations: the models match them, and an old database upgrades losing nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import MetaData, Table, insert, select

from seccheck.storage import db as dbmod
from seccheck.storage.db import Database, make_engine, migrate
from seccheck.storage.store import import_answers, verify
from seccheck.storage.tables import Base
from tests.conftest import ROOT

TABLES_0001 = ["units", "campaigns", "campaign_units", "ruleset_copies", "audits", "answers", "findings", "events"]


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


def _rows(engine, name: str, columns: list[str] | None = None) -> list[tuple]:  # type: ignore[no-untyped-def]
    table = Table(name, MetaData(), autoload_with=engine)
    selected = [table.c[c] for c in columns] if columns else list(table.c)
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(*selected)))


def test_upgrade_from_the_first_migration_loses_nothing(db_url: str, tmp_path: Path) -> None:
    # Real data, made by the current code in a scratch database ...
    source = Database(f"sqlite:///{tmp_path / 'source.db'}")
    ids = [import_answers(source, p) for p in sorted((ROOT / "examples").glob("*.answers.toml"))]
    # ... copied into a database that is at the first migration, as a first-release install would be.
    old = make_engine(db_url)
    migrate(old, "0001")
    before = {}
    columns: dict[str, list[str]] = {}
    with old.begin() as conn:
        for name in TABLES_0001:
            table = Table(name, MetaData(), autoload_with=conn)
            columns[name] = list(table.columns.keys())  # the columns the first release had
            rows = _rows(source.engine, name, columns[name])
            if rows:
                conn.execute(insert(table), [dict(zip(columns[name], r, strict=True)) for r in rows])
            before[name] = rows
    old.dispose()
    assert before["answers"] and before["findings"] and before["events"]

    upgraded = Database(db_url)  # opening upgrades to head
    for name in TABLES_0001:
        assert _rows(upgraded.engine, name, columns[name]) == before[name], name
    # 0002 gave every existing finding its open rectification, due as found.
    rect = _rows(upgraded.engine, "rectifications")
    assert len(rect) == len(before["findings"])
    assert {r[2] for r in rect} == {"open"}  # columns: id, finding_id, state, …
    for audit_id in ids:
        assert verify(upgraded, audit_id) == [], audit_id
    upgraded.close()
    source.close()


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

    from seccheck.errors import InputError

    with pytest.raises(InputError, match="不支持的数据库地址"):
        make_engine("mysql://x@y/z")
