"""Evidence files: hashed and copied into the workspace, so the audit keeps them even if the
original is moved or edited. The answer refers to the copy by a path that begins with the file's
SHA-256 (`evidence/<sha256>-照片.jpg`): the digest is thus part of the sealed answers, and
`seccheck verify` re-hashes the copy against it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from seccheck.fileutil import inside, private_dir, safe_filename, write_atomic

MAX_EVIDENCE_BYTES = 200 * 1024 * 1024


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def digest_in_name(ref: str) -> str:
    """The digest a kept file's name begins with (16 hex digits for files kept by seccheck 0.1)."""
    return Path(ref).name.split("-", 1)[0]


def keep_evidence(evidence_dir: Path, source: str | Path) -> str:
    path = Path(source).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"{path} 不存在或不是文件")
    if path.stat().st_size > MAX_EVIDENCE_BYTES:
        raise OSError(f"{path} 超过 {MAX_EVIDENCE_BYTES // 1024 // 1024} MB")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    private_dir(evidence_dir)
    # A file exported by seccheck already carries its digest: keep its name as it is.
    name = path.name if path.name.startswith(f"{digest}-") else f"{digest}-{safe_filename(path.name)}"
    target = inside(evidence_dir, name)
    if not target.exists():
        write_atomic(target, data)
    return f"{evidence_dir.name}/{name}"
