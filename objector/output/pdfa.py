"""Archival PDF variants (PDF/A-3u, PDF/UA-1): names, WeasyPrint options and the associated files."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from ..errors import InputError
from ..letter import Letter

# What --pdf-variant accepts. PDF/A-3u: archives and courts (Unicode text, fonts
# embedded, output intent, files may ride along); PDF/UA-1: accessibility.
PDF_VARIANTS = ("pdf/a-3u", "pdf/ua-1")


def check_variant(name: str | None) -> str | None:
    """``name`` lower-cased if it is one of PDF_VARIANTS (None stays None), else InputError."""
    if name is None:
        return None
    variant = name.strip().lower()
    if variant not in PDF_VARIANTS:
        raise InputError("pdf-variant", f"unknown PDF variant {name!r} (choose from {', '.join(PDF_VARIANTS)})")
    return variant


def embeds_files(variant: str | None) -> bool:
    """Whether the variant carries the letter's .eml and JSON record inside the PDF (PDF/A-3 does)."""
    return variant is not None and variant.startswith("pdf/a-3")


def associated_files(letter: Letter) -> list[tuple[str, bytes, str, str]]:
    """(file name, bytes, description, relationship) of each file a PDF/A-3 letter carries.

    The .eml is the same letter as an e-mail (without the PDF, which would be
    itself), the JSON record says who, which law and what was asked: with both
    inside, the one archived file is the whole evidence of what was sent.
    """
    from .eml import render_eml
    from .files import record

    eml = render_eml(letter, pdf=None)
    data = (json.dumps(record(letter), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return [
        ("letter.eml", eml, "The same letter as an e-mail", "Alternative"),
        ("letter.json", data, "The letter's record: person, law, demands, dates", "Data"),
    ]


def write_options(letter: Letter, variant: str | None) -> dict[str, Any]:
    """The extra ``write_pdf`` keyword arguments for ``variant`` (none for a plain PDF)."""
    if variant is None:
        return {}
    options: dict[str, Any] = {"pdf_variant": variant}
    if embeds_files(variant):
        from weasyprint import Attachment

        # The letter's date as the files' dates: the same letter gives the same
        # bytes (WeasyPrint would take the clock).
        when = dt.datetime.combine(letter.date, dt.time(), tzinfo=dt.UTC)
        options["attachments"] = [
            Attachment(file_obj=io.BytesIO(data), name=name, description=description, created=when,
                       modified=when, relationship=relationship)
            for name, data, description, relationship in associated_files(letter)]
    return options
