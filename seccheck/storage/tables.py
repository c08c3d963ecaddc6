# Long on purpose: the whole schema in one place, one class a table, as the migrations and the ledger see it.
"""The database schema (SQLAlchemy 2). Changes go through a new Alembic migration, never an edit
of an old one: databases in the field are upgraded by `seccheck` itself when it opens them.

Columns are typed (migration 0006, seccheck.storage.types): points, deductions and percent are
exact NUMERIC read back as Decimal, structured data JSON (JSONB on PostgreSQL), moments
timezone-aware timestamps, and every reference to another row a foreign key.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

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

from seccheck.storage.types import Exact, Json, Timestamp


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
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)


class Campaign(Base):
    """A 专项行动 or an annual round of inspections."""

    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    rulesets: Mapped[list[str]] = mapped_column(Json, default=list)  # ruleset ids
    period_start: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    period_end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)


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
    """One inspection or self-assessment of one unit with one ruleset, in its current revision.

    The row always holds the latest revision (particulars, result, seal) and `answers` its answers;
    every final revision is also kept, sealed, in `audit_revisions`. A re-inspection is an audit of
    its own that follows up another (`reinspection_of`); `chain_id` is the original audit of the chain.
    """

    __tablename__ = "audits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), nullable=True)
    ruleset_id: Mapped[str] = mapped_column(String(64))
    ruleset_version: Mapped[str] = mapped_column(String(64))
    ruleset_sha256: Mapped[str] = mapped_column(ForeignKey("ruleset_copies.sha256"))
    mode: Mapped[str] = mapped_column(String(16))  # inspection | self
    inspectors: Mapped[list[str]] = mapped_column(Json, default=list)
    methods: Mapped[list[str]] = mapped_column(Json, default=list)
    date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | final | discarded
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # The audit this follows up, and the original audit of its chain.
    reinspection_of: Mapped[int | None] = mapped_column(ForeignKey("audits.id"), nullable=True)
    chain_id: Mapped[int | None] = mapped_column(ForeignKey("audits.id"), nullable=True)
    # A re-inspection: the checks it asked again (JSON list); only these can verify a problem fixed.
    asked: Mapped[list[str] | None] = mapped_column(Json, nullable=True)
    grade: Mapped[str | None] = mapped_column(String(64), nullable=True)
    percent: Mapped[Decimal | None] = mapped_column(Exact(places=1), nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)  # the Result as JSON data
    seal: Mapped[str | None] = mapped_column(String(64), nullable=True)  # SHA-256, final audits only
    source: Mapped[str] = mapped_column(String(500), default="")  # answers file or "interview"
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    finalized_at: Mapped[dt.datetime | None] = mapped_column(Timestamp, nullable=True)
    # 0.1.0 kept revisions as rows of their own; migration 0004 folded them and left these empty.
    revision_of: Mapped[int | None] = mapped_column(ForeignKey("audits.id"), nullable=True)
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("audits.id"), nullable=True)

    __table_args__ = (
        Index("ix_audits_unit", "unit_id"),
        Index("ix_audits_campaign", "campaign_id"),
        Index("ix_audits_chain", "chain_id"),  # migration 0008: a chain's audits without a scan
    )


class AuditRevision(Base):
    """A final revision of an audit exactly as sealed: never changed once written."""

    __tablename__ = "audit_revisions"
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_name: Mapped[str] = mapped_column(String(200))  # the unit's name when sealed
    # As sealed; the seal is over their canonical JSON (seccheck.domain.seal.canonical).
    particulars: Mapped[dict[str, Any]] = mapped_column(Json)
    answers: Mapped[dict[str, Any]] = mapped_column(Json)
    result: Mapped[dict[str, Any]] = mapped_column(Json)
    seal: Mapped[str] = mapped_column(String(64))
    # How the seal was computed (seccheck.domain.seal.SEAL_FORMAT) and by which seccheck: a revision is
    # always verified by its own format's rule, so old records keep verifying after an upgrade.
    seal_format: Mapped[int] = mapped_column(Integer, default=1)
    engine_version: Mapped[str] = mapped_column(String(32), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    # Who answered (seccheck.domain.seal.answered_by_digest of the answers' answered_by), sealed in the
    # ledger; None for revisions sealed before migration 0008.
    answered_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Submission(Base):
    """An answers file or interview, by the digest of its canonical content: imported once."""

    __tablename__ = "submissions"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"))
    source: Mapped[str] = mapped_column(String(500), default="")
    imported_by: Mapped[str] = mapped_column(String(200), default="")
    imported_at: Mapped[dt.datetime] = mapped_column(Timestamp)

    __table_args__ = (Index("ix_submissions_audit", "audit_id"),)


class AnswerRow(Base):
    """One answer as given: saved the moment it is given, with who and when."""

    __tablename__ = "answers"
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # profile or check id (or item id for na)
    value: Mapped[Any] = mapped_column(Json(none_as_null=False))  # see seccheck.domain.seal.encode_value
    na: Mapped[bool] = mapped_column(Boolean, default=False)
    deduct: Mapped[Decimal | None] = mapped_column(Exact, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    evidence: Mapped[list[str]] = mapped_column(Json, default=list)  # file names
    answered_by: Mapped[str] = mapped_column(String(200), default="")
    answered_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order given, for resuming


class FindingRow(Base):
    """A finding: one problem, identified by (audit, check), for the whole life of its audit and chain.

    Its text and deduction follow the audit's latest revision; its rectification is one record.
    """

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"))
    check_id: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[str] = mapped_column(String(64))
    category_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    deduction: Mapped[Decimal] = mapped_column(Exact)
    severity: Mapped[str] = mapped_column(String(16))
    due: Mapped[dt.date] = mapped_column(Date)
    deadline_days: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (
        UniqueConstraint("audit_id", "check_id"),
        Index("ix_findings_audit", "audit_id"),
    )


class Event(Base):
    """The append-only log: who did what, when. Triggers refuse UPDATE and DELETE."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(Timestamp)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    # Not a foreign key: the log keeps naming audit rows that migration 0004 folded into others.
    audit_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)

    __table_args__ = (Index("ix_events_audit", "audit_id"),)


class NoticeNumber(Base):
    """发文字号: per issuer per year, gapless, never reused. An audit keeps its first number for good
    (a corrected notice keeps it); databases from 0.1.0 may hold more than one per audit."""

    __tablename__ = "notice_numbers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"))
    issued_at: Mapped[dt.date] = mapped_column(Date)  # the day the number was given

    __table_args__ = (
        UniqueConstraint("issuer", "year", "number", name="uq_notice_numbers_issuer_year_number"),
        Index("ix_notice_numbers_audit", "audit_id"),
    )


class Rectification(Base):
    """The life of one finding: open -> reported -> verified, reported -> rejected -> reported …,
    or withdrawn when an amendment shows the check was compliant after all (records.md §2)."""

    __tablename__ = "rectifications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="open")
    due: Mapped[dt.date] = mapped_column(Date)
    report_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    report_evidence: Mapped[list[str]] = mapped_column(Json, default=list)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # why rejected
    updated_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    verified_by: Mapped[int | None] = mapped_column(
        ForeignKey("audits.id"), nullable=True
    )  # the re-inspection that verified it


class UnitAlias(Base):
    """A former name of a unit (renamed, or merged into another): answers files may still use it."""

    __tablename__ = "unit_aliases"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))


class Document(Base):
    """A document written for an audit (a notice, …): what follow-ups have already been done."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"))
    kind: Mapped[str] = mapped_column(String(32))  # notice
    revision: Mapped[int] = mapped_column(Integer)
    number_id: Mapped[int | None] = mapped_column(ForeignKey("notice_numbers.id"), nullable=True)
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    # The ledger's position and head digest printed on the document (its 核验码), kept so that writing
    # the document again prints the same; None for documents issued before the ledger existed.
    anchor_position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    anchor_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)

    __table_args__ = (Index("ix_documents_audit", "audit_id"),)


class LedgerEntry(Base):
    """The sealed ledger (records.md §5): one entry per change of a record an office reports on, each
    chained to the one before by `digest = H(previous digest ‖ content)`. Triggers refuse UPDATE,
    DELETE and (PostgreSQL) TRUNCATE. `content` is exactly the canonical text that was hashed (kept as
    text, never as JSON, so no database can reorder it); the other columns repeat parts of it for queries.
    """

    __tablename__ = "ledger"
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    table_name: Mapped[str] = mapped_column(String(64))
    row_key: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    algorithm: Mapped[str] = mapped_column(String(16))  # sm3 | sha256
    digest: Mapped[str] = mapped_column(String(64))
    # HMAC over `digest` with the ledger key kept outside the database (migration 0008); None for
    # entries written before the workspace had a key (vouched for by the first coded entry after them).
    mac: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (Index("ix_ledger_row", "table_name", "row_key"),)


class IssuedForm(Base):
    """An offline form issued to a unit (forms.md §1): its number, ruleset, dates, its own HMAC key,
    and the audit its returned answers file became."""

    __tablename__ = "issued_forms"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), nullable=True)
    ruleset_id: Mapped[str] = mapped_column(String(64))
    ruleset_version: Mapped[str] = mapped_column(String(64))
    ruleset_sha256: Mapped[str] = mapped_column(String(64))
    issued_on: Mapped[dt.date] = mapped_column(Date)
    due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # The form's HMAC key (hex) is a secret of this workspace: only its digest is sealed in the ledger.
    key: Mapped[str] = mapped_column(String(64))
    key_sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(300), default="")
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audits.id"), nullable=True)
    returned_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    last_mac: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    __table_args__ = (UniqueConstraint("year", "serial"), Index("ix_issued_forms_unit", "unit_id"))


class Department(Base):
    """A 内设机构 of a unit (forms.md §4). A rename keeps the row (and its history); former names are
    kept so that answers files written before the rename still find it. Removed ones stay, inactive."""

    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(String(200))
    former_names: Mapped[list[str]] = mapped_column(Json, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    __table_args__ = (UniqueConstraint("unit_id", "name"), Index("ix_departments_unit", "unit_id"))


class Person(Base):
    """A person of a unit, as little as the roll-up needs: a name, an optional 工号 and the department
    they are in now. Moving changes `department_id` (the ledger keeps the earlier ones, and each audit
    keeps the department it was answered in); removing marks the row inactive, never deletes it."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    name: Mapped[str] = mapped_column(String(200))
    staff_no: Mapped[str] = mapped_column(String(64), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    __table_args__ = (Index("ix_people_unit", "unit_id"),)


class AuditTier(Base):
    """Whose self-check an audit is below the unit: the department (and person) it was answered for,
    as they were when it was recorded (a person moved later keeps this)."""

    __tablename__ = "audit_tiers"
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), primary_key=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), nullable=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    __table_args__ = (Index("ix_audit_tiers_person", "person_id"), Index("ix_audit_tiers_department", "department_id"))


class IssuedFormTier(Base):
    """Whom a form was issued to below its unit (forms.md §4): the department, and for an individual
    self-check the person, with the texts written into the form (and so into its signed answers file)."""

    __tablename__ = "issued_form_tiers"
    form_id: Mapped[int] = mapped_column(ForeignKey("issued_forms.id"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    department: Mapped[str] = mapped_column(String(200))  # as written in the form
    person: Mapped[str] = mapped_column(String(200), default="")  # 工号, or the name when it has none
    person_name: Mapped[str] = mapped_column(String(200), default="")  # shown in the form's heading


class PackageKey(Base):
    """A key for sealing the packages a unit (or a district) reports upward (forms.md §4, issue 25):
    `issued` by this workspace to a unit (or district) it receives packages from, or `held`: issued
    to this workspace by the bureau above. The key itself is a secret: only its digest is sealed."""

    __tablename__ = "package_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # issued | held
    level: Mapped[str] = mapped_column(String(16))  # unit | district
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    issuer: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))  # the unit (district) the key was issued to
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    key: Mapped[str] = mapped_column(String(64))
    key_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)


class Package(Base):
    """A sealed package reported upward: `exported` from this workspace (a unit's, or a district's),
    or `imported` into it from a unit (district) it issued a key to. Imported packages of one unit
    and year are numbered revisions; the latest counts. Written once, never changed."""

    __tablename__ = "packages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # exported | imported
    level: Mapped[str] = mapped_column(String(16))  # unit | district
    key_id: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), nullable=True)
    year: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    body_digest: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    # The sender's ledger when it exported (its 核验码): `seccheck verify --anchor` there checks it.
    anchor_position: Mapped[int] = mapped_column(Integer)
    anchor_digest: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict[str, Any]] = mapped_column(Json)  # the package as signed
    source: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(Timestamp)
    __table_args__ = (
        UniqueConstraint("role", "digest"),
        Index("ix_packages_unit_year", "role", "level", "unit_id", "year"),
    )
