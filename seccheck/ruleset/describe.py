"""A check's deduction rule in words, shared by the interview prompt and `seccheck ruleset show`."""

from __future__ import annotations

from seccheck.numbers import fmt
from seccheck.ruleset.model import Check, Item, Ruleset


def cost_words(rs: Ruleset, item: Item, chk: Check) -> list[str]:
    """What a non-compliant answer costs: deduction, veto, severity."""
    parts = []
    if rs.scoring.method == "deduction" and item.scored:
        if chk.kind == "count":
            limit = f"（{fmt(chk.max_ok)} 起以内不扣）" if chk.max_ok else ""
            cap = f"，最多扣 {fmt(chk.per_cap)} 分" if chk.per_cap is not None else ""
            unbounded = "，累加不封顶" if item.aggravating and not cap else ""
            parts.append(f"每起扣 {fmt(chk.per)} 分{limit}{cap}{unbounded}")
        elif chk.kind == "choice":
            parts.append("；".join(f"{o.label}扣 {fmt(o.deduct)} 分" for o in chk.options if o.deduct))
        elif isinstance(chk.deduct, tuple):
            step = f"（按 {fmt(chk.deduct_step)} 分）" if chk.step is not None else ""
            parts.append(f"不合规扣 {fmt(chk.deduct[0])}–{fmt(chk.deduct[1])} 分{step}")
        elif chk.deduct is not None:
            parts.append(f"不合规扣 {fmt(chk.deduct)} 分")
        elif chk.scorable:
            parts.append(f"不合规扣本项全部 {fmt(item.points)} 分")
    elif chk.scorable and rs.scoring.method == "checklist":
        parts.append("不合规记为问题")
    if chk.veto:
        parts.append(f"否决项：不合规直接评定为“{rs.scoring.effective_veto_grade}”")
    severity = rs.severity_of(item, chk)
    if chk.scorable and severity != "general":
        parts.append({"major": "较重问题", "critical": "严重问题"}[severity])
    return parts
