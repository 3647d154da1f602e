"""Campaign files: what an advocacy group sets once for all its members' letters.

A campaign (TOML) sets the default letter kind, language and grounds, extra
paragraphs, the organisation for the footer, representation under GDPR Art. 80(1)
(a mandate form per member and a covering letter per LinkedIn entity), and may
bring templates that extend the built-in ones. Campaign templates run in Jinja's
immutable sandbox with only objector's templates to load: they cannot read other
files, reach the network or run code, and a template that tries is refused with
an error naming the template and line, before any letter is written.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import tomllib
import traceback
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    PrefixLoader,
    TemplateError,
    TemplateSyntaxError,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .decision import Decision
from .errors import InputError, ObjectorError
from .i18n import SOURCE_LOCALE, available_letter_locales, is_letter_locale, long_date, translations
from .letter import Letter
from .person import normalise_email
from .resources import locales_dir, templates_dir

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
        self.template_dir = (path.parent / spec.templates).resolve() if spec.templates else None
        if self.template_dir is not None and not self.template_dir.is_dir():
            raise CampaignError(f"{path.name}: templates folder {spec.templates!r} does not exist")
        if spec.representation.article_80:
            if spec.organisation is None:
                raise CampaignError(f"{path.name}: representation needs an [organisation]")
            if not spec.representation.not_for_profit:
                raise CampaignError(f"{path.name}: GDPR Art. 80(1) representation is open only to a "
                                    "not-for-profit body; set representation.not_for_profit = true to confirm")
        if spec.locale is not None and not is_letter_locale(spec.locale):
            raise CampaignError(f"{path.name}: locale {spec.locale!r} has no complete letter catalog "
                                f"(available: {', '.join(available_letter_locales())})")

    # --- templates -----------------------------------------------------------------------

    @cache  # noqa: B019 - one environment per (campaign, locale) for the process's life
    def environment(self, locale: str) -> ImmutableSandboxedEnvironment:
        """Campaign templates first, then the built-in ones (also reachable as ``objector/...``)."""
        builtin = FileSystemLoader(str(templates_dir()))
        loaders: list[Any] = []
        if self.template_dir is not None:
            loaders.append(FileSystemLoader(str(self.template_dir)))
        loaders += [PrefixLoader({"objector": builtin}), builtin]
        from .templating import make_environment

        env = make_environment(ChoiceLoader(loaders), locale, sandboxed=True)
        assert isinstance(env, ImmutableSandboxedEnvironment)
        return env

    def guarded(self, action: Callable[[], Any]) -> Any:
        """Run a render; a campaign template's error names the template and line."""
        try:
            return action()
        except TemplateSyntaxError as exc:
            raise CampaignError(f"campaign template {exc.name or exc.filename}, line {exc.lineno}: "
                                f"{exc.message}") from None
        except (TemplateError, OverflowError, MemoryError, RecursionError) as exc:
            where = self._template_frame(exc)
            raise CampaignError(f"campaign template {where}: {type(exc).__name__}: {exc}") from None

    def _template_frame(self, exc: BaseException) -> str:
        frames = traceback.extract_tb(exc.__traceback__)
        for frame in reversed(frames):
            if self.template_dir is not None and frame.filename.startswith(str(self.template_dir)):
                return f"{Path(frame.filename).relative_to(self.template_dir)}, line {frame.lineno}"
        for frame in reversed(frames):
            if frame.filename.endswith(".jinja"):
                return f"{Path(frame.filename).name}, line {frame.lineno}"
        return "(unknown template)"

    def check_templates(self, sample: Callable[[], Any]) -> None:
        """Compile every campaign template and render a sample letter, before any real one."""
        if self.template_dir is not None:
            env = self.environment(SOURCE_LOCALE)
            for path in sorted(self.template_dir.rglob("*")):
                if path.is_file():
                    self.guarded(functools.partial(env.get_template, path.relative_to(self.template_dir).as_posix()))
        self.guarded(sample)

    # --- letters -------------------------------------------------------------------------

    def locale_for(self, person: Any) -> str | None:
        return self.spec.locale

    def extra_paragraphs(self, decision: Decision, locale: str) -> list[str]:
        """The campaign's own paragraphs for a letter in ``locale``, then the Art. 80 one."""
        extra = self.spec.extra_paragraphs
        if isinstance(extra, dict):
            chosen = extra.get(locale) or extra.get(locale.split("_")[0]) or extra.get("*") or []
        else:
            chosen = extra
        out = list(chosen)
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
        loc = campaign_locale(self.spec.locale or SOURCE_LOCALE)
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


def load_campaign(path: Path) -> Campaign:
    """Read and check a campaign file; any problem is a CampaignError naming the field."""
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
    return Campaign(path, spec)
