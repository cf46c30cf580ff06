"""Warnings reach the person who changed the caseload, and `indicators --check` lists them.

A warning finding (an IFSP meeting dated before its referral, 34 CFR 303.310(a); a
Part B evaluation before its consent, 300.300(a)(1)(i) and 300.301(c)(1); an IEP
meeting before the eligibility determination, 300.323(c)(1)) was printed by
`eirules check` only: `cases add-event`, `cases import` and `evaluate` stored it
without a word. Each now prints every warning of the stored determination that the
case's previous one did not have, as `Warning: ID: reason` on stderr (the first 10,
then a count), with the exit status unchanged. `indicators --check` lists the two
Part B orders as it lists the Part C one: the determination's warnings themselves.
"""

from __future__ import annotations

import json

from helpers import caseload_cli, write_cases

#: The warnings' reasons (plugins/part_c/event_order.py, plugins/part_b/event_order.py),
#: written out from the regulations they cite.
BEFORE_REFERRAL = (
    "the IFSP meeting dated {meeting} is before the referral received on {referral}: the "
    "45-day clock to the initial IFSP meeting counts from the referral (303.310(a)) and does "
    "not count a meeting held before it, while the 303.342 review and annual clocks count "
    "from that meeting; check both dates"
)
BEFORE_CONSENT = (
    "the evaluation completed on {evaluation} is before the consent for evaluation received "
    "on {consent}: consent comes before the initial evaluation (300.300(a)(1)(i)) and the "
    "60-day clock counts from it (300.301(c)(1)), so it does not count this evaluation, "
    "while the 300.303 reevaluation clock, once there is an IEP, counts from it; check both "
    "dates"
)
ELIGIBLE = {"outcome": "eligible", "category": "speech_or_language_impairment"}
MORE = (
    "Note: 2 more warnings not shown (12 new on 12 cases); eirules indicators --check lists "
    "the event dates to check, eirules cases show ID --determination N a case's findings\n"
)


def _doc(case_id, birth, *events):
    return {
        "id": case_id,
        "ruleset": "us",
        "child": {"birth_date": birth, "name": f"Child {case_id}"},
        "events": [
            {"type": t, "date": d, **(extra[0] if extra else {})} for t, d, *extra in events
        ],
    }


def test_add_event_ifsp_meeting_before_the_referral_says_the_warning(tmp_path, monkeypatch):
    """303.310(a): the referral of 2025-11-12 starts the 45 days; a meeting typed as
    2025-11-01 cannot be the initial IFSP meeting. The event is added (exit 0) and the
    warning names both dates; a later event that leaves it as it was does not repeat it."""
    invoke = caseload_cli(tmp_path, monkeypatch)
    folder = write_cases(
        tmp_path / "cases", _doc("W-C-1", "2025-03-01", ("referral_received", "2025-11-12"))
    )
    assert invoke("cases", "import", folder).stderr == ""
    added = invoke("cases", "add-event", "W-C-1", "ifsp_meeting_held", "2025-11-01")
    assert added.stdout == (
        "Added ifsp_meeting_held on 2025-11-01 to case W-C-1; its clocks are updated\n"
    )
    assert (
        added.stderr
        == "Warning: W-C-1: "
        + BEFORE_REFERRAL.format(meeting="2025-11-01", referral="2025-11-12")
        + "\n"
    )
    again = invoke("cases", "add-event", "W-C-1", "evaluation_completed", "2025-11-20")
    assert again.stderr == ""  # the case's previous determination had that warning already


def test_add_event_part_b_evaluation_before_the_consent_says_the_warning(tmp_path, monkeypatch):
    """300.301(c)(1): the 60 days count from the consent of 2025-10-01; an evaluation
    typed as 2025-09-20 is before it."""
    invoke = caseload_cli(tmp_path, monkeypatch)
    doc = _doc("W-B-1", "2020-05-01", ("consent_for_evaluation", "2025-10-01"))
    invoke("cases", "import", write_cases(tmp_path / "cases", doc))
    added = invoke("cases", "add-event", "W-B-1", "evaluation_completed", "2025-09-20")
    assert (
        added.stderr
        == "Warning: W-B-1: "
        + BEFORE_CONSENT.format(evaluation="2025-09-20", consent="2025-10-01")
        + "\n"
    )


def test_import_says_the_first_ten_warnings_then_how_many_more(tmp_path, monkeypatch):
    """12 cases each with an IFSP meeting (2025-11-01) before its referral (2025-11-12):
    10 warnings in case-id order, then a count of the other 2; importing them again
    unchanged, or changed in a way that keeps the warning, says nothing."""
    invoke = caseload_cli(tmp_path, monkeypatch)
    events = (("referral_received", "2025-11-12"), ("ifsp_meeting_held", "2025-11-01"))
    docs = [_doc(f"W-{n:02}", "2025-03-01", *events) for n in range(1, 13)]
    folder = write_cases(tmp_path / "cases", *docs)
    imported = invoke("cases", "import", folder)
    assert imported.stdout == (
        "Imported: 12 new, 0 updated, 0 unchanged; evaluated 12 cases as of today\n"
    )
    reason = BEFORE_REFERRAL.format(meeting="2025-11-01", referral="2025-11-12")
    assert imported.stderr == (
        "".join(f"Warning: W-{n:02}: {reason}\n" for n in range(1, 11)) + MORE
    )
    assert invoke("cases", "import", folder).stderr == ""
    write_cases(folder, {**docs[0], "child": {"birth_date": "2025-03-01", "name": "Wren Ashdown"}})
    changed = invoke("cases", "import", folder)
    assert changed.stdout.startswith("Imported: 0 new, 1 updated, 11 unchanged")
    assert changed.stderr == ""


def test_import_of_one_warned_case_among_others_names_only_it(tmp_path, monkeypatch):
    invoke = caseload_cli(tmp_path, monkeypatch)
    folder = write_cases(
        tmp_path / "cases",
        _doc("A-1", "2025-03-01", ("referral_received", "2025-11-12")),
        _doc("A-2", "2025-03-01", ("referral_received", "2025-11-12"), ("ifsp_meeting_held", "2025-11-10")),
    )  # fmt: skip
    imported = invoke("cases", "import", folder)
    assert (
        imported.stderr
        == "Warning: A-2: "
        + BEFORE_REFERRAL.format(meeting="2025-11-10", referral="2025-11-12")
        + "\n"
    )


def test_evaluate_says_a_warning_its_new_determination_brings(tmp_path, monkeypatch):
    """As of 2025-09-25 the consent of 2025-10-01 has not come, so nothing is out of
    order; as of 2025-10-05 the evaluation of 2025-09-20 is before it: new, and said."""
    invoke = caseload_cli(tmp_path, monkeypatch)
    doc = _doc(
        "W-B-2",
        "2020-05-01",
        ("evaluation_completed", "2025-09-20"),
        ("consent_for_evaluation", "2025-10-01"),
    )
    warning = (
        "Warning: W-B-2: "
        + BEFORE_CONSENT.format(evaluation="2025-09-20", consent="2025-10-01")
        + "\n"
    )
    assert invoke("cases", "import", write_cases(tmp_path / "cases", doc)).stderr == warning
    assert invoke("evaluate", "--all", "--as-of", "2025-09-25").stderr == ""
    assert invoke("evaluate", "--all", "--as-of", "2025-10-05").stderr == warning
    assert invoke("evaluate", "--all", "--as-of", "2025-10-06", "--force").stderr == ""


PART_B_KINDS = ("part_b.evaluation_before_consent", "part_b.iep_meeting_before_eligibility")


def test_indicators_check_lists_the_part_b_orders_with_their_regulations(tmp_path, monkeypatch):
    """B-1 (Part B only, age 5): evaluation 2025-09-20 before consent 2025-10-01
    (300.300(a)(1)(i), 300.301(c)(1)) and IEP meeting 2025-10-10 before the eligibility
    determination of 2025-10-20 (300.323(c)(1)): both listed, exit status 1.
    C-2 (Part C only): its evaluation before its consent is Part C's, not listed.
    X-3 (both): its untagged Part C evaluation (2024-06-10) is before its untagged Part C
    consent (2024-06-20), both before Part B began (referral_from_part_c 2024-12-01);
    its Part B consent (2025-01-10) and evaluation (2025-02-01) are in order: not listed."""
    invoke = caseload_cli(tmp_path, monkeypatch)
    folder = write_cases(
        tmp_path / "cases",
        _doc("B-1", "2020-05-01", ("consent_for_evaluation", "2025-10-01"),
             ("evaluation_completed", "2025-09-20"), ("eligibility_determined", "2025-10-20", ELIGIBLE),
             ("iep_meeting_held", "2025-10-10")),
        _doc("C-2", "2025-01-01", ("referral_received", "2025-06-01"),
             ("evaluation_completed", "2025-06-10"), ("consent_for_evaluation", "2025-06-20")),
        _doc("X-3", "2022-03-01", ("referral_received", "2024-06-01"),
             ("evaluation_completed", "2024-06-10"), ("consent_for_evaluation", "2024-06-20"),
             ("referral_from_part_c", "2024-12-01"), ("consent_for_evaluation", "2025-01-10"),
             ("evaluation_completed", "2025-02-01")),
    )  # fmt: skip
    invoke("cases", "import", folder)
    found = json.loads(invoke("indicators", "--check", "--format", "json", code=1).stdout)
    fix = "correct the date that is wrong (the finding: eirules cases show B-1 --determination 1)"
    assert [p for p in found if p["kind"] in PART_B_KINDS] == [
        {
            "case_id": "B-1",
            "kind": "part_b.evaluation_before_consent",
            "what": BEFORE_CONSENT.format(evaluation="2025-09-20", consent="2025-10-01"),
            "fix": fix,
        },
        {
            "case_id": "B-1",
            "kind": "part_b.iep_meeting_before_eligibility",
            "what": "the IEP meeting dated 2025-10-10 is before the determination of 2025-10-20 "
            "that the child is eligible: the 30-day clock to the meeting that develops the IEP "
            "counts from that determination (300.323(c)(1)) and does not count a meeting held "
            "before it, while the 300.324(b)(1) annual review counts from that meeting; check "
            "both dates",
            "fix": fix,
        },
    ]


def test_indicators_check_reads_tagged_part_b_events_in_a_case_of_both_programs(
    tmp_path, monkeypatch
):
    """A case in both programs: a Part B-tagged evaluation (2025-02-01) before the
    Part B-tagged consent (2025-02-10) is listed, whatever the Part C events."""
    invoke = caseload_cli(tmp_path, monkeypatch)
    pb = {"program": "part_b"}
    doc = _doc("X-4", "2022-03-01", ("referral_received", "2024-06-01"),
               ("evaluation_completed", "2025-02-01", pb), ("consent_for_evaluation", "2025-02-10", pb))  # fmt: skip
    invoke("cases", "import", write_cases(tmp_path / "cases", doc))
    found = json.loads(invoke("indicators", "--check", "--format", "json", code=1).stdout)
    assert [(p["case_id"], p["what"][:60]) for p in found if p["kind"] in PART_B_KINDS] == [
        ("X-4", "the evaluation completed on 2025-02-01 is before the consent")
    ]


def test_add_event_does_not_say_the_clocks_are_updated_when_the_evaluation_failed(
    tmp_path, monkeypatch
):
    """Review: `cases add-event` printed "its clocks are updated" even when evaluating
    the case failed (here: its ruleset is not installed). The event is kept (exit 0),
    and the failure is said as `cases import` says it."""
    from helpers import caseload_cli

    invoke = caseload_cli(tmp_path, monkeypatch)
    doc = {
        "id": "ZZ-1",
        "ruleset": "us-zz",
        "child": {"birth_date": "2025-06-01"},
        "events": [{"type": "referral_received", "date": "2026-01-09"}],
    }
    (tmp_path / "zz.json").write_text(json.dumps(doc))
    invoke("cases", "import", tmp_path / "zz.json")
    result = invoke("cases", "add-event", "ZZ-1", "ifsp_meeting_held", "2026-02-01")
    assert result.stdout == "Added ifsp_meeting_held on 2026-02-01 to case ZZ-1\n"
    assert "Note: case ZZ-1 could not be evaluated (no ruleset" in result.stderr
