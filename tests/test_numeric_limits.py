"""Decimal arithmetic cannot lose or overflow silently (issue 11): the precision and bounds of points,
deductions, counts and numbers (seccheck/limits.py, docs/ruleset-format.md §7) are enforced at load,
each refusal naming the file, the id and the field; nothing ends in exit 70."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from seccheck import limits
from seccheck.domain.answertext import AnswerTextError, parse_deduct, parse_value
from seccheck.errors import BadInput
from seccheck.ruleset.load import load_ruleset, load_ruleset_text
from tests.conftest import DATA, seccheck

WORKED = (DATA / "worked-example.toml").read_text(encoding="utf-8")
ANSWERS = (DATA / "worked-example.answers.toml").read_text(encoding="utf-8")


def _ruleset(tmp_path: Path, old: str, new: str) -> Path:
    assert old in WORKED, old
    path = tmp_path / "rs.toml"
    path.write_text(WORKED.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "ident", "field", "words"),
    [
        ("points = 4", "points = nan", "1", "points", "有限的数字"),
        ("points = 4", "points = inf", "1", "points", "有限的数字"),
        ("points = 4", "points = 1e30", "1", "points", "0 至 1000"),
        ("points = 4", "points = 1e999999999", "1", "points", "0 至 1000"),
        ("points = 4", "points = 1000.01", "1", "points", "0 至 1000"),
        ("points = 4", "points = 4.125", "1", "points", "最多 2 位小数"),
        ("points = 4", "points = -4", "1", "points", "0 至 1000"),
        ("points = 4", 'points = "4"', "1", "points", "不带引号"),
        ("deduct = 1", "deduct = 0.500000000000000001", "1a", "deduct", "最多 2 位小数"),
        ("deduct = 1", "deduct = 0.500000000000000000", "1a", "deduct", "实际 18 位"),
        ("deduct = [0.5, 1]", "deduct = [0.5, 1e999999999]", "1b", "deduct", "0 至 1000"),
        ("deduct = [0.5, 1]", "deduct = [nan, 1]", "1b", "deduct", "有限的数字"),
        ("deduct = [0.5, 1]", "deduct = [0.5, 1]\nstep = 0.125", "1b", "step", "最多 2 位小数"),
        ("per = 2", "per = 1e30", "3", "per", "0 至 1000"),
        ("per = 2", "per = 2\nmax = 4.001", "3", None, "最多 2 位小数"),
        ("per = 2", "per = 2\nmax_ok = 100000000000000000000", "3", "max_ok", "绝对值应小于 10^12"),
        ("per = 2", "per = 2\nmax_ok = 1000001", "3", None, f"不大于 {limits.COUNT_MAX}"),
        # (issue 22: a problem at the top level names the ruleset's id)
        ("{ min = 90,", "{ min = 90.001,", "worked-example", "scoring.grades[0].min", "最多 2 位小数"),
        ("{ min = 90,", "{ min = 100.5,", "worked-example", "scoring.grades[0].min", "0 至 100"),
    ],
)
def test_ruleset_numbers_out_of_bounds_are_refused_at_load(
    tmp_path: Path, old: str, new: str, ident: str | None, field: str | None, words: str
) -> None:
    path = _ruleset(tmp_path, old, new)
    with pytest.raises(BadInput) as caught:
        load_ruleset(path)
    assert any(
        p.file == str(path) and p.id == ident and (field is None or p.field == field) and words in p.message
        for p in caught.value.problems
    ), caught.value.problems
    run = seccheck("ruleset", "check", path)
    assert run.code == 1 and words in run.err, run.text


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("points = 4", "points = 1000"),
        ("points = 4", "points = 4.25"),
        ("points = 4", "points = 4.00"),
        ("deduct = [0.5, 1]", "deduct = [0.25, 1]\nstep = 0.25"),
        ("per = 2", "per = 0.01\nmax = 5"),
        ("{ min = 90,", "{ min = 89.5,"),
    ],
)
def test_ruleset_numbers_within_bounds_are_accepted(tmp_path: Path, old: str, new: str) -> None:
    load_ruleset(_ruleset(tmp_path, old, new))


def test_a_stored_ruleset_copy_keeps_loading_after_the_bounds_were_added() -> None:
    # A copy stored with audits before the bounds existed (3 decimals) stays readable; a new file is refused.
    text = WORKED.replace("points = 4", "points = 4.125", 1)
    with pytest.raises(BadInput):
        load_ruleset_text(text)
    copy = load_ruleset_text(text, frozen=True)
    assert copy.ruleset.items_by_id["1"].points == Decimal("4.125")
    # …but what was never storable stays refused.
    with pytest.raises(BadInput):
        load_ruleset_text(WORKED.replace("points = 4", "points = nan", 1), frozen=True)


@pytest.mark.parametrize(
    ("old", "new", "ident", "field"),
    [
        ("deduct = 0.5", "deduct = 0.500000000000000000", "1b", "deduct"),
        ("deduct = 0.5", "deduct = nan", "1b", "deduct"),
        ("deduct = 0.5", "deduct = 1e999999999", "1b", "deduct"),
        ('"3" = 4', '"3" = 100000000000000000000', "3", "value"),
        ('"3" = 4', '"3" = 1000001', "3", "value"),
        ('"3" = 4', '"3" = nan', "3", "value"),
        ('"3" = 4', '"3" = 1e30', "3", "value"),
    ],
)
def test_answers_numbers_out_of_bounds_are_refused_naming_file_id_and_field(
    tmp_path: Path, old: str, new: str, ident: str, field: str
) -> None:
    assert old in ANSWERS, old
    path = tmp_path / "a.toml"
    path.write_text(ANSWERS.replace(old, new, 1), encoding="utf-8")
    run = seccheck("score", "--ruleset", DATA / "worked-example.toml", path)
    assert run.code == 1, run.text
    assert f"{path}:" in run.err and f"id {ident}，字段 {field}" in run.err, run.err


def test_typed_numbers_follow_the_same_bounds() -> None:
    rs = load_ruleset(DATA / "edge-inputs.toml").ruleset
    count, number = rs.checks["2"][1], rs.checks["3"][1]
    assert parse_value(count, str(limits.COUNT_MAX)) == limits.COUNT_MAX
    assert parse_value(number, "-999999999999.9999") == Decimal("-999999999999.9999")
    for question, text in (
        (count, str(limits.COUNT_MAX + 1)),
        (count, "9" * 5000),  # longer than int() reads: refused, not a crash
        (count, "²"),
        (number, "nan"),
        (number, "-inf"),
        (number, "1e999999999"),
        (number, "1000000000000"),
        (number, "1.23456"),
    ):
        with pytest.raises(AnswerTextError):
            parse_value(question, text)
    assert parse_deduct("1.5", (Decimal("0.5"), Decimal(2))) == Decimal("1.5")
    with pytest.raises(AnswerTextError, match="最多 2 位小数"):
        parse_deduct("1.500000000000000000", (Decimal("0.5"), Decimal(2)))
