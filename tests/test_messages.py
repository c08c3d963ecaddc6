"""Every message a user sees is Chinese: records and options by the words the user knows (单位, 整改记录,
检查), never an ASCII field name; each refusal says what to do next; near names are suggested."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from seccheck.errors import FIELD_WORDS, Problem
from tests.conftest import ROOT, Workspace, seccheck

EXAMPLES = ROOT / "examples"
PACKAGE = ROOT / "seccheck"
# Keys of a file the user writes, named as they stand in it (the problem carries the file).
FILE_KEYS = {"scoring.total", "内设机构", "姓名", "工号"}  # keys and CSV columns as the user writes them
ASCII_FIELD = re.compile(r"字段 [A-Za-z_]|，id |错误 id |警告 id ")
NEXT_STEP = re.compile(r"请|seccheck |可用|加 --|去掉|无需|核对")


def _field_literals() -> list[tuple[str, int, str]]:
    """Every `field="…"` a problem is made with, anywhere in the package."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.keyword) and node.arg == "field"):
                continue
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.append((str(path.relative_to(ROOT)), value.lineno, value.value))
    return found


def test_every_field_a_problem_names_has_chinese_words() -> None:
    literals = _field_literals()
    assert len(literals) > 30
    missing = [
        (where, line, field)
        for where, line, field in literals
        if field not in FIELD_WORDS and not field.startswith("--") and field not in FILE_KEYS
    ]
    assert not missing, missing


def test_a_problem_reads_as_the_user_knows_it() -> None:
    assert str(Problem("找不到", id=7, field="audit")) == "错误 检查 7：找不到"
    assert str(Problem("x", field="rectification")) == "错误 整改记录：x"
    assert str(Problem("x", field="--note")) == "错误 选项 --note：x"
    # in a file the user writes, the key as it stands there
    assert str(Problem("x", file="a.toml", line=3, id="1a", field="deduct")) == "错误 a.toml:3，id 1a，字段 deduct：x"


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("messages") / "ws"
    assert seccheck("init", root, "--issuer", "某区国家保密局", "--prefix", "某保检").code == 0
    w = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
    (root / "复制登记簿照片.jpg").write_bytes((EXAMPLES / "复制登记簿照片.jpg").read_bytes())
    made = w.run("campaign", "create", "2026年微信工作群专项检查", "--year", "2026", "--ruleset", "wechat-groups")
    assert made.code == 0, made.text
    files = [EXAMPLES / "unit-self-assessment.answers.toml", EXAMPLES / "wechat-groups.answers.toml"]
    run = w.run("import", "--new-unit", "--accept-date", "--campaign", "2026年微信工作群专项检查", files[1])
    assert run.code == 0, run.text
    assert w.run("import", "--new-unit", "--accept-date", files[0]).code == 0
    return w


# Every refusal the command line reaches (BadInput 1, NotFound 3, Conflict 4), by a command a user types.
REFUSALS: list[tuple[tuple[str | Path, ...], int, str]] = [
    (("audit", "list", "--unit", "某区司法"), 3, "相近的单位：某区司法局"),
    (("rectify", "list", "--unit", "某区司法"), 3, "相近的单位：某区司法局"),
    (("unit", "add", "某区司法局"), 4, "已存在"),
    (("unit", "rename", "某区司法", "某区新局"), 3, "某区司法局"),
    (("unit", "merge", "某区司法局", "某区司法局"), 1, "合并"),
    (("report", "2026年微信工作群专项检"), 3, "相近的专项行动：2026年微信工作群专项检查"),
    (("campaign", "show", "2026年微信工作群专项检"), 3, "相近的专项行动"),
    (("rectify", "list", "--campaign", "微信工作群专项检查"), 3, "相近的专项行动"),
    (("campaign", "create", "2026年微信工作群专项检查", "--year", "2026", "--ruleset", "wechat-groups"), 4, "已存在"),
    (("ruleset", "show", "wechat-group"), 1, "wechat-groups（微信工作群保密管理专项检查）"),
    (("score", EXAMPLES / "wechat-groups.answers.toml", "--ruleset", "wechat-grups"), 1, "微信工作群保密管理专项检查"),
    (("audit", "show", "99"), 3, "找不到检查 99"),
    (("notice", "99"), 3, "找不到检查 99"),
    (("notice", "2"), 4, "自查"),
    (("reinspect", "99", "--answers", EXAMPLES / "wechat-groups.answers.toml"), 3, "找不到检查 99"),
    (("rectify", "verify", "1"), 4, "seccheck rectify report 1"),
    (("rectify", "reject", "1", "--reason", "材料不全"), 4, "还没有报告"),
    (("rectify", "report", "999", "--note", "已整改"), 3, "找不到整改记录 999"),
    (("rectify", "report", "1", "--note", "   "), 1, "请写明"),
    (("summary", "--year", "1999"), 4, "1999 年没有专项行动"),
]


@pytest.mark.parametrize(("args", "code", "said"), REFUSALS, ids=[" ".join(map(str, a[:2])) for a, _, _ in REFUSALS])
def test_refusals_are_chinese_and_say_what_to_do(
    ws: Workspace, args: tuple[str | Path, ...], code: int, said: str
) -> None:
    run = ws.run(*args)
    assert run.code == code, run.text
    assert said in run.err, run.err
    assert not ASCII_FIELD.search(run.err), run.err
    assert NEXT_STEP.search(run.err), run.err


def test_verify_after_report_and_close_in_one_step(ws: Workspace) -> None:
    assert ws.run("rectify", "verify", "2").code == 4
    closed = ws.run("rectify", "close", "2", "--note", "现场查看，已整改")
    assert closed.code == 0, closed.text
    assert "已报告并核实" in closed.out
    again = ws.run("rectify", "close", "2", "--note", "再次")
    assert again.code == 4 and "已核实整改到位，无需再办" in again.err
    from seccheck.storage.events import listing

    db = ws.db()
    with db.read() as session:
        actions = [e.action for e in listing(session) if e.detail.get("rectification") == 2]
    db.close()
    assert actions[-2:] == ["rectification.report", "rectification.verify"]


def test_none_overdue_is_not_none_at_all(ws: Workspace) -> None:
    run = ws.run("rectify", "list", "--overdue")
    assert run.code == 0
    assert "没有逾期的整改记录" in run.out and "去掉 --overdue" in run.out


def test_a_version_mismatch_is_one_problem(tmp_path: Path) -> None:
    run = seccheck("score", ROOT / "tests" / "data" / "unit-self-assessment-2026.2.answers.toml")
    assert run.code == 1
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) <= 3, run.err
    assert "答案按规则集版本 2026.2 填写" in run.err and "--ruleset" in run.err
