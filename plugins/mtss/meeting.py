"""The data-meeting agenda: every monitored student grouped by what the team must decide.

Sections in meeting order (refer, escalate, change, continue, exit), each student on
a page of their own: the progress graph, the recommendation and its reasons, dosage,
fidelity and attendance, and the notes recorded by the meeting date. HTML first; the
PDF is the same page printed by headless Chromium (the CLI's `write_pages`), so what
the team sees on screen and on paper is one layout.
"""

from __future__ import annotations

from datetime import date

import attrs

from eirules.core.text import html_text

from . import evaluation_request, rules

SECTIONS = (
    ("refer", "Refer for evaluation", ("refer_for_evaluation", "consider_referral")),
    ("escalate", "Intensify (Tier 3)", ("escalate_tier3", "adapt_tier3")),
    (
        "change",
        "Change the plan",
        ("change_within_tier", "revise_goal", "raise_goal", "fidelity_issue", "attendance_issue"),
    ),
    ("continue", "Continue", ("maintain", rules.INSUFFICIENT)),
    ("exit", "Exit (step down)", ("exit",)),
)


@attrs.frozen
class Item:
    student: str
    name: str
    grade: int
    report: rules.SeriesReport
    notes: tuple[str, ...]
    dosage: tuple[str, ...]
    benchmarks: tuple = ()
    #: R10 per open enrolment, then for the series' enrolments that have ended.
    fidelity: tuple[str, ...] = ()


def section_of(decision: str) -> str:
    return next((key for key, _, ds in SECTIONS if decision in ds), "continue")


def agenda(data, engine, p, day: date) -> dict[str, list[Item]]:
    """{section: [Item]} for every series with data by `day`, in student order."""
    calendar = engine.rulesets.get(data.school.ruleset).school_calendar()
    out: dict[str, list[Item]] = {key: [] for key, _, _ in SECTIONS}
    for sid, rec in sorted(data.records().items()):
        case = data.cases[sid]
        request = evaluation_request(case, day)
        view = rec.as_of(day)
        for s in rec.series:
            if not any(pt.date <= day for pt in s.points):
                continue
            rep = rules.evaluate_series(rec, s, day, p, request=request, calendar=calendar)
            notes = tuple(
                f"{n.date} {n.author}{f' ({n.role})' if n.role else ''}: {n.text}"
                for n in view.notes
                if n.series in (None, s.id)
            )
            open_ = _open_enrolments(view, s, day)
            dosage = tuple(
                f"{e.program}"
                + (f" / {e.group}" if e.group else "")
                + f", Tier {e.tier}, since {e.start}"
                + (
                    f", {e.sessions_per_week} x {e.minutes_per_session} min a week"
                    if e.sessions_per_week
                    else ""
                )
                for e in open_
            )
            fidelity = _fidelity(rec, view, rep, open_, day, p, calendar)
            name = (case.child.name if case.child and case.child.name else sid) or sid
            from .graphs import benchmark_steps

            steps = tuple(benchmark_steps(rep, rec, p))
            out[section_of(rep.decision.decision)].append(
                Item(sid, name, rec.student.grade, rep, notes, dosage, steps, fidelity)
            )
    return out


def _open_enrolments(view, series, day: date) -> list:
    """The student's enrolments open on the meeting day in the series' subject (skill
    family): after a change of group the series' old enrolment has ended and the new
    one, perhaps under another skill label of the subject, is the one served now."""
    fam = rules.skill_family(series.skill_area)
    return [
        e
        for e in view.enrolments
        if (e.end is None or e.end >= day)
        and (
            e.skill_area == series.skill_area
            or (fam is not None and rules.skill_family(e.skill_area) == fam)
        )
    ]


def _fidelity(rec, view, rep, open_, day: date, p, calendar) -> tuple[str, ...]:
    """R10 for each open enrolment (the series' own result where it has one), then the
    series' results for enrolments that have ended, marked so."""
    own = {r.subject: r for r in rep.r10}
    lines = []
    for e in open_:
        r = own.pop(e.group or e.program, None) or rules.fidelity(rec, e, day, p, calendar)
        lines.append(r.reasons[0])
    ended = {(e.group or e.program): e.end for e in view.enrolments if e.end and e.end < day}
    for subject, r in own.items():
        when = f" (ended {ended[subject]})" if subject in ended else ""
        lines.append(f"{r.reasons[0]}{when}")
    return tuple(lines)


def _svg(item: Item, day: date) -> str:
    from .graphs import inline_svg, measure_name, progress_figure  # matplotlib: the graphs extra

    s = item.report.series
    fig = progress_figure(
        item.report, f"{item.name} - {measure_name(s.measure)}, {day}", item.benchmarks
    )
    return inline_svg(fig)


def _scores(rep) -> str:
    """The last eight scores as a small table (date, score, aimline)."""
    pts = rep.series.points[-8:]
    if not pts:
        return ""
    line = rep.aimline
    head = "".join(f"<th>{p.date:%m-%d}</th>" for p in pts)
    row = "".join(f"<td>{p.score:g}</td>" for p in pts)
    aim = (
        "<tr><th>aimline</th>" + "".join(f"<td>{line.at(p.date):.0f}</td>" for p in pts) + "</tr>"
        if line
        else ""
    )
    return (
        f"<table class='scores'><tr><th>date</th>{head}</tr><tr><th>score</th>{row}</tr>"
        f"{aim}</table>"
    )


def _grade(g: int) -> str:
    return "Kindergarten" if g == 0 else f"grade {g}"


def html_page(school: str, day: date, items: dict[str, list[Item]], graphs: bool = True) -> str:
    from .measures import measure_name

    esc = html_text
    toc, pages = [], []
    for key, title, _ in SECTIONS:
        rows = items[key]
        toc.append(
            f"<li><a href='#{key}'>{esc(title)}</a>: {len(rows)}"
            + (
                " - "
                + ", ".join(
                    esc(
                        f"{i.name} ({measure_name(i.report.series.measure).split(' (')[0].lower()})"
                    )
                    for i in rows
                )
                if rows
                else ""
            )
            + "</li>"
        )
        for n, it in enumerate(rows):
            rep, s = it.report, it.report.series
            fid = it.fidelity or ("No sessions planned or logged.",)
            line = rep.aimline
            goal = (
                f"Goal {line.goal:g} by {line.goal_date} (aimline {line.slope:.2f} a week)"
                if line
                else "No aimline yet."
            )
            pages.append(
                f"<section class='student'{f' id={key!r}' if n == 0 else ''}>"
                f"<p class='sect'>{esc(title)}</p>"
                f"<h2>{esc(it.name)} <small>{esc(it.student)}, {_grade(it.grade)}</small></h2>"
                f"<p><b>{esc(measure_name(s.measure))}</b> ({esc(s.skill_area)}). {esc(goal)}</p>"
                + (f"<figure>{_svg(it, day)}</figure>" if graphs else "")
                + _scores(rep)
                + f"<p class='decision'>Recommendation: {esc(rep.decision.decision.replace('_', ' '))}</p>"
                + (
                    "<ul class='cautions'>"
                    + "".join(f"<li>{esc(c)}</li>" for c in rep.cautions)
                    + "</ul>"
                    if rep.cautions
                    else ""
                )
                + "<ul>"
                + "".join(f"<li>{esc(r)}</li>" for r in rep.decision.reasons)
                + "</ul>"
                + "<h3>Dosage</h3><ul>"
                + "".join(f"<li>{esc(d)}</li>" for d in it.dosage or ("No open enrolment.",))
                + "</ul><h3>Fidelity and attendance</h3><ul>"
                + "".join(f"<li>{esc(f)}</li>" for f in fid)
                + "</ul><h3>Notes</h3><ul>"
                + "".join(f"<li>{esc(x)}</li>" for x in it.notes or ("None recorded.",))
                + "</ul></section>"
            )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MTSS data meeting {day}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:60em}}
section.student{{break-before:page;page-break-before:always}}
p.sect{{color:#555;text-transform:uppercase;font-size:.8em;margin:0}}
p.decision{{font-size:1.15em;font-weight:bold;margin-bottom:.3em}}
ul.cautions{{color:#a00;font-weight:bold;margin-top:0}} small{{color:#555;font-weight:normal}}
figure{{margin:0}} figure svg{{width:100%;height:auto}}
table.scores{{border-collapse:collapse;font-size:.85em}} table.scores td,table.scores th{{border:1px solid #ccc;padding:.15em .4em}}
@page{{size:letter;margin:1.5cm}}</style></head>
<body><h1>MTSS data meeting - {esc(school)}</h1>
<p>{day}. Recommendations for the team to decide, not actions.</p>
<ol>{"".join(toc)}</ol>
{"".join(pages)}
</body></html>
"""
