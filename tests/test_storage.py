"""Workspaces, imports, sealed audits, revisions and the event log, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import ROOT, Workspace, seccheck

EXAMPLES = sorted((ROOT / "examples").glob("*.answers.toml"))
UNIT_EXAMPLE = ROOT / "examples" / "unit-self-assessment.answers.toml"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_creates_an_owner_only_workspace(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    run = seccheck("init", root, "--issuer", "某区国家保密局", "--prefix", "某保检")
    assert run.code == 0, run.text
    assert mode(root / "seccheck.toml") == 0o600
    assert mode(root / "seccheck.db") == 0o600
    assert (root / "reports").is_dir()
    config = (root / "seccheck.toml").read_text(encoding="utf-8")
    assert 'name = "某区国家保密局"' in config and 'prefix = "某保检"' in config
    again = seccheck("init", root)
    assert again.code == 1 and "已经是一个工作区" in again.err


def test_commands_find_the_workspace_upwards(workspace: Workspace) -> None:
    sub = workspace.root / "a" / "b"
    sub.mkdir(parents=True)
    run = seccheck("audit", "list", cwd=sub, env=workspace.env)
    assert run.code == 0 and "没有检查记录" in run.out
    elsewhere = seccheck("audit", "list", cwd=workspace.root.parent)
    assert elsewhere.code == 1 and "找不到工作区" in elsewhere.err
    explicit = seccheck("-w", workspace.root, "audit", "list", env=workspace.env)
    assert explicit.code == 0


def test_import_list_show_verify(workspace: Workspace) -> None:
    run = workspace.run("import", "--new-unit", "--no-notice", *EXAMPLES)
    assert run.code == 0, run.text
    assert f"导入 {len(EXAMPLES)} 个" in run.out
    listed = json.loads(workspace.run("audit", "list", "--json").out)
    assert len(listed) == len(EXAMPLES)
    by_unit = {a["unit"]: a for a in listed if a["ruleset_id"] == "unit-self-assessment"}
    assert by_unit["某区教育局"]["grade"] == "基本符合要求" and by_unit["某区教育局"]["percent"] == "85.2"
    audit_id = by_unit["某区教育局"]["id"]
    shown = workspace.run("audit", "show", str(audit_id))
    assert "封签 SHA-256" in shown.out and "得分率 85.2%" in shown.out
    verified = workspace.run("verify", "--all")
    assert verified.code == 0 and verified.out.count("✓ 封签相符") == len(EXAMPLES)


def test_a_bad_file_is_reported_and_skipped(workspace: Workspace, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(UNIT_EXAMPLE.read_text(encoding="utf-8").replace('"1a" = true', '"1a" = "maybe"'), encoding="utf-8")
    run = workspace.run("import", "--new-unit", "--no-notice", EXAMPLES[0], bad, EXAMPLES[1])
    assert run.code == 1
    assert "id 1a" in run.err and "跳过" in run.err and str(bad) in run.err
    assert "导入 2 个，跳过 1 个" in run.out
    assert len(json.loads(workspace.run("audit", "list", "--json").out)) == 2


def test_export_reimports_to_the_same_result(workspace: Workspace, tmp_path: Path) -> None:
    assert workspace.run("import", "--new-unit", "--no-notice", UNIT_EXAMPLE).code == 0
    out = tmp_path / "out"
    run = workspace.run("export", "1", "--out", out)
    assert run.code == 0, run.text
    answers, ruleset, result = (out / "audit-1.answers.toml", out / "audit-1.ruleset.toml", out / "audit-1.result.json")
    for path in (answers, ruleset, result):
        assert mode(path) == 0o600
    # The evidence goes with it, named relative to the answers file, its digest first.
    photo = (ROOT / "examples" / "复制登记簿照片.jpg").read_bytes()
    (carried,) = (out / "audit-1.evidence").iterdir()
    assert carried.read_bytes() == photo and carried.name.endswith("-复制登记簿照片.jpg")
    assert f'"audit-1.evidence/{carried.name}"' in answers.read_text(encoding="utf-8")
    # The same content again is the same submission: recognised, nothing added.
    again = workspace.run("import", "--new-unit", "--no-notice", answers, "--ruleset", ruleset)
    assert again.code == 0 and "1 个已导入过" in again.out, again.text
    assert len(json.loads(workspace.run("audit", "list", "--json").out)) == 1
    # Into another workspace, it scores and seals the same.
    other = Workspace(tmp_path / "other", f"sqlite:///{tmp_path / 'other.db'}")
    assert seccheck("init", other.root, env={"SECCHECK_DB": other.db_url}).code == 0
    assert other.run("import", "--new-unit", "--no-notice", answers, "--ruleset", ruleset).code == 0
    first = json.loads(workspace.run("audit", "show", "1", "--json").out)
    second = json.loads(other.run("audit", "show", "1", "--json").out)
    from seccheck.domain.seal import sealed_result

    exported = json.loads(result.read_text(encoding="utf-8"))["result"]
    assert sealed_result(first["result"]) == sealed_result(second["result"]) == sealed_result(exported)
    assert first["answers"] == second["answers"]
    assert first["seal"] == second["seal"]  # same ruleset, answers and result: the same seal
    (kept,) = (other.root / "evidence").iterdir()
    assert kept.read_bytes() == photo and kept.name == carried.name
    assert other.run("verify", "--all").code == 0


def test_evidence_named_by_an_answers_file_is_kept_and_checked(workspace: Workspace, tmp_path: Path) -> None:
    """Evidence is resolved relative to the answers file, hashed, copied; a missing one is refused."""
    folder = tmp_path / "答案"
    folder.mkdir()
    answers = folder / "unit.answers.toml"
    answers.write_text(UNIT_EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    missing = workspace.run("import", "--new-unit", "--no-notice", answers)
    assert missing.code == 1 and "复制登记簿照片.jpg" in missing.err and "evidence" in missing.err, missing.text
    (folder / "复制登记簿照片.jpg").write_bytes(b"the register, photographed")
    assert workspace.run("import", "--new-unit", "--no-notice", answers).code == 0
    shown = json.loads(workspace.run("audit", "show", "1", "--json").out)
    refs = [e for a in shown["answers"].values() if isinstance(a, dict) for e in a.get("evidence", [])]
    assert len(refs) == 1 and refs[0].startswith("evidence/") and len(refs[0].split("/")[1].split("-")[0]) == 64
    (folder / "复制登记簿照片.jpg").write_bytes(b"changed after the import")  # the copy is what counts
    assert workspace.run("verify", "--all").code == 0


@pytest.mark.tampered
@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("UPDATE answers SET value = 'false' WHERE audit_id = 1 AND key = '1a'", "与封存的版本不符"),
        ("UPDATE answers SET note = '改过的备注' WHERE audit_id = 1 AND key = '1b'", "与封存的版本不符"),
        ("UPDATE audits SET result = {replace(result, '\"85.2\"', '\"95.2\"')} WHERE id = 1", "与封存的版本不符"),
        (
            "UPDATE audit_revisions SET answers = {replace(answers, '全年', '半年')} WHERE audit_id = 1",
            "第 1 版的封签不符",
        ),
        ("UPDATE audits SET grade = '符合要求' WHERE id = 1", "列表中的等次"),
        ("UPDATE ruleset_copies SET text = text || '\n# 改动' ", "规则集副本"),
        ("DELETE FROM findings WHERE audit_id = 1 AND check_id = 'u6.4'", "问题记录"),
    ],
)
def test_verify_reports_edits_behind_our_back(workspace: Workspace, statement: str, expected: str) -> None:
    assert workspace.run("import", "--new-unit", "--no-notice", UNIT_EXAMPLE).code == 0
    assert workspace.run("verify", "1").code == 0
    db = workspace.db()
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "DELETE FROM rectifications WHERE finding_id IN "
                "(SELECT id FROM findings WHERE audit_id = 1 AND check_id = 'u6.4')"
            )
        )
        # A JSON column is edited as its text: jsonb on PostgreSQL needs the casts.
        pg = conn.dialect.name == "postgresql"
        statement = re.sub(
            r"\{replace\((\w+), (.*)\)\}",
            lambda m: f"replace({m[1]}::text, {m[2]})::jsonb" if pg else f"replace({m[1]}, {m[2]})",
            statement,
        )
        conn.execute(text(statement))
    db.close()
    run = workspace.run("verify", "1")
    assert run.code == 1
    assert expected in run.err, run.err


def test_amend_makes_a_new_revision_and_logs_it(workspace: Workspace) -> None:
    assert workspace.run("import", "--new-unit", "--no-notice", UNIT_EXAMPLE).code == 0
    run = workspace.run(
        "audit",
        "amend",
        "1",
        "--set",
        "u6.4=是",
        "--set",
        "1b=否:1",
        "--reason",
        "复核后更正",
        "--no-notice",
        env={"SECCHECK_USER": "王复核"},
    )
    assert run.code == 0, run.text
    assert "检查 1 已修订为第 2 版" in run.out
    audit = json.loads(workspace.run("audit", "show", "1", "--json").out)
    assert audit["revision"] == 2 and audit["id"] == 1
    # u6.4 fixed (+2), 1b now 1 instead of 0.5 (-0.5): (75 + 1.5) / 88 = 86.93…
    assert audit["result"]["percent"] == "86.9"
    assert workspace.run("verify", "1").code == 0
    listed = json.loads(workspace.run("audit", "list", "--json").out)
    assert [(a["id"], a["revision"]) for a in listed] == [(1, 2)]
    from seccheck.storage.events import listing

    db = workspace.db()
    with db.read() as session:
        amended = [e for e in listing(session) if e.action == "audit.amended"]
    db.close()
    assert len(amended) == 1
    assert amended[0].actor == "王复核" and amended[0].audit_id == 1
    detail = amended[0].detail
    assert detail["revision"] == 2 and detail["reason"] == "复核后更正"
    again = workspace.run("audit", "amend", "1", "--set", "u6.4=否", "--no-notice")
    assert again.code == 0 and "第 3 版" in again.out
    assert workspace.run("verify", "1").code == 0


def test_amend_refuses_bad_values(workspace: Workspace) -> None:
    assert workspace.run("import", "--new-unit", "--no-notice", UNIT_EXAMPLE).code == 0
    run = workspace.run("audit", "amend", "1", "--set", "1b=否:3", "--set", "zz=是", "--set", "3a=也许")
    assert run.code == 1
    assert "扣分应在 0.5 至 1 之间" in run.err and "编号 zz" in run.err and "“也许”不是有效的答案" in run.err


def test_event_log_is_append_only(workspace: Workspace) -> None:
    assert workspace.run("import", "--new-unit", "--no-notice", UNIT_EXAMPLE).code == 0
    db = workspace.db()
    for statement in ("UPDATE events SET actor = 'x'", "DELETE FROM events"):
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))
    with db.engine.connect() as conn:
        actions = [r[0] for r in conn.execute(text("SELECT action FROM events ORDER BY id"))]
    db.close()
    assert actions[0] == "unit.added" and "audit.created" in actions and actions[-1] == "audit.finalised"


def test_units_and_csv_import(workspace: Workspace, tmp_path: Path) -> None:
    assert workspace.run("unit", "add", "某区教育局", "--kind", "党政机关").code == 0
    dup = workspace.run("unit", "add", "某区教育局")
    assert dup.code == 4 and "已存在" in dup.err
    csv_file = tmp_path / "units.csv"
    csv_file.write_bytes(
        "\ufeff单位名称,类型,联系人\n某区财政局,党政机关,张三\n某区教育局,党政机关,\n城关某某打印店,打字复印店,\n".encode(
            "utf-8"
        )
    )
    run = workspace.run("unit", "import", csv_file)
    assert run.code == 0 and "导入 2 个单位；1 个已存在" in run.out
    units = json.loads(workspace.run("unit", "list", "--json").out)
    assert [u["name"] for u in units] == ["某区教育局", "某区财政局", "城关某某打印店"]
    assert units[1]["contact"] == "张三"
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("单位名称\n某区民政局\n".encode("gbk"))
    bad = workspace.run("unit", "import", gbk)
    assert bad.code == 1 and "不是 UTF-8" in bad.err
    headless = tmp_path / "headless.csv"
    headless.write_text("foo,bar\n1,2\n", encoding="utf-8")
    assert "缺少单位名称列" in workspace.run("unit", "import", headless).err


def test_campaigns_track_planned_and_covered_units(workspace: Workspace) -> None:
    for name in ("某区教育局", "某区财政局", "某区司法局"):
        assert workspace.run("unit", "add", name).code == 0
    run = workspace.run(
        "campaign",
        "create",
        "2026年保密自查自评",
        "--year",
        "2026",
        "--ruleset",
        "unit-self-assessment",
        "--unit",
        "某区教育局",
        "--unit",
        "某区财政局",
        "--from",
        "2026-09-01",
        "--to",
        "2026-12-31",
    )
    assert run.code == 0, run.text
    missing = workspace.run("campaign", "create", "x", "--ruleset", "unit-self-assessment", "--unit", "不存在的单位")
    assert missing.code == 1 and "不存在的单位" in missing.err
    bad_ruleset = workspace.run("campaign", "create", "y", "--ruleset", "no-such")
    assert bad_ruleset.code == 1 and "找不到规则集" in bad_ruleset.err
    assert (
        workspace.run("import", "--new-unit", "--no-notice", UNIT_EXAMPLE, "--campaign", "2026年保密自查自评").code == 0
    )
    info = json.loads(workspace.run("campaign", "show", "2026年保密自查自评", "--json").out)
    assert info["planned"] == ["某区教育局", "某区财政局"] and info["covered"] == ["某区教育局"]
    shown = workspace.run("campaign", "show", "1")
    assert "应检单位 2 个，已检 1 个" in shown.out and "未检：某区财政局" in shown.out
    listed = workspace.run("campaign", "list")
    assert "2026年保密自查自评" in listed.out


def test_draft_import_accepts_an_incomplete_file(workspace: Workspace, tmp_path: Path) -> None:
    partial = tmp_path / "partial.toml"
    partial.write_text(UNIT_EXAMPLE.read_text(encoding="utf-8").replace('"59" = false\n', ""), encoding="utf-8")
    final = workspace.run("import", "--new-unit", "--no-notice", partial)
    assert final.code == 1 and "未作答：59" in final.err
    draft = workspace.run("import", "--new-unit", "--no-notice", "--draft", partial)
    assert draft.code == 0
    audits = json.loads(workspace.run("audit", "list", "--json").out)
    assert audits[0]["status"] == "draft" and audits[0]["grade"] is None
    assert "草稿" in workspace.run("verify", "1").err


def test_db_option_and_environment_select_the_database(tmp_path: Path, pg_server) -> None:  # type: ignore[no-untyped-def]
    url = pg_server.create_database()
    root = tmp_path / "ws"
    assert seccheck("init", root).code == 0
    assert seccheck("--db", url, "import", "--new-unit", UNIT_EXAMPLE, cwd=root).code == 0
    in_pg = seccheck("audit", "list", "--json", cwd=root, env={"SECCHECK_DB": url})
    assert len(json.loads(in_pg.out)) == 1
    in_sqlite = seccheck("audit", "list", "--json", cwd=root, env={"SECCHECK_DB": ""})
    assert json.loads(in_sqlite.out) == []
    assert os.environ.get("SECCHECK_DB") is None
