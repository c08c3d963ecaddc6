"""The mode comes from the ruleset (issue 22): a self-assessment ruleset starts as 自查 even in a
workspace with inspectors, unless --inspection is given; other rulesets are inspections there. The
confirmation before finalising says which."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from seccheck.app.audits import load_audit
from seccheck.app.context import Context, FixedClock
from seccheck.app.interview import open_interview
from seccheck.storage.db import Database
from seccheck.storage.workspace import open_workspace
from tests.conftest import seccheck
from tests.test_interview import SPEC_RUN, interview

WORKED = Path(__file__).parent / "data" / "worked-example.toml"


def test_self_assessment_rulesets_start_as_self_unless_asked(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    made = seccheck("init", root, "--issuer", "某区国家保密局", "--prefix", "某保检", "--inspector", "李明")
    assert made.code == 0, made.text
    ws = open_workspace(root, None)
    ctx = Context("测试员", ws, Database(ws.db_url), FixedClock(dt.date(2026, 11, 21)))
    modes = {}
    for n, (ruleset, mode) in enumerate(
        [
            ("unit-self-assessment", None),
            ("department-self-check", None),
            ("individual-self-check", None),
            ("unit-self-assessment", "inspection"),
            ("wechat-groups", None),
        ]
    ):
        draft = open_interview(ctx, ruleset, f"单位{n}", mode=mode, new_unit=True)
        modes[(ruleset, mode)] = load_audit(ctx, draft.audit_id).answers.mode
    assert modes == {
        ("unit-self-assessment", None): "self",
        ("department-self-check", None): "self",
        ("individual-self-check", None): "self",
        ("unit-self-assessment", "inspection"): "inspection",
        ("wechat-groups", None): "inspection",  # inspectors configured
    }

    draft = open_interview(ctx, str(WORKED), "某区教育局", new_unit=True)
    talk, asker = interview(ctx, draft.audit_id, SPEC_RUN, tmp_path)
    assert talk.run() == "finalized"
    (confirm,) = [p.text for p in asker.prompts if p.kind == "confirm"]
    assert "方式：检查" in confirm
    ctx.db.close()
