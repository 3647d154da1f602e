"""Translation catalogs: extract the templates, start, update and check each locale's .po files.

Four gettext domains:

- ``letters``: the words of letters and the how-to sheet (templates, letter code, and
  the scope and reason texts that go into letters);
- ``data``: prose from the data files that people read (rules, notes, channel names);
- ``objector``: the interface (``objector explain``, prompts, reason titles);
- ``campaign``: mandate forms, covering letters and the Art. 80 paragraph. A letter
  locale needs the first three; campaign documents fall back to English without it.

Catalogs live in ``locales/<locale>/LC_MESSAGES/<domain>.po`` beside the templates
``locales/<domain>.pot``. Nothing is compiled to ``.mo`` on disk: objector compiles a
catalog in memory when it loads it, so a translation never goes stale.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from .errors import LocaleError
from .resources import data_dir, locales_dir, templates_dir

DOMAINS = ("letters", "data", "objector")
CAMPAIGN_DOMAIN = "campaign"
ALL_DOMAINS = (*DOMAINS, CAMPAIGN_DOMAIN)
SOURCE = "en"
# A fixed creation date keeps regenerated templates free of date-only diffs.
_POT_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
_PACKAGE = Path(__file__).resolve().parent
_CODE_KEYWORDS = {"gettext": None, "pgettext": ((1, "c"), 2), "_": None, "N_": None}
# Numbers and article-style references ("21(1)", "30") must survive translation.
_NUMBER = re.compile(r"\d+(?:\(\d+\))*")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|\{\{\s*(\w+)\s*\}\}")


def _new_catalog(domain: str, locale: str | None = None) -> Catalog:
    return Catalog(locale=locale, domain=domain, project="objector", version="",
                   copyright_holder="objector contributors", msgid_bugs_address="",
                   creation_date=_POT_DATE, revision_date=_POT_DATE, fuzzy=False)


# What each placeholder holds, told to translators beside every message using it.
PLACEHOLDERS = {
    "cite": "a citation such as 'GDPR Art. 21(1)', already written the way your language cites it",
    "cites": "one or more citations, already in your language's form",
    "other": "further citations, already in your language's form",
    "public": "a citation (e.g. GDPR Art. 17(2)), already in your language's form",
    "storage": "a citation (e.g. GDPR Art. 18(2)), already in your language's form",
    "lifting": "a citation (e.g. GDPR Art. 18(3)), already in your language's form",
    "expectations": "a citation (e.g. GDPR Recital 47), already in your language's form",
    "burden": "a citation (e.g. GDPR Recital 69), already in your language's form",
    "court": "a citation (e.g. GDPR Art. 79), already in your language's form",
    "prohibit": "a citation (e.g. FADP Art. 30(2)(b)), already in your language's form",
    "lead": "a citation (e.g. GDPR Art. 21(1)), already in your language's form",
    "law": "the short name of a law (e.g. PIPEDA, CCPA), already in your language where it has one",
    "due": "a date, already written in your language (e.g. 25 December 2026)",
    "effective": "a date, already written in your language",
    "start": "a date, already written in your language",
    "date": "a date",
    "name": "the person's name, or a name",
    "email": "the person's e-mail address",
    "url": "a web address",
    "ref": "the letter's reference, e.g. OBJ-20261125-ABCD-EFGH",
    "controller": "the LinkedIn company's legal name (keep as is)",
    "document": "the title of LinkedIn's document in English, e.g. European Regional Privacy Notice",
    "purpose": "LinkedIn's own words quoted in English; keep them in English inside the quotes",
    "authority": "a regulator's official name",
    "state": "a US state's name",
    "count": "a number, already formatted",
    "budget": "a number, already formatted",
}
# Legal terms whose wording must follow the official text of the law in your language.
LEGAL_TERMS = {
    "object": "'object' / 'objection' = the right to object, GDPR Art. 21",
    "restrict": "'restriction' = restriction of processing, GDPR Art. 18",
    "erase": "'erase' / 'erasure' = the right to erasure, GDPR Art. 17",
    "consent": "'consent' / 'withdraw' = consent and its withdrawal, GDPR Art. 7(3)",
    "controller": "'controller' = GDPR Art. 4(7)",
    "legitimate interest": "'legitimate interests' = GDPR Art. 6(1)(f)",
    "particular situation": "'grounds relating to my particular situation' = GDPR Art. 21(1)",
    "Data Protection Officer": "'Data Protection Officer' = GDPR Art. 37",
    "personal data": "'personal data' = GDPR Art. 4(1)",
    "recipient": "'recipient' = GDPR Art. 4(9) and Art. 19",
}


# Inside a citation pattern a placeholder names a part of the citation, whatever
# the same name means in a letter's sentences.
_CITATION_PARTS = {
    "law": "the short name of a law, already in your language where it has one",
    "art": "an article number, e.g. 21",
    "para": "a paragraph or subsection number, e.g. 1",
    "point": "a point letter, e.g. d",
    "item": "a numbered point, e.g. 5 (as in Art. 8(2)(5))",
    "ref": "the number of the article, section or opinion as its source writes it, e.g. 13, 8 ter, 28/2024",
    "num": "a recital number, e.g. 47",
    "citation": "a citation, already in your language's form",
}


def _translator_notes(text: str, context: str | None = None) -> list[str]:
    names = _CITATION_PARTS if context == "citation" else PLACEHOLDERS
    notes = [f"%({name})s: {names[name]}" for name in sorted(set(_PLACEHOLDER_NAMES.findall(text)))
             if name in names]
    terms = [hint for word, hint in LEGAL_TERMS.items() if word.lower() in text.lower()]
    if terms:
        notes.append("Legal terms (use the official wording in your language, see GLOSSARY.md): "
                     + "; ".join(terms))
    return notes


_PLACEHOLDER_NAMES = re.compile(r"%\((\w+)\)s")


def _add(cat: Catalog, msgid: str | tuple[str, str], where: str, comment: str | None = None,
         context: str | None = None) -> None:
    text = msgid if isinstance(msgid, str) else msgid[0]
    flags = ("python-format",) if "%(" in text else ()
    existing = cat.get(msgid, context=context)
    if existing is not None:
        existing.locations.append((where, 0))
        return
    comments = ([comment] if comment else []) + _translator_notes(text, context)
    cat.add(msgid, locations=[(where, 0)], auto_comments=comments, context=context, flags=flags)


def _code_messages(paths: list[Path], keywords: dict[str, Any]
                   ) -> Iterator[tuple[str | tuple[str, str], str, list[str], str | None]]:
    for path in paths:
        rel = path.relative_to(_PACKAGE.parent).as_posix() if path.is_relative_to(_PACKAGE.parent) else path.name
        for lineno, message, comments, context in extract_from_file(
                "python", str(path), keywords=keywords, comment_tags=("Translators:",), strip_comment_tags=True):
            if isinstance(message, str):
                yield message, f"{rel}:{lineno}", list(comments), context
            elif isinstance(message, tuple) and len(message) == 2 and all(message):
                yield (str(message[0]), str(message[1])), f"{rel}:{lineno}", list(comments), context


def _template_messages(paths: list[Path]
                       ) -> Iterator[tuple[str | tuple[str, str], str, list[str], str | None]]:
    root = templates_dir()
    for path in paths:
        rel = "templates/" + path.relative_to(root).as_posix()
        for lineno, message, comments, context in extract_from_file(
                "jinja2.ext:babel_extract", str(path),
                # ngettext: {% trans count=... %}...{% pluralize %} blocks are plural entries.
                keywords={"_": None, "gettext": None, "ngettext": (1, 2)},
                comment_tags=("Translators:",), options={"trimmed": "true", "silent": "false"},
                strip_comment_tags=True):
            if isinstance(message, str):
                yield message, f"{rel}:{lineno}", list(comments), context
            elif isinstance(message, tuple) and len(message) >= 2 and message[0] and message[1]:
                yield (str(message[0]), str(message[1])), f"{rel}:{lineno}", list(comments), context


def _toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _data_prose(root: Path) -> Iterator[tuple[str, str, str]]:
    """(text, where, what) for every piece of data prose shown to people."""
    li = _toml(root / "linkedin.toml")
    for rid, region in li["regions"].items():
        yield region["name"], "linkedin.toml", f"name of LinkedIn's region {rid}"
        for period in region["periods"]:
            yield period["event"], "linkedin.toml", f"policy event in {rid} from {period['start']}"
    for cid, ch in li["channels"].items():
        yield ch["name"], "linkedin.toml", f"name of LinkedIn's route {cid}"
        yield ch["purpose"], "linkedin.toml", f"what route {cid} is for"
        if ch.get("limit_note"):
            yield ch["limit_note"], "linkedin.toml", f"note on route {cid}"
    for eid, entity in li["entities"].items():
        if entity.get("note"):
            yield entity["note"], "linkedin.toml", f"note on entity {eid}"
    for path in sorted((root / "regimes").glob("*.toml")):
        reg = _toml(path)
        where = f"regimes/{path.name}"
        yield reg["name"], where, "regime name"
        yield reg["law"], where, "name of the law"
        for note in reg.get("notes", []):
            yield note, where, "note shown with the decision"
        for note in reg.get("howto_notes", []):
            yield note, where, "a step on the how-to sheet"
        yield reg["deadline"]["rule"], where, "deadline rule"
        for table in ("deadline", "escalation"):
            if reg[table].get("note"):
                yield reg[table]["note"], where, f"note on the {table}"
        # The deadline's roll-over rule and its separate periods (a law's own day
        # counts, the CCPA's 15 business days) are shown with the decision too.
        roll = reg["deadline"].get("roll", {})
        if roll.get("note"):
            yield roll["note"], where, "note on the deadline's roll-over rule"
        for gid, group in reg["deadline"].get("groups", {}).items():
            for key in ("rule", "note"):
                if group.get(key):
                    yield group[key], where, f"{key} of the separate period '{gid}'"
        yield reg["escalation"]["complaint"], where, "what happens if LinkedIn does not comply"
        for section in ("demands", "arguments"):
            for did, demand in reg.get(section, {}).items():
                if demand.get("note"):
                    yield demand["note"], where, f"note on {did}"
    for path in sorted((root / "authorities").glob("*.toml")):
        for aid, auth in _toml(path).items():
            if auth.get("note"):
                yield auth["note"], f"authorities/{path.name}", f"note on authority {aid}"


def extract() -> dict[str, Catalog]:
    """Build the three template catalogs from the templates, the code and the data."""
    cats = {domain: _new_catalog(domain) for domain in DOMAINS}
    letters, ui, data = cats["letters"], cats["objector"], cats["data"]
    # The letters after the letter (follow-ups, complaints) are letters too.
    letter_templates = sorted([*(templates_dir() / "letter").glob("*.jinja"),
                               *(templates_dir() / "case").glob("*.jinja")])
    for tmsg, where, comments, ctx in _template_messages(letter_templates):
        _add(letters, tmsg, where, "; ".join(comments) or None, ctx)
    # deadlines.py: the period in words ("one month", "45 days") inside letter sentences.
    letter_code = [_PACKAGE / "letter.py", _PACKAGE / "deadlines.py", *sorted((_PACKAGE / "output").glob("*.py"))]
    letter_keywords = {"gettext": None, "pgettext": ((1, "c"), 2), "ngettext": (1, 2)}
    for msg, where, comments, ctx in _code_messages(letter_code, letter_keywords):
        _add(letters, msg, where, "; ".join(comments) or None, ctx)
    from .citations import LAWS, PATTERNS, POINT_LETTERS

    _add(letters, POINT_LETTERS, "objector/citations.py",
         "the letters numbering points within a paragraph, as in Art. 18(1)(d), separated by spaces; keep "
         "them unless the official text in your language numbers points in its own script (e.g. Greek "
         "α β γ δ ε στ ..., Bulgarian а б в г д е ...)", "citation-points")

    for shape, pattern in PATTERNS.items():
        _add(letters, pattern, "objector/citations.py",
             f"how a citation of shape '{shape}' is written, e.g. 'GDPR Art. 21(1)' in English; use the "
             "order and abbreviations of this language's official text of the law", "citation")
    for name in (*LAWS, *sorted(set(_cited_laws()) - set(LAWS))):
        _add(letters, name, "objector/citations.py",
             "the law's name or abbreviation as its official text in this language has it; keep it as it "
             "is where the law has no official name in this language", "law")
    li = _toml(data_dir() / "linkedin.toml")
    for item in li["scope"]["included"]:
        _add(letters, item, "data/linkedin.toml", "an item of the list of data used for AI training", "scope")
    for name, reason in _toml(data_dir() / "reasons.toml").items():
        _add(letters, reason["text"], "data/reasons.toml",
             f"example grounds '{name}', written in the first person; goes into letters verbatim", "reason")
        _add(ui, reason["title"], "data/reasons.toml", f"title of the example grounds '{name}'", "reason-title")
    ui_code = [_PACKAGE / "decision.py", _PACKAGE / "cli.py", _PACKAGE / "explain.py", _PACKAGE / "case_cli.py",
               *sorted((_PACKAGE / "web").glob("*.py"))]
    ui_keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    # The period in words is also shown in the interface language (explain, the web page).
    for msg, where, comments, ctx in _code_messages([_PACKAGE / "deadlines.py"],
                                                    {"gettext": None, "ngettext": (1, 2)}):
        _add(ui, msg, where, "; ".join(comments) or None, ctx)
    for msg, where, comments, ctx in _code_messages([p for p in ui_code if p.exists()], ui_keywords):
        _add(ui, msg, where, "; ".join(comments) or None, ctx)
    # The web page's templates are interface text (objector serve).
    for tmsg, where, comments, ctx in _template_messages(sorted((templates_dir() / "web").glob("*.jinja"))):
        _add(ui, tmsg, where, "; ".join(comments) or None, ctx)
    for text, where, what in _data_prose(data_dir()):
        _add(data, text, f"data/{where}", what)
    return cats


def extract_campaign() -> Catalog:
    """The ``campaign`` domain: mandate forms, covering letters, the Art. 80 paragraph.

    Optional for a locale: campaign documents fall back to English where a locale
    has no campaign catalog yet, and say so in the batch's output language.
    """
    cat = _new_catalog("campaign")
    for msg, where, comments, ctx in _code_messages([_PACKAGE / "campaign.py"],
                                                    {"gettext": None, "ngettext": (1, 2)}):
        _add(cat, msg, where, "; ".join(comments) or None, ctx)
    return cat


def pot_path(domain: str) -> Path:
    return locales_dir() / f"{domain}.pot"


def po_path(locale: str, domain: str) -> Path:
    return locales_dir() / locale / "LC_MESSAGES" / f"{domain}.po"


def _drop_false_formats(cat: Catalog) -> Catalog:
    """Only a message with a named placeholder is a format string: objector formats
    nothing else. Babel flags any "%" followed by a letter ("25% of revenue") as
    python-format, which would hold translators to a "% o" that is not there."""
    for msg in cat:
        text = msg.id if isinstance(msg.id, str) else (msg.id[0] if msg.id else "")
        if text and "%(" not in text:
            msg.flags.discard("python-format")
    return cat


def _write(cat: Catalog, path: Path) -> None:
    _drop_false_formats(cat)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, cat, width=100, sort_output=False, include_previous=False)


def write_templates() -> list[Path]:
    """Regenerate ``locales/<domain>.pot`` from the sources."""
    paths = []
    for domain, cat in (*extract().items(), ("campaign", extract_campaign())):
        _write(cat, pot_path(domain))
        paths.append(pot_path(domain))
    return paths


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def validate_locale_code(code: str) -> str:
    """The one spelling of a Babel-known locale code (``pt-br`` -> ``pt_BR``); see
    :func:`objector.i18n.normalise_locale`."""
    from .i18n import normalise_locale

    return normalise_locale(code)


def _same_locale_key(code: str) -> str:
    # Catalog folders whose names differ only in case or separator are one locale,
    # and collide outright on case-insensitive filesystems.
    return code.replace("-", "_").casefold()


def existing_spelling(locale: str) -> str | None:
    """The folder name under ``locales/`` that is ``locale`` up to case and separator."""
    root = locales_dir()
    key = _same_locale_key(locale)
    return next((d.name for d in sorted(root.iterdir()) if d.is_dir() and _same_locale_key(d.name) == key), None)


def glossary_path(locale: str) -> Path:
    return locales_dir() / locale / "GLOSSARY.md"


def glossary_template(locale: str) -> str:
    """A GLOSSARY.md to fill in: one row per legal term the letters use."""
    from .i18n import locale_display_name

    rows = "\n".join(f"| {hint} |  |  |  |" for hint in LEGAL_TERMS.values())
    return f"""# Glossary: {locale_display_name(locale)}, `{locale}`

Which official text this translation follows (for the GDPR: EUR-Lex, CELEX 32016R0679, in
this language; for another law, its official text), and anything a reviewer should know.

Fill in every row: the wording used in the catalogs, where it comes from (article and
source), and its status: "confirmed" (checked against the official text) or "knowledge"
(from the translator's knowledge; a native lawyer should check it). Add rows for other
terms you fixed. The tests refuse a row with an empty cell.

| Term (English) | Wording used | Source | Status |
|---|---|---|---|
{rows}
"""


# Keys that point at another entry of the data rather than citing a law.
# (EDPB opinions have a shape of their own, worded once.)
_REF_KEY = re.compile(r"^(argument|demand):|^deadline$|^EDPB Opinion ")


def _cited_laws() -> Iterator[str]:
    """Every law named by a citation in the data, for the catalog's "law" context."""
    from .citations import law_of

    def walk(node: object) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("citation", "also", "citations"):
                    for item in value if isinstance(value, list) else [value]:
                        if not isinstance(item, str) or "{" in item or _REF_KEY.match(item):
                            continue
                        if law := law_of(item):
                            yield law
                        elif not us:
                            # A citation of no shape objector knows (a decree, an
                            # advisory, "Arts. 43(3) and 44(2)") is worded whole; the
                            # catalog check keeps its numbers.
                            yield item
                else:
                    yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    for path in sorted(data_dir().rglob("*.toml")):
        # US citations (state codes) are written the same in every language.
        us = path.parent.name == "regimes" and path.name.startswith("us-")
        raw = _toml(path)
        yield from walk(raw)
        # A regime's short name stands in for a citation where a letter cites none.
        if path.parent.name == "regimes" and isinstance(raw.get("short_law"), str):
            yield raw["short_law"]


def init(locale: str) -> list[Path]:
    """Start catalogs for a new locale from the templates (all entries untranslated):
    one per domain, campaign included, and a GLOSSARY.md to fill in."""
    # The folder already there in another spelling is named before any complaint
    # about the spelling itself: 'TR' beside 'tr' is a duplicate first. 'UK' is
    # the exception: whoever types it means the United Kingdom, not Ukrainian.
    if locale.strip().replace("-", "_").split("_")[0] == "UK":
        validate_locale_code(locale)
    same = existing_spelling(locale.strip())
    if same is None:
        code = validate_locale_code(locale)
        same = existing_spelling(code)
    if same is not None:
        spelled = "" if same == locale else f" (as {same!r}; codes differing only in case or separator are one locale)"
        raise LocaleError("locale", f"{locale!r} exists already{spelled}; use 'objector locales update {same}'")
    created = []
    for domain in ALL_DOMAINS:
        _write(_from_template(domain, code), po_path(code, domain))
        created.append(po_path(code, domain))
    glossary_path(code).write_text(glossary_template(code), encoding="utf-8")
    created.append(glossary_path(code))
    return created


def _from_template(domain: str, locale: str) -> Catalog:
    template = _read(pot_path(domain))
    cat = _new_catalog(domain, locale)
    for msg in template:
        if msg.id:
            cat.add(msg.id, locations=msg.locations, auto_comments=msg.auto_comments,
                    context=msg.context, flags=msg.flags)
    return cat


def update(locale: str) -> list[Path]:
    """Merge the current templates into a locale's catalogs (new entries untranslated);
    a domain the locale has no catalog for yet (e.g. ``campaign``) is started."""
    if not any(po_path(locale, d).exists() for d in ALL_DOMAINS):
        raise LocaleError("locale", f"no catalogs for {locale!r}; use 'objector locales init {locale}'")
    paths = []
    for domain in ALL_DOMAINS:
        path = po_path(locale, domain)
        if path.exists():
            cat = _read(path, locale)
            cat.update(_read(pot_path(domain)), no_fuzzy_matching=True)
            cat.obsolete.clear()
        else:
            cat = _from_template(domain, locale)
        _write(cat, path)
        paths.append(path)
    return paths


@dataclass(frozen=True)
class Issue:
    """One entry a translator must look at: where it is, what is wrong, which message."""

    domain: str
    path: Path
    line: int
    kind: str  # untranslated, fuzzy, missing, no catalog, or a problem's description
    msgid: str

    def describe(self, base: Path | None = None) -> str:
        """``path:line: kind: "msgid"``, the form editors and Poedit users can jump to."""
        shown = self.path.relative_to(base) if base and self.path.is_relative_to(base) else self.path
        text = self.msgid if len(self.msgid) <= 70 else self.msgid[:67] + "..."
        return f"{shown}:{self.line}: {self.kind}: {text!r}" if self.msgid else f"{shown}: {self.kind}"


@dataclass
class LocaleStatus:
    """How complete and how correct a locale's catalogs are."""

    locale: str
    total: int = 0
    translated: int = 0
    fuzzy: int = 0
    problems: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.translated == self.total and not self.fuzzy and not self.problems

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 0.0


def _placeholders(text: str) -> list[str]:
    return sorted(a or b for a, b in _PLACEHOLDER.findall(text))


def _texts(value: object) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value or ()]  # type: ignore[attr-defined]


def usable(catalog: Catalog) -> Catalog:
    """``catalog`` less the entries whose placeholders differ from the source.

    Such an entry would fail when the letter fills it in; dropped, it stays English
    (only partial catalogs previewed with --allow-incomplete can have one: complete
    catalogs are checked). Returns ``catalog`` itself when nothing is dropped.
    """
    def broken(msg: Any) -> bool:
        source = _placeholders(_texts(msg.id)[0])
        return any(s and _placeholders(s) != source for s in _texts(msg.string))

    if not any(msg.id and broken(msg) for msg in catalog):
        return catalog
    clean = Catalog(locale=catalog.locale, domain=catalog.domain, fuzzy=False)
    clean.mime_headers = catalog.mime_headers
    for msg in catalog:
        if msg.id and not broken(msg):
            clean[msg.id] = msg
    return clean


# Babel's parsed catalogs are large (a Message object per entry, with its
# comments and locations: about 1.5 MB per locale), and a letter needs them only
# once per locale, to compile its translations and check completeness (both
# cached on their own). So only a few are kept: a batch worker writing in 41
# languages stays flat, while checking one locale (its four catalogs against
# the four templates) still parses each file once.
@lru_cache(maxsize=8)
def _parsed(path: Path, locale: str | None, mtime_ns: int) -> Catalog:
    return _read(path, locale)


# The templates (.pot), one per domain, are compared with every locale's catalogs.
@lru_cache(maxsize=8)
def _parsed_template(path: Path, mtime_ns: int) -> Catalog:
    return _read(path)


def parsed(path: Path, locale: str | None = None) -> Catalog:
    """A parsed catalog, cached per process while the file is unchanged.

    Shared by the checks and by loading translations, so a letter parses each
    catalog it needs once. Callers must not modify the result.
    """
    if path.suffix == ".pot":
        return _parsed_template(path, path.stat().st_mtime_ns)
    return _parsed(path, locale, path.stat().st_mtime_ns)


def is_complete(locale: str, domains: tuple[str, ...] = DOMAINS) -> bool:
    """Whether a locale's catalogs in ``domains`` are complete and error-free
    (checked once per process while the files are unchanged)."""
    # One stat per catalog on plain strings: this runs for every letter of a batch,
    # and building Paths (twice per catalog) took a quarter of a text letter's time.
    folder = os.path.join(locales_dir(), locale, "LC_MESSAGES")
    stamps = []
    for domain in domains:
        try:
            stamps.append(os.stat(os.path.join(folder, f"{domain}.po")).st_mtime_ns)
        except FileNotFoundError:
            stamps.append(0)
    return _is_complete(locale, domains, tuple(stamps))


@lru_cache(maxsize=128)
def _is_complete(locale: str, domains: tuple[str, ...], _stamps: tuple[int, ...]) -> bool:
    return check(locale, domains).complete


def check(locale: str, domains: tuple[str, ...] = DOMAINS) -> LocaleStatus:
    """Count and check a locale's catalogs against the templates.

    Problems: entries missing from the catalog, fuzzy entries, placeholders or
    numbers (article references) that differ from the source, and Babel's own
    format checks. ``issues`` lists each entry to look at, untranslated ones too,
    with its file and line.
    """
    status = LocaleStatus(locale)

    def issue(domain: str, path: Path, line: int | None, kind: str, msgid: object = "") -> None:
        status.issues.append(Issue(domain, path, line or 0, kind, _texts(msgid)[0] if msgid else ""))

    for domain in domains:
        template = parsed(pot_path(domain))
        path = po_path(locale, domain)
        if not path.exists():
            status.total += sum(1 for m in template if m.id)
            status.problems.append(f"{domain}: no catalog")
            issue(domain, path, None, f"no catalog (run 'objector locales update {locale}')")
            continue
        cat = parsed(path, locale)
        for src in template:
            if not src.id:
                continue
            status.total += 1
            msg = cat.get(src.id, context=src.context)
            if msg is None:
                status.problems.append(f"{domain}: missing {src.id[:60]!r}")
                issue(domain, pot_path(domain), src.lineno,
                      f"missing from {path.name} (run 'objector locales update {locale}')", src.id)
                continue
            if msg.fuzzy:
                status.fuzzy += 1
                issue(domain, path, msg.lineno, "fuzzy", src.id)
                continue
            sources = _texts(src.id)
            strings = _texts(msg.string)
            if not strings or not all(strings):
                issue(domain, path, msg.lineno, "untranslated", src.id)
                continue
            status.translated += 1
            label = sources[0][:60]
            for string in strings:
                if _placeholders(string) != _placeholders(sources[0]):
                    status.problems.append(f"{domain}: placeholders differ in {label!r}")
                    issue(domain, path, msg.lineno, "placeholders differ from the source", src.id)
                if sorted(_NUMBER.findall(sources[0])) != sorted(_NUMBER.findall(string)):
                    status.problems.append(f"{domain}: numbers differ in {label!r}")
                    issue(domain, path, msg.lineno, "numbers differ from the source", src.id)
        for msg, errors in _drop_false_formats(cat).check():
            for error in errors:
                status.problems.append(f"{domain}: {msg.id!r}: {error}")
                issue(domain, path, msg.lineno, str(error), msg.id)
    return status


def catalog_locales() -> list[str]:
    """Every locale with at least one catalog on disk."""
    root = locales_dir()
    return sorted({p.parent.parent.name for d in DOMAINS for p in root.glob(f"*/LC_MESSAGES/{d}.po")})
