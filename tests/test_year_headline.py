"""The year's headline (records.md §4): each unit once per subject noun, however many campaigns and
kinds of inspection saw it, and the kinds named — the district report's 11 shops / 22 units / 8 of
them in the WeChat campaign, with re-imports and a re-inspection that must not count twice."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import ROOT, Workspace, seccheck
from tests.test_lifecycle import EXAMPLE_FAILING, rects, variant

EXAMPLES = ROOT / "examples"
UNITS = [f"区属单位{i:02d}" for i in range(1, 23)]
SHOPS = [f"图文快印店{i:02d}" for i in range(1, 12)]


def answers(folder: Path, name: str, unit: str, old_unit: str, inspection: bool = False) -> Path:
    text = (EXAMPLES / f"{name}.answers.toml").read_text(encoding="utf-8").replace(old_unit, unit)
    if inspection:
        text = text.replace('mode = "self"', 'mode = "inspection"')
    path = folder / f"{name}-{unit}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_eleven_shops_twenty_two_units_eight_of_them_in_the_wechat_campaign(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert seccheck("init", root).code == 0
    ws = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
    for name in UNITS + SHOPS:
        assert ws.run("unit", "add", name).code == 0
    plans = {
        "区级单位保密检查": ("unit-self-assessment", UNITS),
        "微信工作群专项检查": ("wechat-groups", UNITS[:8]),
        "打字复印店检查": ("print-shop", SHOPS),
    }
    for campaign, (ruleset, planned) in plans.items():
        listed = [a for u in planned for a in ("--unit", u)]
        made = ws.run("campaign", "create", campaign, "--ruleset", ruleset, *listed)
        assert made.code == 0, made.text

    units = [answers(tmp_path, "unit-self-assessment", u, "某区教育局", inspection=True) for u in UNITS]
    assert ws.run("import", "--no-notice", "--campaign", "区级单位保密检查", *units).code == 0
    wechat = [variant(tmp_path, f"w{i}.toml", u, {}) for i, u in enumerate(UNITS[:8])]
    assert ws.run("import", "--no-notice", "--campaign", "微信工作群专项检查", *wechat).code == 0
    shops = [answers(tmp_path, "print-shop", s, "城关街道某某图文快印店") for s in SHOPS]
    assert ws.run("import", "--no-notice", "--campaign", "打字复印店检查", *shops).code == 0
    # Re-imports change nothing; a re-inspection is not a second unit.
    again = ws.run("import", "--no-notice", "--campaign", "微信工作群专项检查", *wechat[:3])
    assert again.code == 0 and "未改动" in again.out, again.text
    assert ws.run("import", "--no-notice", "--campaign", "区级单位保密检查", units[0]).code == 0
    first = rects(ws, UNITS[0])
    wechat_audit = next(r["audit_id"] for c, r in first.items() if c in EXAMPLE_FAILING)
    fixed = {"W01b": "true", "W02": "true"}
    re_a = variant(tmp_path, "re-a.toml", UNITS[0], fixed, date="2026-11-22")
    assert ws.run("reinspect", str(wechat_audit), "--answers", re_a, "--no-notice").code == 0

    year = ws.run("summary", "--year", "2026")
    assert year.code == 0, year.text
    (inspections,) = year.out.splitlines()
    assert inspections.startswith(
        "对22家单位开展保密自查自评检查，实现全覆盖，其中8家开展微信工作群专项检查；"
        "对11家打字复印店开展保密检查，实现全覆盖；"
    ), inspections
    assert "30家" not in inspections and "复查1家单位" in inspections

    data = json.loads(ws.run("summary", "--year", "2026", "--json").out)
    assert data["paragraphs"] == [inspections]
    figures = {s["subject"]: s for s in data["subjects"]}
    assert figures["打字复印店"]["unit_count"] == 11 and figures["单位"]["unit_count"] == 22
    assert figures["单位"]["planned_count"] == 22 and figures["单位"]["planned_covered_count"] == 22
    assert [(k["kind"], k["unit_count"]) for k in figures["单位"]["kinds"]] == [
        ("保密自查自评检查", 22),
        ("微信工作群专项检查", 8),
    ]
    for fmt in ("xlsx", "docx"):
        made = ws.run("summary", "--year", "2026", "--format", fmt)
        assert made.code == 0, made.text
    from docx import Document
    from openpyxl import load_workbook

    doc = Document(str(root / "reports" / "2026年年终总结表述.docx"))
    assert inspections in [p.text for p in doc.paragraphs]
    book = load_workbook(root / "reports" / "2026年年终总结表述.xlsx")
    rows = {row[0]: row[1] for row in book["2026年表述"].iter_rows(min_row=2, values_only=True)}
    assert rows["年终总结表述"] == inspections
    assert rows["检查单位（不重复）"] == 22 and rows["检查打字复印店（不重复）"] == 11
    assert rows["检查单位：保密自查自评检查"] == 22 and rows["检查单位：微信工作群专项检查"] == 8
