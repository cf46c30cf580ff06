"""Full names of progress-monitoring measures, for titles and pages (no graphing needed)."""

from __future__ import annotations

#: Full names of common measures, for graph titles (the series' own `measure` otherwise).
MEASURE_NAMES = {
    "orf": "Oral reading fluency (words correct per minute)",
    "wcpm": "Oral reading fluency (words correct per minute)",
    "wrc": "Oral reading fluency (words read correct)",
    "cbm_reading": "CBM reading (words read correct)",
    "oral_reading_fluency": "Oral reading fluency (words correct per minute)",
    "maze": "Maze reading comprehension (correct replacements)",
    "digits_correct": "Math computation (digits correct)",
    "nwf": "Nonsense word fluency (correct letter sounds)",
    "lnf": "Letter naming fluency (letters per minute)",
    "acadience_orf": "Acadience Reading Oral Reading Fluency (words read correctly)",
    "acadience_maze": "Acadience Reading Maze (adjusted score)",
    "acadience_psf": "Acadience Reading Phoneme Segmentation Fluency (correct sound segments)",
    "acadience_nwf_cls": "Acadience Reading Nonsense Word Fluency (correct letter sounds)",
    "acadience_nwf_wwr": "Acadience Reading Nonsense Word Fluency (whole words read)",
    "acadience_comp": "Acadience Math Computation (score)",
    "acadience_ca": "Acadience Math Concepts and Applications (score)",
    "dibels8_lnf": "DIBELS 8 Letter Naming Fluency (letters named correctly)",
    "dibels8_psf": "DIBELS 8 Phonemic Segmentation Fluency (correct sound segments)",
    "dibels8_nwf_cls": "DIBELS 8 Nonsense Word Fluency (correct letter sounds)",
    "dibels8_nwf_wrc": "DIBELS 8 Nonsense Word Fluency (words recoded correctly)",
    "dibels8_wrf": "DIBELS 8 Word Reading Fluency (words read correctly)",
    "dibels8_orf": "DIBELS 8 Oral Reading Fluency (words correct)",
    "dibels8_maze": "DIBELS 8 Maze (adjusted score)",
}


def measure_name(measure: str) -> str:
    return MEASURE_NAMES.get(measure.lower(), measure)
