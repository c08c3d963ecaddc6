"""The year-end paragraph (`seccheck summary`, and the campaign report's), checked figure by figure
against counts made here from the answers files' hand-checked headers and the steps taken — including
a re-import, an amendment, a re-inspection and a unit inspected in two campaigns of one ruleset."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from openpyxl import load_workbook

from tests.conftest import ROOT, Workspace
from tests.pdfa import archival_metadata
from tests.test_lifecycle import EXAMPLE_FAILING, rects, variant

EXAMPLES = ROOT / "examples"
WECHAT_CAMPAIGN, RECHECK_CAMPAIGN, SHOPS, SELF = "微信群专项", "微信群回头看", "复印店检查", "自查自评"
SAME = {"W00e": "100", "W00f": "100"}  # every member registered: the "全部" framing


def header_findings(name: str) -> int:
    """The number of problems an example's header says it has (hand-checked)."""
    text = (EXAMPLES / f"{name}.answers.toml").read_text(encoding="utf-8")
    return int(re.search(r"发现问题 (\d+) 个", text).group(1))  # type: ignore[union-attr]


def example_for(folder: Path, name: str, unit: str, old_unit: str) -> Path:
    text = (EXAMPLES / f"{name}.answers.toml").read_text(encoding="utf-8")
    path = folder / f"{name}-{unit}.toml"
    path.write_text(text.replace(f'unit = "{old_unit}"', f'unit = "{unit}"'), encoding="utf-8")
    return path


def build(ws: Workspace, tmp: Path) -> dict[str, int]:
    """Four campaigns of 2026; returns the figures expected, counted independently."""
    units = ["单位A", "单位B", "单位C", "单位D"]
    shops = ["甲图文店", "乙图文店", "丙图文店"]
    for name in units + shops:
        assert ws.run("unit", "add", name).code == 0
    run = ws.run(
        "campaign", "create", WECHAT_CAMPAIGN, "--ruleset", "wechat-groups", "--from", "2026-11-01",
        "--to", "2026-12-31", *[a for u in units for a in ("--unit", u)],
    )  # fmt: skip
    assert run.code == 0, run.text
    assert ws.run("campaign", "create", RECHECK_CAMPAIGN, "--ruleset", "wechat-groups", "--unit", "单位A").code == 0
    assert (
        ws.run("campaign", "create", SHOPS, "--ruleset", "print-shop", *[a for s in shops for a in ("--unit", s)]).code
        == 0
    )
    assert (
        ws.run(
            "campaign", "create", SELF, "--ruleset", "unit-self-assessment", "--unit", "单位A", "--unit", "单位B"
        ).code
        == 0
    )

    # Wechat: A imported twice; B amended after a report and a verification; C re-inspected; D not inspected.
    a = variant(tmp, "a.toml", "单位A", SAME)
    b = variant(tmp, "b.toml", "单位B", {**SAME, "W01b": "true", "W02": "true"})
    c = variant(tmp, "c.toml", "单位C", SAME)
    assert ws.run("import", "--campaign", WECHAT_CAMPAIGN, a, b, c).code == 0
    again = ws.run("import", "--campaign", WECHAT_CAMPAIGN, a)
    assert again.code == 0 and "未改动" in again.out
    b_rects = rects(ws, "单位B")
    assert ws.run("rectify", "report", str(b_rects["W08"]["id"]), "--note", "已移出").code == 0
    assert ws.run("rectify", "verify", str(b_rects["W08"]["id"])).code == 0
    assert ws.run("audit", "amend", str(b_rects["W07"]["audit_id"]), "--set", "W13=是").code == 0
    fixed = {"W01b": "true", "W02": "true", "W08": "true", "W11": "0", "W03": "{ value = false, deduct = 2 }"}
    re_c = variant(tmp, "re-c.toml", "单位C", {**SAME, **fixed, "W00b": "8"}, date="2026-11-22")
    c_audit = rects(ws, "单位C")["W07"]["audit_id"]
    assert ws.run("reinspect", str(c_audit), "--answers", re_c).code == 0
    # A inspected again in the second wechat campaign: W01b and W02 now fine.
    a2 = variant(tmp, "a2.toml", "单位A", {**SAME, "W01b": "true", "W02": "true"}, date="2026-11-20")
    assert ws.run("import", "--campaign", RECHECK_CAMPAIGN, a2).code == 0

    # Shops: three, one problem verified. Self-assessment: A and B.
    files = [example_for(tmp, "print-shop", s, "城关街道某某图文快印店") for s in shops]
    assert ws.run("import", "--campaign", SHOPS, *files).code == 0
    shop_rect = rects(ws, "甲图文店")["S05"]["id"]
    assert ws.run("rectify", "report", str(shop_rect), "--note", "已张贴").code == 0
    assert ws.run("rectify", "verify", str(shop_rect)).code == 0
    files = [example_for(tmp, "unit-self-assessment", u, "某区教育局") for u in ("单位A", "单位B")]
    assert ws.run("import", "--campaign", SELF, *files).code == 0

    n = len(EXAMPLE_FAILING)  # 6 problems in the wechat example
    return {
        # campaign 1: A 6; B 6 - W01b - W02 - W13 (withdrawn) = 3; C 6 + W03 new at re-inspection = 7
        "wechat_found": n + (n - 3) + (n + 1),
        "wechat_verified": 1 + 4,  # B's W08 by hand; C's W01b W02 W08 W11 at re-inspection
        # the year: A once, from its later audit (campaign 2): 6 - W01b - W02 = 4
        "year_wechat_found": (n - 2) + (n - 3) + (n + 1),
        "dissolved": 6 + 6 + 8,  # once per unit; C from its re-inspection
        "shops_found": 3 * header_findings("print-shop"),
        "self_found": 2 * header_findings("unit-self-assessment"),
    }


def test_paragraphs_and_reports_carry_the_independent_figures(workspace: Workspace, tmp_path: Path) -> None:
    ws = workspace
    want = build(ws, tmp_path)
    assert (want["wechat_found"], want["year_wechat_found"], want["shops_found"], want["self_found"]) == (16, 14, 6, 20)

    # The campaign report: the same generator.
    run = ws.run("report", WECHAT_CAMPAIGN, "--format", "xlsx")
    assert run.code == 0, run.text
    paragraph, _path = run.out.splitlines()
    assert paragraph == (
        "应检4家单位，已检查3家，覆盖率75%；"
        f"发现问题{want['wechat_found']}个，已整改{want['wechat_verified']}个，整改率31.3%。"  # 5/16 = 31.25%
        f"摸底排查微信工作群45个，整顿解散{want['dissolved']}个，合并6个，规范21个，"
        "群内300名工作人员全部实名制登记备案。"
        "复查1家单位，复查后符合要求1家。"  # C: 100 - 4 (W07) - 2 (W13) - 2 (W03) = 92
        "单位评定结果：符合要求1家、基本符合要求2家。"  # B: 84 + 4 + 2 = 90
    )
    book = load_workbook(ws.root / "reports" / f"{WECHAT_CAMPAIGN}-汇总.xlsx")
    figures = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert figures["应检单位"] == 4 and figures["已检单位"] == 3 and figures["覆盖率"] == 0.75
    assert figures["发现问题"] == want["wechat_found"] and figures["整改：已核实"] == want["wechat_verified"]
    assert figures["整改率"] == 0.313  # 5 / 16 = 31.25%, half up: shown as 31.3%
    assert figures["复查"] == 1 and figures["检查记录"] == 3 and figures["未检单位"] == "单位D"
    assert figures["统计：解散微信工作群（微信工作群保密管理专项检查）"] == want["dissolved"]
    assert figures["年终总结表述"] == paragraph

    # The year: four campaigns, each unit once per ruleset.
    year = ws.run("summary", "--year", "2026", env={"COLUMNS": "40"})
    assert year.code == 0, year.text
    inspections, self_checks = year.out.splitlines()  # one line per paragraph, however narrow the terminal
    found = want["year_wechat_found"] + want["shops_found"]
    assert inspections == (
        "对3家打字复印店开展保密检查，实现全覆盖；应检4家单位，已检查3家，覆盖率75%；"
        f"发现问题{found}个，已整改6个，整改率30%。"  # 6 / 20
        f"摸底排查微信工作群45个，整顿解散{want['dissolved']}个，合并6个，规范21个，"
        "群内300名工作人员全部实名制登记备案。"
        "复查1家单位，复查后符合要求1家。"
        "单位评定结果：符合要求1家、基本符合要求2家。打字复印店评定结果：不合格3家。"
    )
    assert self_checks == (
        f"组织2家单位开展保密自查自评，实现全覆盖；自查发现问题{want['self_found']}个，均已限期整改。"
        "单位评定结果：基本符合要求2家。"
    )
    only = ws.run("summary", "--year", "2026", "--campaign", SHOPS)
    assert only.out.splitlines() == [
        "对3家打字复印店开展保密检查，实现全覆盖；发现问题6个，已整改1个，整改率16.7%。打字复印店评定结果：不合格3家。"
    ]
    year_rows = list(book["2026年汇总"].iter_rows(min_row=2, values_only=True))
    wechat = next(r for r in year_rows if r[0] == "微信工作群保密管理专项检查")
    assert wechat[3:6] == (4, 3, 3) and wechat[7:9] == (want["year_wechat_found"], 5)


def test_summary_documents(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    from tests.conftest import seccheck

    assert seccheck("init", root).code == 0
    ws = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
    build(ws, tmp_path)
    for fmt in ("pdf", "html", "docx", "xlsx"):
        run = ws.run("summary", "--year", "2026", "--format", fmt)
        assert run.code == 0, run.text
        assert run.out.splitlines()[-1].endswith(f"2026年年终总结表述.{fmt}")
    pdf = subprocess.run(
        ["pdftotext", str(root / "reports" / "2026年年终总结表述.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "实现全覆盖" in re.sub(r"\s+", "", pdf)
    meta = archival_metadata(root / "reports" / "2026年年终总结表述.pdf")
    assert meta["/Title"] == "2026年保密检查工作年终总结表述"
    assert "/Author" not in meta  # no issuer configured: no empty author either
    assert "2026" in meta["/Keywords"].split(", ") and meta["/CreationDate"] == "D:20261123"
    from docx import Document

    doc = Document(str(root / "reports" / "2026年年终总结表述.docx"))
    texts = [p.text for p in doc.paragraphs]
    assert any(t.startswith("对3家打字复印店开展保密检查，实现全覆盖") for t in texts)
    assert ws.run("summary", "--year", "2025").code == 4  # no campaign with final audits that year
    assert ws.run("summary", "--year", "2025", "--campaign", SHOPS).code == 1
