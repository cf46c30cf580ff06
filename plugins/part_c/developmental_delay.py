"""Part C developmental delay: how far behind a child is, and whether that meets the state's level.

34 CFR 303.21(a)(1) makes a child eligible with a developmental delay "as measured
by appropriate diagnostic instruments and procedures" in one or more of the five
areas of 303.21(a)(1)(i)-(v), at the level the state defines (303.111). This
module turns the scores of an evaluation (303.321) into delays per area and
measure, corrects age for prematurity when the ruleset says so, and checks each
criterion of `part_c.eligibility.delay_criteria`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from eirules.core.clocks import param_or_none
from eirules.core.dates import age_in_months
from eirules.core.models import DOMAINS, Score
from eirules.core.rulesets import Ruleset


def percent_delay(age_months: float, age_equivalent_months: float) -> float:
    """(age - age equivalent) / age, as a percentage; 0 when the child is at or above age."""
    if age_months <= 0:
        raise ValueError("percent delay is undefined at an age of zero months or less")
    return max(0.0, (age_months - age_equivalent_months) / age_months * 100)


def corrected_age(
    birth: date, gestational_weeks: int | None, on: date, ruleset: Ruleset
) -> tuple[float, int, dict[str, Any], str]:
    """Age in months on a date, corrected for prematurity when the ruleset says so.

    Returns (age in months, weeks subtracted, parameters used, a note). The
    weeks short of term are subtracted from the birth date, so the corrected age
    is the age of a child born that many weeks later; it may be zero or less.
    """
    chrono = age_in_months(birth, on)
    used: dict[str, Any] = {}
    correct = param_or_none(ruleset, "part_c.prematurity.correct_age", on)
    if correct is None or not correct.value:
        if correct is not None:
            used["part_c.prematurity.correct_age"] = False
        return chrono, 0, used, ""
    used["part_c.prematurity.correct_age"] = True
    if gestational_weeks is None:
        return chrono, 0, used, "gestational age not recorded, so chronological age is used"
    values = {}
    for key in (
        "below_gestational_weeks",
        "term_weeks",
        "until_age_months",
        "max_adjustment_weeks",
    ):
        p = param_or_none(ruleset, f"part_c.prematurity.{key}", on)
        if p is not None:
            values[key] = p.value
            used[f"part_c.prematurity.{key}"] = p.value
    if "below_gestational_weeks" not in values or "term_weeks" not in values:
        return (
            chrono,
            0,
            used,
            "the ruleset corrects for prematurity but sets no gestational threshold or term",
        )
    if gestational_weeks >= values["below_gestational_weeks"]:
        return chrono, 0, used, ""
    if "until_age_months" in values and chrono >= values["until_age_months"]:
        return (
            chrono,
            0,
            used,
            f"no correction: chronological age {_months(chrono)} months is past {values['until_age_months']} months",
        )
    weeks = values["term_weeks"] - gestational_weeks
    if "max_adjustment_weeks" in values:
        weeks = min(weeks, values["max_adjustment_weeks"])
    corrected_birth = birth + timedelta(weeks=weeks)
    if corrected_birth >= on:
        return 0.0, weeks, used, ""
    return age_in_months(corrected_birth, on), weeks, used, ""


def _months(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


Delays = dict[str, dict[str, tuple[float, Score]]]
ScoreValues = tuple[tuple[Score, dict[str, float]], ...]


def score_values(scores: tuple[Score, ...], age_months: float) -> tuple[ScoreValues, bool]:
    """Each score's own delay on every measure it gives.

    Returns the values and whether an age-equivalent score could not be used
    because the age is zero months or less.
    """
    out = []
    unusable = False
    for score in scores:
        found: dict[str, float] = {}
        if score.standard_score is not None:
            assert score.mean is not None and score.sd is not None  # Score requires both
            found["sd_below_mean"] = (score.mean - score.standard_score) / score.sd
        elif score.age_equivalent_months is not None:
            if age_months <= 0:
                unusable = True
                continue
            found["months_delay"] = max(0.0, age_months - score.age_equivalent_months)
            found["percent_delay"] = percent_delay(age_months, score.age_equivalent_months)
        else:
            assert score.percent_delay is not None  # Score holds exactly one kind of result
            found["percent_delay"] = float(score.percent_delay)
        out.append((score, found))
    return tuple(out), unusable


def _areas(score: Score) -> tuple[str, ...]:
    """The area names a score counts under: its domain, and its subdomain alone and dotted."""
    if score.subdomain:
        return (score.domain, score.subdomain, f"{score.domain}.{score.subdomain}")
    return (score.domain,)


def area_delays(scores: tuple[Score, ...], age_months: float) -> tuple[Delays, bool]:
    """Per area, the worst delay for each measure.

    Areas are the domain, and for a subdomain score also the subdomain alone
    ("expressive") and with its domain ("communication.expressive"). Returns the
    delays and whether an age-equivalent score could not be used because the
    age is zero months or less.
    """
    values, unusable = score_values(scores, age_months)
    return worst_per_area(values), unusable


def worst_per_area(values: ScoreValues) -> Delays:
    delays: Delays = {}
    for score, found in values:
        for area in _areas(score):
            slot = delays.setdefault(area, {})
            for measure, value in found.items():
                if measure not in slot or value > slot[measure][0]:
                    slot[measure] = (value, score)
    return delays


def _named(names: set[str], score: Score) -> bool:
    """Whether a score's area is one of the names: a domain name covers its subdomains."""
    return any(area in names for area in _areas(score))


def meets(criterion: dict, delays: Delays, values: ScoreValues = ()) -> list[str]:
    """The areas meeting one criterion, or [] when the criterion is not met.

    Without `in`, the five federal domains count; with `in`, the areas named
    (domains, subdomains such as "expressive" or "communication.expressive").
    With `only`, every delayed area (at the finest level scored) must be one of
    those named. With `unless_only`, the criterion does not count when every
    score meeting its threshold is in an area named there (Texas: 25% in one
    domain, but not when expressive communication is the only such delay).
    `values` (each score's own delays) lets `unless_only` see every score, not
    only the worst per area.
    """
    measure, threshold = criterion["measure"], criterion["at_least"]
    allowed = criterion.get("in")
    hits = [
        area
        for area in sorted(delays)
        if (area in allowed if allowed is not None else area in DOMAINS)
        and measure in delays[area]
        and delays[area][measure][0] >= threshold
    ]
    if "only" in criterion:
        only = set(criterion["only"])
        delayed = {
            (s.subdomain or s.domain, s.domain)
            for found in delays.values()
            for v, s in found.values()
            if v > 0
        }
        if not delayed or any(fine not in only and dom not in only for fine, dom in delayed):
            return []
    if "unless_only" in criterion and hits:
        if not values:  # only the worst score per area is known
            values = tuple((s, {m: v}) for slot in delays.values() for m, (v, s) in slot.items())
        qualifying = [
            score
            for score, found in values
            if found.get(measure, -1.0) >= threshold
            and (
                any(a in allowed for a in _areas(score))
                if allowed is not None
                else score.domain in DOMAINS
            )
        ]
        names = set(criterion["unless_only"])
        if qualifying and all(_named(names, score) for score in qualifying):
            return []
    return hits if len(hits) >= criterion.get("domains", 1) else []


_MEASURE_WORDS = {
    "percent_delay": ("% delay", "{:.0f}% delayed"),
    "months_delay": (" months' delay", "{:.1f} months delayed"),
    "sd_below_mean": (" SD below the mean", "{:.2f} SD below the mean"),
}


def describe_criterion(criterion: dict) -> str:
    """A criterion in words: "50% delay in 1 area", unless it has its own label."""
    if criterion.get("label"):
        return criterion["label"]
    unit = _MEASURE_WORDS[criterion["measure"]][0]
    n = criterion.get("domains", 1)
    text = f"{criterion['at_least']:g}{unit} in {'each of ' if n > 1 else ''}{n} area{'s' if n > 1 else ''}"
    if criterion.get("in"):
        text += f" among {', '.join(criterion['in'])}"
    if criterion.get("only"):
        text += f" when the only delay is in {', '.join(criterion['only'])}"
    if criterion.get("unless_only"):
        text += f", unless the only such delay is in {', '.join(_area_words(a) for a in criterion['unless_only'])}"
    return text


def _area_words(area: str) -> str:
    """Area name in words: communication.expressive is "communication (expressive)"."""
    domain, _, sub = area.partition(".")
    words = domain.replace("_", " ")
    return f"{words} ({sub.replace('_', ' ')})" if sub else words


def _shown(measure: str, value: float, thresholds: tuple[float, ...] = ()) -> str:
    """The value in words, with more decimals when rounding would cross a threshold.

    24.96% is "25.0% delayed" would read as meeting a 25% rule it misses; it is
    shown as "24.96% delayed" instead.
    """
    template = _MEASURE_WORDS[measure][1]
    said = template.format(value)
    for places in (1, 2, 3):
        shown = float(said.split("%")[0].split(" ")[0])
        if not any((shown >= t) != (value >= t) for t in thresholds):
            break
        said = said.replace(said.split("%")[0].split(" ")[0], f"{value:.{places + 1}f}", 1)
    return said


def describe_hit(
    area: str,
    measure: str,
    value: float,
    score: Score,
    age: float,
    weeks: int,
    thresholds: tuple[float, ...] = (),
) -> str:
    said = _shown(measure, value, thresholds)
    if score.subdomain and area in (score.domain, score.subdomain):
        area = f"{score.domain}.{score.subdomain}"  # say which part of the domain
    area = _area_words(area)
    if score.age_equivalent_months is not None:
        corrected = f" corrected for {weeks} weeks of prematurity" if weeks else ""
        return f"{area} is {said} (age {_months(age)} months{corrected}, age equivalent {_months(score.age_equivalent_months)} months)"
    if score.standard_score is not None:
        return f"{area} is {said} (standard score {score.standard_score:g}, mean {score.mean:g}, SD {score.sd:g})"
    return f"{area} is {said} (recorded percent delay)"


def worst_delays(
    delays: dict[str, dict[str, tuple[float, Score]]], criteria, age: float, weeks: int
) -> str:
    """The largest delay on the measure of each criterion, described with its inputs."""
    said = []
    for measure in dict.fromkeys(c["measure"] for c in criteria):
        found = [
            (f[measure][0], area) for area, f in delays.items() if area in DOMAINS and measure in f
        ]
        if found:
            value, area = max(found)
            limits = tuple(c["at_least"] for c in criteria if c["measure"] == measure)
            said.append(describe_hit(area, measure, *delays[area][measure], age, weeks, limits))
    return "; ".join(said)


#: What each measure is read from (`score_values`), and the measure in words.
_READ_FROM = {
    "percent_delay": ("an age equivalent", "a percent delay"),
    "months_delay": ("an age equivalent",),
    "sd_below_mean": ("a standard score",),
}
_MEASURE_NAMES = {
    "percent_delay": "percent delay",
    "months_delay": "months of delay",
    "sd_below_mean": "standard deviations below the mean",
}


def _score_kind(score: Score) -> str:
    if score.standard_score is not None:
        return "standard score"
    if score.age_equivalent_months is not None:
        return "age equivalent"
    return "percent delay"


def unread_scores(values: ScoreValues, criteria) -> dict[str, list[tuple[Score, dict[str, float]]]]:
    """Per area, the scores of areas where no score gives a measure any criterion reads.

    The area is the score's finest one (`communication.expressive` for a subdomain
    score). A state whose criteria are in percent delay cannot read a standard
    score (303.111 leaves the level, and so the measure, to the state): an area
    scored only that way is not measured by the state's criteria at all, and no
    conversion between measures is assumed.
    """
    reads = {c["measure"] for c in criteria}
    by_area: dict[str, list[tuple[Score, dict[str, float]]]] = {}
    for score, found in values:
        area = f"{score.domain}.{score.subdomain}" if score.subdomain else score.domain
        by_area.setdefault(area, []).append((score, found))
    return {
        area: scored
        for area, scored in sorted(by_area.items())
        if not any(reads & set(found) for _, found in scored)
    }


def describe_unread(unread, age: float, weeks: int) -> str:
    """The scores of unread areas as recorded: nothing is converted to another measure."""
    said = []
    for area, scored in unread.items():
        words = _area_words(area)
        for score, _ in scored:
            if score.standard_score is not None:
                said.append(
                    f"{words} has a standard score of {score.standard_score:g} "
                    f"(mean {score.mean:g}, SD {score.sd:g})"
                )
            elif score.age_equivalent_months is not None:
                corrected = f" corrected for {weeks} weeks of prematurity" if weeks else ""
                said.append(
                    f"{words} has an age equivalent of {_months(score.age_equivalent_months)} "
                    f"months (age {_months(age)} months{corrected})"
                )
            else:
                said.append(f"{words} has a recorded percent delay of {score.percent_delay:g}%")
    return "; ".join(said)


def missing_measures(unread, criteria) -> str:
    """What would let the criteria read the unread areas: a score of a kind they read there."""
    measures = list(dict.fromkeys(c["measure"] for c in criteria))
    kinds = list(dict.fromkeys(k for m in measures for k in _READ_FROM[m]))
    scores = [s for scored in unread.values() for s, _ in scored]
    have = sorted({_score_kind(s) for s in scores})
    areas = [_area_words(a) for a in unread]
    where = ", ".join(areas[:-1]) + " and " + areas[-1] if len(areas) > 1 else areas[0]
    if len(scores) == 1:
        article = "an" if have[0].startswith("a") else "a"
        on_file = f"the only score there is {article} {have[0]}"
    else:
        on_file = f"the scores there are {' and '.join(k + 's' for k in have)} only"
    return (
        f"{' or '.join(kinds)} in {where} (the state's delay criteria read "
        f"{' or '.join(_MEASURE_NAMES[m] for m in measures)}; {on_file})"
    )
