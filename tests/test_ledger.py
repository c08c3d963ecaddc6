"""The sealed ledger (records.md §5): every tamper an adversary with database access can make is
caught by `verify --all`, on SQLite and PostgreSQL alike; the ledger itself is append-only."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from tests.conftest import ROOT, Workspace

WECHAT = ROOT / "examples" / "wechat-groups.answers.toml"


def _prepared(workspace: Workspace, tmp_path: Path) -> None:
    """One inspection with a notice, findings, a rectification reported with evidence."""
    assert workspace.run("import", "--new-unit", WECHAT).code == 0
    photo = tmp_path / "整改照片.jpg"
    photo.write_bytes(b"\xff\xd8 a photo of the fixed thing")
    report = workspace.run("rectify", "report", "1", "--note", "已解散", "--evidence", photo)
    assert report.code == 0, report.text
    run = workspace.run("verify", "--all")
    assert run.code == 0, run.text
    assert "账本：✓ 相符" in run.out


def _recompute_seal(conn: Connection) -> None:
    """Change an answer and re-seal with seccheck's own functions: what an insider could do."""
    from seccheck.domain.seal import seal_v2

    rev = conn.execute(text("SELECT particulars, answers, result FROM audit_revisions WHERE audit_id = 1")).one()
    # JSON columns: text from SQLite, already decoded from PostgreSQL's jsonb.
    rev = tuple(json.dumps(v) if not isinstance(v, str) else v for v in rev)
    answers = json.loads(rev[1])
    key = next(k for k, a in answers.items() if a["value"] is False)
    answers[key]["value"] = True
    result = json.loads(rev[2])
    result["percent"] = "100"
    seal = seal_v2(
        conn.execute(text("SELECT ruleset_sha256 FROM audits WHERE id = 1")).scalar_one(),
        json.loads(rev[0]),
        answers,
        result,
        "0.1.0",
    )
    dumped = json.dumps(answers, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    conn.execute(
        text("UPDATE audit_revisions SET answers = :a, seal = :s WHERE audit_id = 1"), {"a": dumped, "s": seal}
    )
    conn.execute(text("UPDATE audits SET seal = :s, percent = '100' WHERE id = 1"), {"s": seal})
    conn.execute(text("UPDATE answers SET value = 'true' WHERE audit_id = 1 AND key = :k"), {"k": key})


def _delete_audit(conn: Connection) -> None:
    for statement in (
        "DELETE FROM rectifications WHERE finding_id IN (SELECT id FROM findings WHERE audit_id = 1)",
        "DELETE FROM findings WHERE audit_id = 1",
        "DELETE FROM documents WHERE audit_id = 1",
        "DELETE FROM notice_numbers WHERE audit_id = 1",
        "DELETE FROM submissions WHERE audit_id = 1",
        "DELETE FROM answers WHERE audit_id = 1",
        "DELETE FROM audit_revisions WHERE audit_id = 1",
        "DELETE FROM audits WHERE id = 1",
    ):
        conn.execute(text(statement))


def _replace_evidence(workspace: Workspace) -> Callable[[Connection], None]:
    def tamper(_conn: Connection) -> None:
        kept = next((workspace.root / "evidence").iterdir())
        kept.write_bytes(b"another picture")

    return tamper


TAMPERS: dict[str, tuple[str | Callable[[Connection], None], str]] = {
    "recomputed seal": ("recompute", "封签与账本第"),
    "audit set to draft": ("UPDATE audits SET status = 'draft' WHERE id = 1", "检查 1 的状态与账本第"),
    "audit hidden": ("UPDATE audits SET status = 'discarded' WHERE id = 1", "检查 1 的状态与账本第"),
    "audit deleted": ("delete", "检查 1 已从数据库中删除"),
    "finding text": ("UPDATE findings SET text = '没有问题' WHERE id = 1", "问题记录 1 的问题描述与账本第"),
    "finding deduction": ("UPDATE findings SET deduction = '0' WHERE id = 1", "问题记录 1 的扣分与账本第"),
    "finding due": ("UPDATE findings SET due = '2099-01-01' WHERE id = 1", "问题记录 1 的整改期限与账本第"),
    "rectification state": (
        "UPDATE rectifications SET state = 'verified' WHERE id = 2",
        "整改记录 2 的整改状态与账本第",
    ),
    "notice number deleted": (
        "DELETE FROM documents WHERE number_id IS NOT NULL; DELETE FROM notice_numbers",
        "发文字号 1 已从数据库中删除",
    ),
    "row inserted behind our back": (
        "INSERT INTO unit_aliases (name, unit_id) VALUES ('冒名单位', 1)",
        "单位曾用名 冒名单位 不在账本中",
    ),
    "evidence replaced": ("evidence", "佐证材料"),
}


@pytest.mark.tampered
@pytest.mark.parametrize("tamper", list(TAMPERS))
def test_verify_all_catches_each_tamper(workspace: Workspace, tmp_path: Path, tamper: str) -> None:
    _prepared(workspace, tmp_path)
    action, expected = TAMPERS[tamper]
    db = workspace.db()
    with db.engine.begin() as conn:
        if action == "recompute":
            _recompute_seal(conn)
        elif action == "delete":
            _delete_audit(conn)
        elif action == "evidence":
            _replace_evidence(workspace)(conn)
        else:
            for statement in str(action).split("; "):
                conn.execute(text(statement))
    db.close()
    run = workspace.run("verify", "--all")
    assert run.code == 1, run.text
    assert expected in run.err, run.err


def _drop_guards(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP TRIGGER ledger_no_update"))
        conn.execute(text("DROP TRIGGER ledger_no_delete"))
    else:
        conn.execute(text("DROP TRIGGER ledger_append_only ON ledger"))


@pytest.mark.tampered
@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        # Two entries swapped: the chain no longer links.
        (
            [
                "UPDATE ledger SET position = -1 WHERE position = 2",
                "UPDATE ledger SET position = 2 WHERE position = 3",
                "UPDATE ledger SET position = 3 WHERE position = -1",
            ],
            "账本第 2 条与其摘要不符",
        ),
        # The newest entries removed (and no more): what they recorded no longer matches.
        (["DELETE FROM ledger WHERE position > (SELECT max(position) - 3 FROM ledger)"], "与账本第"),
        (["DELETE FROM ledger WHERE position = 5"], "缺少第 5 条"),
        (["DELETE FROM ledger"], "账本为空"),
    ],
)
def test_verify_all_catches_a_rewritten_ledger(
    workspace: Workspace, tmp_path: Path, statements: list[str], expected: str
) -> None:
    _prepared(workspace, tmp_path)
    db = workspace.db()
    with db.engine.begin() as conn:
        _drop_guards(conn)
        for statement in statements:
            conn.execute(text(statement))
    db.close()
    run = workspace.run("verify", "--all")
    assert run.code == 1, run.text
    assert expected in run.err, run.err


def test_the_ledger_and_event_log_refuse_changes(workspace: Workspace, tmp_path: Path) -> None:
    _prepared(workspace, tmp_path)
    db = workspace.db()
    statements = ["UPDATE ledger SET actor = 'x'", "DELETE FROM ledger", "UPDATE events SET actor = 'x'"]
    if db.dialect == "postgresql":
        statements += ["TRUNCATE ledger", "TRUNCATE events", "TRUNCATE events CASCADE"]
    for statement in statements:
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))
    db.close()


@pytest.mark.tampered
def test_anchor_from_a_document(workspace: Workspace, tmp_path: Path) -> None:
    _prepared(workspace, tmp_path)
    db = workspace.db()
    with db.engine.connect() as conn:
        position, digest = conn.execute(text("SELECT position, digest FROM ledger ORDER BY position DESC")).first()
    # As printed, in groups of eight.
    printed = f"{position}:{' '.join(digest[i : i + 8] for i in range(0, 64, 8))}"
    ok = workspace.run("verify", "--anchor", printed)
    assert ok.code == 0 and "✓ 账本与文书相符" in ok.out, ok.text
    wrong = workspace.run("verify", "--anchor", f"{position}:{'0' * 64}")
    assert wrong.code == 1 and "摘要与文书上的核验码不符" in wrong.err
    beyond = workspace.run("verify", "--anchor", f"{position + 50}:{digest}")
    assert beyond.code == 1 and "账本被截短" in beyond.err
    garbled = workspace.run("verify", "--anchor", "abc")
    assert garbled.code == 1 and "不是核验码" in garbled.err
    # Rewriting an entry before the anchor and re-chaining everything after it is caught too.
    with db.engine.begin() as conn:
        _drop_guards(conn)
        conn.execute(text("UPDATE ledger SET content = replace(content, '已解散', '未整改') WHERE position > 1"))
    db.close()
    assert workspace.run("verify", "--anchor", printed).code == 1


def test_every_entry_names_its_algorithm_and_sha256_still_verifies(workspace: Workspace, tmp_path: Path) -> None:
    """A ledger written partly where SM3 was missing (SHA-256) verifies on any machine."""
    from seccheck.domain.ledger import preferred_algorithm
    from seccheck.storage import ledger

    _prepared(workspace, tmp_path)
    db = workspace.db()
    with db.engine.begin() as conn:
        ledger.append(
            conn,
            [("units", [999], None)],
            at="2026-11-20T09:00:00+00:00",
            actor="测试",
            algorithm="sha256",
            key=db.ledger_key(conn),
        )
        algorithms = {r[0] for r in conn.execute(text("SELECT DISTINCT algorithm FROM ledger"))}
    db.close()
    assert algorithms == {preferred_algorithm(), "sha256"}
    run = workspace.run("verify", "--all")
    assert run.code == 0, run.text
    assert "SHA256 1 条" in run.out


def test_rewording_a_message_keeps_old_records_verifying(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Display wording is never sealed: a newer seccheck that words every sentence differently still verifies."""
    from seccheck.text import zh

    assert workspace.run("import", "--new-unit", WECHAT).code == 0
    for key, value in list(zh.WORDS.items()):
        monkeypatch.setitem(zh.WORDS, key, "（改写过的说法）" + value)
    explained = workspace.run("audit", "show", "1", "--explain")
    assert "改写过的说法" in explained.out, explained.text
    run = workspace.run("verify", "--all")
    assert run.code == 0, run.text


def test_one_and_one_point_zero_seal_identically() -> None:
    from seccheck.domain.seal import seal_v2

    def snapshot(value: object, deduct: str | None) -> dict[str, object]:
        return {"n": {"value": value, "na": False, "deduct": deduct, "note": None, "evidence": []}}

    result = {"percent": "90.0", "earned": "9.00", "categories": [], "findings": []}
    seals = {
        seal_v2("r", {"revision": 1}, snapshot(v, d), result, "x")
        for v, d in ((1, "1"), ({"decimal": "1.0"}, "1.0"), ({"decimal": "1.00"}, "1.00"))
    }
    assert len(seals) == 1
    assert seal_v2("r", {"revision": 1}, snapshot(2, "1"), result, "x") not in seals
    assert seal_v2("r", {"revision": 1}, snapshot(1, "1"), {**result, "percent": "90"}, "x") in seals


def test_each_reported_event_is_in_the_ledger(workspace: Workspace, tmp_path: Path) -> None:
    """Finalised, revised, finding opened and withdrawn, rectification changed, number issued, document
    issued, unit renamed and merged: each lands in the ledger, and the workspace still verifies."""
    _prepared(workspace, tmp_path)
    amend = workspace.run("audit", "amend", "1", "--set", "W02=是", "--reason", "复核")  # W02 was a finding
    assert amend.code == 0, amend.text
    assert workspace.run("unit", "add", "某区司法局（旧）").code == 0
    assert workspace.run("unit", "merge", "某区司法局（旧）", "某区司法局").code == 0
    assert workspace.run("unit", "rename", "某区司法局", "某区司法行政局").code == 0
    db = workspace.db()
    with db.engine.connect() as conn:
        tables = {r[0] for r in conn.execute(text("SELECT DISTINCT table_name FROM ledger"))}
        actions = {
            json.loads(r[0])["row"]["action"]
            for r in conn.execute(text("SELECT content FROM ledger WHERE table_name = 'events'"))
        }
        withdrawn = conn.execute(
            text("SELECT count(*) FROM ledger WHERE table_name = 'rectifications' AND content LIKE '%withdrawn%'")
        ).scalar_one()
    db.close()
    assert {
        "units",
        "unit_aliases",
        "audits",
        "audit_revisions",
        "findings",
        "rectifications",
        "notice_numbers",
        "documents",
        "events",
    } <= tables
    assert {"audit.finalised", "audit.amended", "notice.numbered", "document.issued", "unit.renamed"} <= actions
    assert {"unit.merged", "rectification.report"} & actions
    assert withdrawn >= 1
    run = workspace.run("verify", "--all")
    assert run.code == 0, run.text


def test_the_printed_verification_code_checks_against_the_ledger(workspace: Workspace, tmp_path: Path) -> None:
    """The 核验码 read back from the notice PDF is an anchor `verify --anchor` accepts; reprinting the
    notice prints the same code."""
    import re
    import subprocess

    _prepared(workspace, tmp_path)
    (pdf,) = (workspace.root / "reports").glob("*.pdf")
    printed = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    code = re.search(r"核验码：(\d+:[0-9a-f ]{71})", printed)
    assert code is not None, printed
    assert workspace.run("verify", "--anchor", code.group(1)).code == 0
    before = pdf.read_bytes()
    assert workspace.run("notice", "1").code == 0
    assert pdf.read_bytes() == before
