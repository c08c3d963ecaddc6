"""The offline form for the 74-check unit-self-assessment: file size (target < 500 KB) and the time
until it is ready in headless Chromium (target < 1 s), from navigation to `html[data-ready]`.

    python bench/form.py [--runs 11] [--ruleset unit-self-assessment]

Needs Debian's chromium and Playwright (bash scripts/setup.sh --dev). A benchmark, not a timed test:
the shared CI machine's timings vary too much to fail a build on them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from seccheck.forms.page import FormIssue, render_form
from seccheck.ruleset.load import resolve_ruleset

ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SIZE_TARGET = 500 * 1024
READY_TARGET = 1.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--ruleset", default="unit-self-assessment")
    args = parser.parse_args()
    loaded = resolve_ruleset(args.ruleset)
    start = time.perf_counter()
    issue = FormIssue(number="自查表〔2026〕1号", unit="某区司法局", key="00" * 32, ruleset_sha256=loaded.sha256)
    html = render_form(loaded.ruleset, issue).encode("utf-8")
    built = time.perf_counter() - start
    size = len(html)
    print(f"{args.ruleset}: {len(loaded.ruleset.checks)} checks")
    print(f"build:  {built * 1000:7.1f} ms")
    print(f"size:   {size / 1024:7.1f} KB (target < {SIZE_TARGET // 1024} KB) {'OK' if size < SIZE_TARGET else 'OVER'}")

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        path = Path(tmp) / "form.html"
        path.write_bytes(html)
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        times = []
        for _ in range(args.runs):
            context = browser.new_context(viewport={"width": 1024, "height": 768})
            page = context.new_page()
            start = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector("html[data-ready=true]", state="attached")
            times.append(time.perf_counter() - start)
            inner = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
            context.close()
        browser.close()
    ready = statistics.median(times)
    print(
        f"ready:  {ready * 1000:7.1f} ms median of {args.runs} (page's own DOMContentLoaded {inner:.0f} ms) "
        f"(target < {READY_TARGET * 1000:.0f} ms) {'OK' if ready < READY_TARGET else 'OVER'}"
    )


if __name__ == "__main__":
    main()
