"""The evidence bundle for one regulator: the complaint, the letter, the answers and the index as one PDF."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .case import Case
    from .followup import Document

_CSS = """
@page { size: A4; margin: 20mm 18mm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; }
section { break-before: page; }
section:first-child { break-before: auto; }
h1 { font-size: 10pt; font-family: monospace; color: #444; }
pre { white-space: pre-wrap; font-family: inherit; margin: 0; }
"""


def bundle_pdf(case: Case, document: Document, index_text: str) -> bytes:
    """One PDF: the document first, then the letter, every answer and follow-up of
    the case (in the order recorded) and the evidence index, each on new pages.

    Only text files go in as text; the letter's own PDF and other binary files are
    listed in the index with their hashes and annexed as they are.
    """
    from weasyprint import HTML

    parts: list[tuple[str, str]] = [(document.name, document.text)]
    letter = case.folder / "letter.txt"
    if letter.is_file():
        parts.append((letter.name, letter.read_text(encoding="utf-8")))
    for event in case.events:
        for f in event.get("files", ()):
            path = case.folder / f["name"]
            if path.suffix == ".txt" and path.is_file() and not f["name"].startswith("evidence"):
                parts.append((f["name"], path.read_text(encoding="utf-8", errors="replace")))
    parts.append(("evidence.txt", index_text))
    html = "".join(f"<section><h1>{escape(name)}</h1><pre>{escape(text)}</pre></section>" for name, text in parts)
    page = f"<!doctype html><html><head><meta charset='utf-8'><style>{_CSS}</style></head><body>{html}</body></html>"
    data: bytes = HTML(string=page).write_pdf()
    return data
