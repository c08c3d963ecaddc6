"""docs/cli.md against the command tree: the generated reference is current and lists every command
and option; the Chinese prose names no command or option the program does not have."""

from __future__ import annotations

import importlib.util
import re
import sys
from types import ModuleType

import click

from seccheck.cli.main import main
from tests.conftest import ROOT


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cli_docs", ROOT / "scripts" / "cli_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["cli_docs"] = module
    spec.loader.exec_module(module)
    return module


cli_docs = _script()
DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def test_the_reference_is_current() -> None:
    assert cli_docs.splice(DOC, cli_docs.reference()) == DOC, "运行 python scripts/cli_docs.py 更新 docs/cli.md"


def test_the_reference_lists_every_command_and_option() -> None:
    reference = DOC.split(cli_docs.BEGIN, 1)[1]
    missing = []
    for path, command, ctx in cli_docs.walk(main):
        match = re.search(rf"^### {re.escape(path)}\n(.*?)(?=^### |\Z)", reference, flags=re.M | re.S)
        if match is None:
            missing.append(path)
            continue
        for param in command.get_params(ctx):
            if isinstance(param, click.Option) and not set(param.opts) & set(ctx.help_option_names):
                missing += [f"{path} {o}" for o in param.opts if f"{o}" not in match.group(1)]
            if isinstance(param, click.Argument) and param.make_metavar(ctx) not in match.group(1):
                missing.append(f"{path} {param.name}")
    assert not missing, missing


def test_every_command_has_prose() -> None:
    headings = "\n".join(line for line in cli_docs.prose(DOC).splitlines() if line.startswith("#"))
    missing = [name for name in main.commands if f"`seccheck {name}" not in headings]
    assert not missing, missing


def test_the_prose_names_only_commands_and_options_that_exist() -> None:
    assert cli_docs.stale_mentions(DOC, main) == []


def test_a_stale_mention_is_caught() -> None:
    """A check that cannot fail proves nothing: a removed command, a removed option, an option of the
    wrong command, and a reference out of date are all reported."""
    doc = DOC.replace(
        "## 全局选项",
        "`seccheck unit frobnicate`、`seccheck unit add NAME [--colour 红]`、`--no-such-option`、"
        "`seccheck score ANSWERS --campaign 秋季`\n\n## 全局选项",
    )
    problems = cli_docs.stale_mentions(doc, main)
    assert len(problems) == 4, problems
    assert "frobnicate" in problems[0] and "--colour" in problems[1] and "--no-such-option" in problems[2]
    assert "`seccheck score`没有选项 --campaign" in problems[3]
    shortened = DOC.replace("| `--json` | 以 JSON 输出。 |\n", "", 1)
    assert cli_docs.splice(shortened, cli_docs.reference()) != shortened


def test_the_script_checks_and_rewrites(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    copy = tmp_path / "cli.md"
    copy.write_text(cli_docs.prose(DOC).rstrip("\n") + "\n", encoding="utf-8")
    monkeypatch.setattr(cli_docs, "DOC", copy)
    assert cli_docs.main(["--check"]) == 1
    assert cli_docs.main([]) == 0
    assert cli_docs.main(["--check"]) == 0
    assert copy.read_text(encoding="utf-8") == DOC
