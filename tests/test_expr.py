"""applies_if is parsed against a whitelist and never evaluated as Python."""

from __future__ import annotations

from decimal import Decimal

import pytest

from seccheck.errors import BadInput
from seccheck.ruleset import expr
from seccheck.ruleset.load import load_ruleset_text

HOSTILE = [
    ("__import__('os').system('x')", "函数调用"),
    ("os.system", "属性访问"),
    ("has_pcs.__class__", "属性访问"),
    ("open('/etc/passwd')", "函数调用"),
    ("lambda: 1", "不是允许的关键字"),
    ("[x for x in y]", "下标或列表"),
    ("(x for x in y)", "不是允许的关键字"),
    ("{1: 2}", "字典"),
    ("has_pcs if x else y", "不是允许的关键字"),
    ("a[0]", "下标"),
    ("a = 1", "=="),
    ("1 + 1", "算术"),
    ("a < b < c", "连续比较"),
    ("'a' \\ 'b'", "反斜杠"),
    ("f'{x}'", "意外的"),
    ("x" * 600, "过长"),
    ("(" * 40 + "x" + ")" * 40, "嵌套过深"),
    ("not " * 40 + "x", "嵌套过深"),
    ("", "为空"),
    ("and", "缺少操作数"),
    ("x and", "不完整"),
    ("(x", "右括号"),
    ("__builtins__", "不是允许的"),
]


@pytest.mark.parametrize(("source", "message"), HOSTILE)
def test_hostile_strings_are_refused(source: str, message: str) -> None:
    with pytest.raises(expr.ExprError) as info:
        expr.parse(source)
    assert message in str(info.value)


@pytest.mark.parametrize(("source", "message"), HOSTILE[:6])
def test_hostile_strings_refused_at_load_time(source: str, message: str) -> None:
    text = f"""
format = 1
id = "t"
title = "t"
version = "1"
[[profile]]
id = "has_pcs"
question = "q"
[[category]]
id = "c"
title = "c"
[[item]]
id = "1"
category = "c"
title = "i"
points = 1
question = "q"
applies_if = {source!r}
""".replace("'", "'")
    text = text.replace(f"applies_if = {source!r}", "applies_if = " + _toml_string(source))
    with pytest.raises(BadInput) as info:
        load_ruleset_text(text, "t.toml")
    problem = info.value.problems[0]
    assert problem.id == "1" and problem.field == "applies_if"
    assert message in problem.message


def _toml_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_grammar_and_evaluation() -> None:
    values = {"a": True, "b": False, "n": 3, "s": "x"}
    cases = {
        "a": True,
        "not a": False,
        "a and b": False,
        "a or b": True,
        "not (a and b)": True,
        "n > 2": True,
        "n >= 3.5": False,
        "n == 3": True,
        "s == 'x'": True,
        's != "y"': True,
        "a == true": True,
        "b == false": True,
        "missing": False,
        "missing == 1": False,
        "missing != 1": False,  # an absent name makes any comparison false
        "not missing": True,
        "a == 1": False,  # true is not 1
        "n == true": False,
        "1 < 2": True,
        "-1 < 0": True,
    }
    for source, expected in cases.items():
        predicate = expr.compile_expr(expr.parse(source))
        assert predicate(values) is expected, source


def test_names_with_leading_digits_are_names() -> None:
    node = expr.parse("1a == true and 53 > 2")
    assert expr.names(node) == ["1a"]
    assert expr.compile_expr(node)({"1a": True}) is True
    assert isinstance(expr.parse("53"), expr.Const) and expr.parse("53") == expr.Const(Decimal(53))


def _ruleset(applies_if: str, where: str = "second") -> str:
    first = f'applies_if = "{applies_if}"' if where == "first" else ""
    second = f'applies_if = "{applies_if}"' if where == "second" else ""
    return f"""
format = 1
id = "t"
title = "t"
version = "1"
[[profile]]
id = "has_pcs"
question = "q"
[[profile]]
id = "kind"
question = "q"
kind = "choice"
options = [{{ value = "a", label = "A" }}, {{ value = "b", label = "B" }}]
[[category]]
id = "c"
title = "c"
[[item]]
id = "1"
category = "c"
title = "i"
points = 1
question = "q"
{first}
[[item]]
id = "2"
category = "c"
title = "i"
points = 1
question = "q"
{second}
[[item]]
id = "q3"
category = "c"
title = "i"
points = 2
  [[item.check]]
  id = "3a"
  question = "q"
  [[item.check]]
  id = "3b"
  question = "q"
"""


@pytest.mark.parametrize(
    ("source", "where", "message"),
    [
        ("nosuch", "second", "未定义的名称 nosuch"),
        ("2", "first", "没有引用任何问题"),
        ("true", "first", "没有引用任何问题"),
        ("3a", "first", "之后才出现"),
        ("q3", "second", "有多个检查"),
        ("has_pcs > 1", "second", "是否题"),
        ("kind == 'c'", "second", "没有选项"),
        ("kind < 'a'", "second", "选择题"),
    ],
)
def test_load_time_reference_errors(source: str, where: str, message: str) -> None:
    with pytest.raises(BadInput) as info:
        load_ruleset_text(_ruleset(source, where), "t.toml")
    assert any(message in p.message for p in info.value.problems), info.value.problems


def test_valid_references_load() -> None:
    for source in ("has_pcs", "has_pcs == false", "kind == 'a' and not has_pcs"):
        load_ruleset_text(_ruleset(source), "t.toml")
