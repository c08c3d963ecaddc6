"""Hostile files, fuzzed: thousands of mutated rulesets and answers files, nesting and size cases
included, read and scored in-process (the path every command takes). Every outcome is a result or
BadInput-type problems in Chinese: nothing else escapes (that would be exit 70), and no line of a
message is English prose. A sample also goes through the real command (`seccheck score`)."""

from __future__ import annotations

import functools
import random
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from seccheck.errors import SeccheckError
from tests.conftest import ROOT, seccheck

RULESET = (ROOT / "rulesets" / "wechat-groups.toml").read_text(encoding="utf-8")
ANSWERS = (ROOT / "examples" / "wechat-groups.answers.toml").read_text(encoding="utf-8")
SEED = 20261204
MUTANTS = 1500  # of each file: 3,000 mutants and 36 depth and size cases, about 15 s on a loaded 2-core machine

# Three English words in a row, outside quotes (a message may repeat the reader's own text in quotes).
_PROSE = re.compile(r"\b[A-Za-z]{2,}\b[ ,:;]+\b[A-Za-z]{2,}\b[ ,:;]+\b[A-Za-z]{2,}\b")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”|‘[^’]*’")

_PIECES = [
    "[",
    "]",
    "{",
    "}",
    "=",
    ",",
    ".",
    '"',
    "'",
    '"""',
    "\n",
    "#",
    "\\",
    "\\u001b",
    "\\u0000",
    "\\U0010FFFF",
    "true",
    "false",
    "nan",
    "inf",
    "-1",
    "1e999",
    "0.000001",
    "99999999999999999999",
    "2026-02-30",
    "1979-05-27T07:32:00Z",
    "中文",
    "\u202e",
    "\u200b",
    "\x00",
    "\x1b[2J",
    "𓀀",
    "[[item]]",
    "[[item.check]]",
    "[answers]",
    "id = ",
    "deduct = ",
    "points = ",
    "applies_if = ",
    "value = ",
    "note = ",
    "kind = ",
    "veto = true",
]


def english_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if _PROSE.search(_QUOTED.sub("", line))]


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(9)
        n = rng.randrange(len(lines)) if lines else 0
        if op == 0 and lines:  # drop a line
            del lines[n]
        elif op == 1 and lines:  # duplicate a line
            lines.insert(n, lines[n])
        elif op == 2 and lines:  # insert a hostile piece inside a line
            line = lines[n]
            at = rng.randint(0, len(line))
            lines[n] = line[:at] + rng.choice(_PIECES) + line[at:]
        elif op == 3 and lines:  # cut a line short
            lines[n] = lines[n][: rng.randint(0, len(lines[n]))]
        elif op == 4 and lines:  # swap two lines
            m = rng.randrange(len(lines))
            lines[n], lines[m] = lines[m], lines[n]
        elif op == 5 and lines:  # replace a value
            if "=" in lines[n]:
                key = lines[n].split("=", 1)[0]
                lines[n] = (
                    key + "= " + rng.choice(['""', '" "', "[]", "{}", "0", "-5", "1.5", '"x"', "true", "[1, [2]]"])
                )
        elif op == 6 and lines:  # a long value
            if "=" in lines[n]:
                key = lines[n].split("=", 1)[0]
                lines[n] = key + '= "' + rng.choice("a中é") * rng.choice([201, 2001, 100_000]) + '"'
        elif op == 7:  # truncate the file
            lines = lines[: n + 1]
        else:  # random bytes of structure
            lines.insert(n, "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 6))))
    return "\n".join(lines)


def _depth_and_size_cases() -> Iterator[tuple[str, str]]:
    """(which file, text) for the deep and big ones the trial found, at several sizes."""
    for depth in (33, 200, 1000, 5000):
        yield "ruleset", RULESET + f"\nx = {'[' * depth}{']' * depth}\n"
        yield "answers", ANSWERS + f"\nW99 = {'{a = ' * depth}1{'}' * depth}\n"
        yield "answers", ANSWERS.replace("[answers]", "[answers]\n" + "a." * depth + "b = 1")
        yield "ruleset", "[" + ".".join(["t"] * depth) + "]\n" + RULESET
        yield "ruleset", RULESET + "\nx = [\n" + "[\n" * depth + "]\n" * depth + "]\n"
    for size in (10_000, 1_000_000, 7_000_000):
        yield "ruleset", RULESET.replace('level = "unit"', f'level = "{"u" * size}"')
        yield "answers", ANSWERS.replace('mode = "inspection"', f'mode = "{"m" * size}"')
        yield "answers", ANSWERS.replace('unit = "某区司法局"', f'unit = "{"某" * size}"')
    yield "answers", ANSWERS + "\nW98 = " + "9" * 5000 + "\n"
    yield "answers", ANSWERS + "\nW98 = 1e99999999999999999999\n"  # no decimal holds the exponent
    yield "answers", ANSWERS.replace('"2 名调离人员仍在群内"', '"' + "\\u001b" * 10 + '"')
    yield "ruleset", RULESET.replace('label = "符合要求"', 'label = "' + "等" * 1000 + '"')
    yield "answers", ANSWERS.replace('inspectors = ["', 'inspectors = ["   ", "')
    yield "answers", "\ufeff" + ANSWERS
    yield "answers", ""
    yield "ruleset", "\x00" * 100


def _run(kind: str, text: str) -> tuple[str, str]:
    """Read and score one mutant as every command does: ('ok'|'refused', what a reader sees)."""
    from seccheck.domain.answers import Answers
    from seccheck.domain.scoring import score
    from seccheck.domain.validate import check_answers
    from seccheck.ruleset.load import load_ruleset_text
    from seccheck.tomlfile import LineIndex, parse_toml_bytes, problems_from_validation

    try:
        # The file not mutated is read once (`_original`): the time goes to the mutants.
        loaded = load_ruleset_text(text, "r.toml") if kind == "ruleset" else _original("ruleset")
        data, raw = parse_toml_bytes(text.encode("utf-8"), "a.toml") if kind == "answers" else _original("answers")
        from pydantic import ValidationError

        try:
            answers = Answers.model_validate(data)
        except ValidationError as exc:
            from seccheck.errors import BadInput

            raise BadInput(problems_from_validation(exc, data, "a.toml", LineIndex(raw))) from None
        problems = check_answers(loaded.ruleset, answers, name="a.toml", lines=LineIndex(raw))
        shown = "\n".join(str(p) for p in problems)
        if any(not p.warning for p in problems):
            return "refused", shown
        score(loaded.ruleset, answers)
        return "ok", shown
    except SeccheckError as exc:
        assert exc.problems, "an error with nothing to say"
        return "refused", str(exc)


@functools.cache
def _original(kind: str) -> Any:
    from seccheck.ruleset.load import load_ruleset_text
    from seccheck.tomlfile import parse_toml_bytes

    return load_ruleset_text(RULESET, "r.toml") if kind == "ruleset" else parse_toml_bytes(ANSWERS.encode(), "a.toml")


def _cases() -> Iterator[tuple[str, str]]:
    rng = random.Random(SEED)
    yield from _depth_and_size_cases()
    for _ in range(MUTANTS):
        yield "ruleset", _mutate(RULESET, rng)
        yield "answers", _mutate(ANSWERS, rng)


def test_thousands_of_hostile_files_end_in_chinese_problems_never_a_defect() -> None:
    started = time.perf_counter()
    outcomes: dict[str, int] = {}
    defects: list[str] = []
    english: list[str] = []
    longest = 0
    for kind, text in _cases():
        try:
            outcome, shown = _run(kind, text)
        except Exception as exc:  # what the command would report as exit 70
            defects.append(f"{kind}: {type(exc).__name__}: {str(exc)[:200]} <- {text[:0]}")
            continue
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        english += english_lines(shown)
        longest = max([longest, *(len(line) for line in shown.splitlines())])
    elapsed = time.perf_counter() - started
    total = sum(outcomes.values()) + len(defects)
    assert total >= 2 * MUTANTS + 30
    assert not defects, defects[:10]
    assert not english, english[:10]
    assert outcomes.get("refused", 0) > total // 3 and outcomes.get("ok", 0) > 50, outcomes
    assert longest <= 2500, longest  # every echoed value is shortened
    assert elapsed < 120, elapsed


@pytest.mark.parametrize(
    "make",
    [
        lambda: ANSWERS + "\nW99 = " + "[" * 1000 + "]" * 1000 + "\n",
        lambda: ANSWERS.replace("[answers]", "[answers]\n" + "a." * 5000 + "b = 1"),
        lambda: ANSWERS.replace('mode = "inspection"', "mode = = 1"),
        lambda: ANSWERS.replace('mode = "inspection"', f'mode = "{"m" * 1_000_000}"'),
    ],
)
def test_the_command_refuses_hostile_answers_with_exit_1_naming_file_and_line(
    tmp_path: Path, make: Callable[[], str]
) -> None:
    path = tmp_path / "hostile.toml"
    path.write_text(make(), encoding="utf-8")
    run = seccheck("score", path)
    assert run.code == 1, run.text
    assert f"{path}:" in run.err, run.err
    assert not english_lines(run.err), run.err
    assert len(run.err) < 3000


def test_nesting_and_syntax_messages_name_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(ANSWERS + "\nW99 = [\n" + "[\n" * 40 + "]\n" * 40 + "]\n", encoding="utf-8")
    run = seccheck("score", path)
    line = ANSWERS.count("\n") + 2 + 32
    assert run.code == 1 and f"deep.toml:{line}：" in run.err and "嵌套过深" in run.err, run.err
    path.write_text(ANSWERS.replace('mode = "inspection"', "mode inspection"), encoding="utf-8")
    run = seccheck("score", path)
    assert run.code == 1 and "TOML 语法错误（第" in run.err and "列）：键后面应为 =" in run.err, run.err
    assert not english_lines(run.err)
