"""The ledger key: the secret every ledger entry's keyed code (HMAC-SM3) is made with, kept outside the
database so that someone who can only write the database cannot write entries that verify.

Where it is (the first that applies):
1. the file named by the environment variable SECCHECK_KEY_FILE (an office supplying the key of a
   shared PostgreSQL database to each inspector);
2. `[database] key_file` in seccheck.toml;
3. `seccheck.key` beside the SQLite database file (the workspace's own database: in the workspace);
4. `seccheck.key` in the workspace (PostgreSQL).

The file holds 64 hexadecimal characters (32 random bytes) and a newline, readable by its owner only
(0600). `seccheck init` makes it; a workspace made before keys existed gets one the first time it is
written to (or opened by a newer seccheck), and every entry from then on carries a code. A key that
has gone missing is never silently replaced: writing is refused until it is restored (docs/storage.md).
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

from seccheck.errors import EnvironmentProblem, Problem

KEY_NAME = "seccheck.key"
KEY_ENV = "SECCHECK_KEY_FILE"


def sqlite_file(db_url: str) -> Path | None:
    """The database file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    parsed = make_url(db_url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def default_key_file(db_url: str, workspace_root: Path | None = None, configured: str = "") -> Path | None:
    """Where the key of this database is looked for (see the module's description)."""
    if os.environ.get(KEY_ENV):
        return Path(os.environ[KEY_ENV]).expanduser()
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_absolute() or workspace_root is None else workspace_root / path
    database = sqlite_file(db_url)
    if database is not None:
        return database.parent / KEY_NAME
    return workspace_root / KEY_NAME if workspace_root is not None else None


def _bad_key(path: Path, why: str) -> EnvironmentProblem:
    return EnvironmentProblem(
        [Problem(f"账本密钥文件 {path} {why}；请从备份恢复原来的密钥文件（见 docs/storage.md“账本密钥”）", field="key")]
    )


def read_key(path: Path) -> bytes | None:
    """The key in `path`, or None when there is no such file."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        raise _bad_key(path, "无法读取") from None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise _bad_key(path, "的内容不是密钥（应为 64 位十六进制）") from None
    if len(key) < 16:
        raise _bad_key(path, "中的密钥过短（应为 64 位十六进制）")
    return key


def create_key(path: Path) -> bytes:
    """A new random key in a new file, owner-only from its first byte; never overwrites a file."""
    key = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        existing = read_key(path)
        assert existing is not None
        return existing
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.hex() + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.chmod(path, 0o600)
    return key


def key_problem(path: Path | None) -> str | None:
    """What is wrong with the key file for `seccheck doctor` (None when it is present and private)."""
    if path is None:
        return f"没有账本密钥：请用环境变量 {KEY_ENV} 指定发文机关提供的密钥文件"
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return f"账本密钥文件 {path} 不存在；请从备份恢复（新建的工作区由 seccheck init 生成）"
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return f"账本密钥文件 {path} 其他人也能读取（权限 {stat.S_IMODE(mode):o}）；请运行 chmod 600 {path}"
    try:
        read_key(path)
    except EnvironmentProblem as exc:
        return exc.problems[0].message
    return None
