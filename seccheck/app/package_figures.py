"""The 全覆盖 figures from the packages a bureau (or city) received (forms.md §4, issue 25): each unit
once, from its latest package of the year."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from seccheck.app.context import Context
from seccheck.app.package_import import package_row
from seccheck.domain.figures import TierCoverage
from seccheck.storage.tables import Package, Unit
from seccheck.text.zh import coverage_sentence, package_says

# --- figures -----------------------------------------------------------------------------------------


def _latest(session: Session, year: int) -> list[tuple[Package, str]]:
    """The latest imported package of each unit (district) for the year, with that unit's name here."""
    rows = session.execute(
        select(Package, Unit.name)
        .join(Unit, Unit.id == Package.unit_id)
        .where(Package.role == "imported", Package.year == year)
        .order_by(Package.level, Package.unit_id, Package.revision)
    ).all()
    latest: dict[tuple[str, int | None], tuple[Package, str]] = {}
    for package, unit_name in rows:
        latest[(package.level, package.unit_id)] = (package, unit_name)
    return list(latest.values())


def coverage_rows(session: Session, year: int, latest: list[tuple[Package, str]] | None = None) -> list[dict[str, Any]]:
    """Each unit's figures once: from the latest package of each unit imported here (district "")
    and from the latest package of each district (that district's units, district = its name here)."""
    rows: list[dict[str, Any]] = []
    for package, unit_name in _latest(session, year) if latest is None else latest:
        content = package.content
        if package.level == "unit":
            body = content["body"]
            figures = body["figures"]
            rows.append(
                package_row(
                    "",
                    unit_name,
                    str(body["unit"].get("code", "")),
                    body["self_assessment"],
                    figures["departments"],
                    figures["people"],
                    content,
                )
            )
        else:
            for row in content["body"]["units"]:
                inner = str(row.get("district") or "")
                rows.append({**row, "district": unit_name + (f"/{inner}" if inner else "")})
    rows.sort(key=lambda r: (r["district"], r["name"], r["code"]))
    return rows


def tier_coverage(session: Session, year: int, units: set[int] | None = None) -> TierCoverage | None:
    """The year's 全覆盖 figures from the packages imported (None when there are none); `units`
    limits them to packages of those units of this workspace (a campaign's list)."""
    latest = _latest(session, year)
    if units is not None:
        latest = [(p, n) for p, n in latest if p.unit_id in units]
    if not latest:
        return None
    rows = coverage_rows(session, year, latest)
    done = [r for r in rows if r["self_assessed"]]
    districts = sum(1 for p, _n in latest if p.level == "district")
    region = package_says("region_district" if districts else "region_unit")
    departments = sum(int(r["departments"]["completed"]) for r in rows)
    people = sum(int(r["people"]["completed"]) for r in rows)
    return TierCoverage(
        region=region,
        units=len(done),
        departments=departments,
        people=people,
        districts=districts,
        sentence=coverage_sentence(region, len(done), departments, people, districts),
    )


def year_coverage(ctx: Context, year: int) -> TierCoverage | None:
    with ctx.db.read() as session:
        return tier_coverage(session, year)
