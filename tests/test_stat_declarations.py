"""`subject` and `[[stat]]` declarations (ruleset-format.md, "Additions in format 1"): checked at load,
every problem with its file, line, id and field."""

from __future__ import annotations

import pytest

from seccheck.errors import BadInput
from seccheck.ruleset.load import builtin_rulesets, load_ruleset_text

HEAD = """format = 1
id = "stats"
title = "统计"
version = "1"
subject = "打字复印店"

[[category]]
id = "c"
title = "统计"

[[item]]
id = "1"
category = "c"
title = "数字"

  [[item.check]]
  id = "1a"
  question = "解散几个？"
  kind = "number"
  stat = "dissolved"

  [[item.check]]
  id = "1b"
  question = "共几个？"
  kind = "number"
  stat = "total"
"""

GOOD = """
[[stat]]
key = "dissolved"
label = "解散微信工作群"
unit = "个"
phrase = "整顿解散{label}{value}{unit}（共{total}个）"
total = "total"
phrase_all = "{value}个全部解散"

[[stat]]
key = "total"
label = "工作群"
unit = "个"
"""


def problems(text: str) -> list[str]:
    with pytest.raises(BadInput) as caught:
        load_ruleset_text(text, "t.toml")
    return [str(p) for p in caught.value.problems if not p.warning]


def test_declared_stats_load() -> None:
    rs = load_ruleset_text(HEAD + GOOD, "t.toml").ruleset
    assert rs.subject == "打字复印店" and rs.subject_unit == "家"
    assert rs.stats_by_key["dissolved"].total == "total"


def test_a_stat_used_by_a_check_must_be_declared() -> None:
    found = problems(HEAD + GOOD.split('[[stat]]\nkey = "total"')[0])
    assert any(
        "t.toml:" in p and "id 1b" in p and "字段 stat" in p and "'total' 未在 [[stat]] 中声明" in p for p in found
    )
    assert any("total 'total' 不是已声明的统计键" in p for p in found)


def test_unknown_names_and_bad_templates_in_phrases_are_errors() -> None:
    bad = GOOD.replace("（共{total}个）", "{members}").replace("{value}个全部解散", "{value:>3}")
    found = problems(HEAD + bad)
    line = (HEAD + bad).splitlines().index('key = "dissolved"') + 1
    assert any(f"t.toml:{line}" in p and "id dissolved" in p and "字段 phrase" in p and "{members}" in p for p in found)
    assert any("字段 phrase_all" in p and "{value:>3} 不是名称" in p for p in found)
    unbalanced = problems(HEAD + GOOD.replace("（共{total}个）", "{value"))
    assert any("花括号不成对" in p for p in unbalanced)


def test_phrase_all_needs_total_and_keys_are_unique() -> None:
    found = problems(HEAD + GOOD.replace('total = "total"\n', ""))
    assert any("phrase_all 需要 total" in p for p in found)
    twice = problems(HEAD + GOOD + GOOD.split('\n[[stat]]\nkey = "total"')[0])
    assert any("统计键重复" in p for p in twice)


def test_a_frozen_copy_from_before_declarations_still_loads() -> None:
    """Audits keep the ruleset text they were scored with; copies from before `[[stat]]` existed
    must stay readable (the undeclared stat is then a warning)."""
    loaded = load_ruleset_text(HEAD, "<ruleset>", frozen=True)
    assert {p.id for p in loaded.warnings if "未在 [[stat]] 中声明" in p.message} == {"1a", "1b"}


def test_builtin_rulesets_declare_every_stat_with_a_subject() -> None:
    for loaded in builtin_rulesets():
        rs = loaded.ruleset
        used = {c.stat for i in rs.item for c in i.check if c.stat}
        assert used <= set(rs.stats_by_key), rs.id
        assert not [p for p in loaded.warnings if "统计" in p.message], rs.id
        if rs.level == "site":
            assert rs.subject != "单位", rs.id
