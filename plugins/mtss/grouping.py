"""Suggest intervention groups: by skill need and tier, within caps, grade span and schedules.

Deterministic: students, programs, blocks and interventionists are taken in a
fixed sorted order, so the same input always gives the same groups. Every
placement and every student left unplaced comes with its reason.
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs

from . import rules
from .models import MtssRecord, Program, School
from .params import Params


@attrs.frozen(kw_only=True)
class Candidate:
    """A student who needs a Tier 2 or Tier 3 group in one skill."""

    id: str
    grade: int
    skill: str
    tier: int
    percentile: float | None
    availability: tuple[str, ...]
    why: str


@attrs.frozen(kw_only=True)
class SuggestedGroup:
    id: str
    program: str
    program_name: str
    tier: int
    skill: str
    interventionist: str
    block: str
    students: tuple[str, ...]
    grades: tuple[int, ...]
    cap: int
    review_date: date | None


@attrs.frozen(kw_only=True)
class Suggestion:
    groups: tuple[SuggestedGroup, ...]
    #: student id -> why they were placed where they were
    placements: dict[str, str] = attrs.field(hash=False)
    #: (student id, reason) for every candidate that could not be placed
    unplaced: tuple[tuple[str, str], ...]
    #: (student id, reason) for students screened but not needing a group
    not_candidates: tuple[tuple[str, str], ...]
    parameters: dict = attrs.field(hash=False)


def as_of_view(rec: MtssRecord, as_of: date) -> MtssRecord:
    """The record as it stood on a date (MtssRecord.as_of)."""
    return rec.as_of(as_of)


def candidates(
    records: dict[str, MtssRecord],
    p: Params,
    window: str | None = None,
    as_of: date | None = None,
) -> tuple[list[Candidate], list[tuple[str, str]]]:
    """Students needing Tier 2/3 from R1 (screening band) and R2 (tier entry), with reasons.

    With `as_of`, only data dated on or before it count (a fall grouping never reads spring).
    """
    out, skipped = [], []
    for sid in sorted(records):
        rec = records[sid] if as_of is None else as_of_view(records[sid], as_of)
        screens = [s for s in rec.screenings if window in (None, s.window)]
        skill = rec.student.skill_need
        screen = None
        if screens:
            latest = max(s.date for s in screens)
            recent = [s for s in screens if s.date == latest]
            pool = [s for s in screens if skill_matches(s.skill_area, skill)] if skill else []
            if pool:
                screen = pool[-1]
            else:
                # No diagnosed need: the area with the lowest result is the primary one.
                screen = min(
                    recent,
                    key=lambda s: (
                        s.percentile if s.percentile is not None else 101,
                        s.skill_area,
                    ),
                )
        if screen is None:
            skipped.append(
                (sid, "no screening result" + (f" in the {window} window" if window else ""))
            )
            continue
        r1 = rules.screening_band(screen, p)
        if not r1.sufficient:
            skipped.append((sid, f"no screening band: {r1.reasons[0]}"))
            continue
        tier = r1.evidence["suggested_tier"]
        skill = skill or screen.skill_area
        why = f"{r1.reasons[0]}"
        if skill in rec.student.iep_skills:
            skipped.append((sid, f"{skill} is served by the IEP (R2 exclusion)"))
            continue
        if any(i.skill_area == screen.skill_area for i in rec.indicators):
            r2 = rules.tier_entry(rec, screen.skill_area, p, screen)
            if r2.decision == "nominate_tier3":
                tier, why = 3, why + " R2: " + r2.reasons[0]
            elif r2.decision == "nominate_tier2" and tier < 2:
                tier, why = 2, why + " R2: " + r2.reasons[0]
            elif r2.decision == "not_nominated" and tier >= 2:
                # One screening score is never the only entry criterion [S7][S43]: the
                # recorded data sources do not corroborate it, so the team decides.
                skipped.append(
                    (
                        sid,
                        f"screening suggests Tier {tier} ({r1.decision}) but R2: "
                        f"{r2.reasons[0]} Review with the team before placing.",
                    )
                )
                continue
        if tier < 2:
            skipped.append((sid, f"Tier 1 suggested ({r1.decision})"))
            continue
        out.append(
            Candidate(
                id=sid,
                grade=rec.student.grade,
                skill=skill,
                tier=tier,
                percentile=screen.percentile,
                availability=tuple(sorted(rec.student.availability)),
                why=why,
            )
        )
    return out, skipped


def skill_matches(screen_skill: str, need: str | None) -> bool:
    if need is None:
        return True
    return screen_skill == need or rules.skill_family(screen_skill) == rules.skill_family(need)


def suggest(
    records: dict[str, MtssRecord],
    school: School,
    p: Params,
    *,
    as_of: date,
    window: str | None = None,
) -> Suggestion:
    """Form groups from screening and diagnostic data (research note section 3.2)."""
    cands, skipped = candidates(records, p, window, as_of)
    caps = {2: p.v("groups.max_size.tier2"), 3: p.v("groups.max_size.tier3")}
    mins = {2: p.v("groups.min_size.tier2", None), 3: p.v("groups.min_size.tier3", None)}
    span = p.v("groups.max_grade_span", 0)
    span_text = (
        f"{span} grade(s)"
        if p.v("groups.max_grade_span", None) is not None
        else "none configured: one grade per group"
    )
    cycle = p.v("review.cycle_weeks", None)
    review = as_of + timedelta(weeks=cycle) if cycle else None
    busy: set[tuple[str, str]] = set()  # (interventionist, block) already used
    groups: list[dict] = []
    placements: dict[str, str] = {}
    unplaced: list[tuple[str, str]] = []
    staff = sorted(school.interventionists, key=lambda s: s.id)
    # Neediest first inside each (skill, tier, grade) bucket; ties by id.
    order = sorted(
        cands,
        key=lambda c: (
            c.skill,
            -c.tier,
            c.grade,
            c.percentile if c.percentile is not None else 101,
            c.id,
        ),
    )
    for c in order:
        progs = matching_programs(school, c)
        if not progs:
            unplaced.append(
                (c.id, f"no program for {c.skill} at Tier {c.tier} covering grade {c.grade}")
            )
            continue
        if not c.availability:
            unplaced.append((c.id, "no availability recorded for the student"))
            continue
        placed = False
        for g in groups:
            if (
                g["program"].id in {pr.id for pr in progs}
                and len(g["students"]) < caps[c.tier]
                and g["tier"] == c.tier
                and g["block"] in c.availability
                and max(g["grades"] + [c.grade]) - min(g["grades"] + [c.grade]) <= span
            ):
                g["students"].append(c.id)
                g["grades"].append(c.grade)
                placements[c.id] = (
                    f"Joined {g['id']} ({g['program'].name}, Tier {c.tier}, {c.skill}) in block "
                    f"{g['block']} with {g['staff']}: same need and tier, free in that block; "
                    f"now {len(g['students'])} of {caps[c.tier]}. {c.why}"
                )
                placed = True
                break
        if placed:
            continue
        opened = None
        for prog in progs:
            for block in c.availability:
                for person in staff:
                    if (
                        prog.id in person.programs
                        and block in person.availability
                        and (person.id, block) not in busy
                    ):
                        opened = (prog, block, person)
                        break
                if opened:
                    break
            if opened:
                break
        if opened is None:
            trained = sorted({s.id for s in staff for pr in progs if pr.id in s.programs})
            reason = (
                f"no interventionist trained in {', '.join(pr.id for pr in progs)} is free in the "
                f"student's blocks ({', '.join(c.availability)})"
                if trained
                else f"no interventionist is trained in {', '.join(pr.id for pr in progs)}"
            )
            why_not = []
            for g in groups:
                if (
                    g["program"].id not in {pr.id for pr in progs}
                    or g["block"] not in c.availability
                ):
                    continue
                if len(g["students"]) >= caps[c.tier]:
                    why_not.append(f"{g['id']} is full ({len(g['students'])}/{caps[c.tier]})")
                else:
                    why_not.append(
                        f"{g['id']} (grade {', '.join(map(str, sorted(set(g['grades']))))}) would exceed the grade span ({span_text})"
                    )
            if why_not:
                reason += "; " + "; ".join(why_not)
            unplaced.append((c.id, reason))
            continue
        prog, block, person = opened
        busy.add((person.id, block))
        gid = f"G{len(groups) + 1:02d}"
        groups.append(
            {
                "id": gid,
                "program": prog,
                "tier": c.tier,
                "skill": c.skill,
                "block": block,
                "staff": person.id,
                "students": [c.id],
                "grades": [c.grade],
            }
        )
        placements[c.id] = (
            f"Opened {gid} ({prog.name}, Tier {c.tier}, {c.skill}) in block {block} with "
            f"{person.name}: trained in {prog.id} and free then; cap {caps[c.tier]}. {c.why}"
        )
    final = []
    for g in groups:
        low = mins[g["tier"]]
        if low is not None and len(g["students"]) < low:
            for sid in g["students"]:
                placements.pop(sid, None)
                unplaced.append(
                    (
                        sid,
                        f"{g['id']} would have {len(g['students'])} student(s), fewer than the minimum {low}",
                    )
                )
            continue
        final.append(
            SuggestedGroup(
                id=g["id"],
                program=g["program"].id,
                program_name=g["program"].name,
                tier=g["tier"],
                skill=g["skill"],
                interventionist=g["staff"],
                block=g["block"],
                students=tuple(g["students"]),
                grades=tuple(sorted(set(g["grades"]))),
                cap=caps[g["tier"]],
                review_date=review,
            )
        )
    return Suggestion(
        groups=tuple(final),
        placements=placements,
        unplaced=tuple(sorted(unplaced)),
        not_candidates=tuple(skipped),
        parameters=p.used(
            "groups.max_size.tier2",
            "groups.max_size.tier3",
            "groups.min_size.tier2",
            "groups.min_size.tier3",
            "groups.max_grade_span",
            "review.cycle_weeks",
        ),
    )


def matching_programs(school: School, c: Candidate) -> list[Program]:
    exact = [
        pr
        for pr in school.programs
        if pr.skill_area == c.skill
        and pr.tier == c.tier
        and pr.grade_min <= c.grade <= pr.grade_max
    ]
    return sorted(exact, key=lambda pr: pr.id)
