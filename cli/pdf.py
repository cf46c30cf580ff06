"""Print an HTML page to PDF with headless Chromium: the page people see is the page printed.

Chromium is not a Python package: on Debian `apt-get install chromium`. Without
it, asking for a PDF is a clear error (exit 1) and the HTML is still written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from eirules.core.errors import EirulesError, Problem

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    explicit = os.environ.get("EIRULES_CHROMIUM")
    if explicit:
        return explicit
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def html_to_pdf(html: Path, pdf: Path, *, timeout: float = 60) -> None:
    """Write `pdf` from the HTML file `html` (A4/Letter as the page's CSS says)."""
    browser = find_browser()
    if browser is None:
        raise EirulesError(
            "cannot write a PDF: no Chromium found",
            [
                Problem(
                    "--pdf",
                    "install Chromium (Debian: apt-get install chromium), set "
                    "EIRULES_CHROMIUM to its path, or leave out --pdf and print the HTML",
                )
            ],
        )
    with tempfile.TemporaryDirectory() as profile:
        tmp = pdf.with_name(f".{pdf.name}.tmp")
        cmd = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={tmp}",
            html.resolve().as_uri(),
        ]
        try:
            run = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise EirulesError(
                f"Chromium did not finish printing {pdf} in {timeout:.0f} s",
                [Problem("--pdf", "try again, or print the HTML")],
            ) from exc
        if run.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            tmp.unlink(missing_ok=True)
            raise EirulesError(
                f"Chromium could not print {pdf}",
                [
                    Problem(
                        "--pdf", f"Chromium exit status {run.returncode}; print the HTML instead"
                    )
                ],
            )
        os.replace(tmp, pdf)
