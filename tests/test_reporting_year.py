"""`--year` (the SPP/APR July-June reporting year, e.g. 2025-26) as `parse_year` reads it."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eirules.plugins.indicators.common import parse_year


def test_a_year_across_a_century_takes_the_next_years_two_digits():
    """1999-00 is July 1999 to June 2000 (it was refused, suggesting "e.g. 1999-00")."""
    period = parse_year("1999-00")
    assert (period.start, period.end) == (date(1999, 7, 1), date(2000, 6, 30))
    assert parse_year("1999-2000") == period


@pytest.mark.parametrize("text", ["1899-00", "1899-1900", "2199-00", "9999-00", "0000-01"])
def test_a_year_outside_the_date_bound_says_the_range_not_a_wrong_example(text):
    """QA: 9999-00 said "year 10000 is out of range" (datetime's words), not the range."""
    with pytest.raises(ValueError) as raised:
        parse_year(text)
    assert str(raised.value) == (
        f'"{text}" is out of range: a reporting year from 1900-01 to 2198-99'
    )


@given(st.integers(1900, 2198))
def test_every_year_in_range_reads_both_ways_and_its_example_is_valid(first):
    short = f"{first}-{(first + 1) % 100:02d}"
    period = parse_year(short)
    assert parse_year(f"{first}-{first + 1}") == period
    assert (period.start, period.end) == (date(first, 7, 1), date(first + 1, 6, 30))


@given(st.integers(1900, 2198), st.integers(0, 99))
def test_a_second_year_that_does_not_follow_suggests_one_that_parses(first, last):
    if last == (first + 1) % 100:
        return
    with pytest.raises(ValueError) as raised:
        parse_year(f"{first}-{last:02d}")
    example = str(raised.value).split("(e.g. ")[1].rstrip(")")
    parse_year(example)
