"""Reading an answers file (TOML) into the Answers model, every problem at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from seccheck import limits
from seccheck.domain.answers import Answer, Answers
from seccheck.errors import BadInput, Problem
from seccheck.ruleset.schema import dumps, model_schema
from seccheck.tomlfile import LineIndex, problems_from_validation, read_toml


def load_answers(path: Path | str) -> tuple[Answers, LineIndex]:
    check_source(path)
    data, text = read_toml(path)
    lines = LineIndex(text)
    try:
        return Answers.model_validate(_yes_no_given(data)), lines
    except ValidationError as exc:
        problems = problems_from_validation(exc, data, str(path), lines)
        # Inside [answers] the key is the id: name it, not a field path.
        fixed = []
        for p in problems:
            if p.id is None and p.field and p.field.startswith("answers."):
                ident = p.field.split(".")[1]
                rest = ".".join(p.field.split(".")[2:]) or None
                fixed.append(Problem(p.message, p.file, lines.of_key(ident) or p.line, ident, rest))
            else:
                fixed.append(p)
        raise BadInput(fixed) from None


# `"1a" = true`, most answers of most files: the model of that answer, validated once (frozen, so shared).
_YES_NO = {True: Answer(value=True), False: Answer(value=False)}


def _yes_no_given(data: dict[str, Any]) -> dict[str, Any]:
    """The file's data with each bare `true` or `false` answer as its validated model: what
    validating `"1a" = true` gives, without validating it a hundred times per file."""
    answers = data.get("answers")
    if isinstance(answers, dict):
        data = data | {"answers": {k: _YES_NO[v] if type(v) is bool else v for k, v in answers.items()}}
    return data


def check_source(path: Path | str) -> None:
    """The file's path is recorded with the audit as its source: one line, at most SOURCE_PATH characters."""
    name = str(path)
    problem = limits.control_problem(name)
    if problem:
        shown = "".join("?" if limits.control_problem(ch) else ch for ch in name)
        raise BadInput([Problem(f"文件路径{problem}（请改名后再导入）", file=shown)])
    if len(name) > limits.SOURCE_PATH:
        raise BadInput(
            [
                Problem(
                    f"文件路径过长：上限 {limits.SOURCE_PATH} 字（实际 {len(name)} 字）；请移到较短的目录后再导入",
                    file=name[:60] + "…",
                )
            ]
        )


SCHEMA_FILE = "answers.schema.json"
# An answer written as its bare value: yes/no, a number, text, a choice's value, "na" or a date (TOML
# dates are strings to a JSON Schema validator).
ANSWER_VALUE_SCHEMA: list[dict[str, Any]] = [{"type": "boolean"}, {"type": "number"}, {"type": "string"}]


def answers_schema() -> dict[str, Any]:
    """The JSON Schema of an answers file, generated from the model (shipped as answers.schema.json)."""
    schema = model_schema(Answers, "seccheck answers file (format 1)")
    # `"1a" = true` and `"7" = "na"` are shorthand for a table with only `value` (or `na`).
    schema["properties"]["answers"]["additionalProperties"] = {
        "anyOf": [{"$ref": "#/$defs/Answer"}, *ANSWER_VALUE_SCHEMA]
    }
    return schema


def answers_schema_text() -> str:
    return dumps(answers_schema())
