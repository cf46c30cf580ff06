"""A fictional school whose progress-monitoring answers are known by design (seeded).

Each Tier 2 reading student is given a response pattern (how fast they truly grow
against their aimline), measurement noise and, for some, a long absence. Because the
true growth is chosen, the decision a careful data team should reach at 6, 11 and 21
weeks of intervention is known: `ANSWERS` lists, per pattern and checkpoint, the
decisions that agree with the design (early on, "not enough data yet" is one of them).
tests/test_mtss_known_answers.py runs the rules on this school and asserts the
agreement rates.

    python scripts/make_mtss_known_answers.py OUT_DIR [--seed N] [--students N]

writes school.json and students/*.json (an MTSS data folder for every command).
All students are fictional. Growth rates and benchmarks follow the shipped ruleset
(Fuchs et al. 1993 ambitious growth for the aimline; Hasbrouck & Tindal 2017 50th
percentile benchmarks; 25th-percentile weekly improvement as peer growth); the noise
levels are inside the range of CBM-R standard errors of estimate (2-18 words) that
Christ (2006) studied.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta
from pathlib import Path

START = date(2025, 9, 22)  # baseline date; weekly points from the next Monday
GOAL_DATE = date(2026, 5, 18)
SCREENS = {"fall": date(2025, 9, 8), "winter": date(2026, 1, 12)}
BREAK = (date(2025, 12, 22), date(2026, 1, 2))  # winter break: no points, no sessions
CHECKPOINTS = (6, 11, 21)  # weeks of intervention
#: grade: (ambitious growth, fall benchmark, winter benchmark, peer growth at the 25th PR)
GRADES = {2: (2.0, 50, 84, 1.1), 3: (1.5, 83, 97, 1.0), 4: (1.1, 94, 120, 0.9)}
REALISTIC = {2: 1.5, 3: 1.0, 4: 0.85}  # Fuchs et al. 1993 realistic growth (R3 guard)
NOISE = 6.0  # words correct per minute, one probe's standard error
NOISY = 12.0

#: pattern: (share of students, true slope as a multiple of the aimline slope)
PATTERNS = {
    "strong": (0.15, 2.2),
    "on_track": (0.2, 1.0),
    "slow": (0.15, 0.25),
    "flat": (0.15, 0.0),
    "decelerating": (0.1, 1.0),  # on track for 8 weeks, then flat
    "noisy": (0.1, 1.0),  # on track, twice the measurement noise
    "absent": (0.1, 1.0),  # absent weeks 3-9 (no sessions, no probes, no growth)
    "unrealistic_goal": (0.05, None),  # goal needs 3x typical growth; grows at 1.6x
}
INSUFFICIENT = "insufficient_data"
CHANGE = {"change_within_tier", "escalate_tier3"}
#: Decisions that agree with the design, per pattern and checkpoint (weeks).
ANSWERS = {
    "strong": {
        6: {"raise_goal", INSUFFICIENT},
        11: {"raise_goal", "exit"},
        21: {"raise_goal", "exit"},
    },
    "on_track": {6: {INSUFFICIENT, "maintain"}, 11: {INSUFFICIENT, "maintain"}, 21: {"maintain"}},
    "slow": {6: {INSUFFICIENT} | CHANGE, 11: CHANGE | {INSUFFICIENT}, 21: CHANGE},
    "flat": {6: CHANGE | {INSUFFICIENT}, 11: CHANGE, 21: CHANGE},
    "decelerating": {
        6: {INSUFFICIENT, "maintain"},
        11: {INSUFFICIENT, "maintain"} | CHANGE,
        21: CHANGE,
    },
    "noisy": {
        6: {INSUFFICIENT, "maintain"},
        11: {INSUFFICIENT, "maintain"},
        21: {"maintain", INSUFFICIENT},
    },
    "absent": {
        6: {INSUFFICIENT, "attendance_issue"},
        11: {"attendance_issue", INSUFFICIENT},
        21: {"attendance_issue", "maintain", INSUFFICIENT},
    },
    "unrealistic_goal": {
        6: {INSUFFICIENT, "revise_goal"},
        11: {"revise_goal", INSUFFICIENT},
        21: {"revise_goal"},
    },
}
#: Decisions pointing the opposite way from the design (never acceptable).
WRONG_WAY = {
    "strong": CHANGE | {"fidelity_issue", "attendance_issue"},
    "on_track": {"raise_goal"} | CHANGE,
    "slow": {"raise_goal", "exit"},
    "flat": {"raise_goal", "exit", "maintain"},
    "decelerating": {"raise_goal", "exit"},
    "noisy": {"raise_goal", "exit"} | CHANGE,
    "absent": {"raise_goal", "exit", "fidelity_issue"},
    "unrealistic_goal": {"raise_goal", "exit"},
}


def _in_break(d: date) -> bool:
    return BREAK[0] <= d <= BREAK[1]


def _pattern_list(n: int, rng: random.Random) -> list[str]:
    out = []
    for name, (share, _) in PATTERNS.items():
        out += [name] * round(share * n)
    while len(out) < n:
        out.append("on_track")
    rng.shuffle(out)
    return out[:n]


def student(sid: str, grade: int, pattern: str, rng: random.Random) -> dict:
    """One student's case file (schema eirules/case@1) with an `mtss` section."""
    ambitious, fall_b, winter_b, peer = GRADES[grade]
    base = round(fall_b * rng.uniform(0.55, 0.75))  # well below the fall benchmark
    weeks_total = (GOAL_DATE - START).days / 7
    slope = ambitious
    goal = round(base + ambitious * weeks_total)
    if pattern == "unrealistic_goal":
        goal = round(base + 3 * REALISTIC[grade] * weeks_total)
        slope = (goal - base) / weeks_total
        true = 1.6 * REALISTIC[grade]
    else:
        true = PATTERNS[pattern][1] * slope
    noise = NOISY if pattern == "noisy" else NOISE
    points, sessions = [], []
    level = float(base)
    day = START
    week = 0
    while day < GOAL_DATE:
        day += timedelta(days=7)
        week += 1
        absent = pattern == "absent" and 3 <= week <= 9
        grow = true
        if pattern == "decelerating" and week > 8:
            grow = 0.0
        if absent:
            grow = 0.0
        level += grow  # the design's growth goes on over the break: only probes stop
        if _in_break(day):
            continue
        if not absent:
            points.append({"date": day.isoformat(), "score": round(level + rng.gauss(0, noise))})
        for k in range(4):  # Monday to Thursday, 30 minutes
            d = day - timedelta(days=7) + timedelta(days=k)
            if d < START or _in_break(d):
                continue
            status = "student_absent" if absent or rng.random() < 0.04 else "delivered"
            sessions.append(
                {
                    "date": d.isoformat(),
                    "status": status,
                    "planned_minutes": 30,
                    **({"minutes": 30} if status == "delivered" else {}),
                    "group": f"G{grade}",
                }
            )
    at_winter = base + true * ((SCREENS["winter"] - START).days / 7 - 2)
    winter_pr = 45 if at_winter >= winter_b else 30 if at_winter >= 0.9 * winter_b else 15
    return {
        "schema": "eirules/case@1",
        "id": sid,
        "ruleset": "mtss",
        "child": {"birth_date": date(2025 - 6 - grade, 3, 1 + rng.randrange(27)).isoformat()},
        "events": [],
        "mtss": {
            "student": {
                "grade": grade,
                "school": "Known Answers Elementary",
                "availability": ["A"],
                "skill_need": "fluency",
            },
            "screenings": [
                {
                    "date": SCREENS["fall"].isoformat(),
                    "window": "fall",
                    "instrument": "Star Reading",
                    "skill_area": "reading",
                    "percentile": rng.randrange(10, 25),
                },
                {
                    "date": SCREENS["winter"].isoformat(),
                    "window": "winter",
                    "instrument": "Star Reading",
                    "skill_area": "reading",
                    "percentile": winter_pr,
                },
            ],
            "enrolments": [
                {
                    "program": "FLU",
                    "tier": 2,
                    "skill_area": "fluency",
                    "start": START.isoformat(),
                    "group": f"G{grade}",
                    "sessions_per_week": 4,
                    "minutes_per_session": 30,
                }
            ],
            "sessions": sessions,
            "series": [
                {
                    "id": "orf",
                    "measure": "orf",
                    "skill_area": "fluency",
                    "tier": 2,
                    "program": "FLU",
                    "baseline": base,
                    "baseline_date": START.isoformat(),
                    "goal": goal,
                    "goal_date": GOAL_DATE.isoformat(),
                    "peer_roi": peer,
                    "points": points,
                }
            ],
        },
        "_pattern": pattern,
    }


def school(seed: int = 18, n: int = 120) -> list[dict]:
    """n fictional students (grades 2-4 in turn), each with its `_pattern` key."""
    rng = random.Random(seed)
    patterns = _pattern_list(n, rng)
    grades = sorted(GRADES)
    return [
        student(f"KA-{i + 1:03d}", grades[i % len(grades)], pat, rng)
        for i, pat in enumerate(patterns)
    ]


def checkpoint_date(weeks: int) -> date:
    """The as-of date after `weeks` weeks of intervention (the week's Monday point is in)."""
    return START + timedelta(days=7 * weeks)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--students", type=int, default=120)
    args = ap.parse_args(argv)
    folder = args.out / "students"
    folder.mkdir(parents=True, exist_ok=True)
    school_file = {
        "name": "Known Answers Elementary",
        "programs": [{"id": "FLU", "name": "Fluency Lab", "skill_area": "fluency", "tier": 2}],
        "interventionists": [],
        "groups": [],
        "windows": [],
    }
    (args.out / "school.json").write_text(json.dumps(school_file, indent=1) + "\n")
    answers = {}
    for s in school(args.seed, args.students):
        answers[s["id"]] = s.pop("_pattern")
        (folder / f"{s['id']}.json").write_text(json.dumps(s, indent=1) + "\n")
    (args.out / "patterns.json").write_text(json.dumps(answers, indent=1) + "\n")
    print(f"wrote {len(answers)} students to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
