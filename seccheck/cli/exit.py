"""Exit statuses, and the one place where an error becomes a status and a message.

| status | meaning |
|---|---|
| 0 | done |
| 1 | bad input: a file, option or answer is wrong (every problem printed) |
| 2 | usage: the command line itself is wrong (unknown option, bad date) |
| 3 | not found: a named audit, unit, campaign or rectification does not exist |
| 4 | conflict: the request clashes with the records (a second audit, a wrong state) |
| 5 | environment: disk full, read-only or unreachable database, a path that must not be written |
| 70 | a defect of seccheck itself |
| 130 | interrupted (Ctrl-C) |
"""

from __future__ import annotations

import errno
from enum import IntEnum

from seccheck.errors import BadInput, Conflict, EnvironmentProblem, NotFound, Problem, SeccheckError


class ExitStatus(IntEnum):
    OK = 0
    BAD_INPUT = 1
    USAGE = 2
    NOT_FOUND = 3
    CONFLICT = 4
    ENVIRONMENT = 5
    INTERNAL = 70
    INTERRUPTED = 130


STATUS_OF: dict[type[SeccheckError], ExitStatus] = {
    BadInput: ExitStatus.BAD_INPUT,
    NotFound: ExitStatus.NOT_FOUND,
    Conflict: ExitStatus.CONFLICT,
    EnvironmentProblem: ExitStatus.ENVIRONMENT,
}

_ERRNO_WORDS = {
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EACCES: "没有权限",
    errno.EPERM: "不允许的操作",
    errno.EROFS: "只读文件系统",
    errno.ENOENT: "文件或目录不存在",
    errno.ENOTDIR: "路径中有一段不是目录",
    errno.EISDIR: "这是目录",
    errno.ELOOP: "符号链接过多或指向自身",
    errno.EIO: "读写错误（磁盘或设备故障）",
}


def status_of(exc: SeccheckError) -> ExitStatus:
    for kind in type(exc).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return ExitStatus.BAD_INPUT


def from_os_error(exc: OSError) -> EnvironmentProblem:
    words = _ERRNO_WORDS.get(exc.errno or 0, exc.strerror or str(exc))
    where = exc.filename if exc.filename is not None else None
    return EnvironmentProblem([Problem(f"无法读写文件：{words}", file=str(where) if where else None)])


def from_database_error(exc: Exception) -> SeccheckError | None:
    """Database errors that are the machine's or the input's, not ours; None for anything else."""
    from sqlalchemy.exc import DataError, IntegrityError, OperationalError

    detail = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(getattr(exc, "orig", exc)) else ""
    low = detail.lower()
    if isinstance(exc, OperationalError):
        for needle, words in (
            ("readonly", "数据库是只读的（文件或目录没有写权限）"),
            ("read-only", "数据库是只读的"),
            ("disk is full", "磁盘已满，数据库无法写入"),
            ("disk i/o", "数据库读写错误（磁盘故障或空间不足）"),
            ("unable to open", "无法打开数据库文件"),
            ("connection", "无法连接数据库服务器"),
            ("could not", "无法连接数据库服务器"),
            ("locked", "数据库被其他程序长时间占用（锁定）"),
        ):
            if needle in low:
                return EnvironmentProblem([Problem(f"{words}：{detail}")])
        return EnvironmentProblem([Problem(f"数据库错误：{detail}")])
    if isinstance(exc, IntegrityError):
        return Conflict([Problem(f"与已有记录冲突（可能另一位检查人员同时在做同一件事），请重试：{detail}")])
    if isinstance(exc, DataError):
        return BadInput([Problem(f"数据库拒绝保存这个值：{detail}")])
    return None
