"""Length limits of free text, in characters, enforced where the text comes in (answers files, the
interview, the command line, rulesets) so that every document stays printable and quick to render.
docs/limits.md explains each; `bench/notice.py` renders a notice with every text at its limit."""

from __future__ import annotations

NAME = 200  # a unit's or campaign's name
PERSON = 50  # an inspector's or actor's name
PEOPLE = 20  # inspectors of one audit
METHOD = 30  # one inspection method (查阅资料…)
METHODS = 10
NOTE = 200  # the situation note of one answer: printed in the notice's 问题 cell
TEXT_ANSWER = 1000  # a text answer (recorded, not printed on the notice)
EVIDENCE_PATH = 260  # one evidence file's path (the Windows path limit)
EVIDENCES = 20  # evidence files of one answer
REPORT = 2000  # a rectification report's note, a rejection's reason, an amendment's reason
VERSION = 40  # a ruleset's version string
# Texts of a ruleset that documents print.
TITLE = 100  # ruleset, category and item titles
QUESTION = 500
FINDING = 200  # the problem as the notice states it
RECTIFY = 300
BASIS = 300
HELP = 2000
