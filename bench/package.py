"""A city imports its districts' packages (issue 25 line 6): time and peak memory of importing
20,000 units' figures (100 districts × 200 units by default) and of the city's `summary --year`,
on PostgreSQL and SQLite side by side.

    python bench/package.py [--districts 100] [--units 200]

A city workspace is made for each database (PostgreSQL: a temporary server, as tests/pgserver.py
starts it), a package key is issued to each district (`seccheck unit key issue … --district`), and
each district's package is sealed with its key from generated unit figures (each unit with its
self-assessment's grade, departments and people). Then `seccheck import` of all the packages and
`seccheck summary --year 2026 --json` run in child processes, which report their peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEAR = 2026

# Runs the command and prints its exit code, CPU time and peak resident set (KiB) on the last lines.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "sys.stderr.write(proc.stderr[-3000:] if proc.returncode else '')\n"
    "sys.stdout.write(proc.stdout[-400:])\n"
    "print(proc.returncode)\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(usage.ru_utime + usage.ru_stime)\n"
    "print(usage.ru_maxrss)\n"
)


def seccheck() -> list[str]:
    script = Path(sys.executable).parent / "seccheck"
    return [str(script)] if script.exists() else [sys.executable, "-m", "seccheck"]


def measured(env: dict[str, str], *args: str) -> tuple[float, float, int, str]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _MEASURE, *seccheck(), *args], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    *out, code, cpu, peak = proc.stdout.split("\n")[:-1]
    if code != "0":
        sys.exit(f"seccheck {' '.join(args[:3])} failed:\n{proc.stderr[-2000:]}")
    return elapsed, float(cpu), int(peak), "\n".join(out)


def district_packages(folder: Path, ws: Path, env: dict[str, str], districts: int, units: int) -> list[Path]:
    """Issue a key to each district in the city workspace and seal each district's package with it."""
    from seccheck.domain.package import seal_package
    from seccheck.domain.seal import canonical

    names = [f"第{d + 1:03d}区保密局" for d in range(districts)]
    units_csv = folder / "districts.csv"
    units_csv.write_text("名称\n" + "\n".join(names) + "\n", encoding="utf-8")
    subprocess.run(
        [*seccheck(), "-w", str(ws), "unit", "import", str(units_csv)], check=True, capture_output=True, env=env
    )
    paths = []
    from seccheck.app.context import open_context
    from seccheck.app.package_keys import issue_key

    ctx = open_context(ws, env["SECCHECK_DB"])  # issuing keys is set-up, not measured: in this process
    for d, name in enumerate(names):
        key_file = folder / f"key-{d}.toml"
        issue_key(ctx, name, district=True, out=key_file)
        key = tomllib.loads(key_file.read_text(encoding="utf-8"))
        rows = [
            {
                "district": "",
                "name": f"{name}辖区单位{u + 1:03d}",
                "code": f"11{d:03d}{u:04d}",
                "self_assessed": u % 10 != 0,
                "grade": "符合要求",
                "percent": "92.5",
                "departments": {"total": 8, "completed": 7},
                "people": {"total": 60, "completed": 57},
                "package": f"{d:032x}{u:032x}",
                "anchor": f"{u + 100}:{'0' * 64}",
            }
            for u in range(units)
        ]
        package = seal_package(
            level="district",
            key_id=key["key_id"],
            key_hex=key["key"],
            issuer=key["issuer"],
            subject=name,
            year=YEAR,
            anchor=(1000 + d, canonical(d).encode().hex().ljust(64, "0")[:64]),
            body={"units": rows},
        )
        path = folder / f"district-{d:03d}.json"
        path.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    ctx.db.close()
    return paths


def run(url: str, folder: Path, districts: int, units: int) -> tuple[float, float, int, float, int, str]:
    env = {**os.environ, "NO_COLOR": "1", "SECCHECK_DB": url, "SECCHECK_TODAY": f"{YEAR}-12-20"}
    ws = folder / "ws"
    subprocess.run(
        [*seccheck(), "init", str(ws), "--issuer", "某市国家保密局"], check=True, capture_output=True, env=env
    )
    files = district_packages(folder, ws, env, districts, units)
    elapsed, cpu, peak, _out = measured(env, "-w", str(ws), "import", *map(str, files))
    s_elapsed, _s_cpu, s_peak, _out = measured(env, "-w", str(ws), "summary", "--year", str(YEAR))
    text = subprocess.run(
        [*seccheck(), "-w", str(ws), "summary", "--year", str(YEAR)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    return elapsed, cpu, peak, s_elapsed, s_peak, text.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--districts", type=int, default=100)
    parser.add_argument("--units", type=int, default=200)
    args = parser.parse_args()
    from tests.pgserver import PostgresServer

    total = args.districts * args.units
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        server = PostgresServer.start()
        try:
            for kind in ("postgresql", "sqlite"):
                folder = Path(tmp) / kind
                folder.mkdir()
                url = server.create_database("bench") if kind == "postgresql" else f"sqlite:///{folder / 'city.db'}"
                results[kind] = run(str(url), folder, args.districts, args.units)
        finally:
            server.stop()
    print(f"city import of {args.districts} district packages, {total:,} units' figures:")
    print(f"{'':12s}{'import s':>10s}{'CPU s':>8s}{'peak MB':>9s}{'summary s':>11s}{'peak MB':>9s}")
    for kind, (elapsed, cpu, peak, s_elapsed, s_peak, _sentence) in results.items():
        print(f"{kind:12s}{elapsed:10.1f}{cpu:8.1f}{peak / 1024:9.1f}{s_elapsed:11.1f}{s_peak / 1024:9.1f}")
    for kind, result in results.items():
        print(f"{kind}: {result[5]}")


if __name__ == "__main__":
    main()
