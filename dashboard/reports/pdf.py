"""The report as PDF, for offices that send PDFs: LibreOffice (headless) converts the .docx.

LibreOffice is a system program, not a Python package: where it is not installed the PDF is simply
not offered (``available()`` is false), and the .docx remains the document to send.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

CANDIDATES = ("soffice", "libreoffice")
TIMEOUT_SECONDS = 120


def office_program() -> str | None:
    """The LibreOffice executable on this machine, or None."""
    return next((p for p in (shutil.which(c) for c in CANDIDATES) if p), None)


def available() -> bool:
    return office_program() is not None


def docx_to_pdf(docx: bytes) -> bytes | None:
    """The PDF of a .docx (None without LibreOffice). Runs in a private profile so parallel runs do not clash."""
    program = office_program()
    if program is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "report.docx"
        source.write_bytes(docx)
        profile = (folder / "profile").as_uri()
        subprocess.run(
            [
                program,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
        )
        return (folder / "report.pdf").read_bytes()
