"""What leaders read carries no program id, key or English: the text of every document the demo and a
campaign produce (notices, score sheet, 复查意见书, campaign and year reports in every format, the unit's
自查自评工作报告) holds none
of the built-in rulesets' ids, check/item/profile/category ids or stat keys."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from seccheck.ruleset.load import builtin_paths, load_ruleset
from seccheck.ruleset.model import Ruleset
from tests.conftest import ROOT, Workspace, seccheck

EXAMPLES = ROOT / "examples"
CAMPAIGN = "2026年保密检查"
NAMES = ("unit-self-assessment", "wechat-groups", "print-shop", "classified-computers", "classified-document-return")


def program_words() -> set[str]:
    """Every id and key a ruleset holds that a reader could take for a word (numbers are item numbers)."""
    words: set[str] = set()
    for path in builtin_paths():
        rs = load_ruleset(path, builtin=True).ruleset
        words |= {rs.id, *(p.id for p in rs.profile), *(c.id for c in rs.category), *(s.key for s in rs.stat)}
        for item in rs.item:
            words |= {item.id, *(c.id for c in item.check)}
    return {w for w in words if re.search(r"[A-Za-z_]", w)}


def text_of(path: Path) -> str:
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path)
        cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
        return "\n".join([*book.sheetnames, *cells])
    if path.suffix == ".docx":
        import docx

        document = docx.Document(str(path))
        parts = [p.text for p in document.paragraphs]
        parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return "\n".join(parts)
    if path.suffix == ".html":
        html = path.read_text(encoding="utf-8")
        html = re.sub(r"<head>.*?</head>|<style>.*?</style>", "", html, flags=re.S)
        return re.sub(r"<[^>]+>", " ", html)
    raise AssertionError(f"unexpected document {path}")


def _fixed_answers(rs: Ruleset, failing: list[str], unit: str, date: str) -> str:
    lines = ["format = 1", f'ruleset = "{rs.id}"', f'unit = "{unit}"', f"date = {date}", "", "[answers]"]
    for check_id in failing:
        chk = rs.checks[check_id][1]
        if chk.kind == "yesno":
            lines.append(f'"{check_id}" = {"true" if chk.expected else "false"}')
        elif chk.kind == "count":
            lines.append(f'"{check_id}" = 0')
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    base = tmp_path_factory.mktemp("reader")
    root = base / "ws"
    assert seccheck("init", root, "--issuer", "某区国家保密局", "--prefix", "某保检", "--contact", "李明").code == 0
    ws = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
    (root / "复制登记簿照片.jpg").write_bytes((EXAMPLES / "复制登记簿照片.jpg").read_bytes())
    rulesets = [a for r in NAMES for a in ("--ruleset", r)]
    assert ws.run("campaign", "create", CAMPAIGN, "--year", "2026", *rulesets).code == 0
    files = [EXAMPLES / f"{r}.answers.toml" for r in NAMES]
    run = ws.run("import", "--new-unit", "--accept-date", "--campaign", CAMPAIGN, *files)
    # (A self-check by a checklist has no score sheet to write: import says so for that file, on main too.)
    assert "导入 5 个" in run.out, run.text
    # A re-inspection of the WeChat audit that finds everything fixed: its 复查意见书.
    import json

    audits = json.loads(ws.run("audit", "list", "--json").out)
    wechat = next(a for a in audits if a["ruleset_id"] == "wechat-groups")
    shown = json.loads(ws.run("audit", "show", str(wechat["id"]), "--json").out)
    rs = load_ruleset(next(p for p in builtin_paths() if p.stem == "wechat-groups"), builtin=True).ruleset
    failing = [f["check_id"] for f in shown["result"]["findings"]]
    again = base / "复查.toml"
    again.write_text(_fixed_answers(rs, failing, wechat["unit"], "2026-11-22"), encoding="utf-8")
    run = ws.run("reinspect", str(wechat["id"]), "--answers", again)
    assert run.code == 0, run.text
    for fmt in ("pdf", "html", "xlsx"):
        assert ws.run("report", CAMPAIGN, "--format", fmt).code == 0
    for fmt in ("pdf", "html", "docx", "xlsx"):
        assert ws.run("summary", "--year", "2026", "--format", fmt).code == 0
    # The unit's 自查自评工作报告 with a person's and a department's problems rolled up to its items.
    tiers = [EXAMPLES / f"{r}.answers.toml" for r in ("individual-self-check", "department-self-check")]
    assert ws.run("import", "--new-unit", "--no-notice", *tiers).code == 0
    for fmt in ("pdf", "html", "docx"):
        assert ws.run("rollup", "某区教育局", "--year", "2026", "--report", "--format", fmt).code == 0
    found = sorted(p for p in (root / "reports").iterdir() if p.suffix in (".pdf", ".html", ".xlsx", ".docx"))
    kinds = {p.suffix for p in found}
    assert kinds == {".pdf", ".html", ".xlsx", ".docx"}, found
    assert any("复查意见书" in text_of(p) for p in found if p.suffix == ".pdf")
    assert any("自查自评表" in p.name for p in found)
    return found


def test_no_program_id_or_key_in_any_document(documents: list[Path]) -> None:
    words = program_words()
    assert {"wechat-groups", "W01b", "u6.4", "wechat_groups_found"} <= words  # the check can fail
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    pattern = re.compile(r"(?<![A-Za-z0-9_.\-])(" + alternatives + r")(?![A-Za-z0-9_\-])")
    found = {}
    for path in documents:
        hits = sorted(set(pattern.findall(text_of(path))))
        if hits:
            found[path.name] = hits
    assert not found, found


def test_the_report_names_rulesets_by_title_and_weak_categories_below_full_marks(documents: list[Path]) -> None:
    (pdf,) = [p for p in documents if p.name == f"{CAMPAIGN}-汇总.pdf"]
    text = text_of(pdf)
    assert "微信工作群保密管理专项检查" in text and "机关、单位保密自查自评" in text
    weak = text.split("薄弱类别", 1)[1].split("常见问题", 1)[0]
    assert "100.0%" not in weak and "100%" not in weak


def test_the_docx_follows_office_habits(documents: list[Path]) -> None:
    """GB/T 9704 habits: 仿宋 body, 黑体 headings in black (no theme fonts or Word's blue), the title in
    小标宋, A4 with the 公文 margins, and table columns as wide as their content needs."""
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Mm

    (path,) = [p for p in documents if p.suffix == ".docx" and "年终总结" in p.name]
    document = docx.Document(str(path))
    section = document.sections[0]
    # (Word keeps margins in twentieths of a point: within a tenth of a millimetre)
    assert abs(section.top_margin - Mm(37)) < Mm(0.1) and abs(section.left_margin - Mm(28)) < Mm(0.1)
    for name, east_asian in (("Normal", "仿宋_GB2312"), ("Heading 1", "方正小标宋简体"), ("Heading 2", "黑体")):
        style = document.styles[name]
        fonts = style.element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == east_asian, name
        assert fonts.get(qn("w:eastAsiaTheme")) is None and fonts.get(qn("w:asciiTheme")) is None, name
        assert style.font.color.rgb is None or str(style.font.color.rgb) == "000000", name
    table = document.tables[0]
    widths = [cell.width for cell in table.rows[0].cells]
    assert len(set(widths)) > 2, widths  # not equal columns
    assert widths[0] == max(widths)  # the ruleset title is the widest content
    headers = [cell.text for cell in table.rows[0].cells]
    assert "复查后\n最高等次" in headers  # broken between words, not inside one
