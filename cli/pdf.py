"""Print an HTML page to PDF with headless Chromium: the page people see is the page printed.

Chromium is not a Python package: on Debian `apt-get install chromium`. Without
it, asking for a PDF is a clear error (exit 1) before any work is done. The one
caller is `cli.output_options.write_pages`, which writes the PDF owner-only (0600).
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


def require_browser() -> str:
    """The Chromium to print with, or the clear "install Chromium" error."""
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
    return browser


def print_pdf(page: str, *, name: str = "page.pdf", timeout: float = 60) -> bytes:
    """The PDF of the HTML `page` (A4/Letter as the page's CSS says), as bytes.

    Chromium reads and writes only inside a private temporary folder (0700), so no
    copy of a child's page is left readable by others; the caller writes the bytes.
    """
    browser = require_browser()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "page.html"
        src.write_text(page, encoding="utf-8")
        target = Path(tmp) / "page.pdf"
        cmd = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp}/profile",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            src.as_uri(),
        ]
        try:
            run = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise EirulesError(
                f"Chromium did not finish printing {name} in {timeout:.0f} s",
                [Problem("--pdf", "try again, or print the HTML")],
            ) from exc
        except OSError as exc:
            raise EirulesError(
                f"Chromium could not be started to print {name}",
                [Problem("--pdf", f"{exc.strerror or exc}; check EIRULES_CHROMIUM or PATH")],
            ) from exc
        if run.returncode != 0 or not target.exists() or target.stat().st_size == 0:
            raise EirulesError(
                f"Chromium could not print {name}",
                [
                    Problem(
                        "--pdf", f"Chromium exit status {run.returncode}; print the HTML instead"
                    )
                ],
            )
        return target.read_bytes()
