"""Import throughput: 1,000 generated answers files for the unit self-assessment.

    python bench/import.py [--count 1000] [--postgres URL]

Generates the files in a temporary folder, then times one `seccheck import` of all of them into a
fresh SQLite workspace (and into PostgreSQL when a URL is given, or --start-postgres to start a
throw-away server as the test suite does). Prints audits per second (target: 1,000 into SQLite in
under 20 s on the reference machine).
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


def timed_import(workspace: Path, files: list[Path], db_url: str | None) -> float:
    env = {**os.environ, "NO_COLOR": "1"}
    if db_url:
        env["SECCHECK_DB"] = db_url
    start = time.perf_counter()
    proc = subprocess.run(
        [
            *seccheck(),
            "-w",
            str(workspace),
            "import",
            "--no-notice",
            "--new-unit",
            "--another-audit",
            "--accept-date",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"import failed:\n{proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--postgres", metavar="URL", help="also import into this PostgreSQL database")
    parser.add_argument("--start-postgres", action="store_true", help="start a throw-away PostgreSQL server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = generate(folder, args.count)
        print(f"generated {len(files)} answers files for unit-self-assessment")
        targets: list[tuple[str, str | None]] = [("SQLite", None)]
        server = None
        if args.start_postgres:
            from tests.pgserver import PostgresServer

            server = PostgresServer.start()
            targets.append(("PostgreSQL", server.create_database("bench")))
        elif args.postgres:
            targets.append(("PostgreSQL", args.postgres))
        try:
            for name, url in targets:
                ws = folder / f"ws-{name}"
                subprocess.run(
                    [*seccheck(), "init", str(ws)],
                    check=True,
                    capture_output=True,
                    env={**os.environ, **({"SECCHECK_DB": url} if url else {})},
                )
                elapsed = timed_import(ws, files, url)
                rate = len(files) / elapsed
                verdict = ""
                if name == "SQLite":
                    verdict = " (target: all in < 20 s) " + ("OK" if elapsed < 20 else "OVER TARGET")
                print(f"{name:10s}: {len(files)} audits in {elapsed:6.2f} s = {rate:7.1f} audits/s{verdict}")
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()
