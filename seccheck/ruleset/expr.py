"""`applies_if` expressions: a tiny whitelisted language, parsed here and never `eval`ed.

Grammar (spec §1, Applicability)::

    expr       := or
    or         := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := atom (("==" | "!=" | "<" | "<=" | ">" | ">=") atom)?
    atom       := NAME | "true" | "false" | NUMBER | STRING | "(" expr ")"

A NAME is an id of a profile question or check. Ids made only of digits read as numbers, so such
checks cannot be named; ids such as ``1a`` (digits then letters) are names.

Evaluation is two-valued: a name that is unanswered or inapplicable is *absent*; an absent name
is false on its own and makes any comparison it takes part in false.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

MAX_EXPR_LENGTH = 500
MAX_DEPTH = 32

Value = bool | Decimal | int | str


class ExprError(ValueError):
    """A syntax error; the message is Chinese and says what is allowed."""


# --- the tree ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    id: str


@dataclass(frozen=True)
class Const:
    value: Value


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Compare:
    op: str
    left: Node
    right: Node


Node = Name | Const | Not | BoolOp | Compare

# --- tokens -----------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<name>\d+[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<string>"[^"\\\n]*"|'[^'\\\n]*')
  | (?P<op>==|!=|<=|>=|<|>)
  | (?P<lpar>\()
  | (?P<rpar>\))
    """,
    re.VERBOSE,
)

_HINTS = {
    ".": "不支持属性访问（'.'）",
    "[": "不支持下标或列表（'['）",
    "]": "不支持下标或列表（']'）",
    "{": "不支持字典或集合（'{'）",
    ",": "不支持逗号（函数调用、元组）",
    ":": "不支持冒号（lambda、切片）",
    "=": "比较相等请用 '=='",
    "+": "不支持算术运算",
    "*": "不支持算术运算",
    "/": "不支持算术运算",
    "%": "不支持算术运算",
    "&": "请用 and",
    "|": "请用 or",
    "!": "取反请用 not",
    "\\": "不支持反斜杠转义",
}

_ALLOWED = "允许：名称、true/false、数字、带引号的字符串、not/and/or、比较运算符和括号"


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


def _tokenize(src: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        if m is None:
            # Reported by the parser when it gets there, so that earlier, clearer errors win.
            toks.append(_Tok("bad", src[pos], pos))
            break
        kind = m.lastgroup or ""
        if kind != "ws":
            toks.append(_Tok(kind, m.group(), pos))
        pos = m.end()
    toks.append(_Tok("end", "", len(src)))
    return toks


_KEYWORDS = {"and", "or", "not", "true", "false"}


class _Parser:
    def __init__(self, src: str) -> None:
        self.toks = _tokenize(src)
        self.i = 0
        self.depth = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def is_word(self, word: str) -> bool:
        tok = self.peek()
        return tok.kind == "name" and tok.text == word

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f"嵌套过深（超过 {MAX_DEPTH} 层）")

    def parse(self) -> Node:
        node = self.parse_or()
        tok = self.peek()
        if tok.kind != "end":
            raise ExprError(self.unexpected(tok))
        return node

    def parse_or(self) -> Node:
        self.enter()
        operands = [self.parse_and()]
        while self.is_word("or"):
            self.take()
            operands.append(self.parse_and())
        self.depth -= 1
        return operands[0] if len(operands) == 1 else BoolOp("or", tuple(operands))

    def parse_and(self) -> Node:
        operands = [self.parse_not()]
        while self.is_word("and"):
            self.take()
            operands.append(self.parse_not())
        return operands[0] if len(operands) == 1 else BoolOp("and", tuple(operands))

    def parse_not(self) -> Node:
        if self.is_word("not"):
            self.take()
            self.enter()
            operand = self.parse_not()
            self.depth -= 1
            return Not(operand)
        return self.parse_comparison()

    def parse_comparison(self) -> Node:
        left = self.parse_atom()
        if self.peek().kind == "op":
            op = self.take().text
            right = self.parse_atom()
            if self.peek().kind == "op":
                raise ExprError(f"第 {self.peek().pos + 1} 个字符处：不支持连续比较，请用 and 连接")
            return Compare(op, left, right)
        return left

    def parse_atom(self) -> Node:
        tok = self.take()
        if tok.kind == "lpar":
            node = self.parse_or()
            close = self.take()
            if close.kind == "end":
                raise ExprError(f"第 {close.pos + 1} 个字符处：缺少右括号 ')'")
            if close.kind != "rpar":
                raise ExprError(self.unexpected(close))
            return node
        if tok.kind == "number":
            return Const(Decimal(tok.text))
        if tok.kind == "string":
            return Const(tok.text[1:-1])
        if tok.kind == "name":
            if tok.text == "true":
                return Const(True)
            if tok.text == "false":
                return Const(False)
            if tok.text in _KEYWORDS:
                raise ExprError(f"第 {tok.pos + 1} 个字符处：'{tok.text}' 前缺少操作数")
            nxt = self.peek()
            if nxt.kind == "lpar":
                raise ExprError(f"第 {nxt.pos + 1} 个字符处：不支持函数调用（'{tok.text}(...)'）")
            if keyword.iskeyword(tok.text) or tok.text.startswith("__"):
                raise ExprError(self.unexpected(tok))
            return Name(tok.text)
        raise ExprError(self.unexpected(tok))

    @staticmethod
    def unexpected(tok: _Tok) -> str:
        where = f"第 {tok.pos + 1} 个字符处"
        if tok.kind == "end":
            return "表达式不完整"
        if tok.kind == "bad":
            return f"{where}：{_HINTS.get(tok.text, f'不允许的字符 {tok.text!r}')}。{_ALLOWED}"
        if tok.kind == "name" and (keyword.iskeyword(tok.text) or tok.text.startswith("__")):
            return f"{where}：'{tok.text}' 不是允许的关键字或名称。{_ALLOWED}"
        return f"{where}：意外的 '{tok.text}'。{_ALLOWED}"


def parse(src: str) -> Node:
    """Parse an expression or raise ExprError with a message for the ruleset author."""
    if len(src) > MAX_EXPR_LENGTH:
        raise ExprError(f"表达式过长（{len(src)} 个字符，上限 {MAX_EXPR_LENGTH}）")
    if not src.strip():
        raise ExprError("表达式为空")
    return _Parser(src).parse()


def names(node: Node) -> list[str]:
    """Every name in the expression, in order of appearance."""
    match node:
        case Name(id=name):
            return [name]
        case Const():
            return []
        case Not(operand=operand):
            return names(operand)
        case BoolOp(operands=operands):
            return [n for o in operands for n in names(o)]
        case Compare(left=left, right=right):
            return names(left) + names(right)
    raise AssertionError(node)  # pragma: no cover


# --- static type check ------------------------------------------------------------------------


@dataclass(frozen=True)
class NameType:
    """What a name holds: the answer kind of its question, and the options of a choice."""

    kind: str
    options: tuple[str, ...] = ()


def type_errors(node: Node, types: Mapping[str, NameType]) -> list[str]:
    """Comparisons that can never be true because the two sides hold different kinds of value."""
    errors: list[str] = []

    def visit(n: Node) -> None:
        match n:
            case Not(operand=operand):
                visit(operand)
            case BoolOp(operands=operands):
                for o in operands:
                    visit(o)
            case Compare(op=op, left=left, right=right):
                for name_side, other in ((left, right), (right, left)):
                    if isinstance(name_side, Name) and isinstance(other, Const):
                        check_const(name_side.id, op, other.value)

    def check_const(name: str, op: str, value: Value) -> None:
        t = types.get(name)
        if t is None:
            return
        ordered = op in ("<", "<=", ">", ">=")
        if t.kind == "yesno" and (not isinstance(value, bool) or ordered):
            errors.append(f"{name} 是是否题，只能与 true/false 比较（== 或 !=）")
        elif t.kind in ("count", "number") and (isinstance(value, bool) or not isinstance(value, Decimal)):
            errors.append(f"{name} 的答案是数字，不能与 {_show(value)} 比较")
        elif t.kind == "choice":
            if ordered or not isinstance(value, str):
                errors.append(f"{name} 是选择题，只能用 == 或 != 与选项值（带引号）比较")
            elif t.options and value not in t.options:
                errors.append(f"{name} 没有选项 {value!r}；可选：{', '.join(t.options)}")
        elif t.kind in ("text", "date") and (ordered or not isinstance(value, str)):
            errors.append(f"{name} 的答案是文本，只能用 == 或 != 与带引号的字符串比较")

    visit(node)
    return errors


def _show(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    return str(value)


# --- evaluation -------------------------------------------------------------------------------

Predicate = Callable[[Mapping[str, object]], bool]
_ABSENT = object()
_Getter = Callable[[Mapping[str, object]], object]


def compile_expr(node: Node) -> Predicate:
    """Turn the tree into a closure once, so scoring does no parsing or tree walking by name."""
    match node:
        case Name(id=name):
            return lambda values: _truthy(values.get(name, _ABSENT))
        case Const(value=value):
            return lambda values: _truthy(value)
        case Not(operand=operand):
            inner = compile_expr(operand)
            return lambda values: not inner(values)
        case BoolOp(op="and", operands=operands):
            parts = [compile_expr(o) for o in operands]
            return lambda values: all(p(values) for p in parts)
        case BoolOp(operands=operands):
            parts = [compile_expr(o) for o in operands]
            return lambda values: any(p(values) for p in parts)
        case Compare(op=op, left=left, right=right):
            get_left, get_right = _getter(left), _getter(right)
            return lambda values: _compare(op, get_left(values), get_right(values))
    raise AssertionError(node)  # pragma: no cover


def _getter(node: Node) -> _Getter:
    if isinstance(node, Name):
        name = node.id
        return lambda values: values.get(name, _ABSENT)
    if isinstance(node, Const):
        value = node.value
        return lambda values: value
    predicate = compile_expr(node)
    return predicate


def _truthy(value: object) -> bool:
    if value is _ABSENT or value is None:
        return False
    return bool(value)


def _compare(op: str, a: object, b: object) -> bool:
    if a is _ABSENT or b is _ABSENT or a is None or b is None:
        return False
    # bool is an int in Python; here true is never equal to 1.
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    numeric = (int, Decimal)
    if not (isinstance(a, numeric) and isinstance(b, numeric)) and type(a) is not type(b):
        return False
    try:
        if op == "==":
            return bool(a == b)
        if op == "!=":
            return bool(a != b)
        if op == "<":
            return bool(a < b)  # type: ignore[operator]
        if op == "<=":
            return bool(a <= b)  # type: ignore[operator]
        if op == ">":
            return bool(a > b)  # type: ignore[operator]
        if op == ">=":
            return bool(a >= b)  # type: ignore[operator]
    except TypeError:
        return False
    raise AssertionError(op)  # pragma: no cover
