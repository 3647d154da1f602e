"""The rendering shortcuts (line splits in layout_cache.py, drawn lines in draw_cache.py, the trimmed UA
sheet in ua_sheet.py): PDFs byte-identical with and without them."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from objector import Person, compose
from objector.letter import Letter
from objector.output.pdf import PDFRenderer

pytestmark = pytest.mark.timeout(240)

DAY = dt.date(2026, 11, 25)

# Places whose letters are in the country's own language: Latin (with French,
# German, Polish, Turkish, Vietnamese diacritics), Greek, Cyrillic, Arabic and
# Hebrew right to left, Chinese, Japanese, Korean and Thai; US and Canadian
# letters on US Letter paper.
PLACES = [("DE", None), ("FR", None), ("US", "CA"), ("GB", None), ("CA", "QC"), ("BR", None), ("HK", None),
          ("NL", None), ("JP", None), ("KR", None), ("SA", None), ("IL", None), ("TH", None), ("VN", None),
          ("UA", None), ("TR", None), ("GR", None), ("BG", None), ("MX", None), ("ID", None), ("PL", None)]

# Three people per place: the caches keep a line the second time they meet it
# (bounded.BoundedCache), so the third letter is laid out and drawn mostly from them.
PEOPLE = [("Alex Example", "alex@example.org"), ("Zoë Ångström-Wiśniewska", "zoe.angstrom@example.net"),
          ("Kim O'Neil", "kim@example.com")]


@pytest.fixture(scope="module")
def renderers() -> tuple[PDFRenderer, PDFRenderer]:
    """A renderer with the cache and one without (OBJECTOR_LAYOUT_CACHE=0), in one process."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OBJECTOR_LAYOUT_CACHE", "0")
        plain = PDFRenderer()
        mp.setenv("OBJECTOR_LAYOUT_CACHE", "1")
        cached = PDFRenderer()
    assert plain.line_cache is None and cached.line_cache is not None
    assert plain.draw_cache is None and cached.draw_cache is not None
    assert not plain.trim_ua and cached.trim_ua
    assert plain.style_cache is None and cached.style_cache is not None
    # A renderer's first letter keeps WeasyPrint's own UA sheet (see the test below).
    cached.render(_letter("GB", None, *PEOPLE[0]))
    return cached, plain


def _letter(country: str, state: str | None, name: str, email: str) -> Letter:
    return compose(Person.create(name, email, country, state), on=DAY, reason_preset="old-content",
                   allow_no_grounds=True)


@pytest.mark.parametrize(("country", "state"), PLACES)
def test_cached_letters_are_byte_identical(renderers: tuple[PDFRenderer, PDFRenderer], country: str,
                                          state: str | None) -> None:
    cached, plain = renderers
    assert cached.line_cache is not None and cached.draw_cache is not None and cached.style_cache is not None
    for name, email in PEOPLE:
        letter = _letter(country, state, name, email)
        hits, drawn, styled = cached.line_cache.hits, cached.draw_cache.hits, cached.style_cache.hits
        assert cached.render(letter) == plain.render(letter), f"{country} letter for {name} differs"
    # The third letter was laid out from the lines the first two share, drew them from
    # the recordings and took the first one's computed styles (same shape, other person).
    assert cached.line_cache.hits > hits
    assert cached.draw_cache.hits > drawn
    assert cached.style_cache.hits == styled + 1


# A campaign's page with its own styles: justified and hyphenated text, spacing,
# decorations, tabs, words broken anywhere, right-to-left text and ellipses (which
# rewrite a line's layout while drawing it).
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>
@page { size: A5; margin: 15mm }
p { text-align: justify; hyphens: auto; margin: 0 0 3mm }
.spaced { letter-spacing: 0.6px; word-spacing: 2px; text-decoration: underline overline }
.struck { text-decoration: line-through; font-variant: small-caps; font-kerning: none }
pre { tab-size: 6; font-family: monospace }
.narrow { width: 22mm; overflow-wrap: anywhere }
.cut { text-align: start; width: 40mm; white-space: nowrap; overflow: hidden; text-overflow: ellipsis }
.clamp { text-align: start; width: 50mm; line-clamp: 2 }
</style></head><body>
<p>{words}</p>
<p class="spaced">{words}</p>
<p class="struck">{words}</p>
<pre>one\ttwo\tthree\tfour</pre>
<p class="narrow">Antidisestablishmentarianism supercalifragilisticexpialidocious https://example.org/a/very/long/path</p>
<p class="cut">{words}</p>
<p class="cut">{words}</p>
<p class="clamp">{words}</p>
<p class="clamp">{words}</p>
<p lang="ar" dir="rtl">أعترض على استخدام بياناتي الشخصية لتدريب نماذج الذكاء الاصطناعي التوليدية {words}</p>
</body></html>"""
WORDS = ("I object to the processing of my personal data for training generative artificial intelligence "
         "models, including the indefinitely retained derivative representations thereof.")


def test_a_page_with_its_own_styles_is_byte_identical(renderers: tuple[PDFRenderer, PDFRenderer]) -> None:
    cached, plain = renderers
    assert cached.line_cache is not None
    letter = _letter("GB", None, *PEOPLE[0])
    page = PAGE.replace("{words}", WORDS)
    expected = plain.render(letter, page)
    first = cached.render(letter, page)
    second = cached.render(letter, page)
    hits = cached.line_cache.hits
    # The third render is laid out from the cache: drawing the others must not
    # have changed what the cache hands out.
    assert cached.render(letter, page) == second == first == expected
    assert cached.line_cache.hits > hits


def test_the_caches_are_bounded(renderers: tuple[PDFRenderer, PDFRenderer]) -> None:
    _, plain = renderers
    small = PDFRenderer()
    assert small.line_cache is not None and small.draw_cache is not None and small.style_cache is not None
    small.line_cache.max_entries = small.draw_cache.max_entries = 40
    small.style_cache.max_entries = 2
    for country in ("DE", "JP", "SA"):
        letter = _letter(country, None, *PEOPLE[1])
        assert small.render(letter) == small.render(letter) == plain.render(letter)
        assert len(small.line_cache.entries) == 40
        assert len(small.draw_cache.entries) == 40
    assert len(small.style_cache.entries) == 2


def test_a_new_font_face_empties_the_cache(renderers: tuple[PDFRenderer, PDFRenderer]) -> None:
    """A new @font-face may change what a family name resolves to: earlier splits no longer hold."""
    from weasyprint.urls import URLFetcher

    fonts = sorted(Path("/usr/share/fonts").rglob("DejaVuSans.ttf"))
    if not fonts:
        pytest.skip("DejaVu Sans not installed")
    renderer = PDFRenderer()
    assert renderer.line_cache is not None and renderer.draw_cache is not None
    assert renderer.style_cache is not None
    renderer.render(_letter("FR", None, *PEOPLE[0]))
    renderer.render(_letter("FR", None, *PEOPLE[1]))
    assert renderer.line_cache.entries and renderer.draw_cache.entries and renderer.style_cache.entries
    face = {"src": [("external", fonts[0].as_uri())], "font_family": "Objector Test Face"}
    renderer.font_config.add_font_face(face, URLFetcher(allowed_protocols={"file"}))
    assert not renderer.line_cache.entries and not renderer.draw_cache.entries
    assert not renderer.style_cache.entries
    renderer.render(_letter("FR", None, *PEOPLE[0]))
    renderer.render(_letter("FR", None, *PEOPLE[1]))
    filled = len(renderer.line_cache.entries)
    # The same face again: no new font, the cache stays.
    renderer.font_config.add_font_face(face, URLFetcher(allowed_protocols={"file"}))
    assert len(renderer.line_cache.entries) == filled > 0


# One paragraph, then the same words with one property changed: the second must
# not be laid out from the first one's lines. One case per property in
# layout_cache.PROPERTIES whose change shows with the installed fonts (direction,
# font-language-override and the OpenType variants DejaVu lacks give the same PDF
# either way; they stay in the key because WeasyPrint reads them).
PROSE = ("Incomprehensibilities notwithstanding, the representatives' counterproposals overwhelmingly "
         "characterised the extraordinarily interdisciplinary establishment https://example.org/a/very/long/path")
TABS = "one\ttwo\tthree\tfour five six seven eight nine ten"
PROPERTY_CASES = {
    "white_space": ("", "white-space: nowrap", PROSE),
    "font_size": ("", "font-size: 13px", PROSE),
    "hyphens": ("", "hyphens: manual", PROSE),
    "lang": ("", "LANG", PROSE),
    "hyphenate_limit_chars": ("", "hyphenate-limit-chars: 14 7 7", PROSE),
    "hyphenate_limit_zone": ("", "hyphenate-limit-zone: 40%", PROSE),
    "hyphenate_character": ("", "hyphenate-character: '='", PROSE),
    "overflow_wrap": ("width: 18mm; hyphens: none", "overflow-wrap: anywhere", PROSE),
    "word_break": ("width: 18mm; hyphens: none", "word-break: break-all", PROSE),
    "letter_spacing": ("", "letter-spacing: 0.7px", PROSE),
    "word_spacing": ("", "word-spacing: 3px", PROSE),
    "tab_size": ("white-space: pre-wrap", "tab-size: 3", TABS),
    "font_family": ("", "font-family: serif", PROSE),
    "font_style": ("", "font-style: italic", PROSE),
    "font_stretch": ("", "font-stretch: condensed", PROSE),
    "font_weight": ("", "font-weight: bold", PROSE),
    "text_decoration_line": ("", "text-decoration: underline", PROSE),
    "font_kerning": ("", "font-kerning: none", PROSE),
    "font_variant_caps": ("", "font-variant-caps: small-caps", PROSE),
    "font_feature_settings": ("", "font-feature-settings: 'kern' 0", PROSE),
}


@pytest.mark.parametrize("prop", PROPERTY_CASES)
def test_each_style_property_is_part_of_the_key(renderers: tuple[PDFRenderer, PDFRenderer], prop: str) -> None:
    cached, plain = renderers
    base, changed, text = PROPERTY_CASES[prop]
    variant = 'lang="de"' if changed == "LANG" else f'style="{changed}"'
    page = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>@page { size: A6; margin: 10mm } '
            f"p {{ width: 52mm; text-align: justify; hyphens: auto; font-family: sans-serif; {base} }}"
            f"</style></head><body><p>{text}</p><p {variant}>{text}</p></body></html>")
    letter = _letter("GB", None, *PEOPLE[0])
    assert cached.render(letter, page) == plain.render(letter, page)


def test_a_line_with_a_missing_glyph_is_drawn_but_never_replayed(renderers: tuple[PDFRenderer, PDFRenderer]) -> None:
    """A character no font has gets a stand-in glyph id that depends on the document's
    other missing characters: such a line is drawn as usual every time."""
    cached, plain = renderers
    assert cached.draw_cache is not None
    letter = _letter("GB", None, *PEOPLE[0])
    # U+E000 and U+E001 (private use): no installed font draws them.
    page = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>@page { size: A6 }</style>'
            "</head><body><p>Before \ue001 and \ue000 after</p><p>Only \ue000 here</p><p>Plain words</p>"
            "</body></html>").encode().decode("unicode_escape")
    first = cached.render(letter, page)
    assert cached.render(letter, page) == first
    texts = {key[0] for key in cached.draw_cache.entries}
    assert "Plain words" in texts
    assert not any("\ue000" in text or "\ue001" in text for text in texts)
    assert cached.render(letter, page) == first == plain.render(letter, page)


def test_the_trimmed_ua_sheet_drops_only_the_note_rules() -> None:
    import tinycss2
    from weasyprint.html import UA

    from objector.output.ua_sheet import letter_ua_stylesheets, letter_ua_text

    def rules(css: str) -> list[str]:
        return [tinycss2.serialize(rule.prelude).strip()
                for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
                if rule.type == "qualified-rule"]

    full = rules(UA)
    kept = [prelude for prelude in full if not prelude.startswith(("::footnote", "::note"))]
    assert len(full) - len(kept) == 5
    assert rules(letter_ua_text()) == kept
    # At-rules (@page, @counter-style, @font-feature-values) stay too.
    assert letter_ua_text().count("@") == UA.count("@")
    (sheet,) = letter_ua_stylesheets()
    assert sheet.page_rules
    # It parses without a warning (a re-serialised @counter-style once did not).
    import logging

    from weasyprint import CSS
    from weasyprint.css.counters import CounterStyle

    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    handler = Collect()
    logging.getLogger("weasyprint").addHandler(handler)
    try:
        CSS(string=letter_ua_text(), counter_style=CounterStyle())
    finally:
        logging.getLogger("weasyprint").removeHandler(handler)
    assert seen == []


@pytest.mark.parametrize(("page", "ours"), [
    ("<html><body><p>Hello</p></body></html>", True),
    ("<html><head><STYLE>p { float: footnote }</STYLE></head><body><p>Hi</p></body></html>", False),
    ('<html><body><p style="float: footnote">Hi</p></body></html>', False),
    ('<html><head><link rel="stylesheet" href="x.css"></head><body></body></html>', False),
])
def test_only_pages_with_our_styles_alone_use_the_trimmed_sheet(page: str, ours: bool) -> None:
    from objector.output.ua_sheet import only_our_styles

    assert only_our_styles(page) is ours


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")
def test_a_page_with_footnotes_keeps_them(renderers: tuple[PDFRenderer, PDFRenderer]) -> None:
    """A page with its own styles is cascaded with WeasyPrint's whole UA sheet: its footnotes
    get their call and marker, which come from the rules the trimmed sheet leaves out."""
    cached, plain = renderers
    letter = _letter("GB", None, *PEOPLE[0])
    page = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>@page { size: A6 } '
            ".fn { float: footnote }</style></head><body><p>Sentence<span class='fn'>Footnote text</span> "
            "goes on.</p></body></html>")
    pdf = cached.render(letter, page)
    assert pdf == plain.render(letter, page)
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Sentence1" in text and "1. Footnote text" in text


def _our_page(letter: Letter, extra: str) -> str:
    """Our letter page with ``extra`` markup at the start of its body: cascaded with our sheets alone."""
    from objector.output.html import render_html

    page = render_html(letter)
    start = page.index("<body")
    start = page.index(">", start) + 1
    return page[:start] + extra + page[start:]


# Pairs of pages that differ in what the cascade reads: the second must not take
# the first one's styles. Classes and tags (selectors), an attribute our sheets
# select on (dir), lang and id (WeasyPrint turns them into style), emptiness
# (:empty) and where an element stands (sibling selectors).
SHAPE_PAIRS = {
    "class": ('<p class="subject">Words</p>', '<p class="signature">Words</p>'),
    "tag": ("<p>Words</p>", "<h1>Words</h1>"),
    "dir": ('<p dir="ltr">Words</p>', '<p dir="rtl">Words</p>'),
    "lang": ('<p lang="en">Words words</p>', '<p lang="de">Words words</p>'),
    "id and link": ('<p id="one"><a href="#one">Link</a></p>', '<p id="two"><a href="#two">Link</a></p>'),
    "empty": ("<p></p><p>Words</p>", "<p>x</p><p>Words</p>"),
    "position": ("<p>Words</p><h1>Title</h1>", "<h1>Title</h1><p>Words</p>"),
}


@pytest.mark.parametrize("case", SHAPE_PAIRS)
def test_pages_of_another_shape_get_their_own_styles(renderers: tuple[PDFRenderer, PDFRenderer], case: str) -> None:
    cached, plain = renderers
    assert cached.style_cache is not None
    letter = _letter("GB", None, *PEOPLE[0])
    for extra in SHAPE_PAIRS[case]:
        page = _our_page(letter, extra)
        misses = cached.style_cache.misses
        assert cached.render(letter, page) == plain.render(letter, page), extra
        assert cached.style_cache.misses == misses + 1, f"{extra} took another page's styles"
        hits = cached.style_cache.hits
        assert cached.render(letter, page) == plain.render(letter, page), extra
        assert cached.style_cache.hits == hits + 1


def test_attributes_no_selector_reads_do_not_change_the_shape(renderers: tuple[PDFRenderer, PDFRenderer]) -> None:
    """The author in the page's metadata is the person's name: letters to two people share styles."""
    cached, plain = renderers
    assert cached.style_cache is not None
    letter = _letter("IE", None, *PEOPLE[0])
    first = _our_page(letter, '<p data-person="Alex">Words</p>')
    second = _our_page(letter, '<p data-person="Zoë">Words</p>')
    cached.render(letter, first)
    hits = cached.style_cache.hits
    assert cached.render(letter, second) == plain.render(letter, second)
    assert cached.style_cache.hits == hits + 1


@pytest.mark.parametrize("kind", ["style element", "style attribute"])
def test_pages_with_their_own_styles_are_not_cached(renderers: tuple[PDFRenderer, PDFRenderer], kind: str) -> None:
    cached, plain = renderers
    assert cached.style_cache is not None
    letter = _letter("GB", None, *PEOPLE[0])
    if kind == "style element":
        page = PAGE.replace("{words}", WORDS)
    else:
        page = _our_page(letter, '<p style="color: red">Words</p>')
    before = (cached.style_cache.hits, cached.style_cache.misses, len(cached.style_cache.entries))
    assert cached.render(letter, page) == plain.render(letter, page)
    cached.render(letter, page)
    assert (cached.style_cache.hits, cached.style_cache.misses, len(cached.style_cache.entries)) == before


@pytest.mark.parametrize(("css", "names"), [
    ("a[href] { x: y } [dir=rtl i] p { } :is(ul, ol)[ dir = ltr ] { }", {"href", "dir"}),
    ("/* [hidden] */ input[type=checkbox i], svg|a[xlink|href] { }", {"type", "href"}),
    ("p.class > span#id::before { content: attr(data-x) }", set()),
])
def test_attribute_names_read_by_selectors(css: str, names: set[str]) -> None:
    from objector.output.style_cache import attribute_names

    assert attribute_names(css) == names


def test_pdf_streams_are_compressed_at_level_six(renderers: tuple[PDFRenderer, PDFRenderer]) -> None:
    """pydyf asks for level 9; objector's renderers give it 6 (objector/output/compression.py)."""
    import zlib

    import pydyf

    from objector.output import compression

    data = b"BT /F1 12 Tf 72 712 Td [(objection) -250 (letter)] TJ ET\n" * 400
    asked_nine = pydyf.zlib.compressobj(level=9)
    packed = asked_nine.compress(data) + asked_nine.flush()
    six = zlib.compressobj(level=6)
    nine = zlib.compressobj(level=9)
    assert packed == six.compress(data) + six.flush()
    assert zlib.decompress(packed) == data
    assert packed != nine.compress(data) + nine.flush()
    compression.install()  # twice: still the same shim
    assert pydyf.zlib.compressobj is compression._compressobj
    assert pydyf.zlib.decompress is zlib.decompress


def test_a_key_is_kept_the_second_time_it_is_missed() -> None:
    from objector.output.bounded import BoundedCache

    cache: BoundedCache[str] = BoundedCache(2, admit_second=True)
    assert cache.get("a") is None and not cache.wanted("a")
    assert cache.get("a") is None and cache.wanted("a")
    cache.put("a", "A")
    assert cache.get("a") == "A"
    for key in ("b", "c"):
        assert not cache.wanted(key)
        assert cache.wanted(key)
        cache.put(key, key.upper())
    # Bounded: the least recently used ("a") went first.
    assert list(cache.entries) == ["b", "c"]
    assert (cache.hits, cache.misses) == (1, 2)
    # The doorkeeper forgets everything once full.
    cache.forget_after = 8
    for n in range(9):  # the ninth empties it first
        cache.wanted(n)
    assert not cache.wanted(0)
    plain: BoundedCache[str] = BoundedCache(2)
    assert plain.wanted("x")


def test_justified_lines_are_laid_out_from_the_cache(renderers: tuple[PDFRenderer, PDFRenderer],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """add_word_spacing's layouts (one per justified text box) come from the cache too:
    the third letter of a place builds few of them, and the PDFs stay the same."""
    from weasyprint.layout import inline

    from objector.output import layout_cache

    cached, plain = renderers
    assert cached.line_cache is not None
    assert inline.create_layout is layout_cache.justified_layout
    built: list[str] = []
    original = layout_cache._original_create

    def counting(text: str, *args: object, **kwargs: object) -> object:
        built.append(text)
        return original(text, *args, **kwargs)

    monkeypatch.setattr(layout_cache, "_original_create", counting)
    calls: list[int] = []
    asked: list[str] = []
    wrapped = layout_cache.justified_layout

    def asking(text: str, *args: object, **kwargs: object) -> object:
        asked.append(text)
        return wrapped(text, *args, **kwargs)

    monkeypatch.setattr(inline, "create_layout", asking)
    for person in PEOPLE:
        letter = _letter("NL", None, *person)
        expected = plain.render(letter)
        built.clear()
        asked.clear()
        assert cached.render(letter) == expected
        calls.append(len(built))
    assert asked, "justified text boxes asked for layouts"
    # Plain renders build every layout; the third cached letter builds far fewer.
    assert calls[2] < len(asked) / 2
    kept = [entry[0] for key, entry in cached.line_cache.entries.items() if key[0] == "justified"]
    assert kept and not any(hasattr(layout, name) for layout in kept for name in ("layout", "language", "style"))


# --- our pages parsed by expat (page_tree.py) -----------------------------------------------

def _html5_tree(page: str) -> bytes:
    from xml.etree import ElementTree

    import tinyhtml5

    return ElementTree.tostring(tinyhtml5.parse(page, namespace_html_elements=False))


HOSTILE = [("Zoë <b>&amp; \"O'Neil\" </body>", ["Straße 1 & Co <i>", "<!-- x -->"]),
           ("عليّ \u202eأحمد", ["شارع ١"]), ("李小龍", []), ("A\u00a0B  C D", ["  x  ", "y"])]


@pytest.mark.parametrize("locale", sorted(__import__("objector.catalogs", fromlist=["x"]).catalog_locales()))
def test_our_pages_parse_to_the_html5_tree(locale: str) -> None:
    """Every locale's letter page, with hostile names and addresses: expat's tree is the HTML5 parser's."""
    from xml.etree import ElementTree

    from objector.output.html import render_html, stylesheet
    from objector.output.page_tree import parse

    for name, address in HOSTILE:
        person = Person.create(name, "someone@example.org", "US" if locale.startswith("en_US") else "DE",
                               "CA" if locale.startswith("en_US") else None, address=address or None)
        letter = compose(person, on=DAY, locale=locale, reason_preset="old-content", allow_no_grounds=True)
        # As the renderer hands it over: its stylesheet taken out (parsed once per renderer).
        page = render_html(letter).replace(f"<style>{stylesheet()}</style>", "", 1)
        root = parse(page)
        assert root is not None, "our page should take the fast path"
        assert ElementTree.tostring(root) == _html5_tree(page)


@pytest.mark.parametrize("page", [
    "<html><head></head><body><pre>\nx</pre></body></html>",  # HTML drops a newline after <pre>
    '<html><head></head><body><p title="a\nb">x</p></body></html>',  # XML turns it into a space
    "<html><head><base href='x/'></head><body></body></html>",
    "<html><body><p>unclosed</body></html>",
    "<html><head></head><body><p>&nbsp;</p></body></html>",  # no such entity in XML
    "<html><head></head><body></body></html>trailing words",
    "<html><head></head><body><p>\x01</p></body></html>",
    "<html><head><style>/* <br> */</style></head><body></body></html>",  # raw text
    '<!DOCTYPE html [<!ENTITY a "aaaa">]><html><head></head><body><p>&a;</p></body></html>',
])
def test_pages_expat_reads_otherwise_go_to_weasyprint(page: str) -> None:
    from objector.output.page_tree import parse

    assert parse(page) is None


def test_letters_with_the_same_glyphs_share_font_subsets(renderers: tuple[PDFRenderer, PDFRenderer]) -> None:
    cached, plain = renderers
    assert cached.subset_cache is not None and plain.subset_cache is None
    cache = cached.subset_cache
    letters = [_letter("IE", None, *person) for person in PEOPLE]
    hits = cache.hits
    for letter in letters:
        assert cached.render(letter) == plain.render(letter)
    assert cache.hits > hits
    # A renderer without the shortcuts subsets every font itself.
    hits, misses = cache.hits, cache.misses
    plain.render(letters[0])
    assert (cache.hits, cache.misses) == (hits, misses)


def test_a_renderers_first_letter_keeps_the_whole_ua_sheet(renderers: tuple[PDFRenderer, PDFRenderer]) -> None:
    """Parsing the trimmed sheet takes about 60 ms, more than it saves on one letter: a
    one-letter run (objector letter) skips it, and every letter is the same PDF either way."""
    from objector.output import ua_sheet

    _, plain = renderers
    fresh = PDFRenderer()
    assert fresh.style_cache is not None
    trimmed = id(ua_sheet.letter_ua_stylesheets()[0])
    letters = [_letter("FR", None, *person) for person in PEOPLE]
    assert fresh.render(letters[0]) == plain.render(letters[0])
    assert trimmed not in fresh.style_cache.sheets and not fresh.style_cache.entries
    for letter in letters[1:]:
        assert fresh.render(letter) == plain.render(letter)
    assert trimmed in fresh.style_cache.sheets and fresh.style_cache.hits == 1


# Margin boxes in every row and corner, alone and with empty neighbours: the boxes
# margin_boxes.py leaves unsized are exactly those WeasyPrint drops.
MARGINS = {
    "none": "",
    "ours (bottom left and right)": "@bottom-left { content: 'ref' } @bottom-right { content: counter(page) }",
    "top centre alone": "@top-center { content: 'Top' }",
    "a corner": "@top-left-corner { content: 'C' } @bottom-right-corner { content: 'D' }",
    "left middle, sized by neighbours": "@left-middle { content: 'L'; width: 50% } @left-top { width: 30% }",
    "right with percentages": "@right-bottom { content: 'R'; height: 20%; padding: 5% }",
    "empty content is not content": "@top-left { content: '' } @top-right { content: none }",
    "every box": " ".join(f"@{k} {{ content: '{k[:1]}' }}" for k in (
        "top-left", "top-center", "top-right", "bottom-left", "bottom-center", "bottom-right", "left-top",
        "left-middle", "left-bottom", "right-top", "right-middle", "right-bottom", "top-left-corner",
        "top-right-corner", "bottom-left-corner", "bottom-right-corner")),
}


@pytest.mark.parametrize("case", list(MARGINS))
def test_margin_boxes_are_byte_identical(renderers: tuple[PDFRenderer, PDFRenderer], case: str) -> None:
    cached, plain = renderers
    letter = _letter("GB", None, *PEOPLE[0])
    page = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>@page { size: A6; margin: 20mm; '
            f"{MARGINS[case]} }} @page :first {{ @top-center {{ content: 'First' }} }}</style></head><body>"
            + "<p>Sentence.</p>" * 80 + "</body></html>")
    from objector.output import margin_boxes

    before = margin_boxes.skipped
    assert cached.render(letter, page) == plain.render(letter, page)
    # Unless every box has content, each page has a row or corner without any,
    # whose boxes are left unsized.
    assert (margin_boxes.skipped > before) is (case != "every box")


def test_the_dropped_margin_boxes_are_those_of_rows_without_content() -> None:
    from weasyprint import HTML

    from objector.output.margin_boxes import dropped

    seen: dict[str, frozenset[str]] = {}

    def spy(context: object, page: object, state: object) -> object:
        seen["dropped"] = dropped(context, page.page_type)  # type: ignore[attr-defined]
        return iter(())

    from weasyprint import layout

    real = layout.make_margin_boxes
    layout.make_margin_boxes = spy
    try:
        HTML(string="<style>@page { @bottom-left { content: 'x' } @top-right-corner { content: 'y' } }</style>"
                    "<p>Hi</p>").render()
    finally:
        layout.make_margin_boxes = real
    assert seen["dropped"] == frozenset({
        "@top-left", "@top-center", "@top-right", "@left-top", "@left-middle", "@left-bottom",
        "@right-top", "@right-middle", "@right-bottom", "@top-left-corner", "@bottom-left-corner",
        "@bottom-right-corner"})


# fontTools' subsetter and instancer load on first use (lazy_modules.py). Each case
# runs in a fresh process: the test process may have imported fontTools already.
LAZY_CHECK = """
import datetime as dt, io, sys
from objector import Person, compose
from objector.output import lazy_modules
from objector.output.pdf import PDFRenderer
renderer = PDFRenderer()
mode = sys.argv[1]
if mode == "fonttools-subset":
    import weasyprint.pdf.fonts
    weasyprint.pdf.fonts.harfbuzz_subset = None  # as on a system without libharfbuzz-subset
letter = compose(Person.create("Alex Example", "alex@example.org", "GB"), on=dt.date(2026, 11, 25),
                 reason_preset="old-content")
pdf = renderer.render(letter)
import pikepdf
with pikepdf.open(io.BytesIO(pdf)) as doc:
    fonts = [f for page in doc.pages for f in page.Resources.Font.values()]
    assert fonts and all("/FontFile2" in f.DescendantFonts[0].FontDescriptor for f in fonts)
if mode == "instancer":
    try:
        sys.modules["fontTools.varLib.instancer"].instantiateVariableFont(None, {})
    except Exception:  # the real function, refusing a None font
        print("raised")
print(lazy_modules.loaded("fontTools.subset"), lazy_modules.loaded("fontTools.varLib.instancer"))
"""


@pytest.mark.parametrize(("mode", "env", "expected"), [
    ("harfbuzz", {}, "False False"),
    ("fonttools-subset", {}, "True False"),
    ("instancer", {}, "raised\nFalse True"),
    ("harfbuzz", {"OBJECTOR_LAYOUT_CACHE": "0"}, "True True"),
])
def test_fonttools_loads_only_when_weasyprint_uses_it(mode: str, env: dict[str, str], expected: str) -> None:
    import os
    import sys

    done = subprocess.run([sys.executable, "-c", LAZY_CHECK, mode], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected
