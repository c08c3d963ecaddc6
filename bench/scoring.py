"""Scoring throughput: a generated 100-check ruleset, scored in a loop in one process.

    python bench/scoring.py [--seconds 3]

Prints audits scored per second (target: >= 2,000 on the reference machine, 2 cores).
"""

from __future__ import annotations

import argparse
import random
import time
from decimal import Decimal
from typing import Any

from seccheck.domain.answers import Answers
from seccheck.domain.scoring import score
from seccheck.domain.validate import check_answers
from seccheck.ruleset.load import load_ruleset_text


def ruleset_text(checks: int = 100) -> str:
    lines = ["format = 1", 'id = "bench"', 'title = "基准"', 'version = "1"']
    lines += ["[[profile]]", 'id = "has_pcs"', 'question = "是否有涉密计算机？"']
    for c in range(5):
        lines += ["[[category]]", f'id = "c{c}"', f'title = "类别{c}"']
    for n in range(checks // 2):
        lines += ["[[item]]", f'id = "i{n}"', f'category = "c{n % 5}"', f'title = "项{n}"', "points = 2"]
        if n % 7 == 0:
            lines.append('applies_if = "has_pcs"')
        if n % 5 == 0:
            lines.append("allow_na = true")
        lines += ["  [[item.check]]", f'  id = "i{n}a"', '  question = "是否？"', "  deduct = [0.5, 1]"]
        lines += ["  [[item.check]]", f'  id = "i{n}b"', '  question = "几起？"', '  kind = "count"', "  per = 0.5"]
    return "\n".join(lines) + "\n"


def answers(rs_checks: list[str], rng: random.Random) -> Answers:
    values: dict[str, Any] = {"has_pcs": rng.random() < 0.7}
    for cid in rs_checks:
        if cid.endswith("a"):
            ok = rng.random() < 0.8
            values[cid] = True if ok else {"value": False, "deduct": Decimal(rng.choice(["0.5", "1"]))}
        else:
            values[cid] = 0 if rng.random() < 0.9 else rng.randint(1, 5)
    return Answers.model_validate(
        {"format": 1, "ruleset": "bench", "unit": "单位", "date": "2026-11-20", "answers": values}
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    rs = load_ruleset_text(ruleset_text(), "bench.toml").ruleset
    rng = random.Random(1)
    batch = [answers(list(rs.checks), rng) for _ in range(50)]
    assert not [p for p in check_answers(rs, batch[0]) if not p.warning]
    print(f"ruleset: {len(rs.item)} items, {len(rs.checks)} checks; {len(batch)} different answer sets")
    done = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < args.seconds:
        for a in batch:
            score(rs, a)
        done += len(batch)
    rate = done / elapsed
    print(
        f"scored {done} audits in {elapsed:.2f} s: {rate:,.0f} audits/s (target >= 2,000) "
        f"{'OK' if rate >= 2000 else 'UNDER TARGET'}"
    )


if __name__ == "__main__":
    main()
