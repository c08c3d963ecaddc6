"""The interview's Recorder backed by the database: every answer is committed as it is given."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seccheck.answers import Answer
from seccheck.result import Result
from seccheck.storage.db import Database
from seccheck.storage.evidence import keep_evidence
from seccheck.storage.store import finalize_audit, remove_answer, save_answer


@dataclass
class DatabaseRecorder:
    db: Database
    audit_id: int
    evidence_dir: Path

    def save(self, key: str, answer: Answer) -> None:
        save_answer(self.db, self.audit_id, key, answer)

    def remove(self, key: str) -> None:
        remove_answer(self.db, self.audit_id, key)

    def attach(self, path: str) -> str:
        return keep_evidence(self.evidence_dir, path)

    def finalize(self) -> Result:
        return finalize_audit(self.db, self.audit_id)
