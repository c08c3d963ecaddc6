"""Campaign report: a campaign of 1,000 audited units, its PDF and XLSX report timed.

    python bench/report.py [--units 1000]

Generates answers, imports them into a fresh SQLite workspace (not timed), then times
`seccheck report CAMPAIGN --format pdf` and `--format xlsx` (target: each under 15 s).
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

from bench.generate import generate  # noqa: E402


def seccheck() -> list[str]:
    script = Path(sys.executable).parent / "seccheck"
    return [str(script)] if script.exists() else [sys.executable, "-m", "seccheck"]


def run(*args: str, cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [*seccheck(), *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"seccheck {' '.join(args[:3])} failed:\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "answers").mkdir()
        files = generate(folder / "answers", args.units, units=args.units)
        ws = folder / "ws"
        run("init", str(ws), cwd=folder)
        run("campaign", "create", "基准专项行动", "--ruleset", "unit-self-assessment", cwd=ws)
        imported = run(
            "import",
            "--no-notice",
            "--new-unit",
            "--accept-date",
            "--campaign",
            "基准专项行动",
            *map(str, files),
            cwd=ws,
        )
        print(f"campaign of {args.units} audited units (import took {imported:.1f} s)")
        for fmt in ("pdf", "xlsx"):
            elapsed = run("report", "基准专项行动", "--format", fmt, cwd=ws)
            size = next((ws / "reports").glob(f"*.{fmt}")).stat().st_size
            verdict = "OK" if elapsed < 15 else "OVER TARGET"
            print(f"report {fmt:4s}: {elapsed:6.2f} s, {size / 1024:.0f} KiB (target < 15 s) {verdict}")


if __name__ == "__main__":
    main()
