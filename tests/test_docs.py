"""The examples in the documentation are real: they load and validate."""

from __future__ import annotations

import re

from seccheck.ruleset.load import load_ruleset_text
from tests.conftest import ROOT


def toml_blocks(path: str) -> list[str]:
    text = (ROOT / path).read_text(encoding="utf-8")
    return re.findall(r"```toml\n(.*?)```", text, flags=re.S)


def test_ruleset_format_example_loads() -> None:
    blocks = toml_blocks("docs/ruleset-format.md")
    loaded = load_ruleset_text(blocks[0], "docs/ruleset-format.md")
    rs = loaded.ruleset
    assert rs.id == "wechat-groups-district"
    assert rs.items_by_id["2"].is_shorthand
    assert rs.scored_points == 10


def test_applies_if_examples_parse() -> None:
    from seccheck.ruleset import expr

    block = next(b for b in toml_blocks("docs/ruleset-format.md") if b.lstrip().startswith("applies_if"))
    for line in block.strip().splitlines():
        expr.parse(line.split("=", 1)[1].strip().strip('"'))
