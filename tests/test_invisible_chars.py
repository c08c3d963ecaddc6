"""Invisible and direction-changing characters (issue 22): refused in every name and id a person types,
each shown as U+XXXX; kept in free text, but closed at its end in documents and spreadsheets so that they
cannot reorder what follows, and shown as stand-ins on a terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from seccheck.cli.safe import visible
from seccheck.limits import contain_direction, name_problem
from seccheck.ruleset.load import builtin_dir
from tests.conftest import ROOT, Workspace, seccheck
from tests.test_lifecycle import variant

CHARS = [chr(c) for c in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF)]
WECHAT = ROOT / "examples" / "wechat-groups.answers.toml"


def test_the_guard_names_each_character() -> None:
    assert len(CHARS) == 15
    for ch in CHARS:
        problem = name_problem(f"某区{ch}财政局")
        assert problem is not None and f"U+{ord(ch):04X}" in problem
    assert name_problem("某区财政局") is None


@pytest.mark.parametrize("ch", CHARS, ids=[f"U+{ord(c):04X}" for c in CHARS])
def test_unit_and_campaign_names_refuse_it(workspace: Workspace, ch: str) -> None:
    code = f"U+{ord(ch):04X}"
    unit = workspace.run("unit", "add", f"某区{ch}财政局")
    assert unit.code == 1 and code in unit.err, unit.text
    campaign = workspace.run("campaign", "create", f"专项{ch}检查", "--ruleset", "wechat-groups")
    assert campaign.code == 1 and code in campaign.err, campaign.text
    assert json.loads(workspace.run("unit", "list", "--json").out) == []


def test_answers_inspectors_workspace_and_ruleset_ids_refuse_it(workspace: Workspace, tmp_path: Path) -> None:
    text = WECHAT.read_text(encoding="utf-8")
    bad_unit = tmp_path / "unit.toml"
    bad_unit.write_text(text.replace('unit = "某区司法局"', 'unit = "某区司法局\\u202e"'), encoding="utf-8")
    run = workspace.run("import", "--new-unit", bad_unit)
    assert run.code == 1 and "U+202E" in run.err and "字段 unit" in run.err, run.text
    bad_person = tmp_path / "person.toml"
    bad_person.write_text(text.replace('"李明"', '"李\\u200b明"'), encoding="utf-8")
    run = workspace.run("import", "--new-unit", bad_person)
    assert run.code == 1 and "U+200B" in run.err and "inspectors" in run.err, run.text
    init = seccheck("init", tmp_path / "ws2", "--inspector", "赵\u2066静")
    assert init.code == 1 and "U+2066" in init.err, init.text
    actor = workspace.run("unit", "add", "某区民政局", env={"SECCHECK_USER": "测试\ufeff员"})
    assert actor.code == 1 and "U+FEFF" in actor.err, actor.text

    source = (builtin_dir() / "wechat-groups.toml").read_text(encoding="utf-8")
    for old, new, code in (
        ('id = "wechat-groups"', 'id = "wechat\\u200d-groups"', "U+200D"),
        ('id = "W00a"', 'id = "W00a\\u200f"', "U+200F"),
    ):
        path = tmp_path / "rs.toml"
        path.write_text(source.replace(old, new, 1), encoding="utf-8")
        checked = seccheck("ruleset", "check", path)
        assert checked.code == 1 and code in checked.err, checked.text


def test_free_text_keeps_them_but_cannot_reorder_what_follows(workspace: Workspace, tmp_path: Path) -> None:
    assert contain_direction("甲\u202e乙") == "甲\u202e乙\u202c"
    assert contain_direction("甲\u2067乙\u202b丙\u2069丁") == "甲\u2067乙\u202b丙\u2069丁"  # PDI closes both
    note = "“社区矫正工作群”11 名成员未实名\u202e（已反向）"
    answers = variant(tmp_path, "a.toml", "某区司法局", {"W07": '{ value = false, deduct = 4, note = "' + note + '" }'})
    assert workspace.run("unit", "add", "某区司法局").code == 0
    assert workspace.run("campaign", "create", "秋季", "--ruleset", "wechat-groups", "--unit", "某区司法局").code == 0
    assert workspace.run("import", answers, "--campaign", "秋季", "--no-notice").code == 0
    # (That a notice never fails on such a character is the notice hardening's; here: what it prints.)
    made = workspace.run("notice", "1", "--format", "html")
    assert made.code == 0, made.text
    (html,) = (workspace.root / "reports").glob("*.html")
    page = html.read_text(encoding="utf-8")
    # A printed document drops them (no font draws them; dropped, they reorder nothing); the record keeps them.
    assert "未实名（已反向）" in page and "\u202e" not in page
    shown = workspace.run("audit", "show", "1", "--json")
    assert "\u202e" in json.loads(shown.out)["answers"]["W07"]["note"]

    rect = next(r for r in json.loads(workspace.run("rectify", "list", "--json").out) if r["check_id"] == "W07")
    assert workspace.run("rectify", "report", str(rect["id"]), "--note", "已补登\u202e记").code == 0
    assert workspace.run("report", "秋季", "--format", "xlsx").code == 0
    book = load_workbook(workspace.root / "reports" / "秋季-汇总.xlsx")
    cells = [c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "已补登\u202e记\u202c" in cells  # a spreadsheet keeps them, closed right after
    assert visible("已补登\u202e记") == "已补登\ufffd记"  # a terminal shows a stand-in
