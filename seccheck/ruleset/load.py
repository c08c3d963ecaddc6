"""Loading and validating rulesets: TOML -> model -> whole-file checks, every problem at once."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from seccheck import limits
from seccheck.errors import BadInput, Problem
from seccheck.ruleset import expr
from seccheck.ruleset.model import PHRASE_NAMES, Ruleset, phrase_names
from seccheck.tomlfile import LineIndex, parse_toml_bytes, problems_from_validation, read_toml


@dataclass(frozen=True)
class LoadedRuleset:
    """A validated ruleset with where it came from; audits keep `text` and `sha256` frozen."""

    ruleset: Ruleset
    source: str
    text: str
    sha256: str
    builtin: bool = False
    warnings: tuple[Problem, ...] = ()


def load_ruleset(path: Path | str, *, builtin: bool = False) -> LoadedRuleset:
    data, text = read_toml(path)
    return _build(data, text, str(path), builtin=builtin)


def load_ruleset_text(text: str, name: str = "<ruleset>", *, frozen: bool = False) -> LoadedRuleset:
    """A ruleset from its text. `frozen`: a copy stored with audits, which may predate `[[stat]]`
    declarations: an undeclared stat key is then a warning, so that old audits stay readable."""
    data, text = parse_toml_bytes(text.encode("utf-8"), name)
    return _build(data, text, name, frozen=frozen)


def _build(data: dict[str, Any], text: str, name: str, *, builtin: bool = False, frozen: bool = False) -> LoadedRuleset:
    lines = LineIndex(text)
    controls = [] if frozen else list(_control_characters(data, name, lines))
    if controls:
        raise BadInput(controls)
    try:
        # A stored copy (`frozen`) was accepted when its audits were made: numeric bounds added since
        # do not apply to it, so that old audits stay readable (docs/limits.md).
        ruleset = Ruleset.model_validate(data, context={"frozen": frozen})
    except ValidationError as exc:
        problems = problems_from_validation(exc, data, name, lines)
        problems += _duplicate_ids_raw(data, name, lines)
        raise BadInput(problems) from None
    problems = check_ruleset(ruleset, name, lines, frozen=frozen)
    errors = [p for p in problems if not p.warning]
    if errors:
        raise BadInput(problems)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return LoadedRuleset(ruleset, name, text, digest, builtin, tuple(problems))


def _control_characters(
    node: Any, name: str, lines: LineIndex, path: str = "", ident: str | None = None
) -> Iterator[Problem]:
    """Texts with control characters other than tab and line breaks (written as escapes such as
    \\u0000 or \\u001b): the database cannot store NUL, and none of them may reach a terminal."""
    if isinstance(node, dict):
        own = node.get("id") if isinstance(node.get("id"), str) else None
        for key, value in node.items():
            inner = own or ident
            field = key if own else (f"{path}.{key}" if path else key)
            yield from _control_characters(value, name, lines, field, inner)
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _control_characters(value, name, lines, f"{path}[{n}]", ident)
    elif isinstance(node, str):
        # The one guard, with the ceiling of any ruleset text; each field's own limit is checked later.
        problem = limits.text_problem(node, limits.HELP, multiline=True)
        if problem:
            yield Problem(problem, file=name, line=lines.of_id(ident) if ident else None, id=ident, field=path)


def _duplicate_ids_raw(data: dict[str, Any], name: str, lines: LineIndex) -> list[Problem]:
    # When the structure is broken we cannot run every check, but duplicate ids are cheap to find.
    seen: dict[str, int] = {}
    problems: list[Problem] = []

    def tables(key: str, within: Any) -> Iterator[dict[str, Any]]:
        value = within.get(key) if isinstance(within, dict) else None
        if isinstance(value, list):
            yield from (v for v in value if isinstance(v, dict))

    ids: list[str] = []
    for p in tables("profile", data):
        ids.append(str(p.get("id")))
    for item in tables("item", data):
        ids.append(str(item.get("id")))
        ids.extend(str(c.get("id")) for c in tables("check", item) if c.get("id") != item.get("id"))
    for ident in ids:
        seen[ident] = seen.get(ident, 0) + 1
        if seen[ident] == 2:
            problems.append(
                Problem("id 重复；问题、检查项和检查的 id 必须唯一", file=name, line=lines.of_id(ident, 1), id=ident)
            )
    return problems


def check_ruleset(rs: Ruleset, name: str, lines: LineIndex | None = None, *, frozen: bool = False) -> list[Problem]:
    """Whole-file rules that a single table cannot check (spec §1)."""
    lines = lines or LineIndex("")
    problems: list[Problem] = []

    def add(
        message: str, ident: str | None = None, field: str | None = None, *, warning: bool = False, occurrence: int = 0
    ) -> None:
        problems.append(
            Problem(
                message,
                file=name,
                line=lines.of_id(ident, occurrence) if ident else None,
                id=ident,
                field=field,
                warning=warning,
            )
        )

    # Every check can become a problem of one notice: their number is what a notice must hold
    # (docs/limits.md). Stored copies were accepted when made and stay readable.
    if not frozen and len(rs.checks) > limits.CHECKS:
        add(
            f"检查过多：一个规则集最多 {limits.CHECKS} 个检查（实有 {len(rs.checks)} 个），"
            "以保证一份整改通知书能在合理的时间和内存内出具；请拆分为几个规则集"
        )
    # Unique ids across profile questions, items and checks (a shorthand item's check shares its id).
    seen: dict[str, str] = {}

    def claim(ident: str, what: str) -> None:
        if ident in seen:
            add(f"id 重复：已用于{seen[ident]}；问题、检查项和检查的 id 必须唯一", ident, "id", occurrence=1)
        else:
            seen[ident] = what

    for p in rs.profile:
        claim(p.id, "基本情况问题")
    for item in rs.item:
        claim(item.id, "检查项")
        for chk in item.check:
            if chk.id != item.id:
                claim(chk.id, f"检查项 {item.id} 的检查")

    cat_seen: set[str] = set()
    for cat in rs.category:
        if cat.id in cat_seen:
            add("类别 id 重复", cat.id, "id", occurrence=1)
        cat_seen.add(cat.id)

    # Items belong to a declared category; declared points add up.
    by_category: dict[str, list[Decimal]] = {c.id: [] for c in rs.category}
    known = "、".join(c.id for c in rs.category) or "（未定义任何 [[category]]）"
    for item in rs.item:
        if item.category not in by_category:
            add(f"类别 {item.category!r} 未定义；已定义的类别：{known}", item.id, "category")
        else:
            by_category[item.category].append(item.points)
    for cat in rs.category:
        total = sum(by_category[cat.id], Decimal(0))
        if cat.points is not None and cat.points != total:
            add(f"类别分值 {cat.points} 与其检查项分值之和 {total} 不相等", cat.id, "points")
        if not by_category[cat.id]:
            add("类别下没有检查项", cat.id, warning=True)
    if rs.scoring.total is not None and rs.scoring.total != rs.scored_points:
        problems.append(
            Problem(
                f"scoring.total = {rs.scoring.total}，但各检查项分值之和为 {rs.scored_points}",
                file=name,
                line=lines.of_key("total"),
                field="scoring.total",
            )
        )

    # What each check needs to be scored.
    deduction = rs.scoring.method == "deduction"
    for item in rs.item:
        if deduction and item.points > 0 and not any(c.scorable for c in item.check):
            add("有分值但没有可扣分的检查（文本、日期题只作记录）", item.id, "points")
        for chk in item.check:
            if chk.stat and chk.kind not in ("yesno", "count", "number"):
                add("stat 只能用于 yesno、count、number 题", chk.id, "stat")
            if not (deduction and item.scored):
                continue
            if chk.kind == "count" and chk.per is None:
                add("计分的计数题需要 per（每起扣分）", chk.id, "per")
            if item.aggravating and chk.kind in ("yesno", "number") and chk.deduct is None:
                add("加重扣分项没有分值，其检查需要 deduct", chk.id, "deduct")

    _check_conditions(rs, add)
    _check_plausibility(rs, add)
    _check_stats(rs, name, lines, problems, frozen=frozen)
    return problems


def _check_plausibility(rs: Ruleset, add: Any) -> None:
    """`[[plausibility]]`: `when` parses, names only known questions and checks, each comparison can be
    true; `checks` are known ids (a rule naming unknown ids is a load-time error)."""
    types: dict[str, expr.NameType] = {
        p.id: expr.NameType(p.kind, tuple(o.value for o in p.options)) for p in rs.profile
    }
    for item in rs.item:
        for chk in item.check:
            types[chk.id] = expr.NameType(chk.kind, tuple(o.value for o in chk.options))
    known = set(types) | {i.id for i in rs.item}
    for n, rule in enumerate(rs.plausibility, 1):
        ident = f"plausibility[{n}]"
        try:
            tree = expr.parse(rule.when)
        except expr.ExprError as exc:
            add(f"when 语法错误：{exc}", ident, "when")
            continue
        referenced = expr.names(tree)
        if not referenced:
            add("when 没有引用任何问题，结果恒定", ident, "when")
        for unknown in dict.fromkeys(r for r in referenced if r not in types):
            add(f"when 引用了未定义的名称 {unknown}；只能引用基本情况问题和检查的 id", ident, "when")
        for message in expr.type_errors(tree, types):
            add(f"when：{message}", ident, "when")
        for unknown in dict.fromkeys(c for c in rule.checks if c not in known):
            add(f"checks 中的 {unknown} 不是本规则集的问题或检查 id", ident, "checks")


def _check_stats(rs: Ruleset, name: str, lines: LineIndex, problems: list[Problem], *, frozen: bool) -> None:
    """`[[stat]]` declarations: each key once, every `stat` of a check declared, phrases name only
    {value}, {label}, {unit} and declared stat keys, `total` names another declared key."""

    def add(message: str, key: str, field: str, *, occurrence: int = 0, warning: bool = False) -> None:
        problems.append(
            Problem(message, file=name, line=lines.of_stat(key, occurrence), id=key, field=field, warning=warning)
        )

    declared: dict[str, int] = {}
    for decl in rs.stat:
        declared[decl.key] = declared.get(decl.key, 0) + 1
        if declared[decl.key] == 2:
            add("统计键重复：每个 [[stat]] 的 key 只能声明一次", decl.key, "key", occurrence=1)
    known = "、".join(declared) or "（未声明任何 [[stat]]）"
    used: set[str] = set()
    for item in rs.item:
        for chk in item.check:
            if chk.stat is None:
                continue
            used.add(chk.stat)
            if chk.stat not in declared:
                message = (
                    f"stat {chk.stat!r} 未在 [[stat]] 中声明（key、label、unit，可选 phrase）；已声明的统计键：{known}"
                )
                problems.append(
                    Problem(message, file=name, line=lines.of_id(chk.id), id=chk.id, field="stat", warning=frozen)
                )
    allowed = set(PHRASE_NAMES) | set(declared)
    for decl in rs.stat:
        if decl.key not in used:
            add("声明了统计项，但没有检查使用这个统计键（stat）", decl.key, "key", warning=True)
        if decl.total is not None and decl.total not in declared:
            add(f"total {decl.total!r} 不是已声明的统计键；已声明的：{known}", decl.key, "total")
        for field, template in (("phrase", decl.phrase), ("phrase_all", decl.phrase_all)):
            if template is None:
                continue
            try:
                names = phrase_names(template)
            except ValueError as exc:
                add(f"{field} 模板有误：{exc}", decl.key, field)
                continue
            for unknown in dict.fromkeys(n for n in names if n not in allowed):
                add(
                    f"{field} 中的 {{{unknown}}} 未定义；"
                    f"只能用 {{value}}、{{label}}、{{unit}} 和已声明的统计键（{known}）",
                    decl.key,
                    field,
                )


def _check_conditions(rs: Ruleset, add: Any) -> None:
    """Parse every applies_if; names must be known, answerable and asked earlier."""
    types: dict[str, expr.NameType] = {}
    for p in rs.profile:
        types[p.id] = expr.NameType(p.kind, tuple(o.value for o in p.options))
    later: dict[str, expr.NameType] = {}
    for item in rs.item:
        for chk in item.check:
            later[chk.id] = expr.NameType(chk.kind, tuple(o.value for o in chk.options))
    multi = {i.id for i in rs.item if not i.is_shorthand}
    available = dict(types)
    first_item_of: dict[str, bool] = {}

    def check(source: str | None, ident: str, where: str) -> None:
        if not source:
            return
        try:
            tree = expr.parse(source)
        except expr.ExprError as exc:
            add(f"applies_if 语法错误：{exc}", ident, "applies_if")
            return
        referenced = expr.names(tree)
        if not referenced:
            add("applies_if 没有引用任何问题，结果恒定；只含数字的 id 不能在表达式中引用", ident, "applies_if")
        for name in dict.fromkeys(referenced):
            if name in available:
                continue
            if name in later:
                add(
                    f"applies_if 引用了 {name}，但它在{where}之后才出现；只能引用基本情况问题和此前的检查",
                    ident,
                    "applies_if",
                )
            elif name in multi:
                add(f"applies_if 引用了检查项 {name}，它有多个检查，请引用其中一个检查的 id", ident, "applies_if")
            else:
                add(
                    f"applies_if 引用了未定义的名称 {name}；可引用基本情况问题（[[profile]]）和此前检查的 id",
                    ident,
                    "applies_if",
                )
        for message in expr.type_errors(tree, {**available, **later}):
            add(f"applies_if：{message}", ident, "applies_if")

    categories = rs.categories_by_id
    for item in rs.item:
        cat = categories.get(item.category)
        if cat is not None and cat.id not in first_item_of:
            first_item_of[cat.id] = True
            check(cat.applies_if, cat.id, "该类别的第一个检查项")
        check(item.applies_if, item.id, "本检查项")
        for chk in item.check:
            check(chk.applies_if, chk.id, "本检查")
            available[chk.id] = later.pop(chk.id, expr.NameType(chk.kind))


# --- finding rulesets -------------------------------------------------------------------------


def builtin_dir() -> Path:
    """Where the built-in rulesets are: inside the installed package (the wheel maps the
    repository's top-level rulesets/ to seccheck/rulesets), or at the top of a source checkout."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "rulesets"
    return installed if installed.is_dir() else package.parent / "rulesets"


def builtin_paths() -> list[Path]:
    return sorted(builtin_dir().glob("*.toml"))


def builtin_rulesets() -> list[LoadedRuleset]:
    return [load_ruleset(p, builtin=True) for p in builtin_paths()]


def resolve_ruleset(ref: str, extra: Iterable[Path] = ()) -> LoadedRuleset:
    """A ruleset by file path, or by id among the given files and the built-in ones."""
    path = Path(ref)
    if path.suffix == ".toml" or path.exists():
        return load_ruleset(path)
    for candidate in extra:
        loaded = load_ruleset(candidate)
        if loaded.ruleset.id == ref:
            return loaded
    for candidate in builtin_paths():
        if candidate.stem.casefold() == ref.casefold():  # typed by a person: any case
            return load_ruleset(candidate, builtin=True)
    raise BadInput([Problem(unknown_ruleset_words(ref), field="ruleset")])


def unknown_ruleset_words(ref: str) -> str:
    """A ruleset that is not there: the near ones first, each with its title, then where to look."""
    import difflib

    titles = {}
    for candidate in builtin_paths():
        titles[candidate.stem] = load_ruleset(candidate, builtin=True).ruleset.title
    keys = {**{k.casefold(): k for k in titles}, **{t: k for k, t in titles.items()}}
    near = [keys[m] for m in difflib.get_close_matches(ref.casefold(), list(keys), n=3, cutoff=0.5)]
    near = list(dict.fromkeys(near))
    shown = near or list(titles)
    listed = "、".join(f"{k}（{titles[k]}）" for k in shown)
    lead = "相近的规则集" if near else "内置规则集"
    step = "也可给出规则集文件（.toml）的路径（seccheck ruleset list 列出全部）"
    return f"找不到规则集 {ref!r}。{lead}：{listed}；{step}"
