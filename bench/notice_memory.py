"""The largest notice beside a typical one: time and peak memory of `seccheck notice`, each in its own
process, as a user runs it.

    python bench/notice_memory.py [--findings 20 300 5000]

For each count a generated ruleset with that many yes/no checks is answered "no" throughout (every
check a problem, each with a note), imported without a notice, and `seccheck notice` is timed with
its peak resident memory (ru_maxrss of the child). Prints each beside the first (the typical notice)
with the ratio; target for the largest a ruleset may hold (limits.CHECKS): memory <= 3 x typical.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def ruleset_text(checks: int) -> str:
    lines = ["format = 1", 'id = "bench-notice"', 'title = "通知书基准"', 'version = "1"']
    lines += ["[[category]]", 'id = "c"', 'title = "类别"']
    per_item = 5
    for n in range((checks + per_item - 1) // per_item):
        lines += ["[[item]]", f'id = "i{n}"', 'category = "c"', f'title = "检查项目{n}"', "points = 10"]
        for k in range(min(per_item, checks - n * per_item)):
            lines += [
                "  [[item.check]]",
                f'  id = "i{n}c{k}"',
                f'  question = "第{n}项第{k}问是否符合要求？"',
                "  deduct = 1",
                f'  finding = "第{n}项第{k}问发现的问题：制度未落实，台账不全"',
                '  rectify = "健全台账，落实制度，限期整改到位"',
            ]
    return "\n".join(lines) + "\n"


def answers_text(checks: int) -> str:
    lines = [
        "format = 1",
        'ruleset = "bench-notice"',
        f'unit = "基准单位{checks}"',
        "date = 2026-11-20",
        'mode = "inspection"',
        'inspectors = ["李明", "赵静"]',
        "[answers]",
    ]
    per_item = 5
    for n in range((checks + per_item - 1) // per_item):
        for k in range(min(per_item, checks - n * per_item)):
            lines.append(f'i{n}c{k} = {{ value = false, note = "现场查看发现第{n}项第{k}问的具体情况" }}')
    return "\n".join(lines) + "\n"


def run(args: list[str], cwd: Path) -> tuple[float, int, str]:
    """Wall time, peak RSS (KiB) and stderr of one `seccheck` process."""
    env = {**os.environ, "SECCHECK_TODAY": "2026-11-23", "SECCHECK_USER": "基准"}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "seccheck", *args], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if status != 0:
        raise SystemExit(f"seccheck {' '.join(args)} failed ({status}): {err}")
    return elapsed, usage.ru_maxrss, err


def main() -> None:
    from seccheck import limits

    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, nargs="+", default=[20, limits.CHECKS])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        run(["init", str(ws), "--issuer", "某区国家保密局", "--prefix", "某保检"], Path(tmp))
        rows = []
        for n, count in enumerate(args.findings, 1):
            rs = Path(tmp) / f"rs{count}.toml"
            rs.write_text(ruleset_text(count), encoding="utf-8")
            answers = Path(tmp) / f"a{count}.toml"
            answers.write_text(answers_text(count), encoding="utf-8")
            run(["import", "--new-unit", "--no-notice", "--ruleset", str(rs), str(answers)], ws)
            elapsed, peak, _err = run(["notice", str(n)], ws)
            rows.append((count, elapsed, peak))
    base_time, base_peak = rows[0][1], rows[0][2]
    for count, elapsed, peak in rows:
        print(
            f"notice with {count:5d} problems: {elapsed:6.2f} s ({elapsed / base_time:4.1f} x), "
            f"peak {peak / 1024:6.0f} MiB ({peak / base_peak:4.2f} x typical)"
        )
    worst = max(peak for _c, _e, peak in rows) / base_peak
    print(f"largest / typical peak memory {worst:.2f} (target <= 3) {'OK' if worst <= 3 else 'OVER TARGET'}")


if __name__ == "__main__":
    main()
