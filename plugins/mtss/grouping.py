"""Suggest intervention groups: by skill need and tier, within caps, grade span and schedules.

Deterministic: students, programs, blocks and interventionists are taken in a
fixed sorted order, so the same input always gives the same groups. Every
placement and every student left unplaced comes with its reason.
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs

from . import rules, slot_solver
from .models import MtssRecord, Program, School
from .params import Params
from .scheduling import Slots, check_school, dosage_misfits, interventionist_load


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
    #: Screening band by need: 0 urgent, 1 intervention, 2 on watch, 3 at benchmark.
    band_rank: int = 3

    @property
    def key(self) -> tuple[str, str]:
        """(student, skill): a student is a candidate at most once per subject."""
        return (self.id, self.skill)


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
    #: The room (None when the school lists no rooms) and the block's label (its time).
    room: str | None = None
    block_label: str | None = None
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
    #: interventionist id -> {"groups", "students", "minutes_per_week", "blocks"}
    load: dict = attrs.field(factory=dict, hash=False)
    #: How the groups were placed: "greedy", or CP-SAT after the greedy fill (and why).
    placed_by: str = "greedy"
    #: Groups whose program's dosage does not fit their block (`dosage_misfits`).
    dosage_warnings: tuple[str, ...] = ()


#: R8 decisions that move a student to Tier 3, and the one that steps a student down.
TO_TIER3 = ("escalate_tier3", "adapt_tier3", "consider_referral")


def _progress_tier(rec: MtssRecord, family: str | None, as_of: date | None, p: Params):
    """(tier, reason, decided) from the R8 decisions of the student's series in a skill
    family, or None when the student has no progress data there by `as_of`. Progress data
    are newer than any screening, so they decide: exit -> Tier 1; escalate/adapt/referral
    -> Tier 3; otherwise the tier the student is served in on `as_of` (`served_tier`: an
    open enrolment; the undated series label alone places no one). `decided` is False
    when every series says insufficient data: such a stay never lowers the screening's
    tier (R1/R2), it can only keep a student already served higher."""
    if as_of is None or family is None:
        return None
    found = []
    for s in rec.series:
        if rules.skill_family(s.skill_area) != family or not any(
            pt.date <= as_of for pt in s.points
        ):
            continue
        rep = rules.evaluate_series(rec, s, as_of, p)
        d = rep.decision.evidence.get("data_decision") or rep.decision.decision
        found.append((s, d, rules.served_tier(rec, s, as_of)))
    if not found:
        return None
    if any(d in TO_TIER3 for _, d, _ in found):
        s, d, _ = next(x for x in found if x[1] in TO_TIER3)
        return 3, f"progress data ({s.id}): R8 {d.replace('_', ' ')} -> Tier 3", True
    if all(d == "exit" for _, d, _ in found):
        return 1, f"progress data ({found[0][0].id}): R8 exit -> Tier 1", True
    tiers = [t for *_, t in found if t and t >= 2]
    if tiers:
        s, d, _ = found[0]
        decided = any(d != rules.INSUFFICIENT for _, d, _ in found)
        text = f"progress data ({s.id}): R8 {d.replace('_', ' ')}, stays in Tier {max(tiers)}"
        return max(tiers), text, decided
    return None


def candidates(
    records: dict[str, MtssRecord],
    p: Params,
    window: str | None = None,
    as_of: date | None = None,
) -> tuple[list[Candidate], list[tuple[str, str]]]:
    """Students needing Tier 2/3, one candidate per student and subject (reading, math).

    The tier comes from the latest screening in the subject (R1, corroborated by R2) and,
    where the student has progress data in the subject, from R8's decisions on them (the
    newer data): a student the progress rules send to Tier 3 gets a Tier 3 seat, one they
    exit goes back to Tier 1. With `as_of`, only data dated on or before it count.
    """
    out, skipped = [], []
    for sid in sorted(records):
        rec = records[sid] if as_of is None else records[sid].as_of(as_of)
        screens = [s for s in rec.screenings if window in (None, s.window)]
        if not screens:
            skipped.append(
                (sid, "no screening result" + (f" in the {window} window" if window else ""))
            )
            continue
        need = rec.student.skill_need
        by_family: dict[str | None, list] = {}
        for s in screens:
            by_family.setdefault(rules.skill_family(s.skill_area), []).append(s)
        for family in sorted(by_family, key=lambda f: f or ""):
            pool = by_family[family]
            latest = max(s.date for s in pool)
            # The latest screening in the subject; of several that day, the lowest.
            screen = min(
                (s for s in pool if s.date == latest),
                key=lambda s: (s.percentile if s.percentile is not None else 101, s.skill_area),
            )
            c = _candidate(sid, rec, screen, need, family, p, as_of, skipped)
            if c is not None:
                out.append(c)
    return out, skipped


def _candidate(sid, rec, screen, need, family, p, as_of, skipped) -> Candidate | None:
    r1 = rules.screening_band(screen, p)
    if not r1.sufficient:
        skipped.append((sid, f"no screening band: {r1.reasons[0]}"))
        return None
    tier = r1.evidence["suggested_tier"]
    skill = need if need and skill_matches(screen.skill_area, need) else screen.skill_area
    why = f"{r1.reasons[0]}"
    if skill in rec.student.iep_skills:
        skipped.append((sid, f"{skill} is served by the IEP (R2 exclusion)"))
        return None
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
            return None
    progress = _progress_tier(rec, family, as_of, p)
    if progress is not None:
        ptier, text, decided = progress
        if not decided and ptier < tier:
            text += f"; with insufficient data that does not lower the Tier {tier} suggested"
        else:
            tier = ptier
        why = f"{why} {text[0].upper()}{text[1:]}."
    if tier < 2:
        skipped.append((sid, f"Tier 1 suggested in {family or skill} ({why})"))
        return None
    return Candidate(
        id=sid,
        grade=rec.student.grade,
        skill=skill,
        tier=tier,
        percentile=screen.percentile,
        availability=tuple(sorted(rec.student.availability)),
        why=why,
        band_rank=BAND_RANK.get(r1.decision, 3),
    )


BAND_RANK = {"urgent": 0, "intervention": 1, "on_watch": 2, "at_benchmark": 3}


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
    solver: str = "auto",
) -> Suggestion:
    """Form groups from screening and diagnostic data (research note section 3.2).

    `solver`: "greedy" (the need-ordered fill with one-move repair), "cp-sat" (the
    greedy fill, then OR-Tools CP-SAT wherever it left out a student a solver could
    seat; slot_solver.py) or "auto" (cp-sat when OR-Tools is installed).
    """
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {', '.join(SOLVERS)}")
    if solver == "cp-sat":
        slot_solver.require()
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
    check_school(school)
    # Fill by need: Tier 3 seats first, then the lowest band and the lowest percentile
    # across the whole school (so scarce slots go to the neediest, whatever their skill
    # label); ties by grade and id. A student holds at most one group per subject and
    # never two groups in one block; nor does an interventionist or a room.
    order = sorted(
        cands,
        key=lambda c: (
            -c.tier,
            c.band_rank,
            c.percentile if c.percentile is not None else 101,
            c.grade,
            c.skill,
            c.id,
        ),
    )
    fill = _greedy_fill(order, school, caps, span, span_text)
    groups, reasons = fill.groups, fill.reasons
    groups = _drop_small(groups, mins, fill, reasons)
    method = "greedy"
    use_solver = solver == "cp-sat" or (solver == "auto" and slot_solver.available())
    seats = {c.key: slot_solver.slots_for(c, school, matching_programs(school, c)) for c in order}
    missing = [c for c in order if seats[c.key] and c.key not in fill.assigned]
    if missing and use_solver:
        relaid = slot_solver.relayout(order, seats, school, groups, fill, caps, mins, span)
        if relaid is None:
            method = "greedy, checked by CP-SAT: no layout seats more or needier students"
        else:
            groups, status = relaid
            method = f"CP-SAT ({status.lower()}), starting from the greedy fill"
            reasons = slot_solver.unplaced_reasons(order, seats, school, groups, fill.reasons, caps)
    elif missing and solver == "auto":
        method = (
            "greedy (OR-Tools is not installed: pip install 'eirules[solver]' to check "
            "whether a solver seats more students)"
        )
    final = [
        SuggestedGroup(
            id=g["id"],
            program=g["program"].id,
            program_name=g["program"].name,
            tier=g["tier"],
            skill=g["skill"],
            interventionist=g["staff"],
            block=g["block"],
            room=g["room"] or None,
            block_label=(school.block(g["block"]).label if school.block(g["block"]) else None),
            students=tuple(g["students"]),
            grades=tuple(sorted(set(g["grades"]))),
            cap=caps[g["tier"]],
            review_date=review,
        )
        for g in groups
    ]
    placements: dict[str, str] = {}
    for c in order:
        text = fill.placements.get(c.key) if method.startswith("greedy") else None
        if text is None:
            g = next((g for g in groups if c.key in g["members"]), None)
            if g is None:
                continue
            text = slot_solver.placement_text(c, g, school, caps, fill)
        placements[c.id] = f"{placements[c.id]} | {text}" if c.id in placements else text
    return Suggestion(
        groups=tuple(final),
        placements=placements,
        unplaced=tuple(sorted((k[0], why) for k, why in reasons.items())),
        not_candidates=tuple(skipped),
        load=interventionist_load(final, school),
        dosage_warnings=dosage_misfits(final, school),
        placed_by=method,
        parameters=p.used(
            "groups.max_size.tier2",
            "groups.max_size.tier3",
            "groups.min_size.tier2",
            "groups.min_size.tier3",
            "groups.max_grade_span",
            "review.cycle_weeks",
        ),
    )


SOLVERS = ("auto", "cp-sat", "greedy")


@attrs.define
class Fill:
    """The greedy fill's groups, each candidate's group and text, and each reason not placed."""

    groups: list[dict]
    assigned: dict[tuple[str, str], str] = attrs.field(factory=dict)
    placements: dict[tuple[str, str], str] = attrs.field(factory=dict)
    reasons: dict[tuple[str, str], str] = attrs.field(factory=dict)


def _greedy_fill(order, school, caps, span, span_text) -> Fill:
    """Place the candidates in need order: join a fitting group, else open one, else move
    one placed group (`Slots.make_room`) to open one; otherwise say why not."""
    slots = Slots(school)
    fill = Fill(groups=[])
    groups = fill.groups
    info = {c.id: (c.grade, c.availability) for c in order}
    for c in order:
        progs = matching_programs(school, c)
        if not progs:
            fill.reasons[c.key] = (
                f"no program for {c.skill} at Tier {c.tier} covering grade {c.grade}"
            )
            continue
        possible = slots.blocks_for(c.grade, c.availability)
        if not possible:
            fill.reasons[c.key] = _no_blocks(school, c)
            continue
        free = slots.free_for(c.id, c.grade, c.availability)
        if not free:
            fill.reasons[c.key] = (
                f"{c.skill}: every free block of the student already holds a group"
            )
            continue
        joined = _join(groups, c, progs, free, caps, span)
        if joined is not None:
            slots.hold(joined["id"], joined["block"], joined["staff"], joined["room"], [c.id])
            fill.assigned[c.key] = joined["id"]
            fill.placements[c.key] = (
                f"Joined {joined['id']} ({joined['program'].name}, Tier {c.tier}, {c.skill}) in "
                f"block {joined['block']} with {joined['staff']}: same need and tier, free in "
                f"that block; now {len(joined['students'])} of {caps[c.tier]}. {c.why}"
            )
            continue
        opened = slots.open(progs, free)
        if opened is None and slots.make_room(groups, progs, free, info.__getitem__):
            opened = slots.open(progs, free)
        if opened is None:
            fill.reasons[c.key] = full_groups_reason(
                slots.why_not(progs, free), groups, c, progs, free, caps, span_text
            )
            continue
        prog, block, person, room = opened
        gid = f"G{len(groups) + 1:02d}"
        groups.append(
            {
                "id": gid,
                "program": prog,
                "tier": c.tier,
                "skill": c.skill,
                "block": block,
                "staff": person.id,
                "room": room,
                "students": [c.id],
                "grades": [c.grade],
                "members": [c.key],
            }
        )
        slots.hold(gid, block, person.id, room, [c.id])
        fill.assigned[c.key] = gid
        fill.placements[c.key] = (
            f"Opened {gid} ({prog.name}, Tier {c.tier}, {c.skill}) in block {block}"
            + (f", room {room}" if room else "")
            + f" with {person.name}: trained in {prog.id} and free then; cap {caps[c.tier]}. "
            f"{c.why}"
        )
    for g in groups:
        if "moved" in g:
            for k in g["members"]:
                fill.placements[k] += f" | {g['id']} {g['moved']}"
    return fill


def full_groups_reason(reason, groups, c, progs, free, caps, span_text) -> str:
    """`why_not`, plus the open groups of the candidate's program that are full or out of span."""
    why_not = []
    for g in groups:
        if g["program"].id not in {pr.id for pr in progs} or g["block"] not in free:
            continue
        if len(g["students"]) >= caps[c.tier]:
            why_not.append(f"{g['id']} is full ({len(g['students'])}/{caps[c.tier]})")
        elif g["tier"] == c.tier:
            grades = ", ".join(map(str, sorted(set(g["grades"]))))
            why_not.append(f"{g['id']} (grade {grades}) would exceed the grade span ({span_text})")
    return reason + ("; " + "; ".join(why_not) if why_not else "")


def _drop_small(groups, mins, fill: Fill, reasons) -> list[dict]:
    """Groups below the district's minimum size are not opened; their students say why."""
    kept = []
    for g in groups:
        low = mins[g["tier"]]
        if low is not None and len(g["students"]) < low:
            for k in g["members"]:
                fill.assigned.pop(k, None)
                fill.placements.pop(k, None)
                reasons[k] = (
                    f"{g['id']} would have {len(g['students'])} student(s), fewer than the minimum {low}"
                )
            continue
        kept.append(g)
    return kept


def _join(groups, c, progs, free, caps, span):
    """The first open group the candidate fits: program, tier, room under the cap, a
    block the student is free in, grades within the span. Joining fills before opening."""
    ids = {pr.id for pr in progs}
    for g in groups:
        if (
            g["program"].id in ids
            and len(g["students"]) < caps[c.tier]
            and g["tier"] == c.tier
            and g["block"] in free
            and c.id not in g["students"]
            and max(g["grades"] + [c.grade]) - min(g["grades"] + [c.grade]) <= span
        ):
            g["students"].append(c.id)
            g["grades"].append(c.grade)
            g["members"].append(c.key)
            return g
    return None


def _no_blocks(school: School, c: Candidate) -> str:
    if not school.blocks:
        return "no availability recorded for the student"
    grade_blocks = [b.id for b in school.blocks if not b.grades or c.grade in b.grades]
    if not grade_blocks:
        return f"grade {c.grade} has no intervention block in school.json"
    return (
        f"none of grade {c.grade}'s intervention blocks ({', '.join(grade_blocks)}) is in "
        f"the student's availability ({', '.join(c.availability)})"
    )


def matching_programs(school: School, c: Candidate) -> list[Program]:
    """Programs for the candidate's skill, tier and grade. A Tier 3 candidate whose skill
    label no Tier 3 program carries gets the Tier 3 programs of the same subject: Tier 3
    is individualized (DBI adapts it to the need [S10][S11]), so an urgent student is not
    left out for a label. Tier 2 stays skill-matched (standard protocols by deficit
    [S88][S89])."""
    fits = [
        pr
        for pr in school.programs
        if pr.tier == c.tier and pr.grade_min <= c.grade <= pr.grade_max
    ]
    exact = [pr for pr in fits if pr.skill_area == c.skill]
    if not exact and c.tier == 3:
        fam = rules.skill_family(c.skill)
        exact = [pr for pr in fits if fam and rules.skill_family(pr.skill_area) == fam]
    return sorted(exact, key=lambda pr: pr.id)
