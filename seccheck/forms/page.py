"""The offline form's page: one Jinja template (autoescaped), the CSS and JavaScript of `assets/`
inlined, and a Content-Security-Policy that forbids every request (forms.md §2).

The one executable script is allowed by its SHA-256 hash, computed here when the page is built; the
data the script reads (the compiled logic and the form's particulars) travel as JSON in
non-executable script elements, escaped so that no text can close them.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from seccheck.forms.compile import FormModel, compile_form
from seccheck.ruleset.model import Ruleset

ASSETS = "seccheck.forms"
SCRIPTS = ("digest.js", "form.js")


@dataclass(frozen=True)
class FormIssue:
    """The particulars of one issued form."""

    number: str
    unit: str
    key: str  # hex: the form's own HMAC key
    ruleset_sha256: str
    campaign: str | None = None
    due: str | None = None
    issuer: str | None = None
    department: str | None = None  # a form issued per department or per person (forms.md §4)
    person: str | None = None  # the person as the answers file names them: 工号, or the name
    person_name: str | None = None  # the person's name, shown in the heading

    @property
    def respondent(self) -> str:
        """Who answers, as the heading and the title say it: 单位, 单位 内设机构, or 单位 内设机构 姓名."""
        return " ".join(p for p in (self.unit, self.department, self.person_name) if p)


def _asset(name: str) -> str:
    return (resources.files(ASSETS) / "assets" / name).read_text(encoding="utf-8")


@cache
def _environment() -> Any:
    from jinja2 import DictLoader, Environment, StrictUndefined

    templates = {name: _asset(name) for name in ("form.html.j2", "question.html.j2")}
    return Environment(
        loader=DictLoader(templates), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def script_json(data: Any) -> str:
    """JSON safe inside a <script> element: no `<`, `>` or `&` that could end it or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def file_stem(text: str) -> str:
    """A unit name made safe as part of a file name on Windows and Linux."""
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "_", text).strip(" .")
    stem = re.sub(r"^[=+@-]+", "", stem)  # never a formula in the distribution list, never an option
    return stem[:60] or "单位"


def render_form(rs: Ruleset, issue: FormIssue, model: FormModel | None = None) -> str:
    """The form page's HTML text for one unit."""
    from markupsafe import Markup

    model = model or compile_form(rs)
    script = "\n".join(_asset(name) for name in SCRIPTS)
    css = _asset("form.css")
    csp = Markup(
        "; ".join(
            (
                "default-src 'none'",
                f"script-src {_csp_hash(script)}",
                f"style-src {_csp_hash(css)}",
                "img-src 'none'",
                "form-action 'none'",
                "base-uri 'none'",
            )
        )
    )
    meta = {
        "number": issue.number,
        "unit": issue.unit,
        "unit_file": file_stem(issue.respondent.replace(" ", "-")),
        "department": issue.department,
        "person": issue.person,
        "ruleset": rs.id,
        "version": rs.version,
        "sha256": issue.ruleset_sha256,
        "key": issue.key,
        "campaign": issue.campaign,
        "due": issue.due,
    }
    return str(
        _environment()
        .get_template("form.html.j2")
        .render(
            form=model,
            issue=issue,
            csp=csp,
            css=Markup(css),  # our own stylesheet, hashed into the CSP
            script=Markup(script),  # our own script, hashed into the CSP
            logic_json=Markup(script_json(model.logic)),  # escaped by script_json
            meta_json=Markup(script_json(meta)),  # escaped by script_json
        )
    )
