"""Rulesets in a spreadsheet (XLSForm style): template, from-xlsx, to-xlsx."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from seccheck.domain.scoring import score
from seccheck.errors import BadInput
from seccheck.io.answersfile import load_answers
from seccheck.io.ruleset_xlsx import convert
from seccheck.io.ruleset_xlsx_write import ruleset_bytes, template_bytes
from seccheck.ruleset.load import builtin_rulesets, load_ruleset, load_ruleset_text
from tests.conftest import DATA, ROOT, seccheck

EXAMPLES = sorted((ROOT / "examples").glob("*.answers.toml"))
EXTRA = [DATA / "worked-example.toml", DATA / "steps-example.toml"]


def roundtrip(rs_path_or_loaded, tmp_path: Path):  # type: ignore[no-untyped-def]
    loaded = rs_path_or_loaded
    book = tmp_path / f"{loaded.ruleset.id}.xlsx"
    book.write_bytes(ruleset_bytes(loaded.ruleset))
    text, again = convert(book)
    assert again.warnings == ()
    return text, again


@pytest.mark.parametrize("loaded", builtin_rulesets() + [load_ruleset(p) for p in EXTRA], ids=lambda x: x.ruleset.id)
def test_round_trip_gives_the_same_ruleset_and_scores(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text, again = roundtrip(loaded, tmp_path)
    assert again.ruleset == loaded.ruleset
    # and the TOML written is a ruleset file like any other
    assert load_ruleset_text(text).ruleset == loaded.ruleset
    scored = 0
    for path in EXAMPLES:
        answers, _ = load_answers(path)
        if answers.ruleset != loaded.ruleset.id:
            continue
        assert dataclasses.asdict(score(again.ruleset, answers)) == dataclasses.asdict(score(loaded.ruleset, answers))
        scored += 1
    assert scored or loaded.ruleset.id in ("worked-example", "steps-example")


def test_the_cli_converts_both_ways(tmp_path: Path) -> None:
    book, toml = tmp_path / "u.xlsx", tmp_path / "u.toml"
    run = seccheck("ruleset", "to-xlsx", "unit-self-assessment", "--out", book)
    assert run.code == 0, run.text
    run = seccheck("ruleset", "from-xlsx", book, "--out", toml)
    assert run.code == 0, run.text
    assert "unit-self-assessment 2026.4" in run.out and "计分项目合计 100 分" in run.out
    example = ROOT / "examples" / "unit-self-assessment.answers.toml"
    assert "得分率 85.2%" in seccheck("score", example, "--ruleset", toml).out
    run = seccheck("ruleset", "to-xlsx", DATA / "steps-example.toml", "--out", tmp_path / "s.xlsx")
    assert run.code == 0, run.text


def test_the_template_has_every_sheet_column_and_drop_down(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    assert seccheck("ruleset", "template", "--out", path).code == 0
    book = load_workbook(path)
    assert book.sheetnames == [
        "说明", "settings", "grades", "profile", "categories", "items", "options", "stats", "plausibility"
    ]  # fmt: skip
    items = [c.value for c in book["items"][1]]
    # every key of the format has its column (or settings row, or sheet): a key added to a model without
    # a place in the spreadsheet fails here
    from seccheck.ruleset.model import (
        Category,
        Check,
        Grade,
        Item,
        Option,
        Plausibility,
        ProfileQuestion,
        Ruleset,
        Scoring,
        StatDecl,
    )

    def header(sheet: str) -> list[object]:
        return [c.value for c in book[sheet][1]]

    settings_keys = {book["settings"].cell(row=n, column=1).value for n in range(2, book["settings"].max_row + 1)}
    tables = {"scoring", "profile", "category", "item", "stat", "plausibility"}
    assert set(Ruleset.model_fields) - tables <= settings_keys
    assert {f"scoring.{k}" for k in Scoring.model_fields if k != "grades"} <= settings_keys
    assert set(Grade.model_fields) <= set(header("grades"))
    assert set(ProfileQuestion.model_fields) - {"options"} <= set(header("profile"))
    assert set(Category.model_fields) <= set(header("categories"))
    assert set(StatDecl.model_fields) <= set(header("stats"))
    assert set(Plausibility.model_fields) <= set(header("plausibility"))
    assert set(Option.model_fields) | {"owner"} == set(header("options"))
    renamed = {"id": "item_id", "applies_if": "item_applies_if", "description": "item_description"}
    assert {renamed.get(k, k) for k in Item.model_fields} - {"check"} <= set(items)
    assert {"check_id" if k == "id" else k for k in Check.model_fields} - {"options"} <= set(items)
    assert "check_id" in items
    lists = {dv.formula1 for dv in book["items"].data_validations.dataValidation}
    assert '"yesno,count,choice,number,text,date"' in lists and '"general,major,critical"' in lists
    assert '"TRUE,FALSE"' in lists
    ranges = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in book["items"].data_validations.dataValidation}
    kind_col = items.index("kind") + 1
    from openpyxl.utils import get_column_letter

    assert ranges[f"{get_column_letter(kind_col)}2"] == '"yesno,count,choice,number,text,date"'
    guide = "\n".join(str(c.value) for c in book["说明"]["A"] if c.value)
    assert "用电子表格编写规则集" in guide and "一票否决" in guide and "每个扣0.1分，最多扣0.5分" in guide
    assert book["items"]["A1"].comment is not None
    # An empty template is not a ruleset yet: converting it says what is missing, without a traceback.
    run = seccheck("ruleset", "from-xlsx", path, "--out", tmp_path / "x.toml")
    assert run.code == 1 and "缺少必填字段" in run.err
    assert not (tmp_path / "x.toml").exists()


def test_the_template_opens_in_libreoffice(tmp_path: Path) -> None:
    assert shutil.which("soffice"), "LibreOffice is missing: run bash scripts/setup.sh --dev"
    path = tmp_path / "template.xlsx"
    path.write_bytes(template_bytes())
    out = tmp_path / "pdf"
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr.lower(), done.stderr
    text = subprocess.run(
        ["pdftotext", "-layout", str(out / "template.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "用电子表格编写规则集" in text and "check_id" in text


def test_user_text_is_text_never_a_formula(tmp_path: Path) -> None:
    source = (DATA / "worked-example.toml").read_text(encoding="utf-8")
    hostile = '=HYPERLINK(\\"http://x\\",\\"y\\")'
    source = source.replace('title = "规格示例"', f'title = "{hostile}"').replace(
        'question = "是否有涉密计算机？"', 'question = "+是否有涉密计算机？"'
    )
    loaded = load_ruleset_text(source)
    path = tmp_path / "h.xlsx"
    path.write_bytes(ruleset_bytes(loaded.ruleset))
    book = load_workbook(path)
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    risky = [c for c in cells if c.value.startswith(("=", "+"))]
    assert len(risky) == 2 and all(c.data_type == "s" and c.quotePrefix for c in risky)
    _, again = convert(path)
    assert again.ruleset == loaded.ruleset


def test_every_mistake_is_reported_at_once_by_sheet_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(template_bytes())
    book = load_workbook(path)
    settings = book["settings"]
    rows = {settings.cell(row=n, column=1).value: n for n in range(2, settings.max_row + 1)}
    settings.cell(row=rows["id"], column=2).value = "local-standard"
    settings.cell(row=rows["title"], column=2).value = "某区保密工作检查表"
    settings.cell(row=rows["version"], column=2).value = "2026.1"
    settings.cell(row=rows["scoring.normalize"], column=2).value = "也许"
    cats = book["categories"]
    cats.append(["c1", "一、组织领导", 4])
    items = book["items"]
    head = [c.value for c in items[1]]

    def row(**values: object) -> list[object]:
        return [values.get(h) for h in head]

    items.append(row(item_id="L01", category="c1", title="领导重视", points=2, check_id="L01a", question="是否研究？",
                     deduct="0.1-0.5", step=0.1))  # fmt: skip
    items.append(row(check_id="L01b", question="是否部署？", deduct="很多"))  # 4: not a number
    items.append(row(item_id="L02", category="c9", title="制度", points=1, question="是否建立制度？",
                     kind="yesnoo"))  # fmt: skip
    items.append(row(item_id="L03", category="c1", title="否决", question="是否发生泄密案件？", veto="maybe",
                     expect=False))  # fmt: skip
    items.append(row(item_id="L04", category="c1", title="公式", points=1, question="是否？", deduct=None))
    items.cell(row=6, column=head.index("deduct") + 1).value = "=1+1"  # a formula
    items.cell(row=1, column=len(head) + 1).value = "evidence"  # an unknown column
    book.save(path)

    run = seccheck("ruleset", "from-xlsx", path, "--out", tmp_path / "x.toml")
    assert run.code == 1, run.text
    assert not (tmp_path / "x.toml").exists()
    err = run.err
    expected = [
        ("工作表“settings”第", "字段 value", "应为 TRUE 或 FALSE"),
        ("工作表“items”第 1 行", "字段 evidence", "未知列"),
        ("工作表“items”第 3 行", "字段 deduct", "应为数字，或区间如 0.5-1"),
        ("工作表“items”第 4 行", "字段 kind", "应为以下之一"),
        ("工作表“items”第 5 行", "字段 veto", "应为 TRUE 或 FALSE"),
        ("工作表“items”第 6 行", "字段 deduct", "单元格是公式"),
        # and then the loader's own checks, placed on the rows that define the ids
        ("工作表“items”第 4 行", "id L02", "类别 'c9' 未定义"),
        ("工作表“categories”第 2 行", "id c1", "分值"),
    ]
    lines = err.splitlines()
    for place, field, words in expected:
        assert any(place in line and field in line and words in line for line in lines), (place, field, words, err)
    with pytest.raises(BadInput) as exc:
        convert(path)
    assert len(exc.value.problems) >= len(expected)

    # A structural mistake the loader finds (a malformed ruleset id) is placed on the settings sheet.
    book = load_workbook(path)
    book["settings"].cell(row=rows["id"], column=2).value = "Local Standard"
    book.save(path)
    with pytest.raises(BadInput) as exc:
        convert(path)
    assert any(
        "工作表“settings”" in (p.file or "") and p.field == "id" and "格式不符" in p.message for p in exc.value.problems
    ), [str(p) for p in exc.value.problems]


@pytest.mark.parametrize("name", ["r.toml", "r.xls", "fake.xlsx", "missing.xlsx"])
def test_a_file_that_is_not_a_workbook_is_refused_with_its_name(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name != "missing.xlsx":
        path.write_bytes((DATA / "worked-example.toml").read_bytes())
    run = seccheck("ruleset", "from-xlsx", path, "--out", tmp_path / "x.toml")
    assert run.code == 1, run.text
    assert name in run.err and ("另存为 .xlsx" in run.err or "文件不存在" in run.err)
