"""Part B initial steps dated out of order are said (plugins/part_b/event_order.py).

The Part B counterpart of tests/test_part_c_event_order.py. An evaluation typed
before its consent, or an IEP meeting typed before the eligibility determination,
was accepted without a word: the clock that counts from the later event ignored the
earlier one and showed it overdue, while the clocks counting from that earlier event
used it. No date changes; a warning finding names both dates.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from click.testing import CliRunner
from helpers import case
from hypothesis import given
from hypothesis import strategies as st

from eirules.cli import cli
from eirules.core.engine import Engine

BIRTH = "2018-03-01"
AS_OF = date(2026, 6, 1)
EVALUATION = "part_b.evaluation_before_consent"
MEETING = "part_b.iep_meeting_before_eligibility"
ELIGIBLE = {"outcome": "eligible", "category": "speech_or_language_impairment"}


def _det(engine, events, as_of=AS_OF):
    return engine.evaluate(case(engine, birth=BIRTH, events=events, ruleset="us"), "us", as_of)


def _rules(det):
    return [f.rule for f in det.findings if f.outcome == "warning"]


def test_300_301_c_1_evaluation_typed_before_the_consent_is_a_warning_with_both_dates(engine):
    """300.301(c)(1): 60 days from the consent of 2026-01-20 is 2026-03-21; the evaluation
    of 2026-01-10 is not counted (overdue on 2026-06-01), and the warning says so; with
    an IEP on file, the 300.303(b)(2) reevaluation counts three years from it (2029-01-10)."""
    det = _det(
        engine,
        [
            ("evaluation_completed", "2026-01-10"),
            ("consent_for_evaluation", "2026-01-20"),
            ("eligibility_determined", "2026-02-01", ELIGIBLE),
            ("iep_meeting_held", "2026-02-20"),
        ],
    )
    initial = det.clock("initial_evaluation")
    assert (initial.status, initial.due) == ("overdue", date(2026, 3, 21))
    assert det.clock("reevaluation").due == date(2029, 1, 10)
    assert _rules(det) == [EVALUATION]
    [warning] = [f for f in det.findings if f.rule == EVALUATION]
    assert warning.outcome == "warning"
    assert warning.program == "part_b"
    assert warning.citation == "34 CFR 300.300(a)(1)(i); 300.301(c)(1); 300.303"
    assert warning.inputs == {
        "evaluation_completed": "2026-01-10",
        "consent_for_evaluation": "2026-01-20",
    }
    assert warning.reason.startswith(
        "the evaluation completed on 2026-01-10 is before the consent for evaluation "
        "received on 2026-01-20"
    )


def test_300_323_c_1_meeting_typed_before_the_eligibility_determination_is_a_warning(engine):
    """300.323(c)(1): 30 days from the determination of 2026-01-20 is 2026-02-19; the IEP
    meeting of 2026-01-10 is not counted (overdue), while the 300.324(b)(1) annual
    review counts a year from it (2027-01-10)."""
    det = _det(
        engine,
        [
            ("consent_for_evaluation", "2025-12-01"),
            ("evaluation_completed", "2026-01-05"),
            ("iep_meeting_held", "2026-01-10"),
            ("eligibility_determined", "2026-01-20", ELIGIBLE),
        ],
    )
    initial = det.clock("initial_iep_meeting")
    assert (initial.status, initial.due) == ("overdue", date(2026, 2, 19))
    assert det.clock("iep_annual_review").due == date(2027, 1, 10)
    [warning] = [f for f in det.findings if f.rule == MEETING]
    assert warning.citation == "34 CFR 300.323(c)(1); 300.324(b)(1)"
    assert warning.inputs == {
        "iep_meeting_held": "2026-01-10",
        "eligibility_determined": "2026-01-20",
    }
    assert warning.reason.startswith(
        "the IEP meeting dated 2026-01-10 is before the determination of 2026-01-20"
    )
    assert _rules(det) == [MEETING]


def test_steps_in_order_and_on_the_same_day_have_no_warning(engine):
    """Evaluation after consent and the IEP meeting on the day of the determination (a
    common single meeting) are in order: both initial clocks are met."""
    det = _det(
        engine,
        [
            ("consent_for_evaluation", "2025-12-01"),
            ("evaluation_completed", "2026-01-05"),
            ("eligibility_determined", "2026-01-20", ELIGIBLE),
            ("iep_meeting_held", "2026-01-20"),
        ],
    )
    assert _rules(det) == []
    assert det.clock("initial_evaluation").status == "met"
    assert det.clock("initial_iep_meeting").status == "met"


def test_nothing_to_compare_has_no_warning(engine):
    """A file opened at an IEP meeting (a child who moved in with an IEP) has no
    determination to compare; an evaluation with no consent on file has no consent."""
    assert _rules(_det(engine, [("iep_meeting_held", "2026-01-10")])) == []
    assert _rules(_det(engine, [("evaluation_completed", "2026-01-10")])) == []
    not_eligible = {"outcome": "not_eligible", "category": "speech_or_language_impairment"}
    det = _det(
        engine,
        [
            ("consent_for_evaluation", "2025-12-01"),
            ("iep_meeting_held", "2026-01-10"),
            ("eligibility_determined", "2026-01-20", not_eligible),
        ],
    )
    assert MEETING not in _rules(det)


def test_a_consent_after_the_as_of_date_is_not_compared(engine):
    """On 2026-01-15 the consent of 2026-01-20 has not happened yet: no warning then."""
    events = [("evaluation_completed", "2026-01-10"), ("consent_for_evaluation", "2026-01-20")]
    assert _rules(_det(engine, events, as_of=date(2026, 1, 15))) == []
    assert _rules(_det(engine, events)) == [EVALUATION]


def test_an_earlier_episode_evaluation_is_not_compared_with_a_later_consent(engine):
    """300.301(c)(1) counts each episode from its own consent: an evaluation of an
    episode that ended (not eligible, 2023-03-01) is not before the 2025 consent."""
    not_eligible = {"outcome": "not_eligible", "category": "speech_or_language_impairment"}
    det = _det(
        engine,
        [
            ("consent_for_evaluation", "2023-01-10"),
            ("evaluation_completed", "2023-02-20"),
            ("eligibility_determined", "2023-03-01", not_eligible),
            ("consent_for_evaluation", "2025-09-01"),
            ("evaluation_completed", "2025-10-15"),
        ],
    )
    assert _rules(det) == []


@given(
    consent=st.integers(min_value=0, max_value=120),
    evaluation=st.integers(min_value=0, max_value=120),
)
def test_the_warning_appears_exactly_when_the_evaluation_is_earlier(consent, evaluation):
    """Invariant: the warning is there if and only if the evaluation is dated before the
    consent, and the 300.301(c)(1) clock still counts from the consent: met exactly when
    the evaluation is on one of the 60 days after it (or on its day)."""
    day0 = date(2025, 9, 1)
    events = [
        ("consent_for_evaluation", (day0 + timedelta(consent)).isoformat()),
        ("evaluation_completed", (day0 + timedelta(evaluation)).isoformat()),
    ]
    det = _det(_ENGINE, events)
    assert (EVALUATION in _rules(det)) == (evaluation < consent)
    clock = det.clock("initial_evaluation")
    assert clock.start == day0 + timedelta(consent)
    assert (clock.status == "met") == (consent <= evaluation <= consent + 60)


#: One engine for the property's examples (a function-scoped fixture would be shared anyway).
_ENGINE = Engine(entry_points=False)


def test_check_prints_both_warnings_on_standard_error(tmp_path):
    """`check` shows each warning finding as `Warning: ...` on the standard error."""
    path = tmp_path / "order.json"
    path.write_text(
        json.dumps(
            {
                "id": "QA-ORDER-B",
                "ruleset": "us",
                "child": {"birth_date": BIRTH},
                "events": [
                    {"type": "evaluation_completed", "date": "2026-01-10"},
                    {"type": "consent_for_evaluation", "date": "2026-01-20"},
                    {"type": "iep_meeting_held", "date": "2026-01-25"},
                    {"type": "eligibility_determined", "date": "2026-02-01", **ELIGIBLE},
                ],
            }
        )
    )
    result = CliRunner().invoke(cli, ["check", str(path), "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Warning: the evaluation completed on 2026-01-10 is before the consent" in result.stderr
    assert "Warning: the IEP meeting dated 2026-01-25 is before the determination" in (
        result.stderr
    )
