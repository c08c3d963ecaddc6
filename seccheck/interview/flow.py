"""The interview's flow: which question comes next, back, skip, the review and the confirmation, driven
over an `Asker` and saved through a `Recorder` (seccheck.interview.seam). The commands at each prompt are
described in the package's docstring (seccheck/interview/__init__.py).

Long on purpose: one class whose steps share the flow's state (where it is, how far the person had come).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from seccheck import limits
from seccheck.domain import plausibility
from seccheck.domain.answers import MODE_LABELS, Answer, Answers, AnswerValue
from seccheck.domain.answertext import (
    YES,
    AnswerTextError,
    accepted,
    deduct_choices,
    match_id,
    parse_deduct,
    parse_value,
    problem_answer,
)
from seccheck.domain.applicability import applicability, is_compliant
from seccheck.domain.result import Result
from seccheck.domain.scoring import score
from seccheck.interview.order import (
    cost_text,
    position_of,
    questions,
    shown_answer,
)
from seccheck.interview.seam import (
    BACK,
    HELP,
    NA_WORDS,
    QUIT,
    SKIP,
    SUB_HINT,
    Asker,
    CategoryStart,
    Done,
    Header,
    HelpView,
    Message,
    Prompt,
    Question,
    Recorder,
    Review,
    ReviewRow,
)
from seccheck.numbers import fmt
from seccheck.ruleset.model import Check, Item, Ruleset
from seccheck.text import zh


@dataclass
class Interview:
    rs: Ruleset
    meta: Answers  # unit, date, mode …; its `answers` are those already saved
    asker: Asker
    recorder: Recorder
    audit_id: int | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)
    back_from: str | None = None  # where the person first pressed `b`: answers walk forward to it

    def __post_init__(self) -> None:
        self.answers = dict(self.meta.answers)

    # The running score: what has been answered so far.
    def progress(self) -> str:
        result = score(self.rs, self._with(self.answers))
        standing = standing_words(result)
        if self.rs.scoring.method == "deduction":
            lost = sum((i.deduction for c in result.categories for i in c.items if i.applicable), Decimal(0))
            return f"{standing} · 已扣 {fmt(lost)} 分 · 问题 {len(result.findings)} 个"
        return f"{standing} · 问题 {len(result.findings)} 个"

    def _with(self, answers: Mapping[str, Answer]) -> Answers:
        return self.meta.model_copy(update={"answers": dict(answers)})

    def run(self) -> Literal["finalized", "quit"]:
        seq = questions(self.rs, self.answers)
        self.asker.show(
            Header(
                self.rs.title,
                self.rs.version,
                self.meta.unit,
                self.meta.mode,
                len(self.rs.profile),
                len(seq) - len(self.rs.profile),
                self.audit_id,
                len(self.answers),
            )
        )
        index = self._first_open(seq)
        while True:
            outcome = self._ask_all(index)
            if outcome == QUIT:
                return "quit"
            review = self._review()
            if isinstance(review, str):
                return "quit"
            if review is None:
                result = self.recorder.finalize()
                self.asker.show(Done(result))
                return "finalized"
            index = review

    def _first_open(self, seq: list[Question], start: int = 0) -> int:
        for n in range(start, len(seq)):
            if shown_answer(self.answers, seq[n]) is None and seq[n].key not in self.skipped:
                return n
        return len(seq)

    def _ask_all(self, index: int, *, single: bool = False) -> str | None:
        """Ask from `index` on; returns QUIT, or None at the end (or after one, if `single`)."""
        last_category: str | None = None
        while True:
            seq = questions(self.rs, self.answers)
            if index >= len(seq):
                pending = [q for q in seq if shown_answer(self.answers, q) is None]
                if not pending or single:
                    return None
                # Questions skipped for now come back once the rest are done.
                self.asker.show(Message(f"还有 {len(pending)} 个跳过的问题，现在回答。"))
                self.skipped.clear()
                index = seq.index(pending[0])
                continue
            q = seq[index]
            if q.category is not None and q.category.id != last_category:
                self.asker.show(CategoryStart(q.category.title))
                last_category = q.category.id
            elif q.category is None and last_category is None and index == 0:
                self.asker.show(CategoryStart("基本情况"))
                last_category = ""
            step = self._ask_one(q, index, len(seq))
            if step == QUIT:
                return QUIT
            if step == BACK:
                if index == 0:
                    self.asker.show(Message("已经是第一题。", "warning"))
                else:
                    self.back_from = self.back_from or q.key
                    index -= 1
                    last_category = None
                continue
            if single:
                return None
            # After going back: the next question in order, up to where the person had come.
            # Beyond it, the next open question: answers given before are kept, not asked again.
            seq = questions(self.rs, self.answers)
            position = position_of(seq, q.key, index)
            back_from = position_of(seq, self.back_from, -1) if self.back_from else -1
            if position + 1 <= back_from:
                index = position + 1
                if index == back_from:
                    self.back_from = None  # back where the person was: on as usual from there
            else:
                self.back_from = None
                index = self._first_open(seq, position + 1)

    def _ask_one(self, q: Question, index: int, total: int) -> str | None:
        """Ask one question until it gets a valid reply; returns BACK, QUIT, SKIP or None."""
        cost = cost_text(self.rs, q)
        item = q.item
        allow_na = bool(item and item.allow_na and item.check[0].id == q.key)
        prompt = Prompt(
            "answer",
            q.question.question,
            q,
            index + 1,
            total,
            cost,
            accepted(q.question),
            shown_answer(self.answers, q),
            allow_na,
            self.progress(),
            problem_answer(q.question),
        )
        while True:
            try:
                reply = self.asker.ask(prompt).strip()
            except EOFError:
                return QUIT
            command = reply.lower().replace("？", "?")
            if command == QUIT:
                return QUIT
            if command == BACK:
                return BACK
            if command == HELP:
                self._help(q, cost)
                continue
            if command == SKIP:
                self.skipped.add(q.key)
                return SKIP
            if not reply:
                if prompt.current is not None:
                    return None  # keep the answer given before
                self.asker.show(Message(f"请输入{prompt.accepted}；? 帮助，b 上一题，s 跳过，q 保存退出", "error"))
                continue
            if command in NA_WORDS:
                if not allow_na:
                    self.asker.show(Message("此题不能答“不适用”。" + f"请输入{prompt.accepted}", "error"))
                    continue
                assert item is not None
                self._set_na(item)
                return None
            try:
                value = parse_value(q.question, reply)
            except AnswerTextError as exc:
                self.asker.show(Message(str(exc) + "；? 帮助，b 上一题，s 跳过，q 保存退出", "error"))
                continue
            impossible = self._impossible(q, value)
            if impossible:
                self.asker.show(Message(impossible, "error"))
                continue
            step, answer = self._details(q, value)
            if step == BACK:
                continue  # asked the answer again
            if answer is not None:
                self._save(q, answer)
            return step

    def _impossible(self, q: Question, value: AnswerValue) -> str | None:
        """A `[[plausibility]]` rule this answer breaks, together with those given: asked again."""
        trial = {**self.answers, q.key: Answer(value=value)}
        values = applicability(self.rs, trial).values
        broken = [v for v in plausibility.violations(self.rs, values) if q.key in v.rule.checks]
        return "；".join(v.reask() for v in broken) or None

    def _help(self, q: Question, cost: str) -> None:
        chk = q.question
        self.asker.show(
            HelpView(
                q,
                cost,
                chk.help,
                getattr(chk, "basis", None),
                getattr(chk, "rectify", None),
                getattr(chk, "finding", None),
                problem_answer(chk),
            )
        )

    def _details(self, q: Question, value: AnswerValue) -> tuple[str | None, Answer | None]:
        """After a non-compliant answer: the amount of a range deduction, a note, evidence files.

        Returns (None, answer) when complete; (BACK, None) to ask the answer again; (QUIT, answer)
        to save what is complete and quit, (QUIT, None) when nothing is (a range amount missing).
        """
        chk = q.question
        if not isinstance(chk, Check) or is_compliant(chk, value):
            return None, Answer(value=value)
        scored = self.rs.scoring.method == "deduction" and q.item is not None and q.item.scored
        steps = ["deduct"] if isinstance(chk.deduct, tuple) and scored else []
        steps += ["note", "evidence"]
        deduct: Decimal | None = None
        note: str | None = None
        evidence: list[str] = []
        n = 0
        while n < len(steps):
            step = steps[n]
            prompt = self._detail_prompt(step, q, chk, deduct)
            try:
                reply = self.asker.ask(prompt).strip()
            except EOFError:
                reply = QUIT
            command = reply.lower().replace("？", "?")
            if command == HELP:
                self._help(q, cost_text(self.rs, q))
                self.asker.show(Message(f"现在是“{prompt.text}”；{SUB_HINT}"))
                continue
            if command == BACK:
                if n == 0:
                    return BACK, None
                n -= 1
                continue
            if command == QUIT:
                if "deduct" in steps and deduct is None:
                    self.asker.show(Message(f"{q.label}的答案未保存：还没有给出扣分。", "warning"))
                    return QUIT, None
                return QUIT, Answer(value=value, deduct=deduct, note=note, evidence=tuple(evidence))
            if step == "deduct":
                assert isinstance(chk.deduct, tuple)
                if not reply and deduct is not None:
                    n += 1
                    continue
                try:
                    deduct = parse_deduct(reply, chk.deduct, chk.deduct_step)
                except AnswerTextError as exc:
                    self.asker.show(Message(f"{exc}；{SUB_HINT}", "error"))
                    continue
            elif step == "note":
                if len(reply) > limits.NOTE:
                    self.asker.show(
                        Message(f"备注过长：上限 {limits.NOTE} 字（实际 {len(reply)} 字）；请精简后重新输入", "error")
                    )
                    continue
                if problem := limits.control_problem(reply, multiline=True):
                    self.asker.show(Message(f"备注{problem}", "error"))
                    continue
                note = reply or None
            elif reply:
                try:
                    paths = shlex.split(reply)
                except ValueError:
                    self.asker.show(
                        Message(f'引号不成对；含空格的路径请用引号括起，如 "会议 记录.pdf"；{SUB_HINT}', "error")
                    )
                    continue
                if len(paths) > limits.EVIDENCES or any(len(p) > limits.EVIDENCE_PATH for p in paths):
                    self.asker.show(
                        Message(
                            f"证据文件至多 {limits.EVIDENCES} 个，路径各不超过 {limits.EVIDENCE_PATH} 字；请重新输入",
                            "error",
                        )
                    )
                    continue
                try:
                    evidence = [self.recorder.attach(path) for path in paths]
                except OSError as exc:
                    self.asker.show(Message(f"无法读取证据文件：{exc}；请重新输入或回车跳过", "error"))
                    continue
            n += 1
        return None, Answer(value=value, deduct=deduct, note=note, evidence=tuple(evidence))

    def _detail_prompt(self, step: str, q: Question, chk: Check, deduct: Decimal | None) -> Prompt:
        if step == "deduct":
            assert isinstance(chk.deduct, tuple)
            lo, hi = chk.deduct
            choices = deduct_choices((lo, hi), chk.deduct_step)
            text = f"扣分（{fmt(lo)}–{fmt(hi)}，按 {fmt(chk.deduct_step)} 分：{choices}）"
            return Prompt("deduct", text, q, current=fmt(deduct) if deduct is not None else None)
        if step == "note":
            return Prompt("note", f"备注（{limits.NOTE} 字以内，可不填，回车跳过）", q)
        return Prompt("evidence", "证据文件路径（可不填，多个用空格分隔，含空格的路径加引号，回车跳过）", q)

    def _save(self, q: Question, answer: Answer) -> None:
        item = q.item
        if item is not None and (old := self.answers.get(item.id)) is not None and old.na:
            # Answering a check of an item that was 不适用 takes the 不适用 back.
            self.answers.pop(item.id)
            self.recorder.remove(item.id)
        self.answers[q.key] = answer
        self.recorder.save(q.key, answer)

    def _set_na(self, item: Item) -> None:
        for chk in item.check:
            if chk.id != item.id and chk.id in self.answers:
                self.answers.pop(chk.id)
                self.recorder.remove(chk.id)
        self.answers[item.id] = Answer(na=True)
        self.recorder.save(item.id, self.answers[item.id])

    def _review(self) -> int | str | None:
        """The review table; returns None to finalise, QUIT, or the index of a question to ask again."""
        while True:
            seq = questions(self.rs, self.answers)
            result = score(self.rs, self._with(self.answers))
            deductions = {
                c.id: (c.deduction, c.compliant is False)
                for cat in result.categories
                for i in cat.items
                for c in i.checks
            }
            rows = []
            for n, q in enumerate(seq, start=1):
                deduction, failing = deductions.get(q.key, (Decimal(0), False))
                rows.append(
                    ReviewRow(
                        str(n),
                        q.question.question,
                        shown_answer(self.answers, q) or zh.WORDS["answer.unanswered"],
                        deduction,
                        failing,
                        q.category.title if q.category else "基本情况",
                    )
                )
            missing = tuple(str(n) for n, q in enumerate(seq, start=1) if shown_answer(self.answers, q) is None)
            self.asker.show(Review(tuple(rows), missing))
            try:
                reply = self.asker.ask(Prompt("review", "输入题号修改答案；回车定稿（还会确认）；q 保存退出")).strip()
            except EOFError:
                return QUIT
            if reply.lower() == QUIT:
                return QUIT
            if not reply:
                if missing:
                    self.asker.show(Message(f"还有 {len(missing)} 题未答：第 {'、'.join(missing)} 题", "warning"))
                    return int(missing[0]) - 1
                confirmed = self._confirm(result)
                if confirmed != "back":
                    return confirmed
                continue
            # The 题号 in the table (1, 2, …); a check's id still works for those who know it.
            keys = {q.key: n for n, q in enumerate(seq)}
            key = match_id(reply, keys)
            if reply.isdigit() and 1 <= int(reply) <= len(seq):
                index = int(reply) - 1
            elif key is not None:
                index = keys[key]
            else:
                self.asker.show(Message(f"没有第 {reply} 题；请输入表中的题号（1 至 {len(seq)}）", "error"))
                continue
            outcome = self._ask_all(index, single=True)
            if outcome == QUIT:
                return QUIT

    def _confirm(self, result: Result) -> str | None:
        """Finalising seals the audit: asked once more, with the grade and percent it will carry."""
        mode = MODE_LABELS[self.meta.mode]
        text = f"定稿：{standing_words(result)}。\n方式：{mode}；定稿后封签，答案只能经修订更改。"
        try:
            reply = self.asker.ask(Prompt("confirm", text)).strip()
        except EOFError:
            return QUIT
        if reply.lower() in YES:
            return None
        if reply.lower() == QUIT:
            return QUIT
        return "back"


def standing_words(result: Result) -> str:
    """得分率 83.3% · 等次 基本符合要求 (as far as answered), in the ruleset's own terms."""
    parts = []
    if result.percent is not None:
        parts.append(f"得分率 {result.percent}%" if result.normalize else f"得分 {result.percent} 分")
    parts.append(f"等次 {result.grade}")
    return " · ".join(parts)
