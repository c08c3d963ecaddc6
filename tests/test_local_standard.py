"""docs/rulesets.md walks an office through turning its local standard into a ruleset with the
spreadsheet. The tables in the doc are filled into the template as the office would, converted with
`ruleset from-xlsx`, and scored: the results are the ones the doc states, and the shipped example
(examples/local-standard/) scores the same."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from seccheck.domain.answers import Answers
from seccheck.domain.scoring import score
from seccheck.io.answersfile import load_answers
from seccheck.numbers import fmt
from seccheck.ruleset.load import load_ruleset
from tests.conftest import ROOT, seccheck

DOC = ROOT / "docs" / "rulesets.md"
LOCAL = ROOT / "examples" / "local-standard"


def doc_tables() -> dict[str, list[dict[str, str]]]:
    """The tables under “工作表 `name`：” in the doc's worked example."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("### 示例：某区 100 分制检查表") :]
    tables: dict[str, list[dict[str, str]]] = {}
    for name, body in re.findall(r"工作表 `(\w+)`：\n\n((?:\|.*\|\n)+)", section):
        lines = [line.strip().strip("|").split("|") for line in body.strip().splitlines()]
        header = [h.strip() for h in lines[0]]
        tables[name] = [dict(zip(header, (c.strip() for c in row), strict=True)) for row in lines[2:]]
    return tables


def cell_value(text: str) -> Any:
    if text in ("TRUE", "FALSE"):
        return text == "TRUE"
    if re.fullmatch(r"[0-9]+", text):
        return int(text)
    if re.fullmatch(r"[0-9]+\.[0-9]+", text):
        return float(text)
    return text


def fill_template(path: Path) -> None:
    assert seccheck("ruleset", "template", "--out", path).code == 0
    book = load_workbook(path)
    tables = doc_tables()
    assert set(tables) == {"settings", "grades", "categories", "items"}
    settings = book["settings"]
    rows = {settings.cell(row=n, column=1).value: n for n in range(2, settings.max_row + 1)}
    for entry in tables["settings"]:
        settings.cell(row=rows[entry["key"]], column=2).value = cell_value(entry["value"])
    for name in ("grades", "categories", "items"):
        ws = book[name]
        head = [c.value for c in ws[1]]
        for n, entry in enumerate(tables[name], start=2):
            for key, text in entry.items():
                if text:
                    ws.cell(row=n, column=head.index(key) + 1).value = cell_value(text)
    book.save(path)


def test_the_doc_example_converts_and_scores_as_the_doc_says(tmp_path: Path) -> None:
    book, toml = tmp_path / "本区检查表.xlsx", tmp_path / "本区检查表.toml"
    fill_template(book)
    run = seccheck("ruleset", "from-xlsx", book, "--out", toml)
    assert run.code == 0, run.text
    converted = load_ruleset(toml).ruleset
    shipped = load_ruleset(LOCAL / "local-standard.toml").ruleset
    assert converted.scored_points == 100 and converted.scoring.normalize is False
    answers, _ = load_answers(LOCAL / "local-standard.answers.toml")
    result = score(converted, answers)
    doc = DOC.read_text(encoding="utf-8")
    assert f"得分 14.7 + 15 + 18.75 + 18.5 + 28 = **{fmt(result.raw)}**" in doc
    assert f"显示为 {result.percent}" in doc and f"等次 **{result.grade}**" in doc
    assert f"发现问题 {len(result.findings)} 个（{'、'.join(f.check_id for f in result.findings)}）" in doc
    assert (result.raw, result.percent, result.grade) == (Decimal("94.95"), Decimal("95.0"), "优秀")
    # the shipped TOML scores the same (it adds the notice texts: finding, rectify, basis, help)
    ours = score(shipped, answers)
    assert (ours.raw, ours.percent, ours.grade, [f.check_id for f in ours.findings]) == (
        result.raw,
        result.percent,
        result.grade,
        [f.check_id for f in result.findings],
    )
    assert [dataclasses.asdict(c)["points"] for c in ours.categories] == [
        dataclasses.asdict(c)["points"] for c in result.categories
    ]
    # 一票否决: a leak makes it 不合格 whatever the score
    vetoed = Answers.model_validate(
        {**answers.model_dump(), "answers": {**answers.model_dump()["answers"], "L06": {"value": True}}}
    )
    assert score(converted, vetoed).grade == "不合格" and "不合格**" in doc
    explained = seccheck("score", LOCAL / "local-standard.answers.toml", "--ruleset", toml, "--explain")
    assert "发现 7 起，每起扣 0.1 分，合计 0.7 分，本检查最多扣 0.5 分" in explained.out
