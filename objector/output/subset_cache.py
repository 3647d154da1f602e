"""A bounded cache of font subsets: letters that use the same glyphs of a font embed the same subset."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from objector.output.bounded import BoundedCache
from objector.output.layout_cache import available

# Subsets per process. A letter embeds three to five fonts, each subset some tens
# of kilobytes; letters of one place and language mostly use the same glyphs (the
# person's name adds a few), so a subset comes back often. 96 subsets are a few
# megabytes.
MAX_ENTRIES = 96

_cache: BoundedCache[bytes] | None = None
_original: Any = None
# Set while a renderer with the cache writes a PDF: the patch is process-wide, a
# renderer without the shortcuts (OBJECTOR_LAYOUT_CACHE=0) subsets as usual.
_active = False


@contextmanager
def active(on: bool) -> Iterator[None]:
    """Use the cache for the fonts of the PDF written inside this block when ``on``."""
    global _active
    before, _active = _active, on and _cache is not None
    try:
        yield
    finally:
        _active = before


def enable() -> BoundedCache[bytes] | None:
    """Cache WeasyPrint 70's font subsets in this process; None when off (OBJECTOR_LAYOUT_CACHE=0)."""
    global _cache, _original
    if not available():
        return None
    if _cache is None:
        from weasyprint.pdf.fonts import Font

        _cache = BoundedCache(MAX_ENTRIES, admit_second=True)
        _original = Font.subset
        Font.subset = _subset
    return _cache


def _font_key(font: Any) -> tuple[Any, ...]:
    """Which font file this is: its description's hash (family, weight, style, variations),
    its face index, and the file's length, first and last bytes (no hash of a whole
    file per letter)."""
    content: bytes = font.file_content
    return (font.hash, font.index, len(content), content[:128], content[-128:])


def _subset(font: Any, to_unicode: Any, hinting: Any) -> None:
    """Font.subset, taking the subset from the cache when this font's same glyphs were
    subset before. Only the glyph ids, hinting and missing-glyph outlines decide a subset
    (weasyprint/pdf/fonts.py); the result is the font's new file content."""
    cache = _cache if _active else None
    if cache is None or not to_unicode or font.png or font.svg or font.colr:
        _original(font, to_unicode, hinting)
        return
    key = (_font_key(font), tuple(sorted(to_unicode)), bool(hinting), bool(font.missing))
    found = cache.get(key)
    if found is not None:
        font.file_content = found
        return
    before = font.file_content
    _original(font, to_unicode, hinting)
    # A subset that failed leaves the whole file (and a warning): not kept.
    if font.file_content is not before and cache.wanted(key):
        cache.put(key, font.file_content)
