"""PDF rendering with WeasyPrint: one shared font configuration and a locked-down fetcher.

WeasyPrint is imported lazily: its import alone costs about 0.6 s, and the text
and e-mail paths must not pay it.
"""

from __future__ import annotations

import itertools
import logging
import os
import sys
import warnings
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import RenderError
from ..letter import Letter
from ..resources import templates_dir
from . import compression, lazy_modules, margin_boxes, page_tree, subset_cache, ua_sheet
from .draw_cache import enable as enable_draw_cache
from .html import render_html, stylesheet
from .layout_cache import available as shortcuts_available
from .layout_cache import enable as enable_line_cache
from .layout_cache import enabled as shortcuts_enabled
from .pdfa import check_variant, write_options
from .style_cache import enable as enable_style_cache

ASSETS = "assets"


# WeasyPrint's message for a character no installed font has (draw/text.py).
_NOTDEF = ".notdef glyph rendered"


class _Warnings(logging.Handler):
    """Collects WeasyPrint's warnings (missing glyphs, refused resources) for a render.
    They stay in memory: a missing-glyph message quotes the character, which is
    person data."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.missing: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        if str(record.msg).startswith(_NOTDEF) and isinstance(record.args, tuple) and record.args:
            self.missing.add(str(record.args[0]))


def glyph_warnings(messages: list[str]) -> list[str]:
    """The missing-glyph ("tofu") warnings among a render's WeasyPrint messages."""
    return [m for m in messages if m.startswith(_NOTDEF)]


def missing_glyph_fields(letter: Letter, missing: set[str]) -> list[str]:
    """The names of the person's fields holding characters no installed font can
    print (``letter text`` for any other text, such as a campaign's words)."""
    person = letter.person
    fields = {"name": person.name, "address": " ".join(person.address), "email": person.email,
              "profile_url": person.profile_url or "", "reason": letter.grounds or ""}
    found = [field for field, value in fields.items() if any(ch in value for ch in missing)]
    covered = "".join(fields.values())
    if any(ch not in covered for ch in missing):
        found.append("letter text")
    return found


@contextmanager
def _no_library_search() -> Iterator[None]:
    """During WeasyPrint's import, stop cffi from running ``ctypes.util.find_library``
    for each library name that does not load as given: on Linux that spawns
    ldconfig, gcc and ld (about 200 processes, 0.25 s). Each of WeasyPrint's lists
    also holds the plain soname (``libpango-1.0.so.0``), which the dynamic
    loader finds itself, so nothing is lost. Other systems keep the search."""
    if sys.platform != "linux":
        yield
        return
    import ctypes.util

    original = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = original


_DIGITS = str.maketrans("", "", "0123456789")


class _LazyPatterns:
    """Hyphenation patterns keyed by their letters, each parsed on first lookup.

    pyphen parses all of a dictionary's patterns up front: 0.4 s for German or
    Hungarian (about 1 MB each), most of a German PDF's cold start, while a letter
    looks up only a few thousand of them. The patterns are kept sorted in two
    strings with an offset array each, found by binary search: a dictionary of
    two strings per pattern held German's 12 MB per PDF worker (tracemalloc,
    2026-12-04), this holds about a quarter of that."""

    def __init__(self, lines: list[str]) -> None:
        # A key met twice keeps its last line, as a dict built in file order would.
        by_key = {line.translate(_DIGITS): line for line in lines}
        keys = sorted(by_key)
        self._keys = "".join(keys)
        self._raws = "".join(by_key[k] for k in keys)
        self._key_at = array("I", itertools.accumulate((len(k) for k in keys), initial=0))
        self._raw_at = array("I", itertools.accumulate((len(by_key[k]) for k in keys), initial=0))
        self.maxlen = max(map(len, keys))
        self.parsed: dict[str, tuple[int, tuple[int, ...]] | None] = {}

    def _raw(self, key: str) -> str | None:
        keys, at = self._keys, self._key_at
        lo, hi = 0, len(at) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if keys[at[mid]:at[mid + 1]] < key:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(at) - 1 and keys[at[lo]:at[lo + 1]] == key:
            return self._raws[self._raw_at[lo]:self._raw_at[lo + 1]]
        return None

    def get(self, key: str, default: Any = None) -> Any:
        if key in self.parsed:
            return self.parsed[key] or default
        raw = self._raw(key)
        result = None
        if raw is not None:
            import pyphen  # type: ignore[import-untyped]

            values = tuple(int(i or "0") for i, _ in pyphen.parse(raw))
            if max(values) > 0:
                start, end = 0, len(values)
                while not values[start]:
                    start += 1
                while not values[end - 1]:
                    end -= 1
                result = start, values[start:end]
        self.parsed[key] = result
        return result or default


def _lazy_hyphenation() -> None:
    """Make pyphen read dictionaries lazily (see _LazyPatterns). Dictionaries with
    hex escapes or non-standard hyphenation, which a few languages use, keep
    pyphen's own parser."""
    import pyphen

    original = pyphen.HyphDict
    if getattr(original, "_objector_lazy", False):
        return

    class LazyHyphDict(original):  # type: ignore[misc, valid-type]
        _objector_lazy = True

        def __init__(self, path: Path) -> None:
            with path.open("rb") as fd:
                encoding = fd.readline().decode().strip()
            encoding = "cp1251" if encoding.lower() == "microsoft-cp1251" else encoding
            lines = [line.strip() for line in path.read_text(encoding).split("\n")[1:]]
            lines = [line for line in lines if line and not line.startswith(pyphen.ignored)]
            if any("^^" in line or "/" in line for line in lines):
                super().__init__(path)
                return
            self.patterns = _LazyPatterns(lines)
            self.cache: dict[str, list[int]] = {}
            self.maxlen = self.patterns.maxlen

    pyphen.HyphDict = LazyHyphDict


def _import_weasyprint() -> None:
    if "weasyprint" not in sys.modules:
        if shortcuts_enabled():
            # fontTools' subsetter and instancer load on first use (lazy_modules).
            lazy_modules.install()
        with _no_library_search():
            import weasyprint  # noqa: F401
        _lazy_hyphenation()


def _fetcher_class() -> Any:
    _import_weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class AssetsOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Serves files from our templates/assets folder and refuses everything else:
        no network, no other files, no redirects, no attachments."""

        def __init__(self, root: Path) -> None:
            super().__init__(allowed_protocols={"file"}, allow_redirects=False)
            self.root = root.resolve()

        def fetch(self, url: str, headers: Any = None) -> Any:
            from urllib.request import url2pathname

            if not url.startswith("file:"):
                raise ValueError(f"objector does not fetch {url.split(':', 1)[0]} resources")
            path = Path(url2pathname(url.split("?", 1)[0].removeprefix("file:").removeprefix("//"))).resolve()
            if not path.is_relative_to(self.root) or not path.is_file():
                raise ValueError("objector only loads its own template assets")
            return URLFetcherResponse(path.as_uri(), path.read_bytes())

    return AssetsOnlyFetcher


class PDFRenderer:
    """Renders letters to PDF. Create one and reuse it: it holds the one
    FontConfiguration that keeps memory flat over thousands of letters."""

    def __init__(self, variant: str | None = None) -> None:
        try:
            _import_weasyprint()
            from weasyprint.text.fonts import FontConfiguration
        except (ImportError, OSError) as exc:  # OSError: Pango missing
            raise RenderError(
                f"PDF output needs WeasyPrint and its system libraries (Pango): {exc}. "
                "Run 'bash scripts/dev.sh setup' or see the README.") from exc
        self.font_config = FontConfiguration()
        if shortcuts_enabled():
            compression.install()
            if shortcuts_available():
                margin_boxes.install()
        # Letters share most paragraphs word for word: their line splits are
        # cached per font configuration (layout_cache explains why that is safe).
        self.line_cache = enable_line_cache(self.font_config)
        # ... and so are the text operators drawn for each line (draw_cache).
        self.draw_cache = enable_draw_cache(self.font_config)
        # Letters that use the same glyphs of a font embed the same subset (subset_cache).
        self.subset_cache = subset_cache.enable()
        # Our own pages are parsed by expat (page_tree) and, from a renderer's second
        # letter on, cascaded without the UA sheet's footnote rules (ua_sheet): parsing
        # that sheet takes about 60 ms, which a one-letter run would not win back.
        self.trim_ua = shortcuts_enabled()
        self._our_pages = 0
        # None (a tagged PDF) or one of pdfa.PDF_VARIANTS.
        self.variant = check_variant(variant)
        self.assets = templates_dir() / ASSETS
        self.fetcher = _fetcher_class()(self.assets)
        self.logger = logging.getLogger("weasyprint")
        # Our stylesheet, parsed once: every letter's page inlines the same text,
        # which WeasyPrint would otherwise tokenise and validate per letter.
        from weasyprint import CSS

        self.inline_css = f"<style>{stylesheet()}</style>"
        self.css = CSS(string=stylesheet(), font_config=self.font_config, url_fetcher=self.fetcher,
                       base_url=self.assets.as_uri() + "/")
        # Letters of one shape share their computed styles (style_cache).
        self.style_cache = enable_style_cache(self.font_config)
        if self.style_cache is not None:
            self.style_cache.register(self.css, stylesheet())
        self.last_warnings: list[str] = []
        # Fields of the last letter with characters that printed as empty boxes.
        self.missing_glyph_fields: list[str] = []

    def render(self, letter: Letter, html: str | None = None) -> bytes:
        """The PDF bytes of ``letter`` (tagged, with title, author and language)."""
        from weasyprint import HTML

        handler = _Warnings()
        self.logger.addHandler(handler)
        page = html or render_html(letter)
        stylesheets = []
        ours_only = False
        if self.inline_css in page:
            # The same rules, already parsed; a page with other styles (a campaign's) keeps its own.
            page = page.replace(self.inline_css, "", 1)
            stylesheets.append(self.css)
            ours_only = self.trim_ua and ua_sheet.only_our_styles(page)
        try:
            base_url = self.assets.as_uri() + "/"
            if ours_only:
                document = page_tree.document(page, base_url, self.fetcher)
                # The first letter keeps WeasyPrint's own sheet, already parsed; the
                # trimmed one is parsed (and made known to the style cache) with the second.
                if self._our_pages == 1 and self.style_cache is not None:
                    (ua,) = ua_sheet.letter_ua_stylesheets()
                    self.style_cache.register(ua, ua_sheet.letter_ua_text())
                if self._our_pages:
                    ua_sheet.use_for(document)
                self._our_pages += 1
            else:
                document = HTML(string=page, base_url=base_url, url_fetcher=self.fetcher)
            with warnings.catch_warnings(), subset_cache.active(self.subset_cache is not None):
                # For PDF/A's output intent WeasyPrint 70 opens its sRGB profile and
                # never closes it; CPython closes it at once when the reference goes.
                warnings.simplefilter("ignore", ResourceWarning)
                data = document.write_pdf(stylesheets=stylesheets, font_config=self.font_config, pdf_tags=True,
                                          presentational_hints=False, **write_options(letter, self.variant))
        finally:
            self.logger.removeHandler(handler)
        self.last_warnings = handler.messages
        self.missing_glyph_fields = missing_glyph_fields(letter, handler.missing) if handler.missing else []
        if data is None:  # pragma: no cover - write_pdf returns bytes without a target
            raise RenderError("WeasyPrint produced no PDF")
        return bytes(data)


_shared: PDFRenderer | None = None
_shared_pid: int | None = None


def render_pdf(letter: Letter, variant: str | None = None) -> bytes:
    """Render with a per-process shared renderer (safe across fork)."""
    global _shared, _shared_pid
    if _shared is None or _shared_pid != os.getpid() or _shared.variant != check_variant(variant):
        _shared, _shared_pid = PDFRenderer(variant), os.getpid()
    data = _shared.render(letter)
    if _shared.missing_glyph_fields:
        print(missing_glyph_note(_shared.missing_glyph_fields), file=sys.stderr)
    return data


def missing_glyph_note(fields: list[str]) -> str:
    """One line for stderr naming the fields (never the characters: person data)."""
    return (f"objector: warning: no installed font has some characters of the {', '.join(fields)}; "
            "they print as empty boxes in the PDF (install fonts for that script, see scripts/dev.sh)")
