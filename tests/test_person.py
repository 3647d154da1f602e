"""The person a letter is for: Person.create and its validation helpers."""

from __future__ import annotations

from typing import Any

import pytest

from objector.errors import InputError
from objector.person import (
    MAX_ADDRESS_LINES,
    MAX_NAME,
    Person,
    clean_paragraph,
    email_key,
    header_email,
    normalise_email,
    normalise_profile_url,
    resolve_state,
)

VALID: dict[str, Any] = {"name": "Anna Muster", "email": "anna@example.org", "country": "DE"}


def make(**changes: Any) -> Person:
    return Person.create(**(VALID | changes))


def test_valid_person_is_normalised() -> None:
    p = Person.create("  Anna Muster ", "Anna@Example.ORG", "de", address="Musterstr. 1|80331 München",
                      profile_url="linkedin.com/in/anna-muster")
    assert p.name == "Anna Muster"
    assert p.email == "Anna@example.org"  # email_validator lower-cases the domain only
    assert p.country == "DE"
    assert p.state is None
    assert p.address == ("Musterstr. 1", "80331 München")
    assert p.profile_url == "https://linkedin.com/in/anna-muster"


def test_minimal_person() -> None:
    p = make()
    assert (p.name, p.email, p.country, p.state, p.address, p.profile_url) == (
        "Anna Muster", "anna@example.org", "DE", None, (), None)


@pytest.mark.parametrize(
    ("country", "state", "norm_country", "norm_state"),
    [
        ("de", "by", "DE", "BY"),
        ("us", "ca", "US", "CA"),
        ("US", "us-ny", "US", "NY"),
        ("ca", "QC", "CA", "QC"),
        ("uk", None, "GB", None),
        (" fr ", "", "FR", None),
        ("jp", None, "JP", None),
    ],
)
def test_country_and_state_normalised(country: str, state: str | None, norm_country: str,
                                      norm_state: str | None) -> None:
    p = make(country=country, state=state)
    assert (p.country, p.state) == (norm_country, norm_state)


@pytest.mark.parametrize(
    ("address", "lines"),
    [
        ("a|b", ("a", "b")),
        (["a", "b"], ("a", "b")),
        (("a", "b"), ("a", "b")),
        ("a\nb", ("a", "b")),
        ("a\r\nb\rc", ("a", "b", "c")),
        (" a | | b ", ("a", "b")),
        (["Flat 2", "", "  10 Downing Street "], ("Flat 2", "10 Downing Street")),
        ("", ()),
        (None, ()),
        ([], ()),
        ("1|2|3|4|5|6", ("1", "2", "3", "4", "5", "6")),
    ],
)
def test_address_lines(address: Any, lines: tuple[str, ...]) -> None:
    assert make(address=address).address == lines


def test_name_at_the_limit_is_accepted() -> None:
    assert make(name="x" * MAX_NAME).name == "x" * MAX_NAME


INVALID = [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": None}, "name"),
    ({"name": 42}, "name"),
    ({"name": "Anna\nMuster"}, "name"),
    ({"name": "Anna\r\nBcc: x@y.z"}, "name"),
    ({"name": "Anna\x00Muster"}, "name"),
    ({"name": "Anna\u2028Muster"}, "name"),
    ({"name": "x" * (MAX_NAME + 1)}, "name"),
    ({"email": ""}, "email"),
    ({"email": None}, "email"),
    ({"email": "no-at"}, "email"),
    ({"email": "a@b"}, "email"),
    ({"email": "a@localhost"}, "email"),
    ({"email": "x@example.org\r\nBcc: y@z.org"}, "email"),
    ({"email": "anna muster@example.org"}, "email"),
    ({"email": "anna@example..org"}, "email"),
    ({"email": "Anna <anna@example.org>"}, "email"),
    ({"country": ""}, "country"),
    ({"country": None}, "country"),
    ({"country": "XX"}, "country"),
    ({"country": "Germany"}, "country"),
    ({"country": "US"}, "state"),
    ({"country": "US", "state": "ZZ"}, "state"),
    ({"country": "FR", "state": "IDF"}, "state"),
    ({"profile_url": "https://evil.com/in/x"}, "profile_url"),
    ({"profile_url": "https://linkedin.com.evil.com/in/anna"}, "profile_url"),
    ({"profile_url": "https://evil-linkedin.com/in/anna"}, "profile_url"),
    ({"profile_url": "javascript:alert(1)"}, "profile_url"),
    ({"profile_url": "https://www.linkedin.com/company/x"}, "profile_url"),
    ({"profile_url": "https://user@www.linkedin.com/in/anna"}, "profile_url"),
    ({"profile_url": "https://www.linkedin.com:8443/in/anna"}, "profile_url"),
    ({"profile_url": "ftp://www.linkedin.com/in/anna"}, "profile_url"),
    ({"profile_url": "https://www.linkedin.com/in/"}, "profile_url"),
    ({"profile_url": "https://www.linkedin.com/in/anna/posts"}, "profile_url"),
    ({"profile_url": "https://www.linkedin.com/in/anna\nBcc: x@y.z"}, "profile_url"),
    ({"profile_url": 42}, "profile_url"),
    ({"address": "1|2|3|4|5|6|7"}, "address"),
    ({"address": [str(i) for i in range(MAX_ADDRESS_LINES + 1)]}, "address"),
    ({"address": ["Musterstr. 1", "x" * 121]}, "address"),
    ({"address": ["Musterstr. 1", "Bcc:\x00"]}, "address"),
    ({"address": ["Musterstr. 1", 80331]}, "address"),
    ({"address": 80331}, "address"),
]


@pytest.mark.parametrize(("changes", "field"), INVALID, ids=[f"{f}-{i}" for i, (_, f) in enumerate(INVALID)])
def test_invalid_person(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as info:
        make(**changes)
    assert info.value.field == field
    assert str(info.value).startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("linkedin.com/in/anna-muster", "https://linkedin.com/in/anna-muster"),
        ("https://de.linkedin.com/in/anna/", "https://de.linkedin.com/in/anna"),
        ("https://www.linkedin.com/in/anna-muster-1a2b3c/", "https://www.linkedin.com/in/anna-muster-1a2b3c"),
        ("http://www.linkedin.com/in/anna", "https://www.linkedin.com/in/anna"),
        ("HTTPS://WWW.LINKEDIN.COM/in/anna", "https://www.linkedin.com/in/anna"),
        ("www.linkedin.com/in/anna?trk=public_profile", "https://www.linkedin.com/in/anna"),
        ("  https://www.linkedin.com/in/anna#about  ", "https://www.linkedin.com/in/anna"),
    ],
)
def test_profile_url_normalised(url: str, normalised: str) -> None:
    assert normalise_profile_url(url) == normalised
    assert make(profile_url=url).profile_url == normalised


@pytest.mark.parametrize("url", [None, "", "   "])
def test_profile_url_optional(url: str | None) -> None:
    assert normalise_profile_url(url) is None


# A malformed authority in the URL makes urllib raise a plain ValueError; it must
# still be reported as a bad profile_url (exit 2), not as an internal error.
@pytest.mark.parametrize("url", ["https://www.linkedin.com:abc/in/anna", "https://www.linkedin.com]/in/anna",
                                 "https://[www.linkedin.com/in/anna"])
def test_malformed_profile_url_is_an_input_error(url: str) -> None:
    with pytest.raises(InputError) as info:
        make(profile_url=url)
    assert info.value.field == "profile_url"


@pytest.mark.parametrize(
    ("email", "normalised"),
    [
        ("Anna@Example.ORG", "Anna@example.org"),
        ("  anna@example.org ", "anna@example.org"),
        ("anna.muster+linkedin@mail.example.co.uk", "anna.muster+linkedin@mail.example.co.uk"),
    ],
)
def test_normalise_email(email: str, normalised: str) -> None:
    assert normalise_email(email) == normalised


def test_from_mapping_treats_empty_values_as_missing() -> None:
    p = Person.from_mapping({"name": "Anna Muster", "email": "anna@example.org", "country": "de",
                             "state": "", "address": "", "profile_url": ""})
    assert (p.country, p.state, p.address, p.profile_url) == ("DE", None, (), None)


@pytest.mark.parametrize(("missing", "field"), [("name", "name"), ("email", "email"), ("country", "country")])
def test_from_mapping_missing_field(missing: str, field: str) -> None:
    row = {"name": "Anna Muster", "email": "anna@example.org", "country": "DE"}
    row[missing] = ""
    with pytest.raises(InputError) as info:
        Person.from_mapping(row)
    assert info.value.field == field


def test_person_is_immutable() -> None:
    p = make()
    with pytest.raises(AttributeError):
        p.name = "Mallory"  # type: ignore[misc]


# --- clean_paragraph ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("first line\nsecond line", "first line second line"),
        ("first\r\nsecond\rthird", "first second third"),
        ("a\n\n\n  b", "a b"),
        ("  a  \n  b  ", "a b"),
        ("\nleading and trailing\n", "leading and trailing"),
        ("I am a journalist; my posts name my sources.", "I am a journalist; my posts name my sources."),
        ("tab\there", "tab here"),  # a tab is spacing typed by hand, not a control (m24)
        ("a \t\t b\t", "a b"),
    ],
)
def test_clean_paragraph_joins_lines(text: str, cleaned: str) -> None:
    assert clean_paragraph(text, "reason") == cleaned


@pytest.mark.parametrize("text", ["a\x00b", "\x1b[31mred", "bell\x07", "a\ufeffb", "a\u2028b", "a\x85b"])
def test_clean_paragraph_refuses_control_characters(text: str) -> None:
    with pytest.raises(InputError) as info:
        clean_paragraph(text, "reason")
    assert info.value.field == "reason"


def test_clean_paragraph_limit_and_type() -> None:
    assert clean_paragraph("x" * 10, "reason", limit=10) == "x" * 10
    with pytest.raises(InputError) as info:
        clean_paragraph("x" * 11, "reason", limit=10)
    assert info.value.field == "reason"
    with pytest.raises(InputError) as info:
        clean_paragraph(None, "grounds")
    assert info.value.field == "grounds"


# --- names that print as nothing (m9) -------------------------------------------------


@pytest.mark.parametrize("name", ["\u200d", "\u200c\u200d", "\u0301\u0301\u0301", "\u3164", "\u2800",
                                  "\u200e\u200f", "\u2066\u2069", " \u115f\u1160 ", "\ufeff"])
def test_invisible_name_is_missing(name: str) -> None:
    with pytest.raises(InputError) as info:
        make(name=name)
    assert str(info.value) == "name: is required"


@pytest.mark.parametrize(("name", "kept"), [
    ("Anna   Muster", "Anna Muster"),
    ("e\u0301mile", "\u00e9mile"),  # a combining accent on a letter is part of the name
    ("\U0001f469\u200d\U0001f4bb", "\U0001f469\u200d\U0001f4bb"),  # an emoji ZWJ sequence shows
    ("\uc774\ubbfc\uc900", "\uc774\ubbfc\uc900"),
])
def test_visible_names_are_kept(name: str, kept: str) -> None:
    assert make(name=name).name == kept


# --- text that is not UTF-8 (M7) ------------------------------------------------------

# Undecodable command-line bytes arrive as lone surrogates (surrogateescape), and so
# does a JSON escape such as "\ud800"; no output format can encode them.
@pytest.mark.parametrize("field", ["name", "email", "country", "state", "profile_url", "address"])
def test_lone_surrogate_is_a_field_error(field: str) -> None:
    with pytest.raises(InputError) as info:
        make(**{field: "J\udcf6rg"})
    assert str(info.value) == f"{field}: is not valid UTF-8 text"


def test_lone_surrogate_in_a_paragraph() -> None:
    with pytest.raises(InputError) as info:
        clean_paragraph("caf\udce9", "reason")
    assert str(info.value) == "reason: is not valid UTF-8 text"


# --- address lines (m26) --------------------------------------------------------------


@pytest.mark.parametrize(("address", "lines"), [
    ("Hauptstr. 1|Hinterhaus\n80331 München", ("Hauptstr. 1|Hinterhaus", "80331 München")),
    ("Hauptstr. 1|Hinterhaus\n", ("Hauptstr. 1|Hinterhaus",)),  # a one-item JSONL list
    (["Hauptstr. 1|Hinterhaus", "80331 München"], ("Hauptstr. 1|Hinterhaus", "80331 München")),
])
def test_bar_splits_only_a_one_line_address(address: Any, lines: tuple[str, ...]) -> None:
    assert make(address=address).address == lines


# --- e-mail: as typed, IDNA in headers, case-insensitive identity (m22, m25) ----------


@pytest.mark.parametrize(("typed", "shown", "header"), [
    ("anna@xn--bcher-kva.example", "anna@xn--bcher-kva.example", "anna@xn--bcher-kva.example"),
    ("anna@B\u00fccher.example", "anna@b\u00fccher.example", "anna@xn--bcher-kva.example"),
    ("j\u00f6rg@b\u00fccher.example", "j\u00f6rg@b\u00fccher.example", "j\u00f6rg@xn--bcher-kva.example"),
    ("Anna@Example.ORG", "Anna@example.org", "Anna@example.org"),
])
def test_email_shown_as_typed_and_idna_in_headers(typed: str, shown: str, header: str) -> None:
    assert normalise_email(typed) == shown
    assert header_email(shown) == header


@pytest.mark.parametrize(("a", "b"), [
    ("anna@example.org", "ANNA@EXAMPLE.ORG"),
    ("Anna.Muster@Example.org", "anna.muster@example.ORG"),
    ("anna@xn--bcher-kva.example", "Anna@B\u00fccher.example"),
])
def test_email_key_ignores_case_and_domain_spelling(a: str, b: str) -> None:
    assert email_key(normalise_email(a)) == email_key(normalise_email(b))
    assert make(email=a).email_key == make(email=b).email_key


def test_email_key_keeps_different_people_apart() -> None:
    assert email_key("anna@example.org") != email_key("anne@example.org")


# --- places written as names (m21) ----------------------------------------------------


@pytest.mark.parametrize(("country", "state", "code"), [
    ("US", "Texas", "TX"),
    ("US", "texas", "TX"),
    ("US", "New York", "NY"),
    ("US", "Washington, D.C.", "DC"),
    ("US", "Washington", "WA"),
    ("CA", "Quebec", "QC"),
    ("CA", "Qu\u00e9bec", "QC"),
    ("CA", "Nouvelle-\u00c9cosse", "NS"),
    ("CA", "british columbia", "BC"),
    ("DE", "Bayern", "BY"),
    ("DE", "Bavaria", "BY"),
    ("DE", "Thueringen", None),
    ("DE", "Th\u00fcringen", "TH"),
    ("DE", "Thuringen", "TH"),
    ("DE", "nordrhein westfalen", "NW"),
])
def test_state_names_resolve_to_codes(country: str, state: str, code: str | None) -> None:
    if code is None:
        with pytest.raises(InputError) as info:
            make(country=country, state=state)
        assert "did you mean TH (Th\u00fcringen)?" in str(info.value)
    else:
        assert make(country=country, state=state).state == code


def test_unknown_state_lists_the_codes() -> None:
    with pytest.raises(InputError) as info:
        make(country="US", state="Texs")
    message = str(info.value)
    assert message.startswith("state: unknown state or province 'Texs' for US; did you mean TX (Texas)?")
    assert "(codes: AL, AK, " in message and ", WY, " in message


def test_state_for_a_country_without_states_is_still_refused() -> None:
    with pytest.raises(InputError) as info:
        make(country="FR", state="Bretagne")
    assert info.value.field == "state"


@pytest.mark.parametrize(("batch", "wording"), [
    (False, "state: a US resident must give a state (e.g. --state CA): the law differs by state"),
    (True, "state: is required for a US resident (the law differs by state), e.g. CA or TX"),
])
def test_missing_us_state_wording(batch: bool, wording: str) -> None:
    with pytest.raises(InputError) as info:
        resolve_state("US", None, batch=batch)
    assert str(info.value) == wording


def test_batch_row_message_names_no_option() -> None:
    with pytest.raises(InputError) as info:
        Person.from_mapping({"name": "Bo", "email": "bo@example.org", "country": "US"})
    assert info.value.field == "state" and "--" not in info.value.message
    assert not info.value.message.startswith("state")


# Direction controls (issue 12) are stripped, not refused: text pasted from Hebrew or
# Arabic forms carries them, and objector isolates runs itself (bidi.py).
@pytest.mark.parametrize(("raw", "clean"), [
    ("Anna\u202eMuster", "AnnaMuster"),
    ("\u200f\u05e9\u05e8\u05d4 \u05db\u05d4\u05df\u200f", "\u05e9\u05e8\u05d4 \u05db\u05d4\u05df"),
    ("\u2066Alex\u2069 \u202bExample\u202c", "Alex Example"),
    ("a\u061cb\u200ec\u2067d\u2068e", "abcde"),
])
def test_direction_controls_are_stripped_from_person_data(raw: str, clean: str) -> None:
    person = Person.create(raw, "a@example.org", "DE")
    assert person.name == clean
    assert clean_paragraph(f"Grounds {raw}.", "reason") == f"Grounds {clean}."
