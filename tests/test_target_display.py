"""A PostgreSQL URL's password never reaches a message (core/store/targets.display).

QA: `eirules due --db 'postgresql://127.0.0.1:1/x?password=s3cretpw'` printed the
password in its error: `display` masked only the `user:password@` form, while libpq
also reads `password` (and `sslpassword`) from the URL's query.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from eirules.cli import cli
from eirules.core.store.targets import display


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://ann:s3cret@db.example/cases", "postgresql://ann:***@db.example/cases"),
        ("postgresql://127.0.0.1:1/x?password=s3cret", "postgresql://127.0.0.1:1/x?password=***"),
        (
            "postgres://db/x?user=ann&PASSWORD=s3cret&sslmode=require",
            "postgres://db/x?user=ann&PASSWORD=***&sslmode=require",
        ),
        ("postgresql://db/x?sslpassword=s3cret", "postgresql://db/x?sslpassword=***"),
        ("postgresql://db/x?passfile=/etc/pgpass", "postgresql://db/x?passfile=/etc/pgpass"),
        ("caseload.db", "caseload.db"),
    ],
)
def test_display_masks_every_place_libpq_reads_a_password(url, shown):
    assert display(url) == shown


#: What a password may hold in a URL (unreserved characters and %-escapes).
_PASSWORD_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~%!$#"


@given(tail=st.text(alphabet=_PASSWORD_CHARS, max_size=30))
def test_no_form_of_url_shows_the_secret(tail):
    """Invariant: in any of the three places, the password's text is gone (it starts
    with "Z9", which nothing else in these URLs contains)."""
    secret = "Z9" + tail
    for url in (
        f"postgresql://ann:{secret}@db/x",
        f"postgresql://db/x?password={secret}",
        f"postgresql://db/x?sslmode=require&sslpassword={secret}&user=ann",
    ):
        assert "Z9" not in display(url), url


def test_the_cli_error_for_an_unreachable_server_shows_no_password(tmp_path, monkeypatch):
    """The command QA ran: the error names the target, masked, and exits 1 or 2."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["due", "--db", "postgresql://127.0.0.1:1/x?password=s3cretpw"]
    )
    assert result.exit_code != 0
    assert "s3cretpw" not in result.output
    assert "password=***" in result.output
