"""The interview on a terminal: rich for output, the line editor of `input()` for replies."""

from __future__ import annotations

from rich import box
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from seccheck.cli import render
from seccheck.interview.seam import (
    CategoryStart,
    Done,
    Header,
    HelpView,
    Message,
    Prompt,
    Review,
    Shown,
)
from seccheck.numbers import fmt
from seccheck.text import zh

COMMANDS_HINT = "随时可输入：? 帮助　b 上一题　s 跳过　q 保存退出"
STYLES = {"info": "cyan", "error": "red", "warning": "yellow"}
PROBLEM_MARK, MISSING_MARK = render.PROBLEM_MARK, "？"


class TerminalAsker:
    def __init__(self) -> None:
        self.out = render.out

    def show(self, shown: Shown) -> None:
        out = self.out
        match shown:
            case Header():
                mode = "检查" if shown.mode == "inspection" else "自查"
                out.print(Rule(f"{shown.ruleset_title}（{shown.ruleset_version}）", style="bold"))
                out.print(
                    Text.assemble(
                        "被检查单位：",
                        (shown.unit, "bold"),
                        f"　方式：{mode}" + (f"　检查编号：{shown.audit_id}" if shown.audit_id else ""),
                    ),
                )
                out.print(f"基本情况 {shown.profile_count} 题，检查 {shown.check_count} 题（随基本情况增减）")
                if shown.resumed:
                    out.print(Text(f"继续上次的检查：已答 {shown.resumed} 题，从第一道未答的题开始。", style="green"))
                out.print(Text(COMMANDS_HINT, style="dim"))
            case CategoryStart():
                out.print()
                out.print(Rule(shown.title, style="cyan", align="left"))
            case Message():
                out.print(Text(shown.text, style=STYLES[shown.level]))
            case HelpView():
                chk = shown.question.question
                out.print(Text(f"【{shown.question.label}】{chk.question}", style="bold"))
                # Each line says what it is: a profile question decides which items apply, it costs nothing.
                for label, value in (
                    ("问题答案", shown.problem),
                    ("作用" if shown.question.is_profile else "扣分", shown.cost),
                    ("说明", shown.help),
                    ("依据", shown.basis),
                    ("问题表述", shown.finding),
                    ("整改要求", shown.rectify),
                ):
                    if value:
                        out.print(Text.assemble((f"  {label}：", "cyan"), value))
                out.print(Text(COMMANDS_HINT, style="dim"))
            case Review():
                self._review(shown)
            case Done():
                pass  # the result is printed with what finalising did (render_records.finalised)

    def _review(self, review: Review) -> None:
        # The marks say it without colour too (NO_COLOR, a printout): ✗ a problem, ？ not answered.
        table = Table(
            title=f"答案一览（{PROBLEM_MARK} 为发现的问题，{MISSING_MARK} 为未答）",
            box=box.SIMPLE_HEAD,
            title_justify="left",
        )
        table.add_column("", no_wrap=True, width=2)
        table.add_column("题号", no_wrap=True)
        table.add_column("问题", overflow="fold", ratio=1)
        table.add_column("答案", overflow="fold", max_width=12)
        table.add_column("扣分", justify="right", no_wrap=True)
        for row in review.rows:
            missing = row.answer == zh.WORDS["answer.unanswered"]
            style = "red" if row.finding else ("yellow" if missing else "")
            mark = PROBLEM_MARK if row.finding else (MISSING_MARK if missing else "")
            deduction = fmt(row.deduction) if row.deduction else ""
            table.add_row(mark, row.key, row.question, row.answer, deduction, style=style)
        problems = sum(1 for row in review.rows if row.finding)
        self.out.print()
        self.out.print(table)
        if problems:
            self.out.print(Text(f"{PROBLEM_MARK} 发现的问题 {problems} 个", style="red"))
        else:
            self.out.print(Text("未发现问题", style="green"))
        if review.missing:
            self.out.print(Text(f"{MISSING_MARK} 未答：第 {'、'.join(review.missing)} 题", style="yellow"))

    def ask(self, prompt: Prompt) -> str:
        out = self.out
        if prompt.kind == "answer" and prompt.question is not None:
            q = prompt.question
            title = f"　{q.item.title}" if q.item is not None else ""
            out.print(
                Text.assemble((f"[{prompt.position}/{prompt.total}] ", "bold cyan"), (q.label, "bold"), title),
            )
            out.print(Text(prompt.text, style="bold"))
            if prompt.problem:
                out.print(Text(f"  {PROBLEM_MARK} {prompt.problem}", style="bold red"))
            out.print(Text(f"  {prompt.cost}", style="dim"))
            if prompt.progress:
                out.print(Text(f"  目前（按已答的题）：{prompt.progress}", style="dim"))
            if prompt.current is not None:
                out.print(Text(f"  当前答案：{prompt.current}（回车保留）", style="green"))
            hint = prompt.accepted + ("，或 不适用（na）" if prompt.allow_na else "")
            return out.input(Text.assemble((hint, "cyan"), " › "))
        if prompt.kind == "confirm":
            out.print(Text(prompt.text, style="bold"))
            return out.input(Text.assemble(("确认定稿请输入“是”，回车返回答案一览", "cyan"), " › "))
        text = prompt.text + (f"；当前 {prompt.current}（回车保留）" if prompt.current is not None else "")
        return out.input(Text.assemble((text, "cyan"), " › "))
