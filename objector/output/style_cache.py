"""A bounded cache of the computed styles of our letter pages, shared by letters of the same shape."""

from __future__ import annotations

import re
from typing import Any

from objector.output.bounded import BoundedCache
from objector.output.layout_cache import attach, available

# Shapes per renderer. A batch's letters come in a few dozen shapes (place,
# language, kind, number of address lines), and a PDF worker gets the rows of
# about half the places; a shape's ~170 computed styles take about half a
# megabyte once laid out (tracemalloc, 2026-12-04).
MAX_ENTRIES = 32

_ATTR = "_objector_style_cache"

# Attributes whose values matter whatever the sheets say: class and id (read by
# .class and #id selectors) and those WeasyPrint itself turns into style
# (css.find_style_attributes).
_STYLING_ATTRIBUTES = frozenset({"class", "id", "style", "lang", "name", "href", "dir"})

_original: Any = None


class _Shape:
    __slots__ = ("page_sizes", "pseudo", "styles")

    def __init__(self, styles: list[Any], pseudo: list[tuple[int, str, Any]], page_sizes: dict[str, Any]) -> None:
        # The style of each element in document order, of its pseudo-elements, and
        # the dictionary the styles read viewport sizes from.
        self.styles = styles
        self.pseudo = pseudo
        self.page_sizes = page_sizes


class StyleCache(BoundedCache[_Shape]):
    """Computed styles by page shape (every shape is kept: a batch has a few dozen).

    Only pages cascaded with registered sheets are cached: for those the cache
    knows which attributes any selector reads (``attribute_names``)."""

    def __init__(self, max_entries: int) -> None:
        super().__init__(max_entries)
        # id(sheet) -> (sheet, the attribute names its selectors read); holding the
        # sheet keeps its id from being reused by another object.
        self.sheets: dict[int, tuple[Any, frozenset[str]]] = {}

    def register(self, sheet: Any, css_text: str) -> None:
        """Allow pages cascaded with ``sheet`` (parsed from ``css_text``) to be cached."""
        self.sheets[id(sheet)] = (sheet, attribute_names(css_text))


def attribute_names(css_text: str) -> frozenset[str]:
    """Every attribute name an attribute selector (``[name]``, ``[name=value]``) of ``css_text``
    reads; class and id selectors read class and id, which every key includes. Declarations'
    attr() are read when boxes are built, not in the cascade."""
    without_comments = re.sub(r"/\*.*?\*/", "", css_text, flags=re.S)
    return frozenset(name.lower() for name in re.findall(r"\[\s*(?:[\w-]*\|)?([\w-]+)", without_comments))


def enable(font_config: Any, max_entries: int = MAX_ENTRIES) -> StyleCache | None:
    """Cache the computed styles of pages rendered with ``font_config``; patches WeasyPrint
    once per process. None when off (OBJECTOR_LAYOUT_CACHE=0) or WeasyPrint is not 70."""
    if not available():
        return None
    _install()
    cache = StyleCache(max_entries)
    attach(font_config, _ATTR, cache)
    return cache


def _install() -> None:
    """Have WeasyPrint's cascade build a caching StyleFor (get_all_computed_styles reads the name at call time)."""
    global _original
    if _original is not None:
        return
    from weasyprint import css

    _original = css.StyleFor

    class CachingStyleFor(_original):  # type: ignore[misc]
        """WeasyPrint's StyleFor, filled from the cache for a page of a shape seen before."""

        def __init__(self, html: Any, sheets: Any, presentational_hints: Any, font_config: Any,
                     target_collector: Any) -> None:
            cache: StyleCache | None = getattr(font_config, _ATTR, None)
            key = _key(cache, html, sheets, presentational_hints) if cache is not None else None
            found = cache.get(key) if cache is not None and key is not None else None
            if found is None:
                super().__init__(html, sheets, presentational_hints, font_config, target_collector)
                if cache is not None and key is not None:
                    shape = _shape_of(self, html)
                    if shape is not None:
                        cache.put(key, shape)
                return
            self._fill(html, sheets, font_config, target_collector, found)

        def _fill(self, html: Any, sheets: Any, font_config: Any, target_collector: Any, shape: _Shape) -> None:
            # What StyleFor.__init__ leaves behind: empty cascaded styles (page
            # rules are cascaded into it later), the computed styles by
            # (element, pseudo-element), the sheets and the page sizes.
            self._cascaded_styles: dict[Any, Any] = {}
            computed: dict[tuple[Any, str | None], Any] = {}
            self._computed_styles = computed
            self.initial_page_sizes = shape.page_sizes
            self._sheets = sheets
            self.font_config = font_config
            elements = [wrapper.etree_element for wrapper in html.wrapper_element.iter_subtree()]
            for element, style in zip(elements, shape.styles, strict=True):
                computed[element, None] = style
            for index, pseudo_type, style in shape.pseudo:
                computed[elements[index], pseudo_type] = style
            if target_collector:
                # As set_computed_styles does for every style it computes.
                for style in computed.values():
                    if style["anchor"]:
                        target_collector.collect_anchor(style["anchor"])

    css.StyleFor = CachingStyleFor


def _key(cache: StyleCache, html: Any, sheets: Any, presentational_hints: Any) -> tuple[Any, ...] | None:
    """The page's shape: its sheets and, in document order, each element's depth, tag,
    attributes (the values of those a selector or WeasyPrint reads) and whether it
    has text (``:empty``). None when a sheet is not registered."""
    if presentational_hints:
        return None
    read: set[str] = set(_STYLING_ATTRIBUTES)
    for sheet, _origin, _specificity in sheets:
        known = cache.sheets.get(id(sheet))
        if known is None or known[0] is not sheet:
            return None
        read |= known[1]
    shape: list[Any] = [tuple((id(sheet), origin, specificity) for sheet, origin, specificity in sheets),
                        html.base_url]
    stack: list[Any] = [(html.wrapper_element.etree_element, 0)]
    while stack:
        element, depth = stack.pop()
        attributes = tuple(sorted((name, value if name.lower() in read else None)
                                  for name, value in element.attrib.items()))
        shape.append((depth, element.tag, attributes, bool(element.text), bool(element.tail)))
        # Comments and processing instructions are not elements to the cascade.
        stack.extend((child, depth + 1) for child in reversed(element) if isinstance(child.tag, str))
    return tuple(shape)


def _shape_of(style_for: Any, html: Any) -> _Shape | None:
    """The styles StyleFor.__init__ computed, by element index; None for a page
    whose styles WeasyPrint later changes in place per document."""
    computed = style_for._computed_styles
    wrappers = list(html.wrapper_element.iter_subtree())
    index = {wrapper.etree_element: i for i, wrapper in enumerate(wrappers)}
    styles = [computed[wrapper.etree_element, None] for wrapper in wrappers]
    # WeasyPrint sets the body's (or root's) overflow to visible once it has taken
    # it for the viewport (build.set_viewport_overflow): a shared style would hand
    # the next page "visible". Pages that set overflow there are not cached.
    body = [style for wrapper, style in zip(wrappers, styles, strict=True) if wrapper.etree_element.tag == "body"]
    if any(style["overflow"] != "visible" for style in [styles[0], *body]):
        return None
    pseudo = [(index[element], pseudo_type, style) for (element, pseudo_type), style in computed.items()
              if pseudo_type is not None]
    return _Shape(styles, pseudo, style_for.initial_page_sizes)
