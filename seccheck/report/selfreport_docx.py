"""The 自查自评工作报告 as a Word document the unit can edit before it is printed and stamped: the same
`SelfReportContent` as the PDF, in the same order, styled to GB/T 9704 habits (seccheck.report.docxkit)."""

from __future__ import annotations

import io

from seccheck.limits import neutralised
from seccheck.notice.selfreport import SelfReportContent


def selfreport_docx(n: SelfReportContent) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from seccheck.report import docxkit

    def shown(value: str) -> str:
        return docxkit.text(neutralised(value))  # as the PDF shows it: no invisible characters

    doc = docxkit.document()

    def paragraph(value: str, *, indent: bool = True) -> None:
        p = doc.add_paragraph(shown(value))
        p.paragraph_format.first_line_indent = Pt(32) if indent else Pt(0)

    def heading(value: str, level: int) -> None:
        h = doc.add_heading(shown(value), level=level)
        h.paragraph_format.first_line_indent = Pt(32)

    title = doc.add_heading("", level=1)
    for k, line in enumerate(n.title_lines):
        run = title.add_run()
        if k:
            run.add_break()  # where the sense allows (GB/T 9704), as in the PDF
        run.add_text(shown(line))
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph(n.to_line, indent=False)
    paragraph(n.opening)

    heading("一、自查覆盖情况", 2)
    for value in n.coverage:
        paragraph(value)
    if n.coverage_rows:
        docxkit.table(
            doc,
            ["序号", "内设机构", "本机构自查", "人员完成情况"],
            [[str(r.n), shown(r.department), r.self_checked, r.people] for r in n.coverage_rows],
            keep=(0, 2, 3),
            center=(0, 2, 3),
        )

    heading("二、单位自查自评结果", 2)
    paragraph(n.result)

    heading("三、发现的主要问题", 2)
    paragraph(n.problems_intro)
    if n.problem_groups:
        rows: list[list[str]] = []
        groups: dict[int, str] = {}
        for group in n.problem_groups:
            groups[len(rows)] = shown(group.title)
            rows += [[str(r.n), shown(r.problem), shown(r.who)] for r in group.rows]
        docxkit.table(doc, ["序号", "问题", "涉及"], rows, groups=groups, keep=(0, 2), center=(0, 2))

    heading("四、整改情况", 2)
    paragraph(n.rectification_intro)
    sub = 0
    if n.done:
        sub += 1
        heading(f"（{'一二'[sub - 1]}）已完成整改的问题", 3)
        docxkit.table(
            doc,
            ["序号", "问题", "涉及", "整改情况"],
            [[str(r.n), shown(r.problem), shown(r.who), shown(r.state)] for r in n.done],
            keep=(0, 2),
            center=(0, 2),
        )
    if n.planned:
        sub += 1
        heading(f"（{'一二'[sub - 1]}）正在整改的问题和整改计划", 3)
        docxkit.table(
            doc,
            ["序号", "问题", "涉及", "整改措施", "完成时限"],
            [[str(r.n), shown(r.problem), shown(r.who), shown(r.measure), r.due] for r in n.planned],
            keep=(0, 2, 4),
            center=(0, 2, 4),
        )

    # The last section, the signature and the code keep together: the signature never stands on a
    # page without body text (GB/T 9704).
    closing = [doc.add_heading(shown("五、下一步工作"), level=2)]
    closing[0].paragraph_format.first_line_indent = Pt(32)
    for value in (n.next_steps, "特此报告。"):
        closing.append(doc.add_paragraph(shown(value)))
        closing[-1].paragraph_format.first_line_indent = Pt(32)
    sign = doc.add_paragraph("单位负责人（签字）：")
    sign.paragraph_format.left_indent = Pt(16 * 14)
    sign.paragraph_format.space_before = Pt(28.9)
    closing.append(sign)
    for value in (n.unit, n.issued_on):
        p = doc.add_paragraph(shown(value))
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.right_indent = Pt(16 * 4)  # 右空四字 (GB/T 9704)
        closing.append(p)
    for p in closing:
        p.paragraph_format.keep_with_next = True
    code = doc.add_paragraph(f"核验码：{shown(n.verification)}")
    code.paragraph_format.space_before = Pt(28.9)
    for run in code.runs:
        docxkit.face(run, "body", 9)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
