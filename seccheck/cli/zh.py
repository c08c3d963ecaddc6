"""click's own words in Chinese, through click's gettext hook.

click marks every message it prints with `gettext` (`_`) and `ngettext`, imported into each of its
modules. `install()` points those names at this catalog, so usage lines, help headings and error
messages ("Usage", "Options", "No such option", "Missing argument", "Error: …") come out in Chinese
whichever command prints them. A message missing here falls back to click's English, never fails.
"""

from __future__ import annotations

import importlib

import click

MESSAGES = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "位置参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "argument": "参数",
    "option": "选项",
    "parameter": "参数",
    "Invalid value: {message}": "取值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值无效：{message}",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带取值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项的起始字符无效（{option}）",
    "Aborted!": "已中止。",
    "Error: invalid input": "错误：输入无效",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Repeat for confirmation": "请再输入一次确认",
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "直接确认，不再询问。",
    "Press any key to continue...": "按任意键继续……",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "required": "必需",
    "deprecated": "已弃用",
    "(dynamic)": "（动态）",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "Value must be an iterable.": "取值应为一组值。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件（应为目录）。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是目录（应为文件）。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不可执行。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "integer": "整数",
    "float": "数字",
    "boolean": "布尔值",
    "{value!r} is not a valid boolean.": "{value!r} 不是有效的布尔值（应为 是/否、true/false）。",
    "unknown error": "未知错误",
}

PLURALS = {
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要取值。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}。",
    "{len_type} values are required, but {len_value} was given.": "需要 {len_type} 个值，只给了 {len_value} 个。",
    "Did you mean {possibility}?": "是否要用 {possibility}？",
}
PLURALS_MANY = {
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个取值。",
    "{value!r} is not one of {choices}.": "{value!r} 不是以下之一：{choices}。",
    "{value!r} does not match the formats {formats}.": "{value!r} 不符合以下任一格式：{formats}。",
    "{len_type} values are required, but {len_value} were given.": "需要 {len_type} 个值，给了 {len_value} 个。",
    "(Did you mean one of: {possibilities}?)": "（是否要用以下之一：{possibilities}？）",
}

CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.types",
    "click.termui",
    "click.utils",
)


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if n == 1:
        return PLURALS.get(singular, singular)
    return PLURALS_MANY.get(plural, plural)


# The metavariables click puts in usage lines.
METAVARS = {"[OPTIONS]": "[选项]", "COMMAND [ARGS]...": "命令 [参数]..."}


class HelpFormatter(click.HelpFormatter):
    """Chinese headings (选项：) and usage metavariables ([选项], 命令 [参数]...)."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, chinese in METAVARS.items():
            args = args.replace(english, chinese)
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")


def term_len(text: str) -> int:
    """Columns a string takes on a terminal: Chinese characters take two (click counts one)."""
    import unicodedata

    from click._compat import strip_ansi

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in strip_ansi(text))


def install() -> None:
    """Point click's `_` and `ngettext` at the catalog (idempotent; click is already imported)."""
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    click.Context.formatter_class = HelpFormatter
    formatting = importlib.import_module("click.formatting")
    formatting.term_len = term_len  # type: ignore[attr-defined]
