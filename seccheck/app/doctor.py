"""`seccheck doctor`: is this machine ready to print notices? Each check says how to fix it."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from seccheck.fileutil import private_dir
from seccheck.notice.fonts import ROLES, installed_fonts, pick, user_fonts

MIN_WEASYPRINT = (70, 0)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True


def _weasyprint() -> list[Check]:
    from importlib import metadata

    try:
        version = metadata.version("weasyprint")
    except metadata.PackageNotFoundError:
        return [Check("WeasyPrint", False, "未安装", "pip install 'weasyprint>=70'（bash scripts/setup.sh 会安装）")]
    parts = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    ok = parts >= MIN_WEASYPRINT
    checks = [
        Check(
            "WeasyPrint",
            ok,
            f"版本 {version}" + ("" if ok else "，需要 70 或更新"),
            "" if ok else "pip install -U 'weasyprint>=70'",
        )
    ]
    try:
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

        subset = bool(harfbuzz_subset) and bool(harfbuzz.hb_version_atleast(4, 1, 0))
    except (ImportError, OSError, AttributeError) as exc:  # the C libraries may be missing altogether
        return [
            *checks,
            Check(
                "HarfBuzz 子集化",
                False,
                f"WeasyPrint 无法加载：{exc}",
                "apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0",
            ),
        ]
    checks.append(
        Check(
            "HarfBuzz 子集化",
            subset,
            "libharfbuzz-subset 可用，字体由 HarfBuzz 子集化"
            if subset
            else "未找到 libharfbuzz-subset：WeasyPrint 会改用 fontTools，中文通知书慢约 50 倍",
            "" if subset else "apt-get install libharfbuzz-subset0",
        )
    )
    return checks


def _fonts(fonts_dir: Path | None) -> list[Check]:
    if shutil.which("fc-list") is None:
        return [Check("fontconfig", False, "找不到 fc-list", "apt-get install fontconfig")]
    available = (*user_fonts(fonts_dir), *installed_fonts())
    checks = []
    for role in ROLES:
        found = pick(role, available)
        if found is None:
            checks.append(
                Check(
                    role.label,
                    False,
                    "没有可用的中文字体：通知书会印成方框",
                    "apt-get install fonts-noto-cjk（楷体另需 fonts-arphic-ukai），或把授权字体放入工作区 fonts/",
                )
            )
            continue
        family, font = found
        official = family in role.official
        detail = f"{family}（{font.path}）"
        if not official:
            detail += f"；未安装官方字体 {role.official[0]}，以此代替"
        checks.append(
            Check(
                role.label,
                True,
                detail,
                "" if official else f"如有授权的 {role.official[0]} 字体文件，放入工作区 fonts/ 即优先使用",
                required=True,
            )
        )
    return checks


def _workspace(workspace_dir: Path | None, db_url: str | None) -> list[Check]:
    from seccheck.errors import BadInput
    from seccheck.storage.workspace import find_workspace, open_workspace

    try:
        ws = open_workspace(workspace_dir, db_url) if workspace_dir else find_workspace(None, db_url)
    except BadInput as exc:
        reports = Path.cwd() / "reports"
        return [
            Check("工作区", False, exc.problems[0].message, "seccheck init 目录", required=False),
            _writable(reports),
        ]
    checks = [Check("工作区", True, str(ws.root))]
    try:
        from sqlalchemy.engine import make_url

        from seccheck.storage.db import Database, current_revision

        db = Database(ws.db_url, create=False, key_file=ws.key_file)
        revision = current_revision(db.engine)
        db.close()
        checks.append(
            Check("数据库", True, f"{make_url(ws.db_url).render_as_string(hide_password=True)}（结构版本 {revision}）")
        )
    except Exception as exc:
        checks.append(Check("数据库", False, f"无法打开：{exc}", "检查 --db / SECCHECK_DB / seccheck.toml 中的地址"))
    checks.append(_ledger_key(ws.key_file))
    checks.append(_writable(ws.reports))
    return checks


def _ledger_key(path: Path | None) -> Check:
    from seccheck.storage.ledger_key import key_problem

    problem = key_problem(path)
    if problem is None:
        return Check("账本密钥", True, f"{path}（仅所有者可读）")
    return Check("账本密钥", False, problem, "见 docs/storage.md“账本密钥”")


def _writable(folder: Path) -> Check:
    try:
        private_dir(folder)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check("报告目录", False, f"{folder} 不可写：{exc.strerror}", f"chmod u+w {folder} 或用 --out 指定目录")
    return Check("报告目录", True, f"{folder} 可写")


def _versions() -> Check:
    from seccheck import versions

    data = versions.lock_bytes()
    problem = versions.lock_problem(data)
    fix = f"{problem}；请按 requirements.lock 重新安装，否则评分可能与其他单位不可比" if problem else ""
    return Check("版本", problem is None, versions.summary(data), fix, required=False)


def _ledger_hash() -> Check:
    from seccheck.domain.ledger import preferred_algorithm

    if preferred_algorithm() == "sm3":
        return Check("账本摘要算法", True, "SM3（GB/T 32905-2016）")
    return Check(
        "账本摘要算法",
        True,
        "SHA-256（本机 Python 的 hashlib 不提供 SM3；每条账本记录都注明算法，在其他机器上同样可核验）",
        required=False,
    )


def run_checks(workspace_dir: Path | None = None, db_url: str | None = None) -> list[Check]:
    fonts_dir = None
    if workspace_dir is not None:
        fonts_dir = workspace_dir / "fonts"
    elif os.path.isdir("fonts"):
        fonts_dir = Path("fonts")
    return [_versions(), _ledger_hash(), *_weasyprint(), *_fonts(fonts_dir), *_workspace(workspace_dir, db_url)]


def conclusion(checks: list[Check]) -> tuple[str, str]:
    """What the checks add up to, and how it reads ("ok" | "warning" | "failed"): never 一切就绪 after a
    warning."""
    failed = [c.name for c in checks if not c.ok and c.required]
    warned = [c.name for c in checks if not c.ok and not c.required]
    if failed:
        return f"有 {len(failed)} 项必需的条件不满足：{'、'.join(failed)}；请按上面的修复提示处理后再运行。", "failed"
    if warned:
        return (
            f"出具文书所需的条件已具备，但有 {len(warned)} 项需要处理：{'、'.join(warned)}；见上面的修复提示。",
            "warning",
        )
    return "一切就绪。", "ok"
