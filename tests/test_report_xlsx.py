"""The campaign report's workbook: fitted for printing, typed cells, and user text that stays text.

Every user-provided string that reaches a spreadsheet is tried with the usual formula-injection
payloads: the campaign name, unit names, rectification notes and reasons, and what a hand-written
ruleset supplies (title, subject, category titles, findings, grade labels, stat labels)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import ROOT, Workspace, seccheck

PAYLOADS = [
    "=1+1",
    '=HYPERLINK("http://example.invalid/?q="&A1,"点此查看")',
    "=cmd|' /C calc'!A0",
    "+1+2",
    "-2+3",
    "@SUM(1,1)",
    "=1+1\t",
]
# Tabs and carriage returns lead a payload where the input accepts them (notes): made plain, it must
# still be text.
NOTE_PAYLOADS = ["\t=1+1", "\r=2+2", '=HYPERLINK("http://example.invalid")\r\n第二行']

RULESET = """format = 1
id = "inject"
title = "=1+1 专项检查"
version = "1"
subject = "=SUM(1)"

[scoring]
grades = [{ min = 90, label = "+合格" }, { min = 0, label = "-不合格" }]

[[category]]
id = "c"
title = "@SUM(A1:A9)"
points = 10

[[category]]
id = "s"
title = "统计"

[[item]]
id = "1"
category = "c"
title = "条目"
points = 10
question = "是否合规？"
finding = "=cmd|' /C calc'!A0"
rectify = "整改"
basis = "依据"

[[item]]
id = "2"
category = "s"
title = "数字"
question = "几个？"
kind = "number"
stat = "n"

[[stat]]
key = "n"
label = "+HYPERLINK(\\"http://example.invalid\\")"
unit = "个"
phrase = "=数字{value}个"
"""


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


@pytest.fixture
def injected(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    assert seccheck("init", root).code == 0
    ws = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
    ruleset = tmp_path / "inject.toml"
    ruleset.write_text(RULESET, encoding="utf-8")
    units = [p for p in PAYLOADS if "\t" not in p]
    for unit in units:
        assert ws.run("unit", "add", "--", unit).code == 0, unit
    assert ws.run("unit", "add", "未检的=单位").code == 0
    campaign = "=1+1"
    run = ws.run(
        "campaign",
        "create",
        campaign,
        "--ruleset",
        ruleset,
        *[a for u in [*units, "未检的=单位"] for a in ("--unit", u)],
    )
    assert run.code == 0, run.text
    files = []
    for n, unit in enumerate(units):
        path = tmp_path / f"a{n}.toml"
        payload = toml_string(PAYLOADS[n])
        path.write_text(
            f'format = 1\nruleset = "inject"\nunit = {toml_string(unit)}\ndate = 2026-11-20\nmode = "inspection"\n'
            f'inspectors = [{payload}]\n[answers]\n"1" = {{ value = false, note = {payload} }}\n"2" = 3\n',
            encoding="utf-8",
        )
        files.append(path)
    run = ws.run("import", "--ruleset", ruleset, "--campaign", campaign, "--no-notice", *files)
    assert run.code == 0, run.text
    rows = json.loads(ws.run("rectify", "list", "--json").out)
    for row, note in zip(rows, [*NOTE_PAYLOADS, *PAYLOADS], strict=False):
        assert ws.run("rectify", "report", str(row["id"]), "--note", note).code == 0, note
    assert ws.run("rectify", "reject", str(rows[-1]["id"]), "--reason", "@SUM(9,9)").code == 0
    return ws


def test_every_user_text_is_text_never_a_formula(injected: Workspace) -> None:
    run = injected.run("report", "=1+1", "--format", "xlsx")
    assert run.code == 0, run.text
    path = Path(run.out.splitlines()[-1])
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                xml = z.read(name).decode("utf-8")
                assert not re.search(r"<f[ >]", xml), f"a formula in {name}"
    book = load_workbook(path)
    seen: set[str] = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (sheet.title, cell.coordinate, cell.value)
                    seen.add(cell.value)
                    if cell.value.startswith(("=", "+", "-", "@")):
                        assert cell.quotePrefix, (sheet.title, cell.coordinate)
    text = "\n".join(seen)
    for payload in ["=1+1", "=cmd|' /C calc'!A0", "+1+2", "-2+3", "@SUM(1,1)", "@SUM(A1:A9)", "-不合格"]:
        assert payload in seen or payload in text, payload
    assert "=1+1" in seen  # the campaign name, and a note whose leading tab was made plain
    assert "=2+2" in seen  # a note that began with a carriage return
    assert '+HYPERLINK("http://example.invalid")' in text  # a stat label
    assert "@SUM(9,9)" in seen  # a reason for sending a report back
    assert not any(ch in text for ch in "\t\r")


def test_control_characters_in_notes_are_refused(injected: Workspace) -> None:
    rows = json.loads(injected.run("rectify", "list", "--json").out)
    run = injected.run("rectify", "report", str(rows[0]["id"]), "--note", "已整改\x07")
    assert run.code == 1 and "控制字符" in run.err and "U+0007" in run.err


def test_a_control_character_in_stored_text_is_stripped_not_a_crash(tmp_path: Path) -> None:
    """Names stored before names were checked (0.1.0) may hold control characters."""
    root = tmp_path / "ws"
    assert seccheck("init", root).code == 0
    ws = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
    assert ws.run("campaign", "create", "微信群", "--ruleset", "wechat-groups").code == 0
    assert (
        ws.run(
            "import",
            "--new-unit",
            "--no-notice",
            "--campaign",
            "微信群",
            ROOT / "examples" / "wechat-groups.answers.toml",
        ).code
        == 0
    )
    from sqlalchemy import update

    from seccheck.storage.tables import Unit

    db = ws.db()
    with db.engine.begin() as conn:
        conn.execute(update(Unit).values(name="某区\x01司法\x1b局\x00"))
    db.close()
    run = ws.run("report", "微信群", "--format", "xlsx")
    assert run.code == 0, run.text
    book = load_workbook(Path(run.out.splitlines()[-1]))
    assert book["单位"]["A2"].value == "某区司法局"


def test_sheets_are_fitted_typed_and_set_up_for_printing(tmp_path: Path) -> None:
    import datetime as dt

    root = tmp_path / "ws"
    assert seccheck("init", root).code == 0
    ws = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
    assert ws.run("campaign", "create", "微信群", "--ruleset", "wechat-groups").code == 0
    answers = ROOT / "examples" / "wechat-groups.answers.toml"
    assert ws.run("import", "--new-unit", "--no-notice", "--campaign", "微信群", answers).code == 0
    run = ws.run("report", "微信群", "--format", "xlsx")
    book = load_workbook(Path(run.out.splitlines()[-1]))
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), sheet.title
        assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$1"
        for column in range(1, sheet.max_column + 1):
            letter = sheet.cell(1, column).column_letter
            width = sheet.column_dimensions[letter].width
            longest = max(
                (
                    len(c.value) + (len(c.value.encode()) - len(c.value)) // 2
                    for c in sheet[letter]
                    if isinstance(c.value, str)
                ),
                default=0,
            )
            assert width >= min(longest, 50), (sheet.title, letter, width, longest)
    findings = book["问题"]
    severities = {row[3] for row in findings.iter_rows(min_row=2, values_only=True)}
    assert severities <= {"一般", "较重", "严重"} and "一般" in severities
    due = findings["F2"]
    assert isinstance(due.value, dt.datetime | dt.date) and due.number_format == "yyyy-mm-dd"
    states = {row[4] for row in book["整改"].iter_rows(min_row=2, values_only=True)}
    assert states == {"待整改"}
    unit_row = book["单位"]
    assert isinstance(unit_row["D2"].value, dt.datetime | dt.date)
    assert unit_row["F2"].value == 0.84 and unit_row["F2"].number_format == "0.0%"
    figures = {
        r[0]: (r[1], c)
        for r, c in zip(book["汇总"].iter_rows(min_row=2, values_only=True), book["汇总"]["B"][1:], strict=True)
    }
    assert figures["得分率：平均"][0] == 0.84 and figures["得分率：平均"][1].number_format == "0.0%"
    for key in ("覆盖率", "整改率", "发现问题", "复查", "等次：基本符合要求", "未检单位"):
        assert key in figures, key
    assert any(k.startswith("薄弱类别：") for k in figures) and any(k.startswith("常见问题：") for k in figures)


def test_libreoffice_prints_no_hashes(tmp_path: Path) -> None:
    """Opened and printed by LibreOffice, no cell shows as ### (a column too narrow for its number)."""
    # Not skipped when LibreOffice is missing: `scripts/setup.sh --dev` installs it, so its absence is a failure.
    assert shutil.which("soffice"), "LibreOffice is missing: run bash scripts/setup.sh --dev"
    root = tmp_path / "ws"
    assert seccheck("init", root).code == 0
    ws = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
    assert ws.run("campaign", "create", "微信群", "--ruleset", "wechat-groups", "--ruleset", "print-shop").code == 0
    files = [ROOT / "examples" / f"{n}.answers.toml" for n in ("wechat-groups", "print-shop")]
    assert ws.run("import", "--new-unit", "--no-notice", "--campaign", "微信群", *files).code == 0
    path = Path(ws.run("report", "微信群", "--format", "xlsx").out.splitlines()[-1])
    out = tmp_path / "pdf"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    text = subprocess.run(
        ["pdftotext", "-layout", str(out / f"{path.stem}.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "###" not in text
    assert "2026-11-18" in text and "84.0%" in text and "某区司法局" in text and "一般" in text
