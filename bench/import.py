"""Import throughput, side by side in one run: SQLite at 1,000 and 10,000 files, PostgreSQL, notices.

    python bench/import.py [--counts 1000,10000] [--postgres-count 1000] [--no-postgres]
                           [--notice-count 50] [--postgres URL]

Generates answers files for the official ruleset `unit-self-assessment` (bench/generate.py) in a
temporary folder, then, each time into a fresh workspace, times one `seccheck import --no-notice
--new-unit --another-audit --accept-date` of the files as a child process (start-up included) and
reads the child's peak memory (max RSS). It prints, side by side:

- SQLite, for each count: seconds, audits/s, peak MB, import cost per audit, and that cost over the
  in-process scoring cost per audit (`score()` of the same answers, already read, measured here);
  then the 10k/1k time ratio and the 10k/1k peak-memory ratio;
- PostgreSQL (a throw-away server started as the test suite does, or --postgres URL): audits/s;
- with notices: the same import of the first --notice-count files *with* its notices (PDF rendering
  included), its cost per audit, so that what the figures above leave out is measured too.

Targets (issue 26, 2-core reference machine): >= 300 audits/s into SQLite at both counts (10,000 in
<= 35 s), 10k/1k time <= 10.5, 10k/1k peak memory <= 1.5, >= 150 audits/s into PostgreSQL, import
cost / scoring cost <= 10. The load average is printed before and after: on a shared machine the
figures are only as good as the quiet around them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402


def seccheck() -> list[str]:
    script = Path(sys.executable).parent / "seccheck"
    return [str(script)] if script.exists() else [sys.executable, "-m", "seccheck"]


@dataclass
class Timed:
    count: int
    seconds: float
    peak_mb: float
    cpu: float  # the child's user + system CPU seconds: what the import cost, whatever else runs

    @property
    def cpu_rate(self) -> float:
        return self.count / self.cpu

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    @property
    def per_audit_ms(self) -> float:
        return self.seconds * 1000 / self.count


def timed_import(
    workspace: Path, files: list[Path], db_url: str | None, *, notice: bool = False, init: bool = True
) -> Timed:
    """One `seccheck import` of `files` as a child process: its wall time and peak memory.
    `init=False`: into an existing workspace."""
    env = {**os.environ, "NO_COLOR": "1"}
    if db_url:
        env["SECCHECK_DB"] = db_url
    if init:
        made = subprocess.run([*seccheck(), "init", str(workspace)], capture_output=True, text=True, env=env)
        if made.returncode != 0:
            sys.exit(f"init failed:\n{made.stderr[-2000:]}")
    command = [*seccheck(), "-w", str(workspace), "import", "--new-unit", "--another-audit", "--accept-date"]
    if not notice:
        command.append("--no-notice")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([*command, *map(str, files)], stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            sys.exit(f"import failed:\n{err.read().decode('utf-8', 'replace')[-2000:]}")
    # ru_maxrss is in KiB on Linux
    return Timed(len(files), elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def scoring_ms(files: list[Path]) -> float:
    """In-process cost of scoring one audit (answers already read), best of three passes."""
    from seccheck.domain.scoring import score
    from seccheck.io.answersfile import load_answers
    from seccheck.ruleset.load import resolve_ruleset

    ruleset = resolve_ruleset("unit-self-assessment").ruleset
    answers = [load_answers(f)[0] for f in files]
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for a in answers:
            score(ruleset, a)
        best = min(best, (time.perf_counter() - start) * 1000 / len(answers))
    return best


HEADER = (
    f"{'files':>8} {'seconds':>9} {'audits/s':>9} {'cpu s':>8} {'audits/cpu s':>13} {'peak MB':>8} "
    f"{'ms/audit':>9} {'/scoring':>9}"
)


def row(t: Timed, scoring: float) -> str:
    return (
        f"{t.count:>8} {t.seconds:>9.2f} {t.rate:>9.1f} {t.cpu:>8.2f} {t.cpu_rate:>13.1f} {t.peak_mb:>8.1f} "
        f"{t.per_audit_ms:>9.2f} {t.per_audit_ms / scoring:>9.1f}"
    )


def verdict(ok: bool) -> str:
    return "OK" if ok else "OVER TARGET"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", default="1000,10000", help="SQLite file counts, comma-separated")
    parser.add_argument("--postgres-count", type=int, default=1000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--postgres", metavar="URL", help="import into this PostgreSQL database instead")
    parser.add_argument("--notice-count", type=int, default=50, help="files imported with their notices (0: none)")
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",") if c]
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "answers").mkdir()
        start = time.perf_counter()
        files = generate(folder / "answers", max([*counts, args.postgres_count, args.notice_count]))
        print(f"generated {len(files)} answers files for unit-self-assessment in {time.perf_counter() - start:.1f} s")
        scoring = scoring_ms(files[:200])
        print(f"in-process scoring: {scoring:.3f} ms per audit (score() of answers already read)")
        print()
        print("SQLite, no notices (import --no-notice; a child process, start-up included)")
        print(HEADER)
        sqlite: dict[int, Timed] = {}
        for n in counts:
            t = timed_import(folder / f"ws-sqlite-{n}", files[:n], None)
            sqlite[n] = t
            print(row(t, scoring))
        for n, t in sqlite.items():
            print(f"  {n} files: {t.rate:.0f} audits/s (target >= 300) {verdict(t.rate >= 300)}")
            print(f"  {n} files: import/scoring {t.per_audit_ms / scoring:.1f} (target <= 10) "
                  f"{verdict(t.per_audit_ms / scoring <= 10)}")  # fmt: skip
        if 10000 in sqlite:
            ten = sqlite[10000].seconds
            print(f"  10000 files in {ten:.1f} s (target <= 35 s) {verdict(ten <= 35)}")
        if 1000 in sqlite and 10000 in sqlite:
            time_ratio = sqlite[10000].seconds / sqlite[1000].seconds
            memory_ratio = sqlite[10000].peak_mb / sqlite[1000].peak_mb
            print(f"  time 10k/1k: {time_ratio:.2f} (target <= 10.5) {verdict(time_ratio <= 10.5)}")
            print(f"  peak memory 10k/1k: {memory_ratio:.2f} (target <= 1.5) {verdict(memory_ratio <= 1.5)}")
        if not args.no_postgres:
            print()
            server = None
            url = args.postgres
            if url is None:
                from tests.pgserver import PostgresServer

                server = PostgresServer.start()
                url = str(server.create_database("bench"))
            try:
                t = timed_import(folder / "ws-postgresql", files[: args.postgres_count], url)
            finally:
                if server is not None:
                    server.stop()
            print("PostgreSQL, no notices")
            print(HEADER)
            print(row(t, scoring))
            print(f"  {t.rate:.0f} audits/s (target >= 150) {verdict(t.rate >= 150)}")
        if args.notice_count:
            print()
            t = timed_import(folder / "ws-notices", files[: args.notice_count], None, notice=True)
            plain = timed_import(folder / "ws-no-notices", files[: args.notice_count], None)
            print(f"SQLite, {args.notice_count} files with their notices (PDF rendering included) and without")
            print(f"  with notices:    {t.seconds:7.2f} s = {t.per_audit_ms:8.1f} ms per audit")
            print(f"  without notices: {plain.seconds:7.2f} s = {plain.per_audit_ms:8.1f} ms per audit")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
