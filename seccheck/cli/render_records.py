"""Terminal output of records (units, campaigns, audits, the register, rectifications), of what follows a
finalised audit (documents, follow-ups) and of imports and verification. Rulesets, results and problems are
in `render`, whose consoles this module prints on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from seccheck.cli.console import markup
from seccheck.cli.render import PROBLEM_MARK, err, out, problems, result

if TYPE_CHECKING:
    from seccheck.app.audits import Finalised
    from seccheck.app.context import Context
    from seccheck.app.imports import Imported, ImportReport
    from seccheck.app.records import AuditRecord, Document
    from seccheck.app.verification import WorkspaceVerification
    from seccheck.app.voiding import RegisterRow
    from seccheck.domain.listing import AuditSummary, CampaignInfo, UnitInfo


def units(rows: list[UnitInfo]) -> None:
    if not rows:
        out.print("还没有单位。用 seccheck unit add 或 seccheck unit import 添加。")
        return
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("编号", justify="right", no_wrap=True)
    table.add_column("单位", overflow="fold", ratio=3)
    table.add_column("类型", overflow="fold", ratio=1)
    table.add_column("联系人", overflow="fold", ratio=1)
    table.add_column("检查", justify="right", no_wrap=True)
    for u in rows:
        table.add_row(str(u.id), u.name, u.kind, u.contact, str(u.audits))
    out.print(table)


def campaigns(rows: list[CampaignInfo]) -> None:
    if not rows:
        out.print("还没有专项行动。用 seccheck campaign create 建立。")
        return
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("编号", justify="right", no_wrap=True)
    table.add_column("专项行动", overflow="fold", ratio=2)
    table.add_column("年度", no_wrap=True)
    table.add_column("规则集", overflow="fold", ratio=2)
    table.add_column("应检", justify="right", no_wrap=True)
    table.add_column("已检", justify="right", no_wrap=True)
    for c in rows:
        table.add_row(str(c.id), c.name, str(c.year), "、".join(c.rulesets), str(len(c.planned)), str(len(c.covered)))
    out.print(table)


def campaign(info: CampaignInfo, rows: list[AuditSummary]) -> None:
    period = ""
    if info.period_start or info.period_end:
        period = f" · {info.period_start or '…'} 至 {info.period_end or '…'}"
    out.print(markup(f"[bold]{escape(info.name)}[/]（{info.year}）{period}"), soft_wrap=True)
    out.print(Text(f"规则集：{'、'.join(info.rulesets)}"), soft_wrap=True)
    planned_done = [u for u in info.planned if u in info.covered]
    out.print(f"应检单位 {len(info.planned)} 个，已检 {len(planned_done)} 个；检查记录 {info.audits} 份")
    missing = [u for u in info.planned if u not in info.covered]
    if missing:
        out.print(Text("未检：" + "、".join(missing), style="yellow"), soft_wrap=True)
    if rows:
        audits(rows)


AUDIT_STATUS = {"final": "定稿", "draft": "草稿", "discarded": "已作废", "void": "定稿后作废"}


def register(rows: list[RegisterRow]) -> None:
    if not rows:
        out.print("还没有取用发文字号。")
        return
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("发文字号", no_wrap=True)
    table.add_column("被检查单位", overflow="fold", ratio=1)
    table.add_column("检查", justify="right", no_wrap=True)
    table.add_column("取号日期", no_wrap=True)
    table.add_column("状态", no_wrap=True)
    for r in rows:
        table.add_row(r.number, Text(r.unit), str(r.audit_id), r.issued.isoformat(), "作废" if r.void else "有效")
    out.print(table)


def audits(rows: list[AuditSummary]) -> None:
    if not rows:
        out.print("没有检查记录。")
        return
    # The ruleset id goes under the unit name: a column of its own does not fit 80 columns.
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("编号", justify="right", no_wrap=True)
    table.add_column("单位 / 规则集", overflow="fold", ratio=1)
    table.add_column("日期", no_wrap=True)
    table.add_column("状态", no_wrap=True)
    table.add_column("等次", no_wrap=True)
    table.add_column("得分率", justify="right", no_wrap=True)
    for a in rows:
        status = AUDIT_STATUS[a.status]
        if a.revision > 1:
            status += f"（第{a.revision}版）"
        if a.reinspection_of:
            status = f"复查{a.reinspection_of}·" + status
        who = Text(a.unit)
        who.append("\n" + a.ruleset_id, style="dim")
        table.add_row(str(a.id), who, a.date.isoformat(), status, a.grade or "—", f"{a.percent}%" if a.percent else "—")
    out.print(table)


def audit(record: AuditRecord, *, explain: bool = False) -> None:
    rs = record.ruleset.ruleset
    status = AUDIT_STATUS[record.status]
    out.print(
        markup(
            f"[bold]检查 {record.id}[/] · {status} · 第 {record.revision} 版"
            + (f" · 复查检查 {record.reinspection_of}" if record.reinspection_of else "")
        ),
        soft_wrap=True,
    )
    if record.voided is not None:
        v = record.voided
        out.print(
            Text(f"已作废：{v.reason}（{v.actor} {v.at.isoformat()}）；不计入任何数字", style="bold red"),
            soft_wrap=True,
        )
        if v.numbers:
            out.print(Text(f"发文字号 {'、'.join(v.numbers)} 作废，不再使用"), soft_wrap=True)
    out.print(Text(f"规则集：{rs.id} {rs.version}（SHA-256 {record.ruleset.sha256[:16]}…）"), soft_wrap=True)
    if record.campaign:
        out.print(Text(f"专项行动：{record.campaign}"), soft_wrap=True)
    if record.answers.inspectors:
        out.print(Text(f"检查人员：{'、'.join(record.answers.inspectors)}"), soft_wrap=True)
    out.print(
        f"建立：{record.created_by} {record.created_at.isoformat()}"
        + (f"；定稿 {record.finalized_at.isoformat()}" if record.finalized_at else ""),
        soft_wrap=True,
    )
    if record.seal:
        out.print(f"封签 SHA-256：{record.seal}", soft_wrap=True)
    if record.result is not None:
        out.print()
        result(record.result, explain=explain, dues=record.dues)
    else:
        out.print(f"已作答 {len(record.answers.answers)} 题，尚未定稿。")


def doctor(checks: list[Any]) -> None:
    for check in checks:
        mark = "[green]✓[/]" if check.ok else ("[red]✗[/]" if check.required else "[yellow]![/]")
        out.print(markup(f"{mark} [bold]{escape(check.name)}[/]：{escape(check.detail)}"), soft_wrap=True)
        if check.fix:
            out.print(Text(f"    {'修复' if not check.ok else '提示'}：{check.fix}", style="dim"), soft_wrap=True)
    from seccheck.app.doctor import conclusion

    text, level = conclusion(checks)
    out.print(Text(text, style={"ok": "green", "warning": "yellow", "failed": "red"}[level]), soft_wrap=True)


def rectifications(rows: list[Any]) -> None:
    from seccheck.domain.rectification import STATE_LABELS

    if not rows:
        out.print("没有整改记录。")
        return
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("编号", justify="right", no_wrap=True)
    table.add_column("单位 / 问题", overflow="fold", ratio=1)
    table.add_column("期限", no_wrap=True)
    table.add_column("状态", no_wrap=True)
    for r in rows:
        who = Text(r.unit)
        who.append("\n" + r.finding, style="dim")
        state = Text(
            STATE_LABELS[r.state] + ("（逾期）" if r.overdue else ""),
            style="red" if r.overdue else ("green" if r.state == "verified" else ""),
        )
        table.add_row(str(r.id), who, r.due.isoformat(), state)
    out.print(table)


def reinspection(done: Finalised) -> None:
    diff = done.comparison
    if diff is None:
        return
    out.print()
    out.print(markup(f"[bold]复查结果（检查 {done.reinspection_of} → 检查 {done.audit_id}）[/]"))
    b, a = done.before, done.result
    if b is not None:
        if b.percent is not None and a.percent is not None:
            out.print(f"  得分率 {b.percent}% → {a.percent}%", soft_wrap=True)
        out.print(Text(f"  等次 {b.grade} → {a.grade}"), soft_wrap=True)
    for mark, label, ids, style in (
        ("✓", "已整改（整改记录已核实）", diff.fixed, "green"),
        (PROBLEM_MARK, "仍未整改（整改期限顺延）", diff.still_failing, "red"),
        (PROBLEM_MARK, "新发现", diff.newly_failing, "yellow"),
        ("？", "未复查（本次不适用或未作答）", diff.unchecked, "yellow"),
    ):
        if ids or label != "未复查（本次不适用或未作答）":
            line = f"{mark if ids else ' '} {label}：{'、'.join(ids) if ids else '无'}"
            out.print(Text(line, style=style if ids else "dim"), soft_wrap=True)


DOCUMENT_NAMES = {"notice": "整改通知书", "review": "复查意见书", "scoresheet": "自查自评表"}


def document_title(document: Document) -> str:
    """整改通知书 某保检〔2026〕1号 / 复查意见书（某保检〔2026〕1号复查）/ 自查自评表."""
    name = DOCUMENT_NAMES.get(document.kind, "文书")
    if document.kind == "review" and document.number:
        return f"{name}（{document.number}复查）"
    return f"{name} {document.number}" if document.number else name


def document_lines(documents: list[Document], indent: str = "") -> None:
    for document in documents:
        out.print(Text(f"{indent}{document_title(document)}："), soft_wrap=True)
        out.print(Text(f"{indent}{document.path}"), overflow="fold")


def followups(done: Finalised) -> None:
    document_lines(done.followups.documents)
    if done.followups.problems:
        problems(done.followups.problems)
        err.print(
            Text(
                f"检查 {done.audit_id} 已定稿，但以上文书未能出具；排除问题后重新运行同一命令即可补出。", style="yellow"
            ),
            soft_wrap=True,
        )


def finalised(done: Finalised) -> None:
    """What finishing an audit did, whichever command finished it."""
    if done.already:
        out.print(f"这份答案已导入过：检查 {done.audit_id}（第 {done.revision} 版），未改动。")
        followups(done)
        return
    out.print()
    result(done.result, dues=done.dues)
    out.print(markup(f"[green]检查 {done.audit_id} 已定稿（第 {done.revision} 版）。[/]"))
    out.print(f"封签 SHA-256：{done.seal}", soft_wrap=True)
    reinspection(done)
    followups(done)


_OUTCOMES = {
    "new": "已导入",
    "finalised": "原为草稿，已定稿",
    "already": "已导入过，未改动",
    "amended": "已修订",
    "unchanged": "内容相同，未改动",
}


def imported_one(ctx: Context, imported: Imported) -> None:
    from seccheck.app.audits import load_audit

    record = load_audit(ctx, imported.audit_id)
    problems(imported.warnings)  # as `score` shows them, once
    if imported.outcome == "new" and record.result is not None:
        result(record.result, dues=record.dues)
    out.print(f"{_OUTCOMES[imported.outcome]}：检查 {imported.audit_id}（第 {imported.revision} 版）", soft_wrap=True)
    if record.seal:
        out.print(f"封签 SHA-256：{record.seal}", soft_wrap=True)
    document_lines(imported.followups.documents)
    if imported.followups.problems:
        problems(imported.followups.problems)


BATCH_LISTED = 20  # up to this many, a batch lists each file or audit before its tally


def verified(found: WorkspaceVerification, *, listed: bool) -> int:
    """What `verify` found: every problem; each matching audit when there are few; then one line with
    the tally and the ledger's state. Returns how many audits and ledgers did not match."""
    bad = 0
    for audit_id, problems_found in found.audits:
        if problems_found:
            bad += 1
            for problem in problems_found:
                err.print(Text(f"检查 {audit_id}：✗ {problem}"), soft_wrap=True)
        elif listed:
            note = found.notes.get(audit_id, "")
            out.print(Text(f"检查 {audit_id}：✓ 封签相符" + (f"（{note}）" if note else "")), soft_wrap=True)
    ledger = found.ledger
    for problem in ledger.problems:
        err.print(Text(f"账本：✗ {problem}"), soft_wrap=True)
    total = len(found.audits)
    seals = f"{bad} 份与封签不符，{total - bad} 份相符" if bad else "封签全部相符"
    algorithms = "、".join(f"{a.upper()} {n} 条" for a, n in sorted(ledger.algorithms.items()))
    state = "✗ 有不符之处" if ledger.problems else "✓ 相符"
    out.print(
        Text(
            f"核验 {total} 份检查：{seals}；账本：{state}（共 {ledger.position} 条，{algorithms or '无'}，"
            f"校验码相符 {ledger.keyed} 条；"
            f"当前核验码 {ledger.position}:{ledger.head}）"
        ),
        soft_wrap=True,
    )
    return bad + bool(ledger.problems)


def import_report(report: ImportReport) -> None:
    for path, found in report.failed:
        problems(found)
        err.print(Text.assemble(("跳过 ", "red"), str(path)), soft_wrap=True)
    issued: dict[str, int] = {}
    for imported in report.done:
        problems(imported.warnings)  # as `score` shows them, once per file
        for document in imported.followups.documents:
            issued[document.kind] = issued.get(document.kind, 0) + 1
        if imported.followups.problems:
            problems(imported.followups.problems)
            err.print(
                Text(f"检查 {imported.audit_id} 已导入，但文书未能出具；重新运行同一命令即可补出", style="yellow"),
                soft_wrap=True,
            )
    counts: dict[str, int] = {}
    for imported in report.done:
        counts[imported.outcome] = counts.get(imported.outcome, 0) + 1
    parts = [f"导入 {counts.get('new', 0)} 个"]
    if counts.get("finalised"):
        parts.append(f"{counts['finalised']} 个草稿已定稿")
    if counts.get("already"):
        parts.append(f"{counts['already']} 个已导入过（未改动）")
    if counts.get("amended"):
        parts.append(f"修订 {counts['amended']} 个")
    if counts.get("unchanged"):
        parts.append(f"{counts['unchanged']} 个内容相同（未改动）")
    for kind, n in issued.items():
        parts.append(f"出具{DOCUMENT_NAMES.get(kind, '文书')} {n} 份")
    if report.failed:
        parts.append(f"跳过 {len(report.failed)} 个有问题的文件")
    if len(report.done) <= BATCH_LISTED:  # a long batch: the tally only, never a line per file or notice
        for imported in report.done:
            # With no document to point at (a checklist self-check, --no-notice), say what was recorded.
            quiet = imported.recorded and not imported.followups.documents
            said = _OUTCOMES[imported.outcome] + (f"：{imported.recorded}" if quiet else "")
            line = f"  检查 {imported.audit_id} ← {imported.path}（{said}）"
            out.print(Text(line), soft_wrap=True)
            for document in imported.followups.documents:
                out.print(Text(f"    {document_title(document)}：{document.path}"), soft_wrap=True)
    out.print("，".join(parts), soft_wrap=True)  # the batch ends with its tally
