"""The Jinja environments: sandboxed, strict, autoescaped HTML, gettext per letter locale."""

from __future__ import annotations

from functools import cache
from typing import NoReturn

from jinja2 import BaseLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import DataError
from .i18n import translations
from .resources import templates_dir


def _missing_paragraph(demand_id: str) -> NoReturn:
    raise DataError(f"template letter/demands.txt.jinja has no paragraph for demand {demand_id!r}")


def make_environment(loader: BaseLoader, locale: str, sandboxed: bool = False) -> Environment:
    """A letter environment: StrictUndefined (a typo is an error, not an empty gap in
    a legal letter), only ``*.html.jinja`` autoescaped, gettext for ``locale``;
    ``sandboxed`` for templates that are not objector's own."""
    cls = ImmutableSandboxedEnvironment if sandboxed else Environment
    env = cls(
        loader=loader,
        autoescape=select_autoescape(enabled_extensions=("html.jinja",), default_for_string=False),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.globals["raise_missing"] = _missing_paragraph
    return env


@cache
def environment(locale: str) -> Environment:
    """One cached environment per letter locale (independent, so globals never leak).

    These are objector's own templates, so they run without the sandbox's cost
    (about a third of a text letter's time); person data only ever arrives as
    values, never as template source. Campaign templates, which are not ours, run
    in the sandbox (objector.campaign).
    """
    return make_environment(FileSystemLoader(str(templates_dir())), locale)
