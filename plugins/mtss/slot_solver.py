"""Place suggested groups into slots with OR-Tools CP-SAT, when the greedy fill left out a
student a solver could seat.

The greedy fill in grouping.py places the neediest first and repairs one conflict by
moving one group; a conflict that needs two moves (group A to B so that group B can go
to C) it cannot see. This model sees every placement at once:

- a *slot* is (program, block, interventionist): the interventionist is trained in the
  program and free in the block; a slot holds at most one group;
- each candidate (a student in one subject) takes at most one slot whose program fits
  them (`matching_programs`) in a block they are free in; a student is in at most one
  group per block; an interventionist and a room hold at most one group per block;
- a group keeps the tier's size cap, the minimum size when the district sets one, and
  the grade span.

It is solved in stages, each optimum fixed before the next (a lexicographic order):
the most students placed in each need class in turn (Tier 3, then Tier 2 by band,
as the greedy order), then the lowest percentiles among those placed, then the fewest
changes from the greedy layout (so what greedy placed well stays where it was), then
the fewest groups (fill before opening). One worker and a fixed seed: the same input
gives the same groups.

OR-Tools is the optional extra `solver` (pip install "eirules[solver]"): ~30 MB with
pandas and protobuf. Without it `groups suggest` keeps the greedy fill and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from eirules.core.errors import InputError, Problem

#: Deterministic-time budget of one stage (CP-SAT's own unit, about a second of work);
#: a stage that runs out keeps the best layout found, which is still conflict-free.
STAGE_BUDGET = 10.0


def available() -> bool:
    """True when OR-Tools (the `solver` extra) is installed. Looked up, not imported: the
    import (numpy, protobuf) costs a second or more, paid only when the solver runs."""
    import importlib.util

    try:
        return importlib.util.find_spec("ortools.sat.python.cp_model") is not None
    except ModuleNotFoundError:
        return False


def require() -> None:
    """Refuse --solver cp-sat without OR-Tools, saying how to install it."""
    if not available():
        raise InputError(
            "the CP-SAT solver needs OR-Tools, which is not installed",
            [Problem("--solver", "pip install 'eirules[solver]', or use --solver greedy")],
        )


Slot = tuple[str, str, str]  # (program id, block, interventionist id)


def need_class(c) -> tuple[int, int]:
    """The greedy fill's need order, coarse: Tier 3 before Tier 2, then the band."""
    return (-c.tier, c.band_rank)


def solve(
    cands: Sequence,
    slots_of: Callable[[object], list[Slot]],
    rooms_for: Callable[[str], list[str]],
    caps: dict[int, int],
    mins: dict[int, int | None],
    span: int,
    greedy: dict[tuple[str, str], tuple[Slot, str]],
    tier_of: Callable[[str], int],
) -> tuple[dict[tuple[str, str], tuple[Slot, str]], str]:
    """{(student, skill): (slot, room)} for every candidate placed, and the solver status.

    `slots_of(c)` lists the slots the candidate may take; `rooms_for(block)` the rooms
    free in a block ([""] when rooms are not scheduled); `greedy` the greedy layout,
    kept wherever the stages allow; `tier_of(program)` the program's tier.
    """
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    keys = [(c.id, c.skill) for c in cands]
    options = {k: sorted(set(slots_of(c))) for k, c in zip(keys, cands, strict=True)}
    all_slots = sorted({s for opts in options.values() for s in opts})
    x = {(k, s): model.new_bool_var(f"x{i}_{j}") for i, k in enumerate(keys) for j, s in
         enumerate(options[k])}  # fmt: skip
    opened = {s: model.new_bool_var(f"open{j}") for j, s in enumerate(all_slots)}
    room = {
        (s, r): model.new_bool_var(f"room{j}_{q}")
        for j, s in enumerate(all_slots)
        for q, r in enumerate(rooms_for(s[1]))
    }
    grade = {c.id: c.grade for c in cands}
    by_key = dict(zip(keys, cands, strict=True))
    members: dict[Slot, list] = {s: [] for s in all_slots}
    for (k, s), var in x.items():
        members[s].append((k, var))
    for k in keys:  # one group per candidate (student and subject)
        model.add_at_most_one(x[(k, s)] for s in options[k])
    per_student_block: dict[tuple[str, str], list] = {}
    for (k, s), var in x.items():
        per_student_block.setdefault((k[0], s[1]), []).append(var)
    for group in per_student_block.values():  # never two groups in one block
        model.add_at_most_one(group)
    per_staff_block: dict[tuple[str, str], list] = {}
    per_room_block: dict[tuple[str, str], list] = {}
    for s in all_slots:
        per_staff_block.setdefault((s[2], s[1]), []).append(opened[s])
        tier = tier_of(s[0])
        size = sum(var for _, var in members[s])
        model.add(size <= caps[tier] * opened[s])
        model.add(size >= (mins.get(tier) or 1) * opened[s])
        rooms = [room[(s, r)] for r in rooms_for(s[1])]
        model.add(sum(rooms) == opened[s])
        for r in rooms_for(s[1]):
            if r:
                per_room_block.setdefault((r, s[1]), []).append(room[(s, r)])
        grades = sorted({grade[k[0]] for k, _ in members[s]})
        for i, lo in enumerate(grades):  # the grade span: no two grades further apart
            for hi in grades[i + 1 :]:
                if hi - lo > span:
                    a = [var for k, var in members[s] if grade[k[0]] == lo]
                    b = [var for k, var in members[s] if grade[k[0]] == hi]
                    for va in a:
                        for vb in b:
                            model.add_bool_or([va.Not(), vb.Not()])
    for group in (*per_staff_block.values(), *per_room_block.values()):
        model.add_at_most_one(group)

    for (k, s), var in x.items():  # start from the greedy layout
        model.add_hint(var, k in greedy and greedy[k][0] == s)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_deterministic_time = STAGE_BUDGET
    status_names = []

    def stage(expr, maximize=True) -> None:
        if isinstance(expr, int):  # nothing to weigh in this stage
            return
        (model.maximize if maximize else model.minimize)(expr)
        status = solver.solve(model)
        status_names.append(solver.status_name(status))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return
        value = int(round(solver.objective_value))
        model.clear_hints()
        for var in (*x.values(), *opened.values(), *room.values()):
            model.add_hint(var, solver.boolean_value(var))
        model.add(expr >= value) if maximize else model.add(expr <= value)

    placed = {k: sum(x[(k, s)] for s in options[k]) for k in keys}
    for cls in sorted({need_class(c) for c in cands}):
        stage(sum(placed[k] for k in keys if need_class(by_key[k]) == cls))
    stage(sum((101 - round(by_key[k].percentile)) * placed[k] for k in keys
              if by_key[k].percentile is not None))  # fmt: skip
    kept = [x[(k, g[0])] for k, g in greedy.items() if (k, g[0]) in x]
    kept += [room[(g[0], g[1])] for g in greedy.values() if (g[0], g[1]) in room]
    stage(sum(kept))
    stage(sum(opened.values()), maximize=False)
    final = status_names[-1]
    if final not in ("OPTIMAL", "FEASIBLE"):
        return {}, final
    out = {}
    for (k, s), var in x.items():
        if solver.boolean_value(var):
            r = next(r for r in rooms_for(s[1]) if solver.boolean_value(room[(s, r)]))
            out[k] = (s, r)
    return out, "OPTIMAL" if all(n == "OPTIMAL" for n in status_names) else "FEASIBLE"


def slots_for(c, school, programs) -> list[Slot]:
    """The slots a candidate could take if nobody else were placed: a fitting program, a
    block the student is free in, an interventionist trained in it and free then, and a
    room free then (when rooms are scheduled)."""
    from .scheduling import Slots

    blocks = Slots(school).blocks_for(c.grade, c.availability)
    return [
        (prog.id, block, person.id)
        for prog in programs
        for block in blocks
        for person in sorted(school.interventionists, key=lambda s: s.id)
        if prog.id in person.programs and block in person.availability and rooms_free(school, block)
    ]


def rooms_free(school, block: str) -> list[str]:
    """The rooms a group may use in a block; [""] when the school does not schedule rooms."""
    if not school.rooms:
        return [""]
    return [
        r.id for r in sorted(school.rooms, key=lambda r: r.id) if not r.blocks or block in r.blocks
    ]


def relayout(order, seats, school, groups, fill, caps, mins, span):
    """(groups, status) laid out by CP-SAT from the greedy fill, or None when the solver's
    layout is the greedy one (it stands)."""
    program = {pr.id: pr for pr in school.programs}
    by_id = {g["id"]: g for g in groups}
    greedy = {
        k: (
            (by_id[gid]["program"].id, by_id[gid]["block"], by_id[gid]["staff"]),
            by_id[gid]["room"],
        )
        for k, gid in fill.assigned.items()
        if gid in by_id
    }
    solved, status = solve(
        order,
        lambda c: seats[c.key],
        lambda block: rooms_free(school, block),
        caps,
        mins,
        span,
        greedy,
        lambda pid: program[pid].tier,
    )
    if not solved or (set(solved) == set(greedy) and all(solved[k] == greedy[k] for k in greedy)):
        return None
    # Numbered as the greedy fill numbers them: in the order of each group's neediest member.
    out: dict = {}
    for c in order:
        if c.key not in solved:
            continue
        slot, room = solved[c.key]
        g = out.get(slot)
        if g is None:
            g = out[slot] = {
                "id": f"G{len(out) + 1:02d}",
                "program": program[slot[0]],
                "tier": program[slot[0]].tier,
                "skill": c.skill,
                "block": slot[1],
                "staff": slot[2],
                "room": room,
                "students": [],
                "grades": [],
                "members": [],
            }
        g["students"].append(c.id)
        g["grades"].append(c.grade)
        g["members"].append(c.key)
    return list(out.values()), status


def placement_text(c, g, school, caps, fill) -> str:
    """Why the candidate is where the CP-SAT layout put them, and what moved."""
    staff = {s.id: s.name for s in school.interventionists}
    where = f"block {g['block']}" + (f", room {g['room']}" if g["room"] else "")
    text = (
        f"In {g['id']} ({g['program'].name}, Tier {g['tier']}, {c.skill}), {where}, with "
        f"{staff.get(g['staff'], g['staff'])}: trained in {g['program'].id} and free then; "
        f"{len(g['students'])} of {caps[g['tier']]}."
    )
    before = fill.assigned.get(c.key)
    old = next((x for x in fill.groups if x["id"] == before), None)
    if old is None:
        text += " Seated by the CP-SAT solver: the greedy fill had left no slot for this student."
    elif (old["block"], old["staff"], old["room"]) != (g["block"], g["staff"], g["room"]):
        was = f"block {old['block']} with {staff.get(old['staff'], old['staff'])}"
        text += (
            f" Moved by the CP-SAT solver from {was} so that more (or needier) students are seated."
        )
    return f"{text} {c.why}"


def unplaced_reasons(order, seats, school, groups, greedy_reasons, caps) -> dict:
    """Why each candidate the CP-SAT layout leaves out is out, in terms of that layout."""
    from .scheduling import Slots

    slots = Slots(school)
    for g in groups:
        slots.hold(g["id"], g["block"], g["staff"], g["room"], g["students"])
    placed = {k for g in groups for k in g["members"]}
    out = {}
    for c in order:
        if c.key in placed:
            continue
        if not seats[c.key]:
            out[c.key] = greedy_reasons[c.key]  # no slot at all: the greedy reason holds
            continue
        programs = sorted({s[0] for s in seats[c.key]})
        progs = [pr for pr in school.programs if pr.id in programs]
        free = slots.free_for(c.id, c.grade, c.availability)
        if not free:
            why = f"{c.skill}: every free block of the student already holds a group"
        else:
            why = slots.why_not(progs, free)
            full = [
                f"{g['id']} is full ({len(g['students'])}/{caps[g['tier']]})"
                if len(g["students"]) >= caps[g["tier"]]
                else f"{g['id']} (grade {', '.join(map(str, sorted(set(g['grades']))))}) "
                "is outside the grade span"
                for g in groups
                if g["program"].id in programs and g["block"] in free
            ]
            why += ("; " + "; ".join(full)) if full else ""
        out[c.key] = (
            f"{why} (CP-SAT: seating this student would cost a seat of one as needy or needier)"
        )
    return out
