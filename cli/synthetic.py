"""A seeded generator of fictional caseloads for the demo, the examples and the benchmark.

Every child is invented: names are drawn from small lists of made-up given
names and surnames, birth dates and events from a seeded random generator, so
the same seed and anchor date always give the same caseload. Event dates are
placed relative to the anchor date (the demo's as-of date) to give a mix of
clocks that are pending, due soon, overdue, met, met late and late but excused
by a documented delay.

    >>> cases = generate(seed=2026, part_c=150, part_b=90)
    >>> len(cases)
    240

Part C cases are children under 3 with a referral (45-day clock to the initial
IFSP meeting); Part B cases are children aged 3 to 10 with parental consent to
an initial evaluation and, for some, a referral from Part C. Which clocks a case
has, and their lengths, come from the rulesets and plugins, never from here.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

#: The demo's default as-of date: every bundled case is placed relative to it.
DEMO_AS_OF = date(2026, 3, 2)
DEMO_SEED = 2026

GIVEN_NAMES = (
    "Ayla", "Brinn", "Calo", "Dessa", "Emrik", "Fenna", "Galen", "Hollis", "Isko", "Jorrie",
    "Kael", "Liora", "Mirel", "Nello", "Oriel", "Pim", "Quilla", "Rensa", "Sorrel", "Tavi",
    "Ulla", "Vesper", "Wrenna", "Yarro", "Zinnia", "Aurin", "Bexa", "Corvin", "Dalia", "Eskel",
)  # fmt: skip
SURNAMES = (
    "Ambervane", "Brightwold", "Dunmorrow", "Elderquill", "Fallowmere", "Greythistle",
    "Hazelmarch", "Quellmoor", "Tansleigh", "Vorrindale", "Wexholt", "Marrowick", "Pellingham",
    "Corrowby", "Ashgrove", "Thistlewick", "Brambleton", "Lanternby", "Mossfield", "Rookhallow",
)  # fmt: skip
CASEWORKERS = (
    "Rhea Tallowby",
    "Simeon Quarrel",
    "Odile Farrowind",
    "Bram Kettleworth",
    "Inez Marchbank",
)

# Scenario mix for Part C cases (weights): what has happened since the referral.
_PART_C_SCENARIOS = (
    ("waiting", 40),  # referral, maybe consent: clock open (pending, due soon or overdue)
    ("met", 30),  # IFSP meeting held within the window
    ("met_late", 8),  # meeting held after the window, no excusing delay
    ("late_excused", 12),  # documented family delay, meeting held late
    ("excused_open", 10),  # documented family delay, meeting not yet held
)
_PART_B_SCENARIOS = (
    ("consented", 40),  # consent for evaluation, nothing since
    ("evaluated", 25),  # evaluation completed
    ("eligible", 20),  # eligibility determined, IEP meeting maybe held
    ("from_part_c", 15),  # referred from Part C ahead of the third birthday
)

_PART_B_CATEGORIES = (
    "autism",
    "speech_or_language_impairment",
    "specific_learning_disability",
    "other_health_impairment",
)


def _pick(rng: random.Random, weighted) -> str:
    names = [n for n, _ in weighted]
    weights = [w for _, w in weighted]
    return rng.choices(names, weights)[0]


def _day(anchor: date, days_before: int) -> date:
    return anchor - timedelta(days=days_before)


def _ev(type_: str, on: date, program: str, **more: Any) -> dict[str, Any]:
    event = {"type": type_, "date": on.isoformat(), "program": program}
    event.update({k: v for k, v in more.items() if v is not None})
    return event


def _part_c_case(rng: random.Random, number: int, anchor: date) -> dict[str, Any]:
    scenario = _pick(rng, _PART_C_SCENARIOS)
    age_days = rng.randint(120, 33 * 30)
    birth = _day(anchor, age_days)
    referral_ago = rng.randint(2, min(110, age_days - 30))
    referral = _day(anchor, referral_ago)
    events = [_ev("referral_received", referral, "part_c")]
    if referral_ago > 6:
        events.append(
            _ev("consent_for_evaluation", referral + timedelta(days=rng.randint(2, 6)), "part_c")
        )
    evaluations = []
    if referral_ago > 20 and scenario != "waiting":
        eval_day = referral + timedelta(days=rng.randint(10, 20))
        events.append(_ev("evaluation_completed", eval_day, "part_c"))
        evaluations.append(
            {
                "date": eval_day.isoformat(),
                "instrument": "BDI-3",
                "program": "part_c",
                "scores": [
                    {
                        "domain": "communication",
                        "standard_score": rng.choice([62, 70, 78, 85, 95]),
                        "mean": 100,
                        "sd": 15,
                    },
                    {"domain": "physical", "percent_delay": rng.choice([10, 20, 25, 30, 40])},
                ],
            }
        )
    if scenario == "met" and referral_ago > 25:
        events.append(
            _ev(
                "ifsp_meeting_held",
                referral + timedelta(days=rng.randint(21, min(44, referral_ago))),
                "part_c",
            )
        )
    elif scenario == "met_late" and referral_ago > 50:
        events.append(
            _ev(
                "ifsp_meeting_held",
                referral + timedelta(days=rng.randint(46, min(70, referral_ago))),
                "part_c",
            )
        )
    elif scenario in ("late_excused", "excused_open") and referral_ago > 20:
        delay_day = referral + timedelta(days=rng.randint(15, 20))
        events.append(
            _ev(
                "delay",
                delay_day,
                "part_c",
                reason="exceptional_family_circumstances",
                until=(delay_day + timedelta(days=rng.randint(10, 30))).isoformat(),
                note="family unavailable; documented in the record",
            )
        )
        if scenario == "late_excused" and referral_ago > 55:
            events.append(
                _ev(
                    "ifsp_meeting_held",
                    referral + timedelta(days=rng.randint(50, min(75, referral_ago))),
                    "part_c",
                )
            )
    child: dict[str, Any] = {
        "birth_date": birth.isoformat(),
        "name": f"{rng.choice(GIVEN_NAMES)} {rng.choice(SURNAMES)}",
    }
    if rng.random() < 0.15:
        child["gestational_age_weeks"] = rng.randint(28, 36)
    return {
        "schema": "eirules/case@1",
        "id": f"SYN-C-{number:04d}",
        "ruleset": "us",
        "child": child,
        "enrolments": [{"program": "part_c", "start": referral.isoformat()}],
        "events": events,
        "evaluations": evaluations,
    }


def _part_b_case(rng: random.Random, number: int, anchor: date) -> dict[str, Any]:
    scenario = _pick(rng, _PART_B_SCENARIOS)
    if scenario == "from_part_c":
        # Just under three: the LEA must have an IEP in place by the third birthday.
        age_days = 3 * 365 - rng.randint(20, 120)
    else:
        age_days = rng.randint(3 * 365 + 10, 10 * 365)
    birth = _day(anchor, age_days)
    events = []
    start_ago = rng.randint(3, 120)
    start = _day(anchor, start_ago)
    if scenario == "from_part_c":
        events.append(_ev("referral_from_part_c", start, "part_b"))
    events.append(
        _ev(
            "consent_for_evaluation",
            start + timedelta(days=1 if scenario == "from_part_c" else 0),
            "part_b",
        )
    )
    if scenario in ("evaluated", "eligible") and start_ago > 30:
        done = start + timedelta(days=rng.randint(20, min(75, start_ago - 5)))
        events.append(_ev("evaluation_completed", done, "part_b"))
        if scenario == "eligible" and (anchor - done).days > 5:
            decided = done + timedelta(days=rng.randint(1, 5))
            events.append(
                _ev(
                    "eligibility_determined",
                    decided,
                    "part_b",
                    outcome="eligible",
                    category=rng.choice(_PART_B_CATEGORIES),
                )
            )
            if (anchor - decided).days > 25 and rng.random() < 0.6:
                events.append(
                    _ev("iep_meeting_held", decided + timedelta(days=rng.randint(10, 25)), "part_b")
                )
    if scenario == "consented" and start_ago > 30 and rng.random() < 0.25:
        events.append(
            _ev(
                "delay",
                start + timedelta(days=rng.randint(10, 25)),
                "part_b",
                reason="parent_failed_to_produce_child",
                note="two missed appointments, documented",
            )
        )
    return {
        "schema": "eirules/case@1",
        "id": f"SYN-B-{number:04d}",
        "ruleset": "us",
        "child": {
            "birth_date": birth.isoformat(),
            "name": f"{rng.choice(GIVEN_NAMES)} {rng.choice(SURNAMES)}",
        },
        "enrolments": [{"program": "part_b", "start": start.isoformat()}],
        "events": events,
        "district": rng.choice(["North Hollow USD", "Riverbend USD", "Cedar Flats USD"]),
    }


def generate(
    *,
    seed: int = DEMO_SEED,
    part_c: int = 150,
    part_b: int = 90,
    as_of: date = DEMO_AS_OF,
    caseworkers: tuple[str, ...] = CASEWORKERS,
) -> list[tuple[dict[str, Any], str]]:
    """(case-file document, caseworker) pairs: the same seed always gives the same caseload."""
    return list(
        iter_cases(seed=seed, part_c=part_c, part_b=part_b, as_of=as_of, caseworkers=caseworkers)
    )


def iter_cases(
    *,
    seed: int = DEMO_SEED,
    part_c: int = 150,
    part_b: int = 90,
    as_of: date = DEMO_AS_OF,
    caseworkers: tuple[str, ...] = CASEWORKERS,
) -> Iterator[tuple[dict[str, Any], str]]:
    """Stream the caseload one case at a time (for very large benchmark caseloads)."""
    rng = random.Random(seed)
    for number in range(1, part_c + 1):
        yield _part_c_case(rng, number, as_of), caseworkers[(number - 1) % len(caseworkers)]
    for number in range(1, part_b + 1):
        yield _part_b_case(rng, number, as_of), caseworkers[(number + 1) % len(caseworkers)]


def records(pairs, source: str = "synthetic caseload"):
    """Turn generated pairs into import records for `Store.import_records`."""
    from eirules.core.importing import Record

    for i, (document, caseworker) in enumerate(pairs, start=1):
        yield Record(source, f"record {i}", document, caseworker=caseworker)
