"""Writing outputs safely: atomic file writes and the folder bundle of every format."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ..letter import Letter

FORMATS = ("text", "eml", "pdf", "html", "ics", "howto", "json")
EXTENSIONS = {"text": "txt", "eml": "eml", "pdf": "pdf", "html": "html", "ics": "ics",
              "howto": "how-to-send.txt", "json": "json"}


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one,
    never a truncated one (temp file in the same folder, fsync, rename).

    A target that exists but is not a regular file (``/dev/null``, a FIFO, a
    terminal) is written to directly: renaming over it would replace the device.
    """
    if path.exists() and not path.is_file():
        with path.open("wb") as fh:
            fh.write(data)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        # mkstemp creates 0600; give the file the permissions a normal write would.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def record(letter: Letter) -> dict[str, object]:
    """The letter's JSON record: who, which law, what it asks, where to send it, when."""
    d = letter.decision
    return {
        "reference": letter.reference,
        "date": letter.date.isoformat(),
        "due": letter.due.isoformat(),
        "locale": letter.locale,
        "kind": letter.kind,
        "kinds": list(letter.kinds),
        "subject": letter.subject,
        "grounds": letter.grounds_source,
        "demands": list(letter.demand_ids),
        "citations": list(letter.citations),
        "decision": d.to_json(),
    }


def render(letter: Letter, fmt: str, pdf: bytes | None = None, pdf_variant: str | None = None) -> bytes:
    """One format of ``letter`` as bytes (``pdf`` may be passed in to reuse a render;
    ``pdf_variant`` is one of pdfa.PDF_VARIANTS for an archival PDF)."""
    if fmt == "text":
        return letter.text().encode("utf-8")
    if fmt == "howto":
        from .howto import render_howto
        return render_howto(letter).encode("utf-8")
    if fmt == "html":
        from .html import render_html
        return render_html(letter).encode("utf-8")
    if fmt == "ics":
        from .ics import render_ics
        return render_ics(letter)
    if fmt == "json":
        return (json.dumps(record(letter), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "pdf":
        if pdf is not None:
            return pdf
        from .pdf import render_pdf
        return render_pdf(letter, pdf_variant)
    if fmt == "eml":
        from .eml import render_eml
        return render_eml(letter, pdf=pdf)
    raise ValueError(f"unknown format {fmt!r}")


def bundle(letter: Letter, with_pdf: bool = True, pdf_variant: str | None = None) -> Mapping[str, bytes]:
    """Every format of ``letter`` as file name -> bytes; the .eml carries the PDF."""
    pdf = render(letter, "pdf", pdf_variant=pdf_variant) if with_pdf else None
    files: dict[str, bytes] = {}
    for fmt in FORMATS:
        if fmt == "pdf" and pdf is None:
            continue
        files[f"letter.{EXTENSIONS[fmt]}" if fmt != "howto" else EXTENSIONS[fmt]] = render(letter, fmt, pdf)
    return files


def write_bundle(letter: Letter, folder: Path, with_pdf: bool = True, pdf_variant: str | None = None) -> list[Path]:
    """Write the bundle into ``folder`` (created if needed); returns the paths written."""
    written = []
    for name, data in bundle(letter, with_pdf, pdf_variant).items():
        path = folder / name
        atomic_write(path, data)
        written.append(path)
    return written
