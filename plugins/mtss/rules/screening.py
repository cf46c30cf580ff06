"""R1 screening band and R2 tier entry (k of n sources, bottom of grade)."""

from __future__ import annotations

from datetime import date

from ..models import MtssRecord, Screening
from ..params import Params
from .common import MATH_SKILLS, READING_SKILLS, Recommendation, _fmt, _insufficient

# --- R1 screening band ---------------------------------------------------------------

BANDS = ("urgent", "intervention", "on_watch", "at_benchmark")
CATEGORY_PREFIX = "screening.category."


def category_key(category: str) -> str:
    """A vendor's category as a parameter key: "Well Below Benchmark" -> well_below_benchmark."""
    out = "".join(c if c.isalnum() else "_" for c in category.strip().lower())
    return "_".join(part for part in out.split("_") if part)


def vendor_categories(p: Params) -> dict[str, str]:
    """{vendor category key: band} from the ruleset's `mtss.screening.category.*` parameters."""
    return {
        k[len(CATEGORY_PREFIX) :]: v for k, v in p.values.items() if k.startswith(CATEGORY_PREFIX)
    }


def category_band(category: str, p: Params) -> tuple[str | None, str]:
    """(band, how) for a vendor category; band None when the ruleset does not map it."""
    key = category_key(category)
    if key in BANDS:
        return key, f'vendor category "{category}" used as given'
    band = vendor_categories(p).get(key)
    if band is None:
        return None, ""
    return band, f'vendor category "{category}" mapped to band {band} by the ruleset'


def screening_band(s: Screening, p: Params) -> Recommendation:
    """R1: map a screening result to a risk band and a suggested starting tier."""
    names = (
        "screening.urgent_below_pr",
        "screening.intervention_below_pr",
        "screening.on_watch_below_pr",
        *(f"screening.tier.{b}" for b in BANDS),
    )
    evidence = {
        "date": s.date.isoformat(),
        "window": s.window,
        "instrument": s.instrument,
        "skill_area": s.skill_area,
        "percentile": s.percentile,
        "category": s.category,
    }
    if s.category is not None and s.percentile is None:
        band, how = category_band(s.category, p)
        if band is None:
            known = sorted(vendor_categories(p))
            return _insufficient(
                "R1",
                (
                    f'The vendor category "{s.category}" is neither a band ({", ".join(BANDS)}) '
                    f"nor a mapped vendor category ({', '.join(known) or 'none mapped'}); "
                    "record the percentile rank, or map the category in the ruleset "
                    f"(mtss.screening.category.{category_key(s.category)}).",
                ),
                p,
                names,
                {**evidence, "suggested_tier": None, "needs_triangulation": True},
                s.skill_area,
            )
        names = (*names, f"screening.category.{category_key(s.category)}")
    else:
        pr = s.percentile
        cuts = [
            ("urgent", p.v("screening.urgent_below_pr")),
            ("intervention", p.v("screening.intervention_below_pr")),
            ("on_watch", p.v("screening.on_watch_below_pr")),
        ]
        band = next((b for b, cut in cuts if pr < cut), "at_benchmark")
        cut_text = {b: c for b, c in cuts}
        if band == "at_benchmark":
            how = f"percentile {_fmt(pr)} is at or above {_fmt(cut_text['on_watch'])}"
        else:
            how = f"percentile {_fmt(pr)} is below {_fmt(cut_text[band])}"
    tier = p.v(f"screening.tier.{band}")
    reasons = (
        f"{s.window.title()} {s.instrument} ({s.skill_area}): {how}, band {band}.",
        f"Suggested starting tier {tier}; confirm with other data before placing (one "
        "screening score should not be the only entry criterion).",
    )
    return Recommendation(
        rule="R1",
        decision=band,
        reasons=reasons,
        evidence={**evidence, "suggested_tier": tier, "needs_triangulation": True},
        parameters=p.used(*names),
        citation=p.cite(*names),
        subject=s.skill_area,
    )


# --- R2 tier entry -----------------------------------------------------------------


def skill_family(skill: str) -> str | None:
    if skill in READING_SKILLS:
        return "reading"
    if skill in MATH_SKILLS:
        return "math"
    return None


def tier_entry(
    rec: MtssRecord, skill_area: str, p: Params, screening: Screening | None = None
) -> Recommendation:
    """R2: nominate for Tier 2 (k of n data sources) or Tier 3 (prior cycles / urgent gap)."""
    family = skill_family(skill_area)
    names = (f"tier_entry.min_met.{family}", "tier_entry.tier3_after_tier2_cycles")
    if skill_area in rec.student.iep_skills:
        return Recommendation(
            rule="R2",
            decision="excluded_iep",
            reasons=(
                f"{skill_area} is already served by specially designed instruction in the "
                "IEP; avoid serving the same skill twice.",
            ),
            evidence={"iep_skills": list(rec.student.iep_skills)},
            parameters=p.used(),
            citation="Tier 2/3 entrance criteria quick reference [S7]",
            subject=skill_area,
        )
    if family is None:
        return _insufficient(
            "R2",
            (f'No tier-entry rule for skill area "{skill_area}" (reading or math families).',),
            p,
            (),
            subject=skill_area,
        )
    failed_t2 = [
        e
        for e in rec.enrolments
        if e.tier == 2 and e.skill_area == skill_area and e.outcome == "not_responded"
    ]
    needed_cycles = p.v("tier_entry.tier3_after_tier2_cycles")
    if len(failed_t2) >= needed_cycles:
        return Recommendation(
            rule="R2",
            decision="nominate_tier3",
            reasons=(
                f"{len(failed_t2)} Tier 2 cycle(s) in {skill_area} ended without response "
                f"(threshold {needed_cycles}): consider Tier 3.",
            ),
            evidence={"tier2_cycles_without_response": [e.program for e in failed_t2]},
            parameters=p.used(*names),
            citation=p.cite(*names),
            subject=skill_area,
        )
    indicators = [i for i in rec.indicators if i.skill_area == skill_area]
    latest = screening or rec.latest_screening(skill_area)
    if not indicators:
        return _insufficient(
            "R2",
            (
                f"No tier-entry data sources recorded for {skill_area}; add indicators "
                "(screening, report card, teacher observation...) to triangulate.",
            ),
            p,
            names,
            subject=skill_area,
        )
    met = [i.name for i in indicators if i.met]
    k = p.v(f"tier_entry.min_met.{family}")
    band = screening_band(latest, p).decision if latest else None
    evidence = {
        "met": met,
        "not_met": [i.name for i in indicators if not i.met],
        "of": len(indicators),
        "screening_band": band,
    }
    if band == "urgent" and len(met) >= k:
        decision = "nominate_tier3"
        why = "urgent screening band with corroborating data: the exception for students far below grade level allows Tier 3 without two Tier 2 cycles."
    elif len(met) >= k:
        decision, why = (
            "nominate_tier2",
            f"{len(met)} of {len(indicators)} data sources show need (needs {k}).",
        )
    else:
        decision, why = (
            "not_nominated",
            f"only {len(met)} of {len(indicators)} data sources show need (needs {k}).",
        )
    return Recommendation(
        rule="R2",
        decision=decision,
        reasons=(f"{skill_area}: {why}", f"Met: {', '.join(met) or 'none'}."),
        evidence=evidence,
        parameters=p.used(*names),
        citation=p.cite(*names),
        subject=skill_area,
    )


def bottom_of_grade(
    records: dict[str, MtssRecord],
    window: str | None,
    p: Params,
    as_of: date | None = None,
) -> dict[str, str]:
    """R2: students in the lowest share of their grade on each screener (then triangulate) [S7].

    Each skill area is ranked on its own (a student low in math and fine in reading is
    flagged for math). Students tied with the last one inside the share are flagged too: a
    tie cannot put one of them below the other.
    """
    share = p.v("tier_entry.bottom_fraction")
    by_grade: dict[tuple[int, str], list[tuple[float, str]]] = {}
    for sid, rec in records.items():
        latest: dict[str, Screening] = {}
        for s in rec.screenings:
            if window in (None, s.window) and s.percentile is not None:
                if as_of is None or s.date <= as_of:
                    latest[s.skill_area] = s  # screenings are kept in date order
        for skill, s in latest.items():
            assert s.percentile is not None  # only screenings with a percentile were kept
            by_grade.setdefault((rec.student.grade, skill), []).append((s.percentile, sid))
    out: dict[str, str] = {}
    for (grade, skill), items in sorted(by_grade.items()):
        items.sort()
        k = int(len(items) * share)
        if k == 0:
            continue
        cut = items[k - 1][0]
        chosen = [(pr, sid) for pr, sid in items if pr <= cut]
        for pr, sid in chosen:
            tie = f", tied at the cut ({len(chosen)} flagged)" if len(chosen) > k else ""
            text = (
                f"lowest {share:.0%} of grade {grade} in {skill} ({k} of {len(items)}{tie}, "
                f"PR {pr:g}): triangulate before placing"
            )
            out[sid] = f"{out[sid]}; {text}" if sid in out else text
    return out
