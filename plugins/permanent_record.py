"""The permanent record a child's destruction may keep (34 CFR 300.624(b), 303.416(b)).

When parents ask for a child's records to be destroyed, IDEA lets the agency
keep, without time limit, a permanent record of a few items: for Part B, the
student's name, address and phone number, grades, attendance record, classes
attended, grade level completed and year completed (300.624(b)); for Part C,
the child's name, date of birth, parent contact information (address and
phone), the names of the service coordinators and EIS providers, and exit data
(year and age upon exit, programs entered on exiting) (303.416(b)). This module
builds that record from what a caseload holds, and names each item of the list
the caseload does not hold, so nothing is silently missing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from eirules.plugins.vocabulary import PART_C_CLOSING

SCHEMA = "eirules/permanent-record@1"
_PART_B_NOT_HELD = (
    "address and phone number",
    "grades",
    "attendance record",
    "classes attended",
    "grade level completed",
    "year completed",
)
_PART_C_NOT_HELD = (
    "parent contact information (address and phone number)",
    "names of EIS providers",
    "programs entered upon exiting",
)


def _age(birth: date, on: date) -> dict[str, int]:
    months = (on.year - birth.year) * 12 + on.month - birth.month - (on.day < birth.day)
    return {"years": months // 12, "months": months % 12}


def permanent_record(
    document: dict[str, Any],
    programs: list[str],
    coordinators: list[str],
    *,
    made_at: str,
    made_by: str,
) -> dict[str, Any]:
    """The permanent record of a case file, one section per IDEA part the case is in.

    A case in neither part (e.g. only MTSS) gets both sections: the agency
    decides which applies.
    """
    child = document.get("child", {})
    parts = [p for p in ("part_c", "part_b") if p in programs] or ["part_c", "part_b"]
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "case_id": document.get("id"),
        "made_at": made_at,
        "made_by": made_by,
    }
    if "part_c" in parts:
        birth = date.fromisoformat(child["birth_date"])
        exits = [
            {"event": e["type"], "date": e["date"], "year": int(e["date"][:4]),
             "age": _age(birth, date.fromisoformat(e["date"]))}
            for e in document.get("events", [])
            if e.get("type") in PART_C_CLOSING
        ]  # fmt: skip
        out["part_c"] = {
            "citation": "34 CFR 303.416(b)",
            "name": child.get("name"),
            "birth_date": child.get("birth_date"),
            "service_coordinators": coordinators,
            "exit": exits,
            "not_held_by_the_caseload": list(_PART_C_NOT_HELD),
        }
    if "part_b" in parts:
        out["part_b"] = {
            "citation": "34 CFR 300.624(b)",
            "name": child.get("name"),
            "not_held_by_the_caseload": list(_PART_B_NOT_HELD),
        }
    return out
