"""Start-up time: `seccheck --help` beside importing click, pydantic and rich.

    python bench/startup.py [--runs 21]

Prints the median wall time of each and their ratio (target: ratio <= 1.5).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def median_time(cmd: list[str], runs: int) -> float:
    subprocess.run(cmd, capture_output=True, check=True)  # warm the file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    script = Path(sys.executable).parent / "seccheck"
    seccheck = [str(script)] if script.exists() else [shutil.which("seccheck") or "seccheck"]
    ours = median_time([*seccheck, "--help"], args.runs)
    base = median_time([sys.executable, "-c", "import click, pydantic, rich"], args.runs)
    ratio = ours / base
    print(f"seccheck --help:                       median {ours * 1000:7.1f} ms ({args.runs} runs)")
    print(f"python -c 'import click, pydantic, rich': median {base * 1000:7.1f} ms")
    print(f"ratio: {ratio:.2f} (target <= 1.5) {'OK' if ratio <= 1.5 else 'OVER TARGET'}")


if __name__ == "__main__":
    main()
