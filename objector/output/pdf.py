"""PDF rendering with WeasyPrint: one shared font configuration and a locked-down fetcher.

WeasyPrint is imported lazily: its import alone costs about 0.6 s, and the text
and e-mail paths must not pay it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from ..errors import RenderError
from ..letter import Letter
from ..resources import templates_dir
from .html import render_html

ASSETS = "assets"


class _Warnings(logging.Handler):
    """Collects WeasyPrint's warnings (missing glyphs, refused resources) for a render."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _fetcher_class() -> Any:
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

    def __init__(self) -> None:
        try:
            from weasyprint.text.fonts import FontConfiguration
        except (ImportError, OSError) as exc:  # OSError: Pango missing
            raise RenderError(
                f"PDF output needs WeasyPrint and its system libraries (Pango): {exc}. "
                "Run 'bash scripts/dev.sh setup' or see the README.") from exc
        self.font_config = FontConfiguration()
        self.assets = templates_dir() / ASSETS
        self.fetcher = _fetcher_class()(self.assets)
        self.logger = logging.getLogger("weasyprint")
        self.last_warnings: list[str] = []

    def render(self, letter: Letter, html: str | None = None) -> bytes:
        """The PDF bytes of ``letter`` (tagged, with title, author and language)."""
        from weasyprint import HTML

        handler = _Warnings()
        self.logger.addHandler(handler)
        try:
            document = HTML(string=html or render_html(letter), base_url=self.assets.as_uri() + "/",
                            url_fetcher=self.fetcher)
            data = document.write_pdf(font_config=self.font_config, pdf_tags=True,
                                      presentational_hints=False)
        finally:
            self.logger.removeHandler(handler)
        self.last_warnings = handler.messages
        if data is None:  # pragma: no cover - write_pdf returns bytes without a target
            raise RenderError("WeasyPrint produced no PDF")
        return bytes(data)


_shared: PDFRenderer | None = None
_shared_pid: int | None = None


def render_pdf(letter: Letter) -> bytes:
    """Render with a per-process shared renderer (safe across fork)."""
    global _shared, _shared_pid
    if _shared is None or _shared_pid != os.getpid():
        _shared, _shared_pid = PDFRenderer(), os.getpid()
    return _shared.render(letter)
