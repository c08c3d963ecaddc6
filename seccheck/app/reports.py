"""Campaign reports and year summaries: the figures counted as records.md §4 says, worded by the
rulesets' own declarations, written as text, PDF, HTML, DOCX or XLSX."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from seccheck.app.context import Context
from seccheck.app.documents import target_in
from seccheck.app.package_figures import tier_coverage
from seccheck.app.progress import Progress, Steps, no_progress
from seccheck.domain.figures import CampaignFacts, Summary, YearSummary, summarise, year_summary
from seccheck.domain.paragraph import Wording
from seccheck.errors import BadInput, Conflict, Problem
from seccheck.fileutil import write_atomic
from seccheck.notice.pdfmeta import PdfMeta
from seccheck.ruleset.load import builtin_paths, load_ruleset, resolve_ruleset
from seccheck.ruleset.model import Ruleset
from seccheck.storage import campaigns as campaign_repo
from seccheck.storage.figures import campaign_facts, campaigns_of_year, latest_rulesets
from seccheck.storage.tables import Campaign, CampaignUnit

SUMMARY_FORMATS = ("text", "pdf", "html", "docx", "xlsx")


@dataclass(frozen=True)
class ReportFile:
    path: Path
    summary: Summary


@dataclass(frozen=True)
class YearFile:
    path: Path | None  # None for text, which is printed
    summary: YearSummary


@cache
def _builtin(ruleset_id: str) -> Ruleset | None:
    for path in builtin_paths():
        if path.stem == ruleset_id:
            return load_ruleset(path, builtin=True).ruleset
    return None


def wording_of(rs: Ruleset) -> Wording:
    """How a ruleset names its figures. A copy stored before rulesets declared `subject` and
    `[[stat]]` borrows them from the built-in ruleset of the same id, if there is one."""
    activity = rs.activity
    if (not rs.stat and "subject" not in rs.model_fields_set) or activity is None:
        builtin = _builtin(rs.id)
        if builtin is not None:
            activity = activity or builtin.activity
            if not rs.stat and "subject" not in rs.model_fields_set:
                rs = builtin
    best = rs.scoring.grades[0].label if rs.scoring.grades else ""
    return Wording(rs.id, rs.title, rs.subject, rs.subject_unit, best, rs.stat, activity or "")


@cache
def _ruleset_id(ref: str) -> str | None:
    try:
        return resolve_ruleset(ref).ruleset.id
    except BadInput:
        return None  # a ruleset file no longer where it was: its audits still name their ruleset


def _ids(refs: Sequence[str]) -> list[str]:
    return [rid for ref in refs if (rid := _ruleset_id(ref)) is not None]


def _wordings(session: Session, campaign_ids: list[int]) -> dict[str, Wording]:
    return {rid: wording_of(loaded.ruleset) for rid, loaded in latest_rulesets(session, campaign_ids).items()}


def campaign_summary(ctx: Context, campaign: str) -> tuple[Summary, list[dict[str, object]]]:
    with ctx.db.read() as session:
        found = campaign_repo.find(session, campaign)
        info = campaign_repo.info(session, found)
        audits, findings, detail = campaign_facts(session, found.id)
        wordings = _wordings(session, [found.id])
        listed = set(session.scalars(select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == found.id)))
        coverage = tier_coverage(session, info.year, listed or None)
    detail = [d for d in detail if d["state"] != "withdrawn"]
    rulesets = _ids(info.rulesets) or list(dict.fromkeys(a.result["ruleset_id"] for a in audits))
    summary = summarise(info.name, info.year, rulesets, info.planned, audits, findings, ctx.today(), wordings=wordings)
    if coverage is not None:
        # 全覆盖 from the packages the campaign's units reported for its year (issue 25).
        summary.paragraphs.append(coverage.sentence)
    return summary, detail


def summary_of_year(ctx: Context, year: int, campaigns: Sequence[str] = ()) -> YearSummary:
    """The year's figures across its campaigns (or the named ones), per ruleset (records.md §4)."""
    with ctx.db.read() as session:
        chosen: list[Campaign]
        if campaigns:
            chosen = [campaign_repo.find(session, ref) for ref in dict.fromkeys(campaigns)]
            other = [c for c in chosen if c.year != year]
            if other:
                raise BadInput(
                    [Problem(f"专项行动 {c.name!r} 属于 {c.year} 年，不是 {year} 年", field="campaign") for c in other]
                )
        else:
            chosen = campaigns_of_year(session, year)
        facts = []
        for c in chosen:
            info = campaign_repo.info(session, c)
            audits, findings, _detail = campaign_facts(session, c.id)
            facts.append(CampaignFacts(info.name, _ids(info.rulesets), info.planned, audits, findings))
        wordings = _wordings(session, [c.id for c in chosen])
        coverage = None if campaigns else tier_coverage(session, year)
    if coverage is not None:
        # 全覆盖 from the packages units (districts) reported (issue 25), after the campaigns' figures.
        summary = year_summary(year, facts, wordings) if any(f.audits for f in facts) else None
        if summary is None:
            summary = YearSummary(year, [f.name for f in facts], [], [])
        summary.coverage = coverage
        summary.paragraphs.append(coverage.sentence)
        return summary
    if not any(f.audits for f in facts):
        if not facts:
            message = f"{year} 年没有专项行动；请核对年度（seccheck campaign list 列出全部专项行动）"
        else:
            names = "、".join(repr(f.name) for f in facts)
            message = f"{year} 年的专项行动 {names} 还没有定稿的检查记录；检查定稿后再生成"
        raise Conflict([Problem(message, field="year")])
    return year_summary(year, facts, wordings)


def write_year_summary(
    ctx: Context,
    year: int,
    campaigns: Sequence[str] = (),
    *,
    fmt: str = "text",
    out_dir: Path | None = None,
    progress: Progress = no_progress,
) -> YearFile:
    from seccheck.report import yearly

    steps = Steps(progress, {"text": 1, "pdf": 4}.get(fmt, 3))
    summary = summary_of_year(ctx, year, campaigns)
    steps("已读取检查记录")
    if fmt == "text":
        return YearFile(None, summary)
    target = target_in(ctx.output_dir(out_dir), f"{year}年年终总结表述", f".{fmt}")
    if fmt == "docx":
        data = yearly.year_docx(summary, ctx.today())
    elif fmt == "xlsx":
        data = yearly.year_xlsx(summary)
    else:
        meta = PdfMeta(
            title=yearly.year_title(year),
            author=ctx.workspace.config.issuer.name,
            subject=f"{year}年保密检查工作年终总结表述（{'、'.join(summary.campaigns)}）",
            keywords=("保密检查", "年终总结", str(year), *summary.campaigns),
            created=ctx.today(),
        )
        html = yearly.year_html(summary, ctx.today(), meta, portable=fmt == "html", verification=_anchor(ctx))
        if fmt == "html":
            data = html.encode("utf-8")
        else:
            from seccheck.notice.render import render_pdf

            steps("已排版")
            data = render_pdf(html)[0]
    steps("已生成 PDF" if fmt == "pdf" else "已排版")
    write_atomic(target, data)
    steps("已写入")
    return YearFile(target, summary)


def _anchor(ctx: Context) -> str:
    """The ledger's head as the report prints it (records.md §5): the figures it counts are anchored."""
    from seccheck.notice.content import verification_code
    from seccheck.storage import ledger

    with ctx.db.read() as session:
        return verification_code(ledger.head(session))


def make_report(
    ctx: Context, campaign: str, *, fmt: str, out_dir: Path | None, progress: Progress = no_progress
) -> ReportFile:
    from seccheck.report.service import report_html, report_xlsx

    steps = Steps(progress, 4 if fmt in ("pdf", "xlsx") else 3)
    summary, detail = campaign_summary(ctx, campaign)
    if not summary.audits:
        message = f"专项行动 {summary.campaign!r} 还没有定稿的检查记录；请先导入或完成检查并定稿"
        raise Conflict([Problem(message, field="campaign")])
    steps("已读取检查记录")
    target = target_in(ctx.output_dir(out_dir), f"{summary.campaign}-汇总", f".{fmt}")
    if fmt == "xlsx":
        year = summary_of_year(ctx, summary.year)
        steps("已汇总本年度")
        data = report_xlsx(summary, detail, ctx.today(), year, verification=_anchor(ctx))
        steps("已排版")
    else:
        meta = PdfMeta(
            title=f"{summary.campaign} 汇总",
            author=ctx.workspace.config.issuer.name,
            subject=f"{summary.year}年专项行动“{summary.campaign}”汇总报告",
            keywords=("保密检查", "专项行动", "汇总报告", summary.campaign, str(summary.year)),
            created=ctx.today(),  # the report's date as printed on it, from the use case's clock
        )
        html = report_html(summary, ctx.today(), meta, portable=fmt == "html", verification=_anchor(ctx))
        steps("已排版")
        if fmt == "html":
            data = html.encode("utf-8")
        else:
            from seccheck.notice.render import render_pdf

            data = render_pdf(html)[0]
            steps("已生成 PDF")
    write_atomic(target, data)
    steps("已写入")
    return ReportFile(target, summary)
