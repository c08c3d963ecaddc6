"""Comparing a re-inspection with the problems still open in its chain (records.md §3). Pure."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from seccheck.domain.result import Result


@dataclass(frozen=True)
class Comparison:
    fixed: tuple[str, ...]  # open before, compliant now: rectification verified
    still_failing: tuple[str, ...]  # open before, failing again: the same rectification stays open
    newly_failing: tuple[str, ...]  # failing now, not an open problem before: a new finding
    unchecked: tuple[str, ...]  # open before, not applicable or not answered now: left as it is


def compare(
    open_checks: Iterable[str], result: Result, *, asked: Collection[str], known: Collection[str] = ()
) -> Comparison:
    """`open_checks`: the chain's problems this re-inspection answers for; `asked`: the checks it
    asked again (a compliant answer merely copied from before proves nothing); `known`: checks of
    problems another audit answers for, which are neither fixed nor new here."""
    open_ids = list(dict.fromkeys(open_checks))
    failing = {f.check_id for f in result.findings}
    compliant = {c.id for cat in result.categories for i in cat.items for c in i.checks if c.compliant is True}
    fixed = tuple(c for c in open_ids if c in compliant and c in asked)
    still = tuple(c for c in open_ids if c in failing)
    return Comparison(
        fixed=fixed,
        still_failing=still,
        newly_failing=tuple(
            f.check_id for f in result.findings if f.check_id not in open_ids and f.check_id not in known
        ),
        unchecked=tuple(c for c in open_ids if c not in fixed and c not in still),
    )
