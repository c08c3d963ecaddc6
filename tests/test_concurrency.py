"""Four processes importing 100 audits each into one workspace end with exactly 400 audits.

(Throughput at 1,000 audits is measured by bench/import.py, not here.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from bench.generate import generate
from seccheck.storage.db import Database
from seccheck.storage.tables import Audit, Unit
from tests.conftest import Workspace


def test_four_importers_at_once(workspace: Workspace, tmp_path: Path) -> None:
    # 40 unit names shared by all four processes, so they race to create the same units too.
    folder = tmp_path / "answers"
    folder.mkdir()
    files = generate(folder, 400, units=40)
    chunks = [[str(f) for f in files[i::4]] for i in range(4)]
    env = {**os.environ, **workspace.env, "NO_COLOR": "1"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "seccheck", "import", "--no-notice", "--new-unit", "--another-audit", *chunk],
            cwd=workspace.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for chunk in chunks
    ]
    outcomes = [p.communicate(timeout=900) for p in procs]
    for proc, (out, err) in zip(procs, outcomes, strict=True):
        assert proc.returncode == 0, err[-3000:]
        assert err == "", err[-3000:]  # no error shown to the user
        assert "导入 100 个" in out
    db = Database(workspace.db_url)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Audit)) == 400
        assert session.scalar(select(func.count()).select_from(Audit).where(Audit.status == "final")) == 400
        assert session.scalar(select(func.count()).select_from(Unit)) == 40
    db.close()
