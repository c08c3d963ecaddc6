"""Fonts for the notice: a stack per role that tries the official face first, then free ones.

Also finds which installed font fontconfig would use for each role, and which characters of a
notice no configured font has (they would print as boxes).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    official: tuple[str, ...]
    free: tuple[str, ...]
    generic: str

    @property
    def stack(self) -> tuple[str, ...]:
        return self.official + self.free

    def css(self, available: set[str] | None = None) -> str:
        """The CSS font-family list, naming only installed families when `available` is given.

        fontconfig answers a missing family with its default (DejaVu, which has no Chinese), and
        Pango then falls back glyph by glyph: a missing 黑体 would not fall back to Noto Sans CJK as
        the stack intends. Listing only what is installed keeps the intended order.
        """
        families = [f for f in self.stack if available is None or f in available]
        return ", ".join(f'"{family}"' for family in families) + f", {self.generic}"


ROLES = (
    Role(
        "body",
        "正文（仿宋）",
        ("仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong"),
        ("Noto Serif CJK SC", "AR PL UKai CN", "Noto Sans CJK SC"),
        "serif",
    ),
    Role(
        "title",
        "标题（小标宋）",
        ("方正小标宋简体", "FZXiaoBiaoSong-B05S", "方正小标宋_GBK", "FZXiaoBiaoSong-B05"),
        ("Noto Serif CJK SC", "Noto Sans CJK SC"),
        "serif",
    ),
    Role(
        "heading",
        "一级标题（黑体）",
        ("黑体", "SimHei", "STHeiti"),
        ("Noto Sans CJK SC", "Noto Serif CJK SC"),
        "sans-serif",
    ),
    Role(
        "heading2",
        "二级标题（楷体）",
        ("楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "STKaiti"),
        ("AR PL UKai CN", "Noto Serif CJK SC", "Noto Sans CJK SC"),
        "serif",
    ),
    Role("page", "页码（宋体）", ("宋体", "SimSun", "STSong"), ("Noto Serif CJK SC", "Noto Sans CJK SC"), "serif"),
)


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int
    families: tuple[str, ...]


@cache
def installed_fonts() -> tuple[FontFile, ...]:
    """Every font fontconfig knows, with its families (all languages' names)."""
    if shutil.which("fc-list") is None:
        return ()
    proc = subprocess.run(
        ["fc-list", "--format", "%{file}\t%{index}\t%{family}\n"], capture_output=True, text=True, check=False
    )
    fonts = []
    for line in proc.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            fonts.append(FontFile(parts[0], int(parts[1] or 0), tuple(f.strip() for f in parts[2].split(","))))
    return tuple(fonts)


def role_css(extra: Iterable[FontFile] = (), *, portable: bool = False) -> dict[str, str]:
    """The CSS font-family list of every role: naming only fonts that are installed or given, or, for
    HTML meant to be opened on another machine (`portable`), the whole stack, official faces first."""
    if portable:
        return {role.key: role.css(None) for role in ROLES}
    available = {family for font in (*extra, *installed_fonts()) for family in font.families}
    return {role.key: role.css(available) for role in ROLES}


def user_fonts(folder: Path | None) -> tuple[FontFile, ...]:
    """Licensed font files a user put in the workspace's fonts/ folder."""
    if folder is None or not folder.is_dir():
        return ()
    from fontTools.ttLib import TTCollection, TTFont

    out = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in FONT_SUFFIXES:
            continue
        try:
            fonts = (
                TTCollection(path, lazy=True).fonts
                if path.suffix.lower() in (".ttc", ".otc")
                else [TTFont(path, lazy=True)]
            )
        except Exception:
            continue
        for index, font in enumerate(fonts):
            names = {str(r) for r in font["name"].names if r.nameID in (1, 16)}
            out.append(FontFile(str(path), index, tuple(sorted(names))))
    return tuple(out)


def pick(role: Role, fonts: Iterable[FontFile]) -> tuple[str, FontFile] | None:
    """The first family of the role's stack that is installed, and its file."""
    # Prefer a regular weight when a family comes in several files.
    fonts = sorted(fonts, key=lambda f: "Regular" not in Path(f.path).name)
    for family in role.stack:
        for font in fonts:
            if family in font.families:
                return family, font
    return None


@cache
def _cmap(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    cmap = font.getBestCmap() or {}
    return frozenset(cmap)


@cache
def _covered(fonts: tuple[tuple[str, int], ...]) -> frozenset[int]:
    """Every code point some of `fonts` has (their union, made once: a notice is checked in a moment)."""
    return frozenset().union(*(_cmap(path, index) for path, index in fonts))


def configured_fonts(extra: Iterable[FontFile] = ()) -> list[FontFile]:
    """The installed files of every family named in any role's stack."""
    wanted = {family for role in ROLES for family in role.stack}
    return [f for f in (*extra, *installed_fonts()) if wanted & set(f.families)]


def missing_glyphs(text: str, extra: Iterable[FontFile] = ()) -> list[str]:
    """Characters of `text` that no configured font has, in order of appearance."""
    fonts = configured_fonts(extra)
    if not fonts:
        return sorted({ch for ch in text if ord(ch) > 0x7F}, key=text.index)
    covered = _covered(tuple((font.path, font.index) for font in fonts))
    missing = {ch for ch in set(text) if ord(ch) not in covered and not ch.isspace()}
    return sorted(missing, key=text.index)


def describe(ch: str) -> str:
    import unicodedata

    name = unicodedata.name(ch, "")
    return f"“{ch}”（U+{ord(ch):04X}{' ' + name if name else ''}）"


def font_faces(extra: Iterable[FontFile]) -> str:
    """@font-face rules for the user's own font files (served by the restricted URL fetcher)."""
    rules = []
    for font in extra:
        for family in font.families:
            rules.append(f'@font-face {{ font-family: "{family}"; src: url("{Path(font.path).as_uri()}"); }}')
    return "\n".join(rules)
