"""Plausibility rules (`[[plausibility]]`): answers that cannot be true together are refused by
`score` and `import` naming the checks, asked again by the interview, and rules naming unknown ids
fail at load. The built-in rulesets declare their part-whole rules; the table is plain data."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from seccheck.app.audits import open_draft
from seccheck.app.context import Context, FixedClock, current_actor
from seccheck.app.workspace import create_workspace
from seccheck.domain import plausibility
from seccheck.errors import BadInput
from seccheck.io.answersfile import load_answers
from seccheck.ruleset.load import load_ruleset_text, resolve_ruleset
from seccheck.storage.db import Database
from tests.conftest import ROOT, Workspace, seccheck
from tests.test_interview import interview

EXAMPLES = ROOT / "examples"
IMPOSSIBLE = "实名登记备案的群成员多于工作群成员总数"


def wechat(tmp: Path, **answers: int) -> Path:
    text = (EXAMPLES / "wechat-groups.answers.toml").read_text(encoding="utf-8")
    for key, value in answers.items():
        text, n = re.subn(rf"^{key} = .*$", f"{key} = {value}", text, flags=re.M)
        assert n == 1
    path = tmp / "impossible.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_score_and_import_refuse_naming_the_checks(workspace: Workspace, tmp_path: Path) -> None:
    bad = wechat(tmp_path, W00e=150, W00f=140)
    scored = seccheck("score", bad)
    assert scored.code == 1
    assert IMPOSSIBLE in scored.err and "W00e" in scored.err and "W00f" in scored.err and str(bad) in scored.err
    assert "150" in scored.err and "140" in scored.err
    imported = workspace.run("import", "--new-unit", bad)
    assert imported.code == 1 and IMPOSSIBLE in imported.err
    assert json.loads(workspace.run("audit", "list", "--json").out) == []
    many = seccheck("score", wechat(tmp_path, W00b=20, W00c=16))  # 15 groups found
    assert many.code == 1 and "解散的工作群多于摸底排查发现的工作群" in many.err and "合并的工作群" in many.err
    assert seccheck("score", wechat(tmp_path, W00e=140, W00f=140)).code == 0  # equal is possible


def test_the_interview_asks_again(tmp_path: Path) -> None:
    ws = create_workspace(tmp_path / "ws")
    db = Context(current_actor(), ws, Database(ws.db_url), FixedClock(dt.date(2026, 11, 21)))
    loaded = resolve_ruleset("wechat-groups")
    answers, _lines = load_answers(EXAMPLES / "wechat-groups.answers.toml")
    given = {k: v for k, v in answers.answers.items() if k != "W00f"}
    given["W00e"] = given["W00e"].model_copy(update={"value": 150})
    meta = answers.model_copy(update={"answers": given})
    audit_id = open_draft(db, loaded, meta, campaign=None, new_unit=True).audit_id
    talk, asker = interview(db, audit_id, ["140", "160", "q"], tmp_path)
    assert talk.run() == "quit"
    assert asker.asked()[:2] == ["W00f", "W00f"]  # asked again after the impossible answer
    (message,) = [m for m in asker.messages() if IMPOSSIBLE in m]
    assert "W00e 答 150" in message and "W00f 答 140" in message and "b" in message
    assert talk.answers["W00f"].value == 160
    db.db.close()


RULESET = """
format = 1
id = "tiny"
title = "小规则集"
version = "1"
[[category]]
id = "c"
title = "类别"
[[item]]
id = "a"
category = "c"
title = "总数"
question = "共几个？"
kind = "number"
[[item]]
id = "b"
category = "c"
title = "部分"
question = "其中几个？"
kind = "number"
"""


@pytest.mark.parametrize(
    ("rule", "field", "words"),
    [
        ('when = "b > a"\nmessage = "部分大于整体"\nchecks = ["b", "x"]', "checks", "x 不是本规则集"),
        ('when = "b > zz"\nmessage = "部分大于整体"\nchecks = ["a", "b"]', "when", "未定义的名称 zz"),
        ('when = "b >"\nmessage = "部分大于整体"\nchecks = ["a", "b"]', "when", "语法错误"),
        ('when = "b > a"\nchecks = ["a", "b"]', "message", "缺少"),
        ('when = "b > a"\nmessage = "部分大于整体"', "checks", "缺少"),
    ],
)
def test_a_rule_naming_unknown_ids_fails_at_load(rule: str, field: str, words: str) -> None:
    with pytest.raises(BadInput) as refused:
        load_ruleset_text(RULESET + "[[plausibility]]\n" + rule + "\n", name="tiny.toml")
    problem = refused.value.problems[0]
    assert words in problem.message and problem.file == "tiny.toml", problem
    assert (problem.field or "").endswith(field)


def test_builtin_rulesets_declare_part_whole_rules_and_the_table_is_plain_data() -> None:
    rules = {r.when for r in resolve_ruleset("wechat-groups").ruleset.plausibility}
    assert {"W00e > W00f", "W00b > W00a", "W00c > W00a", "W00d > W00a"} <= rules
    assert {r.when for r in resolve_ruleset("classified-document-return").ruleset.plausibility} >= {"R00b > R00a"}
    table = plausibility.table(resolve_ruleset("wechat-groups").ruleset)
    first = next(r for r in table["rules"] if r["when"] == "W00e > W00f")
    assert first == {
        "when": "W00e > W00f",
        "tree": {"compare": ">", "left": {"name": "W00e"}, "right": {"name": "W00f"}},
        "checks": ["W00e", "W00f"],
        "message": IMPOSSIBLE,
    }
    assert "{message}" in table["refusal"] and "{values}" in table["reask"]
    assert json.loads(json.dumps(table, ensure_ascii=False)) == table
