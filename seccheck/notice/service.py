"""Making a notice for an audit: number it, build it, check its glyphs, render and write it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from seccheck.errors import InputError, Problem
from seccheck.fileutil import inside, safe_filename, write_atomic
from seccheck.notice.content import Issuer, build_notice, notice_number
from seccheck.notice.fonts import describe, missing_glyphs, user_fonts
from seccheck.notice.render import FetchLog, notice_html, render_pdf
from seccheck.storage.db import Database
from seccheck.storage.store import issue_notice_number, load_audit
from seccheck.storage.workspace import Workspace


@dataclass(frozen=True)
class NoticeFile:
    path: Path
    number: str
    fetches: FetchLog | None = None


def make_notice(
    db: Database,
    workspace: Workspace,
    audit_id: int,
    *,
    fmt: str = "pdf",
    out_dir: Path | None = None,
    today: dt.date | None = None,
    allow_missing_glyphs: bool = False,
) -> NoticeFile:
    record = load_audit(db, audit_id)
    if record.status != "final" or record.result is None or record.seal is None:
        raise InputError([Problem(f"检查 {audit_id} 尚未定稿，不能出具整改通知书；请先完成检查并定稿")])
    config = workspace.config.issuer
    year, n, issued = issue_notice_number(db, audit_id, config.name, today or dt.date.today())
    number = notice_number(config.prefix, year, n)
    rs = record.ruleset.ruleset
    content = build_notice(
        record.result,
        audit_id=audit_id,
        seal=record.seal,
        number=number,
        issued=issued,
        issuer=Issuer(config.name, config.marking, config.contact, config.phone),
        inspectors=record.answers.inspectors,
        methods=record.answers.methods,
        title=rs.notice_title,
        bases=rs.basis,
    )
    fonts_dir = workspace.root / "fonts"
    extra = user_fonts(fonts_dir)
    missing = missing_glyphs(content.text(), extra)
    if missing and not allow_missing_glyphs:
        chars = "、".join(describe(ch) for ch in missing)
        raise InputError(
            [
                Problem(
                    f"通知书中有 {len(missing)} 个字符在已配置的字体中都没有，打印出来会是方框：{chars}。"
                    f"请把含这些字符的字体文件放入 {fonts_dir}，或改用常用字；确需照印可加 --allow-missing-glyphs",
                    field="notice",
                )
            ]
        )
    html = notice_html(content, extra)
    folder = out_dir or workspace.reports
    folder.mkdir(parents=True, exist_ok=True)
    target = inside(folder, safe_filename(f"{number}-{record.unit}") + f".{fmt}")
    fetches = None
    if fmt == "html":
        write_atomic(target, html.encode("utf-8"))
    else:
        data, fetches = render_pdf(html, fonts_dir if extra else None)
        write_atomic(target, data)
    return NoticeFile(target, number, fetches=fetches)
