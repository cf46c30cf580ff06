"""`indicators --check` lists the warnings of each case's stored determination.

The event-order checks of `--check` were a second copy of the engine's warnings
(plugins/part_b/event_order.py, plugins/part_c/event_order.py, plugins/episodes.py)
that compared the whole case's first events, while the engine compares the current
episode's, as the clocks do (34 CFR 303.310(a) counts 45 days from each episode's
referral, 300.301(c)(1) 60 days from each episode's consent). For a child with a second
episode the two disagreed. `--check` now lists the stored determination's warnings
themselves, and says when a case's determination is missing or older than its file.
"""

from __future__ import annotations

import json

from helpers import caseload_cli, write_cases

PB = {"program": "part_b"}
PC = {"program": "part_c"}
NOT_ELIGIBLE = {**PB, "outcome": "not_eligible"}
MOVED = {**PC, "reason": "moved_out_of_state"}


def _doc(case_id, birth, *events, **extra):
    return {
        "id": case_id,
        "ruleset": "us",
        "child": {"birth_date": birth, "name": f"Child {case_id}"},
        "events": [{"type": t, "date": d, **(m[0] if m else {})} for t, d, *m in events],
        **extra,
    }


def _imported(tmp_path, monkeypatch, *docs):
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", write_cases(tmp_path / "cases", *docs))
    invoke("evaluate", "--all", "--as-of", "2026-07-01")
    return invoke


def _listed(invoke, *kinds):
    found = json.loads(invoke("indicators", "--check", "--format", "json", code=1).stdout)
    return [(p["case_id"], p["kind"]) for p in found if not kinds or p["kind"] in kinds]


def test_check_compares_the_second_episodes_part_b_events_as_the_engine_does(tmp_path, monkeypatch):
    """300.300(a)(1)(i), 300.301(c)(1): B-2's first episode (consent 2024-01-10, evaluation
    2024-02-01) ended not eligible; its second (enrolled 2025-02-01) has its evaluation
    (2025-02-20) before its consent (2025-03-01). The engine warns
    (part_b.evaluation_before_consent); `--check` compared the case's first consent with
    its first evaluation, found them in order and listed nothing. B-3 is the other way
    round: the first episode's evaluation before its consent is history, the current
    episode is in order: the engine does not warn, `--check` did."""
    invoke = _imported(
        tmp_path,
        monkeypatch,
        _doc("B-2", "2019-05-01", ("consent_for_evaluation", "2024-01-10", PB),
             ("evaluation_completed", "2024-02-01", PB), ("eligibility_determined", "2024-02-15", NOT_ELIGIBLE),
             ("evaluation_completed", "2025-02-20", PB), ("consent_for_evaluation", "2025-03-01", PB),
             enrolments=[{"program": "part_b", "start": "2025-02-01"}]),
        _doc("B-3", "2019-05-01", ("evaluation_completed", "2024-01-05", PB),
             ("consent_for_evaluation", "2024-01-10", PB), ("eligibility_determined", "2024-02-15", NOT_ELIGIBLE),
             ("consent_for_evaluation", "2025-03-01", PB), ("evaluation_completed", "2025-03-20", PB)),
    )  # fmt: skip
    assert _listed(invoke, "part_b.evaluation_before_consent", "evaluation_before_consent") == [
        ("B-2", "part_b.evaluation_before_consent")
    ]


def test_check_lists_an_event_between_two_episodes_as_the_engine_warns_it(tmp_path, monkeypatch):
    """303.310(a): R-2 exited Part C on 2025-06-01 and was referred again on 2025-10-01; an
    IFSP meeting typed as 2025-09-25 is in neither episode. `--check` lists the engine's
    `part_c.event_after_episode_ended` with its reason, and the fix says to check the
    dates; nothing else of the case is listed."""
    invoke = _imported(
        tmp_path,
        monkeypatch,
        _doc("R-2", "2024-06-01", ("referral_received", "2025-01-10", PC),
             ("ifsp_meeting_held", "2025-02-01", PC), ("exited", "2025-06-01", MOVED),
             ("ifsp_meeting_held", "2025-09-25", PC), ("referral_received", "2025-10-01", PC),
             ("ifsp_meeting_held", "2025-10-20", PC)),
    )  # fmt: skip
    found = json.loads(invoke("indicators", "--check", "--format", "json", code=1).stdout)
    assert [(p["case_id"], p["kind"]) for p in found] == [
        ("R-2", "part_c.event_after_episode_ended")
    ]
    assert found[0]["what"].startswith(
        "ifsp_meeting_held on 2025-09-25 is dated after episode 1 ended on 2025-06-01 (exited)"
    )
    assert found[0]["fix"].startswith("correct the date that is wrong")


def test_check_lists_the_part_c_order_of_the_current_episode_only(tmp_path, monkeypatch):
    """303.310(a): C-4's first episode had its IFSP meeting (2024-08-01) before its
    referral (2024-08-10); it exited and came back (referral 2025-03-01, meeting
    2025-04-01, in order). The engine compares the current episode and does not warn;
    `--check` compared every meeting with the first referral and listed the old one.
    C-5's current episode (begun by a consent on 2025-02-10) has its meeting (2025-02-20)
    before its referral (2025-03-01): the engine warns, `--check` listed nothing."""
    invoke = _imported(
        tmp_path,
        monkeypatch,
        _doc("C-4", "2024-01-01", ("ifsp_meeting_held", "2024-08-01", PC), ("referral_received", "2024-08-10", PC),
             ("exited", "2024-12-01", MOVED), ("referral_received", "2025-03-01", PC),
             ("ifsp_meeting_held", "2025-04-01", PC)),
        _doc("C-5", "2024-01-01", ("referral_received", "2024-08-10", PC), ("ifsp_meeting_held", "2024-09-01", PC),
             ("exited", "2024-12-01", MOVED), ("consent_for_evaluation", "2025-02-10", PC),
             ("ifsp_meeting_held", "2025-02-20", PC),
             ("referral_received", "2025-03-01", PC)),
    )  # fmt: skip
    kinds = ("meeting_before_referral", "part_c.ifsp_meeting_before_referral")
    assert _listed(invoke, *kinds) == [("C-5", "part_c.ifsp_meeting_before_referral")]


def test_check_says_when_the_stored_determination_is_older_than_the_case_file(
    tmp_path, monkeypatch
):
    """A case whose file changed after its determination (a writer stored the file and
    not yet its evaluation: status changed_since_evaluation) has its warnings listed from
    the older file: `--check` says so and asks for `eirules evaluate`, instead of
    passing over it or listing them as today's."""
    import sqlite3

    doc = _doc("B-6", "2019-05-01", ("consent_for_evaluation", "2025-03-01", PB),
               ("evaluation_completed", "2025-02-20", PB))  # fmt: skip
    invoke = _imported(tmp_path, monkeypatch, doc)
    with sqlite3.connect(tmp_path / "caseload.db") as conn:
        conn.execute("UPDATE cases SET status = 'changed_since_evaluation' WHERE id = 'B-6'")
    conn.close()
    found = json.loads(invoke("indicators", "--check", "--format", "json", code=1).stdout)
    assert [(p["case_id"], p["kind"]) for p in found] == [
        ("B-6", "changed_since_evaluation"),
        ("B-6", "part_b.evaluation_before_consent"),
    ]
    assert "eirules evaluate" in found[0]["fix"]
    assert "warnings" in found[0]["what"]


def test_check_says_when_another_version_made_the_stored_determination(tmp_path, monkeypatch):
    """A determination stored by an older eirules (or ruleset, or before the district
    calendars changed) holds that version's warnings: an upgrade that adds a warning
    finds none in it. `--check` names such a case and asks for `eirules evaluate --all`,
    and says nothing once it is evaluated again."""
    import sqlite3

    doc = _doc("B-7", "2019-05-01", ("consent_for_evaluation", "2025-03-01", PB))
    invoke = _imported(tmp_path, monkeypatch, doc)
    assert invoke("indicators", "--check").stdout == "No data problems found.\n"
    with sqlite3.connect(tmp_path / "caseload.db") as conn:
        conn.execute("UPDATE cases SET evaluated_with = 'eirules 0.1.0|us|2024.1' WHERE id = 'B-7'")
    conn.close()
    found = json.loads(invoke("indicators", "--check", "--format", "json", code=1).stdout)
    assert found == [
        {
            "case_id": "B-7",
            "kind": "evaluated_by_another_version",
            "what": "its determination was made by eirules 0.1.0 with rules or district "
            "calendars other than today's: indicators count it, and the warnings listed are "
            "its own",
            "fix": "run: eirules evaluate --all",
        }
    ]
    invoke("evaluate", "--all", "--as-of", "2026-07-01")
    assert invoke("indicators", "--check").stdout == "No data problems found.\n"


def test_check_ends_part_c_on_the_rulesets_third_birthday_of_a_leap_day_child(
    tmp_path, monkeypatch
):
    """303.21(a) and the ruleset's `dates.leap_day_birthday` (us: feb28): a child born on
    29 February 2020 leaves Part C on 28 February 2023, as the engine counts it. `--check`
    added 3 to the year of the text ("2023-02-29", no such day) and did not ask for the
    exit of a case evaluated as of 2023-02-28."""
    doc = _doc("L-1", "2020-02-29", ("referral_received", "2022-06-01", PC),
               ("ifsp_meeting_held", "2022-07-01", PC))  # fmt: skip
    invoke = caseload_cli(tmp_path, monkeypatch)
    invoke("cases", "import", write_cases(tmp_path / "cases", doc))
    invoke("evaluate", "--all", "--as-of", "2023-02-28")
    found = json.loads(
        invoke("indicators", "--check", "--year", "2022-23", "--format", "json", code=1).stdout
    )
    assert [p["what"] for p in found if p["kind"] == "exit_reason_missing"] == [
        "Part C ended at the third birthday (2023-02-28) but no exit is recorded"
    ]
