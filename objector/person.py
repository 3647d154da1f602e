"""The person a letter is for: validated, untrusted input (name, e-mail, place, profile)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from .bidi import strip_controls
from .errors import InputError

MAX_NAME = 200
MAX_ADDRESS_LINE = 120
MAX_ADDRESS_LINES = 6
MAX_REASON = 3000

# LinkedIn public profile URLs: https://www.linkedin.com/in/<slug>/ (country
# subdomains such as de.linkedin.com exist too).
_PROFILE_HOST = re.compile(r"^([a-z]{2,3}\.|www\.)?linkedin\.com$")
_PROFILE_PATH = re.compile(r"^/in/[^/?#\s]{3,100}/?$")


def _check_text(value: Any, field: str) -> str:
    """``value`` if it is text that can be written as UTF-8, else InputError naming ``field``."""
    if not isinstance(value, str):
        raise InputError(field, "must be text")
    # Lone surrogates come from undecodable command-line bytes (surrogateescape)
    # or JSON escapes such as "\ud800"; no output format can encode them.
    if _SURROGATE.search(value):
        raise InputError(field, "is not valid UTF-8 text")
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")

# Letters and symbols that print as nothing: Hangul fillers, the blank Braille
# pattern, Khmer inherent vowels, the Mongolian vowel separator.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5\u180e")


def is_visible(text: str) -> bool:
    """Whether ``text`` shows anything on paper: a letter, digit, punctuation or symbol
    that is not a blank filler (combining marks, joiners and spaces alone show nothing)."""
    return any(unicodedata.category(ch)[0] in "LNPS" and ch not in _INVISIBLE for ch in text)


def _clean_line(value: Any, field: str, limit: int) -> str:
    """One line of text: no control characters (so no header or layout injection)."""
    # Direction controls are stripped rather than refused (objector isolates runs
    # itself, and text pasted from Hebrew or Arabic forms often carries them).
    text = strip_controls(unicodedata.normalize("NFC", _check_text(value, field))).strip()
    # Printable ASCII has none of those categories: most names and addresses
    # skip the look at each character.
    if not (text.isascii() and text.isprintable()) and any(
            unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch not in "\u200d\u200c" for ch in text):
        raise InputError(field, "must be a single line without control characters")
    if len(text) > limit:
        raise InputError(field, f"is too long ({len(text)} characters; at most {limit})")
    return text


def clean_paragraph(value: Any, field: str, limit: int = MAX_REASON) -> str:
    """Free text such as a reason: line breaks become spaces, direction controls are
    stripped, other controls are refused."""
    # A tab is spacing typed by hand (or pasted from a spreadsheet), not markup.
    text = re.sub(r"\s*[\r\n\t]+\s*", " ", unicodedata.normalize("NFC", _check_text(value, field))).strip()
    return _clean_line(text, field, limit)


def normalise_email(value: Any) -> str:
    """The normalised e-mail address, validated offline (no DNS lookups)."""
    text = _clean_line(value, "email", 254)
    if not text:
        raise InputError("email", "is required")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InputError("email", str(exc).rstrip(".")) from None
    # The letter shows the domain as typed (lower case): a punycode domain stays
    # punycode rather than turning into letters the person never wrote.
    typed_domain = text.rpartition("@")[2]
    domain = typed_domain.lower() if typed_domain.isascii() else result.domain
    return f"{result.local_part}@{domain}"


@lru_cache(maxsize=4096)
def _email_parts(email: str) -> tuple[str, str]:
    """The local part and the IDNA (ASCII) domain of a normalised address."""
    local, _, domain = email.rpartition("@")
    if not domain.isascii():
        domain = validate_email(email, check_deliverability=False).ascii_domain
    return local, domain.lower()


def header_email(email: str) -> str:
    """The address for an e-mail header: the domain in IDNA form (``xn--``), as every
    mail system accepts; a non-ASCII local part stays UTF-8 (RFC 6532)."""
    local, domain = _email_parts(email)
    return f"{local}@{domain}"


def email_key(email: str) -> str:
    """The address as compared for duplicates: case-insensitive, IDNA domain."""
    local, domain = _email_parts(email)
    return f"{local.casefold()}@{domain}"


def normalise_profile_url(value: Any) -> str | None:
    """A LinkedIn profile URL (``https://www.linkedin.com/in/<name>``), or None."""
    if value is None:
        return None
    text = _clean_line(value, "profile_url", 300)
    if not text:
        return None
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        port = parts.port  # raises ValueError for a malformed port
    except ValueError:
        host, port, parts = "", None, urlsplit("")
    if parts.scheme not in ("https", "http") or not _PROFILE_HOST.match(host) or parts.username or port:
        raise InputError("profile_url", "must be a linkedin.com profile URL such as https://www.linkedin.com/in/your-name")
    if not _PROFILE_PATH.match(parts.path):
        raise InputError("profile_url", "must be a profile URL of the form https://www.linkedin.com/in/your-name")
    return f"https://{host}{parts.path.rstrip('/')}"


@dataclass(frozen=True)
class Person:
    """A validated person. Build it with :meth:`Person.create` to get field-named errors."""

    name: str
    email: str
    country: str
    state: str | None = None
    address: tuple[str, ...] = ()
    profile_url: str | None = None

    @classmethod
    def create(
        cls,
        name: Any,
        email: Any,
        country: Any,
        state: Any = None,
        address: Any = None,
        profile_url: Any = None,
        *,
        batch: bool = False,
    ) -> Person:
        """Validate every field; the first bad one raises InputError naming it.

        ``address`` is a sequence of lines, or one string whose lines are separated
        by newlines or, in a one-line value, by ``|``. ``batch`` words the messages
        for a row of a file (columns) rather than the command line (options).
        """
        from .decision import normalise_country, normalise_state

        # A name of only joiners, marks, fillers or direction controls prints as
        # nothing: it is missing, whatever else is wrong with it.
        if not is_visible(_check_text(name, "name")):
            raise InputError("name", "is required")
        clean_name = " ".join(_clean_line(name, "name", MAX_NAME).split())
        clean_email = normalise_email(email)
        if not isinstance(country, str) or not country.strip():
            raise InputError("country", "is required (ISO code such as DE, GB, US)")
        cc = normalise_country(_check_text(country, "country"))
        st = normalise_state(cc, resolve_state(cc, state, batch=batch))
        return cls(
            name=clean_name,
            email=clean_email,
            country=cc,
            state=st,
            address=_address_lines(address),
            profile_url=normalise_profile_url(profile_url),
        )

    @property
    def email_key(self) -> str:
        """The e-mail address as compared for duplicates (see :func:`email_key`)."""
        return email_key(self.email)

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any], *, batch: bool = True) -> Person:
        """Build from a dict with keys name, email, country, state, address, profile_url
        (a row of a batch file: messages name columns, not options)."""
        def get(key: str) -> Any:
            value = row.get(key)
            return value if value not in ("", None) else None

        return cls.create(get("name") or "", get("email") or "", get("country") or "",
                          get("state"), get("address"), get("profile_url"), batch=batch)


def _fold(text: str) -> str:
    """A place name for matching: no accents, case, punctuation or extra spaces."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", plain.casefold()).split())


# Other names people write for a state or province: English names of German
# Länder, French names of Canadian provinces (subdivisions.toml has one name each).
_PLACE_ALIASES: dict[str, dict[str, str]] = {
    "DE": {"Bavaria": "BY", "Hesse": "HE", "Lower Saxony": "NI", "North Rhine-Westphalia": "NW",
           "Rhineland-Palatinate": "RP", "Saxony": "SN", "Saxony-Anhalt": "ST", "Thuringia": "TH",
           "Mecklenburg-Western Pomerania": "MV", "Mecklenburg-West Pomerania": "MV"},
    "CA": {"Colombie-Britannique": "BC", "Nouveau-Brunswick": "NB", "Terre-Neuve-et-Labrador": "NL",
           "Nouvelle-Écosse": "NS", "Territoires du Nord-Ouest": "NT", "Île-du-Prince-Édouard": "PE"},
    "US": {"Washington DC": "DC", "Washington D.C.": "DC"},
}


@lru_cache(maxsize=64)
def _place_names(country: str) -> dict[str, frozenset[str]]:
    """Folded place name -> the codes it may mean, for one country."""
    from .data import dataset

    index: dict[str, set[str]] = {}
    known = dataset().subdivisions.get(country, {})
    for code, name in [*known.items(), *((c, n) for n, c in _PLACE_ALIASES.get(country, {}).items())]:
        index.setdefault(_fold(name), set()).add(code)
    return {k: frozenset(v) for k, v in index.items()}


def resolve_state(country: str, state: Any, *, batch: bool = False) -> str | None:
    """``state`` as a code of ``country`` where it is written as a name (``Texas``,
    ``Québec``, ``Bayern``); a code, or anything unknown, is passed on unchanged for
    :func:`objector.decision.normalise_state` to check, except that an unknown name
    gets the list of codes. ``batch`` words a missing US state for a file's row."""
    from .data import dataset

    if state is None or (isinstance(state, str) and not state.strip()):
        if country == "US":
            raise InputError("state", "is required for a US resident (the law differs by state), e.g. CA or TX"
                             if batch else
                             "a US resident must give a state (e.g. --state CA): the law differs by state")
        return None
    text = _check_text(state, "state").strip()
    known = dataset().subdivisions.get(country)
    if known is None:
        return text
    code = text.upper().removeprefix(f"{country}-")
    if code in known:
        return code
    names = _place_names(country)
    found = names.get(_fold(text), frozenset())
    if len(found) == 1:
        return next(iter(found))
    codes = ", ".join(f"{c} ({known[c]})" for c in sorted(found)) if found else ", ".join(known)
    if found:
        raise InputError("state", f"{text!r} could mean {codes} for {country}; give the code")
    close = difflib.get_close_matches(_fold(text), list(names), n=1, cutoff=0.75)
    hint = ""
    if close:
        guess = sorted(names[close[0]])[0]
        hint = f"; did you mean {guess} ({known[guess]})?"
    raise InputError("state", f"unknown state or province {text!r} for {country}{hint} (codes: {codes})")


def _address_lines(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        # Lines are separated by line breaks; ``|`` separates them only in a one-line
        # value (a CSV cell), so a list item or a multi-line value may contain it.
        breaks = re.compile(r"\r\n|\r|\n")
        raw = breaks.split(value) if breaks.search(value) else value.split("|")
    elif isinstance(value, (list, tuple)):
        raw = list(value)
    else:
        raise InputError("address", "must be text or a list of lines")
    lines = tuple(line for line in (_clean_line(v, "address", MAX_ADDRESS_LINE) for v in raw) if line)
    if len(lines) > MAX_ADDRESS_LINES:
        raise InputError("address", f"has {len(lines)} lines; at most {MAX_ADDRESS_LINES}")
    return lines
