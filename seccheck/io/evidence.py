"""Evidence files: hashed and copied into the workspace, so the audit keeps them even if the
original is moved or edited. The answer refers to the copy by a path that includes its digest."""

from __future__ import annotations

import hashlib
from pathlib import Path

from seccheck.fileutil import inside, safe_filename, write_atomic

MAX_EVIDENCE_BYTES = 200 * 1024 * 1024


def keep_evidence(evidence_dir: Path, source: str | Path) -> str:
    path = Path(source).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"{path} 不存在或不是文件")
    if path.stat().st_size > MAX_EVIDENCE_BYTES:
        raise OSError(f"{path} 超过 {MAX_EVIDENCE_BYTES // 1024 // 1024} MB")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    evidence_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{digest[:16]}-{safe_filename(path.name)}"
    target = inside(evidence_dir, name)
    if not target.exists():
        write_atomic(target, data)
    return f"{evidence_dir.name}/{name}"
