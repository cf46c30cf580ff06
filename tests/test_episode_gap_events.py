"""Events dated between two episodes are said (plugins/episodes.after_the_end_finding).

QA: a Part C child exited on 2025-06-01 and was referred again on 2025-10-01; an IFSP
meeting typed as 2025-09-25 went to the ended episode, whose review (2026-03-25) and
annual (2026-09-25) clocks counted from it as history, never listed as due, while the
new episode's 45-day clock (34 CFR 303.310(a), from the 2025-10-01 referral) did not
see it. The same for Part B: an evaluation dated after a not-eligible finding and
before the next consent (300.301(c)(1)). Nothing moves; a warning names the events.
"""

from __future__ import annotations

from datetime import date

from helpers import case

NOT_ELIGIBLE = {"outcome": "not_eligible", "category": "speech_or_language_impairment"}


def _warnings(engine, birth, events, as_of):
    det = engine.evaluate(case(engine, birth=birth, events=events, ruleset="us"), "us", as_of)
    return det, [f for f in det.findings if f.outcome == "warning"]


def test_303_310_a_an_ifsp_meeting_between_an_exit_and_a_new_referral_is_a_warning(engine):
    """The QA case: the 45-day clock of the second episode counts from 2025-10-01 (due
    2025-11-15) and is overdue on 2025-12-20; the meeting of 2025-09-25 is named."""
    det, warnings = _warnings(
        engine,
        "2024-06-01",
        [
            ("referral_received", "2025-01-10"),
            ("ifsp_meeting_held", "2025-02-01"),
            ("exited", "2025-06-01", {"reason": "moved_out_of_state"}),
            ("ifsp_meeting_held", "2025-09-25"),
            ("referral_received", "2025-10-01"),
        ],
        date(2025, 12, 20),
    )
    initial = det.clock("initial_ifsp_meeting")
    assert (initial.start, initial.due, initial.status) == (
        date(2025, 10, 1),
        date(2025, 11, 15),
        "overdue",
    )
    [warning] = warnings
    assert warning.rule == "part_c.event_after_episode_ended"
    assert warning.citation == "34 CFR 303.310(a)"
    assert warning.inputs == {
        "events": [{"type": "ifsp_meeting_held", "date": "2025-09-25"}],
        "episode_ended": "2025-06-01",
        "next_episode_started": "2025-10-01",
    }
    assert warning.reason.startswith(
        "ifsp_meeting_held on 2025-09-25 is dated after episode 1 ended on 2025-06-01 "
        "(exited) and before episode 2 began on 2025-10-01"
    )


def test_300_301_c_1_an_evaluation_between_a_not_eligible_finding_and_a_new_consent(engine):
    """Part B: the second consent (2025-12-01) starts 60 days to 2026-01-30; the
    evaluation of 2025-11-25 is before it and after the first episode ended."""
    det, warnings = _warnings(
        engine,
        "2018-03-01",
        [
            ("consent_for_evaluation", "2024-09-02"),
            ("evaluation_completed", "2024-10-20"),
            ("eligibility_determined", "2024-10-25", NOT_ELIGIBLE),
            ("evaluation_completed", "2025-11-25"),
            ("consent_for_evaluation", "2025-12-01"),
        ],
        date(2026, 1, 20),
    )
    assert det.clock("initial_evaluation").due == date(2026, 1, 30)
    assert [(w.rule, w.inputs["events"]) for w in warnings] == [
        (
            "part_b.event_after_episode_ended",
            [{"type": "evaluation_completed", "date": "2025-11-25"}],
        )
    ]
    assert warnings[0].citation == "34 CFR 300.301(c)(1)"


def test_events_on_the_end_or_the_new_start_day_and_a_single_episode_have_no_warning(engine):
    """An event on the exit's own day belongs to the ended episode, one on the new
    referral's day to the new one; a child with one episode has no gap at all."""
    _, warnings = _warnings(
        engine,
        "2024-06-01",
        [
            ("referral_received", "2025-01-10"),
            ("ifsp_meeting_held", "2025-02-01"),
            ("ifsp_review_held", "2025-06-01"),
            ("exited", "2025-06-01", {"reason": "moved_out_of_state"}),
            ("referral_received", "2025-10-01"),
            ("ifsp_meeting_held", "2025-10-01"),
        ],
        date(2025, 12, 20),
    )
    assert warnings == []
    _, warnings = _warnings(
        engine,
        "2024-06-01",
        [("referral_received", "2025-01-10"), ("ifsp_meeting_held", "2025-02-01")],
        date(2025, 12, 20),
    )
    assert warnings == []
