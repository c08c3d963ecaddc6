"""The lock files and what `seccheck --version` and `doctor` say about the installation."""

from __future__ import annotations

import hashlib
import re
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from seccheck import __version__, versions
from seccheck.app.doctor import run_checks
from tests.conftest import ROOT, seccheck
from tests.test_wheel import wheel  # noqa: F401  (a fixture)

LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"


def pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def pins(path: Path) -> dict[str, str]:
    return versions.locked_pins(path.read_text(encoding="utf-8"))


def test_packaged_lock_is_the_lock() -> None:
    assert (ROOT / "seccheck" / "requirements.lock").read_bytes() == LOCK.read_bytes(), "run bash scripts/lock.sh"


def test_every_dependency_is_pinned_within_its_range() -> None:
    project = pyproject()["project"]
    assert isinstance(project, dict)
    for lock, deps in ((LOCK, project["dependencies"]), (DEV_LOCK, project["optional-dependencies"]["dev"])):
        locked = pins(lock)
        for spec in deps:
            req = Requirement(spec)
            name = versions.normalize(req.name)
            assert name in locked, f"{req.name} is not in {lock.name}: run bash scripts/lock.sh"
            assert req.specifier.contains(locked[name], prereleases=True), (
                f"{lock.name}: {name}=={locked[name]} !{spec}"
            )
            for extra in req.extras:  # psycopg[binary] pulls psycopg-binary
                assert f"{name}-{extra}" in locked


def test_dev_lock_keeps_every_runtime_pin() -> None:
    runtime, dev = pins(LOCK), pins(DEV_LOCK)
    assert "setuptools" in runtime, "seccheck itself is built with the locked setuptools"
    assert {name: dev.get(name) for name in runtime} == runtime


@pytest.mark.parametrize("lock", [LOCK, DEV_LOCK], ids=lambda p: p.name)
def test_every_pin_has_hashes(lock: Path) -> None:
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.read_text(encoding="utf-8"))
    pinned = [b for b in blocks if "==" in b.split("\n", 1)[0]]
    assert len(pinned) == len(pins(lock)) > 10
    for block in pinned:
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", block), block.split("\n", 1)[0]


def test_locked_pins_reads_requirement_lines() -> None:
    text = (
        "# comment\nFoo_Bar==1.2 \\\n    --hash=sha256:ab\n    # via x==9\npsycopg[binary]==3.1 ; python_version>'3'\n"
    )
    assert versions.locked_pins(text) == {"foo-bar": "1.2", "psycopg": "3.1"}


def test_version_info() -> None:
    info = versions.version_info()
    assert info["seccheck"] == __version__
    assert info["lock_sha256"] == hashlib.sha256(LOCK.read_bytes()).hexdigest()
    locked = pins(LOCK)
    assert info["WeasyPrint"] == locked["weasyprint"]
    assert info["pydantic"] == locked["pydantic"]
    assert info["SQLAlchemy"] == locked["sqlalchemy"]


def test_this_environment_is_installed_from_the_lock() -> None:
    assert versions.lock_problem(versions.lock_bytes()) is None


def test_mismatch_and_missing_lock_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    real = versions.installed_version
    monkeypatch.setattr(versions, "installed_version", lambda name: "0.0.1" if name == "pydantic" else real(name))
    problem = versions.lock_problem(versions.lock_bytes())
    assert problem is not None and "pydantic 0.0.1（锁定 " in problem
    assert "评分可能与其他单位不可比" in versions.version_lines()[-1]
    check = run_checks()[0]
    assert check.name == "版本" and not check.ok and not check.required and "pydantic 0.0.1" in check.fix
    assert "找不到 requirements.lock" in (versions.lock_problem(None) or "")


def test_build_only_packages_are_not_compared() -> None:
    assert versions.lock_mismatches({"setuptools": "0.0.1"}) == []
    assert versions.lock_mismatches({"click": "0.0.1"}) == [("click", "0.0.1", versions.installed_version("click"))]


def test_version_option_and_doctor_show_the_versions(tmp_path: Path) -> None:
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    for flag in ("--version", "-V"):
        run = seccheck(flag, cwd=tmp_path)
        assert run.code == 0, run.text
        lines = run.out.splitlines()
        assert lines[0] == f"seccheck {__version__}"
        assert lines[1] == f"依赖锁定文件 requirements.lock sha256 {digest}"
        assert [line.split()[0] for line in lines[2:]] == ["WeasyPrint", "pydantic", "SQLAlchemy"]
    doctor = seccheck("doctor", cwd=tmp_path)
    assert f"版本：seccheck {__version__}；requirements.lock sha256 {digest}；WeasyPrint " in doctor.out


def test_wheel_ships_the_lock(wheel: Path) -> None:  # noqa: F811
    assert zipfile.ZipFile(wheel).read("seccheck/requirements.lock") == LOCK.read_bytes()
