"""Issue 15: the columnar clocks (numpy) give exactly the per-case engine's dates and statuses.

`eirules.bulk.clock_table` computes the 45-day timeline (303.310(a)), the IFSP reviews
(303.342(b), (c)), the initial evaluation (300.301(c)), the initial IEP meeting
(300.323(c)(1)) and the annual IEP review (300.324(b)(1)) over columns for the cases of
the plainest shape, and leaves every other case to the per-case engine. Every test here
compares it with the engine's own determination, case by case: on the golden sample
(benchmarks/golden.py's generated cases under every ruleset, the examples at the golden
as-of dates), on worked examples with hand-computed dates, and on generated caseloads
near the edge of what the columns cover. Speed is measured by benchmarks/columnar.py.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eirules.bulk import clock_table
from eirules.core.convert import determination_to_dict
from eirules.core.engine import Engine
from eirules.core.errors import EirulesError
from eirules.plugins.columnar import engine_rows

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from evaluate import AS_OF, make_case  # noqa: E402
from golden import AS_OF_DATES, SEED  # noqa: E402

ENGINE = Engine(entry_points=False)
#: The golden sample's first cases (CI-sized; the whole sample is 1,000).
SAMPLE = 150


def _by_case(table) -> dict[str, list[tuple]]:
    found: dict[str, list[tuple]] = {}
    for row in table.rows():
        found.setdefault(row[0], []).append(row)
    return {k: sorted(v) for k, v in found.items()}


def _mismatches(docs: list[dict], ruleset: str, as_of: date) -> tuple[list[str], object]:
    """Every case whose columnar rows differ from its determination's, named."""
    table = clock_table(docs, as_of=as_of, ruleset=ruleset, engine=ENGINE)
    got = _by_case(table)
    wrong = []
    rs = ENGINE.rulesets.get(ruleset)
    for doc in docs:
        try:
            det = determination_to_dict(ENGINE.evaluate(ENGINE.case_from_dict(doc), rs, as_of))
        except EirulesError:
            continue
        want = sorted(engine_rows(det, table.clocks))
        if got.get(doc["id"], []) != want:
            wrong.append(
                f"{ruleset} {as_of} {doc['id']}: engine {want}, columnar {got.get(doc['id'])}"
            )
    return wrong, table


@pytest.mark.parametrize("ruleset", ENGINE.rulesets.ids())
def test_the_golden_sample_gives_the_engines_rows_under_every_ruleset(ruleset):
    """The generated cases of the golden sample (benchmarks/golden.py), case by case."""
    rnd = random.Random(SEED)
    docs = [make_case(i, rnd) for i in range(SAMPLE)]
    wrong, table = _mismatches(docs, ruleset, AS_OF)
    assert wrong == []
    if ruleset == "us":
        # Most of these plain cases are the columns' own, not the engine's (states that
        # count school days, as us-ca and us-tx do for 300.301(c), fall back more).
        assert table.columnar > 3 * table.fallback


@pytest.mark.parametrize("ruleset", ["us", "us-mo", "us-tx"])
def test_the_example_cases_at_the_golden_dates(ruleset):
    """examples/*.json (delays, exits, late referrals, both programs) at every golden date:
    they mostly fall back, and what the columns do decide is the engine's answer."""
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(ROOT.glob("examples/*.json"))]
    docs += [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(ROOT.glob("examples/caseload/*.json"))[::4]
    ]
    for day in AS_OF_DATES:
        wrong, _ = _mismatches(docs, ruleset, date.fromisoformat(day))
        assert wrong == []


def _part_c(referral: str, meeting: str | None = None, birth: str = "2024-06-10") -> dict:
    events = [{"type": "referral_received", "date": referral}]
    if meeting:
        events.append({"type": "ifsp_meeting_held", "date": meeting})
    return {"id": "SYN-COL-C", "child": {"birth_date": birth}, "events": events}


def test_part_c_ava_referred_2025_03_03_ifsp_meeting_due_2025_04_17_from_the_columns():
    """34 CFR 303.310(a): the initial IFSP meeting within 45 days of the referral.

    2025-03-03 + 45 days = 2025-04-17 (28 days left in March, 17 in April). As of
    2025-04-10 it is 7 days away; as of 2025-04-20, with no meeting, it is overdue.
    """
    doc = _part_c("2025-03-03")
    table = clock_table([doc], as_of=date(2025, 4, 20), ruleset="us", engine=ENGINE)
    assert table.columnar == 1 and table.fallback == 0
    assert table.rows() == [
        ("SYN-COL-C", "initial_ifsp_meeting", "part_c", "2025-03-03", "2025-04-17", None, "overdue")
    ]
    met = clock_table(
        [_part_c("2025-03-03", "2025-04-17")], as_of=date(2025, 5, 1), ruleset="us", engine=ENGINE
    )
    assert met.rows()[0][4:] == ("2025-04-17", "2025-04-17", "met")  # the last day is on time


def test_part_b_consent_2025_09_02_initial_evaluation_due_2025_11_01_from_the_columns():
    """34 CFR 300.301(c)(1)(i): the initial evaluation within 60 days of consent.

    2025-09-02 + 60 days = 2025-11-01 (28 days left in September, 31 in October, 1 in
    November); completed on 2025-11-03, it was met late.
    """
    doc = {
        "id": "SYN-COL-B",
        "child": {"birth_date": "2017-05-04"},
        "events": [
            {"type": "consent_for_evaluation", "date": "2025-09-02"},
            {"type": "evaluation_completed", "date": "2025-11-03"},
        ],
    }
    table = clock_table([doc], as_of=date(2025, 12, 1), ruleset="us", engine=ENGINE)
    assert table.columnar == 1
    assert table.rows() == [
        (
            "SYN-COL-B",
            "initial_evaluation",
            "part_b",
            "2025-09-02",
            "2025-11-01",
            "2025-11-03",
            "met_late",
        )
    ]


def test_an_ifsp_held_on_29_february_is_reviewed_by_28_february_next_year():
    """34 CFR 303.342(c): the annual IFSP meeting a year after the last; the leap-day rule
    of the ruleset (`dates.leap_day_birthday`, feb28 in the federal baseline) places it."""
    doc = _part_c("2024-01-20", "2024-02-29", birth="2023-05-01")
    table = clock_table([doc], as_of=date(2024, 12, 1), ruleset="us", engine=ENGINE)
    annual = [r for r in table.rows() if r[1] == "ifsp_annual_meeting"]
    assert annual == [
        ("SYN-COL-C", "ifsp_annual_meeting", "part_c", "2024-02-29", "2025-02-28", None, "pending")
    ]
    assert _mismatches([doc], "us", date(2024, 12, 1))[0] == []


def test_a_delay_that_excuses_lateness_falls_back_to_the_engine():
    """303.310(b): a documented family delay excuses a late meeting; only the engine weighs it.

    Due 2025-04-17, held 2025-04-25: 8 days late, and the family's circumstances from
    2025-04-01 to 2025-04-15 cover 15 days of the timeline, so the lateness is excused.
    """
    doc = _part_c("2025-03-03", "2025-04-25")
    doc["events"].append(
        {
            "type": "delay",
            "date": "2025-04-01",
            "until": "2025-04-15",
            "reason": "exceptional_family_circumstances",
        }
    )
    wrong, table = _mismatches([doc], "us", date(2025, 5, 1))
    assert wrong == []
    assert table.columnar == 0 and table.fallback >= 1
    row = [r for r in table.rows() if r[1] == "initial_ifsp_meeting"][0]
    assert row[6] == "late_excused"


def test_a_case_the_case_model_refuses_is_named_not_computed():
    doc = _part_c("2020-01-01", birth="2024-06-10")  # referred before birth
    table = clock_table(
        [doc, _part_c("2025-03-03")], as_of=date(2025, 4, 1), ruleset="us", engine=ENGINE
    )
    assert list(table.failures) == [0]
    assert "before the child's birth" in table.failures[0]
    assert [r[0] for r in table.rows()] == ["SYN-COL-C"] * 1 and table.columnar == 1


def test_another_plugin_makes_every_case_the_engines():
    """A plugin the columns do not know could add or change clocks: nothing is computed."""

    class Extra:
        """A plugin object with no hooks, unknown to the columnar modules."""

    engine = Engine(entry_points=False)
    engine.pm.register(Extra(), name="an-agency-plugin")
    table = clock_table(
        [_part_c("2025-03-03")], as_of=date(2025, 4, 1), ruleset="us", engine=engine
    )
    assert table.columnar == 0 and table.fallback == 1


# Generated caseloads near the edge of what the columns cover -----------------------------------

BIRTHS = st.sampled_from(["2020-02-29", "2023-02-28", "2023-03-01", "2024-02-29"]) | st.dates(
    date(2016, 1, 1), date(2026, 6, 1)
).map(date.isoformat)


@st.composite
def cases(draw, i: int = 0):
    birth = date.fromisoformat(draw(BIRTHS))
    day = lambda lo, hi: birth + timedelta(days=draw(st.integers(lo, hi)))  # noqa: E731
    events = []
    if draw(st.booleans()):  # Part C
        referral = day(0, 1200)
        events.append({"type": "referral_received", "date": referral.isoformat()})
        for kind in ("ifsp_meeting_held", "ifsp_review_held", "ifsp_annual_meeting_held"):
            for _ in range(draw(st.integers(0, 2))):
                events.append(
                    {
                        "type": kind,
                        "date": (referral + timedelta(days=draw(st.integers(-5, 420)))).isoformat(),
                    }
                )
    else:  # Part B
        consent = day(1000, 3000)
        events.append({"type": "consent_for_evaluation", "date": consent.isoformat()})
        for kind in ("evaluation_completed", "iep_meeting_held", "iep_review_held"):
            for _ in range(draw(st.integers(0, 2))):
                events.append(
                    {
                        "type": kind,
                        "date": (consent + timedelta(days=draw(st.integers(-5, 500)))).isoformat(),
                    }
                )
    if draw(st.booleans()):
        outcome = draw(st.sampled_from(["eligible", "not_eligible"]))
        events.append(
            {"type": "eligibility_determined", "date": day(0, 3000).isoformat(), "outcome": outcome}
        )
    if draw(st.integers(0, 3)) == 0:
        reason = draw(
            st.sampled_from(
                [
                    "exceptional_family_circumstances",
                    "parent_failed_to_produce_child",
                    "agency_reason",
                ]
            )
        )
        events.append({"type": "delay", "date": day(0, 3000).isoformat(), "reason": reason})
    if draw(st.integers(0, 5)) == 0:
        events.append(
            {
                "type": draw(st.sampled_from(["exited", "moved_out", "referral_from_part_c"])),
                "date": day(0, 3000).isoformat(),
            }
        )
    events = [e for e in events if e["date"] >= birth.isoformat()]
    return {"id": f"SYN-GEN-{i:03d}", "child": {"birth_date": birth.isoformat()}, "events": events}


@settings(max_examples=25)
@given(
    docs=st.lists(cases(), min_size=1, max_size=12),
    as_of=st.dates(date(2018, 1, 1), date(2030, 12, 31)),
    ruleset=st.sampled_from(["us", "us-mo", "us-ca", "us-tx", "us-ny"]),
)
def test_generated_caseloads_give_the_engines_rows(docs, as_of, ruleset):
    """Leap-day births and meetings, stop events before the trigger, delays, exits, both
    programs, any as-of date: the columns decide a case only when the engine agrees."""
    for i, doc in enumerate(docs):
        doc["id"] = f"SYN-GEN-{i:03d}"
    wrong, table = _mismatches(docs, ruleset, as_of)
    assert wrong == []
    assert table.columnar + table.fallback == sum(len(v) for v in _by_case(table).values())
