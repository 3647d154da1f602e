"""The Jinja environments: sandboxed, strict, autoescaped HTML, gettext per letter locale."""

from __future__ import annotations

import functools
import inspect
import itertools
import os
import re
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Any, NoReturn

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateNotFound,
    nodes,
    pass_eval_context,
    select_autoescape,
)
from jinja2.bccache import Bucket, BytecodeCache
from jinja2.exceptions import SecurityError
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace, _PassArg, generate_lorem_ipsum
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, soft_str

from .errors import DataError
from .i18n import translations
from .resources import templates_dir


def _missing_paragraph(demand_id: str) -> NoReturn:
    raise DataError(f"template letter/demands.txt.jinja has no paragraph for demand {demand_id!r}")


class _SharedCode(BytecodeCache):
    """Compiled templates kept in memory and shared by the per-locale environments of
    objector's own templates: they differ only in their gettext globals, so a template
    compiles to the same code for every locale, and a worker writing letters in many
    languages compiles each template once, not once per language (about 0.1 s each)."""

    def __init__(self) -> None:
        self.code: dict[tuple[str, str], Any] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.code.get((bucket.key, bucket.checksum))
        if code is not None:
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key, bucket.checksum] = bucket.code


_shared_code = _SharedCode()


def make_environment(loader: BaseLoader, locale: str, sandboxed: bool = False,
                     bytecode_cache: BytecodeCache | None = None) -> Environment:
    """A letter environment: StrictUndefined (a typo is an error, not an empty gap in
    a legal letter), only ``*.html.jinja`` autoescaped, gettext for ``locale``;
    ``sandboxed`` for templates that are not objector's own."""
    cls = CampaignSandbox if sandboxed else Environment
    env = cls(
        bytecode_cache=bytecode_cache,
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
    return make_environment(FileSystemLoader(str(templates_dir())), locale, bytecode_cache=_shared_code)


# --- the campaign sandbox -------------------------------------------------------------------
#
# Campaign templates are not ours: besides Jinja's immutable sandbox (no attribute
# tricks, no mutation), each render gets a budget of time and size, so a template
# cannot hang a batch or build a gigabyte string. Sizes are estimated *before* an
# operation that could grow a value many times over (``*``, ``**``, ``center``,
# ``join``, ``replace``, ``format``, ``lipsum``...), because checking afterwards
# would already have spent the memory; every other result is checked after.

MAX_SIZE = 1_000_000  # characters or items in any one value a campaign template makes
MAX_OUTPUT = 2_000_000  # characters one template may output (a letter is about 10,000)
# Characters all ``{{ ... }}`` of one render may produce, counted as they are made:
# a macro's or block's output is held in a list until it ends, so a loop of big
# values inside one would otherwise fill memory before MAX_OUTPUT is checked.
MAX_PRODUCED = 20_000_000
MAX_SECONDS = 5.0  # wall-clock seconds for one render (a letter takes milliseconds)
MAX_INT_BITS = 100_000  # about 30,000 digits
MAX_TEMPLATE_BYTES = 1_000_000


class BudgetError(SecurityError):
    """A campaign template went over its budget of time or size."""


class _Budget:
    """What one render may still spend."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.produced = 0


_budget: ContextVar[_Budget | None] = ContextVar("objector_template_budget", default=None)


@contextmanager
def render_budget(seconds: float | None = None) -> Iterator[None]:
    """Give the campaign template renders inside this block ``seconds`` of wall-clock time
    in all (default MAX_SECONDS) and MAX_PRODUCED characters of output values; an
    enclosing budget, if any, is kept instead."""
    if _budget.get() is not None:
        yield
        return
    token = _budget.set(_Budget(MAX_SECONDS if seconds is None else seconds))
    try:
        yield
    finally:
        _budget.reset(token)


def _tick() -> None:
    # Called on every loop iteration, call, filter and intercepted operator, so a
    # runaway template stops within milliseconds of its deadline.
    budget = _budget.get()
    if budget is not None and time.monotonic() > budget.deadline:
        raise BudgetError(f"took longer than {budget.seconds:g} seconds (the time budget of a render)")


def _finalize(value: Any) -> Any:
    """Every ``{{ ... }}`` value: within the size budget, and counted against the render's."""
    size = _size(value)
    if size > MAX_SIZE:
        raise _too_big(size, "an output value")
    budget = _budget.get()
    if budget is not None:
        budget.produced += size
        if budget.produced > MAX_PRODUCED:
            raise BudgetError(f"the template produced more than {MAX_PRODUCED:,} characters "
                              "(the output budget of a render)")
    return value


def _sized(items: Iterator[Any], what: str) -> Iterator[Any]:
    """A lazy sequence (``map``, ``select``...) that stops once what it has yielded is
    over the size budget, so ``|list`` or ``|sort`` cannot gather gigabytes."""
    total = 0
    for item in items:
        _tick()
        total += _size(item) + 1
        if total > MAX_SIZE:
            raise _too_big(total, what)
        yield item


def _bounded(value: Any, what: str) -> Any:
    if isinstance(value, Iterator) and not isinstance(value, str | bytes | list | tuple | dict):
        return _sized(value, what)
    return value


def _size(value: Any, limit: int = MAX_SIZE) -> int:
    """Characters plus items in ``value``, counting shared parts each time they occur
    (as ``str()`` would print them); stops counting once over ``limit``."""
    total = 0
    stack: list[Iterator[Any]] = [iter((value,))]
    while stack:
        item = next(stack[-1], _END)
        if item is _END:
            stack.pop()
            continue
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, list | tuple | set | frozenset):
            total += 1
            stack.append(iter(item))
        elif isinstance(item, dict):
            total += 1
            stack.append(itertools.chain.from_iterable(item.items()))
        elif isinstance(item, Namespace):
            total += 1
            stack.append(itertools.chain.from_iterable(object.__getattribute__(item, "_Namespace__attrs").items()))
        elif isinstance(item, range):
            total += len(item)
        elif isinstance(item, int):
            total += 1 + item.bit_length() // 3
        else:
            total += 1
        if total > limit:
            return total
    return total


_END = object()


def _too_big(estimate: int, what: str = "a value") -> BudgetError:
    return BudgetError(f"{what} of about {estimate:,} characters or items is over the budget of "
                       f"{MAX_SIZE:,} for campaign templates")


def _check_size(value: Any, what: str = "a value") -> Any:
    size = _size(value)
    if size > MAX_SIZE:
        raise _too_big(size, what)
    return value


def _check_count(value: Any, what: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SIZE:
        raise BudgetError(f"{what} {value if value.bit_length() < 64 else 'so large'} is over the budget of "
                          f"{MAX_SIZE:,} for campaign templates")


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _check_binop(operator: str, left: Any, right: Any) -> None:
    lint, rint = _int(left), _int(right)
    if operator == "*":
        if lint is not None and rint is not None:
            if lint.bit_length() + rint.bit_length() > MAX_INT_BITS:
                raise BudgetError(f"a number of more than {MAX_INT_BITS:,} bits is over the budget")
            return
        for seq, count in ((left, rint), (right, lint)):
            if count is not None and isinstance(seq, str | bytes | list | tuple):
                estimate = _size(seq) * max(count, 0)
                if estimate > MAX_SIZE:
                    raise _too_big(estimate)
    elif operator == "**":
        if (lint is not None and rint is not None and rint > 0 and abs(lint) > 1
                and rint * abs(lint).bit_length() > MAX_INT_BITS):
            raise BudgetError(f"a number of more than {MAX_INT_BITS:,} bits is over the budget")
    elif operator == "+":
        if isinstance(left, str | bytes | list | tuple) and isinstance(right, str | bytes | list | tuple):
            estimate = _size(left) + _size(right)
            if estimate > MAX_SIZE:
                raise _too_big(estimate)
    elif operator == "%" and isinstance(left, str):
        _check_percent_format(left, right)


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS = re.compile(r"\d+")


def _check_width(digits: str) -> None:
    if len(digits) > 7 or int(digits) > MAX_SIZE:
        raise BudgetError(f"a field width or precision of {digits[:12]}{'...' if len(digits) > 12 else ''} "
                          f"is over the budget of {MAX_SIZE:,} for campaign templates")


def _check_percent_format(fmt: str, args: Any) -> None:
    """``fmt % args``: widths and precisions in the format, and ``*`` ones taken from ``args``."""
    star = False
    for match in _PERCENT_SPEC.finditer(fmt):
        for group in match.groups():
            if group == "*":
                star = True
            elif group:
                _check_width(group)
    if star:
        for arg in args if isinstance(args, tuple) else (args,):
            _check_count(arg, "a field width")
    _check_size(args, "a format argument")


def _check_brace_format(fmt: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
    """``fmt.format(...)``: widths and precisions, including nested ``{:{w}}`` ones."""
    nested = False
    for _literal, _field, spec, _conversion in Formatter().parse(fmt):
        if spec:
            nested = nested or "{" in spec
            for digits in _DIGITS.findall(spec):
                _check_width(digits)
    if nested:
        for arg in (*args, *kwargs.values()):
            _check_count(arg, "a field width")


def _take(iterable: Any, what: str = "a sequence") -> list[Any]:
    """``iterable`` as a list, stopping as soon as it is over the size budget."""
    return list(_sized(iter(iterable), what))


def _budget_iter(iterable: Any) -> Iterator[Any]:
    """What a campaign template's ``for`` loop iterates over: one tick per item."""
    for item in iterable:
        _tick()
        yield item


@pass_eval_context
def _budget_concat(eval_ctx: EvalContext, pieces: list[Any]) -> str:
    """The ``~`` operator, with the size checked piece by piece before it is joined."""
    texts: list[str] = []
    total = 0
    for piece in pieces:
        _check_size(piece, "a piece of text")
        text = soft_str(piece)
        total += len(text)
        if total > MAX_SIZE:
            raise _too_big(total, "a text")
        texts.append(text)
    if eval_ctx.autoescape and any(hasattr(t, "__html__") for t in texts):
        return Markup("").join(texts)
    return "".join(texts)


def _capped_concat(pieces: Iterable[str]) -> str:
    """A template's output (and every block's and macro's): at most MAX_OUTPUT characters."""
    out: list[str] = []
    total = 0
    for piece in pieces:
        _tick()
        total += len(piece)
        if total > MAX_OUTPUT:
            raise BudgetError(f"the output is over the budget of {MAX_OUTPUT:,} characters for campaign templates")
        out.append(piece)
    return "".join(out)


# Filters whose number arguments are values, not sizes or counts.
_VALUE_FILTERS = frozenset({"d", "default", "format", "int", "float", "round", "filesizeformat", "sum",
                            "replace", "tojson"})


def _estimate_filter(name: str, bound: inspect.BoundArguments) -> list[Any] | None:
    """Refuse a growth filter whose result would be over budget; may return new
    arguments (a generator read into a list once, within budget)."""
    a = bound.arguments
    if name == "indent":
        s, width = str(a.get("s", "")), a.get("width", 4)
        per_line = len(width) if isinstance(width, str) else (_int(width) or 0)
        estimate = len(s) + (s.count("\n") + 1) * per_line
    elif name == "replace":
        s, old, new = str(a.get("s", "")), str(a.get("old", "")), str(a.get("new", ""))
        occurrences = s.count(old) if old else len(s) + 1
        count = _int(a.get("count"))
        if count is not None and count >= 0:
            occurrences = min(occurrences, count)
        estimate = len(s) + occurrences * max(0, len(new) - len(old))
    elif name == "wordwrap":
        s, width, wrap = str(a.get("s", "")), _int(a.get("width", 79)) or 79, a.get("wrapstring") or "\n"
        estimate = len(s) + (len(s) // max(width, 1) + s.count("\n") + 1) * len(str(wrap))
    elif name in ("join", "sum"):
        key = "value" if name == "join" else "iterable"
        items = _take(a[key])
        a[key] = items
        sep = a.get("d", "") if name == "join" else ""
        estimate = sum(_size(i) for i in items) + len(str(sep)) * len(items)
        if name == "sum" and isinstance(a.get("start"), list | tuple | str):
            estimate += _size(a["start"])
        if estimate > MAX_SIZE:
            raise _too_big(estimate)
        return [*bound.args]
    elif name == "format":
        _check_percent_format(str(a.get("value", "")), a.get("args") or a.get("kwargs") or ())
        return None
    else:
        return None
    if estimate > MAX_SIZE:
        raise _too_big(estimate)
    return None


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` (a filter) with the time and size budget."""
    signature = inspect.signature(func)
    skip = 1 if _PassArg.from_obj(func) is not None else 0  # context, eval_ctx or environment

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _tick()
        if len(args) > skip:
            _check_size(args[skip], "a filter's input")
            args = (*args[:skip], _bounded(args[skip], f"the input of |{name}"), *args[skip + 1:])
        for value in (*args[skip + 1:], *kwargs.values()):
            _check_size(value, "a filter argument")
            if name not in _VALUE_FILTERS:
                _check_count(value, f"the argument of |{name}")
        if name in ("indent", "replace", "wordwrap", "join", "sum", "format"):
            bound = signature.bind(*args, **kwargs)
            if (new_args := _estimate_filter(name, bound)) is not None:
                args, kwargs = tuple(new_args), bound.kwargs
        return _check_size(func(*args, **kwargs), f"the result of |{name}")

    return guarded


_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill"})


def _check_str_method(owner: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    if name in _WIDTH_METHODS:
        for value in (*args[:1], kwargs.get("width")):
            _check_count(value, f"the width of .{name}()")
    elif name == "expandtabs":
        tabsize = _int(args[0] if args else kwargs.get("tabsize", 8)) or 0
        estimate = len(owner) + owner.count("\t") * max(tabsize, 0)
        if estimate > MAX_SIZE:
            raise _too_big(estimate)
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        occurrences = owner.count(args[0]) if args[0] else len(owner) + 1
        estimate = len(owner) + occurrences * max(0, len(args[1]) - len(args[0]))
        if estimate > MAX_SIZE:
            raise _too_big(estimate)
    elif name == "join" and args:
        items = _take(args[0])
        estimate = sum(_size(i) for i in items) + len(owner) * len(items)
        if estimate > MAX_SIZE:
            raise _too_big(estimate)
        return (items, *args[1:])
    elif name == "translate" and args and isinstance(args[0], dict):
        longest = max((len(v) for v in args[0].values() if isinstance(v, str)), default=1)
        estimate = len(owner) * max(longest, 1)
        if estimate > MAX_SIZE:
            raise _too_big(estimate)
    elif name in ("format", "format_map"):
        mapping = args[0] if name == "format_map" and args and isinstance(args[0], Mapping) else kwargs
        _check_brace_format(owner, args if name == "format" else (), mapping)
    return args


def _check_lipsum(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    names = ("n", "html", "min", "max")
    given = {**dict(zip(names, args, strict=False)), **kwargs}
    n, most = _int(given.get("n", 5)), _int(given.get("max", 100))
    if n is not None and most is not None:
        estimate = max(n, 0) * max(most, 1) * 12  # words per paragraph, about 12 characters a word
        if estimate > MAX_SIZE:
            raise _too_big(estimate, "lorem ipsum")


class _Budgeted(NodeTransformer):
    """Rewrites a parsed campaign template so loops, assignments and ``~`` go through the budget."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "_budget_iter", [], [], None, None, lineno=node.iter.lineno)
        return node

    def visit_Assign(self, node: nodes.Assign) -> nodes.Node:
        self.generic_visit(node)
        node.node = nodes.Filter(node.node, "_budget_value", [], [], None, None, lineno=node.node.lineno)
        return node

    def visit_With(self, node: nodes.With) -> nodes.Node:
        self.generic_visit(node)
        node.values = [nodes.Filter(v, "_budget_value", [], [], None, None, lineno=v.lineno) for v in node.values]
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(nodes.List(node.nodes, lineno=node.lineno), "_budget_concat", [], [], None, None,
                            lineno=node.lineno)


class BudgetedTemplate(Template):
    """A campaign template: each render has the time budget (unless inside a larger one)."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        with render_budget():
            try:
                return super().render(*args, **kwargs)
            except BudgetError as exc:
                # The output budget trips after the template's own code has run, so
                # the traceback has no template line: keep at least the template's name.
                if getattr(exc, "template_name", None) is None:
                    exc.template_name = self.name  # type: ignore[attr-defined]
                raise


class CampaignSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with a budget of time and size per render (see above)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    concat = staticmethod(_capped_concat)
    template_class = BudgetedTemplate

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.finalize = _finalize
        self.filters = {name: _guard_filter(name, f) for name, f in self.filters.items()}
        self.filters.update(_budget_iter=_budget_iter, _budget_concat=_budget_concat,
                            _budget_value=_check_size)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = _Budgeted().visit(super()._parse(source, name, filename))
        assert isinstance(tree, nodes.Template)
        tree.set_environment(self)
        return tree

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _tick()
        _check_binop(operator, left, right)
        return _check_size(super().call_binop(context, operator, left, right))

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _tick()
        for value in (*args, *kwargs.values()):
            _check_size(value, "an argument")
        args = tuple(_bounded(a, "an argument") for a in args)
        target = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        owner = getattr(target, "__self__", None)
        if isinstance(owner, str):
            args = _check_str_method(owner, getattr(target, "__name__", ""), args, kwargs)
        elif __obj is generate_lorem_ipsum:
            _check_lipsum(args, kwargs)
        elif isinstance(__obj, LoopContext) and args:
            args = (_budget_iter(args[0]), *args[1:])  # a recursive loop's next level
        return _check_size(super().call(__context, __obj, *args, **kwargs), "a result")


# --- loading campaign templates -------------------------------------------------------------


def _outside(name: str) -> SecurityError:
    return SecurityError(f"{name!r} may not be loaded: a campaign template may load only files inside the "
                         "campaign's templates folder and objector's own (objector/...)")


def check_template_name(name: str) -> list[str]:
    """The parts of a template name; an absolute name, ``..``, a backslash or NUL is refused."""
    parts = name.split("/")
    if (not name or name.startswith("/") or "\\" in name or "\x00" in name or ":" in parts[0]
            or any(p in ("", ".", "..") for p in parts)):
        raise _outside(name)
    return parts


class GuardedLoader(BaseLoader):
    """Refuses any template name that could leave the folders ``inner`` loads from."""

    def __init__(self, inner: BaseLoader) -> None:
        self.inner = inner

    def get_source(self, environment: Environment,
                   template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        check_template_name(template)
        return self.inner.get_source(environment, template)


class FolderLoader(BaseLoader):
    """Templates read from one folder as plain files: a symbolic link (to a file or a
    folder, even one pointing inside) or anything that resolves outside is refused, so
    a campaign pack cannot copy a file the operator can read into a letter."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def get_source(self, environment: Environment, template: str) -> tuple[str, str | None, Callable[[], bool]]:
        path = self.root
        for part in check_template_name(template):
            path = path / part
            try:
                mode = os.lstat(path).st_mode
            except (FileNotFoundError, NotADirectoryError):
                raise TemplateNotFound(template) from None
            if stat.S_ISLNK(mode):
                raise SecurityError(f"{template!r} is a symbolic link: campaign templates must be plain files "
                                    "inside the campaign's templates folder")
        if stat.S_ISDIR(mode):
            raise TemplateNotFound(template)
        if not stat.S_ISREG(mode) or not path.resolve().is_relative_to(self.root):
            raise _outside(template)
        # O_NOFOLLOW: a file swapped for a link after the check above is not followed either.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise _outside(template)
            # A hard link has the same contents as a file elsewhere (/etc/passwd) and
            # cannot be told apart from it: a template with more than one link is refused.
            if st.st_nlink > 1:
                raise SecurityError(f"{template!r} is a hard link: campaign templates must be plain files "
                                    "of their own inside the campaign's templates folder")
            data = fh.read(MAX_TEMPLATE_BYTES + 1)
        if len(data) > MAX_TEMPLATE_BYTES:
            raise TemplateError(f"template {template!r} is larger than {MAX_TEMPLATE_BYTES:,} bytes")
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TemplateError(f"template {template!r} is not UTF-8 text (byte {exc.start})") from None
        return source, str(path), lambda: True


def campaign_loader(folder: Path | None) -> BaseLoader:
    """A campaign's templates first (if it has a folder), then objector's own, which are
    also reachable as ``objector/...`` so a campaign template can extend the one it replaces."""
    builtin = FileSystemLoader(str(templates_dir()))
    loaders: list[BaseLoader] = [FolderLoader(folder)] if folder is not None else []
    loaders += [PrefixLoader({"objector": builtin}), builtin]
    return GuardedLoader(ChoiceLoader(loaders))
