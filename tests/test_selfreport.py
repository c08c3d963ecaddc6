"""The unit's 自查自评工作报告 to the bureau (issue 25 line 4): read back from real PDFs and DOCX files,
built from a unit with departments and people (the tiers API, in-process), a unit with no
self-assessment, and hostile names."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, TODAY, Workspace, seccheck
from tests.pdfa import archival_metadata

EXAMPLES = ROOT / "examples"
UNIT = "某区教育局"
CODE = re.compile(r"核验码：(\d+:(?:[0-9a-f]{8} ){7}[0-9a-f]{8})")


def pdftext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    run = seccheck("init", root, "--issuer", "某区国家保密局", "--prefix", "某保检")
    assert run.code == 0, run.text
    return Workspace(root, f"sqlite:///{root / 'seccheck.db'}")


def _staff(ctx: Any, unit: str, offices: dict[str, list[tuple[str, str]]]) -> None:
    from seccheck.app.tiers import add_department, add_person
    from seccheck.app.units import add_unit

    add_unit(ctx, unit)
    for office, people in offices.items():
        add_department(ctx, unit, office)
        for name, staff_no in people:
            add_person(ctx, unit, office, name, staff_no)


def _import(ctx: Any, *paths: Path) -> None:
    from seccheck.app.imports import ImportOptions, import_files

    report = import_files(ctx, paths, ImportOptions(notice=False))
    assert not report.failed, report.failed


STAFF = {"办公室": [("张某", ""), ("张三", "001")], "人事科": [("李四", "")], "财务科": [("王五", "")]}


@pytest.fixture
def staffed(ws: Workspace) -> Workspace:
    """某区教育局: three departments, four people; 张某 (办公室) and 办公室 itself self-checked, the
    unit's own self-assessment done; one problem rectified and verified, one reported."""
    from seccheck.app.rectification import close, list_rectifications, report

    ctx = ws.context(TODAY)
    _staff(ctx, UNIT, STAFF)
    _import(
        ctx,
        EXAMPLES / "individual-self-check.answers.toml",
        EXAMPLES / "department-self-check.answers.toml",
        EXAMPLES / "unit-self-assessment.answers.toml",
    )
    rows = {r.finding: r.id for r in list_rectifications(ctx, unit=UNIT)}
    close(ctx, rows["年度内未召开保密委员会（领导小组）会议"], "11月20日召开保密委员会会议", [])
    report(ctx, rows["本年度未参加保密教育培训"], "已参加补训", [])
    ctx.db.close()
    return ws


def _write(ws: Workspace, day: dt.date = TODAY, **options: Any) -> Any:
    from seccheck.app.selfreport import write_selfreport

    ctx = ws.context(day)
    try:
        return write_selfreport(ctx, UNIT, 2026, **options)
    finally:
        ctx.db.close()


def test_the_report_states_the_years_figures_section_by_section(staffed: Workspace) -> None:
    made = _write(staffed)
    assert made.path == staffed.root / "reports" / "某区教育局-2026年度保密自查自评工作报告.pdf"
    assert made.fetched == ()
    text = pdftext(made.path)
    flat = squash(text)
    assert flat.startswith("某区教育局关于2026年度保密自查自评工作情况的报告某区国家保密局：")
    sections = ["一、自查覆盖情况", "二、单位自查自评结果", "三、发现的主要问题", "四、整改情况", "五、下一步工作"]
    at = [flat.index(s) for s in sections]
    assert at == sorted(at)
    cover, result, problems, rectified, closing = (flat[a:b] for a, b in zip(at, [*at[1:], len(flat)], strict=True))

    # Coverage: 3 departments (办公室 done), 4 people (张某 done), and the table per department.
    assert "全单位共有内设机构3个、在册人员4名，1个内设机构、1名人员完成自查" in cover
    assert "内设机构完成率33.3%、人员完成率25%" in cover
    assert "尚未完成自查的内设机构有人事科、财务科；尚有3名人员未完成自查。" in cover
    assert "序号内设机构本机构自查人员完成情况1办公室已完成1/22人事科未完成0/13财务科未完成0/1" in cover

    # The unit's self-assessment: the example's own figures (88 applicable, 75 earned, 85.2%).
    assert "2026年11月20日，我单位对照《机关、单位保密自查自评》逐项开展单位自查自评" in result
    assert "实有项目分值88分，得分75分，得分率85.2%，评定为“基本符合要求”" in result

    # Problems by check with counts: the unit's 10, the department's 2, the person's 1; the lower
    # tiers' problems under the unit-level items they bear on, after the unit's own.
    assert "自查共发现问题13项，其中单位自查10项，内设机构自查2项，个人自查1项。" in problems
    education = problems.index("领导干部和涉密人员保密教育")
    assert problems.index("领导干部或涉密人员未按要求接受保密教育培训单位", education) < problems.index(
        "本年度未参加保密教育培训1名人员", education
    )
    assert "内设机构负责人履行本部门保密工作责任3本部门未指定保密员1个内设机构" in problems
    assert "定期清查8未定期清点涉密存储介质1个内设机构" in problems

    # Rectification: one verified, one reported (done, awaiting verification), the rest planned.
    assert "发现的13项问题中，已整改2项，正在整改11项" in rectified
    assert "（一）已完成整改的问题" in rectified and "（二）正在整改的问题和整改计划" in rectified
    assert "年度内未召开保密委员会（领导小组）会议单位已整改，经核实：11月20日召开保密委员会会议" in rectified
    assert "本年度未参加保密教育培训1名人员已整改，待核实：已参加补训" in rectified
    assert "序号问题涉及整改措施完成时限" in rectified
    assert "本部门未指定保密员1个内设机构指定保密员并报单位保密办备案。2026年12月23日" in rectified

    # Next steps, signed by the unit's head, dated, and the 核验码 last.
    assert "督促尚未完成自查的2个内设机构、3名人员尽快完成自查；按计划完成11项问题的整改" in closing
    assert re.search(r"特此报告。单位负责人（签字）：某区教育局2026年11月23日核验码：\d+:[0-9a-f]{64}—\d+—$", closing)
    # Chinese only: no program id or English word, nothing but the code's hexadecimal.
    assert not re.search(r"[A-Za-z_]", CODE.sub("", text)), CODE.sub("", text)
    for n, page in enumerate(text.split("\f")[:-1], start=1):
        assert re.search(rf"—\s*{n}\s*—", page), n

    # The code is the ledger's, as notices print it: `verify --anchor` takes it.
    code = CODE.search(text)
    assert code is not None
    from seccheck.app.verification import check_anchor

    ctx = staffed.context(TODAY)
    assert check_anchor(ctx, code.group(1)).problems == []
    ctx.db.close()
    run = staffed.run("verify", "--anchor", code.group(1))
    assert run.code == 0 and "账本与文书相符" in run.out, run.text

    meta = archival_metadata(made.path)  # PDF/A-2b, as the notices
    assert meta["/Title"] == "某区教育局关于2026年度保密自查自评工作情况的报告"
    assert meta["/Author"] == UNIT and meta["/CreationDate"] == "D:20261123"


def test_writing_it_again_from_the_same_data_gives_the_same_pdf(staffed: Workspace, tmp_path: Path) -> None:
    from seccheck.storage.tables import Event

    first = _write(staffed)
    later = _write(staffed, dt.date(2027, 1, 5), out_dir=tmp_path / "again")
    assert later.path.read_bytes() == first.path.read_bytes()  # the date and code of the first issue
    with staffed.db().read() as session:
        issued = [e.detail for e in session.query(Event).filter(Event.action == "selfreport.issued")]
    assert len(issued) == 1 and issued[0]["issued"] == "2026-11-23" and issued[0]["year"] == 2026

    # Changed data: a new report, dated the day it is written, with the ledger's head then.
    from seccheck.app.rectification import close, list_rectifications

    ctx = staffed.context(TODAY)
    rect = next(r for r in list_rectifications(ctx, unit=UNIT) if r.finding == "本部门未指定保密员")
    close(ctx, rect.id, "已指定保密员", [])
    ctx.db.close()
    changed = pdftext(_write(staffed, dt.date(2026, 12, 1)).path)
    assert "已整改3项，正在整改10项" in squash(changed) and "2026年12月1日" in changed
    assert CODE.findall(changed) != [first.content.verification]
    assert CODE.findall(pdftext(later.path)) == [first.content.verification]


def test_a_unit_without_a_self_assessment_says_so(ws: Workspace, tmp_path: Path) -> None:
    ctx = ws.context(TODAY)
    _staff(ctx, UNIT, {"办公室": [("张三", "")]})
    # The bureau's own inspection of the unit, with the same ruleset: not a self-assessment, and what
    # it found is not what the self-checks found.
    inspection = tmp_path / "inspection.toml"
    example = (EXAMPLES / "unit-self-assessment.answers.toml").read_text(encoding="utf-8")
    inspection.write_text(example.replace('mode = "self"', 'mode = "inspection"'), encoding="utf-8")
    _import(ctx, inspection)
    ctx.db.close()
    text = squash(pdftext(_write(ws).path))
    assert "全单位共有内设机构1个、在册人员1名，0个内设机构、0名人员完成自查" in text
    assert "我单位2026年度单位自查自评尚未完成，暂无单位得分和考评结果，完成后另行报告。" in text
    assert "三、发现的主要问题自查未发现问题。" in text and "四、整改情况自查未发现需要整改的问题。" in text
    assert "尽快完成单位自查自评并报送结果" in text
    assert "得分率" not in text and "序号问题" not in text

    # A unit with no departments or people listed: the report covers the unit alone.
    ctx = ws.context(TODAY)
    from seccheck.app.selfreport import write_selfreport
    from seccheck.app.units import add_unit

    add_unit(ctx, "某区档案馆")
    made = write_selfreport(ctx, "某区档案馆", 2026, to="某区国家保密局")
    ctx.db.close()
    text = squash(pdftext(made.path))
    assert "某区档案馆关于2026年度保密自查自评工作情况的报告" in text
    assert "本单位尚未建立内设机构和人员自查名单，本报告只反映单位自查自评的情况。" in text
    assert "三级" not in text and "督促" not in text


HOSTILE_UNIT = '某区<img src="file:///etc/passwd">'
HOSTILE_OFFICE = "</td></tr>{{ 7*7 }}"


def test_hostile_names_are_printed_as_text(ws: Workspace) -> None:
    ctx = ws.context(TODAY)
    _staff(ctx, HOSTILE_UNIT, {HOSTILE_OFFICE: [("<b>张三</b>", "")], "办公室": []})
    ctx.db.close()
    from seccheck.app.selfreport import write_selfreport

    ctx = ws.context(TODAY)
    made = write_selfreport(ctx, HOSTILE_UNIT, 2026)
    html = write_selfreport(ctx, HOSTILE_UNIT, 2026, fmt="html").path.read_text(encoding="utf-8")
    docx = write_selfreport(ctx, HOSTILE_UNIT, 2026, fmt="docx").path
    ctx.db.close()
    assert made.fetched == () and made.path.parent == ws.root / "reports"
    flat = squash(pdftext(made.path))
    assert squash(HOSTILE_UNIT) + "关于2026年度" in flat and squash(HOSTILE_OFFICE) in flat
    assert "49" not in CODE.sub("", flat).replace("2026", "")
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html and "<img" not in html
    assert "&lt;/td&gt;&lt;/tr&gt;{{ 7*7 }}" in html
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    assert "&lt;img src=" in xml and "<img" not in xml and "&lt;/td&gt;&lt;/tr&gt;{{ 7*7 }}" in xml


def test_the_docx_says_what_the_pdf_says_with_widths_on_the_grid(staffed: Workspace) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    made = _write(staffed, fmt="docx")
    assert made.path.suffix == ".docx"
    doc = Document(str(made.path))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "某区教育局关于2026年度保密自查自评\n工作情况的报告"
    assert paragraphs[1] == "某区国家保密局："
    assert "全单位共有内设机构3个、在册人员4名，1个内设机构、1名人员完成自查" in paragraphs[4]
    assert any("实有项目分值88分，得分75分，得分率85.2%" in p for p in paragraphs)
    assert paragraphs[-5:-1] == ["特此报告。", "单位负责人（签字）：", UNIT, "2026年11月23日"]
    assert CODE.fullmatch(paragraphs[-1])
    pdf_code = CODE.search(pdftext(_write(staffed).path))
    assert pdf_code is not None and paragraphs[-1] == f"核验码：{pdf_code.group(1)}"  # one issue, one code

    coverage, problems, done, planned = doc.tables
    assert [c.text for c in coverage.rows[1].cells] == ["1", "办公室", "已完成", "1/2"]
    # A group row spans the table: the unit-level item, then its problems.
    texts = [[c.text for c in row.cells] for row in problems.rows]
    education = texts.index(["领导干部和涉密人员保密教育"] * 3)
    assert texts[education + 2][1:] == ["本年度未参加保密教育培训", "1名人员"]
    assert [c.text for c in done.rows[0].cells] == ["序号", "问题", "涉及", "整改情况"]
    assert [c.text for c in planned.rows[0].cells] == ["序号", "问题", "涉及", "整改措施", "完成时限"]
    assert len(planned.rows) == 12
    # Widths on the grid (LibreOffice and WPS lay out by it) and on the cells, filling the text block.
    for table in doc.tables:
        grid = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert abs(sum(grid) / 56.7 - 156) < 1, grid  # twentieths of a point: 156 mm
        first = [c.width for c in table.rows[1].cells]
        assert all(first)
    heading = doc.paragraphs[2].style
    assert heading is not None and "仿宋" in str(doc.styles["Normal"].element.xml)


def test_the_command(staffed: Workspace) -> None:
    run = staffed.run("rollup", UNIT, "--year", "2026", "--report", "--format", "docx", "--to", "某市国家保密局")
    assert run.code == 0, run.text
    path = staffed.root / "reports" / "某区教育局-2026年度保密自查自评工作报告.docx"
    assert "某区教育局关于2026年度保密自查自评工作情况的报告：" in run.out and path.name in run.out
    from docx import Document

    assert Document(str(path)).paragraphs[1].text == "某市国家保密局："
    run = staffed.run("rollup", UNIT, "--year", "2026", "--to", "某市国家保密局")
    assert run.code == 2 and "--report" in run.err
    run = staffed.run("rollup", "某区教肓局", "--year", "2026", "--report")
    assert run.code != 0 and UNIT in run.err  # an unknown unit: the near names, as elsewhere


def _content(unit: str, *problems: Any) -> Any:
    from seccheck.notice.selfreport import build_selfreport

    return build_selfreport(
        unit=unit, year=2026, to="", departments=(0, 0), people=(0, 0), department_lines=[], assessment=None,
        problems=problems, issued=TODAY, verification="1:" + "0" * 64,
    )  # fmt: skip


def _problem(open_: int, verified: int = 0, group: str = "", tier: str = "unit", count: int = 1) -> Any:
    from seccheck.notice.selfreport import Problem

    return Problem(tier, "问题", count, group, 0, "", open_, verified, TODAY if open_ else None)


def test_the_wording_fits_what_was_done_and_the_title_breaks_where_the_sense_allows() -> None:
    assert _content(UNIT, _problem(1)).rectification_intro == "发现的1项问题正在整改，整改措施和完成时限见下表。"
    assert _content(UNIT, _problem(0, 1)).rectification_intro == "发现的1项问题已全部整改。"
    both = _content(UNIT, _problem(1), _problem(0, 0))
    assert both.rectification_intro.startswith("发现的2项问题中，已整改1项，正在整改1项")
    assert both.done[0].state == "已整改，待核实" and both.planned[0].who == "单位"
    people = _content(UNIT, _problem(2, group="保密教育", tier="individual", count=3))
    assert people.planned[0].who == "2名人员" and people.problem_groups[0].rows[0].who == "3名人员"
    assert _content(UNIT).to_line == "（主送机关）："
    assert _content(UNIT).title_lines == ("某区教育局关于2026年度保密自查自评", "工作情况的报告")
    long = "某某省某某市某某区教育体育局"
    assert _content(long).title_lines == (f"{long}关于", "2026年度保密自查自评工作情况的报告")
    longer = "某某省某某市某某区教育体育局机关服务中心"
    assert _content(longer).title_lines == (f"{longer}关于2026年度保密自查自评工作情况的报告",)


def test_a_character_no_font_has_is_named_before_anything_is_written(ws: Workspace) -> None:
    from seccheck.app.selfreport import write_selfreport
    from seccheck.errors import BadInput

    ctx = ws.context(TODAY)
    _staff(ctx, UNIT, {"𓀀科": []})
    with pytest.raises(BadInput) as refused:
        write_selfreport(ctx, UNIT, 2026)
    assert "U+13000" in str(refused.value) and "方框" in str(refused.value) and "自查自评工作报告" in str(refused.value)
    assert not (ws.root / "reports").exists() or not list((ws.root / "reports").iterdir())
    assert write_selfreport(ctx, UNIT, 2026, allow_missing_glyphs=True).path.is_file()
    assert write_selfreport(ctx, UNIT, 2026, fmt="docx").path.is_file()  # Word picks its own fonts
    ctx.db.close()
