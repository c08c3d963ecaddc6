"""Reading TOML input files (rulesets, answers) safely and turning pydantic errors into Problems."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from seccheck import limits
from seccheck.errors import MAX_INPUT_BYTES, BadInput, Problem, shortened
from seccheck.tomlsafety import MAX_NESTING, huge_exponent_line, long_number_line, nesting_problem, syntax_problem


def read_toml(path: Path | str) -> tuple[dict[str, Any], str]:
    """The parsed table and the text of a TOML file; floats are read as exact Decimals."""
    name = str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_INPUT_BYTES:
            raise BadInput(
                [
                    Problem(
                        f"文件过大（{size / 1024 / 1024:.1f} MB），上限 {MAX_INPUT_BYTES // 1024 // 1024} MB；"
                        "请确认选对了文件",
                        file=name,
                    )
                ]
            )
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise BadInput([Problem("文件不存在", file=name)]) from None
    except IsADirectoryError:
        raise BadInput([Problem("这是目录，应为 TOML 文件", file=name)]) from None
    except OSError as exc:
        raise BadInput([Problem(f"无法读取：{exc.strerror}", file=name)]) from None
    return parse_toml_bytes(raw, name)


def parse_toml_bytes(raw: bytes, name: str) -> tuple[dict[str, Any], str]:
    if len(raw) > MAX_INPUT_BYTES:
        raise BadInput([Problem(f"文件过大，上限 {MAX_INPUT_BYTES // 1024 // 1024} MB", file=name)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BadInput(
            [
                Problem(
                    f"不是 UTF-8 编码（第 {exc.start + 1} 字节 0x{raw[exc.start]:02x}）；"
                    "请用 UTF-8 保存（GBK 等编码的文件可用 iconv -f GBK -t UTF-8 转换）",
                    file=name,
                    line=line,
                )
            ]
        ) from None
    text = text.removeprefix("\ufeff")  # Windows editors like to add a BOM
    if not text.strip():
        raise BadInput([Problem("文件为空", file=name, line=1)])
    deep = nesting_problem(text, name)
    if deep is not None:
        raise BadInput([deep])
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput([syntax_problem(str(exc), text, name)]) from None
    except ValueError:  # an integer of more than 4,300 digits (Python's own limit)
        problem = "数字位数过多：整数最多 4300 位，本程序接受的数值远小于此"
        raise BadInput([Problem(problem, file=name, line=long_number_line(text))]) from None
    except ArithmeticError:  # decimal.InvalidOperation: an exponent no decimal can hold
        problem = "数值超出范围：指数过大；请写出实际的数值"
        raise BadInput([Problem(problem, file=name, line=huge_exponent_line(text))]) from None
    except RecursionError:  # pragma: no cover - nesting_problem refuses such files first
        raise BadInput([Problem(f"嵌套过深：最多 {MAX_NESTING} 层", file=name)]) from None
    return data, text


class LineIndex:
    """Finds the line of an id or top-level key in a TOML text, for pointing at a problem."""

    _ID = re.compile(r"""^\s*id\s*=\s*(?:"([^"]*)"|'([^']*)')""")
    _KEY = re.compile(r"""^\s*("?)([A-Za-z0-9_.-]+)\1\s*=""")
    _STAT = re.compile(r"""^\s*key\s*=\s*(?:"([^"]*)"|'([^']*)')""")

    def __init__(self, text: str) -> None:
        # Indexed when first asked: most files are read without a problem to point at.
        self._text: str | None = text
        self._ids: dict[str, list[int]] = {}
        self._keys: dict[str, list[int]] = {}
        self._stats: dict[str, list[int]] = {}

    @property
    def ids(self) -> dict[str, list[int]]:
        self._index()
        return self._ids

    @property
    def keys(self) -> dict[str, list[int]]:
        self._index()
        return self._keys

    @property
    def stats(self) -> dict[str, list[int]]:
        self._index()
        return self._stats

    def _index(self) -> None:
        text, self._text = self._text, None
        if text is None:
            return
        for n, line in enumerate(text.splitlines(), start=1):
            s = self._STAT.match(line)
            if s:
                self._stats.setdefault(s.group(1) if s.group(1) is not None else s.group(2), []).append(n)
            m = self._ID.match(line)
            if m:
                self._ids.setdefault(m.group(1) if m.group(1) is not None else m.group(2), []).append(n)
            k = self._KEY.match(line)
            if k:
                self._keys.setdefault(k.group(2), []).append(n)

    def of_id(self, ident: str | None, occurrence: int = 0) -> int | None:
        lines = self.ids.get(ident or "", [])
        return lines[min(occurrence, len(lines) - 1)] if lines else None

    def of_stat(self, key: str, occurrence: int = 0) -> int | None:
        """The line of `key = "…"` in a [[stat]] table."""
        lines = self.stats.get(key, [])
        return lines[min(occurrence, len(lines) - 1)] if lines else None

    def of_key(self, key: str) -> int | None:
        lines = self.keys.get(key, [])
        return lines[0] if lines else None


_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（拼写错误？允许的字段见 docs/ruleset-format.md）",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "string_type": "应为字符串（带引号）",
    "list_type": "应为列表 [...]",
    "tuple_type": "应为列表 [...]",
    "dict_type": "应为表（[...] 或 {...}）",
    "model_type": "应为表（[...] 或 {...}）",
    "date_type": "应为日期，如 2026-11-20",
    "date_parsing": "应为日期，如 2026-11-20",
    "date_from_datetime_inexact": "应为日期（不带时间），如 2026-11-20",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "string_too_short": "不能为空",
    "string_too_long": "过长：上限 {max_length} 字",
    "too_long": "过多：最多 {max_length} 项",
    "too_short": "至少需要 {min_length} 项",
    "greater_than_equal": "应不小于 {ge}",
    "less_than_equal": "应不大于 {le}",
    "greater_than": "应大于 {gt}",
    "string_pattern_mismatch": "格式不符（应匹配 {pattern}）",
    "literal_error": "应为以下之一：{expected}",
}


def _translate(err: Any) -> str:
    etype = err.get("type", "")
    if etype in ("value_error", "assertion_error"):
        msg = str(err.get("msg", ""))
        return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    given = err.get("input")
    if etype == "string_pattern_mismatch" and isinstance(given, str) and (invisible := limits.name_problem(given)):
        return invisible  # an id with a character the author cannot see: say which (U+XXXX)
    template = _MESSAGES.get(etype)
    if template is None and etype.startswith("date"):
        template = _MESSAGES["date_type"]
    ctx = err.get("ctx") or {}
    if template is None:
        return "格式不符"
    try:
        text = template.format(**{k: str(v).replace(" or ", "、") for k, v in ctx.items()})
    except (KeyError, IndexError):
        text = template
    given = err.get("input")
    if etype == "string_too_long" and isinstance(given, str):
        return text + f"（实际 {len(given)} 字）"
    if etype in ("missing", "extra_forbidden", "too_long"):
        return text
    if isinstance(given, str | int | float | bool | Decimal):
        shown = shortened(str(given))
        text += f"（实际：{shown!r}）" if isinstance(given, str) else f"（实际：{shown}）"
    return text


def problems_from_validation(
    exc: ValidationError,
    data: dict[str, Any],
    name: str,
    lines: LineIndex,
    field_names: Sequence[str] = ("item", "check", "profile", "category"),
) -> list[Problem]:
    """One Problem per pydantic error, naming the id of the nearest enclosing table."""
    problems: list[Problem] = []
    seen: set[tuple[str | None, str | None, str]] = set()
    # The file's own id (a ruleset's) names what is wrong at its top level.
    top = data.get("id") if isinstance(data.get("id"), str) and data.get("id") else None
    for err in exc.errors():
        loc = list(err.get("loc", ()))
        node: Any = data
        ident: str | None = top
        path: list[str] = []
        for part in loc:
            if isinstance(node, dict) and isinstance(part, str) and part in node:
                node = node[part]
                path.append(part)
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
                if path:
                    path[-1] += f"[{part}]"
            elif isinstance(part, str):
                path.append(part)
                node = None
            if node is not data and isinstance(node, dict) and isinstance(node.get("id"), str):
                ident = node["id"]
                path = []
        # What is left of the path is below the nearest table with an id. The key itself is always
        # named (an item's `category` too); a table without an id keeps its position ("check[1].id");
        # a table the file does not have (a shorthand item's check) is left out.
        last = len(path) - 1
        field = ".".join(p for n, p in enumerate(path) if n == last or "[" in p or p not in field_names) or None
        message = _translate(err)
        key = (ident, field, message)
        if key in seen:
            continue
        seen.add(key)
        inner = ident and ident != top
        line = lines.of_id(ident) if inner else (lines.of_key(path[0].split("[")[0]) if path else None)
        problems.append(Problem(message, file=name, line=line, id=ident, field=field))
    return problems
