"""Small things an office meets on its first day (issue 22): a checklist self-check imports cleanly and
says what was recorded; `scoresheet` on it explains there is none; `doctor` concludes from what it found;
the campaign report's XLSX carries the ledger's 核验码 as its PDF and HTML do."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook

from tests.conftest import ROOT, Workspace, seccheck

EXAMPLES = ROOT / "examples"


def test_a_checklist_self_check_imports_and_says_what_was_recorded(workspace: Workspace) -> None:
    files = [EXAMPLES / f"{name}.answers.toml" for name in ("department-self-check", "individual-self-check")]
    run = workspace.run("import", "--new-unit", *files)
    assert run.code == 0, run.text
    assert "文书未能出具" not in run.text and "自查自评表" not in run.out.splitlines()[-1]
    lines = [line for line in run.out.splitlines() if "←" in line]
    assert len(lines) == 2 and all("已导入：自查，等次 " in line and "发现问题" in line for line in lines)
    assert all("检查清单不计分，没有自查自评表" in line for line in lines)
    assert not list((workspace.root / "reports").glob("*.pdf"))
    sheet = workspace.run("scoresheet", "1")
    assert sheet.code == 4 and "检查清单" in sheet.err and "没有评分表" in sheet.err and "audit show 1" in sheet.err


def test_doctor_concludes_from_what_it_found(workspace: Workspace, tmp_path: Path) -> None:
    outside = seccheck("doctor", cwd=tmp_path)
    assert outside.code == 0, outside.text
    assert "! 工作区" in outside.out and "一切就绪" not in outside.out
    assert outside.out.splitlines()[-1].startswith("出具文书所需的条件已具备，但有 1 项需要处理：工作区")
    inside = workspace.run("doctor")
    assert inside.code == 0 and inside.out.splitlines()[-1] == "一切就绪。", inside.text


def test_the_campaign_xlsx_carries_the_verification_code(workspace: Workspace) -> None:
    assert workspace.run("unit", "add", "某区司法局").code == 0
    assert workspace.run("campaign", "create", "秋季", "--ruleset", "wechat-groups", "--unit", "某区司法局").code == 0
    wechat = EXAMPLES / "wechat-groups.answers.toml"
    assert workspace.run("import", wechat, "--campaign", "秋季", "--no-notice").code == 0
    assert workspace.run("report", "秋季", "--format", "html").code == 0
    assert workspace.run("report", "秋季", "--format", "xlsx").code == 0
    book = load_workbook(workspace.root / "reports" / "秋季-汇总.xlsx")
    figures = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=2, values_only=True)}
    code = figures["核验码"]
    assert re.fullmatch(r"\d+:[0-9a-f]{8}( [0-9a-f]{8}){7}", code), code
    html = (workspace.root / "reports" / "秋季-汇总.html").read_text(encoding="utf-8")
    assert code in html  # the same anchor as the HTML (and PDF) print
    anchor = code.replace(" ", "")
    assert workspace.run("verify", "--anchor", anchor).code == 0
