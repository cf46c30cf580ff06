"""The SLD evidence packet (34 CFR 300.309-300.311) as a printable page with the graphs.

The page shows what the `mtss.sld_evidence_packet` finding holds: per series the dated
progress data at their intervals (300.309(b)(2)), level and rate against the benchmark
and peer growth (300.309(a)(2)(i)), the graph; the interventions with dosage and fidelity
(300.311(a)(7)(i)); the eight areas of 300.309(a)(1) for the team to name; what is still
missing (300.309(b)(1), 300.310, 300.311(a)(7)(ii)); and the signature lines of
300.311(b). It supports the evaluation; a missing part never delays the consent request.
"""

from __future__ import annotations

from datetime import date

from eirules.core.text import html_text

from . import evaluation_request, evidence_packet, rules


def _svg(rep, title, benchmarks) -> str:
    from .graphs import inline_svg, progress_figure  # matplotlib is the optional graphs extra

    fig = progress_figure(rep, title, benchmarks)
    return inline_svg(fig)


def _num(x, digits=2):
    return "n/a" if x is None else f"{x:.{digits}f}".rstrip("0").rstrip(".")


def html_page(
    case, rec, p, day: date, calendar=None, graphs: bool = True, programs: dict | None = None
) -> str:
    """The packet as a printable page; `programs` (id -> name) writes program names."""
    from .graphs import benchmark_steps, measure_name

    esc = html_text
    finding = evidence_packet(case, rec, day, p, calendar)
    inputs = finding.inputs
    name = case.child.name if case.child and case.child.name else case.id
    request = evaluation_request(case, day)
    parts = []
    for s_data, s in zip(inputs["series"], rec.series, strict=False):
        rep = rules.evaluate_series(rec, s, day, p, request=request, calendar=calendar)
        title = f"{name} - {measure_name(s.measure)}, {day}"
        rows = "".join(f"<tr><td>{d}</td><td>{v:g}</td></tr>" for d, v in s_data["points"])
        ok = s_data.get("at_reasonable_intervals")
        parts.append(
            f"<h2>{esc(measure_name(s.measure))} ({esc(s.skill_area)})</h2>"
            + (
                f"<figure>{_svg(rep, title, benchmark_steps(rep, rec, p))}</figure>"
                if graphs
                else ""
            )
            + "<table class='kv'>"
            + f"<tr><th>Rate of improvement (OLS)</th><td>{_num(s_data['roi_ols'])} a week</td></tr>"
            + "<tr><th>Rate needed for the goal</th><td>"
            + (
                f"{_num(s_data['roi_needed'])} a week"
                if s_data["roi_needed"] is not None
                else "none computed (no goal ahead of this date)"
            )
            + "</td></tr>"
            + f"<tr><th>Current level</th><td>{_num(s_data['level'])}</td></tr>"
            + f"<tr><th>Dual discrepancy (R7)</th><td>{esc(str(s_data['dual_discrepancy']).replace('_', ' '))}</td></tr>"
            + f"<tr><th>Progress recommendation (R8)</th><td>{esc(str(s_data['progress_decision']).replace('_', ' '))}</td></tr>"
            + f"<tr><th>Largest gap between points</th><td>{s_data['largest_gap_days']} days "
            f"(expected every {s_data.get('expected_interval_days')}; "
            f"{'at reasonable intervals' if ok else 'check the intervals' if ok is False else 'no interval set'})"
            f"</td></tr></table>"
            + f"<details><summary>{len(s_data['points'])} dated scores</summary><table class='pts'>"
            f"<tr><th>date</th><th>score</th></tr>{rows}</table></details>"
        )
    iv = "".join(
        f"<tr><td>{esc((programs or {}).get(i['program'], i['program']))}</td><td>{esc(i['group'] or '')}</td><td>{i['tier']}</td>"
        f"<td>{i['start']} to {i['end'] or 'now'}</td><td>{i['minutes_per_week']}</td>"
        f"<td>{esc(str(i['fidelity']).replace('_', ' '))}</td></tr>"
        for i in inputs["interventions"]
    )
    missing = "".join(f"<li>{esc(m)}</li>" for m in inputs["missing"]) or "<li>Nothing.</li>"
    areas = "".join(f"<li>&#9744; {esc(a.replace('_', ' '))}</li>" for a in inputs["sld_areas"])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SLD evidence packet {esc(case.id)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:60em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.25em .5em;text-align:left}}figure{{margin:0}}
figure svg{{width:100%;height:auto}} h2{{break-before:page;page-break-before:always}}
.sign td{{height:2.2em;min-width:12em}} @page{{size:letter;margin:1.5cm}}</style></head>
<body><h1>Evidence for a specific learning disability evaluation</h1>
<p><b>{esc(name)}</b> ({esc(case.id)}), {"Kindergarten" if rec.student.grade == 0 else f"grade {rec.student.grade}"}, {esc(rec.student.school)}.
Data as of {day}.</p>
<p>{esc(finding.reason)} [{esc(finding.citation)}]</p>
<h3>Still missing</h3><ul>{missing}</ul>
<h3>Interventions tried (300.311(a)(7)(i))</h3>
<table><tr><th>Program</th><th>Group</th><th>Tier</th><th>Dates</th><th>Minutes a week</th>
<th>Fidelity (R10)</th></tr>{iv}</table>
<h3>Area(s) of concern, for the team to mark (300.309(a)(1))</h3><ul>{areas}</ul>
{"".join(parts)}
<h2>Team certification (300.311(b))</h2>
<p>Each member certifies in writing whether the report reflects their conclusion; a member
who disagrees submits a separate statement.</p>
<table class="sign"><tr><th>Name and role</th><th>Agrees (yes/no)</th><th>Signature</th>
<th>Date</th></tr>{"<tr><td></td><td></td><td></td><td></td></tr>" * 5}</table>
</body></html>
"""
