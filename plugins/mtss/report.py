"""Program effectiveness (R14): responders, growth against the aimline, effect size, fidelity, cost.

Per program and per group: how many students responded (R8 outcome exit,
maintain or raise goal, among students with fidelity at or above the R10
threshold and enough data), median rate of improvement minus the aimline slope,
pre/post effect size, delivered share of planned minutes, and minutes delivered
per student who responded.
"""

from __future__ import annotations

import math
import statistics
from datetime import date

import attrs

from eirules.core.text import html_text

from . import rules
from .models import MtssRecord, School
from .params import Params

RESPONDED = ("exit", "maintain", "raise_goal")


@attrs.frozen(kw_only=True)
class Row:
    """One line of the report: a program, or a group inside it."""

    program: str
    group: str | None
    students: int
    #: The program's name from school.json (the code when the school file has none).
    program_name: str = ""
    eligible: int
    responders: int
    responder_rate: float | None
    median_roi_vs_aimline: float | None
    effect_size: float | None
    substantive: bool | None
    #: 95% interval of the effect size and the students it rests on.
    effect_interval: tuple[float, float] | None = None
    effect_n: int = 0
    fidelity: float | None
    minutes_delivered: int
    minutes_per_responder: float | None
    not_eligible: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()


def _effect_size(pre: list[float], post: list[float]) -> float | None:
    if len(pre) < 2 or len(post) < 2:
        return None
    sd = math.sqrt((statistics.variance(pre) + statistics.variance(post)) / 2)
    if sd == 0:
        return None
    return (statistics.mean(post) - statistics.mean(pre)) / sd


def effect_interval(d: float, n: int) -> tuple[float, float]:
    """Approximate 95% interval of a standardized mean difference from n pre and n post
    scores: d +/- 1.96 x sqrt(2/n + d^2 / (4n)) (large-sample standard error of d).

    The research note asks for the effect size "with n and CI" (R14); the interval, not a
    minimum count of students, decides whether a small group's effect is shown as certain.
    """
    se = math.sqrt(2 / n + d * d / (4 * n))
    return d - 1.96 * se, d + 1.96 * se


def _row(program: str, group: str | None, items: list[dict], p: Params, name: str = "") -> Row:
    eligible = [i for i in items if i["eligible"]]
    responders = [i for i in eligible if i["decision"] in RESPONDED]
    gaps = [i["roi_vs_aimline"] for i in items if i["roi_vs_aimline"] is not None]
    pre = [i["pre"] for i in items if i["pre"] is not None and i["post"] is not None]
    post = [i["post"] for i in items if i["pre"] is not None and i["post"] is not None]
    es = _effect_size(pre, post)
    interval = effect_interval(es, len(pre)) if es is not None else None
    threshold = p.v("effectiveness.substantive_effect_size")
    planned = sum(i["minutes_planned"] for i in items)
    delivered = sum(i["minutes_delivered"] for i in items)
    held = sum(i["minutes_held"] for i in items)
    rate = len(responders) / len(eligible) if eligible else None
    flags = []
    review = p.v("effectiveness.review_responder_rate", None)
    if review is not None and rate is not None and rate < review:
        flags.append(f"responder rate below {review:.0%}: check fidelity and program-to-need match")
    # Fidelity is the school's delivery (sessions held), never a student's absences (R10).
    fid = held / planned if planned else None
    if fid is not None and fid < p.v("fidelity.min_share"):
        flags.append(f"fidelity {fid:.0%} below {p.v('fidelity.min_share'):.0%}")
    return Row(
        program=program,
        group=group,
        students=len(items),
        eligible=len(eligible),
        responders=len(responders),
        responder_rate=rate,
        median_roi_vs_aimline=statistics.median(gaps) if gaps else None,
        effect_size=es,
        # Substantive only when the whole interval clears the threshold [S96]; with few
        # students the interval is wide and the effect is shown as uncertain.
        substantive=None if interval is None else interval[0] >= threshold,
        effect_interval=None
        if interval is None
        else (round(interval[0], 3), round(interval[1], 3)),
        effect_n=len(pre),
        program_name=name or program,
        fidelity=fid,
        minutes_delivered=delivered,
        minutes_per_responder=delivered / len(responders) if responders else None,
        not_eligible=tuple(f"{i['student']}: {i['why_not']}" for i in items if not i["eligible"]),
        flags=tuple(flags),
    )


def effectiveness(
    records: dict[str, MtssRecord],
    school: School,
    p: Params,
    *,
    as_of: date,
    start: date | None = None,
    end: date | None = None,
    school_name: str | None = None,
) -> list[Row]:
    """Program rows followed by their group rows, sorted by program then group."""
    end = min(end, as_of) if end else as_of
    if start is None and school.windows:
        # Default: the school year the school file describes.
        start = min(w.start for w in school.windows)
    items: list[dict] = []
    for sid in sorted(records):
        rec = records[sid]
        if school_name and rec.student.school != school_name:
            continue
        for e in rec.enrolments:
            if e.start > end or (start and e.end and e.end < start):
                continue
            series = [
                s
                for s in rec.series
                if s.skill_area == e.skill_area and s.program in (None, e.program)
            ]
            # A cycle is judged on its own data: at its end when it has ended.
            judged = min(end, e.end) if e.end else end
            fid = rules.fidelity(rec, e, judged, p)
            item = {
                "student": sid,
                "program": e.program,
                "group": e.group,
                "minutes_planned": fid.evidence.get("minutes_planned", 0),
                "minutes_delivered": fid.evidence.get("minutes_delivered", 0),
                "minutes_held": fid.evidence.get("minutes_held", 0),
                "decision": None,
                "roi_vs_aimline": None,
                "pre": None,
                "post": None,
                "eligible": False,
                "why_not": "no progress series for this intervention",
            }
            if series:
                s = series[0]
                if start:
                    s = attrs.evolve(s, points=tuple(pt for pt in s.points if pt.date >= start))
                rep = rules.evaluate_series(rec, s, judged, p)
                item["decision"] = rep.decision.decision
                roi = rep.r6.evidence.get("roi_ols")
                if roi is not None and rep.aimline is not None:
                    item["roi_vs_aimline"] = s.direction * (roi - rep.aimline.slope)
                if rep.aimline is not None and rep.series.points:
                    # Signed by direction, so that improvement is a positive effect also
                    # on lower-is-better measures (errors, problem behaviours).
                    item["pre"] = s.direction * rep.aimline.baseline
                    item["post"] = s.direction * float(rep.series.points[-1].score)
                if fid.decision not in ("fidelity_ok", rules.INSUFFICIENT):
                    item["why_not"] = fid.decision.replace("_", " ")
                elif not rep.decision.sufficient:
                    item["why_not"] = "not enough data for a decision"
                else:
                    item["eligible"], item["why_not"] = True, ""
            items.append(item)
    rows: list[Row] = []
    for program in sorted({i["program"] for i in items}):
        mine = [i for i in items if i["program"] == program]
        found = school.program(program)
        name = found.name if found else program
        rows.append(_row(program, None, mine, p, name))
        for group in sorted({i["group"] or "" for i in mine}):
            rows.append(
                _row(
                    program,
                    group or "(no group)",
                    [i for i in mine if (i["group"] or "") == group],
                    p,
                    name,
                )
            )
    return rows


def _pct(x):
    return "" if x is None else f"{x:.0%}"


def _num(x, digits=2):
    return "" if x is None else f"{x:.{digits}f}"


def _minutes(x) -> str:
    return "" if x is None else f"{x:.0f} min"


COLUMNS = (
    ("Program", lambda r: r.program_name or r.program),
    ("Group", lambda r: r.group or "all"),
    ("Students", lambda r: str(r.students)),
    ("Eligible", lambda r: str(r.eligible)),
    ("Responded", lambda r: str(r.responders)),
    ("Rate", lambda r: _pct(r.responder_rate)),
    ("Median ROI - aimline", lambda r: _num(r.median_roi_vs_aimline)),
    ("Effect size", lambda r: _effect_text(r)),
    ("Fidelity", lambda r: _pct(r.fidelity)),
    ("Min/responder", lambda r: _minutes(r.minutes_per_responder)),
)


def _effect_text(r: Row) -> str:
    if r.effect_size is None:
        return ""
    if r.substantive:
        return f"{r.effect_size:.2f} *"
    if r.effect_interval is not None and r.effect_interval[0] < 0 <= r.effect_interval[1]:
        return f"{r.effect_size:.2f} (uncertain, n={r.effect_n})"
    return f"{r.effect_size:.2f} (n={r.effect_n})"


def grade_label(grade: int) -> str:
    return "Kindergarten" if grade == 0 else f"Grade {grade}"


def table_text(rows: list[Row]) -> str:
    cells = [[c[0] for c in COLUMNS]] + [[f(r) for _, f in COLUMNS] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def html_page(
    rows: list[Row], *, title: str, as_of: date, p: Params, notes: list[str], system: str = ""
) -> str:
    """A self-contained HTML page (inline SVG charts) for the principal."""
    from .graphs import bar_chart_svg  # matplotlib is the optional graphs extra

    groups = [r for r in rows if r.group is not None]
    labels = [f"{r.program_name or r.program} / {r.group}" for r in groups]
    charts = [
        bar_chart_svg(
            labels,
            [r.responder_rate for r in groups],
            "Responder rate by group",
            "share responding",
        ),
        bar_chart_svg(
            labels,
            [r.median_roi_vs_aimline for r in groups],
            "Median growth minus aimline slope",
            "units per week",
            ref=0,
        ),
        bar_chart_svg(
            labels,
            [r.fidelity for r in groups],
            "Fidelity (minutes held / planned)",
            "share",
            ref=p.v("fidelity.min_share"),
        ),
    ]
    head = "".join(f"<th>{html_text(c[0])}</th>" for c in COLUMNS)
    body = []
    for r in rows:
        cls = ' class="program"' if r.group is None else ""
        tds = "".join(f"<td>{html_text(f(r))}</td>" for _, f in COLUMNS)
        body.append(f"<tr{cls}>{tds}</tr>")
        for text in (*r.flags, *r.not_eligible):
            body.append(
                f'<tr class="note"><td colspan="{len(COLUMNS)}">{html_text(text)}</td></tr>'
            )
    notes_html = "".join(f"<li>{html_text(n)}</li>" for n in notes)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html_text(title)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:70em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left;white-space:nowrap}}tr.program{{font-weight:bold;background:#eef}}
tr.note td{{color:#555;font-size:.85em;border-top:none;white-space:normal}}</style></head>
<body><h1>{html_text(title)}</h1><p>As of {as_of.isoformat()}.</p>
<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>
<ul>{notes_html}</ul>
{system}
{"".join(f"<figure>{c}</figure>" for c in charts)}
</body></html>
"""


def report_notes(p: Params) -> list[str]:
    notes = [
        "Responded: R8 outcome exit, maintain or raise goal, among eligible students "
        f"(fidelity at or above {p.v('fidelity.min_share'):.0%} and enough data for a decision).",
        f"Effect size: (mean last score - mean baseline) / pooled SD, signed so that improvement is positive (also where lower is better); * marks an effect whose whole 95% interval is at least "
        f"{p.v('effectiveness.substantive_effect_size')} ({p.cite('effectiveness.substantive_effect_size')}); with few students the interval is wide: 'uncertain' when it includes 0, else the number of students.",
        "Fidelity: minutes of the sessions held against the minutes planned (a student's own absences are attendance, not the program's fidelity).",
        "Min/responder: minutes delivered to everyone in the program or group, divided by the students who responded.",
    ]
    if p.v("effectiveness.review_responder_rate", None) is None:
        notes.append(
            "No responder-rate review threshold is configured (no published standard); "
            "a district may set mtss.effectiveness.review_responder_rate."
        )
    return notes


# --- System level (R14) ---------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SystemRow:
    """One grade and skill area in one screening window: is Tier 1 working, is Tier 2 sized right."""

    window: str
    grade: int
    skill_area: str
    screened: int
    at_benchmark: float
    tier2: float
    tier3: float
    #: Students with a Tier 2 / Tier 3 enrolment in this skill family during the window.
    served2: int = 0
    served3: int = 0
    moved_up: float | None = None
    moved_down: float | None = None
    flags: tuple[str, ...] = ()


def system_rows(
    records: dict[str, MtssRecord],
    p: Params,
    *,
    window: str | None = None,
    school_name: str | None = None,
    as_of: date | None = None,
) -> list[SystemRow]:
    """R14 per grade, skill area and window: share at benchmark, Tier 2/3 shares, band movement.

    With `as_of`, screenings dated after it do not exist yet.
    """
    order = {b: i for i, b in enumerate(rules.BANDS)}
    cells: dict[tuple[str, int, str], list[tuple[str, str, int, int | None]]] = {}
    first_band: dict[tuple[str, str], int] = {}
    for sid, rec in sorted(records.items()):
        if school_name and rec.student.school != school_name:
            continue
        if as_of is not None:
            rec = rec.as_of(as_of)
        for s in rec.screenings:
            r1 = rules.screening_band(s, p)
            if not r1.sufficient:
                continue
            cells.setdefault((s.window, rec.student.grade, s.skill_area), []).append(
                (sid, r1.decision, r1.evidence["suggested_tier"], _served_tier(rec, s, as_of))
            )
            if s.window == "fall":
                first_band[(sid, s.skill_area)] = order[r1.decision]
    core = p.v("system.core_share_at_benchmark")
    lo, hi = p.v("system.tier2_share_min"), p.v("system.tier2_share_max")
    out = []
    windows = [w for w in ("fall", "winter", "spring") if window in (None, w)]
    for (w, grade, skill), items in sorted(
        cells.items(),
        key=lambda kv: (windows.index(kv[0][0]) if kv[0][0] in windows else 9, kv[0][1:]),
    ):
        if w not in windows:
            continue
        n = len(items)
        bench = sum(1 for _, b, _, _ in items if b == "at_benchmark") / n
        t2 = sum(1 for _, _, t, _ in items if t == 2) / n
        t3 = sum(1 for _, _, t, _ in items if t == 3) / n
        up = down = None
        if w != "fall":
            pairs = [
                (first_band[(sid, skill)], order[b])
                for sid, b, _, _ in items
                if (sid, skill) in first_band
            ]
            if pairs:
                up = sum(1 for a, b in pairs if b > a) / len(pairs)
                down = sum(1 for a, b in pairs if b < a) / len(pairs)
        flags = []
        if bench < core:
            flags.append(
                f"{bench:.0%} at benchmark, under {core:.0%}: strengthen core instruction "
                "(class-wide) before adding Tier 2 slots"
            )
        if not lo <= t2 <= hi:
            flags.append(f"Tier 2 share {t2:.0%} outside {lo:.0%}-{hi:.0%}")
        out.append(
            SystemRow(
                window=w,
                grade=grade,
                skill_area=skill,
                screened=n,
                at_benchmark=bench,
                tier2=t2,
                tier3=t3,
                served2=sum(1 for *_, s in items if s == 2),
                served3=sum(1 for *_, s in items if s == 3),
                moved_up=up,
                moved_down=down,
                flags=tuple(flags),
            )
        )
    return out


def _served_tier(rec: MtssRecord, s, as_of: date | None) -> int | None:
    """The highest tier the student was served in (an enrolment in the screening's skill
    family) between this screening and the next one in the same skill area."""
    later = [x.date for x in rec.screenings if x.skill_area == s.skill_area and x.date > s.date]
    until = min(later) if later else as_of
    fam = rules.skill_family(s.skill_area)
    tiers = [
        e.tier
        for e in rec.enrolments
        if e.tier >= 2
        and (e.skill_area == s.skill_area or (fam and rules.skill_family(e.skill_area) == fam))
        and (until is None or e.start < until)
        and (e.end is None or e.end >= s.date)
    ]
    return max(tiers) if tiers else None


SYSTEM_COLUMNS = (
    ("Window", lambda r: r.window),
    ("Grade", lambda r: grade_label(r.grade)),
    ("Skill", lambda r: r.skill_area),
    ("Screened", lambda r: str(r.screened)),
    ("At benchmark", lambda r: _pct(r.at_benchmark)),
    ("Suggested T2", lambda r: _pct(r.tier2)),
    ("Suggested T3", lambda r: _pct(r.tier3)),
    ("Served T2", lambda r: str(r.served2)),
    ("Served T3", lambda r: str(r.served3)),
    ("Up a band since fall", lambda r: _pct(r.moved_up)),
    ("Down", lambda r: _pct(r.moved_down)),
)


def system_table_text(rows: list[SystemRow]) -> str:
    cells = [[c[0] for c in SYSTEM_COLUMNS]] + [[f(r) for _, f in SYSTEM_COLUMNS] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(SYSTEM_COLUMNS))]
    lines = [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def system_html(rows: list[SystemRow]) -> str:
    head = "".join(f"<th>{html_text(c[0])}</th>" for c in SYSTEM_COLUMNS)
    body = []
    for r in rows:
        body.append(
            "<tr>" + "".join(f"<td>{html_text(f(r))}</td>" for _, f in SYSTEM_COLUMNS) + "</tr>"
        )
        for text in r.flags:
            body.append(
                f'<tr class="note"><td colspan="{len(SYSTEM_COLUMNS)}">{html_text(text)}</td></tr>'
            )
    return f"<h2>Tiers and screening bands by grade</h2><table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
