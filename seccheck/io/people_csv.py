"""Reading a unit's people CSV (内设机构,姓名,工号; as Excel saves it) into rows; every problem at once."""

from __future__ import annotations

from pathlib import Path

from seccheck.errors import BadInput, Problem
from seccheck.io.units_csv import read_csv_table

CSV_COLUMNS = {
    "department": ("内设机构", "部门", "department"),
    "name": ("姓名", "name"),
    "staff_no": ("工号", "staff_no"),
}


def read_people_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a people CSV (UTF-8, with or without BOM): department, name and staff_no (may be empty)."""
    name = str(path)
    reader, mapping = read_csv_table(path, CSV_COLUMNS)
    missing = [CSV_COLUMNS[k][0] for k in ("department", "name") if k not in mapping]
    if missing:
        raise BadInput(
            [Problem(f"缺少{'、'.join(missing)}列（表头应为 内设机构,姓名,工号；工号可省略）", file=name, line=1)]
        )
    # Empty cells are left for the caller, which reports them with every other problem of the file.
    return [{k: (row.get(mapping[k]) or "").strip() if k in mapping else "" for k in CSV_COLUMNS} for row in reader]
