"""Rectification tracking and campaign reports, checked against counts made independently here."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import tomllib
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bench.generate import generate
from tests.conftest import ROOT, TODAY, Workspace, seccheck
from tests.pdfa import archival_metadata

EXAMPLES = ROOT / "examples"
CAMPAIGN = "2026年保密检查"


@pytest.fixture
def campaign_ws(tmp_path: Path, fresh_db: Callable[[Path], None]) -> Workspace:
    root = tmp_path / "ws"
    fresh_db(root)
    assert seccheck("init", root, "--issuer", "某区国家保密局", "--prefix", "某保检").code == 0
    ws = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
    for unit in ("某区教育局", "某区财政局", "某区司法局", "城关街道某某图文快印店", "某区民政局"):
        assert ws.run("unit", "add", unit).code == 0
    rulesets = [
        a
        for r in (
            "unit-self-assessment",
            "wechat-groups",
            "classified-computers",
            "print-shop",
            "classified-document-return",
        )
        for a in ("--ruleset", r)
    ]
    units = [
        a
        for u in ("某区教育局", "某区财政局", "某区司法局", "城关街道某某图文快印店", "某区民政局")
        for a in ("--unit", u)
    ]
    assert ws.run("campaign", "create", CAMPAIGN, "--year", "2026", *rulesets, *units).code == 0
    files = [
        EXAMPLES / f"{r}.answers.toml"
        for r in (
            "unit-self-assessment",
            "wechat-groups",
            "classified-computers",
            "print-shop",
            "classified-document-return",
        )
    ]
    assert ws.run("import", "--new-unit", "--no-notice", "--campaign", CAMPAIGN, *files).code == 0
    return ws


def test_rectification_lifecycle_is_logged(campaign_ws: Workspace) -> None:
    ws = campaign_ws
    rows = json.loads(ws.run("rectify", "list", "--json").out)
    assert len(rows) == 24 and {r["state"] for r in rows} == {"open"}
    first, second = rows[0]["id"], rows[1]["id"]
    assert ws.run("rectify", "verify", str(first)).code == 4  # must be reported first
    assert ws.run("rectify", "report", str(first), "--note", "已整改").code == 0
    assert ws.run("rectify", "verify", str(first)).code == 0
    assert ws.run("rectify", "report", str(second), "--note", "补开会议").code == 0
    rejected = ws.run("rectify", "reject", str(second), "--reason", "缺会议纪要")
    assert rejected.code == 0
    again = ws.run("rectify", "report", str(second), "--note", "已补会议纪要")
    assert again.code == 0
    states = {r["id"]: r["state"] for r in json.loads(ws.run("rectify", "list", "--json").out)}
    assert states[first] == "verified" and states[second] == "reported"
    from seccheck.storage.events import listing

    db = ws.db()
    with db.read() as session:
        actions = [e.action for e in listing(session) if e.action.startswith("rectification.")]
    db.close()
    assert actions == [
        "rectification.report",
        "rectification.verify",
        "rectification.report",
        "rectification.reject",
        "rectification.report",
    ]
    # overdue is derived from the due dates and today (the workspace's SECCHECK_TODAY)
    today = TODAY
    overdue = json.loads(ws.run("rectify", "list", "--overdue", "--json").out)
    expected = [r for r in rows if r["id"] not in (first, second) and dt.date.fromisoformat(r["due"]) < today]
    assert len(overdue) == len(expected)
    by_unit = json.loads(ws.run("rectify", "list", "--unit", "某区财政局", "--json").out)
    assert {r["unit"] for r in by_unit} == {"某区财政局"} and len(by_unit) == 4


def test_report_figures_match_independent_counts(campaign_ws: Workspace) -> None:
    ws = campaign_ws
    rows = json.loads(ws.run("rectify", "list", "--json").out)
    ws.run("rectify", "report", str(rows[0]["id"]), "--note", "已整改")
    ws.run("rectify", "verify", str(rows[0]["id"]))
    run = ws.run("report", CAMPAIGN, "--format", "xlsx")
    assert run.code == 0, run.text
    # Independent counts, straight from the answers files.
    stats: Counter[str] = Counter()
    for name in ("wechat-groups", "classified-document-return", "classified-computers"):
        answers = tomllib.loads((EXAMPLES / f"{name}.answers.toml").read_text(encoding="utf-8"))["answers"]
        for key, value in answers.items():
            if key.endswith(("a", "b", "c", "d", "e", "f")) and key[0] in "WRK" and isinstance(value, int):
                stats[key] += value
    assert stats["W00b"] == 6 and stats["W00c"] == 2
    inspections, self_checks, _path = run.out.splitlines()
    # Planned: 5 units. Inspected: 司法局 (wechat), 财政局 (computers), the shop; 教育局 assessed itself
    # (unit self-assessment and document return); 民政局 not yet.
    assert inspections.startswith(
        "对2家单位开展保密检查，实现全覆盖，其中1家开展微信工作群专项检查、1家开展涉密计算机和存储介质专项检查；"
        "对1家打字复印店开展保密检查，实现全覆盖；"
    )  # two kinds of inspection of units: each named (issue 22)
    assert self_checks.startswith(
        "应组织2家单位开展自查自评，已完成1家，覆盖率50%，其中1家开展涉密文件清退销毁专项检查；"
    )
    found = [int(n) for n in re.findall(r"发现问题(\d+)个", run.out)]
    verified = [int(n) for n in re.findall(r"已整改(\d+)个", run.out)]
    assert sum(found) == 24 and sum(verified) == 1
    assert any(f"发现问题{n}个，已整改1个，整改率{round(100 / n, 1)}%" in run.out for n in found)
    wechat = f"摸底排查微信工作群{stats['W00a']}个，整顿解散{stats['W00b']}个，"
    wechat += f"合并{stats['W00c']}个，规范{stats['W00d']}个，"
    assert wechat + f"群内{stats['W00f']}名工作人员中{stats['W00e']}名实名制登记备案" in inspections
    assert f"应清退涉密文件{stats['R00a']}件，已清退{stats['R00b']}件" in self_checks
    assert f"销毁涉密载体{stats['R04a']}件" in self_checks
    book = load_workbook(ws.root / "reports" / f"{CAMPAIGN}-汇总.xlsx")
    assert book.sheetnames == ["汇总", "单位", "问题", "整改", "统计", "2026年汇总", "2026年表述"]
    assert book["问题"].max_row - 1 == 24
    assert book["单位"].max_row - 1 == 5
    # Stats by their labels (no keys on a sheet leaders read).
    from seccheck.ruleset.load import resolve_ruleset

    stats_of = [resolve_ruleset(r).ruleset.stat for r in ("wechat-groups", "classified-document-return")]
    labels = {s.key: s.label for declared in stats_of for s in declared}
    stat_rows = {r[1]: r[2] for r in book["统计"].iter_rows(min_row=2, values_only=True)}
    assert stat_rows[labels["wechat_members_registered"]] == stats["W00e"]
    assert stat_rows[labels["items_destroyed"]] == stats["R04a"]
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(values_only=True)}
    assert summary["整改：已核实"] == 1 and summary["发现问题"] == 24


def test_report_pdf_and_html_carry_charts(campaign_ws: Workspace) -> None:
    for fmt in ("html", "pdf"):
        assert campaign_ws.run("report", CAMPAIGN, "--format", fmt).code == 0
    html = (campaign_ws.root / "reports" / f"{CAMPAIGN}-汇总.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 2 and "http://www.w3.org/2000/svg" in html
    assert not re.search(r"(src|href)\s*=", html)
    text = subprocess.run(
        ["pdftotext", "-raw", str(campaign_ws.root / "reports" / f"{CAMPAIGN}-汇总.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = re.sub(r"\s+", "", text)
    assert "年终总结可用表述" in flat and "等次分布" in flat and "基本符合要求" in flat and "4家" in flat

    meta = archival_metadata(campaign_ws.root / "reports" / f"{CAMPAIGN}-汇总.pdf")  # PDF/A-2b
    assert meta["/Title"] == f"{CAMPAIGN} 汇总"
    assert meta["/Author"] == "某区国家保密局"
    assert meta["/Subject"] == f"2026年专项行动“{CAMPAIGN}”汇总报告"
    assert {"保密检查", "专项行动", CAMPAIGN, "2026"} <= set(meta["/Keywords"].split(", "))
    assert meta["/CreationDate"] == "D:" + TODAY.strftime("%Y%m%d")  # the report's date, from the clock


def test_large_campaign_figures(tmp_path: Path) -> None:
    """200 generated audits: the report's figures against counts computed from the answers files."""
    root = tmp_path / "ws"
    assert seccheck("init", root).code == 0
    ws = Workspace(root, f"sqlite:///{root / 'seccheck.db'}")
    folder = tmp_path / "answers"
    folder.mkdir()
    files = generate(folder, 200, units=200)
    assert ws.run("campaign", "create", "大检查", "--ruleset", "unit-self-assessment").code == 0
    assert ws.run("import", "--new-unit", "--no-notice", "--campaign", "大检查", *files).code == 0
    assert ws.run("report", "大检查", "--format", "xlsx").code == 0
    from seccheck.domain.applicability import is_compliant
    from seccheck.ruleset.load import resolve_ruleset

    rs = resolve_ruleset("unit-self-assessment").ruleset
    failing = 0
    for path in files:
        answers = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)["answers"]
        for key, value in answers.items():
            if key in rs.checks:
                raw = value["value"] if isinstance(value, dict) else value
                failing += not is_compliant(rs.checks[key][1], raw)
    book = load_workbook(root / "reports" / "大检查-汇总.xlsx")
    summary = {r[0]: r[1] for r in book["汇总"].iter_rows(values_only=True)}
    assert summary["发现问题"] == failing
    assert summary["检查记录"] == 200 and summary["已检单位"] == 200
    assert book["问题"].max_row - 1 == failing
