"""A bounded cache of the PDF text operators WeasyPrint draws for a line, shared by the letters a renderer draws."""

from __future__ import annotations

import logging
from array import array
from collections.abc import Iterable
from typing import Any

from objector.output.bounded import BoundedCache
from objector.output.layout_cache import attach, available, style_key

# Lines per renderer. A line's operators take about as much as its glyph ids in
# hex (some hundred bytes); 8,192 lines are a few megabytes, enough for the
# shared paragraphs of some forty letter shapes.
MAX_ENTRIES = 8_192

# The attribute holding a font configuration's cache (as in layout_cache: which
# font a line's text resolves to depends on that configuration).
_ATTR = "_objector_draw_cache"

_original_draw_text: Any = None
_original_first_line: Any = None


class _Recording:
    """What drawing one line did: the stream calls after its text matrix, in order,
    and per font the glyphs' Unicode text and widths the PDF's font tables need."""

    __slots__ = ("calls", "fonts")

    def __init__(self) -> None:
        # ("matrix", None) | ("font", key) | ("size", font_size) | ("show", str) | ("rise", float)
        self.calls: list[tuple[str, Any]] = []
        # One entry per font the line used: the document's key for it and its glyph tables.
        self.fonts: list[tuple[Any, _Glyphs]] = []


class _Glyphs:
    """A line's glyph tables for one font, packed: a few hundred bytes instead of two
    dicts' few kilobytes (glyph ids and widths as arrays, the texts as one string)."""

    __slots__ = ("ids", "texts", "width_ids", "widths")

    def __init__(self, to_unicode: dict[int, str], widths: dict[int, int]) -> None:
        self.ids = array("I", to_unicode)
        # Glyph texts come from the letter, which holds no NUL (person data refuses controls).
        self.texts = "\x00".join(to_unicode.values())
        self.width_ids = array("I", widths)
        self.widths = array("q", widths.values())

    def to_unicode(self) -> zip[tuple[int, str]]:
        return zip(self.ids, self.texts.split("\x00") if self.ids else (), strict=True)

    def width_items(self) -> zip[tuple[int, int]]:
        return zip(self.width_ids, self.widths, strict=True)


# Recorded lines by key; a line is recorded the second time it is drawn, so a
# person's own lines never push out the paragraphs letters share.
DrawCache = BoundedCache[_Recording]


def enable(font_config: Any, max_entries: int = MAX_ENTRIES) -> DrawCache | None:
    """Cache the drawn lines of the documents rendered with ``font_config``; patches
    WeasyPrint once per process. None when off (OBJECTOR_LAYOUT_CACHE=0) or WeasyPrint
    is not version 70, whose draw/text.py the recording below follows."""
    if not available():
        return None
    _install()
    cache = DrawCache(max_entries, admit_second=True)
    attach(font_config, _ATTR, cache)
    return cache


def _install() -> None:
    """Replace draw_text where WeasyPrint's drawing module imported it by name."""
    global _original_draw_text, _original_first_line
    if _original_draw_text is not None:
        return
    from weasyprint import draw
    from weasyprint.draw import text

    _original_draw_text = text.draw_text
    _original_first_line = text.draw_first_line
    text.draw_text = draw_text
    draw.draw_text = draw_text


def _key(textbox: Any) -> tuple[Any, ...] | None:
    """What a drawn line depends on, or None when it cannot be cached.

    WeasyPrint draws a text box by rebuilding its Pango layout from the layout's
    text, its justification spacing and the style (Layout.reactivate: no width),
    then writing the first line's glyphs. Decorations, ellipses and hidden text
    take other paths and are drawn as usual."""
    style = textbox.style
    if style["text_decoration_line"] != "none" or style["visibility"] != "visible":
        return None
    layout = textbox.pango_layout
    # draw_first_line draws nothing for a blank box: that decides too.
    return (layout.text, bool(textbox.text.strip()), layout.justification_spacing, style_key(style))


def draw_text(stream: Any, textbox: Any, offset_x: Any, text_overflow: Any, block_ellipsis: Any = "none") -> None:
    """WeasyPrint's draw_text, replaying a recorded line when the same line was drawn before."""
    cache: DrawCache | None = getattr(textbox.style.font_config, _ATTR, None)
    if cache is None or text_overflow == "ellipsis" or block_ellipsis != "none":
        _original_draw_text(stream, textbox, offset_x, text_overflow, block_ellipsis)
        return
    key = _key(textbox)
    if key is None:
        _original_draw_text(stream, textbox, offset_x, text_overflow, block_ellipsis)
        return
    try:
        found = cache.get(key)
    except TypeError:  # an unhashable style value
        _original_draw_text(stream, textbox, offset_x, text_overflow, block_ellipsis)
        return
    if found is not None:
        # A recording names its fonts by the document's keys (Pango font descriptions);
        # the first line of a document in a font is drawn as usual, which adds the font.
        if all(font_key in stream._fonts for font_key, _glyphs in found.fonts):
            _replay(stream, textbox, found)
        else:
            _original_draw_text(stream, textbox, offset_x, text_overflow, block_ellipsis)
        return
    if not cache.wanted(key):  # a line seen once so far: drawn as usual, not recorded
        _original_draw_text(stream, textbox, offset_x, text_overflow, block_ellipsis)
        return
    recording = _record(stream, textbox, offset_x, text_overflow, block_ellipsis)
    if recording is not None:
        cache.put(key, recording)


def _replay(stream: Any, textbox: Any, recording: _Recording) -> None:
    """Draw ``textbox`` as the recorded line was drawn, at this box's place."""
    from weasyprint.matrix import Matrix

    stream.set_color(textbox.style["color"])
    stream.begin_text()
    fonts: dict[Any, Any] = {}
    for font_key, glyphs in recording.fonts:
        fonts[font_key] = stream._fonts[font_key]
        _merge(fonts[font_key], glyphs.to_unicode(), glyphs.width_items())
    font: Any = None
    for call, value in recording.calls:
        if call == "matrix":
            # The same matrix draw_text builds, at this box's place.
            x, y = textbox.position_x, textbox.position_y + textbox.baseline
            stream.set_text_matrix(*Matrix(d=-1, e=x, f=y).values)
        elif call == "font":
            font = fonts[value]
        elif call == "size":
            stream.set_font_size(font.hash, value)
        elif call == "show":
            stream.show_text(value)
        else:
            stream.set_text_rise(value)
    stream.end_text()


def _merge(font: Any, to_unicode: Iterable[tuple[int, str]], widths: Iterable[tuple[int, int]]) -> None:
    """Put a line's glyph tables into the document's font as drawing the line would:
    the first line of a document to use a glyph names its text and width; a glyph id
    past the font's own (a missing character's stand-in) takes the latest width."""
    for glyph, text in to_unicode:
        font.to_unicode.setdefault(glyph, text)
    for glyph, width in widths:
        if glyph >= font.glyph_count:
            font.widths[glyph] = width
        else:
            font.widths.setdefault(glyph, width)


class _RecordingStream:
    """Passes drawing calls on to the document's stream and writes them down.

    Each font the line uses gets empty to_unicode and widths tables while the line
    is drawn, so that every glyph's text and width is computed from this line and
    recorded; they are then merged into the document's tables exactly as drawing
    would have (entries already there win)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.recording = _Recording()
        self.swapped: list[tuple[Any, dict[int, str], dict[int, int]]] = []
        # The line's own tables per font, by the document's key for the font.
        self.tables: list[tuple[Any, dict[int, str], dict[int, int]]] = []
        self._key_of: dict[int, Any] = {}
        # Set for a line in an emoji, colour or bitmap font: drawn, never replayed.
        self.unusual = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)

    def add_font(self, pango_font: Any) -> Any:
        font, size = self.stream.add_font(pango_font)
        if font.svg or font.png or font.colr or font.bitmap:
            self.unusual = True
        if self.unusual:
            return font, size
        if id(font) not in self._key_of:
            from weasyprint.text.fonts import get_pango_font_key

            font_key = self._key_of[id(font)] = get_pango_font_key(pango_font)[0]
            self.swapped.append((font, font.to_unicode, font.widths))
            font.to_unicode, font.widths = {}, {}
            self.tables.append((font_key, font.to_unicode, font.widths))
        self.recording.calls.append(("font", self._key_of[id(font)]))
        return font, size

    def set_text_matrix(self, *values: Any) -> None:
        self.recording.calls.append(("matrix", None))
        self.stream.set_text_matrix(*values)

    def set_font_size(self, font: Any, size: Any) -> None:
        self.recording.calls.append(("size", size))
        self.stream.set_font_size(font, size)

    def show_text(self, text: str) -> None:
        self.recording.calls.append(("show", text))
        self.stream.show_text(text)

    def set_text_rise(self, height: Any) -> None:
        self.recording.calls.append(("rise", height))
        self.stream.set_text_rise(height)

    def restore(self) -> None:
        for font, to_unicode, widths in self.swapped:
            line_to_unicode, line_widths = font.to_unicode, font.widths
            font.to_unicode, font.widths = to_unicode, widths
            _merge(font, line_to_unicode.items(), line_widths.items())


class _NotdefWatch(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def filter(self, record: logging.LogRecord) -> bool:
        if ".notdef" in str(record.msg):
            self.seen = True
        return True


def _record(stream: Any, textbox: Any, offset_x: Any, text_overflow: Any, block_ellipsis: Any) -> _Recording | None:
    """Draw ``textbox`` as WeasyPrint does, through a recording stream; the recording,
    or None when the line must not be replayed."""
    from weasyprint.draw import text as text_module
    from weasyprint.logger import LOGGER

    recorder = _RecordingStream(stream)
    watch = _NotdefWatch()
    LOGGER.addFilter(watch)
    emojis: list[Any] = []

    def first_line(_stream: Any, *args: Any) -> Any:
        # draw_text hands its stream on to draw_first_line: give it the recorder.
        emojis.extend(_original_first_line(recorder, *args))
        return emojis

    text_module.draw_first_line = first_line
    try:
        _original_draw_text(stream, textbox, offset_x, text_overflow, block_ellipsis)
    finally:
        text_module.draw_first_line = _original_first_line
        LOGGER.removeFilter(watch)
        recorder.restore()
    # A missing glyph's stand-in id depends on the document's other missing glyphs.
    if watch.seen or emojis or recorder.unusual:
        return None
    recording = recorder.recording
    recording.fonts = [(font_key, _Glyphs(to_unicode, widths)) for font_key, to_unicode, widths in recorder.tables]
    return recording

