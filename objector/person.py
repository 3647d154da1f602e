"""The person a letter is for: validated, untrusted input (name, e-mail, place, profile)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from .errors import InputError

MAX_NAME = 200
MAX_ADDRESS_LINE = 120
MAX_ADDRESS_LINES = 6
MAX_REASON = 3000

# LinkedIn public profile URLs: https://www.linkedin.com/in/<slug>/ (country
# subdomains such as de.linkedin.com exist too).
_PROFILE_HOST = re.compile(r"^([a-z]{2,3}\.|www\.)?linkedin\.com$")
_PROFILE_PATH = re.compile(r"^/in/[^/?#\s]{3,100}/?$")


def _clean_line(value: Any, field: str, limit: int) -> str:
    """One line of text: no control characters (so no header or layout injection)."""
    if not isinstance(value, str):
        raise InputError(field, "must be text")
    text = unicodedata.normalize("NFC", value).strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch not in "\u200d\u200c" for ch in text):
        raise InputError(field, "must be a single line without control characters")
    if len(text) > limit:
        raise InputError(field, f"is too long ({len(text)} characters; at most {limit})")
    return text


def clean_paragraph(value: Any, field: str, limit: int = MAX_REASON) -> str:
    """Free text such as a reason: line breaks become spaces, other controls are refused."""
    if not isinstance(value, str):
        raise InputError(field, "must be text")
    text = re.sub(r"\s*[\r\n]+\s*", " ", unicodedata.normalize("NFC", value)).strip()
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
    return result.normalized


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
    ) -> Person:
        """Validate every field; the first bad one raises InputError naming it.

        ``address`` is a sequence of lines, or one string whose lines are separated
        by newlines or ``|``.
        """
        from .decision import normalise_country, normalise_state

        clean_name = _clean_line(name, "name", MAX_NAME)
        if not clean_name:
            raise InputError("name", "is required")
        clean_email = normalise_email(email)
        if not isinstance(country, str) or not country.strip():
            raise InputError("country", "is required (ISO code such as DE, GB, US)")
        cc = normalise_country(country)
        st = normalise_state(cc, state if isinstance(state, str) else None)
        return cls(
            name=clean_name,
            email=clean_email,
            country=cc,
            state=st,
            address=_address_lines(address),
            profile_url=normalise_profile_url(profile_url),
        )

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> Person:
        """Build from a dict with keys name, email, country, state, address, profile_url."""
        def get(key: str) -> Any:
            value = row.get(key)
            return value if value not in ("", None) else None

        return cls.create(get("name") or "", get("email") or "", get("country") or "",
                          get("state"), get("address"), get("profile_url"))


def _address_lines(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        raw = re.split(r"\r\n|\r|\n|\|", value)
    elif isinstance(value, (list, tuple)):
        raw = list(value)
    else:
        raise InputError("address", "must be text or a list of lines")
    lines = tuple(line for line in (_clean_line(v, "address", MAX_ADDRESS_LINE) for v in raw) if line)
    if len(lines) > MAX_ADDRESS_LINES:
        raise InputError("address", f"has {len(lines)} lines; at most {MAX_ADDRESS_LINES}")
    return lines
