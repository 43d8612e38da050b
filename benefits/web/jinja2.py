"""The Jinja2 environment of the pages: our templates first, then nhsuk-frontend-jinja's macros.

`ChainableUndefined` is what nhsuk-frontend-jinja needs (its macros read `params.a.b` freely).
Globals are the few Django helpers a template needs; everything else comes from presenters.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping
from decimal import Decimal

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.templatetags.static import static as django_static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemBytecodeCache, PackageLoader, Undefined
from jinja2.bccache import Bucket
from jinja2.compiler import CodeGenerator
from jinja2.runtime import Macro
from markupsafe import Markup, escape

try:
    from markupsafe import _escape_inner  # markupsafe 3's C escaping of a str, returning a str
except ImportError:  # pragma: no cover (a markupsafe without it: the same text, at markupsafe's own speed)

    def _escape_inner(value: str) -> str:
        return str(escape(value))

from benefits.finance.rounding import pounds_pence, whole_pounds

from .presenters import CSRF_SLOT, KeyedItems, page_chrome, plain_url


@functools.lru_cache(maxsize=256)
def static(path: str) -> str:
    """Django's `static`, kept per path: a process serves one collected set of files, and the layout asks seven times a page."""
    return django_static(path)


CSRF_INPUT = Markup('<input type="hidden" name="csrfmiddlewaretoken" value="{}">')


def csrf_once(request) -> dict[str, object]:
    """A context processor: one masked CSRF token for the whole page.

    Django's Jinja2 backend hands templates lazy `csrf_token` and `csrf_input` that mask the token
    anew each time they are printed (32 random characters from os.urandom each), so a page with a
    header, an htmx body and two forms paid for four. Any one masked token is as good as another.
    """
    secret = request.META.get("CSRF_COOKIE")  # the visitor's secret, as CsrfViewMiddleware read and checked it
    try:
        token = mask_csrf_secret(secret)
    except (TypeError, KeyError, ValueError):  # no cookie yet (or none Django accepted): Django makes one
        token = get_token(request)
    else:
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # as get_token does: the cookie is sent again, renewed
    return {"csrf_token": token, "csrf_input": CSRF_INPUT.format(token)}


_CSRF_INDEX = {char: i for i, char in enumerate(CSRF_ALLOWED_CHARS)}
_CSRF_EVEN = 256 - 256 % len(CSRF_ALLOWED_CHARS)  # 248: the bytes below it fall evenly on the 62 characters


def mask_csrf_secret(secret: str) -> str:
    """Django's masked token for a CSRF secret (a random mask, then the secret shifted by it), one read of randomness.

    Django draws the mask a character at a time with `secrets.choice`, 32 draws a page that cost a page more
    than the rest of its CSRF handling. Here one read of the OS's random source gives the characters; bytes
    of 248 and above are dropped, so each of the 62 characters stays equally likely.
    """
    if len(secret) != CSRF_SECRET_LENGTH:
        raise ValueError("not a CSRF secret")
    size = len(CSRF_ALLOWED_CHARS)
    mask: list[int] = []
    while len(mask) < CSRF_SECRET_LENGTH:
        mask += [byte % size for byte in os.urandom(CSRF_SECRET_LENGTH + 8) if byte < _CSRF_EVEN]
    mask = mask[:CSRF_SECRET_LENGTH]
    chars = CSRF_ALLOWED_CHARS
    return "".join([chars[m] for m in mask] + [chars[(_CSRF_INDEX[c] + m) % size] for c, m in zip(secret, mask, strict=True)])


def url(name: str, *args, **kwargs) -> str:
    if not args and not kwargs:
        return plain_url(name)
    return reverse(name, args=args or None, kwargs=kwargs or None)


def localtime_text(value) -> str:
    """`26 November 2025 at 14:05` in the service's time zone."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


class _Unkeyable(Exception):
    """A parameter the cache cannot tell apart safely (a model, a lazy string…): render it afresh."""


_UNDEFINED = object()
_PLAIN = (str, int, float, bool, Decimal, type(None))


def params_key(value: object) -> object:
    """A hashable image of a macro's parameters that keeps every distinction the macro can see.

    Types are kept beside values (True and 1 are equal in Python, not in a template), markup
    apart from text (the macros test `is escaped`), undefined apart from None.
    """
    kind = type(value)
    if kind is str:
        return value
    if kind is dict:  # most parameters: a template's dict literal (spares the slow Mapping check)
        return ("map", tuple((k, params_key(v)) for k, v in value.items()))
    if isinstance(value, Undefined):  # before __html__: ChainableUndefined has one too
        return _UNDEFINED
    if hasattr(value, "__html__"):
        return ("html", str(value.__html__()))
    if kind in _PLAIN:
        return (kind.__name__, value)
    if isinstance(value, KeyedItems):  # SelectItems and the header's items carry their key
        return value.key
    if isinstance(value, Mapping):
        return ("map", tuple((k, params_key(v)) for k, v in value.items()))
    if kind is list or kind is tuple:
        return ("seq", tuple(params_key(v) for v in value))
    raise _Unkeyable


class ComponentCache:
    """The HTML of NHS.UK component macros, rendered once per distinct parameters (ADR 0044).

    nhsuk-frontend-jinja's macros are pure functions of their parameters, but each call includes
    the component's template, re-imports its helper macros and runs `nhsukAttributes` per option:
    the layout and a four-select filter form cost more than a 50-row table. The parameters are the
    key, so the markup is upstream's own and nothing needs invalidating: a new workstream, another
    user's header or a selected option is simply another key. Least recently used keys go first.
    """

    def __init__(self, maxsize: int = 2048) -> None:
        self.maxsize = maxsize
        self._html: OrderedDict[tuple, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, macro: Macro, params: Mapping, **slots: str) -> Markup:
        """`{{ cached(nhsukSelect, {...}) }}`; `slots` fill per-request values (the CSRF token) in the kept HTML."""
        try:
            key = (macro, params_key(params))
        except _Unkeyable:
            return self._fill(macro(params), slots)
        with self._lock:
            html = self._html.get(key)
            if html is not None:
                self._html.move_to_end(key)
        if html is None:
            html = macro(params)
            with self._lock:
                self._html[key] = html
                while len(self._html) > self.maxsize:
                    self._html.popitem(last=False)
        return self._fill(html, slots)

    @staticmethod
    def _fill(html: Markup, slots: Mapping[str, str]) -> Markup:
        for slot, value in slots.items():
            html = html.replace(slot, Markup.escape(value))
        return html


def escape_output(value: object) -> str:
    """What `{{ value }}` prints under autoescaping: markupsafe's escaped text, as a plain str.

    markupsafe's `escape` wraps its result in `Markup`, whose constructor is Python code. The
    output stream is only joined into the page, so the wrapper bought nothing, and a register page
    built 500 of them, enough tracked objects alive at once to start a garbage collection on
    nearly every page. Text is escaped by markupsafe's own C function; anything else (markup,
    numbers, undefined) goes through `escape` itself.
    """
    if type(value) is str:
        return _escape_inner(value)
    return str(escape(value))


class _CodeGenerator(CodeGenerator):
    """Jinja's code generator, printing `{{ }}` through `escape_output` instead of `escape`.

    `_output_child_pre` is the hook Jinja's own `NativeCodeGenerator` overrides for the same
    purpose. Autoescaping that a template switches at run time (`volatile`) keeps Jinja's code.
    """

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)


class BytecodeCache(FileSystemBytecodeCache):
    """Compiled templates kept in the temp folder: a new worker skips ~200 ms of compiling on its first pages.

    Entries are checked against the template's source, so an edited template is compiled afresh.
    A folder that cannot be written only costs the compiling, never a page.
    """

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache() -> BytecodeCache | None:
    try:
        # Jinja's own per-user folder under the system temp, checked for safety; the name tells our
        # code generator's output from stock Jinja's, which the cache's checksum of the source cannot.
        return BytecodeCache(pattern="__jinja2_benefits_escape_output_%s.cache")
    except (OSError, RuntimeError):
        return None


class _Environment(Environment):
    code_generator_class = _CodeGenerator

    def make_globals(self, d):
        """A template's globals as one dict, not Jinja's ChainMap over the environment's.

        Every `{% from %}` import compares the importing page's global names with the imported
        template's; over a ChainMap that took ~14 µs an import, and a page makes ten. `environment()`
        sets every global before a template loads, as Jinja asks, so a copy misses nothing.
        """
        return {**self.globals, **(d or {})}


def environment(**options) -> Environment:
    loader = options.pop("loader", None)
    options["loader"] = ChoiceLoader([loader, PackageLoader("nhsuk_frontend_jinja")] if loader else [PackageLoader("nhsuk_frontend_jinja")])
    options["undefined"] = ChainableUndefined
    options.pop("autoescape", None)
    options.setdefault("bytecode_cache", _bytecode_cache())
    env = _Environment(autoescape=True, **options)
    env.escape_output = escape_output  # what compiled templates call for each `{{ }}` (_CodeGenerator)
    env.globals.update(static=static, url=url, page_chrome=page_chrome, cached=ComponentCache(), csrf_slot=CSRF_SLOT)
    env.filters.update(whole_pounds=whole_pounds, pounds_pence=pounds_pence, localtime_text=localtime_text)
    return env
