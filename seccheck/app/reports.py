"""Campaign reports: the figures counted as records.md §4 says, written as PDF, HTML or XLSX."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seccheck.app.context import Context
from seccheck.app.documents import target_in
from seccheck.domain.figures import Summary, summarise
from seccheck.errors import Conflict, Problem
from seccheck.fileutil import write_atomic
from seccheck.storage import campaigns as campaign_repo
from seccheck.storage.figures import campaign_facts


@dataclass(frozen=True)
class ReportFile:
    path: Path
    summary: Summary


def campaign_summary(ctx: Context, campaign: str) -> tuple[Summary, list[dict[str, object]]]:
    with ctx.db.read() as session:
        found = campaign_repo.find(session, campaign)
        info = campaign_repo.info(session, found)
        audits, findings, detail = campaign_facts(session, found.id)
    detail = [d for d in detail if d["state"] != "withdrawn"]
    summary = summarise(info.name, info.year, info.rulesets, info.planned, audits, findings, ctx.today())
    return summary, detail


def make_report(ctx: Context, campaign: str, *, fmt: str, out_dir: Path | None) -> ReportFile:
    from seccheck.report.service import report_html, report_xlsx

    summary, detail = campaign_summary(ctx, campaign)
    if not summary.audits:
        raise Conflict([Problem(f"专项行动 {summary.campaign!r} 还没有定稿的检查记录", field="campaign")])
    target = target_in(out_dir or ctx.workspace.reports, f"{summary.campaign}-汇总", f".{fmt}")
    if fmt == "xlsx":
        write_atomic(target, report_xlsx(summary, detail, ctx.today()))
    else:
        html = report_html(summary, ctx.today())
        if fmt == "html":
            write_atomic(target, html.encode("utf-8"))
        else:
            from seccheck.notice.render import render_pdf

            write_atomic(target, render_pdf(html)[0])
    return ReportFile(target, summary)
