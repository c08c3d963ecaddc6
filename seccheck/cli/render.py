"""Terminal output with rich. Only the CLI imports this module; the core never does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from seccheck.cli.console import SafeConsole, markup
from seccheck.domain.result import Result
from seccheck.errors import Problem
from seccheck.numbers import fmt, round_half_up
from seccheck.ruleset.describe import cost_words
from seccheck.ruleset.load import LoadedRuleset
from seccheck.ruleset.model import KIND_LABELS, LEVEL_LABELS, SEVERITY_LABELS, Check, Item, Ruleset
from seccheck.text import zh

# Markup off, control characters made visible (seccheck.cli.console): user text is never obeyed.
out = SafeConsole()
err = SafeConsole(stderr=True)

GRADE_STYLES = ("bold green", "bold yellow", "bold red")
PROBLEM_MARK = "✗"  # a problem, said without colour too (NO_COLOR, a printout)


def problems(items: Iterable[Problem]) -> None:
    for p in items:
        # soft_wrap: one problem a line, never broken, so it can be copied and grepped.
        err.print(Text(str(p), style="yellow" if p.warning else "red"), soft_wrap=True)


def ruleset_ok(loaded: LoadedRuleset) -> None:
    rs = loaded.ruleset
    checks = sum(len(i.check) for i in rs.item)
    points = f"，计分项目合计 {fmt(rs.scored_points)} 分" if rs.scoring.method == "deduction" else ""
    out.print(
        markup(
            f"[green]✓[/] {escape(loaded.source)}：{escape(rs.id)} {escape(rs.version)}，"
            f"{len(rs.category)} 类 {len(rs.item)} 项 {checks} 个检查{points}"
        ),
        soft_wrap=True,
    )


def ruleset_table(loaded: list[LoadedRuleset]) -> None:
    # Two lines per ruleset rather than a wide table: stays readable in an 80-column terminal.
    for item in loaded:
        rs = item.ruleset
        checks = sum(len(i.check) for i in rs.item)
        size = f"{fmt(rs.scored_points)} 分" if rs.scoring.method == "deduction" else "清单，不计分"
        source = "内置" if item.builtin else item.source
        out.print(Text.assemble((rs.id, "bold cyan"), "  ", rs.version, "  ", rs.title), soft_wrap=True)
        out.print(
            Text(f"    {LEVEL_LABELS[rs.level]} · {len(rs.item)} 项 {checks} 个检查 · {size} · {source}", style="dim"),
            soft_wrap=True,
        )


def _rule(item: Item, chk: Check, rs: Ruleset) -> str:
    """The deduction rule of a check in words."""
    parts = [KIND_LABELS[chk.kind]]
    if chk.kind == "yesno":
        parts.append("合规答“是”" if chk.expected else "合规答“否”")
    parts += [escape(words) for words in cost_words(rs, item, chk)]
    if chk.applies_if:
        parts.append(f"适用条件：{escape(chk.applies_if)}")
    return "，".join(parts)


def basis_words(chk: Check) -> str:
    """依据 with its drafting note (basis_note): shown here and in `score --explain`, never on a document."""
    text = f"依据：{escape(chk.basis or '（未写）')}"
    if chk.basis_note:
        text += f"  [yellow]起草说明：{escape(chk.basis_note)}[/]"
    return text


def ruleset_tree(loaded: LoadedRuleset) -> None:
    rs = loaded.ruleset
    method = "扣分制" if rs.scoring.method == "deduction" else "清单（不计分）"
    root = Tree(
        markup(
            f"[bold]{escape(rs.title)}[/]  {escape(rs.id)} {escape(rs.version)} · {LEVEL_LABELS[rs.level]} · {method}"
        )
    )
    if rs.scoring.method == "deduction":
        root.add(
            f"总分 {fmt(rs.scored_points)} 分；等次："
            + "，".join(f"≥{fmt(g.min)}% {g.label}" for g in rs.scoring.grades)
        )
    if rs.profile:
        prof = root.add(markup("[bold]基本情况（决定实有项目）[/]"))
        for p in rs.profile:
            prof.add(markup(f"{escape(p.id)}  {escape(p.question)}  [dim]{KIND_LABELS[p.kind]}[/]"))
    for cat in rs.category:
        items = [i for i in rs.item if i.category == cat.id]
        pts = sum((i.points for i in items), start=rs.scored_points * 0)
        cond = f"  [dim]适用条件：{escape(cat.applies_if)}[/]" if cat.applies_if else ""
        node = root.add(markup(f"[bold]{escape(cat.title)}[/]  {fmt(pts)} 分{cond}"))
        for item in items:
            label = "加重扣分项" if item.aggravating else f"{fmt(item.points)} 分"
            extra = "，可答不适用" if item.allow_na else ""
            extra += f"，适用条件：{escape(item.applies_if)}" if item.applies_if else ""
            official = f"  [dim]（官方标准第{escape(item.official)}项）[/]" if item.official else ""
            inode = node.add(markup(f"{escape(item.id)}. {escape(item.title)}  [cyan]{label}[/]{extra}{official}"))
            for chk in item.check:
                cnode = inode.add(markup(f"{escape(chk.id)}  {escape(chk.question)}  [dim]{_rule(item, chk, rs)}[/]"))
                if chk.basis or chk.basis_note:
                    cnode.add(markup(f"[dim]{basis_words(chk)}[/]"))
    out.print(root)


def result(
    res: Result, *, explain: bool = False, dues: Mapping[str, dt.date] | None = None, rs: Ruleset | None = None
) -> None:
    """The result; deadlines as recorded when `dues` is given, else as a number of days (no notice yet)."""
    mode = "检查" if res.mode == "inspection" else "自查"
    out.print(
        markup(
            f"[bold]{escape(res.unit)}[/]  {escape(res.ruleset_title)}（{escape(res.ruleset_version)}） · "
            f"{mode} · {res.date.isoformat()}"
        )
    )
    line = Text("等次：")
    line.append(res.grade, style=GRADE_STYLES[min(res.grade_index, len(GRADE_STYLES) - 1)])
    if res.percent is not None:
        unit = "%" if res.normalize else " 分"
        line.append(f"    得分{'率' if res.normalize else ''} {res.percent}{unit}", style="bold")
    out.print(line)
    if res.method == "deduction":
        out.print(
            Text(
                f"实有项目 {fmt(res.applicable)} 分，得分 {fmt(res.earned)} 分，"
                f"加重扣分 {fmt(res.aggravated)} 分，计分 {fmt(res.raw)} 分",
                style="dim",
            )
        )
    out.print(Text(f"评定依据：{zh.grade_reason(res)}", style="dim"))

    if res.method == "deduction":
        table = Table(title="分类得分", box=box.SIMPLE_HEAD, title_justify="left")
        for col in ("类别", "实有分值", "扣分", "得分", "得分率", "问题"):
            table.add_column(col, justify="left" if col == "类别" else "right")
        for cat in res.categories:
            if not cat.applicable:
                table.add_row(Text(cat.title, style="dim"), "不适用", "", "", "", "")
                continue
            findings = str(cat.findings or "")
            if not cat.points:  # aggravating items and the veto: no points of their own
                deduction = f"加重 {fmt(cat.aggravated)}" if cat.aggravated else "—"
                table.add_row(cat.title, "—", deduction, "—", "—", findings)
                continue
            rate = f"{round_half_up(Fraction(cat.earned) * 100 / Fraction(cat.points))}%"
            deduction = fmt(cat.deduction) + (f" 加重 {fmt(cat.aggravated)}" if cat.aggravated else "")
            table.add_row(cat.title, fmt(cat.points), deduction, fmt(cat.earned), rate, findings)
        out.print(table)

    if explain:
        _explain(res, rs)

    if not res.findings:
        out.print(markup("[green]未发现问题。[/]"))
        return
    table = Table(
        title=f"{PROBLEM_MARK} 发现的问题（{len(res.findings)} 个）", box=box.SIMPLE_HEAD, title_justify="left"
    )
    table.add_column("序号", justify="right")
    table.add_column("检查")
    table.add_column("问题", ratio=1, overflow="fold")
    table.add_column("扣分", justify="right")
    table.add_column("程度")
    table.add_column("整改期限")
    for n, f in enumerate(res.findings, start=1):
        severity = SEVERITY_LABELS[f.severity]
        style = "red" if f.severity == "critical" else ("yellow" if f.severity == "major" else "")
        table.add_row(
            f"{PROBLEM_MARK}{n}",
            f.check_id,
            zh.finding_text(f),
            fmt(f.deduction) if res.method == "deduction" else "—",
            Text(severity, style=style),
            dues[f.check_id].isoformat() if dues and f.check_id in dues else f"{f.deadline_days} 天",
        )
    out.print(table)


def _explain(res: Result, rs: Ruleset | None = None) -> None:
    out.print(markup("[bold]计算过程[/]"))
    for cat in res.categories:
        if not cat.applicable:
            out.print(
                markup(f"  [dim]{escape(cat.title)}：{escape(zh.category_reason(cat) or '不适用')}，不计入实有项目[/]")
            )
            continue
        out.print(markup(f"  [bold]{escape(cat.title)}[/]"))
        for item in cat.items:
            head = f"    {escape(item.id)}. {escape(item.title)}"
            if not item.applicable:
                out.print(markup(f"[dim]{head}：{escape(zh.item_reason(item) or '不适用')}，不计入实有项目[/]"))
                continue
            if item.aggravating:
                out.print(f"{head}（加重扣分项）：扣 {fmt(item.deduction)} 分")
            elif not item.points:
                out.print(f"{head}（不计分）")
            else:
                out.print(f"{head}（{fmt(item.points)} 分）：扣 {fmt(item.deduction)} 分，得 {fmt(item.earned)} 分")
            for chk in item.checks:
                if chk.compliant is False:
                    out.print(Text(f"      {chk.id} {zh.check_reason(chk, res) or ''}"))
                    if rs is not None and chk.id in rs.checks:
                        out.print(markup(f"        [dim]{basis_words(rs.checks[chk.id][1])}[/]"))
            if item.capped and (capped := zh.item_reason(item)):
                out.print(markup(f"      [yellow]{escape(capped)}[/]"))
    if res.method != "deduction":
        return
    scored = [i for c in res.categories for i in c.items if i.applicable and i.points]
    agg = [i for c in res.categories for i in c.items if i.applicable and i.aggravating and i.deduction]
    out.print(f"  实有项目分值 = {_sum(i.points for i in scored)} = {fmt(res.applicable)}")
    out.print(f"  得分 = {_sum(i.earned for i in scored)} = {fmt(res.earned)}")
    out.print(f"  加重扣分 = {_sum(i.deduction for i in agg) if agg else '0'} = {fmt(res.aggravated)}")
    out.print(f"  计分 = max(0, {fmt(res.earned)} − {fmt(res.aggravated)}) = {fmt(res.raw)}")
    if res.normalize and res.percent is not None:
        out.print(
            f"  得分率 = {fmt(res.raw)} ÷ {fmt(res.applicable)} × 100% = {res.percent_exact} "
            f"≈ {res.percent}%（四舍五入到一位小数）"
        )
    out.print(Text(f"  等次：{res.grade}（{zh.grade_reason(res)}）"))


def _sum(values: Iterable[object]) -> str:
    parts = [fmt(v) for v in values]  # type: ignore[arg-type]
    return " + ".join(parts) if parts else "0"


# --- offline forms ----------------------------------------------------------------------------


def form_status(status: Any) -> None:
    """Issued offline forms: returned, overdue, issued; then who to remind (催报)."""
    if not status.rows:
        out.print("还没有下发离线表单。用 seccheck form 规则集 --unit 单位 生成。")
        return
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("表单编号", no_wrap=True)
    table.add_column("单位", overflow="fold", ratio=3)
    tiers = any(r.department for r in status.rows)  # forms issued per department or per person
    if tiers:
        table.add_column("内设机构、人员", overflow="fold", ratio=3, min_width=12)
    campaigns = any(r.campaign for r in status.rows)
    if campaigns:
        table.add_column("检查活动", overflow="fold", ratio=2)
    table.add_column("截止日期", no_wrap=True)
    table.add_column("状态", no_wrap=True)
    table.add_column("回收日期", no_wrap=True)
    for r in status.rows:
        who = " ".join(p for p in (r.department, r.person + (f"（{r.staff_no}）" if r.staff_no else "")) if p)
        table.add_row(
            r.number,
            r.unit,
            *([who or "—"] if tiers else []),
            *([r.campaign or "—"] if campaigns else []),
            str(r.due or "—"),
            r.state_label,
            str(r.returned_on or "—"),
        )
    out.print(table)
    counts = status.counts()
    out.print(f"已回收 {counts['returned']} 份，逾期未报 {counts['overdue']} 份，已下发待报 {counts['issued']} 份。")
    remind = status.remind
    if remind:
        out.print("催报名单：" + "、".join(f"{r.respondent}（{r.number}，{r.state_label}）" for r in remind))
