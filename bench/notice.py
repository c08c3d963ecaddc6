"""Notice rendering: a 20-finding notice, 20 times in one process, beside plain WeasyPrint.

    python bench/notice.py [--runs 20] [--parallel 100]

Prints the median time per notice for seccheck (number kept, content, glyph check, HTML, PDF) and
for plain WeasyPrint writing the same HTML as the same PDF variant (PDF/A-2b, with its metadata)
and otherwise default settings, measured in turn; their ratio (target <= 1.1); and the wall time of
rendering 100 notices on all cores. Target: median <= 0.3 s per notice with HarfBuzz subsetting;
says so loudly when HarfBuzz subsetting is missing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _render(html: str) -> int:
    from seccheck.notice.render import render_pdf

    return len(render_pdf(html)[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=100)
    args = parser.parse_args()

    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    if not (harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0)):
        print("!" * 78)
        print("!!! HarfBuzz subsetting (libharfbuzz-subset0) is MISSING: WeasyPrint falls back to fontTools")
        print("!!! and Chinese notices render about 50x slower. apt-get install libharfbuzz-subset0")
        print("!" * 78)

    import logging

    import weasyprint

    warnings: list[str] = []

    class Heard(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            warnings.append(record.getMessage())

    logging.getLogger("weasyprint").addHandler(Heard(logging.WARNING))

    from seccheck.app.context import Context, current_actor
    from seccheck.app.documents import write_notice
    from seccheck.app.imports import ImportOptions, import_file
    from seccheck.app.workspace import create_workspace
    from seccheck.notice.pdfmeta import PDF_VARIANT
    from seccheck.storage.db import Database
    from tests.test_notice import _answers_with_failures

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ws = create_workspace(
            folder / "ws",
            issuer="某区国家保密局",
            prefix="某保检",
            contact="李明",
            phone="0000-1234567",
            inspectors=["李明"],
        )
        answers = folder / "twenty.toml"
        answers.write_text(_answers_with_failures(20), encoding="utf-8")
        ctx = Context(current_actor(), ws, Database(ws.db_url))
        audit_id = import_file(ctx, answers, ImportOptions(notice=False, new_unit=True, accept_date=True)).audit_id
        # The HTML seccheck renders as this PDF (not the portable --format html, whose CSS differs),
        # heard on its way to the renderer, so that plain WeasyPrint gets exactly the same input.
        import seccheck.app.documents as documents

        rendered: list[str] = []
        render = documents.render_pdf

        def hearing(html: str, *args: Any, **kwargs: Any) -> Any:
            rendered.append(html)
            return render(html, *args, **kwargs)

        documents.render_pdf = hearing
        made = write_notice(ctx, audit_id)  # warm-up: font caches, template, number
        documents.render_pdf = render
        html = rendered[0]

        def plain_pdf() -> None:
            weasyprint.HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)

        plain_pdf()  # warm-up
        ours: list[float] = []
        plain: list[float] = []
        # Interleaved, alternating which goes first, so that both see the same load on the machine.
        for run in range(args.runs):
            steps = [(ours, lambda: write_notice(ctx, audit_id)), (plain, plain_pdf)]
            for times, step in steps if run % 2 == 0 else steps[::-1]:
                start = time.perf_counter()
                step()
                times.append(time.perf_counter() - start)
        size = made.path.stat().st_size

        # The same 20 problems with every free text at its limit (seccheck/limits.py): the longest
        # notice an answers file can ask for, beside the typical one, measured in turn.
        from seccheck import limits
        from tests.test_notice_layout import answers as layout_answers

        longest = layout_answers(20, limits.NOTE)
        longest = longest.replace('unit = "某区审计局"', 'unit = "' + "某" * limits.NAME + '"')
        people = ", ".join('"' + f"{n:02d}" + "检" * (limits.PERSON - 2) + '"' for n in range(limits.PEOPLE))
        longest = longest.replace('inspectors = ["李明", "赵静"]', f"inspectors = [{people}]")
        ways = ", ".join('"' + f"{n:02d}" + "查" * (limits.METHOD - 2) + '"' for n in range(limits.METHODS))
        longest = longest.replace('methods = ["查阅资料", "现场查看"]', f"methods = [{ways}]")
        answers_long = folder / "longest.toml"
        answers_long.write_text(longest, encoding="utf-8")
        long_id = import_file(ctx, answers_long, ImportOptions(notice=False, new_unit=True, accept_date=True)).audit_id
        write_notice(ctx, long_id)  # numbered and warmed up
        typical_times: list[float] = []
        longest_times: list[float] = []
        for run in range(max(3, args.runs // 4)):
            steps = [(typical_times, audit_id), (longest_times, long_id)]
            for times, which in steps if run % 2 == 0 else steps[::-1]:
                start = time.perf_counter()
                write_notice(ctx, which)
                times.append(time.perf_counter() - start)
        ctx.db.close()

    m_ours, m_plain = statistics.median(ours), statistics.median(plain)
    pairs = sorted(o / p for o, p in zip(ours, plain, strict=True))
    print(f"20-finding notice: {size / 1024:.0f} KiB")
    print(
        f"seccheck notice      median {m_ours:.3f} s over {args.runs} runs "
        f"(target <= 0.3 s) {'OK' if m_ours <= 0.3 else 'OVER TARGET'}"
    )
    print(f"plain WeasyPrint     median {m_plain:.3f} s ({PDF_VARIANT}, the same HTML as the notice's PDF)")
    ratio = m_ours / m_plain
    print(f"overhead ratio       {ratio:.2f} (target <= 1.1) {'OK' if ratio <= 1.1 else 'OVER TARGET'}")
    print(f"ratio of each pair   median {statistics.median(pairs):.2f}, lowest {pairs[0]:.2f}, highest {pairs[-1]:.2f}")
    print(f"renderer warnings    {len(warnings)} {'OK' if not warnings else 'NOT OK: ' + '; '.join(warnings[:3])}")
    m_typ, m_long = statistics.median(typical_times), statistics.median(longest_times)
    long_ratio = m_long / m_typ
    print(f"typical notice       median {m_typ:.3f} s (20 problems, example-length texts)")
    print(f"longest allowed      median {m_long:.3f} s (20 problems, every free text at its limit)")
    print(f"longest / typical    {long_ratio:.2f} (target <= 3) {'OK' if long_ratio <= 3 else 'OVER TARGET'}")
    workers = os.cpu_count() or 1
    start = time.perf_counter()
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_render, [html] * args.parallel))
    wall = time.perf_counter() - start
    print(f"{args.parallel} notices on {workers} cores: {wall:.1f} s ({args.parallel / wall:.1f} notices/s)")


if __name__ == "__main__":
    main()
