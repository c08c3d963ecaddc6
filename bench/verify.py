"""`verify --all` is linear and streams (issue 26): time and peak memory for a small and a large
workspace, side by side, and their ratios.

    python bench/verify.py [--small 300] [--large 3000] [--largest 0]

Imports generated answers files of the unit self-assessment (bench/generate.py) with notices off
into fresh SQLite workspaces, then runs `seccheck verify --all` on each in a child process and reads
its peak resident memory. Targets: large/small time ≤ 11 × for 10 × the audits, peak memory ≤ 1.3 ×.
`--largest N` adds a third workspace (about 22 ledger entries per audit: 4,600 audits pass 100,000).
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402

_import = importlib.import_module("bench.import")  # a keyword as a module name
seccheck, timed_import = _import.seccheck, _import.timed_import

# Runs the command and prints the child's peak resident set (KiB) on the last line.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "sys.stderr.write(proc.stderr[-3000:] if proc.returncode else '')\n"
    "print(proc.returncode)\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(usage.ru_utime + usage.ru_stime)\n"
    "print(usage.ru_maxrss)\n"
)


def ledger_size(workspace: Path) -> int:
    import sqlite3

    with sqlite3.connect(workspace / "seccheck.db") as conn:
        (count,) = conn.execute("SELECT count(*) FROM ledger").fetchone()
    return int(count)


def timed_verify(workspace: Path) -> tuple[float, float, int]:
    """Wall time, CPU time (user + system: steadier on a shared machine) and peak memory (KiB)."""
    env = {**os.environ, "NO_COLOR": "1"}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, *seccheck(), "-w", str(workspace), "verify", "--all"],
        capture_output=True,
        text=True,
        env=env,
    )
    elapsed = time.perf_counter() - start
    code, cpu, peak = proc.stdout.split()[-3:]
    if code != "0":
        sys.exit(f"verify failed:\n{proc.stderr[-2000:]}")
    return elapsed, float(cpu), int(peak)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=300)
    parser.add_argument("--large", type=int, default=3000)
    parser.add_argument("--largest", type=int, default=0, help="a third workspace (4600: 100,000+ entries)")
    args = parser.parse_args()
    sizes = [n for n in (args.small, args.large, args.largest) if n]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "files").mkdir()
        files = generate(folder / "files", max(sizes))
        rows = []
        previous: tuple[int, Path] | None = None
        for count in sorted(sizes):
            ws = folder / f"ws-{count}"
            if previous is None:
                imported = timed_import(ws, files[:count], None).seconds
            else:
                # The larger workspace holds the smaller one's audits and more: it starts as a copy of
                # the smaller (made before that was verified) and imports only the rest.
                done, copy = previous
                copy.rename(ws)
                imported = timed_import(ws, files[done:count], None, init=False).seconds
            if count != max(sizes):
                previous = (count, folder / f"copy-{count}")
                shutil.copytree(ws, previous[1])
            entries = ledger_size(ws)
            elapsed, cpu, peak = timed_verify(ws)
            rows.append((count, entries, elapsed, cpu, peak))
            print(
                f"{count:6d} audits, {entries:7d} ledger entries: import {imported:6.1f} s (not counted); "
                f"verify --all {elapsed:6.1f} s (CPU {cpu:6.1f} s), peak {peak / 1024:6.1f} MB",
                flush=True,
            )
        small, small_entries, small_s, small_cpu, small_kb = rows[0]
        for count, entries, elapsed, cpu, peak in rows[1:]:
            time_ratio, cpu_ratio, memory_ratio = elapsed / small_s, cpu / small_cpu, peak / small_kb
            print(
                f"{count} vs {small} audits ({entries} vs {small_entries} entries, {entries / small_entries:.1f} x): "
                f"time ratio {time_ratio:.2f}, CPU time ratio {cpu_ratio:.2f} "
                f"(target <= 11 for 10 x) {'OK' if cpu_ratio <= 11 * count / small / 10 else 'OVER'}; "
                f"peak memory ratio {memory_ratio:.2f} (target <= 1.3) {'OK' if memory_ratio <= 1.3 else 'OVER'}"
            )


if __name__ == "__main__":
    main()
