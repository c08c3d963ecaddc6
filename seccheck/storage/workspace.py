"""A workspace: a folder with `seccheck.toml`, the SQLite database (or a PostgreSQL URL) and reports/.

Commands find the workspace from the current directory upwards, or take `--workspace`. The
database URL comes from `--db`, then `SECCHECK_DB`, then `[database] url` in `seccheck.toml`, then
the workspace's own `seccheck.db`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from seccheck import limits
from seccheck.errors import BadInput, Problem
from seccheck.fileutil import private_dir, write_atomic
from seccheck.tomlfile import LineIndex, problems_from_validation, read_toml

CONFIG_NAME = "seccheck.toml"
DB_NAME = "seccheck.db"
REPORTS = "reports"
DB_ENV = "SECCHECK_DB"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _one_line(text: str) -> str:
    # What reaches the database and the documents: no control characters (records.md §6).
    problem = limits.control_problem(text)
    if problem:
        raise ValueError(problem)
    return text


def _name(text: str) -> str:
    problem = limits.name_problem(text)
    if problem:
        raise ValueError(problem)
    return text


_OneLine = AfterValidator(_one_line)
_NameLine = AfterValidator(_name)  # names a person types: no invisible or direction-changing characters
_Name = Annotated[str, Field(max_length=limits.NAME), _NameLine]
_Person = Annotated[str, Field(max_length=limits.PERSON), _NameLine]
_Short = Annotated[str, Field(max_length=limits.PREFIX), _OneLine]
_Phone = Annotated[str, Field(max_length=limits.PHONE), _OneLine]


class Issuer(_Section):
    name: _Name = Field(default="", description="发文机关全称，如 某区国家保密局")
    prefix: _Short = Field(default="", description="发文字号前缀，如 某保检 -> 某保检〔2026〕12号")
    marking: _Short = Field(default="", description="左上角标识，如 工作秘密；留空不印")
    contact: _Person = Field(default="", description="联系人")
    phone: _Phone = Field(default="", description="联系电话")


class Defaults(_Section):
    inspectors: list[_Person] = Field(default_factory=list, description="默认检查人员")


class Rectification(_Section):
    deadline_from: Literal["notice", "audit"] = Field(
        default="notice", description="整改期限起算：notice 自通知书印发之日（默认），audit 自检查之日"
    )


class Notice(_Section):
    calculation: bool = Field(
        default=False, description="是否在通知书正文写出一行计算说明（默认不写：计算过程见评分表）"
    )


class Database(_Section):
    url: str = Field(default="", max_length=2000, description="留空：工作区内的 SQLite 文件 seccheck.db")
    key_file: str = Field(
        default="", max_length=2000, description="账本密钥文件；留空：SQLite 数据库旁（或工作区内）的 seccheck.key"
    )


class WorkspaceConfig(_Section):
    issuer: Issuer = Field(default_factory=Issuer)
    defaults: Defaults = Field(default_factory=Defaults)
    rectification: Rectification = Field(default_factory=Rectification)
    notice: Notice = Field(default_factory=Notice)
    database: Database = Field(default_factory=Database)


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: WorkspaceConfig
    db_url: str

    @property
    def reports(self) -> Path:
        return self.root / REPORTS

    @property
    def evidence(self) -> Path:
        return self.root / "evidence"

    @property
    def key_file(self) -> Path | None:
        """The ledger key (seccheck.storage.ledger_key): SECCHECK_KEY_FILE, `[database] key_file`,
        beside the SQLite file, or in the workspace."""
        from seccheck.storage.ledger_key import default_key_file

        return default_key_file(self.db_url, self.root, self.config.database.key_file)


def find_workspace(start: Path | None = None, db_url: str | None = None) -> Workspace:
    """The workspace containing `start` (default: the current directory)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return open_workspace(folder, db_url)
    hint = "请先运行 seccheck init，或用 --workspace 指定"
    raise BadInput([Problem(f"在 {here} 及其上级目录中找不到工作区（{CONFIG_NAME}）；{hint}")])


def open_workspace(root: Path, db_url: str | None = None) -> Workspace:
    root = root.resolve()
    path = root / CONFIG_NAME
    data, text = read_toml(path)
    try:
        config = WorkspaceConfig.model_validate(data)
    except ValidationError as exc:
        raise BadInput(problems_from_validation(exc, data, str(path), LineIndex(text))) from None
    url = db_url or os.environ.get(DB_ENV) or config.database.url or f"sqlite:///{root / DB_NAME}"
    return Workspace(root, config, url)


TEMPLATE = """\
# seccheck 工作区配置。修改后立即生效。

[issuer]
name = {name}        # 发文机关全称，印在整改通知书上
prefix = {prefix}    # 发文字号前缀：{{prefix}}〔{{year}}〕{{n}}号
marking = {marking}  # 左上角标识，如 "工作秘密"；留空不印
contact = {contact}  # 联系人
phone = {phone}      # 联系电话

[defaults]
inspectors = {inspectors}

[rectification]
deadline_from = "notice"   # 整改期限起算："notice" 自通知书印发之日，"audit" 自检查之日（均不早于通知书日期）

[notice]
calculation = false        # true：在通知书正文写出一行计算说明（默认不写，计算过程见评分表）

[database]
# 留空：使用本目录下的 SQLite 数据库 seccheck.db。seccheck init --db 地址 会把地址写在这里。
# 多人共用时填 PostgreSQL 地址，如 "postgresql+psycopg://seccheck@db.example/seccheck"；
# 也可用命令行 --db 或环境变量 SECCHECK_DB 临时指定。本文件只有所有者可读（地址中可能有口令）。
url = {url}
"""


def _toml_str(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def init_workspace(root: Path, issuer: Issuer, inspectors: list[str], db_url: str | None = None) -> Workspace:
    """Create the folder's config, reports/ and (for SQLite) the database file, owner-only."""
    # Checked before anything is written: a bad option leaves no half-made workspace behind.
    given = {"issuer": issuer.model_dump(), "defaults": {"inspectors": inspectors}}
    try:
        WorkspaceConfig.model_validate(given)
    except ValidationError as exc:
        raise BadInput(problems_from_validation(exc, given, "seccheck init", LineIndex(""))) from None
    private_dir(root)
    path = root / CONFIG_NAME
    if path.exists():
        raise BadInput([Problem("这里已经是一个工作区", file=str(path))])
    text = TEMPLATE.format(
        name=_toml_str(issuer.name),
        prefix=_toml_str(issuer.prefix),
        marking=_toml_str(issuer.marking),
        contact=_toml_str(issuer.contact),
        phone=_toml_str(issuer.phone),
        inspectors="[" + ", ".join(_toml_str(i) for i in inspectors) + "]",
        url=_toml_str(db_url or ""),
    )
    write_atomic(path, text.encode("utf-8"))
    private_dir(root / REPORTS)
    return open_workspace(root, db_url)
