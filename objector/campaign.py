"""Campaign files: what an advocacy group sets once for all its members' letters.

A campaign (TOML) sets the default letter kind, language and grounds, extra
paragraphs, the organisation for the footer, representation under GDPR Art. 80(1)
(a mandate form per member and a covering letter per LinkedIn entity), and may
bring templates that extend the built-in ones. Campaign templates run in Jinja's
immutable sandbox with a budget of time and size per render, and load only plain
files inside the campaign's templates folder and objector's own templates: they
cannot read other files, reach the network, run code or exhaust the machine, and
a template that tries is refused with an error naming the template and line,
before any letter is written (a sample letter is rendered when the file is loaded).

A campaign's ``locale`` is a fallback: each member's letter is in their own
country's language, as ``objector letter`` would write it, and in the campaign's
language only where objector has no catalog for theirs, unless
``locale_policy = "force"``.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import tomllib
import traceback
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, Literal

from babel import Locale, UnknownLocaleError
from jinja2 import TemplateError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .decision import Decision
from .errors import InputError, ObjectorError
from .i18n import (
    SOURCE_LOCALE,
    country_locales,
    is_letter_locale,
    long_date,
    resolve_letter_locale,
    translations,
)
from .letter import KINDS_AND_AUTO, Letter
from .person import _clean_line, clean_paragraph, is_visible, normalise_email
from .resources import locales_dir
from .templating import BudgetError, campaign_loader, render_budget

CAMPAIGN_DOMAIN = "campaign"


class CampaignError(ObjectorError):
    """A campaign file or template is invalid or tried something it may not (exit status 2)."""

    exit_status = 2


class Organisation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    email: str
    address: tuple[str, ...] = ()
    website: str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        return normalise_email(v)


class Representation(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # GDPR Art. 80(1): a not-for-profit body, properly constituted, with statutory
    # objectives in the public interest and active in data protection.
    article_80: bool = False
    not_for_profit: bool = False


class CampaignFile(BaseModel):
    """The campaign file's fields (see README, "Campaigns")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: str = "auto"
    locale: str | None = None
    # "fallback": the member's own language where objector has it (as a single
    # letter would be), the campaign's otherwise; "force": the campaign's always.
    locale_policy: Literal["fallback", "force"] = "fallback"
    reason_preset: str | None = None
    no_grounds: bool = False
    templates: str | None = None
    organisation: Organisation | None = None
    extra_paragraphs: list[str] | dict[str, list[str]] = Field(default_factory=list)
    representation: Representation = Representation()


def campaign_locale(locale: str) -> str:
    """The language campaign documents can be written in for a letter in ``locale``:
    that locale where its ``campaign`` catalog is complete, else English."""

    from .catalogs import is_complete

    path = locales_dir() / locale / "LC_MESSAGES" / f"{CAMPAIGN_DOMAIN}.po"
    if locale != SOURCE_LOCALE and path.is_file() and is_complete(locale, (CAMPAIGN_DOMAIN,)):
        return locale
    return SOURCE_LOCALE


def _campaign_translations(locale: str) -> Any:
    """The campaign catalog for ``locale`` if it is complete, else English."""
    loc = campaign_locale(locale)
    return translations(loc, CAMPAIGN_DOMAIN) if loc != SOURCE_LOCALE else translations(SOURCE_LOCALE)


class Campaign:
    """A loaded, checked campaign."""

    def __init__(self, path: Path, spec: CampaignFile) -> None:
        self.path = path
        self.spec = spec
        self.name = spec.name
        self.kind = spec.kind
        self.reason_preset = spec.reason_preset
        self.allow_no_grounds = spec.no_grounds
        where = path.name

        def fail(key: str, message: str) -> CampaignError:
            return CampaignError(f"{where}: {key}: {message}")

        self.locale: str | None = None
        if spec.locale is not None:
            try:
                self.locale = resolve_letter_locale(spec.locale)[0]
            except InputError as exc:
                raise fail("locale", exc.message) from None
        if spec.locale_policy == "force" and self.locale is None:
            raise fail("locale_policy", '"force" needs a locale to force')
        if spec.kind not in KINDS_AND_AUTO:
            raise fail("kind", f"unknown letter kind {spec.kind!r} (one of {', '.join(KINDS_AND_AUTO)})")
        if spec.reason_preset is not None:
            from .data import dataset

            reasons = dataset().reasons
            if spec.reason_preset not in reasons:
                raise fail("reason_preset", f"unknown preset {spec.reason_preset!r} "
                                            f"(see 'objector reasons': {', '.join(reasons)})")
        _check_texts(spec, fail)
        self.paragraphs = _paragraphs(spec, self.locale, fail)
        self.template_dir = _template_folder(path, spec.templates, fail) if spec.templates is not None else None
        if spec.representation.article_80:
            if spec.organisation is None:
                raise fail("representation.article_80", "needs an [organisation]")
            if not spec.representation.not_for_profit:
                raise fail("representation.not_for_profit", "GDPR Art. 80(1) representation is open only to a "
                           "not-for-profit body; set representation.not_for_profit = true to confirm")

    # --- templates -----------------------------------------------------------------------

    @cache  # noqa: B019 - one environment per (campaign, locale) for the process's life
    def environment(self, locale: str) -> ImmutableSandboxedEnvironment:
        """Campaign templates first, then the built-in ones (also reachable as ``objector/...``)."""
        from .templating import make_environment

        env = make_environment(campaign_loader(self.template_dir), locale, sandboxed=True)
        assert isinstance(env, ImmutableSandboxedEnvironment)
        return env

    def guarded(self, action: Callable[[], Any], name: str | None = None) -> Any:
        """Run a render within the time budget; a campaign template's error, whatever
        it is, names the template and line (``name`` when no template line is known)."""
        try:
            with render_budget():
                return action()
        except TemplateSyntaxError as exc:
            raise CampaignError(f"campaign template {exc.name or exc.filename}, line {exc.lineno}: "
                                f"{exc.message}") from None
        except BudgetError as exc:
            raise CampaignError(f"campaign template {self._template_frame(exc, name)}: {exc}") from None
        except (TemplateError, OverflowError, MemoryError, RecursionError) as exc:
            where = self._template_frame(exc, name)
            raise CampaignError(f"campaign template {where}: {type(exc).__name__}: {exc}") from None
        except ObjectorError:
            raise
        except Exception as exc:
            # A runtime error inside a template ({{ 1/0 }}, {{ 1 + [] }}) is the
            # template's fault, not a bug of objector's: say where, exit 2.
            if not any(f.filename.endswith(".jinja") or self._in_folder(f.filename)
                       for f in traceback.extract_tb(exc.__traceback__)):
                raise
            raise CampaignError(f"campaign template {self._template_frame(exc, name)}: "
                                f"{type(exc).__name__}: {exc}") from None

    def _in_folder(self, filename: str) -> bool:
        return self.template_dir is not None and Path(filename).is_relative_to(self.template_dir)

    def _template_frame(self, exc: BaseException, name: str | None = None) -> str:
        frames = traceback.extract_tb(exc.__traceback__)
        for frame in reversed(frames):
            if self.template_dir is not None and self._in_folder(frame.filename):
                return f"{Path(frame.filename).relative_to(self.template_dir).as_posix()}, line {frame.lineno}"
        for frame in reversed(frames):
            if frame.filename.endswith(".jinja"):
                return f"{Path(frame.filename).name}, line {frame.lineno}"
        return name or getattr(exc, "template_name", None) or "(unknown template)"

    def check_templates(self, sample: Callable[[], Any] | None = None) -> None:
        """Compile every file in the templates folder and render a sample letter (by
        default a few, see ``test_render``), before any real one."""
        if self.template_dir is not None:
            env = self.environment(SOURCE_LOCALE)
            for folder, dirs, files in os.walk(self.template_dir):  # does not follow links
                for entry in sorted(dirs + files):
                    path = Path(folder) / entry
                    name = path.relative_to(self.template_dir).as_posix()
                    if path.is_symlink():
                        raise CampaignError(f"campaign template {name}: is a symbolic link; campaign templates "
                                            "must be plain files and folders inside the templates folder")
                    if entry in files:
                        self.guarded(functools.partial(env.get_template, name), name)
                dirs.sort()
        if sample is not None:
            self.guarded(sample)
        else:
            self.test_render()

    def test_render(self, on: dt.date | None = None) -> None:
        """Render sample letters (GDPR and US, text and HTML) with the campaign's
        templates and words, so a hostile or broken template is refused up front."""
        from .letter import compose
        from .person import Person

        for country, state in (("DE", "BY"), ("US", "CA")):
            member = Person.create("Sample Member", "member@example.org", country, state)

            def render(kind: str, member: Any = member) -> Any:
                return self.render_html(compose(
                    member, kind, on=on, locale=self.locale_for(member), reason_preset=self.reason_preset,
                    allow_no_grounds=True, extra_paragraphs=self.extra_paragraphs, templates=self.environment))

            try:
                self.guarded(functools.partial(render, self.kind))
            except InputError as exc:
                if exc.field != "kind":
                    raise
                self.guarded(functools.partial(render, "auto"))  # the campaign's kind does not fit here

    # --- letters -------------------------------------------------------------------------

    def locale_for(self, person: Any) -> str | None:
        """The letter language for a member with no ``locale`` of their own: None (their
        country's default, as ``objector letter`` picks it) unless the campaign forces
        its language, or objector has no complete catalog for any of theirs."""
        if self.locale is None or self.spec.locale_policy == "force":
            return self.locale
        if any(is_letter_locale(code) for code in country_locales(person.country, person.state)):
            return None
        return self.locale

    def paragraphs_for(self, locale: str) -> list[str]:
        """The campaign's own paragraphs written in the language of ``locale``: its own
        entry, its language's (``fr`` for ``fr_CA``), a sibling's (``en_GB`` for
        ``en_US``), else ``"*"`` (for every other language)."""
        table = self.paragraphs
        language = locale.split("_")[0]
        if locale in table:
            return table[locale]
        if language in table:
            return table[language]
        sibling = next((k for k in sorted(table) if k != "*" and k.split("_")[0] == language), None)
        return table[sibling] if sibling is not None else table.get("*", [])

    def extra_paragraphs(self, decision: Decision, locale: str) -> list[str]:
        """The campaign's own paragraphs for a letter in ``locale``, then the Art. 80 one."""
        out = list(self.paragraphs_for(locale))
        org = self.spec.organisation
        cite = _representation(decision)
        if self.spec.representation.article_80 and org is not None and cite is not None:
            t = _campaign_translations(locale)
            from .citations import localise

            out.append(t.gettext(
                "I have mandated %(org)s, a not-for-profit body active in the protection of personal data, "
                "to represent me under %(cite)s, in particular to lodge a complaint on my behalf. You may "
                "also send your reply to %(contact)s.")
                % {"org": org.name, "cite": localise(cite, locale), "contact": org.email})
        return out

    def footer(self) -> str | None:
        org = self.spec.organisation
        if org is None:
            return None
        return " · ".join(x for x in (org.name, org.email, org.website) if x)

    def render_html(self, letter: Letter) -> str:
        from .output.html import render_html

        return str(self.guarded(lambda: render_html(letter, footer=self.footer(),
                                                    env=self.environment(letter.locale))))

    def member_files(self, letter: Letter, renderer: Any = None) -> dict[str, bytes]:
        """Extra files in each member's folder: the Art. 80(1) mandate form where it
        applies, as text and, when a PDF ``renderer`` is given, as a page to print and sign."""
        if not (self.spec.representation.article_80 and _representation(letter.decision)):
            return {}
        text = self.mandate_text(letter)
        files = {"mandate.txt": text.encode("utf-8")}
        if renderer is not None:
            files["mandate.pdf"] = renderer.render(letter, html=self.mandate_html(letter, text))
        return files

    def mandate_html(self, letter: Letter, text: str) -> str:
        """The mandate form as an HTML page (autoescaped) for the PDF."""
        from babel import Locale

        from .output.html import layout_for
        from .templating import environment

        title, *rest = [p for p in text.split("\n") if p.strip()]
        loc = campaign_locale(letter.locale)
        return environment(loc).get_template("campaign/mandate.html.jinja").render(
            lang=loc.replace("_", "-"), direction=Locale.parse(loc).text_direction, title=title,
            author=letter.person.name, paragraphs=rest, layout=layout_for(letter.person.country))

    def mandate_text(self, letter: Letter) -> str:
        """A mandate form for the member to sign (GDPR Art. 80(1))."""
        org = self.spec.organisation
        assert org is not None
        loc = campaign_locale(letter.locale)
        t = _campaign_translations(loc)
        from .citations import localise

        cite = localise(_representation(letter.decision) or "", loc)
        lines = [
            t.gettext("Mandate under %(cite)s") % {"cite": cite},
            "",
            t.gettext("I, %(name)s (%(email)s), mandate %(org)s, a not-for-profit body active in the "
                      "protection of personal data, to represent me concerning the use of my personal data "
                      "by %(controller)s to train AI models (my letter %(ref)s of %(date)s): to lodge a "
                      "complaint with a supervisory authority on my behalf, and to exercise on my behalf "
                      "the rights to an effective judicial remedy against a supervisory authority and "
                      "against the controller.")
            % {"name": letter.person.name, "email": letter.person.email, "org": org.name,
               "controller": letter.decision.controller.name, "ref": letter.reference,
               "date": long_date(letter.date, loc, letter.person.country)},
            "",
            t.gettext("I can revoke this mandate at any time by writing to %(contact)s.") % {"contact": org.email},
            "",
            t.gettext("Place and date:") + " ______________________________",
            "",
            t.gettext("Signature:") + " ______________________________",
            "",
        ]
        return "\n".join(lines)

    # --- the end of a run ----------------------------------------------------------------

    def finish(self, out: Path) -> list[Path]:
        """Write a covering letter from the organisation per LinkedIn entity (Art. 80 campaigns)."""
        if not self.spec.representation.article_80:
            return []
        from .output.files import atomic_write

        org = self.spec.organisation
        assert org is not None
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        by_controller: dict[str, list[dict[str, Any]]] = {}
        for entry in manifest["letters"]:
            if "mandate.txt" in entry["files"]:
                by_controller.setdefault(entry["controller"], []).append(entry)
        loc = campaign_locale(self.locale or SOURCE_LOCALE)
        t = _campaign_translations(loc)
        written = []
        from .citations import localise
        from .data import dataset

        entities = {e.name: e for e in dataset().linkedin.entities.values()}
        for controller, entries in sorted(by_controller.items()):
            slug = re.sub(r"[^a-z0-9]+", "-", controller.lower()).strip("-")
            dates = sorted({e["date"] for e in entries})
            regimes = dataset().regimes
            cites = {regimes[e["regime"]].arguments["representation"].citation for e in entries}
            cite = ", ".join(localise(c, loc) for c in sorted(c for c in cites if c))
            values = {"count": len(entries), "org": org.name, "cite": cite, "contact": org.email}
            address = entities[controller].address if controller in entities else ()
            text = "\n".join([
                org.name, *org.address, org.email, "",
                controller, t.gettext("c/o Data Protection Officer"), *address, "",
                long_date(dt.date.fromisoformat(dates[-1]), loc, "IE"), "",
                t.ngettext("Subject: %(count)d letter from a member of %(org)s, represented under %(cite)s",
                           "Subject: %(count)d letters from members of %(org)s, represented under %(cite)s",
                           len(entries)) % values, "",
                t.gettext("Dear Data Protection Officer,"), "",
                t.ngettext("%(org)s represents the %(count)d member listed in the enclosed annex in the "
                           "objection to the use of their personal data for training AI models.",
                           "%(org)s represents the %(count)d members listed in the enclosed annex in their "
                           "objections to the use of their personal data for training AI models.",
                           len(entries)) % values,
                "",
                t.gettext("Each member's own letter, with its reference, is enclosed. Please answer each member "
                          "within the time the law sets, quoting the member's reference, and send a copy of your "
                          "answers to %(contact)s.") % values,
                "",
                t.gettext("Yours faithfully,"), "", org.name, "",
            ])
            path = out / f"covering-letter-{slug}.txt"
            atomic_write(path, text.encode("utf-8"))
            annex = "reference,name,email,date,due\n" + "".join(
                f"{e['reference']},{_csv(e['name'])},{_csv(e['email'])},{e['date']},{e['due']}\n" for e in entries)
            atomic_write(out / f"covering-letter-{slug}-annex.csv", annex.encode("utf-8"))
            written += [path, out / f"covering-letter-{slug}-annex.csv"]
        return written


def _representation(decision: Decision) -> str | None:
    """The provision for representation by a not-for-profit body, where the regime has one."""
    arg = decision.regime.arguments.get("representation")
    return arg.citation if arg else None


def _csv(value: str) -> str:
    from .rows import csv_line

    return csv_line([value]).rstrip("\n")


def _check_texts(spec: CampaignFile, fail: Callable[[str, str], CampaignError]) -> None:
    """One-line fields: no control characters (NUL, line breaks, tabs) and no bidi
    overrides, which could hide or reorder words in a letter that gets posted."""
    lines: list[tuple[str, str, int]] = [("name", spec.name, 200)]
    org = spec.organisation
    if org is not None:
        lines.append(("organisation.name", org.name, 200))
        lines += [(f"organisation.address[{i}]", line, 120) for i, line in enumerate(org.address)]
        if org.website is not None:
            lines.append(("organisation.website", org.website, 200))
    for key, value, limit in lines:
        try:
            text = _clean_line(value, key, limit)
        except InputError as exc:
            raise fail(key, exc.message) from None
        if key in ("name", "organisation.name") and not is_visible(text):
            raise fail(key, "is required")


def _paragraphs(spec: CampaignFile, locale: str | None,
                fail: Callable[[str, str], CampaignError]) -> dict[str, list[str]]:
    """``extra_paragraphs`` by language: a plain list is in the campaign's ``locale``
    (which must then be given); each paragraph is checked like a reason."""
    extra = spec.extra_paragraphs
    if isinstance(extra, list):
        if not extra:
            return {}
        if locale is None:
            raise fail("extra_paragraphs", "say which language they are in: set locale, or give them per "
                       'language ([extra_paragraphs] with de = ["..."], en = ["..."])')
        table = {locale: extra}
    else:
        table = {}
        for key, paragraphs in extra.items():
            if key == "*":
                table[key] = paragraphs
                continue
            try:
                code = str(Locale.parse(key.strip().replace("-", "_")))
            except (ValueError, UnknownLocaleError, TypeError):
                raise fail(f"extra_paragraphs.{key}", 'is not a language code (such as de or fr_CA; "*" '
                           "for every other language)") from None
            table[code] = paragraphs
    out: dict[str, list[str]] = {}
    for key, paragraphs in table.items():
        out[key] = []
        for i, paragraph in enumerate(paragraphs):
            where = f"extra_paragraphs.{key}[{i}]" if isinstance(extra, dict) else f"extra_paragraphs[{i}]"
            try:
                text = clean_paragraph(paragraph, where)
            except InputError as exc:
                raise fail(where, exc.message) from None
            if text:
                out[key].append(text)
    return out


def _template_folder(path: Path, setting: str, fail: Callable[[str, str], CampaignError]) -> Path:
    """The campaign's templates folder: a folder inside the campaign file's folder,
    named relatively, without ``..``, that does not resolve (by a link) elsewhere."""
    home = path.parent.resolve()
    relative = Path(setting)
    if not setting.strip() or relative.is_absolute() or setting.startswith("~") or ".." in relative.parts:
        raise fail("templates", f"must be a folder inside the campaign folder, named relative to it "
                   f"(got {setting!r})")
    folder = (home / relative).resolve()
    if folder == home or not folder.is_relative_to(home):
        raise fail("templates", f"{setting!r} resolves outside the campaign folder; it must be a folder "
                   "inside it")
    if not folder.is_dir():
        raise fail("templates", f"no folder {setting!r} in the campaign folder")
    return folder


def load_campaign(path: Path, *, check: bool = True) -> Campaign:
    """Read and check a campaign file; any problem is a CampaignError naming the field.

    ``check`` compiles the campaign's templates and renders sample letters with them
    (see ``Campaign.test_render``), so a broken or hostile template is refused here.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CampaignError(f"no such campaign file: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CampaignError(f"{path.name}: {exc}") from None
    try:
        spec = CampaignFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise CampaignError(f"{path.name}: {loc}: {first['msg']}") from None
    except InputError as exc:
        raise CampaignError(f"{path.name}: organisation.{exc.field}: {exc.message}") from None
    campaign = Campaign(path, spec)
    if check:
        campaign.check_templates()
    return campaign
