"""The Jinja2 environment of the pages: our templates first, then nhsuk-frontend-jinja's macros.

`ChainableUndefined` is what nhsuk-frontend-jinja needs (its macros read `params.a.b` freely).
Globals are the few Django helpers a template needs; everything else comes from presenters.
Escaping is Jinja's own autoescaping; `csrf_input` and `csrf_token` are Django's Jinja2 backend's.
"""

from __future__ import annotations

from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from benefits.finance.rounding import pounds_pence, whole_pounds

from .layout import page_chrome


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def localtime_text(value) -> str:
    """`26 November 2025 at 14:05` in the service's time zone."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def environment(**options) -> Environment:
    loader = options.pop("loader", None)
    macros = PackageLoader("nhsuk_frontend_jinja")
    options["loader"] = ChoiceLoader([loader, macros] if loader else [macros])
    options["undefined"] = ChainableUndefined
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    env.globals.update(static=static, url=url, page_chrome=page_chrome)
    env.filters.update(whole_pounds=whole_pounds, pounds_pence=pounds_pence, localtime_text=localtime_text)
    return env
