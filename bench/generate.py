"""Generated answers files for benchmarks and load tests (realistic, reproducible)."""

from __future__ import annotations

import random
from pathlib import Path

from seccheck.domain.answers import Answers
from seccheck.domain.applicability import applicability
from seccheck.ruleset.load import resolve_ruleset


def generate(folder: Path, count: int, seed: int = 7, units: int = 400) -> list[Path]:
    """Answers files with varied units and answers; a few findings in each."""
    rs = resolve_ruleset("unit-self-assessment").ruleset
    rng = random.Random(seed)
    paths = []
    for n in range(count):
        lines = [
            "format = 1",
            'ruleset = "unit-self-assessment"',
            f'unit = "单位{n % units:03d}"',
            f"date = 2026-{1 + n % 10:02d}-{1 + n % 28:02d}",  # in the past of the tests' today
            'mode = "inspection"',
            'inspectors = ["检查员"]',
            "[answers]",
        ]
        profile = {p.id: rng.random() < 0.8 for p in rs.profile}
        lines += [f"{k} = {'true' if v else 'false'}" for k, v in profile.items()]
        app = applicability(
            rs,
            Answers.model_validate(
                {"format": 1, "ruleset": rs.id, "unit": "x", "date": "2026-01-01", "answers": profile}
            ),
        )
        for item in rs.item:
            for chk in item.check:
                if not app.check[chk.id]:
                    continue
                if chk.kind == "count":
                    value = "1" if rng.random() < 0.05 else "0"
                elif chk.veto:
                    value = "false"
                elif rng.random() < 0.1:
                    if isinstance(chk.deduct, tuple):
                        value = f"{{ value = false, deduct = {chk.deduct[0]} }}"
                    else:
                        value = "true" if chk.expected is False else "false"
                else:
                    value = "true" if chk.expected else "false"
                lines.append(f'"{chk.id}" = {value}')
        path = folder / f"answers-{n:04d}.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
