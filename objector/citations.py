"""Citations in the letter's language: "GDPR Art. 21(1)" becomes "Art. 21 Abs. 1 DSGVO" in German.

The data keeps every citation in one canonical English form. A letter renders it
through patterns that translators word in the ``letters`` catalog (context
``citation`` for the shape, ``law`` for the law's name in that language), so no
article number is ever retyped by hand. A citation of a shape objector does not
know (a decree, an advisory) is worded whole by the catalog where it has it;
US codes are left exactly as the data gives them.
"""

from __future__ import annotations

import re
from functools import cache

from .i18n import translations

# The law names of the European regimes, which every catalog words; the names of
# the other laws are collected from the data's citations (catalogs._cited_laws), so a
# new regime's law becomes translatable without an edit here.
LAWS = ("GDPR", "UK GDPR", "FADP", "LGPD", "PIPEDA", "PDPO", "DPA 2018", "Quebec Private Sector Act")

# "<law> Art. 11(1)(e)" and "<law> s. 13(3)(a)": numbered articles or sections with
# a numbered paragraph and a lettered point, the shapes most statutes share, so a
# translator words each shape once for every law that uses it.
_ARTICLE = re.compile(
    r"^(?P<law>.+?) Art\. (?P<art>\d+[a-z]?)(?:\((?P<para>\d+)\))?(?:\((?P<point>[a-z])\))?$")
# Points numbered rather than lettered (Ukraine's Law No. 2297-VI, Art. 8(2)(5)).
_ARTICLE_ITEM = re.compile(r"^(?P<law>.+?) Art\. (?P<art>\d+[a-z]?)\((?P<para>\d+)\)\((?P<item>\d+)\)$")
_NUMBERED_SECTION = re.compile(
    r"^(?P<law>.+?) s\. (?P<art>\d+[A-Z]?)(?:\((?P<para>\d+)\))?(?:\((?P<point>[a-z])\))?$")
_RECITAL = re.compile(r"^(?P<law>GDPR|UK GDPR) Recital (?P<num>\d+)$")
_GENERIC_ARTICLE = re.compile(r"^(?P<law>.+?) Art\. (?P<ref>.+)$")
_SECTION = re.compile(r"^(?P<law>.+?) s\. (?P<ref>.+)$")
_OPINION = re.compile(r"^EDPB Opinion (?P<ref>\d+/\d{4})$")
_SCHEDULE = re.compile(r"^(?P<law>PIPEDA|PDPO) Sch\. 1, (?P<kind>Principle|DPP) (?P<ref>[\d.]+)$")


def _patterns() -> dict[str, str]:
    # Each pattern is a msgid (context "citation"); listed here so extraction finds
    # them and so the shape names stay in one place.
    return {
        "article": "%(law)s Art. %(art)s",
        "paragraph": "%(law)s Art. %(art)s(%(para)s)",
        "point": "%(law)s Art. %(art)s(%(para)s)(%(point)s)",
        "article-letter": "%(law)s Art. %(art)s(%(point)s)",
        "item": "%(law)s Art. %(art)s(%(para)s)(%(item)s)",
        "recital": "%(law)s Recital %(num)s",
        "generic": "%(law)s Art. %(ref)s",
        "section": "%(law)s s. %(ref)s",
        "section-subsection": "%(law)s s. %(ref)s(%(para)s)",
        "section-point": "%(law)s s. %(ref)s(%(para)s)(%(point)s)",
        "section-letter": "%(law)s s. %(ref)s(%(point)s)",
        "Principle": "%(law)s Sch. 1, Principle %(ref)s",
        "DPP": "%(law)s Sch. 1, DPP %(ref)s",
        "opinion": "EDPB Opinion %(ref)s",
    }


PATTERNS = _patterns()
# The letters that number points in a paragraph ("(d)"), in order; a language
# whose official texts number points in its own script translates this list.
POINT_LETTERS = "a b c d e f g h i j"


def _point(letter: str, t: object) -> str:
    latin = POINT_LETTERS.split()
    local = t.pgettext("citation-points", POINT_LETTERS).split()  # type: ignore[attr-defined]
    if letter in latin and len(local) == len(latin):
        return str(local[latin.index(letter)])
    return letter


def law_name(name: str, locale: str) -> str:
    """A law's name or abbreviation in the letter language (``GDPR`` -> ``DSGVO``).

    A name no catalog words comes back unchanged (gettext's fallback), so any law
    may be looked up.
    """
    return str(translations(locale).pgettext("law", name))


def law_of(citation: str) -> str | None:
    """The law a citation names, where its shape is one objector words (None otherwise)."""
    for rx in (_ARTICLE, _ARTICLE_ITEM, _NUMBERED_SECTION, _RECITAL, _SCHEDULE, _GENERIC_ARTICLE, _SECTION):
        if m := rx.match(citation):
            return str(m["law"])
    return None


@cache
def localise(citation: str, locale: str) -> str:
    """``citation`` as the letter language writes it (unchanged where no pattern fits).

    Several citations joined with "; " (a period cited to two provisions) are
    each written in the language's shape.
    """
    if "; " in citation:
        return "; ".join(localise(part, locale) for part in citation.split("; "))
    t = translations(locale)

    def law(name: str) -> str:
        return law_name(name, locale)

    def fmt(shape: str, **values: str) -> str:
        return t.pgettext("citation", PATTERNS[shape]) % values

    if m := _ARTICLE.match(citation):
        shape = ("point" if m["point"] and m["para"] else "article-letter" if m["point"]
                 else "paragraph" if m["para"] else "article")
        return fmt(shape, law=law(m["law"]), art=m["art"], para=m["para"] or "",
                   point=_point(m["point"], t) if m["point"] else "")
    if m := _ARTICLE_ITEM.match(citation):
        return fmt("item", law=law(m["law"]), art=m["art"], para=m["para"], item=m["item"])
    if m := _NUMBERED_SECTION.match(citation):
        point = _point(m["point"], t) if m["point"] else ""
        shape = ("section-point" if m["point"] and m["para"] else "section-letter" if m["point"]
                 else "section-subsection" if m["para"] else "section")
        return fmt(shape, law=law(m["law"]), ref=m["art"], para=m["para"] or "", point=point)
    if m := _RECITAL.match(citation):
        return fmt("recital", law=law(m["law"]), num=m["num"])
    if m := _OPINION.match(citation):
        return fmt("opinion", ref=m["ref"])
    if m := _SCHEDULE.match(citation):
        return fmt(m["kind"], law=law(m["law"]), ref=m["ref"])
    for shape, rx in (("generic", _GENERIC_ARTICLE), ("section", _SECTION)):
        if m := rx.match(citation):
            return fmt(shape, law=law(m["law"]), ref=m["ref"])
    # A citation of no known shape may be worded whole in the catalog (context
    # "law"); otherwise it stays as the data gives it.
    return law(citation)
