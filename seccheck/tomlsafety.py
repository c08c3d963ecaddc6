"""Hostile TOML files: nesting too deep for the parser, and the parser's syntax errors in Chinese.

The standard parser (tomllib) recurses once per nested array, inline table and dotted key part:
a few thousand levels end in RecursionError. `nesting_problem` scans the text first (strings and
comments skipped) and refuses more than MAX_NESTING levels at the line where they begin.
"""

from __future__ import annotations

import re

from seccheck.errors import Problem, shortened

MAX_NESTING = 32  # arrays, inline tables and dotted key parts inside one another; rulesets use 5 or so

_TOKEN = re.compile(
    r'"""[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*"""'  # multi-line basic string
    r"|'''[\s\S]*?'''"  # multi-line literal string
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'  # basic string (the loop unrolled: fast on long strings)
    r"|'[^'\n]*'"  # literal string
    r"|#[^\n]*"  # comment
    r"|[\[\]{}=,.\n]"
)


def nesting_problem(text: str, name: str) -> Problem | None:
    """A Problem when arrays, inline tables and dotted keys nest deeper than MAX_NESTING, at the line
    where they first do; None for any ordinary file (syntax errors are left to the parser)."""
    line = 1
    opened: list[str] = []  # brackets open here: "[" an array or a table header, "{" an inline table
    key_parts = 0  # the dots of the key being read
    in_key = True  # at a line's start, in a table header, after "{" or "," in an inline table
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
            if not opened:
                in_key, key_parts = True, 0
            continue
        if token[0] in "\"'#":
            line += token.count("\n")
            continue
        if token in "[{":
            if token == "{":
                in_key, key_parts = True, 0
            elif not (in_key and not opened):  # "[" at a line's start opens a header: its dots are keys
                in_key = False
            opened.append(token)
        elif token in "]}":
            if opened:
                opened.pop()
        elif token == "=":
            in_key = False
        elif token == ",":
            in_key = bool(opened) and opened[-1] == "{"
            if in_key:
                key_parts = 0
        elif token == "." and in_key:
            key_parts += 1
        if len(opened) + key_parts > MAX_NESTING:
            return Problem(
                f"嵌套过深：数组、内联表和点分键（a.b.c）相互嵌套最多 {MAX_NESTING} 层；"
                "规则集和答案文件用不到这么多层，请确认选对了文件",
                file=name,
                line=line,
            )
    return None


# The parser's messages, in Chinese; {0} is the key or character a message names.
_SYNTAX = [
    (r"Cannot overwrite a value", "重复赋值：这个键前面已经有值"),
    (r"Cannot mutate immutable namespace (.*)", "不能再向已写完的内联表或数组 {0} 添加内容"),
    (r"Unescaped '\\' in a string", "字符串中有未转义的反斜杠：写成两个反斜杠，或改用单引号字符串（Windows 路径常见）"),
    (r"Illegal character (.*)", "字符串中有不允许的字符 {0}"),
    (r"Found invalid character (.*)", "不允许的字符 {0}"),
    (r"Duplicate inline table key (.*)", "内联表中的键 {0} 重复"),
    (r"Cannot redefine namespace (.*)", "表 {0} 已经定义过，不能再定义"),
    (r"Cannot declare (.*) twice", "表 {0} 声明了两次"),
    (r"Unterminated string", "字符串缺少结尾的引号"),
    (r"Unclosed inline table", "内联表缺少结尾的 }}（内联表须写在一行内）"),
    (r"Unclosed array", "数组缺少结尾的 ]"),
    (r"Invalid value", '值无法识别：文字须加引号（如 "文字"），是/否写 true 或 false，日期如 2026-11-20'),
    (r"Invalid statement", "无法识别的一行：应为 键 = 值、[表名] 或 [[表名]]"),
    (r"Invalid initial character for a key part", "键名的开头字符无效：键名只能用字母、数字、_ 和 -，其他写法须加引号"),
    (r"Invalid hex value", "反斜杠 u 或 U 后的十六进制数无效"),
    (r"Invalid date or datetime", "日期或时间无效（应如 2026-11-20）"),
    (r"Expected ']]' at the end of an array declaration", "[[表名]] 缺少结尾的 ]]"),
    (r"Expected ']' at the end of a table declaration", "[表名] 缺少结尾的 ]"),
    (r"Expected '=' after a key in a key/value pair", "键后面应为 =（键 = 值）"),
    (r"Escaped character is not a Unicode scalar value", "转义写出的字符不是有效的 Unicode 字符"),
    (r"Expected newline or end of document after a statement", "一行只能写一个 键 = 值 或一个 [表名]：此处之后应换行"),
    (r"Expected ('[^A-Za-z]*')", "此处应为 {0}"),
]
_WHERE = re.compile(r"\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


def syntax_problem(message: str, text: str, name: str) -> Problem:
    """The parser's error message as a Problem in Chinese, with its line and column."""
    where = _WHERE.search(message)
    detail = message[: where.start()].strip() if where else message.strip()
    if where and where.group(1):
        line, column = int(where.group(1)), int(where.group(2))
    else:  # at the end of the document
        body = text.rstrip("\n")
        line = body.count("\n") + 1
        column = len(body) - body.rfind("\n")
    words = "语法错误"
    for pattern, chinese in _SYNTAX:
        m = re.fullmatch(pattern, detail, re.DOTALL)
        if m:
            words = chinese.format(*(_named(g) for g in m.groups()))
            break
    return Problem(f"TOML 语法错误（第 {line} 行第 {column} 列）：{words}", file=name, line=line)


def _named(part: str) -> str:
    """A key or character the parser names, as the reader wrote it."""
    part = part.strip()
    if re.fullmatch(r"'.'|\".\"", part, re.DOTALL):
        ch = part[1]
        return f"“{ch}”（U+{ord(ch):04X}）" if ch.isprintable() else f"U+{ord(ch):04X}"
    if part.startswith("(") and part.endswith(")"):  # a dotted key, as the tuple of its parts
        part = ".".join(re.findall(r"'((?:[^'\\]|\\.)*)'", part)) or part
    return shortened(part.strip("'\""))


def long_number_line(text: str) -> int | None:
    """The line of an integer too long for Python to read (more than 4,300 digits)."""
    m = re.search(r"[0-9_]{4300,}", text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def huge_exponent_line(text: str) -> int | None:
    """The line of a number whose exponent no decimal can hold (e.g. 1e99999999999999999999)."""
    m = re.search(r"[0-9_.][eE][+-]?[0-9_]{7,}", text)
    return text.count("\n", 0, m.start()) + 1 if m else None
