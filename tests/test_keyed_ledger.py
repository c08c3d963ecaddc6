"""The keyed ledger and write-once records (issue 28; docs/storage.md "威胁模型"): one test per row of
the threat model, on SQLite and PostgreSQL. The adversary writes the database directly — with SQL, and
with seccheck's own code (`ledger.append`, `ledger.baseline`, `seal_v2`) — but does not hold the key."""

from __future__ import annotations

import re
import secrets
import stat
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from tests.conftest import ROOT, Workspace
from tests.test_ledger import _drop_guards, _prepared, _recompute_seal

WECHAT = ROOT / "examples" / "wechat-groups.answers.toml"
AT = "2026-11-24T09:00:00+00:00"


def _key_file(workspace: Workspace) -> Path:
    from seccheck.storage.workspace import open_workspace

    path = open_workspace(workspace.root, workspace.db_url).key_file
    assert path is not None
    return path


def _verify_fails(workspace: Workspace, expected: str) -> str:
    run = workspace.run("verify", "--all")
    assert run.code == 1, run.text
    assert expected in run.err, run.err
    return run.err


def _forge(
    workspace: Workspace, statements: list[str], changes: list[tuple[str, list[object], object]], key: bytes | None
) -> None:
    """Edit rows with SQL, then append entries that chain correctly, with seccheck's own `append`."""
    from seccheck.storage import ledger

    db = workspace.db()
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
        ledger.append(conn, changes, at=AT, actor="李明", key=key)
    db.close()


def _row(conn: Connection, table: str, key: list[object]) -> dict[str, object]:
    from seccheck.storage import ledger

    row = ledger.latest_row(conn, table, key)
    assert row is not None
    return row


def test_init_makes_a_private_key_and_doctor_checks_it(workspace: Workspace) -> None:
    key = _key_file(workspace)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert re.fullmatch(r"[0-9a-f]{64}\n", key.read_text())
    doctor = workspace.run("doctor")
    assert "账本密钥" in doctor.text and "仅所有者可读" in doctor.text, doctor.text
    key.chmod(0o644)
    doctor = workspace.run("doctor")
    assert "其他人也能读取" in doctor.text and "chmod 600" in doctor.text, doctor.text
    key.chmod(0o600)


@pytest.mark.tampered
@pytest.mark.parametrize("forger_key", ["none", "guessed"])
def test_a_database_writer_cannot_append_entries_that_verify(
    workspace: Workspace, tmp_path: Path, forger_key: str
) -> None:
    """The reported attack: a rectification set to verified and one entry appended that chains
    correctly. Without the key (or with a key of the forger's own) `verify --all` names the entry, and
    `verify --anchor` with the code printed on the audit's own notice does too."""
    _prepared(workspace, tmp_path)
    (pdf,) = (workspace.root / "reports").glob("*.pdf")
    printed = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    anchor = re.search(r"核验码：(\d+:[0-9a-f ]{71})", printed)
    assert anchor is not None
    db = workspace.db()
    with db.engine.connect() as conn:
        row = {**_row(conn, "rectifications", [2]), "state": "verified"}
    db.close()
    key = None if forger_key == "none" else secrets.token_bytes(32)
    _forge(
        workspace, ["UPDATE rectifications SET state = 'verified' WHERE id = 2"], [("rectifications", [2], row)], key
    )
    expected = "没有校验码" if key is None else "校验码不符"
    _verify_fails(workspace, expected)
    assert workspace.run("rectify", "verify", "1").code == 5  # nothing is written on top of it
    run = workspace.run("verify", "--anchor", anchor.group(1))
    assert run.code == 1 and expected in run.err, run.text


@pytest.mark.tampered
def test_a_revision_rewritten_in_place_and_the_ledger_rebuilt_without_the_key_is_caught(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Audit 1's revision rewritten (answers changed, re-scored, seal recomputed with seal_v2), the
    triggers dropped and the whole ledger rebuilt with seccheck's own `baseline`: it chains and
    agrees with every row, but no entry carries a code made with the workspace's key."""
    from seccheck.storage import ledger

    _prepared(workspace, tmp_path)
    db = workspace.db()
    with db.engine.begin() as conn:
        _recompute_seal(conn)
        _drop_guards(conn)
        conn.execute(text("DELETE FROM ledger"))
        ledger.baseline(conn, at=AT, actor="李明")
    db.close()
    _verify_fails(workspace, "没有一条带校验码的条目")
    # The next honest write would vouch for the rebuilt ledger: seccheck refuses to extend it.
    write = workspace.run("rectify", "verify", "1")
    assert write.code == 5 and "账本末尾第" in write.err and "没有校验码" in write.err, write.text
    _verify_fails(workspace, "没有一条带校验码的条目")


@pytest.mark.tampered
def test_a_key_holder_cannot_give_a_sealed_revision_a_second_content(workspace: Workspace, tmp_path: Path) -> None:
    """Write-once: even with the key (chain and codes intact), the ledger holding two contents for one
    revision, or two findings for one (audit, check), fails verification."""
    _prepared(workspace, tmp_path)
    db = workspace.db()
    with db.engine.begin() as conn:
        key = db.ledger_key(conn)
        revision = {**_row(conn, "audit_revisions", [1, 1]), "seal": "0" * 64}
        finding = {**_row(conn, "findings", [1])}
    db.close()
    _forge(workspace, [], [("audit_revisions", [1, 1], revision)], key)
    _verify_fails(workspace, "定稿的记录不能改写")
    _forge(workspace, [], [("findings", [999], finding)], key)
    err = _verify_fails(workspace, "同一记录有两条")
    assert "问题记录 999" in err


@pytest.mark.tampered
@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("DELETE FROM submissions", "导入记录"),
        ("UPDATE units SET contact = '王五'", "联系人"),
        ("UPDATE audit_revisions SET reason = '无'", "修订原因"),
        ("UPDATE audit_revisions SET created_by = '王五'", "定稿人"),
        ("UPDATE rectifications SET updated_by = '王五' WHERE id = 1", "最后更新人"),
        ("UPDATE documents SET path = '/elsewhere/通知书.pdf'", "文件位置"),
        ("UPDATE answers SET answered_by = '王五'", "答题人与封存的版本不符"),
        ("UPDATE audit_revisions SET answered_by = NULL", "答题人"),
    ],
)
def test_records_now_under_the_seal(workspace: Workspace, tmp_path: Path, statement: str, expected: str) -> None:
    _prepared(workspace, tmp_path)
    db = workspace.db()
    with db.engine.begin() as conn:
        conn.execute(text(statement))
    db.close()
    _verify_fails(workspace, expected)


@pytest.mark.tampered
def test_a_deleted_import_record_is_caught_and_the_same_file_is_still_recognised(
    workspace: Workspace, tmp_path: Path
) -> None:
    _prepared(workspace, tmp_path)
    db = workspace.db()
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM submissions"))
    db.close()
    _verify_fails(workspace, "导入记录")
    again = workspace.run("import", WECHAT)
    assert again.code == 0, again.text
    db = workspace.db()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audits")).scalar_one() == 1
    db.close()


def test_reissuing_a_notice_adds_no_record_and_paths_are_relative(workspace: Workspace, tmp_path: Path) -> None:
    _prepared(workspace, tmp_path)
    db = workspace.db()

    def counts() -> tuple[int, int, int]:
        with db.engine.connect() as conn:
            return tuple(  # type: ignore[return-value]
                conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("documents", "events", "ledger")
            )

    before = counts()
    for _ in range(2):
        assert workspace.run("notice", "1").code == 0
    assert counts() == before
    with db.engine.connect() as conn:
        paths = [r[0] for r in conn.execute(text("SELECT path FROM documents"))]
    db.close()
    assert paths and all(not Path(p).is_absolute() and (workspace.root / p).is_file() for p in paths), paths


def test_verify_anchor_lists_what_changed_since_the_document(workspace: Workspace, tmp_path: Path) -> None:
    assert workspace.run("import", "--new-unit", WECHAT).code == 0
    (pdf,) = (workspace.root / "reports").glob("*.pdf")
    printed = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    anchor = re.search(r"核验码：(\d+:[0-9a-f ]{71})", printed)
    assert anchor is not None
    quiet = workspace.run("verify", "--anchor", anchor.group(1))
    assert quiet.code == 0 and "自这份文书以来" not in quiet.out, quiet.text
    assert workspace.run("rectify", "report", "1", "--note", "已整改").code == 0
    run = workspace.run("verify", "--anchor", anchor.group(1))
    assert run.code == 0, run.text
    assert "✓ 账本与文书相符" in run.out
    assert "自这份文书以来" in run.out and "改动了整改记录 1" in run.out and "测试员" in run.out, run.out


@pytest.mark.tampered
def test_a_lost_key_is_explained_and_never_silently_replaced(workspace: Workspace, tmp_path: Path) -> None:
    _prepared(workspace, tmp_path)
    key = _key_file(workspace)
    saved = key.read_bytes()
    key.unlink()
    err = _verify_fails(workspace, "找不到账本密钥文件")
    assert "摘要链和各条记录已核对" in err and "--anchor" in err
    write = workspace.run("rectify", "verify", "1")
    assert write.code == 5 and "从备份恢复" in write.err, write.text
    assert not key.exists()
    key.write_bytes(saved)
    key.chmod(0o600)
    assert workspace.run("verify", "--all").code == 0


def test_an_office_supplied_key_file(workspace: Workspace, tmp_path: Path) -> None:
    """SECCHECK_KEY_FILE names the key (a shared PostgreSQL: the office hands each inspector the file)."""
    office = tmp_path / "office.key"
    office.write_bytes(_key_file(workspace).read_bytes())
    office.chmod(0o600)
    _key_file(workspace).unlink()
    env = {"SECCHECK_KEY_FILE": str(office)}
    assert workspace.run("import", "--new-unit", WECHAT, env=env).code == 0
    run = workspace.run("verify", "--all", env=env)
    assert run.code == 0, run.text
    assert "校验码相符" in run.out
    without = workspace.run("verify", "--all")
    assert without.code == 1 and "找不到账本密钥文件" in without.err, without.text
    _key_file(workspace).write_bytes(office.read_bytes())  # back where the fixture's last check looks


def test_a_workspace_made_before_keys_gets_one_and_keeps_verifying(tmp_path: Path) -> None:
    """A workspace written by the previous release (schema 0006, an unkeyed ledger; the SQL dump in
    tests/data): opened by this one, it gets its key and a coded entry, every record keeps verifying,
    and from then on an entry appended without the key is caught."""
    import sqlite3

    from seccheck.storage import ledger
    from seccheck.storage.db import HEAD

    root = tmp_path / "ws"
    root.mkdir()
    (root / "seccheck.toml").write_text('[issuer]\nname = "某区国家保密局"\nprefix = "某保检"\n', encoding="utf-8")
    with sqlite3.connect(root / "seccheck.db") as conn:
        conn.executescript((ROOT / "tests" / "data" / "workspace-0006.sql").read_text(encoding="utf-8"))
    ws = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
    run = ws.run("verify", "--all")
    assert run.code == 0, run.text
    key = root / "seccheck.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    db = ws.db()
    with db.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        coded = conn.execute(text("SELECT count(*) FROM ledger WHERE mac IS NOT NULL")).scalar_one()
        submissions = conn.execute(text("SELECT count(*) FROM ledger WHERE table_name = 'submissions'")).scalar_one()
    db.close()
    assert version == HEAD and coded >= 1 and submissions == 1
    assert ws.run("rectify", "verify", "1").code == 0
    assert ws.run("verify", "--all").code == 0
    db = ws.db()
    with db.engine.begin() as conn:
        ledger.append(conn, [("units", [999], None)], at=AT, actor="李明")
    db.close()
    _verify_fails(ws, "没有校验码")


def test_a_second_inspector_without_the_office_key_is_told_to_get_it(workspace: Workspace, tmp_path: Path) -> None:
    """`init` against a shared database whose ledger is already coded makes no key of its own."""
    assert workspace.run("import", "--new-unit", WECHAT).code == 0
    other = tmp_path / "其他检查人员"
    env = {"SECCHECK_KEY_FILE": str(tmp_path / "自己的.key")}
    run = workspace.run("init", other, "--issuer", "某区国家保密局", "--prefix", "某保检", env=env)
    assert run.code == 5 and "向发文机关索取" in run.err, run.text
    assert not (tmp_path / "自己的.key").exists()
