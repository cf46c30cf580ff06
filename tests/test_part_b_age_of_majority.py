"""The 34 CFR 300.320(c) notice without the state's age of majority is listed by `due`.

300.320(c): "beginning not later than one year before the child reaches the age of
majority under State law", the IEP must say the student was informed of the rights that
transfer (300.520). The notice is owed in every state that transfers rights; a ruleset
that does not know the age cannot compute its date ("cannot compute", needs_information:
regulations.md section 9), which is not "does not apply".
"""

from __future__ import annotations

import json

from helpers import caseload_cli, write_case_file

#: Fictional Kit, born 2010-10-01, found eligible (300.306) and with an IEP since 2025-02-05.
EVENTS = [
    {"type": "evaluation_completed", "date": "2025-01-15"},
    {
        "type": "eligibility_determined",
        "date": "2025-01-22",
        "category": "emotional_disturbance",
        "outcome": "eligible",
    },
    {"type": "iep_meeting_held", "date": "2025-02-05"},
]


def test_300_320_c_unknown_age_of_majority_is_listed_by_due_as_cannot_compute(
    tmp_path, monkeypatch
):
    """34 CFR 300.320(c), 300.520(a): under Missouri (no age of majority read from a
    source) the notice is owed, its date unknown: `due` lists it as cannot compute and
    says the ruleset sets no age of majority."""
    run = caseload_cli(tmp_path, monkeypatch)
    path = write_case_file(
        tmp_path / "kit.json",
        "PB-KIT-1",
        ruleset="us-mo",
        events=EVENTS,
        child={"birth_date": "2010-10-01", "name": "Kit Fictional"},
    )
    run("cases", "import", path)
    rows = json.loads(run("due", "--as-of", "2026-01-01", "--format", "json").output)
    notice = [r for r in rows if r["clock"] == "age_of_majority_notice"]
    assert [(r["status"], r["days_left"]) for r in notice] == [("needs_information", None)]
    # The clock's `missing` names part_b.age_of_majority (tests/test_state_values.py); the
    # listing's reason says it in words.
    assert notice[0]["reason"] == (
        "cannot compute the due date: the ruleset sets no age of majority "
        "(state law, 34 CFR 300.520(a))"
    )
    table = run("due", "--as-of", "2026-01-01").output
    assert "cannot compute" in table
