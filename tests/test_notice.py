"""Rectification notices read back from real PDFs; numbers; hostile input; fonts; doctor."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, Workspace, seccheck, seccheck_process
from tests.pdfa import archival_metadata

SELF_EXAMPLE = ROOT / "examples" / "unit-self-assessment.answers.toml"


def _inspection_copy() -> Path:
    """The unit example as an inspection by the office (a self-assessment gets no notice)."""
    folder = Path(tempfile.mkdtemp(prefix="seccheck-notice-"))
    path = folder / "unit-inspection.answers.toml"
    text = SELF_EXAMPLE.read_text(encoding="utf-8")
    assert 'mode = "self"' in text
    path.write_text(text.replace('mode = "self"', 'mode = "inspection"'), encoding="utf-8")
    photo = SELF_EXAMPLE.parent / "复制登记簿照片.jpg"  # the evidence it names, beside it
    (folder / photo.name).write_bytes(photo.read_bytes())
    return path


UNIT_EXAMPLE = _inspection_copy()


def pdftext(path: Path, *args: str) -> str:
    command = ["pdftotext", "-raw", *args, str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def pages(path: Path) -> list[str]:
    return pdftext(path).split("\f")[:-1]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def only_pdf(folder: Path) -> Path:
    (pdf,) = sorted(folder.glob("*.pdf"))
    return pdf


@pytest.fixture
def sqlite_ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    url = f"sqlite:///{root / 'seccheck.db'}"
    run = seccheck(
        "init",
        root,
        "--issuer",
        "某区国家保密局",
        "--prefix",
        "某保检",
        "--contact",
        "李明",
        "--phone",
        "0000-1234567",
        "--marking",
        "工作秘密",
    )
    assert run.code == 0, run.text
    return Workspace(root, url)


def test_finalising_renders_the_notice_with_everything_in_it(sqlite_ws: Workspace) -> None:
    run = sqlite_ws.run("audit", "unit-self-assessment", "--new-unit", "--answers", UNIT_EXAMPLE)
    assert run.code == 0, run.text
    pdf = only_pdf(sqlite_ws.root / "reports")
    assert pdf.name == "某保检〔2026〕1号-某区教育局.pdf"
    assert "整改通知书 某保检〔2026〕1号：" in run.out and pdf.name in run.out.replace("\n", "")
    text = pdftext(pdf)
    flat = squash(text)
    for expected in (
        "工作秘密",
        "某区国家保密局",
        "某保检〔2026〕1号",
        "保密检查整改通知书",
        "某区教育局：",
        "得分率85.2%",
        "评定为“基本符合要求”",
        "联系人：李明",
        "0000-1234567",
    ):
        assert expected in flat, expected
    # every finding with its due date
    for finding, due in (
        ("主要负责人未听取保密工作汇报", "2026年12月23日"),
        ("涉密载体复制未经批准", "2026年12月23日"),
        ("涉密与非涉密设备交叉使用移动存储介质", "2026年11月30日"),
    ):
        assert finding in flat
        assert due in flat
    # Deadlines count from the notice's date (SECCHECK_TODAY, 2026-11-23), not the inspection's.
    assert flat.count("2026年12月23日") >= 8 and "2026年12月20日" not in flat
    # the receipt is the last page, on its own
    last = squash(pages(pdf)[-1])
    assert last.startswith("回执") or "回执通知书编号" in last
    assert "签收人" in last and "单位盖章" in last and "某保检〔2026〕1号" in last
    # the verification line carries the ledger anchor, worded for the recipient: no program, command or id
    anchor = re.search(r"核验码：(\d+):([0-9a-f]{64})", flat)
    assert anchor is not None, flat
    assert sqlite_ws.run("verify", "--anchor", f"{anchor.group(1)}:{anchor.group(2)}").code == 0
    markers = ("seccheck", "verify", "2026.2版", "2026.1版", "待核实", "÷", "×100%", "本次检查不计分", "检查编号")
    for internal in markers:
        assert internal not in flat, internal
    # 检查项 by title, never by id; the body addresses the unit and names the inspection
    assert "主要负责人履行保密工作第一责任人职责" in flat and "对你单位开展了机关、单位保密自查自评" in flat
    assert "依规依纪追究有关人员责任" in flat  # a unit (not a shop) is told to hold people responsible
    # page numbers — n —
    for n, page in enumerate(pages(pdf), start=1):
        assert re.search(rf"—\s*{n}\s*—", page), n


def test_notice_is_pdfa_2b_with_metadata_and_renders_again_identically(sqlite_ws: Workspace) -> None:
    import datetime as dt

    assert sqlite_ws.run("audit", "unit-self-assessment", "--new-unit", "--answers", UNIT_EXAMPLE).code == 0
    pdf = only_pdf(sqlite_ws.root / "reports")
    meta = archival_metadata(pdf)
    assert meta["/Title"] == "某保检〔2026〕1号 保密检查整改通知书"
    assert meta["/Author"] == "某区国家保密局"  # the issuer
    assert meta["/Subject"] == "对某区教育局开展机关、单位保密自查自评发现问题的整改通知"
    keywords = meta["/Keywords"].split(", ")
    assert {"保密检查", "整改通知书", "某保检〔2026〕1号", "某区教育局"} <= set(keywords)
    # CreationDate is the notice's issue date (the workspace's day when it was numbered) …
    assert meta["/CreationDate"] == "D:20261123"
    assert "<xmp:CreateDate>2026-11-23</xmp:CreateDate>" in meta["xmp"]
    assert meta["/Creator"].startswith("seccheck ")

    # … so writing it again on another day changes nothing, not even a byte.
    from seccheck.app.documents import write_notice

    ctx = sqlite_ws.context(dt.date(2027, 1, 5))
    again = write_notice(ctx, 1, out_dir=sqlite_ws.root / "again")
    ctx.db.close()
    assert again.fetched == ()
    assert archival_metadata(again.path)["/CreationDate"] == "D:20261123"
    assert again.path.read_bytes() == pdf.read_bytes()


def test_fonts_embedded_and_subset(sqlite_ws: Workspace) -> None:
    assert sqlite_ws.run("audit", "unit-self-assessment", "--new-unit", "--answers", UNIT_EXAMPLE).code == 0
    pdf = only_pdf(sqlite_ws.root / "reports")
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = listing.splitlines()[2:]
    assert rows and any("CJK" in r for r in rows)
    for row in rows:
        name, *_rest = row.split()
        assert re.match(r"[A-Z]{6}\+", name), f"not subset: {row}"
        assert " yes yes " in row, f"not embedded and subset: {row}"


def dated_copies(folder: Path, count: int) -> list[Path]:
    """Independent audits of one unit: the example on different days (different content)."""
    text = UNIT_EXAMPLE.read_text(encoding="utf-8")
    paths = []
    for n in range(count):
        path = folder / f"a{n}.toml"
        path.write_text(text.replace("date = 2026-11-20", f"date = 2026-10-{n + 1:02d}"), encoding="utf-8")
        paths.append(path)
    return paths


def test_numbers_are_kept_and_count_up(sqlite_ws: Workspace, tmp_path: Path) -> None:
    files = dated_copies(tmp_path, 3)
    assert sqlite_ws.run("import", "--new-unit", "--another-audit", "--no-notice", *files).code == 0
    first = sqlite_ws.run("notice", "2")
    assert "某保检〔2026〕1号" in first.out
    again = sqlite_ws.run("notice", "2", "--format", "html")
    assert "某保检〔2026〕1号" in again.out
    assert "某保检〔2026〕2号" in sqlite_ws.run("notice", "1").out
    assert "某保检〔2026〕3号" in sqlite_ws.run("notice", "3", "--format", "html").out


def test_two_processes_never_get_the_same_number(workspace: Workspace, tmp_path: Path) -> None:
    files = dated_copies(tmp_path, 30)
    assert workspace.run("import", "--new-unit", "--another-audit", "--no-notice", *files).code == 0
    script = (
        "import sys, datetime\n"
        "from seccheck.storage.db import Database\n"
        "from seccheck.storage.notices import next_number\n"
        "db = Database(sys.argv[1])\n"
        "day = datetime.date(2026, 11, 23)\n"
        "for audit_id in map(int, sys.argv[2:]):\n"
        "    n = db.transaction(lambda s: next_number(s, audit_id, '某区国家保密局', day).number)\n"
        "    print(audit_id, n, flush=True)\n"
    )
    halves = [list(range(1, 31, 2)), list(range(2, 31, 2))]
    from seccheck.storage.workspace import open_workspace

    # The workspace's ledger key (on PostgreSQL it is not beside a database file): entries stay coded.
    key = open_workspace(workspace.root, workspace.db_url).key_file
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, workspace.db_url, *map(str, ids)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "SECCHECK_KEY_FILE": str(key)},
        )
        for ids in halves
    ]
    numbers: dict[int, int] = {}
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        for line in out.splitlines():
            audit_id, n = map(int, line.split())
            numbers[audit_id] = n
    assert sorted(numbers.values()) == list(range(1, 31))  # unique and gapless


HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel=stylesheet href="http://127.0.0.1:9/x.css">',
    "{{ 7*7 }}",
    "</td></tr>",
]


def test_hostile_text_is_printed_literally_and_nothing_is_fetched(sqlite_ws: Workspace, tmp_path: Path) -> None:
    text = UNIT_EXAMPLE.read_text(encoding="utf-8")
    text = text.replace('unit = "某区教育局"', "unit = " + _toml("某区" + HOSTILE[0]))
    notes = {'"u2.2" = {': HOSTILE[1], '"u3.2" = {': HOSTILE[2], '"u7.3" = {': HOSTILE[3]}
    for key, note in notes.items():
        text = re.sub(
            re.escape(key) + r"( value = [^,]+(?:, deduct = [0-9.]+)?), note = \"[^\"]*\"",
            lambda m, note=note, key=key: key + m.group(1) + ", note = " + _toml(note),
            text,
        )
    path = tmp_path / "hostile.toml"
    path.write_text(text, encoding="utf-8")
    run = sqlite_ws.run("audit", "unit-self-assessment", "--new-unit", "--answers", path, "--no-notice")
    assert run.code == 0, run.text

    from seccheck.app.documents import write_notice

    ctx = sqlite_ws.context()
    made = write_notice(ctx, 1)
    assert made.fetched == ()
    flat = squash(pdftext(made.path))
    # in the metadata too: text, never markup
    meta = archival_metadata(made.path)
    assert '某区<img src="file:///etc/passwd">' in meta["/Subject"]  # and the XMP says the same
    assert squash('某区<img src="file:///etc/passwd">') in flat
    for hostile in HOSTILE[1:]:
        assert squash(hostile) in flat, hostile
    # (the 核验码 is hexadecimal and may hold any digits)
    assert "49" not in re.sub(r"核验码：\d+:[0-9a-f]{64}", "", flat).replace("2026", "")
    html = write_notice(ctx, 1, fmt="html").path.read_text(encoding="utf-8")
    ctx.db.close()
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "<img" not in html and "<link" not in html and "{{ 7*7 }}" in html


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize("unit", ["../../x", "a/b", "..", "/etc/x"])
def test_unit_names_cannot_leave_reports(sqlite_ws: Workspace, tmp_path: Path, unit: str) -> None:
    path = tmp_path / "a.toml"
    path.write_text(
        UNIT_EXAMPLE.read_text(encoding="utf-8").replace('unit = "某区教育局"', f'unit = "{unit}"'), encoding="utf-8"
    )
    run = sqlite_ws.run("audit", "unit-self-assessment", "--new-unit", "--answers", path)
    assert run.code == 0, run.text
    reports = sqlite_ws.root / "reports"
    pdf = only_pdf(reports)
    assert pdf.parent == reports
    assert not list(tmp_path.glob("x*")) and not (tmp_path / "ws" / "x.pdf").exists()


def test_twenty_findings_notice_is_small_and_repeats_the_header(sqlite_ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "twenty.toml"
    path.write_text(_answers_with_failures(20), encoding="utf-8")
    run = sqlite_ws.run("audit", "unit-self-assessment", "--new-unit", "--answers", path)
    assert run.code == 0, run.text
    assert "发现的问题（20 个）" in run.out
    pdf = only_pdf(sqlite_ws.root / "reports")
    assert pdf.stat().st_size < 1024 * 1024
    table_pages = [squash(p) for p in pages(pdf) if "检查发现的具体情况说明" in squash(p)]
    assert len(table_pages) >= 2, "a 20-finding table spans pages"
    for page in table_pages:
        assert "序号问题检查项依据扣分整改要求整改期限" in page  # the header row is repeated on each page


def _answers_with_failures(count: int) -> str:
    from seccheck.ruleset.load import resolve_ruleset

    rs = resolve_ruleset("unit-self-assessment").ruleset
    lines = [
        "format = 1",
        'ruleset = "unit-self-assessment"',
        'unit = "某区审计局"',
        "date = 2026-11-20",
        'mode = "inspection"',
        'inspectors = ["李明"]',
        "[answers]",
    ]
    lines += [f"{p.id} = true" for p in rs.profile]
    failed = 0
    for item in rs.item:
        for chk in item.check:
            if chk.kind == "count":
                lines.append(f'"{chk.id}" = 0')
            elif chk.veto:
                lines.append(f'"{chk.id}" = false')
            elif failed < count:
                failed += 1
                deduct = f", deduct = {chk.deduct[0]}" if isinstance(chk.deduct, tuple) else ""
                lines.append(f'"{chk.id}" = {{ value = false{deduct}, note = "检查发现的具体情况说明" }}')
            else:
                lines.append(f'"{chk.id}" = true')
    return "\n".join(lines) + "\n"


def test_a_missing_glyph_is_named(sqlite_ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "glyph.toml"
    path.write_text(
        UNIT_EXAMPLE.read_text(encoding="utf-8").replace('unit = "某区教育局"', 'unit = "某区𓀀局"'), encoding="utf-8"
    )
    run = sqlite_ws.run("audit", "unit-self-assessment", "--new-unit", "--answers", path)
    assert run.code == 1
    assert "U+13000" in run.err and "方框" in run.err and "fonts" in run.err
    assert not list((sqlite_ws.root / "reports").glob("*.pdf"))
    # the audit itself is final; the notice can be forced once the user accepts the box
    forced = sqlite_ws.run("notice", "1", "--allow-missing-glyphs")
    assert forced.code == 0


def test_html_uses_the_same_template_and_works_offline(sqlite_ws: Workspace) -> None:
    assert sqlite_ws.run("import", "--new-unit", "--no-notice", UNIT_EXAMPLE).code == 0
    run = sqlite_ws.run("notice", "1", "--format", "html")
    assert run.code == 0
    html = next((sqlite_ws.root / "reports").glob("*.html")).read_text(encoding="utf-8")
    assert "<style>" in html and "某保检〔2026〕1号" in html and "回　执" in html
    assert not re.search(r"(src|href)\s*=", html), "nothing to fetch"
    assert "http://" not in html and "https://" not in html


def test_doctor_reports_ready_and_missing(sqlite_ws: Workspace, tmp_path: Path) -> None:
    ok = sqlite_ws.run("doctor")
    assert ok.code == 0, ok.text
    labels = ("正文（仿宋）", "标题（小标宋）", "一级标题（黑体）", "二级标题（楷体）", "页码（宋体）")
    labels += ("HarfBuzz 子集化", "WeasyPrint", "数据库", "报告目录")
    for label in labels:
        assert label in ok.out
    assert "Noto Serif CJK SC" in ok.out
    empty = tmp_path / "fonts.conf"
    empty.write_text(
        '<?xml version="1.0"?><fontconfig><cachedir>' + str(tmp_path / "fc") + "</cachedir></fontconfig>",
        encoding="utf-8",
    )
    # A process of its own: the font list is read once per process.
    bad = seccheck_process("doctor", cwd=sqlite_ws.root, env={**sqlite_ws.env, "FONTCONFIG_FILE": str(empty)})
    assert bad.code == 5
    assert "没有可用的中文字体" in bad.out and "apt-get install fonts-noto-cjk" in bad.out


def test_notice_refuses_a_draft(sqlite_ws: Workspace, tmp_path: Path) -> None:
    partial = tmp_path / "p.toml"
    partial.write_text(UNIT_EXAMPLE.read_text(encoding="utf-8").replace('"59" = false\n', ""), encoding="utf-8")
    assert sqlite_ws.run("import", "--new-unit", "--draft", partial).code == 0
    run = sqlite_ws.run("notice", "1")
    assert run.code == 4 and "尚未定稿" in run.err
    assert os.listdir(sqlite_ws.root / "reports") == []
