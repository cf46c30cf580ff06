"""Generate the fictional Elm Street Elementary MTSS data (seeded, so every run is identical).

Writes examples/mtss/elm-street/ and plugins/mtss/data/elm-street/:
school.json, students/*.json (case files with an "mtss" section) and CSV exports
of the screening results and session logs. All students are fictional; benchmark
and growth numbers on the series are synthetic data, not norms.

    python scripts/make_mtss_school.py
"""

from __future__ import annotations

import csv
import json
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

from eirules.plugins.mtss.datadir import (  # the documented layouts
    SCREENING_COLUMNS,
    SESSION_COLUMNS,
)

ROOT = Path(__file__).resolve().parent.parent
TARGETS = (
    ROOT / "examples" / "mtss" / "elm-street",
    ROOT / "plugins" / "mtss" / "data" / "elm-street",
)
SEED = 20250908
SCHOOL = "Elm Street Elementary"
BLOCKS = ("A", "B", "C", "D")
BLOCK_TIMES = {
    "A": "Mon-Thu 9:10-9:40",
    "B": "Mon-Thu 10:15-10:45",
    "C": "Mon-Thu 13:00-13:30",
    "D": "Mon-Thu 14:05-14:35",
}
BREAKS = [(date(2025, 12, 22), date(2026, 1, 2)), (date(2026, 3, 30), date(2026, 4, 3))]
FIRST_NAMES = "Ada Ben Cleo Dev Eli Fay Gus Hana Ivo Jun Kai Lev Mira Nox Ola Pim Quin Rue Sol Tam Uma Vik Wren Xia Yan Zed".split()
SCREEN_DATES = {"fall": date(2025, 9, 8), "winter": date(2026, 1, 12), "spring": date(2026, 5, 4)}
# Synthetic (fictional) grade-level benchmark and peer growth for the demo series.
ORF = {1: (47, 1.4, 1.6), 2: (87, 1.1, 1.3), 3: (107, 0.9, 1.1)}  # benchmark, peer_roi, typical_roi
MATH = (30, 0.5, 0.7)

PROGRAMS = [
    {
        "id": "PHON",
        "name": "Phonics Boost",
        "skill_area": "decoding",
        "tier": 2,
        "grade_min": 1,
        "grade_max": 2,
        "sessions_per_week": 4,
        "minutes_per_session": 30,
    },
    {
        "id": "FLU",
        "name": "Fluency Lab",
        "skill_area": "fluency",
        "tier": 2,
        "grade_min": 2,
        "grade_max": 3,
        "sessions_per_week": 3,
        "minutes_per_session": 30,
    },
    {
        "id": "INT",
        "name": "Intensive Reading",
        "skill_area": "decoding",
        "tier": 3,
        "grade_min": 1,
        "grade_max": 3,
        "sessions_per_week": 5,
        "minutes_per_session": 45,
    },
    {
        "id": "MATH",
        "name": "Fact Fluency",
        "skill_area": "math_facts",
        "tier": 2,
        "grade_min": 1,
        "grade_max": 3,
        "sessions_per_week": 3,
        "minutes_per_session": 30,
    },
]
STAFF = [
    {
        "id": "rowan",
        "name": "Ms. Rowan",
        "programs": ["PHON", "INT"],
        "availability": ["A", "B", "C", "D"],
    },
    {
        "id": "basil",
        "name": "Mr. Basil",
        "programs": ["FLU", "MATH"],
        "availability": ["A", "B", "C"],
    },
    {
        "id": "sorrel",
        "name": "Ms. Sorrel",
        "programs": ["INT", "PHON"],
        "availability": ["B", "C", "D"],
    },
    {
        "id": "juniper",
        "name": "Mx. Juniper",
        "programs": ["PHON", "FLU", "MATH"],
        "availability": ["A", "B", "C", "D"],
    },
]
# group id: program, interventionist, block, tier
GROUPS = {
    "G-PHON-1": ("PHON", "rowan", "A"),
    "G-PHON-2": ("PHON", "sorrel", "D"),
    "G-FLU-1": ("FLU", "basil", "B"),  # the fidelity problem: provider often absent
    "G-INT-1": ("INT", "rowan", "C"),
    "G-MATH-1": ("MATH", "basil", "A"),
}
# (grade, group, profile): responder / slow / flat / exit / overdue / referral
PLAN = [
    (1, "G-PHON-1", "responder"),
    (1, "G-PHON-1", "exit"),
    (1, "G-PHON-1", "flat"),
    (1, "G-PHON-1", "responder"),
    (2, "G-PHON-2", "responder"),
    (2, "G-PHON-2", "slow"),
    (2, "G-PHON-2", "overdue"),
    (2, "G-FLU-1", "flat"),
    (3, "G-FLU-1", "slow"),
    (3, "G-FLU-1", "flat"),
    (3, "G-FLU-1", "responder"),
    (1, "G-INT-1", "referral"),
    (2, "G-INT-1", "flat_adapted"),
    (3, "G-INT-1", "responder"),
    (1, "G-MATH-1", "responder"),
    (2, "G-MATH-1", "responder"),
    (3, "G-MATH-1", "slow"),
]
SLOPES = {
    "responder": 1.25,
    "exit": 1.6,
    "slow": 0.55,
    "flat": 0.15,
    "overdue": 1.0,
    "referral": 0.2,
    "flat_adapted": 0.3,
}


def mondays(start: date, end: date):
    d = start
    while d <= end:
        if not any(a <= d <= b for a, b in BREAKS):
            yield d
        d += timedelta(days=7)


def school_days(start: date, end: date, per_week: int):
    d = start
    while d <= end:
        if d.weekday() < per_week:
            yield d, any(a <= d <= b for a, b in BREAKS)
        d += timedelta(days=1)


def build(rng: random.Random):
    students = []
    n = 0
    planned = {i: p for i, p in enumerate(PLAN)}
    used = 0
    for grade in (1, 2, 3):
        for _ in range(14):
            n += 1
            sid = f"ELM-{n:03d}"
            name = f"{rng.choice(FIRST_NAMES)} {chr(65 + n % 26)}. (fictional)"
            plan = None
            for i, p in list(planned.items()):
                if p[0] == grade:
                    plan = p
                    del planned[i]
                    used += 1
                    break
            students.append(make_student(rng, sid, name, grade, plan))
    return students


def make_student(rng, sid, name, grade, plan):
    group = plan[1] if plan else None
    profile = plan[2] if plan else None
    prog = next((p for p in PROGRAMS if group and p["id"] == GROUPS[group][0]), None)
    math = prog is not None and prog["skill_area"] == "math_facts"
    reading_skill = prog["skill_area"] if prog and not math else rng.choice(["decoding", "fluency"])
    if prog is None:
        pr = round(rng.uniform(8, 95))
        skill_need = None if pr >= 25 else reading_skill
    else:
        pr = round(rng.uniform(3, 9)) if prog["tier"] == 3 else round(rng.uniform(10, 24))
        skill_need = prog["skill_area"]
    blocks = sorted(rng.sample(BLOCKS, 2))
    if group:
        block = GROUPS[group][2]
        if block not in blocks:
            blocks = sorted({block, blocks[0]})
    screenings = []
    drift = 0.0
    other = round(rng.uniform(30, 97))  # the area the student is not served in
    for window, d in SCREEN_DATES.items():
        if profile in ("responder", "exit") and window != "fall":
            drift += rng.uniform(8, 14)
        for area in ("reading", "math"):
            served = (area == "math") == math
            base_pr = pr + drift if served else other
            screenings.append(
                {
                    "date": d.isoformat(),
                    "window": window,
                    "instrument": "Star Reading" if area == "reading" else "Star Math",
                    "skill_area": area,
                    "percentile": max(1, min(99, round(base_pr + rng.uniform(-3, 3)))),
                }
            )
    rec = {
        "student": {
            "grade": grade,
            "school": SCHOOL,
            "teachers": [f"Grade {grade} teacher {rng.choice('ABC')}"],
            "availability": blocks,
        },
        "screenings": screenings,
    }
    if skill_need:
        rec["student"]["skill_need"] = skill_need
    events = []
    if prog is not None:
        fill_intervention(rng, rec, events, sid, grade, group, profile, prog, math)
    return {
        "schema": "eirules/case@1",
        "id": sid,
        "ruleset": "mtss",
        "child": {
            "birth_date": date(2019 - grade, rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
            "name": name,
        },
        "events": events,
        "mtss": rec,
    }


def fill_intervention(rng, rec, events, sid, grade, group, profile, prog, math):
    start = date(2025, 9, 22)
    end_data = date(2026, 6, 1)
    area = prog["skill_area"]
    family = "math" if math else "reading"
    rec["indicators"] = [
        {
            "name": "screening below 25th percentile",
            "skill_area": family,
            "met": True,
            "date": "2025-09-08",
            "source": "Star",
        },
        {
            "name": "report card below grade level",
            "skill_area": family,
            "met": True,
            "date": "2025-09-12",
        },
        {"name": "teacher observation", "skill_area": family, "met": True, "date": "2025-09-12"},
        {
            "name": "CBM below 25th percentile",
            "skill_area": family,
            "met": True,
            "date": "2025-09-10",
        },
        {
            "name": "prior-year intervention",
            "skill_area": family,
            "met": profile in ("flat", "referral", "flat_adapted"),
            "date": "2025-09-12",
        },
    ]
    enrol = {
        "program": prog["id"],
        "tier": prog["tier"],
        "skill_area": area,
        "start": start.isoformat(),
        "group": group,
        "sessions_per_week": prog["sessions_per_week"],
        "minutes_per_session": prog["minutes_per_session"],
        "reviews": ["2025-11-03", "2025-12-15", "2026-02-09", "2026-03-23", "2026-05-11"],
    }
    if profile == "exit":
        enrol["end"] = "2026-02-27"
        enrol["outcome"] = "responded"
    if profile in ("referral", "flat_adapted"):
        rec["enrolments"] = [
            {
                "program": "PHON",
                "tier": 2,
                "skill_area": "decoding",
                "start": "2025-01-13",
                "end": "2025-03-21",
                "outcome": "not_responded",
            },
            {
                "program": "PHON",
                "tier": 2,
                "skill_area": "decoding",
                "start": "2025-04-07",
                "end": "2025-06-06",
                "outcome": "not_responded",
            },
            enrol,
        ]
    else:
        rec["enrolments"] = [enrol]
    # Sessions
    sessions = []
    end_sessions = date.fromisoformat(enrol.get("end", end_data.isoformat()))
    for d, closed in school_days(start, min(end_sessions, end_data), prog["sessions_per_week"]):
        roll = rng.random()
        mins = prog["minutes_per_session"]
        if closed:
            s = {"status": "school_closed", "minutes": 0}
        elif group == "G-FLU-1" and roll < 0.32:
            s = {"status": "provider_absent", "minutes": 0}
        elif roll < 0.05:
            s = {"status": "student_absent", "minutes": 0}
        elif roll < 0.07:
            s = {"status": "school_assessment", "minutes": 0}
        else:
            s = {"status": "delivered", "minutes": mins if rng.random() > 0.1 else mins - 5}
        sessions.append(
            {
                "date": d.isoformat(),
                "planned_minutes": mins,
                "group": group,
                "program": prog["id"],
                **s,
            }
        )
    # a make-up session for the G-FLU-1 group in June
    if group == "G-FLU-1":
        sessions.append(
            {
                "date": "2026-06-02",
                "status": "delivered",
                "planned_minutes": 30,
                "minutes": 30,
                "group": group,
                "program": prog["id"],
                "makeup": True,
            }
        )
    rec["sessions"] = sessions
    # Progress series
    if math:
        bench, peer, typical = MATH
        base = rng.uniform(8, 12)
        measure = "digits_correct"
    else:
        bench, peer, typical = ORF[grade]
        base = bench * rng.uniform(0.35, 0.5)
        measure = "orf"
    slope = SLOPES[profile] * (0.5 if math else 1.0)
    weeks_to_goal = 34
    goal = round(base + (1.2 if not math else 0.6) * weeks_to_goal)
    points = []
    last_date = date(2026, 4, 27) if profile == "overdue" else end_data
    if profile == "exit":
        last_date = date(2026, 3, 2)
    phases = []
    if profile in ("referral", "flat_adapted"):
        phases = [
            {
                "date": "2026-01-05",
                "label": "Adapted: explicit phonics + more practice",
                "adaptation": True,
            }
        ]
    for i, d in enumerate(mondays(date(2025, 9, 8), last_date)):
        wk = (d - date(2025, 9, 8)).days / 7
        eff = slope
        if profile == "flat_adapted" and d >= date(2026, 1, 5):
            eff = 1.1
        if i < 3:
            score = base + rng.uniform(-2, 2)
        else:
            score = base + eff * (wk - 2) + rng.gauss(0, 2.2 if not math else 1.0)
        points.append({"date": d.isoformat(), "score": round(score)})
    series = {
        "id": f"{measure}-{sid.lower()}",
        "measure": measure,
        "skill_area": area,
        "tier": prog["tier"],
        "program": prog["id"],
        "goal": goal,
        "goal_date": "2026-05-25",
        "goal_method": "custom",
        "benchmark": bench,
        "peer_roi": peer,
        "typical_roi": typical,
        "points": points,
        "phases": phases,
    }
    if profile == "exit":
        series["ended"] = "2026-03-02"
        series["points"] = points[:-6] + [
            {"date": p["date"], "score": bench + 2 + k} for k, p in enumerate(points[-6:])
        ]
    rec["series"] = [series]
    rec["notes"] = [
        {
            "date": "2025-11-14",
            "author": "class teacher",
            "role": "teacher",
            "text": "Working hard; guesses at longer words.",
            "series": series["id"],
        }
    ]
    if profile == "referral":
        events.append(
            {
                "type": "parent_requested_evaluation",
                "date": "2026-04-20",
                "program": "mtss",
                "note": "Parent asked in writing for a special-education evaluation.",
            }
        )
        events.append({"type": "parent_informed_of_data", "date": "2026-02-13", "program": "mtss"})
        rec["notes"].append(
            {
                "date": "2026-04-20",
                "author": "parent",
                "role": "parent",
                "text": "Reading at home is still very hard; we want an evaluation.",
            }
        )


def write(students, target: Path):
    if target.exists():
        shutil.rmtree(target)
    (target / "students").mkdir(parents=True)
    school = {
        "name": SCHOOL,
        "programs": PROGRAMS,
        "interventionists": STAFF,
        "groups": [
            {
                "id": gid,
                "program": prog,
                "interventionist": who,
                "block": block,
                "start": "2025-09-22",
                "students": [
                    s["id"]
                    for s in students
                    if any(e.get("group") == gid for e in s["mtss"].get("enrolments", []))
                ],
            }
            for gid, (prog, who, block) in GROUPS.items()
        ],
        # The intervention blocks (fictional times); each is open to every grade here, so
        # the students' own availability decides. A school that gives each grade its own
        # intervention block lists the grades: {"id": "A", "grades": [1]}.
        "blocks": [{"id": b, "label": label} for b, label in BLOCK_TIMES.items()],
        "windows": [
            {"name": "fall", "school_year": "2025-26", "start": "2025-08-25", "end": "2026-01-09"},
            {
                "name": "winter",
                "school_year": "2025-26",
                "start": "2026-01-12",
                "end": "2026-05-01",
            },
            {
                "name": "spring",
                "school_year": "2025-26",
                "start": "2026-05-04",
                "end": "2026-06-12",
            },
        ],
    }
    (target / "school.json").write_text(json.dumps(school, indent=1) + "\n", encoding="utf-8")
    for s in students:
        (target / "students" / f"{s['id']}.json").write_text(
            json.dumps(s, indent=1) + "\n", encoding="utf-8"
        )
    with open(target / "screening.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(SCREENING_COLUMNS)
        for s in students:
            for r in s["mtss"]["screenings"]:
                w.writerow(
                    [
                        s["id"],
                        r["date"],
                        r["window"],
                        r["instrument"],
                        r["skill_area"],
                        r["percentile"],
                        "",
                        "",
                    ]
                )
    with open(target / "sessions.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(SESSION_COLUMNS)
        for s in students:
            for r in s["mtss"].get("sessions", [])[-5:]:
                w.writerow(
                    [
                        s["id"],
                        r["date"],
                        r["status"],
                        r["planned_minutes"],
                        r["minutes"],
                        r["group"],
                        r["program"],
                        "",
                        "yes" if r.get("makeup") else "",
                        "",
                    ]
                )


def main() -> None:
    students = build(random.Random(SEED))
    for target in TARGETS:
        write(students, target)
        print(f"wrote {len(students)} students to {target}")


if __name__ == "__main__":
    main()
