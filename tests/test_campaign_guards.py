"""Wrong files cannot slip into a campaign's figures (issue 22): a campaign refuses a ruleset other
than its own and a unit not on its list, each saying what to do; a final audit entered by mistake is
voided — sealed with the reason and who did it, out of every figure, its notice number kept and marked
作废 in the register, never reused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from seccheck.errors import BadInput
from tests.conftest import ROOT, Workspace, seccheck
from tests.test_lifecycle import variant

EXAMPLES = ROOT / "examples"
WECHAT = "2026年微信工作群专项检查"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    assert seccheck("init", root, "--issuer", "某区国家保密局", "--prefix", "某保检").code == 0
    ws = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
    for unit in ("某区司法局", "某区财政局", "某区民政局"):
        assert ws.run("unit", "add", unit).code == 0
    made = ws.run("campaign", "create", WECHAT, "--ruleset", "wechat-groups", "--unit", "某区司法局")
    assert made.code == 0, made.text
    return ws


def computers_for(tmp: Path, unit: str) -> Path:
    text = (EXAMPLES / "classified-computers.answers.toml").read_text(encoding="utf-8")
    path = tmp / "cc.toml"
    path.write_text(text.replace('unit = "某区财政局"', f'unit = "{unit}"'), encoding="utf-8")
    return path


def test_a_campaign_refuses_another_ruleset_and_a_unit_not_on_its_list(ws: Workspace, tmp_path: Path) -> None:
    cc = computers_for(tmp_path, "某区司法局")
    wrong = ws.run("import", cc, "--campaign", WECHAT)
    assert wrong.code == 1
    assert "涉密计算机和存储介质专项检查" in wrong.err and f"不是专项行动“{WECHAT}”的规则集" in wrong.err
    assert str(cc) in wrong.err and "不加 --campaign" in wrong.err
    assert json.loads(ws.run("audit", "list", "--json").out) == []  # nothing went in, no notice number taken

    other = variant(tmp_path, "b.toml", "某区财政局", {})
    unlisted = ws.run("import", other, "--campaign", WECHAT)
    assert unlisted.code == 1 and "不在专项行动" in unlisted.err and "--add-to-campaign" in unlisted.err
    added = ws.run("import", other, "--campaign", WECHAT, "--add-to-campaign", "--no-notice")
    assert added.code == 0, added.text
    assert json.loads(ws.run("campaign", "show", WECHAT, "--json").out)["planned"] == ["某区司法局", "某区财政局"]

    # The interview opens no draft for either mistake.
    from seccheck.app.interview import open_interview

    ctx = ws.context()
    with pytest.raises(BadInput) as wrong_ruleset:
        open_interview(ctx, "classified-computers", "某区司法局", campaign=WECHAT)
    assert wrong_ruleset.value.problems[0].field == "ruleset"
    with pytest.raises(BadInput) as not_listed:
        open_interview(ctx, "wechat-groups", "某区民政局", campaign=WECHAT)
    assert not_listed.value.problems[0].field == "unit" and "--add-to-campaign" in not_listed.value.problems[0].message
    draft = open_interview(ctx, "wechat-groups", "某区民政局", campaign=WECHAT, add_to_campaign=True)
    assert draft.created
    ctx.db.close()


def test_void_takes_a_mistaken_audit_out_of_every_figure_and_keeps_its_number(ws: Workspace, tmp_path: Path) -> None:
    from seccheck.storage.tables import LedgerEntry

    assert ws.run("campaign", "add-unit", WECHAT, "某区财政局").code == 0
    right = variant(tmp_path, "a.toml", "某区司法局", {})
    mistaken = variant(tmp_path, "b.toml", "某区财政局", {})
    assert ws.run("import", right, mistaken, "--campaign", WECHAT).code == 0
    audits = {a["unit"]: a["id"] for a in json.loads(ws.run("audit", "list", "--json").out)}
    before = ws.run("summary", "--year", "2026")
    assert before.out.startswith("对2家单位开展保密检查，实现全覆盖；发现问题12个")

    assert ws.run("audit", "void", str(audits["某区财政局"])).code == 2  # the reason is required
    voided = ws.run("audit", "void", str(audits["某区财政局"]), "--reason", "答案文件误录为财政局")
    assert voided.code == 0, voided.text
    assert "某保检〔2026〕2号" in voided.out and "作废" in voided.out
    assert ws.run("audit", "void", str(audits["某区财政局"]), "--reason", "再次").code == 4

    after = ws.run("summary", "--year", "2026")
    assert after.out.startswith("应检2家单位，已检查1家，覆盖率50%；发现问题6个"), after.out
    report = ws.run("report", WECHAT, "--format", "xlsx")
    assert report.code == 0 and "已检查1家" in report.out
    assert json.loads(ws.run("campaign", "show", WECHAT, "--json").out)["covered"] == ["某区司法局"]
    assert {r["unit"] for r in json.loads(ws.run("rectify", "list", "--json").out)} == {"某区司法局"}

    shown = ws.run("audit", "show", str(audits["某区财政局"]))
    assert "定稿后作废" in shown.out and "答案文件误录为财政局" in shown.out and "测试员" in shown.out
    assert "某保检〔2026〕2号 作废" in shown.out
    checked = ws.run("verify", str(audits["某区财政局"]))
    assert checked.code == 0 and "已作废：答案文件误录为财政局" in checked.out, checked.text
    assert ws.run("verify", "--all").code == 0
    assert ws.run("notice", str(audits["某区财政局"])).code != 0  # no notice for a voided audit

    # The correct file for the unit goes in afresh and takes the next number: 2 is never reused.
    fixed = variant(tmp_path, "b2.toml", "某区财政局", {"W02": "true"})
    assert ws.run("import", fixed, "--campaign", WECHAT).code == 0
    register = ws.run("register", "--year", "2026")
    lines = [line.split() for line in register.out.splitlines() if "某保检" in line]
    assert [(cells[0], cells[-1]) for cells in lines] == [
        ("某保检〔2026〕1号", "有效"),
        ("某保检〔2026〕2号", "作废"),
        ("某保检〔2026〕3号", "有效"),
    ]
    db = ws.db()
    with db.read() as session:
        contents = list(session.scalars(select(LedgerEntry.content).where(LedgerEntry.table_name == "events")))
    db.close()
    sealed = [c for c in contents if "audit.voided" in c]
    assert len(sealed) == 1 and "答案文件误录为财政局" in sealed[0] and "测试员" in sealed[0]
