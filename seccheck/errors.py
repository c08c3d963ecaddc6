"""Problems found in user input, reported all at once and never as a traceback.

Every problem names where it is (file, line when known, the id of the profile question,
category, item or check, and the field) and says what was expected. Commands print the list
and exit 1.
"""

from __future__ import annotations

from dataclasses import dataclass

MESSAGE_LIMIT = 2000  # characters of one problem's message as printed
ECHO = 60  # the longest piece of a user's input a message repeats


def shortened(text: str, limit: int = ECHO) -> str:
    """A piece of input as a message repeats it: whole when short, else its start and length."""
    if len(text) <= limit:
        return text
    return f"{text[: limit - 20]}…（共 {len(text)} 字）"


@dataclass(frozen=True)
class Problem:
    message: str
    file: str | None = None
    line: int | None = None
    id: str | None = None
    field: str | None = None
    warning: bool = False

    def __str__(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(shortened(self.file, 300) + (f":{self.line}" if self.line is not None else ""))
        option = self.field is not None and self.field.startswith("-")
        in_file = self.file is not None and not option
        if in_file:
            # A problem in a file the user writes: the id and the key as they stand in that file
            # (a record's key with its Chinese name: 字段 unit（单位）).
            if self.id is not None:
                parts.append(f"id {shortened(str(self.id))}")
            if self.field is not None:
                known = f"（{RECORD_FIELDS[self.field]}）" if self.field in RECORD_FIELDS else ""
                parts.append(f"字段 {shortened(self.field, 120)}{known}")
        else:
            # A record or an option: by the words the user knows (检查 7, 单位, 选项 --note).
            label = field_label(self.field) if self.field is not None else None
            if self.id is not None:
                parts.append(f"{label if self.field in RECORD_FIELDS else '编号'} {shortened(str(self.id))}")
                if label is not None and self.field not in RECORD_FIELDS:
                    parts.append(label)
            elif label is not None:
                parts.append(label)
        prefix = "警告" if self.warning else "错误"
        where = f" {'，'.join(parts)}" if parts else ""
        # A message that repeats a hostile value whole is cut: no input makes a screenful of one line.
        return f"{prefix}{where}：{shortened(self.message, MESSAGE_LIMIT)}"


# What a problem is about, as the user knows it: records by their Chinese names, other fields by
# what they hold. Options (--note) are what the user typed and stay as typed. In a file the user
# writes (an answers file, a ruleset) the key is named as it stands there. tests/test_messages.py
# checks that every field a problem is raised with outside a file has its words here.
RECORD_FIELDS = {
    "audit": "检查",
    "unit": "单位",
    "rectification": "整改记录",
    "campaign": "专项行动",
    "notice": "通知书",
    "ruleset": "规则集",
}
FIELD_WORDS = {
    **RECORD_FIELDS,
    "name": "名称",
    "date": "日期",
    "database": "数据库",
    "period": "时间段",
    "into": "合并到的单位",
    "answers": "答案",
    "year": "年度",
    "stat": "统计数字",
    "ruleset_version": "规则集版本",
    "reason": "理由",
    "out": "输出目录",
    "from": "原单位",
    "evidence": "佐证材料",
    "actor": "操作人",
    "value": "答案",
    "deduct": "扣分",
    "note": "备注",
    "mode": "检查方式",
    "inspectors": "检查人员",
    "methods": "检查方法",
    "code": "单位代码",
    "kind": "单位类型",
    "contact": "联系人",
    "due": "报送截止日期",
    "key": "账本密钥",
    "department": "内设机构",
    "person": "人员",
    "staff_no": "工号",
    "old": "原名称",
    "new": "新名称",
    "to": "调入的内设机构",
    "selfreport": "自查自评工作报告",
    # sealed packages reported upward (issue 25)
    "package_key": "上报密钥",
    "subject": "报送单位",
    "level": "数据包级别",
    "algorithm": "摘要算法",
    "anchor": "核验码",
    "body": "数据包内容",
    "key_id": "密钥编号",
    "mac": "核验值",
    "digest": "摘要",
}


def field_label(field: str) -> str:
    if field.startswith("-"):
        return f"选项 {field}"
    return FIELD_WORDS.get(field) or f"键 {field}"


class SeccheckError(Exception):
    """Something the user or the machine must put right, with every problem found at once.

    The CLI maps each subclass to one exit status (seccheck.cli.exit); nothing else decides it.
    """

    def __init__(self, problems: list[Problem] | None = None) -> None:
        super().__init__()
        self.problems: list[Problem] = list(problems or [])

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class BadInput(SeccheckError):
    """The input (a file, an option, a typed answer) is wrong; the problems say how to fix it."""


class NotFound(SeccheckError):
    """A record the user named (an audit, unit, campaign, rectification) does not exist."""


class Conflict(SeccheckError):
    """The request clashes with what is recorded (a second audit, a wrong state, a taken name)."""


class EnvironmentProblem(SeccheckError):
    """The machine is in the way: disk full, read-only database, unreachable server, a path we must not write."""


def bad_input(message: str, **where: object) -> BadInput:
    return BadInput([Problem(message, **where)])  # type: ignore[arg-type]


def not_found(message: str, **where: object) -> NotFound:
    return NotFound([Problem(message, **where)])  # type: ignore[arg-type]


def conflict(message: str, **where: object) -> Conflict:
    return Conflict([Problem(message, **where)])  # type: ignore[arg-type]


# Files larger than this are refused before parsing: a ruleset or answers file is a few
# hundred kilobytes at most, and parsing a huge file would only waste the inspector's time.
MAX_INPUT_BYTES = 8 * 1024 * 1024
