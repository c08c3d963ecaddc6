"""The three documents read back from real PDFs (notice.md): what each says, to whom, and when it is
issued — wording by mode and subject, the score sheet against `score --explain`, the 复查意见书."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from seccheck.ruleset.load import builtin_dir, resolve_ruleset
from tests.conftest import ROOT, Workspace, seccheck
from tests.test_lifecycle import WECHAT, reinspection_file, variant
from tests.test_notice import pdftext, squash

SELF = ROOT / "examples" / "unit-self-assessment.answers.toml"
SHOP = ROOT / "examples" / "print-shop.answers.toml"
DRAFTING = ("待核实", "本规则集拟定", "条款号")


def reports(ws: Workspace, pattern: str = "*.pdf") -> list[Path]:
    return sorted((ws.root / "reports").glob(pattern))


def test_no_builtin_ruleset_prints_a_drafting_note() -> None:
    """What a document may print (titles, bases, requirements) carries no drafting note; the notes are
    kept in basis_note."""
    notes = 0
    for path in sorted(builtin_dir().glob("*.toml")):
        rs = resolve_ruleset(str(path)).ruleset
        printed = [rs.title, *rs.basis, *(rs.general_requirements or ())]
        for item in rs.item:
            printed.append(item.title)
            for chk in item.check:
                printed += [chk.finding or "", chk.rectify or "", chk.basis or ""]
                notes += bool(chk.basis_note)
        for text in printed:
            assert not any(marker in text for marker in DRAFTING), f"{path.name}: {text}"
    assert notes > 50  # the remarks moved, they did not vanish


def test_a_self_assessment_gets_its_score_sheet_never_a_notice(workspace: Workspace) -> None:
    run = workspace.run("audit", "unit-self-assessment", "--new-unit", "--answers", SELF)
    assert run.code == 0, run.text
    assert "自查自评表" in run.out and "整改通知书" not in run.out
    (sheet,) = reports(workspace)
    assert "自查自评表" in sheet.name and not reports(workspace, "*〔*")
    refused = workspace.run("notice", "1")
    assert refused.code == 4 and "自查自评" in refused.err and "scoresheet" in refused.err

    # The sheet's totals are the result's: the same figures `score --explain` prints.
    explained = squash(seccheck("score", SELF, "--explain").out)
    applicable = re.search(r"实有项目分值=[0-9.+]*=([0-9.]+)", explained)
    earned = re.search(r"计分=max\(0,[0-9.]+−[0-9.]+\)=([0-9.]+)", explained)
    percent = re.search(r"≈([0-9.]+)%", explained)
    assert applicable and earned and percent
    flat = squash(pdftext(sheet))
    assert f"实有项目总分值{applicable.group(1)}" in flat
    assert f"总得分{earned.group(1)}" in flat
    assert f"得分率{percent.group(1)}%" in flat
    assert "考评结果基本符合要求" in flat and "否决项未发生" in flat
    assert "总分100" in flat and "★" in flat
    assert "官方序号" in flat  # the official-number column: the ruleset's items carry `official`
    for signature in ("单位（盖章）", "负责人", "填表人", "日期"):
        assert signature in flat
    # every scored item has its row, with its points
    rs = resolve_ruleset("unit-self-assessment").ruleset
    for item in rs.item:
        if item.points:
            assert squash(item.title) in flat, item.title
    # written again on demand: same file, same bytes
    before = sheet.read_bytes()
    again = workspace.run("scoresheet", "1")
    assert again.code == 0, again.text
    assert sheet.read_bytes() == before


def test_the_score_sheet_prints_official_numbers_from_official_only() -> None:
    from seccheck.domain.scoring import score
    from seccheck.io.answersfile import load_answers
    from seccheck.notice.scoresheet_content import build_scoresheet

    rs = resolve_ruleset("unit-self-assessment").ruleset
    answers, _ = load_answers(SELF)
    sheet = build_scoresheet(score(rs, answers), rs, anchor=(1, "0" * 64))
    assert sheet.has_official
    rows = {r.title: r.official for g in sheet.groups for r in g.rows} | {
        r.title: r.official for r in sheet.aggravating
    }
    for item in rs.item:
        if item.title in rows:
            assert rows[item.title] == (item.official or ""), item.id
    assert rows["禁止无关人员进入涉密场所和保密要害部门、部位"] == "32"
    assert rows["涉密存储介质"] == "" and rows["发生泄密事件"] == "58"
    numbered = [r.official for g in sheet.groups for r in g.rows if r.official]
    assert numbered == ["1", "2", "3", "4", "32", "33", "34", "35", "36", "37"]


def test_a_shop_is_not_told_to_hold_staff_to_party_discipline(workspace: Workspace) -> None:
    run = workspace.run("import", "--new-unit", SHOP)
    assert run.code == 0, run.text
    (notice,) = reports(workspace)
    flat = squash(pdftext(notice))
    assert "对你店开展了打字复印店保密检查" in flat
    assert "依规依纪" not in flat and "追究有关人员责任" not in flat
    assert "加强对从业人员的保密提醒和教育" in flat
    for marker in (*DRAFTING, "1990", "2026.2版"):
        assert marker not in flat, marker


def test_general_requirements_of_a_ruleset_replace_the_default(workspace: Workspace, tmp_path: Path) -> None:
    text = (builtin_dir() / "print-shop.toml").read_text(encoding="utf-8")
    text = text.replace('id = "print-shop"', 'id = "print-shop-local"', 1)
    text = text.replace(
        "\n[scoring]", '\ngeneral_requirements = ["自收到本通知之日起停止承接有关业务，完成整改。"]\n\n[scoring]', 1
    )
    ruleset = tmp_path / "print-shop-local.toml"
    ruleset.write_text(text, encoding="utf-8")
    answers = tmp_path / "a.toml"
    answers.write_text(
        SHOP.read_text(encoding="utf-8").replace('ruleset = "print-shop"', 'ruleset = "print-shop-local"'),
        encoding="utf-8",
    )
    run = workspace.run("audit", ruleset, "--new-unit", "--answers", answers)
    assert run.code == 0, run.text
    flat = squash(pdftext(reports(workspace)[0]))
    assert "（一）自收到本通知之日起停止承接有关业务，完成整改。" in flat
    assert "加强对从业人员" not in flat


def test_an_inspection_without_problems_gets_no_notice(workspace: Workspace, tmp_path: Path) -> None:
    clean = {c: "true" for c in ("W01b", "W02", "W07", "W08", "W13")} | {"W11": "0"}
    run = workspace.run("import", "--new-unit", variant(tmp_path, "clean.toml", "某区司法局", clean))
    assert run.code == 0, run.text
    assert "整改通知书" not in run.out and not reports(workspace)
    refused = workspace.run("notice", "1")
    assert refused.code == 4 and "没有发现问题" in refused.err


def test_finishing_a_reinspection_issues_the_review_citing_the_notice(workspace: Workspace, tmp_path: Path) -> None:
    assert workspace.run("import", "--new-unit", WECHAT).code == 0
    run = workspace.run("reinspect", "1", "--answers", reinspection_file(tmp_path))
    assert run.code == 0, run.text
    assert "复查意见书（某保检〔2026〕1号复查）" in run.out
    (review,) = reports(workspace, "*复查意见书.pdf")
    flat = squash(pdftext(review))
    assert "保密检查复查意见书" in flat and "某区司法局：" in flat
    assert "印发《保密检查整改通知书》（某保检〔2026〕1号）" in flat
    assert "本次复查已整改的问题" in flat and "仍未整改到位的问题" in flat and "复查中新发现的问题" in flat
    assert "予以销号" not in flat
    for fixed in ("建群审批材料内容不完整", "离职、调岗人员未及时移出工作群"):
        assert fixed in flat
    # only one number: the review cites it and takes none of its own
    assert workspace.run("notice", "2").code == 0
    assert "某保检〔2026〕2号" not in flat

    # A second re-inspection finds everything fixed: 整改完毕，予以销号.
    fixed = {"W07": "true", "W13": "true", "W03": "true", "W01b": "true", "W02": "true", "W08": "true"}
    second = variant(tmp_path, "re2.toml", "某区司法局", {**fixed, "W11": "0", "W00b": "8"}, date="2026-11-23")
    done = workspace.run("reinspect", "1", "--answers", second)
    assert done.code == 0, done.text
    latest = max(reports(workspace, "*复查意见书*.pdf"), key=lambda p: p.stat().st_mtime)
    text = squash(pdftext(latest))
    assert "整改完毕，予以销号" in text and "仍未整改到位" not in text


@pytest.mark.parametrize("fmt", ["html"])
def test_html_documents_name_the_office_faces_first(workspace: Workspace, fmt: str) -> None:
    assert workspace.run("import", "--new-unit", "--no-notice", WECHAT).code == 0
    assert workspace.run("notice", "1", "--format", fmt).code == 0
    (html,) = reports(workspace, "*.html")
    css = html.read_text(encoding="utf-8")
    body = re.search(r"html \{ font-family: ([^;]+);", css)
    assert body, css[:500]
    faces = [f.strip().strip('"') for f in body.group(1).split(",")]
    assert (
        faces[0] == "仿宋_GB2312" and "FangSong" in faces and faces.index("FangSong") < faces.index("Noto Serif CJK SC")
    )
    assert "@font-face" not in css  # nothing that points at this machine's files


def test_a_score_sheet_category_row_never_ends_a_page(workspace: Workspace) -> None:
    from tests.pdflayout import layout

    assert workspace.run("audit", "unit-self-assessment", "--new-unit", "--answers", SELF).code == 0
    (sheet,) = reports(workspace)
    group = re.compile(r"^[一二三四五六七八九十]+、.*（\d+分）$")
    pages = layout(sheet)
    assert len(pages) >= 3
    for page in pages:
        groups = [line for line in page.lines if group.match(line.text)]
        if groups:
            lowest = max(groups, key=lambda line: line.y0)
            below = [line for line in page.lines if line.y0 > lowest.y1 and not re.fullmatch(r"—\s*\d+\s*—", line.text)]
            assert below, f"page {page.number} ends with the category row {lowest.text}"


def test_the_review_accounts_for_every_problem_of_the_notice(workspace: Workspace, tmp_path: Path) -> None:
    """The notice's 6 problems: W08 closed before the re-inspection (rectify report + verify), W01b, W02 and
    W11 fixed at it, W07 and W13 still failing, nothing new: each appears once, by its name, in its group,
    and the conclusion speaks of no new problems (issue 22)."""
    from tests.test_lifecycle import rects

    assert workspace.run("import", "--new-unit", WECHAT).code == 0
    w08 = str(rects(workspace)["W08"]["id"])
    assert workspace.run("rectify", "report", w08, "--note", "已移出离职人员").code == 0
    assert workspace.run("rectify", "verify", w08).code == 0
    changes = {"W01b": "true", "W02": "true", "W08": "true", "W11": "0"}
    again = variant(tmp_path, "re.toml", "某区司法局", changes, date="2026-11-22")
    assert workspace.run("reinspect", "1", "--answers", again).code == 0
    (review,) = reports(workspace, "*复查意见书.pdf")
    flat = squash(pdftext(review))
    headings = re.findall(r"[一二三四五六]、(复查结论|[^一二三四五六]+?的问题)", flat)
    assert headings == ["此前已整改核实的问题", "本次复查已整改的问题", "仍未整改到位的问题", "复查结论"], headings
    earlier = flat.index("此前已整改核实的问题")
    fixed = flat.index("本次复查已整改的问题")
    remaining = flat.index("仍未整改到位的问题")
    conclusion = flat.index("复查结论")
    assert earlier < flat.index("离职、调岗人员未及时移出工作群") < fixed  # W08, by its name
    for name in ("建群审批材料内容不完整",):  # W01b
        assert fixed < flat.index(name) < remaining
    assert "新发现" not in flat and "请对仍未整改到位的问题继续整改" in flat[conclusion:]
    assert not re.search(r"\bW\d", flat)  # problems by name, never by id
