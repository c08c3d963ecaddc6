"""Writing files safely: atomically (temp file, then rename) and readable by the owner only."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomic(path: Path | str, data: bytes, mode: int = 0o600) -> None:
    """Write `data` so that readers see the old file or the new one, never half of it."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def private_dir(path: Path | str) -> Path:
    """`path` as a directory, made with every missing part owner-only (0700) whatever the umask.

    Folders that already exist are left as they are: they are the user's."""
    folder = Path(path)
    missing: list[Path] = []
    for part in (folder, *folder.parents):
        if part.exists():
            break
        missing.append(part)
    for part in reversed(missing):
        try:
            part.mkdir(mode=0o700)
        except FileExistsError:
            continue  # made meanwhile by another process
        os.chmod(part, 0o700)  # mkdir's mode is cut by the umask, never widened; say it exactly
    if not folder.is_dir():
        folder.mkdir()  # raises the error that says why (a file in the way)
    return folder


_UNSAFE = set('/\\:*?"<>|\0') | {chr(c) for c in range(32)}


def safe_filename(text: str, fallback: str = "未命名", limit: int = 80) -> str:
    """A file name made from user text that cannot leave its folder: no separators, no `..`,
    no control characters, no leading dot; Chinese is kept."""
    from seccheck.limits import neutralised

    cleaned = "".join("_" if ch in _UNSAFE else ch for ch in neutralised(text)).strip().strip(".")
    cleaned = cleaned.replace("..", "_")
    return cleaned[:limit] or fallback


def inside(folder: Path, name: str) -> Path:
    """`folder / name`, refusing anything that would resolve outside `folder`."""
    target = (folder / name).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise ValueError(f"{name!r} would leave {folder}")
    return target
