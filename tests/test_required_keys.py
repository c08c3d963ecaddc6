"""Every missing key names the file, the id and the field (issue 22): each required key of each table of
a ruleset and of an answers file is removed in turn, and the refusal is checked — `category` included."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from seccheck.domain.answers import Answers
from seccheck.errors import BadInput, Problem
from seccheck.io.answersfile import load_answers
from seccheck.ruleset.load import builtin_dir, load_ruleset_text
from seccheck.ruleset.model import Category, Check, Item, Plausibility, ProfileQuestion, Ruleset, StatDecl
from tests.conftest import ROOT

SOURCE = builtin_dir() / "wechat-groups.toml"
TEXT = SOURCE.read_text(encoding="utf-8")
DATA = tomllib.loads(TEXT)


def _first(table: str) -> tuple[dict[str, Any], ...]:
    return tuple(DATA[table][:1])


# Each table of the ruleset: how to find its first instance in the data, and its model.
def tables(data: dict[str, Any]) -> dict[str, tuple[dict[str, Any], type[BaseModel]]]:
    item = next(i for i in data["item"] if i.get("check"))
    return {
        "（顶层）": (data, Ruleset),
        "profile": (data["profile"][0], ProfileQuestion),
        "category": (data["category"][0], Category),
        "item": (item, Item),
        "item.check": (item["check"][0], Check),
        "stat": (data["stat"][0], StatDecl),
        "plausibility": (data["plausibility"][0], Plausibility),
    }


CASES = [
    (table, key)
    for table, (_node, model) in tables(DATA).items()
    for key, info in model.model_fields.items()
    if info.is_required()
]


def test_the_cases_cover_every_table_and_category() -> None:
    assert {t for t, _ in CASES} == set(tables(DATA)) and ("item", "category") in CASES


def to_toml(value: Any, path: str = "") -> str:
    """A minimal TOML writer for the shapes a ruleset has: scalars, lists, tables and arrays of tables."""

    def scalar(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, list):
            return "[" + ", ".join(scalar(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k} = {scalar(x)}" for k, x in v.items()) + "}"
        return str(v)

    plain = {k: v for k, v in value.items() if not _is_tables(v) and not isinstance(v, dict)}
    lines = [f"{k} = {scalar(v)}" for k, v in plain.items()]
    for k, v in value.items():
        name = f"{path}.{k}" if path else k
        if isinstance(v, dict):
            lines += ["", f"[{name}]", to_toml(v, name)]
        elif _is_tables(v):
            for entry in v:
                lines += ["", f"[[{name}]]", to_toml(entry, name)]
    return "\n".join(lines)


def _is_tables(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def refusal(text: str) -> list[Problem]:
    with pytest.raises(BadInput) as refused:
        load_ruleset_text(text, name="规则集.toml")
    return refused.value.problems


def test_the_writer_round_trips() -> None:
    assert tomllib.loads(to_toml(DATA)) == DATA


@pytest.mark.parametrize(("table", "key"), CASES)
def test_a_missing_ruleset_key_names_file_id_and_field(table: str, key: str) -> None:
    data = copy.deepcopy(DATA)
    node, _model = tables(data)[table]
    ident = node.get("id") if key != "id" else None
    node.pop(key)
    problems = refusal(to_toml(data))
    wanted = [p for p in problems if p.field is not None and p.field.split(".")[-1] == key]
    assert wanted, problems
    problem = wanted[0]
    assert problem.file == "规则集.toml" and "缺少必填字段" in problem.message, problem
    if ident is not None:
        assert problem.id == ident, problem  # the table by its id
    elif table not in ("（顶层）",):
        assert problem.id is not None or "[" in problem.field, problem  # else the table by its position
    assert f"字段 {problem.field}" in str(problem) and "规则集.toml" in str(problem)


ANSWERS = ROOT / "examples" / "wechat-groups.answers.toml"


@pytest.mark.parametrize("key", [k for k, info in Answers.model_fields.items() if info.is_required()])
def test_a_missing_answers_key_names_file_and_field(key: str, tmp_path: Path) -> None:
    data = tomllib.loads(ANSWERS.read_text(encoding="utf-8"))
    data.pop(key)
    path = tmp_path / "答案.toml"
    path.write_text(to_toml(data), encoding="utf-8")
    with pytest.raises(BadInput) as refused:
        load_answers(path)
    (problem,) = [p for p in refused.value.problems if p.field == key]
    assert problem.file == str(path) and "缺少必填字段" in problem.message
    assert str(path) in str(problem) and f"字段 {key}" in str(problem)


def test_a_wrong_key_in_a_check_names_its_id_and_the_key() -> None:
    text = TEXT.replace('  id = "W00a"\n', '  id = "W00a"\n  questoin = "拼错"\n', 1)
    (problem,) = refusal(text)
    assert (problem.id, problem.field) == ("W00a", "questoin") and "未知字段" in problem.message
