"""Campaign report at scale: PDF and XLSX for 1,000 and N units, how cost grows, and what the XLSX
writer costs over openpyxl alone.

    python bench/report.py [--units 10000]

For 1,000 and N audited units (answers generated, imported into fresh SQLite workspaces; not
timed) it times `seccheck report CAMPAIGN --format pdf` and `--format xlsx` as a user runs them, and
prints the ratio N-units / 1,000-units time (cost must grow at most linearly: ratio <= N/1000).

Then, in this process and for the N-unit campaign, it times the report's XLSX writer (streaming
mode: typed cells, widths, safe text) against openpyxl's write-only mode writing the same cells as
plain values, and prints that ratio (target <= 1.5).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402

CAMPAIGN = "基准专项行动"


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


def workspace(folder: Path, units: int) -> Path:
    answers = folder / f"answers-{units}"
    answers.mkdir()
    files = generate(answers, units, units=units)
    ws = folder / f"ws-{units}"
    run("init", str(ws), cwd=folder)
    run("campaign", "create", CAMPAIGN, "--ruleset", "unit-self-assessment", cwd=ws)
    took = run("import", "--no-notice", "--new-unit", "--accept-date", "--campaign", CAMPAIGN, *map(str, files), cwd=ws)
    print(f"campaign of {units} audited units (import took {took:.1f} s, not counted)", flush=True)
    return ws


def report_times(ws: Path, units: int) -> dict[str, float]:
    times = {}
    for fmt in ("pdf", "xlsx"):
        elapsed = run("report", CAMPAIGN, "--format", fmt, cwd=ws)
        size = next((ws / "reports").glob(f"*.{fmt}")).stat().st_size
        print(f"  {units:6d} units  report {fmt:4s}: {elapsed:7.2f} s, {size / 1024:8.0f} KiB", flush=True)
        times[fmt] = elapsed
    return times


class Recorder:
    """Takes the sheets the report writes, as Book.sheet receives them."""

    def __init__(self) -> None:
        from seccheck.report.xlsx import Book

        self.book = Book()
        self.sheets: list[tuple[str, list[Any], list[list[Any]]]] = []

    def sheet(self, title: str, columns: list[Any], rows: Any) -> None:
        rows = list(rows)
        self.sheets.append((title, columns, [self.book._clean(r, columns) for r in rows]))

    def save(self) -> bytes:
        return b""


def writer_ratio(ws: Path, repeat: int = 5) -> None:
    from seccheck.app.context import Context, FixedClock
    from seccheck.app.reports import campaign_summary, summary_of_year
    from seccheck.report.service import report_xlsx
    from seccheck.report.xlsx import Formatted
    from seccheck.storage.db import Database
    from seccheck.storage.workspace import open_workspace

    workspace_ = open_workspace(ws, None)
    db = Database(workspace_.db_url)
    import datetime as dt

    ctx = Context(actor="bench", workspace=workspace_, db=db, clock=FixedClock(dt.date.today()))
    summary, detail = campaign_summary(ctx, CAMPAIGN)
    year = summary_of_year(ctx, summary.year)
    today = ctx.today()
    recorder = Recorder()
    report_xlsx(summary, detail, today, year, book=recorder)  # type: ignore[arg-type]
    cells = sum(len(rows) * len(columns) for _t, columns, rows in recorder.sheets)

    def ours() -> None:
        report_xlsx(summary, detail, today, year)

    def plain() -> None:
        import io

        from openpyxl import Workbook

        book = Workbook(write_only=True)
        for title, columns, rows in recorder.sheets:
            sheet = book.create_sheet(title)
            sheet.append([c.header for c in columns])
            for row in rows:
                sheet.append([v.value if isinstance(v, Formatted) else v for v in row])
        book.save(io.BytesIO())

    # Alternately, so that both see the same load; the best of each (wall and this process's CPU).
    walls: dict[str, list[float]] = {"ours": [], "plain": []}
    cpus: dict[str, list[float]] = {"ours": [], "plain": []}
    for _ in range(repeat):
        for name, fn in (("plain", plain), ("ours", ours)):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            walls[name].append(time.perf_counter() - start)
            cpus[name].append(time.process_time() - start_cpu)
    t_plain, t_ours = min(walls["plain"]), min(walls["ours"])
    c_plain, c_ours = min(cpus["plain"]), min(cpus["ours"])
    ratio, cpu_ratio = t_ours / t_plain, c_ours / c_plain
    verdict = "OK" if cpu_ratio <= 1.5 else "OVER TARGET"
    print(
        f"XLSX writer, {cells} cells, best of {repeat} alternating runs:\n"
        f"  report's writer (figures to bytes: typed, fitted, safe text) {t_ours:6.2f} s, CPU {c_ours:6.2f} s\n"
        f"  openpyxl write-only, same cells as plain values           {t_plain:6.2f} s, CPU {c_plain:6.2f} s\n"
        f"  ratio {ratio:.2f} wall, {cpu_ratio:.2f} CPU (target <= 1.5) {verdict}"
    )
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=10000)
    args = parser.parse_args()
    sizes = [1000] if args.units <= 1000 else [1000, args.units]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results = {}
        for n in sizes:
            ws = workspace(folder, n)
            results[n] = report_times(ws, n)
        if len(sizes) == 2:
            small, large = sizes
            limit = large / small
            for fmt in ("pdf", "xlsx"):
                ratio = results[large][fmt] / results[small][fmt]
                verdict = "OK" if ratio <= limit else "OVER (grows faster than linearly)"
                print(
                    f"{fmt:4s}: {large} / {small} units time ratio {ratio:.2f} (linear would be {limit:.0f}) {verdict}"
                )
        writer_ratio(ws)


if __name__ == "__main__":
    main()
