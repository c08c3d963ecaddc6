"""Malformed input never yields a traceback: each problem names file, line, id and field, exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DATA, seccheck

VALID = (DATA / "worked-example.toml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str | bytes, name: str = "r.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def check(path: Path) -> str:
    run = seccheck("ruleset", "check", path)
    assert run.code == 1, run.text
    return run.err


def test_valid_ruleset_passes() -> None:
    run = seccheck("ruleset", "check", DATA / "worked-example.toml")
    assert run.code == 0, run.text
    assert "worked-example" in run.out


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = VALID.replace('title = "主要负责人"', 'title = "主要负责人')
    line = text.splitlines().index('title = "主要负责人') + 1
    err = check(write(tmp_path, text))
    assert f"r.toml:{line}" in err and "TOML 语法错误" in err


def test_wrong_types_are_all_reported(tmp_path: Path) -> None:
    text = VALID.replace("points = 4", 'points = "four"').replace("deduct = 1\n", "deduct = true\n", 1)
    text = text.replace("allow_na = true", "allow_na = 1")
    err = check(write(tmp_path, text))
    assert "id 1，字段 points：应为数字" in err
    assert "id 1a，字段 deduct" in err
    assert "id 4，字段 allow_na：应为 true 或 false" in err


def test_duplicate_ids(tmp_path: Path) -> None:
    text = VALID.replace('id = "1c"', 'id = "1a"')
    err = check(write(tmp_path, text))
    assert "id 1a" in err and "id 重复" in err
    line = [n for n, s in enumerate(text.splitlines(), 1) if s.strip() == 'id = "1a"'][1]
    assert f"r.toml:{line}" in err


def test_points_that_do_not_add_up(tmp_path: Path) -> None:
    text = VALID.replace('title = "主要类别"', 'title = "主要类别"\npoints = 20')
    err = check(write(tmp_path, text))
    assert "id main，字段 points" in err and "类别分值 20 与其检查项分值之和 18 不相等" in err


def test_total_that_does_not_add_up(tmp_path: Path) -> None:
    text = VALID.replace("[scoring]", "[scoring]\ntotal = 100")
    err = check(write(tmp_path, text))
    assert "字段 scoring.total" in err and "18" in err


def test_unknown_category(tmp_path: Path) -> None:
    text = VALID.replace('category = "main"\ntitle = "分管负责人"', 'category = "mian"\ntitle = "分管负责人"')
    err = check(write(tmp_path, text))
    assert "id 2，字段 category：类别 'mian' 未定义" in err


def test_bad_grades_order(tmp_path: Path) -> None:
    text = VALID.replace(
        '{ min = 90, label = "符合要求" },\n  { min = 80,', '{ min = 80, label = "符合要求" },\n  { min = 90,'
    )
    err = check(write(tmp_path, text))
    assert "scoring" in err and "从高到低" in err


def test_unknown_key_is_a_typo(tmp_path: Path) -> None:
    text = VALID.replace("allow_na = true", "alow_na = true")
    err = check(write(tmp_path, text))
    assert "id 4，字段 alow_na：未知字段" in err


def test_kind_specific_keys(tmp_path: Path) -> None:
    text = VALID.replace('kind = "count"\nper = 2', 'kind = "count"\ndeduct = 2')
    err = check(write(tmp_path, text))
    assert "id 3" in err and "计数题用 per" in err


def test_non_utf8_bytes(tmp_path: Path) -> None:
    raw = VALID.encode("utf-8").replace("主要负责人".encode(), "主要负责人".encode("gbk"), 1)
    err = check(write(tmp_path, raw))
    assert "不是 UTF-8 编码" in err and "iconv" in err
    line = VALID.splitlines().index('title = "主要负责人"') + 1
    assert f"r.toml:{line}" in err


def test_empty_file(tmp_path: Path) -> None:
    err = check(write(tmp_path, ""))
    assert "文件为空" in err


def test_file_with_only_comments(tmp_path: Path) -> None:
    err = check(write(tmp_path, "# nothing\n"))
    assert "缺少必填字段" in err


def test_fifty_megabyte_file(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    with path.open("wb") as fh:
        fh.write(b"# " + b"x" * (50 * 1024 * 1024) + b"\n")
    err = check(path)
    assert "文件过大（50.0 MB）" in err


def test_missing_file(tmp_path: Path) -> None:
    err = check(tmp_path / "nope.toml")
    assert "文件不存在" in err


def test_every_file_is_checked(tmp_path: Path) -> None:
    bad = write(tmp_path, "", "bad.toml")
    run = seccheck("ruleset", "check", bad, DATA / "worked-example.toml")
    assert run.code == 1
    assert "bad.toml" in run.err and "worked-example" in run.out


# --- answers files -------------------------------------------------------------------------------

ANSWERS = (DATA / "worked-example.answers.toml").read_text(encoding="utf-8")


def score(tmp_path: Path, text: str | bytes) -> str:
    path = write(tmp_path, text, "a.toml")
    run = seccheck("score", path, "--ruleset", DATA / "worked-example.toml")
    assert run.code == 1, run.text
    return run.err


def test_answers_every_problem_at_once(tmp_path: Path) -> None:
    text = (
        ANSWERS.replace('"1a" = false', '"1a" = "no"\n"zz" = true')
        .replace("deduct = 0.5", "deduct = 0.7")
        .replace('"3" = 4', '"3" = -1')
        .replace('"2" = true', '"2" = "na"')
        .replace('"6" = false\n', "")
    )
    err = score(tmp_path, text)
    assert "id 1a，字段 value：应为 true 或 false" in err
    assert "id zz：未知编号" in err
    assert "id 1b，字段 deduct：deduct 应在 0.5 至 1 之间" in err
    assert "id 3，字段 value：应为非负整数" in err
    assert "id 2：此项不允许答“不适用”" in err
    assert "未作答：6" in err


def test_answers_range_needs_amount(tmp_path: Path) -> None:
    err = score(tmp_path, ANSWERS.replace("{ value = false, deduct = 0.5 }", "false"))
    assert "id 1b，字段 deduct" in err and "需给出 deduct" in err


def test_answers_fixed_deduction_cannot_be_chosen(tmp_path: Path) -> None:
    err = score(tmp_path, ANSWERS.replace('"1a" = false', '"1a" = { value = false, deduct = 0.5 }'))
    assert "id 1a，字段 deduct：此检查为固定扣分" in err


def test_answers_wrong_top_level_types(tmp_path: Path) -> None:
    err = score(
        tmp_path,
        ANSWERS.replace("date = 2026-11-20", 'date = "yesterday"').replace('mode = "inspection"', 'mode = "audit"'),
    )
    assert "字段 date：应为日期" in err
    assert "字段 mode：应为以下之一" in err


def test_answers_syntax_error(tmp_path: Path) -> None:
    err = score(tmp_path, ANSWERS.replace('"1c" = true', '"1c" = '))
    assert "a.toml:" in err and "TOML 语法错误" in err


def test_answers_non_utf8_and_empty(tmp_path: Path) -> None:
    assert "不是 UTF-8" in score(tmp_path, ANSWERS.encode().replace("某区教育局".encode(), "某区教育局".encode("gbk")))
    assert "文件为空" in score(tmp_path, b"")


def test_version_mismatch_is_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, ANSWERS.replace("mode =", 'ruleset_version = "0.9"\nmode ='), "a.toml")
    run = seccheck("score", path, "--ruleset", DATA / "worked-example.toml")
    assert run.code == 0
    assert "警告" in run.err and "0.9" in run.err


@pytest.mark.parametrize("args", [["score"], ["ruleset", "show"], ["nosuch"], ["score", "x", "--bogus"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert seccheck(*args).code == 2
