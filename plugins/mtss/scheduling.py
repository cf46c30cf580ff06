"""Slots for suggested groups: the school's intervention blocks per grade, interventionists'
and rooms' free blocks, and who already holds which block.

One rule holds throughout: a student, an interventionist and a room are each in at most
one group per block. A student is free in a block when it is one of the grade's
intervention blocks (`school.json` "blocks", each with the grades it serves) and, where
the student's own availability is recorded, one of those too. When no slot is left for a
new group, one placed group may move to another block where all its students, its
interventionist (or another trained one) and a room are free (`make_room`): a greedy
fill that places the neediest first and then repairs one conflict. What it cannot
repair, the CP-SAT layout of slot_solver.py does.
"""

from __future__ import annotations

from eirules.core.errors import InputError, Problem

from .models import Interventionist, Program, School


def check_school(school: School) -> None:
    """Blocks named by rooms and interventionists must be the school's blocks (when listed)."""
    if not school.blocks:
        return
    known = {b.id for b in school.blocks}
    problems = []
    for i, r in enumerate(school.rooms):
        for b in r.blocks:
            if b not in known:
                problems.append(
                    Problem(
                        f"school.json: rooms[{i}].blocks", f'unknown block "{b}"', _known(known)
                    )
                )
    for i, s in enumerate(school.interventionists):
        for b in s.availability:
            if b not in known:
                problems.append(
                    Problem(
                        f"school.json: interventionists[{i}].availability",
                        f'unknown block "{b}"',
                        _known(known),
                    )
                )
    if problems:
        raise InputError("school.json: blocks do not match", problems)


def _known(known) -> str:
    return f"the school's blocks are {', '.join(sorted(known))}"


class Slots:
    """Who holds which block: interventionists, rooms and students."""

    def __init__(self, school: School):
        self.school = school
        self.staff = sorted(school.interventionists, key=lambda s: s.id)
        self.rooms = sorted(school.rooms, key=lambda r: r.id)
        self.person: dict[tuple[str, str], str] = {}  # (interventionist, block) -> group
        self.room: dict[tuple[str, str], str] = {}  # (room, block) -> group
        self.student: dict[str, dict[str, str]] = {}  # student -> {block: group}

    def blocks_for(self, grade: int, availability: tuple[str, ...]) -> tuple[str, ...]:
        """The blocks a student of this grade with this availability can be pulled in."""
        if not self.school.blocks:
            return tuple(availability)
        grade_blocks = [b.id for b in self.school.blocks if not b.grades or grade in b.grades]
        return tuple(b for b in grade_blocks if not availability or b in availability)

    def free_for(self, sid: str, grade: int, availability) -> tuple[str, ...]:
        held = self.student.get(sid, {})
        return tuple(b for b in self.blocks_for(grade, availability) if b not in held)

    def free_room(self, block: str) -> str | None:
        """The first room free in a block; "" when rooms are not scheduled; None if none."""
        if not self.rooms:
            return ""
        for r in self.rooms:
            if (not r.blocks or block in r.blocks) and (r.id, block) not in self.room:
                return r.id
        return None

    def open(
        self, progs: list[Program], blocks
    ) -> tuple[Program, str, Interventionist, str] | None:
        """(program, block, interventionist, room) for a new group, first free in order."""
        for prog in progs:
            for block in blocks:
                room = self.free_room(block)
                if room is None:
                    continue
                for person in self.staff:
                    if (
                        prog.id in person.programs
                        and block in person.availability
                        and (person.id, block) not in self.person
                    ):
                        return prog, block, person, room
        return None

    def hold(self, gid: str, block: str, person: str, room: str, students) -> None:
        self.person[(person, block)] = gid
        if room:
            self.room[(room, block)] = gid
        for sid in students:
            self.student.setdefault(sid, {})[block] = gid

    def release(self, gid: str, block: str, person: str, room: str, students) -> None:
        self.person.pop((person, block), None)
        if room:
            self.room.pop((room, block), None)
        for sid in students:
            self.student.get(sid, {}).pop(block, None)

    def why_not(self, progs: list[Program], blocks) -> str:
        """Why no new group can open in any of these blocks, block by block."""
        trained = [s for s in self.staff if any(p.id in s.programs for p in progs)]
        names = ", ".join(p.id for p in progs)
        if not trained:
            return f"no interventionist is trained in {names}"
        parts = []
        for block in blocks:
            if self.free_room(block) is None:
                held = ", ".join(
                    f"{r} holds {g}" for (r, b), g in sorted(self.room.items()) if b == block
                )
                parts.append(f"block {block}: no room free ({held})")
                continue
            busy = [
                f"{s.name} holds {self.person[(s.id, block)]}"
                for s in trained
                if (s.id, block) in self.person
            ]
            away = [s.name for s in trained if block not in s.availability]
            verb = "is" if len(away) == 1 else "are"
            text = ", ".join(
                x
                for x in (
                    ", ".join(busy),
                    f"{', '.join(away)} {verb} not available" if away else "",
                )
                if x
            )
            parts.append(f"block {block}: {text}")
        return (
            f"no interventionist trained in {names} is free in the student's blocks "
            f"({', '.join(blocks)}): " + "; ".join(parts)
        )

    def make_room(self, groups: list[dict], progs: list[Program], blocks, students_of) -> bool:
        """Move one placed group to another block so a new group can open in `blocks`.

        `students_of(sid)` gives (grade, availability) of a student. True when a group
        was moved (the caller then opens its group with `open`)."""
        for block in blocks:
            if self.free_room(block) is None:
                continue
            for person in self.staff:
                if not any(p.id in person.programs for p in progs):
                    continue
                if block not in person.availability:
                    continue
                gid = self.person.get((person.id, block))
                g = next((x for x in groups if x["id"] == gid), None)
                if g is None:
                    continue
                target = self._move_target(g, students_of)
                if target is None:
                    continue
                new_block, new_person, new_room = target
                self.release(g["id"], g["block"], g["staff"], g["room"], g["students"])
                g["moved"] = _move_text(g, new_block, new_person, new_room, block, self.staff)
                g.update(block=new_block, staff=new_person.id, room=new_room)
                self.hold(g["id"], new_block, new_person.id, new_room, g["students"])
                return True
        return False

    def _move_target(self, g: dict, students_of):
        """Another (block, interventionist, room) where every student of g is free."""
        common = None
        for sid in g["students"]:
            grade, avail = students_of(sid)
            mine = set(self.free_for(sid, grade, avail))
            common = mine if common is None else common & mine
        for block in sorted(common or ()):
            if block == g["block"]:
                continue
            room = self.free_room(block)
            if room is None:
                continue
            for person in self.staff:
                if (
                    g["program"].id in person.programs
                    and block in person.availability
                    and (person.id, block) not in self.person
                ):
                    return block, person, room
        return None


def interventionist_load(groups, school: School) -> dict:
    """Each interventionist's suggested load: groups, students, minutes a week, blocks."""
    out = {
        s.id: {"name": s.name, "groups": 0, "students": 0, "minutes_per_week": 0, "blocks": []}
        for s in school.interventionists
    }
    for g in groups:
        row = out.setdefault(
            g.interventionist,
            {
                "name": g.interventionist,
                "groups": 0,
                "students": 0,
                "minutes_per_week": 0,
                "blocks": [],
            },
        )
        prog = school.program(g.program)
        row["groups"] += 1
        row["students"] += len(g.students)
        if prog is not None:
            row["minutes_per_week"] += prog.sessions_per_week * prog.minutes_per_session
        row["blocks"].append(g.block)
    for row in out.values():
        row["blocks"] = sorted(row["blocks"])
    return out


def dosage_misfits(groups, school: School) -> tuple[str, ...]:
    """Each suggested group whose program's dosage (sessions a week x minutes) does not fit
    its block (days a week x minutes), where school.json gives both: the group cannot
    deliver the planned dose there, and its interventionist's minutes overstate it."""
    out = []
    for g in groups:
        prog, block = school.program(g.program), school.block(g.block)
        if prog is None or block is None or not (block.days_per_week and block.minutes):
            continue
        spw, mps = prog.sessions_per_week, prog.minutes_per_session
        if spw <= block.days_per_week and mps <= block.minutes:
            continue
        most = min(spw, block.days_per_week) * min(mps, block.minutes)
        out.append(
            f"{g.id} ({prog.name}): the program's dosage is {spw} x {mps} min a week "
            f"({spw * mps} min), but block {block.id}"
            + (f" ({block.label})" if block.label else "")
            + f" meets {block.days_per_week} x {block.minutes} min: at most {most} min of "
            "it fit. Find a longer block or more days, or plan a smaller dose with the team."
        )
    return tuple(out)


def _move_text(g: dict, new_block: str, new_person, new_room: str, freed: str, staff) -> str:
    """What a one-move repair changed for a group: the block, and the interventionist and
    room when they changed too (the placement text names the ones it opened with)."""
    names = {s.id: s.name for s in staff}
    text = f"moved to block {new_block}"
    if new_person.id != g["staff"]:
        text += f" with {new_person.name} (instead of {names.get(g['staff'], g['staff'])})"
    if new_room != g["room"] and new_room:
        text += f", room {new_room}"
    return f"{text} to free block {freed}"
