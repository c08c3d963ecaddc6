"""`pip install .` (not editable) into a fresh virtual environment gives a working seccheck."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

# The module-scoped fixture is made once: the tests run on one xdist worker (--dist loadgroup).
pytestmark = pytest.mark.xdist_group("wheel")

_NOT_SOURCE = (".git", ".venv", "build", "dist", "*.egg-info", "reports", "__pycache__", ".*_cache", "tests")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Build from a copy: setuptools writes ./build in the source tree, and two xdist workers building
    # the same tree at once trip over each other's files.
    source = tmp_path_factory.mktemp("source") / "seccheck"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*_NOT_SOURCE))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
        text=True,
    )
    (path,) = out.glob("seccheck-*.whl")
    return path


def test_wheel_contains_rulesets_and_schema(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    builtin = sorted(p.name for p in (ROOT / "rulesets").glob("*.toml"))
    assert builtin, "no built-in rulesets"
    for name in builtin:
        assert f"seccheck/rulesets/{name}" in names
    assert "seccheck/schema/ruleset.schema.json" in names
    assert "seccheck/schema/answers.schema.json" in names
    assert "seccheck/notice/assets/notice.html.j2" in names and "seccheck/notice/assets/notice.css.j2" in names
    assert "seccheck/storage/migrations/versions/0002_notices_rectifications.py" in names
    assert not any(n.startswith("tests/") for n in names)


def test_fresh_venv_install_works(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    # --no-compile: byte-compiling every dependency is most of the install's time and proves nothing here.
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-compile", str(wheel)], check=True, capture_output=True, text=True
    )
    exe = env_dir / "bin" / "seccheck"
    # Run from an empty folder, so nothing can come from the source tree.
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": ""}
    listed = subprocess.run([str(exe), "ruleset", "list"], cwd=work, capture_output=True, text=True, env=env)
    assert listed.returncode == 0, listed.stderr
    for path in (ROOT / "rulesets").glob("*.toml"):
        assert path.stem in listed.stdout
    scored = subprocess.run(
        [str(exe), "score", str(ROOT / "examples" / "unit-self-assessment.answers.toml")],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
    )
    assert scored.returncode == 0, scored.stderr
    assert "基本符合要求" in scored.stdout
    where = subprocess.run(
        [str(py), "-c", "import seccheck; print(seccheck.__file__)"], cwd=work, capture_output=True, text=True, env=env
    )
    assert str(env_dir) in where.stdout
