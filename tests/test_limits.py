"""Free text has stated limits (seccheck/limits.py, docs/limits.md), refused at input with a message
naming the field, whichever way the text comes in."""

from __future__ import annotations

from pathlib import Path

import pytest

from seccheck import limits
from tests.conftest import ROOT, Workspace, seccheck

WECHAT = ROOT / "examples" / "wechat-groups.answers.toml"


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = WECHAT.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "a.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "field", "limit"),
    [
        ('unit = "某区司法局"', 'unit = "' + "某" * (limits.NAME + 1) + '"', "unit", limits.NAME),
        ('inspectors = ["', 'inspectors = ["' + "李" * (limits.PERSON + 1) + '", "', "inspectors", limits.PERSON),
        ('note = "“社区矫正工作群”11 名成员未实名"', 'note = "' + "情" * (limits.NOTE + 1) + '"', "note", limits.NOTE),
    ],
)
def test_over_long_text_in_an_answers_file_is_refused(
    tmp_path: Path, old: str, new: str, field: str, limit: int
) -> None:
    run = seccheck("score", _variant(tmp_path, old, new))
    assert run.code == 1, run.text
    assert field in run.err and f"上限 {limit} 字" in run.err and f"实际 {limit + 1} 字" in run.err
    assert "Traceback" not in run.err


def test_text_at_its_limit_is_accepted(tmp_path: Path) -> None:
    run = seccheck(
        "score", _variant(tmp_path, 'note = "“社区矫正工作群”11 名成员未实名"', 'note = "' + "情" * limits.NOTE + '"')
    )
    assert run.code == 0, run.text


def test_over_long_rectification_report_is_refused(workspace: Workspace) -> None:
    assert workspace.run("import", "--new-unit", WECHAT).code == 0
    run = workspace.run("rectify", "report", "1", "--note", "改" * (limits.REPORT + 1))
    assert run.code == 1 and f"上限 {limits.REPORT} 字" in run.err
    assert workspace.run("rectify", "report", "1", "--note", "改" * limits.REPORT).code == 0


def test_over_long_ruleset_text_is_refused(tmp_path: Path) -> None:
    text = (ROOT / "rulesets" / "print-shop.toml").read_text(encoding="utf-8")
    marker = 'finding = "'
    assert marker in text
    path = tmp_path / "long.toml"
    path.write_text(text.replace(marker, marker + "问" * limits.FINDING, 1), encoding="utf-8")
    run = seccheck("ruleset", "check", path)
    assert run.code == 1, run.text
    assert "finding" in run.err and f"上限 {limits.FINDING} 字" in run.err
