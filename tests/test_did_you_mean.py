"""One did-you-mean for every typo (core/errors.py): all equally close choices, never a guess."""

from hypothesis import given
from hypothesis import strategies as st

from eirules.core.errors import did_you_mean


def test_a_dropped_digit_offers_every_equally_close_case_id():
    # QA review: "SYN-C-002" was answered with "SYN-C-0102" only; "SYN-C-0002" is as close.
    ids = ["SYN-C-0001", "SYN-C-0002", "SYN-C-0102", "SYN-B-0200"]
    assert did_you_mean("SYN-C-002", ids) == 'did you mean "SYN-C-0002" or "SYN-C-0102"?'


def test_one_closest_choice_is_named_alone():
    assert did_you_mean("part-c", ["part_c", "part_b", "mtss"]) == 'did you mean "part_c"?'
    assert did_you_mean("Rhea Talowby", ["Rhea Tallowby", "Omar Quince"]) == (
        'did you mean "Rhea Tallowby"?'
    )


def test_nothing_close_is_no_suggestion():
    assert did_you_mean("zzzz", ["part_c", "part_b"]) is None


@given(
    st.text(alphabet="ABC-0123", min_size=1, max_size=8),
    st.lists(st.text(alphabet="ABC-0123", min_size=1, max_size=8), max_size=12),
)
def test_a_suggestion_names_only_choices_at_most_three(word, choices):
    answer = did_you_mean(word, choices)
    if answer is not None:
        named = answer.removeprefix("did you mean ").removesuffix("?").split(" or ")
        assert 1 <= len(named) <= 3
        assert all(n.strip('"') in choices for n in named)
