"""Audits keep the ruleset they were made with: after the built-in unit-self-assessment was restructured
(2026.2 -> 2026.3, ids changed), an audit made with 2026.2 still verifies, shows and renders from its
frozen copy, and scoring it again gives the result it was sealed with."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from seccheck.ruleset.load import resolve_ruleset
from tests.conftest import DATA, Workspace
from tests.test_notice import pdftext, squash

OLD_RULESET = DATA / "unit-self-assessment-2026.2.toml"
OLD_ANSWERS = DATA / "unit-self-assessment-2026.2.answers.toml"


def test_an_audit_made_with_the_old_version_still_verifies_and_renders(workspace: Workspace, tmp_path: Path) -> None:
    assert resolve_ruleset("unit-self-assessment").ruleset.version == "2026.4"
    # The audit is made with the 2026.2 text (as it was built in then) and keeps that copy.
    old = tmp_path / "unit-self-assessment.toml"
    shutil.copy(OLD_RULESET, old)
    made = workspace.run("audit", old, "--new-unit", "--answers", OLD_ANSWERS)
    assert made.code == 0, made.text
    assert workspace.run("verify", "--all").code == 0
    old.unlink()  # nothing but the frozen copy is left of 2026.2

    shown = json.loads(workspace.run("audit", "show", "1", "--json").out)
    assert shown["ruleset_id"] == "unit-self-assessment" and shown["ruleset_version"] == "2026.2"
    assert set(shown["answers"]) >= {"24", "51", "52"} and "u6.4" not in shown["answers"]
    assert shown["result"]["percent"] == "86.0" and shown["result"]["grade"] == "基本符合要求"
    explained = workspace.run("audit", "show", "1", "--explain")
    assert explained.code == 0, explained.text
    assert "32. 涉密存储介质" in explained.out and "24. 复制管理" in explained.out
    assert "86.0%" in explained.out and "实有项目分值" in explained.out

    verified = workspace.run("verify", "1")
    assert verified.code == 0, verified.text

    sheet = workspace.run("scoresheet", "1")
    assert sheet.code == 0, sheet.text
    (pdf,) = sorted((workspace.root / "reports").glob("*自查自评表*.pdf"))
    flat = squash(pdftext(pdf))
    # The 2026.2 table: 89 applicable points, its own item titles, no official-number column (no `official`).
    assert "实有项目总分值89" in flat and "得分率86.0%" in flat
    assert "涉密存储介质" in flat and "官方序号" not in flat
    assert "涉外工作保密管理情况" not in flat

    # An amendment of the old audit works against the frozen copy and its old ids.
    amended = workspace.run("audit", "amend", "1", "--set", "24=是", "--reason", "复核", "--no-notice")
    assert amended.code == 0, amended.text
    after = json.loads(workspace.run("audit", "show", "1", "--json").out)
    # (76.5 + 2) / 89 = 88.20… -> 88.2
    assert after["result"]["percent"] == "88.2"
    assert workspace.run("verify", "--all").code == 0
