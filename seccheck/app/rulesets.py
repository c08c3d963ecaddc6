"""Rulesets and answers files without a workspace: the formats' JSON Schemas, the spreadsheet template and
conversions, and scoring an answers file. What the `ruleset` and `score` commands call."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seccheck.domain.result import Result
from seccheck.errors import BadInput, Problem
from seccheck.fileutil import write_atomic
from seccheck.ruleset.load import LoadedRuleset, resolve_ruleset


def schema_text(*, answers: bool = False) -> str:
    """The JSON Schema of the ruleset format (`answers`: of the answers-file format)."""
    if answers:
        from seccheck.io.answersfile import answers_schema_text

        return answers_schema_text()
    from seccheck.ruleset.schema import schema_text as ruleset_schema_text

    return ruleset_schema_text()


def write_template(out: Path) -> None:
    """Write the empty spreadsheet to write a ruleset in (private to its owner, like every file we make)."""
    from seccheck.io.ruleset_xlsx_write import template_bytes

    write_atomic(out, template_bytes(), mode=0o600)


def convert_workbook(workbook: Path, out: Path) -> LoadedRuleset:
    """Convert a spreadsheet to ruleset TOML at `out`; BadInput with every problem, and nothing written."""
    from seccheck.io.ruleset_xlsx import convert

    text, loaded = convert(workbook)
    write_atomic(out, text.encode("utf-8"), mode=0o600)
    return loaded


def write_workbook(ref: str, out: Path) -> None:
    """Write a ruleset (built-in id or file) as a spreadsheet that `convert_workbook` reads back."""
    from seccheck.io.ruleset_xlsx_write import ruleset_bytes

    write_atomic(out, ruleset_bytes(resolve_ruleset(ref).ruleset), mode=0o600)


@dataclass(frozen=True)
class Scored:
    result: Result
    ruleset: LoadedRuleset
    warnings: list[Problem]


def score_file(answers_file: Path, ruleset_ref: str | None = None) -> Scored:
    """Score an answers file by its ruleset (or `ruleset_ref`); BadInput when an answer is wrong."""
    from seccheck.domain.scoring import score
    from seccheck.domain.validate import check_answers
    from seccheck.io.answersfile import load_answers

    answers, lines = load_answers(answers_file)
    loaded = resolve_ruleset(ruleset_ref or answers.ruleset)
    problems = check_answers(loaded.ruleset, answers, name=str(answers_file), lines=lines)
    if any(not p.warning for p in problems):
        raise BadInput(problems)
    return Scored(score(loaded.ruleset, answers), loaded, problems)
