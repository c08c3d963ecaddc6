"""Evidence named by answers files: kept in the workspace with its digest, as the interview does."""

from __future__ import annotations

from pathlib import Path

from seccheck.app.context import Context
from seccheck.domain.answers import Answer, Answers
from seccheck.errors import BadInput, Problem
from seccheck.io.evidence import keep_evidence
from seccheck.tomlfile import LineIndex


def keep_file_evidence(ctx: Context, answers: Answers, path: Path, lines: LineIndex | None = None) -> Answers:
    """Hash and copy every evidence file an answers file names (relative to the file) into the
    workspace; the answers then name the copies, digest first. A missing file is refused."""
    kept: dict[str, Answer] = {}
    problems: list[Problem] = []
    evidence_dir = ctx.workspace.evidence
    for key, answer in answers.answers.items():
        if not answer.evidence:
            continue
        refs = []
        for ref in answer.evidence:
            source = Path(ref).expanduser()
            source = source if source.is_absolute() else path.parent / source
            try:
                refs.append(keep_evidence(evidence_dir, source))
            except OSError as exc:
                line = lines.of_key(key) if lines is not None else None
                problems.append(
                    Problem(
                        f"佐证材料 {ref} 无法读取（按答案文件所在目录 {path.parent} 查找）：{exc}",
                        str(path),
                        line,
                        key,
                        "evidence",
                    )
                )
        kept[key] = answer.model_copy(update={"evidence": tuple(refs)})
    if problems:
        raise BadInput(problems)
    if not kept:
        return answers
    return answers.model_copy(update={"answers": {**answers.answers, **kept}})
