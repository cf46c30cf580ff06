"""MTSS decision rules R1-R10 and R13 as pure functions.

Each rule returns a `Recommendation`: a decision for the team (never an automatic
action), plain-language reasons, the evidence it read, the parameter values it
used and their citations, and whether the data were sufficient. Rule numbers
follow the project's MTSS research note (docs/mtss.md lists each with sources).
"""

from .common import (  # noqa: F401
    INSUFFICIENT,
    MATH_SKILLS,
    ORF_MEASURES,
    READING_SKILLS,
    Recommendation,
    _as_of,
    _fmt,
    _insufficient,
    _weeks,
)
from .dual import dual_discrepancy  # noqa: F401
from .fidelity import _logged, _planned, _sessions_for, fidelity, reconcile, reconcile_enrolment  # noqa: F401
from .goals import Aimline, aimline_for, baseline_of, phase_points, roi_norm, typical_roi  # noqa: F401
from .monitoring import (  # noqa: F401
    _enrolment_start,
    counted_days_between,
    counts_for_monitoring,
    due_after,
    monitoring,
    series_tier,
    served_tier,
)
from .movement import (  # noqa: F401
    REFERRAL_CITATION,
    SeriesReport,
    _consecutive_at_benchmark,
    evaluate_series,
    movement,
    refer_now,
)
from .progress import fit, four_point, ols, rate_of_improvement, trend, tukey  # noqa: F401
from .screening import BANDS, bottom_of_grade, screening_band, skill_family, tier_entry  # noqa: F401
