"""The database schema (SQLAlchemy 2). Changes go through a new Alembic migration, never an edit
of an old one: databases in the field are upgraded by `seccheck` itself when it opens them.

Money-like numbers (points, deductions, percent) are stored as text: exact on both SQLite and
PostgreSQL, and read back as Decimal.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Unit(Base):
    """An inspected unit (机关、单位), a department, a person or a site such as a print shop."""

    __tablename__ = "units"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    code: Mapped[str] = mapped_column(String(64), default="")  # 统一社会信用代码 or a local code
    kind: Mapped[str] = mapped_column(String(64), default="")  # 党政机关、企业、打字复印店…
    contact: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[str] = mapped_column(String(32))


class Campaign(Base):
    """A 专项行动 or an annual round of inspections."""

    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    rulesets: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of ruleset ids
    period_start: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    period_end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[str] = mapped_column(String(32))


class CampaignUnit(Base):
    """Units planned for a campaign (应检单位)."""

    __tablename__ = "campaign_units"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)


class RulesetCopy(Base):
    """The exact text of every ruleset an audit was scored with, kept once per digest."""

    __tablename__ = "ruleset_copies"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    ruleset_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)


class Audit(Base):
    """One inspection or self-assessment of one unit with one ruleset."""

    __tablename__ = "audits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), nullable=True)
    ruleset_id: Mapped[str] = mapped_column(String(64))
    ruleset_version: Mapped[str] = mapped_column(String(64))
    ruleset_sha256: Mapped[str] = mapped_column(ForeignKey("ruleset_copies.sha256"))
    mode: Mapped[str] = mapped_column(String(16))  # inspection | self
    inspectors: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    methods: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | final
    revision: Mapped[int] = mapped_column(Integer, default=1)
    revision_of: Mapped[int | None] = mapped_column(ForeignKey("audits.id"), nullable=True)
    superseded_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reinspection_of: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the audit this follows up
    grade: Mapped[str | None] = mapped_column(String(64), nullable=True)
    percent: Mapped[str | None] = mapped_column(String(16), nullable=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)  # canonical JSON of the Result
    seal: Mapped[str | None] = mapped_column(String(64), nullable=True)  # SHA-256, final audits only
    source: Mapped[str] = mapped_column(String(500), default="")  # answers file or "interview"
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[str] = mapped_column(String(32))
    finalized_at: Mapped[str | None] = mapped_column(String(32), nullable=True)

    __table_args__ = (
        Index("ix_audits_unit", "unit_id"),
        Index("ix_audits_campaign", "campaign_id"),
    )


class AnswerRow(Base):
    """One answer as given: saved the moment it is given, with who and when."""

    __tablename__ = "answers"
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # profile or check id (or item id for na)
    value: Mapped[str] = mapped_column(Text)  # canonical JSON, see seccheck.seal.encode_answer
    na: Mapped[bool] = mapped_column(Boolean, default=False)
    deduct: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    evidence: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of file names
    answered_by: Mapped[str] = mapped_column(String(200), default="")
    answered_at: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0)  # order given, for resuming


class FindingRow(Base):
    """A finding of a final audit, kept as a row so campaigns can count and track them."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"))
    check_id: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[str] = mapped_column(String(64))
    category_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    deduction: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(16))
    due: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("audit_id", "check_id"),
        Index("ix_findings_audit", "audit_id"),
    )


class Event(Base):
    """The append-only log: who did what, when. Triggers refuse UPDATE and DELETE."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    audit_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON


class NoticeNumber(Base):
    """发文字号: per issuer per year, gapless, never reused; one per audit."""

    __tablename__ = "notice_numbers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), unique=True)
    issued_at: Mapped[str] = mapped_column(String(32))

    __table_args__ = (UniqueConstraint("issuer", "year", "number"),)


class Rectification(Base):
    """The life of one finding after the notice: open -> reported -> verified (or rejected)."""

    __tablename__ = "rectifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="open")
    due: Mapped[dt.date] = mapped_column(Date)
    report_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    report_evidence: Mapped[str] = mapped_column(Text, default="[]")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # why rejected
    updated_at: Mapped[str] = mapped_column(String(32))
    updated_by: Mapped[str] = mapped_column(String(200), default="")
