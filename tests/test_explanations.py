"""Explanations: every decision says what, why, with which inputs, parameters and citation."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from helpers import ae, case, evaluation

from eirules.cli.render import render_determination
from eirules.core.convert import determination_to_dict

D = date.fromisoformat


@pytest.fixture(scope="module")
def eli(xs_engine):
    c = case(
        xs_engine,
        ga=31,
        events=[
            ("referral_received", "2025-04-01"),
            ("delay", "2025-05-01", {"reason": "exceptional_family_circumstances"}),
        ],
        evaluations=[evaluation("2025-05-04", ae("communication", 7), ae("adaptive", 12))],
    )
    return c, xs_engine.evaluate(c, "xs", D("2025-06-01"))


def test_eligibility_reason_reads_like_the_issue_example(eli):
    """The sentence names the area, the delay, the corrected age, the AE and the state's rule."""
    _, det = eli
    assert det.eligibility_for("part_c").reason.startswith(
        "Eligible for Part C: communication is 50% delayed (age 14 months corrected for 9 weeks of "
        "prematurity, age equivalent 7 months); Example State requires 50% delay in 1 area"
    )


def test_findings_carry_inputs_parameters_and_citations(eli):
    """Every decision is data: the AE 7 at 14 months is 50%; AE 12 in adaptive at 14 months is 2 months' delay."""
    _, det = eli
    finding = next(f for f in det.findings if f.rule == "part_c.eligibility.developmental_delay")
    assert finding.inputs["delays"]["communication"]["percent_delay"] == 50.0
    assert finding.inputs["delays"]["adaptive"]["months_delay"] == 2.0
    assert finding.parameters["part_c.prematurity.below_gestational_weeks"] == 37
    assert finding.parameters["part_c.eligibility.delay_criteria"][0]["at_least"] == 50
    assert "303.111" in finding.citation
    for f in det.findings:
        assert f.reason and f.citation and f.program == "part_c"


def test_every_clock_and_referral_has_a_citation(eli):
    """No clock or referral without its provision; a not-applicable clock always says why."""
    _, det = eli
    assert det.clocks and det.referrals
    for k in det.clocks:
        assert k.citation.startswith("34 CFR"), k
        if k.status == "not_applicable":
            assert k.reason
    for r in det.referrals:
        assert r.citation and r.reason and r.referrer and r.to


def test_json_has_the_same_facts_as_text(eli):
    """Text for case managers and JSON for programs carry the same clocks, citations and reasons."""
    case_, det = eli
    data = determination_to_dict(det)
    text = render_determination(det, case_)
    flat = " ".join(text.split())
    for clock in data["clocks"]:
        assert (clock["label"] or clock["id"].replace("_", " ")) in flat
        assert " ".join(clock["citation"].split()) in flat
    assert " ".join(data["eligibility"][0]["reason"].split()) in flat
    assert "Initial IFSP meeting (part_c)" in flat


def test_text_says_as_soon_as_possible_for_a_clock_without_a_date(engine):
    """303.209(b)(1)(ii): no fixed date, so the text says "as soon as possible" rather than a date."""
    c = case(engine, birth="2024-11-02", events=[("referral_received", "2027-08-20")], ruleset="us")
    det = engine.evaluate(c, "us", D("2027-08-21"))
    flat = " ".join(render_determination(det, c).split())
    assert "Notify SEA and LEA of transition (part_c): as soon as possible" in flat
    assert "Referred 74 days before the third birthday" in flat


def test_overdue_text_counts_the_days(engine):
    """303.310(a): referral 2026-01-05, due 2026-02-19; on 2026-02-24 the meeting is 5 days overdue."""
    c = case(engine, birth="2024-11-02", events=[("referral_received", "2026-01-05")], ruleset="us")
    text = render_determination(engine.evaluate(c, "us", D("2026-02-24")), c)
    flat = " ".join(text.split())
    assert (
        "OVERDUE Initial IFSP meeting (part_c): by 2026-02-19, 5 days overdue [34 CFR 303.310]"
        in flat
    )


EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("p[bc]-*.json"))

#: The as-of date docs/clocks.md runs each example on: events after it have not happened.
AS_OF = dict(
    re.findall(
        r"eirules check examples/(\S+)\.json --as-of (\S+)",
        (Path(__file__).parent.parent / "docs" / "clocks.md").read_text(),
    )
)


def example_as_of(path: Path) -> date:
    return D(AS_OF.get(path.stem, "2026-06-01"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_bundled_examples_evaluate_with_cited_clocks(engine, path):
    """Every bundled example loads, and every clock it shows is cited and has a status."""
    c = engine.load_case(path)
    det = engine.evaluate(c, None, example_as_of(path))
    assert det.clocks or det.referrals  # pc-referrals: as of its date, only referrals to make
    for k in det.clocks:
        assert k.citation, k
    assert render_determination(det, c)


def test_examples_show_every_clock_id(engine):
    """Together the examples show every clock of the issue's table."""
    seen = set()
    for path in EXAMPLES:
        det = engine.evaluate(engine.load_case(path), None, example_as_of(path))
        seen |= {k.id for k in det.clocks}
    assert seen >= {
        "initial_ifsp_meeting",
        "service_start",
        "ifsp_periodic_review",
        "ifsp_annual_meeting",
        "transition_notification",
        "transition_conference",
        "transition_plan",
        "initial_evaluation",
        "initial_iep_meeting",
        "iep_by_third_birthday",
        "iep_annual_review",
        "reevaluation",
        "transition_services",
        "age_of_majority_notice",
    }


def test_text_puts_an_as_soon_as_possible_duty_before_the_next_dated_clock(engine):
    """303.209(b)(1)(ii): found eligible 46 days before age 3, the notice is owed now, with no date;
    the summary must not lead with a clock due weeks later."""
    c = case(
        engine,
        birth="2023-09-20",
        events=[
            ("referral_received", "2026-07-15"),
            ("eligibility_determined", "2026-08-05", {"outcome": "eligible"}),
        ],
        ruleset="us",
    )
    text = render_determination(engine.evaluate(c, "us", D("2026-08-10")), c)
    lines = [line for line in text.splitlines() if line.startswith(("Now:", "Next due:"))]
    # Referred 2026-07-15, after the 90-day date 2026-06-22: the conference and the plan are
    # owed as soon as possible too (303.209(c)(1), (d)), so all three lead.
    assert [line.split(" (part_c)")[0] for line in lines[:3]] == [
        "Now: Transition conference as soon as possible",
        "Now: Notify SEA and LEA of transition as soon as possible",
        "Now: Transition plan in the IFSP as soon as possible",
    ]
    assert lines[3].startswith("Next due: Initial IFSP meeting by 2026-08-29")
