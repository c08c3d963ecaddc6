"""The score and ruleset commands as a user runs them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import click

from seccheck.cli.main import main
from tests.conftest import DATA, ROOT, seccheck

EXAMPLE = ROOT / "examples" / "unit-self-assessment.answers.toml"


def test_score_prints_grade_table_and_findings() -> None:
    run = seccheck("score", EXAMPLE)
    assert run.code == 0, run.text
    assert "等次：基本符合要求" in run.out
    assert "得分率 85.2%" in run.out
    assert "分类得分" in run.out and "一、保密工作领导责任制落实情况" in run.out
    assert "发现的问题（10 个）" in run.out
    assert "7 天" in run.out  # aggravating finding: 7-day deadline, counted from the notice (none yet)


def test_score_explain_shows_the_calculation() -> None:
    run = seccheck(
        "score", DATA / "worked-example.answers.toml", "--ruleset", DATA / "worked-example.toml", "--explain"
    )
    assert run.code == 0, run.text
    out = run.out
    assert "1b 答“否”（合规答案为“是”），扣 0.5 分（区间 0.5–1 分，检查人员酌定）" in out
    assert "发现 4 起，每起扣 2 分，共扣 8 分" in out
    assert "扣分合计 8 分，超过本项分值，按 5 分扣" in out
    assert "4. 可不适用项：答“不适用”，不计入实有项目" in out
    assert "实有项目分值 = 4 + 3 + 5 = 12" in out
    assert "得分 = 2.5 + 3 + 0 = 5.5" in out
    assert "得分率 = 5.5 ÷ 12 × 100% = 275/6 ≈ 45.8%" in out


def test_score_json_is_the_result_model() -> None:
    run = seccheck("score", DATA / "worked-example.answers.toml", "--ruleset", DATA / "worked-example.toml", "--json")
    assert run.code == 0, run.text
    data = json.loads(run.out)
    from seccheck.domain.result import result_from_data

    result = result_from_data(data)
    assert result.percent == Decimal("45.8")
    assert data["percent"] == "45.8" and data["applicable"] == "12"
    assert [f["check_id"] for f in data["findings"]] == ["1a", "1b", "3"]


def test_score_finds_builtin_ruleset_by_id() -> None:
    run = seccheck("score", EXAMPLE, "--ruleset", "unit-self-assessment", "--json")
    assert json.loads(run.out)["grade"] == "基本符合要求"


def test_unknown_ruleset_id() -> None:
    run = seccheck("score", EXAMPLE, "--ruleset", "no-such-ruleset")
    assert run.code == 1
    assert "找不到规则集 'no-such-ruleset'" in run.err and "unit-self-assessment" in run.err


def test_ruleset_list_and_show() -> None:
    run = seccheck("ruleset", "list", DATA / "worked-example.toml")
    assert run.code == 0
    assert "unit-self-assessment" in run.out and "worked-example" in run.out and "内置" in run.out
    run = seccheck("ruleset", "show", "unit-self-assessment")
    assert run.code == 0
    assert "一、保密工作领导责任制落实情况" in run.out
    assert "1b" in run.out and "扣 0.5–1 分" in run.out
    assert "每起扣 4 分" in run.out and "否决项" in run.out


def test_ruleset_schema_matches_shipped_file() -> None:
    from seccheck.ruleset.schema import schema_text, shipped_schema_text

    run = seccheck("ruleset", "schema")
    assert run.code == 0
    assert run.out == schema_text()
    regenerate = "seccheck ruleset schema --out seccheck/schema/ruleset.schema.json"
    assert shipped_schema_text() == schema_text(), f"the shipped schema is stale; run: {regenerate}"


def test_builtin_rulesets_satisfy_the_json_schema() -> None:
    import jsonschema

    from seccheck.ruleset.load import builtin_paths
    from seccheck.ruleset.schema import ruleset_schema
    from seccheck.tomlfile import read_toml

    validator = jsonschema.Draft202012Validator(ruleset_schema())
    for path in [*builtin_paths(), DATA / "worked-example.toml"]:
        data, _ = read_toml(path)
        plain = json.loads(json.dumps(data, default=float))
        errors = list(validator.iter_errors(plain))
        assert not errors, (path, errors[:3])


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    out = []
    for name, cmd in group.commands.items():
        out.append(((*prefix, name), cmd))
        if isinstance(cmd, click.Group):
            out += _commands(cmd, (*prefix, name))
    return out


def test_every_command_has_help_and_is_documented() -> None:
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for path, cmd in _commands(main):
        assert cmd.help and cmd.help.strip(), path
        assert f"seccheck {' '.join(path)}" in doc, f"docs/cli.md lacks `seccheck {' '.join(path)}`"
        for param in cmd.params:
            if isinstance(param, click.Option):
                assert param.help, (path, param.name)


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from seccheck.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('weasyprint', 'sqlalchemy', 'jinja2', 'rich', 'pydantic') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_no_color_and_exit_codes_documented() -> None:
    run = seccheck("--help")
    assert run.code == 0 and "退出码" in run.out
    assert not re.search(r"\x1b\[", run.out)


def test_score_help_lists_options() -> None:
    run = seccheck("score", "--help")
    for option in ("--ruleset", "--json", "--explain"):
        assert option in run.out


def test_ruleset_check_reports_warnings_without_failing(tmp_path: Path) -> None:
    text = (DATA / "worked-example.toml").read_text(encoding="utf-8") + '\n[[category]]\nid = "empty"\ntitle = "空"\n'
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    run = seccheck("ruleset", "check", path)
    assert run.code == 0
    assert "警告" in run.err and "id empty" in run.err
