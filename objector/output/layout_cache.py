"""A bounded cache of WeasyPrint's first-line splits, shared by the letters a renderer draws."""

from __future__ import annotations

import os
from operator import itemgetter
from typing import Any

from objector.output.bounded import BoundedCache

# Entries per renderer. Letters of one batch share most paragraphs word for word,
# so the lines worth keeping are those of their shapes (place, language, kind:
# about 170 distinct splits each, under 1 KB an entry); 8,192 hold some forty
# shapes and the person lines of recent letters in about 7 MB, and keep a
# worker's memory flat over any batch.
MAX_ENTRIES = 8_192

# Every style property WeasyPrint 70's split_first_line reads, directly or through
# Layout.setup / set_text / set_tabs, line_size, get_font_description and
# font_features (text/line_break.py, text/fonts.py). A split depends on nothing
# else but the text, the width, justification, is_line_start, minimum and the
# font configuration (which fonts the family names resolve to).
PROPERTIES = (
    "white_space", "font_size", "hyphens", "lang", "hyphenate_limit_chars", "hyphenate_limit_zone",
    "hyphenate_character", "overflow_wrap", "word_break", "letter_spacing", "word_spacing", "tab_size",
    "direction", "font_language_override", "font_family", "font_style", "font_stretch", "font_weight",
    "font_variation_settings", "text_decoration_line", "font_kerning", "font_variant_ligatures",
    "font_variant_position", "font_variant_caps", "font_variant_numeric", "font_variant_alternates",
    "font_variant_east_asian", "font_feature_settings",
)
style_key = itemgetter(*PROPERTIES)

# The attribute holding a font configuration's cache: it lives and dies with the
# configuration, and a configuration without one (WeasyPrint used directly, as the
# benchmark's floor does) is never cached.
_ATTR = "_objector_line_cache"

_original: Any = None
_original_create: Any = None


# Split results by key; a split is kept the second time it is computed, so a
# person's own lines never push out the paragraphs letters share.
LineCache = BoundedCache[tuple[Any, ...]]


def enabled() -> bool:
    """Whether renderers cache lines: OBJECTOR_LAYOUT_CACHE=0 turns it off, to measure against."""
    return os.environ.get("OBJECTOR_LAYOUT_CACHE", "1") != "0"


def available() -> bool:
    """Whether the rendering shortcuts apply: on (see enabled) and WeasyPrint 70, whose
    code they were read from (the property list above, draw/text.py, StyleFor, fonts.py)."""
    import weasyprint

    return enabled() and weasyprint.__version__.split(".")[0] == "70"


def attach(font_config: Any, attr: str, cache: BoundedCache[Any]) -> None:
    """Hang ``cache`` on ``font_config`` as ``attr`` (it lives and dies with the
    configuration) and empty it when a new @font-face changes the fonts: what a family
    name resolves to, and so every split, drawn line and font-relative length, may
    change. WeasyPrint stores each loaded face as a file in the configuration's folder:
    a new file means new fonts. One wrapper per configuration empties all its caches."""
    setattr(font_config, attr, cache)
    caches: list[BoundedCache[Any]] | None = getattr(font_config, "_objector_caches", None)
    if caches is None:
        caches = []
        font_config._objector_caches = caches
        original_add = font_config.add_font_face

        def add_font_face(rule_descriptors: Any, url_fetcher: Any) -> Any:
            before = _font_files(font_config)
            result = original_add(rule_descriptors, url_fetcher)
            if _font_files(font_config) != before:
                for each in caches:
                    each.clear()
            return result

        font_config.add_font_face = add_font_face
    caches.append(cache)


def enable(font_config: Any, max_entries: int = MAX_ENTRIES) -> LineCache | None:
    """Cache the line splits of the documents laid out with ``font_config``; patches
    WeasyPrint once per process. None when the shortcuts do not apply (available)."""
    if not available():
        return None
    _install()
    cache = LineCache(max_entries, admit_second=True)
    attach(font_config, _ATTR, cache)
    return cache


def line_cache_of(font_config: Any) -> LineCache | None:
    """The line cache of ``font_config``'s renderer: None when its shortcuts are off."""
    cache: LineCache | None = getattr(font_config, _ATTR, None)
    return cache


def _font_files(font_config: Any) -> int:
    folder = getattr(font_config, "_folder", None)
    return len(os.listdir(folder)) if folder else 0


def _install() -> None:
    """Replace split_first_line in every WeasyPrint module that imported it by name
    (svg/text.py and layout/preferred.py's late import read these attributes at call time),
    and the create_layout that justification (inline.add_word_spacing, its only caller there) uses."""
    global _original, _original_create
    if _original is not None:
        return
    from weasyprint.layout import inline, preferred
    from weasyprint.text import line_break

    _original = line_break.split_first_line
    for module in (line_break, inline, preferred):
        module.split_first_line = split_first_line
    _original_create = inline.create_layout
    inline.create_layout = justified_layout


# What justification keeps of a layout: add_word_spacing builds one per justified
# text box and deactivates it at once, which drops these three Pango attributes.
_DROPPED = ("layout", "language", "style")


def justified_layout(text: str, style: Any, context: Any, max_width: Any, justification_spacing: Any) -> Any:
    """create_layout for a justified text box, answered from the cache: the layout
    add_word_spacing keeps (text, spacing, metrics) depends only on the text, the
    spacing and the style; the caller deactivates it, so a hit hands out a fresh
    copy with the three attributes deactivate() removes set to None."""
    cache: LineCache | None = getattr(style.font_config, _ATTR, None)
    if cache is None or max_width is not None:
        return _original_create(text, style, context, max_width, justification_spacing)
    key = ("justified", text, justification_spacing, style_key(style))
    try:
        found = cache.get(key)
    except TypeError:
        return _original_create(text, style, context, max_width, justification_spacing)
    if found is not None:
        layout = _copy(found[0])
        for name in _DROPPED:
            setattr(layout, name, None)
        return layout
    layout = _original_create(text, style, context, max_width, justification_spacing)
    if cache.wanted(key):
        kept = object.__new__(type(layout))
        kept.__dict__.update((k, v) for k, v in layout.__dict__.items() if k not in _DROPPED)
        cache.put(key, (kept,))
    return layout


def split_first_line(text: str, style: Any, context: Any, max_width: Any, justification_spacing: Any,
                     is_line_start: bool = True, minimum: bool = False) -> Any:
    """WeasyPrint's split_first_line, answered from the font configuration's cache when it has one."""
    cache: LineCache | None = getattr(style.font_config, _ATTR, None)
    zone = style["hyphenate_limit_zone"]
    # A calc() zone is resolved against any property of the style: not keyable.
    if cache is None or not hasattr(zone, "unit"):
        return _original(text, style, context, max_width, justification_spacing, is_line_start, minimum)
    key = (text, max_width, justification_spacing, is_line_start, minimum, style_key(style))
    try:
        found = cache.get(key)
    except TypeError:  # an unhashable property value: compute, keep nothing
        return _original(text, style, context, max_width, justification_spacing, is_line_start, minimum)
    if found is not None:
        return (_copy(found[0]), *found[1:])
    result = _original(text, style, context, max_width, justification_spacing, is_line_start, minimum)
    layout = result[0]
    # The returned layout is deactivated: plain values (text, metrics, direction),
    # its Pango objects dropped. Drawing reactivates and may rewrite it (the
    # justified text, an ellipsis), so the cache keeps its own copy and hands out
    # copies; a layout still holding Pango objects is never shared.
    if not hasattr(layout, "layout") and cache.wanted(key):
        cache.put(key, (_copy(layout), *result[1:]))
    return result


def _copy(layout: Any) -> Any:
    new = object.__new__(type(layout))
    new.__dict__.update(layout.__dict__)
    return new
