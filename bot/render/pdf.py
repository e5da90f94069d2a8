"""DOCX → PDF through LibreOffice, where a server has it (`apt-get install libreoffice-writer-nogui`).

Offices print PDF without surprises; the DOCX stays the editable original. Without LibreOffice the
conversion raises `PdfUnavailable`, and callers offer the DOCX alone.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

#: A cold LibreOffice start takes a few seconds; a stuck one must not hang a command for ever.
TIMEOUT_SECONDS = 120


class PdfUnavailable(RuntimeError):
    """LibreOffice is not installed here, or it could not convert the document."""


def office() -> str | None:
    """The LibreOffice program on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes) -> bytes:
    program = office()
    if program is None:
        raise PdfUnavailable("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    with tempfile.TemporaryDirectory(prefix="yanxiu-pdf-") as folder:
        work = Path(folder)
        (work / "document.docx").write_bytes(docx)
        # A profile of its own: a second LibreOffice (or a desktop session) cannot block this one.
        command = [program, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                   "--convert-to", "pdf", "--outdir", str(work), str(work / "document.docx")]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except (OSError, subprocess.TimeoutExpired) as problem:
            raise PdfUnavailable(f"LibreOffice did not convert the document: {problem}") from None
        result = work / "document.pdf"
        if not result.is_file():
            raise PdfUnavailable("LibreOffice did not convert the document")
        return result.read_bytes()
