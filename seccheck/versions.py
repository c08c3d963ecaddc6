"""What this installation is made of, so that two offices can tell whether their scores are comparable.

Scores and notices depend on seccheck and on the libraries it was installed with. Every install path
installs the pins of one lock file (`requirements.lock`, made by scripts/lock.sh); a copy of it is
package data, so its sha256 names the set of versions. Pure functions; only the standard library, and
nothing is read until called, so that `seccheck --help` stays fast.
"""

from __future__ import annotations

import hashlib
import re
from importlib import metadata, resources

from seccheck import __version__

LOCK_NAME = "requirements.lock"
#: The libraries whose versions most affect scores, seals and notices, with their display names.
KEY_LIBRARIES = {"weasyprint": "WeasyPrint", "pydantic": "pydantic", "sqlalchemy": "SQLAlchemy"}
#: Locked only to build seccheck itself; their versions do not change what seccheck does.
BUILD_ONLY = frozenset({"setuptools"})
UNKNOWN = "未知"

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def lock_bytes() -> bytes | None:
    """The shipped copy of requirements.lock, or None when this installation has none."""
    try:
        return resources.files("seccheck").joinpath(LOCK_NAME).read_bytes()
    except (FileNotFoundError, NotADirectoryError, OSError):
        return None


def lock_digest(data: bytes) -> str:
    """The lock's sha256 in hex, the same as `sha256sum requirements.lock` prints."""
    return hashlib.sha256(data).hexdigest()


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_pins(text: str) -> dict[str, str]:
    """Each `name==version` line of a requirements file: normalized name → version."""
    return {normalize(name): version for name, version in _PIN.findall(text)}


def installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def lock_mismatches(pins: dict[str, str]) -> list[tuple[str, str, str | None]]:
    """The locked packages installed at another version or not at all: (name, locked, installed).

    Build-only packages are left out."""
    wrong = []
    for name, locked in sorted(pins.items()):
        if name in BUILD_ONLY:
            continue
        installed = installed_version(name)
        if installed != locked:
            wrong.append((name, locked, installed))
    return wrong


def version_info() -> dict[str, str]:
    """seccheck's version, the lock's sha256 and the installed versions of the key libraries."""
    return _info(lock_bytes())


def _info(data: bytes | None) -> dict[str, str]:
    info = {"seccheck": __version__, "lock_sha256": lock_digest(data) if data is not None else UNKNOWN}
    for name, label in KEY_LIBRARIES.items():
        info[label] = installed_version(name) or "未安装"
    return info


def lock_problem(data: bytes | None) -> str | None:
    """Why this installation may not score like others installed from the same lock, or None."""
    if data is None:
        return f"找不到 {LOCK_NAME}：无法确认所装依赖的版本"
    wrong = lock_mismatches(locked_pins(data.decode("utf-8")))
    if not wrong:
        return None
    shown = [f"{name} {installed or '未安装'}（锁定 {locked}）" for name, locked, installed in wrong[:5]]
    more = f" 等 {len(wrong)} 个" if len(wrong) > 5 else ""
    return "已安装的依赖与锁定文件不一致：" + "、".join(shown) + more


def version_lines() -> list[str]:
    """What `seccheck --version` prints: one fact a line, then a warning if the install strays from the lock."""
    data = lock_bytes()
    info = _info(data)
    lines = [f"seccheck {info.pop('seccheck')}", f"依赖锁定文件 {LOCK_NAME} sha256 {info.pop('lock_sha256')}"]
    lines += [f"{label} {version}" for label, version in info.items()]
    problem = lock_problem(data)
    if problem:
        lines.append(f"注意：{problem}；评分可能与其他单位不可比。")
    return lines


def summary(data: bytes | None) -> str:
    """The same facts on one line, for `seccheck doctor`."""
    info = _info(data)
    libraries = "，".join(f"{label} {info[label]}" for label in KEY_LIBRARIES.values())
    return f"seccheck {info['seccheck']}；{LOCK_NAME} sha256 {info['lock_sha256']}；{libraries}"
