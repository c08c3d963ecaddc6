"""The command reference at the end of docs/cli.md, generated from the click command tree (what
`--help` shows): every command, its arguments and every option with its help text.

    .venv/bin/python scripts/cli_docs.py           # rewrite the reference section of docs/cli.md
    .venv/bin/python scripts/cli_docs.py --check   # exit 1 if it is not current (tests/test_cli_docs.py)

Only the part between the two markers is written; the Chinese prose above it is kept as it is.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "cli.md"
BEGIN = "<!-- 命令参考开始：由 scripts/cli_docs.py 从 --help 生成，请勿手改 -->"
END = "<!-- 命令参考结束 -->"


def walk(
    command: click.Command, name: str = "seccheck", parent: click.Context | None = None
) -> Iterator[tuple[str, click.Command, click.Context]]:
    """Every command of the tree, groups before their commands, commands in name order."""
    ctx = click.Context(command, info_name=name, parent=parent, **command.context_settings)
    yield ctx.command_path, command, ctx
    if isinstance(command, click.Group):
        for sub_name in sorted(command.commands):
            yield from walk(command.commands[sub_name], sub_name, ctx)


def _join(text: str) -> str:
    """Lines of a help text as one line: no space where Chinese meets Chinese."""
    out = ""
    for line in (part.strip() for part in text.splitlines()):
        if not line:
            continue
        out += line if not out or not out[-1].isascii() or not line[0].isascii() else " " + line
    return out


def _cell(text: str) -> str:
    return _join(text).replace("|", "\\|")


def _option(param: click.Option, ctx: click.Context) -> tuple[str, str]:
    names = ", ".join([*param.opts, *param.secondary_opts])
    if not param.is_flag and not param.count:
        names += f" {param.make_metavar(ctx)}"
    notes = ["必需"] if param.required else []
    if param.show_default and param.default is not None and not param.is_flag:
        notes.append(f"默认 {param.default}")
    if param.show_envvar and param.envvar:
        notes.append(f"环境变量 {param.envvar}")
    text = param.help or ""
    if notes:
        text = text.rstrip("。") + ("；" if text else "") + "；".join(notes) + "。"
    return names, text


def usage(command: click.Command, ctx: click.Context) -> str:
    pieces = [ctx.command_path]
    if any(isinstance(p, click.Option) for p in command.get_params(ctx)):
        pieces.append("[选项]")
    pieces += [p.make_metavar(ctx) for p in command.params if isinstance(p, click.Argument)]
    if isinstance(command, click.Group):
        pieces.append("命令 …")
    return " ".join(pieces)


def section(path: str, command: click.Command, ctx: click.Context) -> str:
    lines = [f"### {path}", "", "```", usage(command, ctx), "```", ""]
    summary = (command.help or "").strip()
    for paragraph in summary.split("\n\n") if summary else ():
        lines += [_join(paragraph), ""]
    if isinstance(command, click.Group):
        lines += ["| 命令 | 说明 |", "|---|---|"]
        for sub_name in sorted(command.commands):
            sub = command.commands[sub_name]
            lines.append(f"| `{path} {sub_name}` | {_cell(sub.get_short_help_str(limit=200))} |")
        lines.append("")
    help_names = set(ctx.help_option_names)
    options = [
        _option(p, ctx)
        for p in command.get_params(ctx)
        if isinstance(p, click.Option) and not help_names & set(p.opts)  # every command has -h, --help
    ]
    if options:
        lines += ["| 选项 | 说明 |", "|---|---|"]
        lines += [f"| `{_cell(names)}` | {_cell(text)} |" for names, text in options]
        lines.append("")
    return "\n".join(lines)


def reference() -> str:
    from seccheck.cli.main import main

    parts = [
        BEGIN,
        "",
        "## 命令参考",
        "",
        "以下由 `scripts/cli_docs.py` 从各命令的 `--help` 生成（测试检查它与程序一致；改动命令或选项后运行该脚本）。",
        "每个命令都有 `-h, --help`：显示该命令的帮助。",
        "",
    ]
    parts += [section(path, command, ctx) for path, command, ctx in walk(main)]
    parts.append(END)
    return "\n".join(parts) + "\n"


def splice(doc: str, ref: str) -> str:
    """The document with its reference section replaced (appended when there is none yet)."""
    if BEGIN in doc:
        head, rest = doc.split(BEGIN, 1)
        tail = rest.split(END, 1)[1] if END in rest else ""
        return head + ref.rstrip("\n") + tail if tail.strip() else head + ref
    return doc.rstrip("\n") + "\n\n" + ref


def prose(doc: str) -> str:
    """docs/cli.md without its generated reference."""
    return doc.split(BEGIN, 1)[0] + (doc.split(END, 1)[1] if END in doc else "")


CODE_SPAN = re.compile(r"`([^`\n]+)`")
MENTION = re.compile(r"\bseccheck((?:\s+[a-z][a-z-]*)*)")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")


def _resolve(root: click.Command, words: list[str]) -> tuple[click.Command, str | None]:
    """The command `seccheck WORDS…` names, and the first word that names no command (or None)."""
    command = root
    for word in words:
        if not isinstance(command, click.Group):
            break
        if word not in command.commands:
            default = getattr(command, "default_command", None)  # `seccheck form RULESET` is `form issue`
            if default is not None:
                return command.commands[default], None
            return command, word
        command = command.commands[word]
    return command, None


def _options(command: click.Command) -> set[str]:
    found = {o for p in command.params if isinstance(p, click.Option) for o in (*p.opts, *p.secondary_opts)}
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            found |= _options(sub)
    return found


def stale_mentions(doc: str, root: click.Command) -> list[str]:
    """Commands and options the prose of docs/cli.md names that the program does not have.

    In a code span or code line that names a command (`seccheck unit add NAME [--code 代码]`), each
    option must be one of that command (or its subcommands) or a global one; an option named on its
    own (`--no-notice`) must be an option of some command.
    """
    problems = []
    every = _options(root) | {"--help"}
    glob = {o for p in root.params if isinstance(p, click.Option) for o in p.opts} | {"--help", "-h"}
    fenced = False
    for number, line in enumerate(prose(doc).splitlines(), 1):
        if line.startswith("```"):
            fenced = not fenced
            continue
        for span in [line] if fenced else CODE_SPAN.findall(line):
            known, where = every, "任何命令"
            for mention in MENTION.finditer(span):
                command, unknown = _resolve(root, mention.group(1).split())
                if unknown is not None:
                    problems.append(f"第 {number} 行：没有命令 `seccheck{mention.group(1)}`（{unknown} 不是命令）")
                elif known is every:
                    known, where = _options(command) | glob, f"`seccheck{mention.group(1)}`"
            problems += [f"第 {number} 行：{where}没有选项 {o}" for o in OPTION.findall(span) if o not in known]
    return problems


def main(argv: list[str]) -> int:
    doc = DOC.read_text(encoding="utf-8")
    new = splice(doc, reference())
    if "--check" in argv:
        from seccheck.cli.main import main as root

        problems = stale_mentions(doc, root)
        if new != doc:
            problems.append(f"{DOC} 的命令参考不是最新的：运行 python scripts/cli_docs.py")
        print("\n".join(problems), file=sys.stderr, end="\n" if problems else "")
        return 1 if problems else 0
    if new != doc:
        DOC.write_text(new, encoding="utf-8")
        print(f"已更新 {DOC}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
