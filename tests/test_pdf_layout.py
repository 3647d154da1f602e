"""The PDF as a recipient sees it: page breaks, the address window, unbroken
addresses and citations, the signature, the footer, fonts. Positions come from
poppler's ``pdftotext -bbox`` (points, origin top left)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
import shutil
import subprocess
import sys
import unicodedata
from functools import cache

import pytest

from objector import Person, compose
from objector.i18n import available_letter_locales
from objector.letter import Letter
from objector.output.html import layout_for
from objector.output.pdf import PDFRenderer, glyph_warnings

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (pdftotext)")

DAY = dt.date(2026, 12, 4)
MM = 72 / 25.4
INCH = 72.0
# (left, top, right, bottom) in points: DIN 5008 form B (20 mm from the left,
# 45 mm from the top, 85 x 45 mm) and the #10 envelope window on US Letter
# (2.0-3.1 in from the top, 7/8 in from the left, 4 in wide).
WINDOWS = {
    "a4": (20 * MM, 45 * MM, 105 * MM, 90 * MM),
    "us-letter": (0.875 * INCH, 2.0 * INCH, 4.875 * INCH, 3.1 * INCH),
}

LONG_ADDRESS = ["Appartement 1204, escalier B, Résidence des Grands Chênes",
                "1234, boulevard de la Côte-des-Neiges Ouest",
                "Montréal (Québec) H3T 1Y5"]


@dataclasses.dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@pytest.fixture(scope="module")
def renderer() -> PDFRenderer:
    return PDFRenderer()


_RENDERER: list[PDFRenderer] = []


def _render(letter: Letter) -> bytes:
    if not _RENDERER:
        _RENDERER.append(PDFRenderer())
    return _RENDERER[0].render(letter)


def pages(pdf: bytes) -> list[list[Word]]:
    """Every page's words with their boxes."""
    out = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True,
                         check=True, timeout=60).stdout.decode()
    result: list[list[Word]] = []
    for page in out.split("<page ")[1:]:
        result.append([Word(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in
                       re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<',
                                  page)])
    return result


def lines(words: list[Word]) -> list[str]:
    """Words grouped into text lines by their baseline."""
    rows: dict[int, list[Word]] = {}
    for w in words:
        rows.setdefault(round(w.y1), []).append(w)
    return [" ".join(w.text for w in sorted(row, key=lambda w: w.x0)) for _, row in sorted(rows.items())]


def person(country: str, state: str | None, name: str = "Anna Muster", email: str = "anna@example.org",
           address: list[str] | None = None, url: str | None = "https://www.linkedin.com/in/anna-muster") -> Person:
    return Person.create(name, email, country, state, address if address is not None else
                         ["Hauptstraße 1", "80331 München"], url)


@cache
def _letters(text: str) -> str:
    """The letters and digits of ``text``, without marks, spaces or punctuation."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def _same_word(drawn: str, word: str) -> bool:
    """Whether a word pdftotext -bbox found is ``word`` (right-to-left words come reversed)."""
    return drawn == word or (bool(_letters(word)) and _letters(drawn) in (_letters(word), _letters(word)[::-1]))


def letter_pages(country: str, state: str | None, locale: str | None, long_address: bool = False,
                 full: bool = True) -> tuple[str, tuple[tuple[Word, ...], ...], Letter]:
    p = person(country, state, address=LONG_ADDRESS if long_address else None)
    letter = compose(p, on=DAY, locale=locale, reason_preset="creative-work", allow_no_grounds=True)
    if not full:  # the letterhead is all these tests look at: one short page is enough
        letter = dataclasses.replace(letter, body=letter.body.split("\n\n")[0] + "\n")
    return layout_for(country), tuple(tuple(p) for p in pages(_render(letter))), letter


# Default letters of every regime family, every letter locale (to LinkedIn
# Ireland), and long addresses on both paper sizes.
PLACES = [("DE", "BY"), ("GB", None), ("CH", None), ("CA", "ON"), ("CA", "QC"), ("US", "NY"), ("US", "TX"),
          ("US", "CA"), ("BR", None), ("HK", None), ("IN", None), ("FR", None)]
FULL_CASES = ([(c, s, None, False) for c, s in PLACES]
              + [("DE", "BY", loc, False) for loc in available_letter_locales()]
              + [("CA", "QC", None, True), ("CA", "ON", None, True), ("DE", "BY", None, True)])


@pytest.mark.slow
@pytest.mark.parametrize(("country", "state", "locale", "long_address"), FULL_CASES)
def test_last_page_is_never_near_empty(country: str, state: str | None, locale: str | None,
                                       long_address: bool) -> None:
    _, doc, letter = letter_pages(country, state, locale, long_address)
    footer_top = min(w.y0 for w in doc[-1] if letter.reference in w.text)
    body = [w for w in doc[-1] if w.y1 < footer_top - 1]
    assert len(lines(body)) >= 4, f"last page {len(doc)} holds only {lines(body)}"


@pytest.mark.slow
@pytest.mark.parametrize(("country", "state", "locale", "long_address"), FULL_CASES)
def test_reference_and_signature_room_on_every_page(country: str, state: str | None, locale: str | None,
                                                    long_address: bool) -> None:
    _, doc, letter = letter_pages(country, state, locale, long_address)
    height = 792 if layout_for(country) == "us-letter" else 297 * MM
    for number, page in enumerate(doc, 1):
        bottom = " ".join(w.text for w in page if w.y0 > height - 30 * MM)
        assert letter.reference in bottom, f"page {number} footer: {bottom}"
    # The typed name sits at least 12 mm below the closing: room to sign.
    text = lines(doc[-1])
    closing, name = letter.body.strip().split("\n\n")[-2:]
    name_y = max(w.y0 for w in doc[-1] if _same_word(w.text, name.split()[-1]))
    closing_y = max(w.y1 for w in doc[-1] if _same_word(w.text, closing.split()[-1]) and w.y1 < name_y)
    assert name_y - closing_y >= 12 * MM, text


# Every recipient (LinkedIn Ireland, LinkedIn Corporation) on each paper size, in
# every letter locale (country names and "c/o" lines differ in length).
WINDOW_CASES = ([("DE", "BY", loc, False) for loc in available_letter_locales()]
                + [("GB", None, loc, False) for loc in available_letter_locales()]
                + [("CA", "QC", loc, long) for loc in available_letter_locales() for long in (False, True)]
                + [("US", "CA", None, True), ("DE", "BY", None, True)])


@pytest.mark.slow
@pytest.mark.parametrize(("country", "state", "locale", "long_address"), WINDOW_CASES)
def test_return_line_and_recipient_lie_inside_the_window(country: str, state: str | None, locale: str | None,
                                                         long_address: bool) -> None:
    layout, doc, letter = letter_pages(country, state, locale, long_address, full=False)
    left, top, right, bottom = WINDOWS[layout]
    first = doc[0]
    wanted = [*" · ".join([letter.person.name, *letter.person.address]).split(), *" ".join(letter.recipient).split()]
    inside = [w for w in first if w.x0 >= left - 0.5 and w.x1 <= right + 0.5 and w.y0 >= top - 0.5
              and w.y1 <= bottom + 0.5]
    found = " ".join(w.text for w in inside)
    letters = _letters(found)
    for word in wanted:
        # pdftotext -bbox gives right-to-left words in drawing order (reversed) and
        # Thai marks as words of their own, so those are compared letter by letter.
        assert (word in found.split() or (_letters(word) and (_letters(word) in letters
                                                              or _letters(word)[::-1] in letters))), \
            f"{word!r} not inside the {layout} window: {lines(inside)}"


@pytest.mark.parametrize(("country", "state"), [("CA", "QC"), ("DE", "BY"), ("IN", None)])
def test_international_sender_gets_a_country_line(country: str, state: str | None) -> None:
    _, doc, letter = letter_pages(country, state, None, full=False)
    from objector.i18n import country_name

    expected = country_name(country, letter.locale).upper()
    assert expected in lines(doc[0])[0:12] or any(expected in line for line in lines(doc[0])), lines(doc[0])


EMAIL = "dwayne.johnson-smith.longname@houston-example-company.com"
URL = "https://www.linkedin.com/in/anna-muster-johnson-smith-longname"


@pytest.mark.parametrize(("country", "state", "locale"), [("US", "CA", None), ("DE", "BY", None),
                                                           ("CA", "QC", None), ("DE", "BY", "hu")])
def test_addresses_urls_and_references_are_never_split(renderer: PDFRenderer, country: str, state: str | None,
                                                       locale: str | None) -> None:
    p = person(country, state, email=EMAIL, url=URL)
    letter = compose(p, on=DAY, locale=locale, reason_preset="creative-work")
    doc = pages(renderer.render(letter))
    text = [line for page in doc for line in lines(page)]
    body_lines = [line for line in text if "LinkedIn" in line or EMAIL in line or URL in line]
    assert any(EMAIL in line for line in body_lines), text
    assert any(URL in line for line in text), text
    assert all(letter.reference in line for line in text if "OBJ-" in line), text
    # No hyphen was inserted anywhere inside them, nor a break.
    flat = "\n".join(text)
    for fragment in (EMAIL.split("@")[1][:12], "houston-exam", "linkedin.com/in/anna-m"):
        assert fragment + "\u2010" not in flat and fragment + "-\n" not in flat
    for cite in letter.citations[:3]:
        from objector.citations import localise

        local = localise(cite, letter.locale)
        if local in letter.body:
            assert any(local in line for line in text), (local, text)


def test_a_name_starting_with_a_dash_is_not_a_bullet(renderer: PDFRenderer) -> None:
    p = person("DE", "BY", name="- Anna Muster")
    letter = compose(p, on=DAY, reason_preset="creative-work")
    doc = pages(renderer.render(letter))
    last = lines(doc[-1])
    assert any(line.startswith("- Anna Muster") for line in last), last
    assert not any("• Anna" in line or line.startswith("Anna Muster") for line in last), last


# Names in the scripts of LinkedIn's largest member countries render with real
# glyphs; a script no installed font covers gets a warning naming the field.
SCRIPTS = {
    "devanagari": "प्रिया रघुनाथन",
    "tamil": "பிரியா ரகுநாதன்",
    "bengali": "প্রিয়া রঘুনাথন",
    "telugu": "ప్రియా రఘునాథన్",
    "thai": "สมชาย ใจดี",
    "hangul": "김민준",
    "emoji": "Anna 🙂 Muster",
}


@pytest.mark.parametrize("script", list(SCRIPTS))
def test_names_in_major_scripts_render(renderer: PDFRenderer, script: str) -> None:
    name = SCRIPTS[script]
    letter = compose(person("IN", None, name=name, address=[]), on=DAY)
    data = renderer.render(letter)
    assert renderer.last_warnings == []
    assert glyph_warnings(renderer.last_warnings) == []
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True,
                          timeout=60).stdout.decode()
    assert all(part in text for part in name.split() if part != "🙂"), text[:400]


def test_uncovered_script_gets_a_warning_naming_the_field(renderer: PDFRenderer) -> None:
    letter = compose(person("IN", None, name="Anna \U00010000\U00010001 Muster", address=[]), on=DAY)
    renderer.render(letter)
    assert glyph_warnings(renderer.last_warnings)


# Cold start: importing WeasyPrint spawns no ldconfig/gcc/ld, and pyphen's German
# dictionary is parsed lazily with the same hyphenation points.
def test_weasyprint_import_starts_no_processes() -> None:
    code = ("import subprocess, sys\n"
            "calls = []\n"
            "original = subprocess.Popen.__init__\n"
            "def counting(self, *a, **k):\n"
            "    calls.append(a[0] if a else k.get('args'))\n"
            "    original(self, *a, **k)\n"
            "subprocess.Popen.__init__ = counting\n"
            "from objector.output.pdf import PDFRenderer\n"
            "PDFRenderer()\n"
            "print(len(calls))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "0", out.stdout


@pytest.mark.parametrize("lang", ["de_DE", "en_GB", "fr", "nl_NL", "pl_PL"])
def test_lazy_hyphenation_dictionary_matches_pyphen(lang: str) -> None:
    import pyphen

    original = pyphen.HyphDict
    PDFRenderer()
    lazy = pyphen.HyphDict
    assert getattr(lazy, "_objector_lazy", False)
    if getattr(original, "_objector_lazy", False):
        original = original.__mro__[1]
    path = pyphen.LANGUAGES[pyphen.language_fallback(lang)]
    words = ["Datenschutzbeauftragte", "Widerspruchsrecht", "Verarbeitung", "personnelles", "hyphenation",
             "verwerkingsverantwoordelijke", "przetwarzania", "Informationsfreiheit", "legitimate"]
    # Every word of a letter in that language too, and substrings that are no pattern.
    country = {"de_DE": "DE", "en_GB": "GB", "fr": "FR", "nl_NL": "NL", "pl_PL": "PL"}[lang]
    letter = compose(Person.create("Alex Example", "alex@example.org", country), on=dt.date(2026, 11, 25),
                     reason_preset="old-content")
    words += sorted({w for w in re.findall(r"\w{4,}", letter.body)} | {"zzzz", "qqq", "a", ""})
    mine, theirs = lazy(path), original(path)
    assert [mine.positions(w) for w in words] == [theirs.positions(w) for w in words]
    assert mine.maxlen == theirs.maxlen
