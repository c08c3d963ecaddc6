"""What a list of records shows, as plain values: a unit, a campaign, an audit in one row each.

Storage reads them, the use cases hand them out, the CLI and the JSON views render them: they live here,
below all three, so that the CLI never imports storage to name what it prints."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class UnitInfo:
    id: int
    name: str
    code: str
    kind: str
    contact: str
    audits: int


@dataclass(frozen=True)
class CampaignInfo:
    id: int
    name: str
    year: int
    rulesets: list[str]
    period_start: dt.date | None
    period_end: dt.date | None
    planned: list[str] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)  # planned or not, units with a final original audit
    audits: int = 0


@dataclass(frozen=True)
class AuditSummary:
    id: int
    unit: str
    campaign: str | None
    ruleset_id: str
    ruleset_version: str
    date: dt.date
    mode: str
    status: str
    grade: str | None
    percent: str | None  # as shown: one decimal
    revision: int
    reinspection_of: int | None
