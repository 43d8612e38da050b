"""Rendering pages and mapping domain errors to pages: the one helper for the web (STYLE.md rule 3).

Every page module renders with `render_page` and wraps its views in `page_view`; config/urls.py
points Django's 403, 404 and 500 handlers at the error views at the end of this module.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string

from benefits.errors import DomainError, NotAllowed, NotFound

log = logging.getLogger(__name__)


def render_page(request: HttpRequest, template: str, context: dict | None = None, *, status: int = 200) -> HttpResponse:
    """Render a Jinja2 template of templates/benefits with the layout's needs."""
    html = render_to_string(template, context or {}, request=request, using="jinja2")
    return HttpResponse(html, status=status)


def forbidden_page(request: HttpRequest, message: str = "") -> HttpResponse:
    return render_page(request, "benefits/errors/403.jinja", {"message": message}, status=403)


def not_found_page(request: HttpRequest, message: str = "") -> HttpResponse:
    return render_page(request, "benefits/errors/404.jinja", {"message": message}, status=404)


def conflict_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render_page(request, "benefits/errors/conflict.jinja", {"message": error.message}, status=error.status)


def job_progress(request: HttpRequest, template: str, context: dict, *, active: bool) -> HttpResponse:
    """A background job's partial, polled by htmx; 286 tells htmx 2 to stop polling once the job has ended."""
    response = render_page(request, template, context)
    if not active and request.htmx:
        response.status_code = 286
    return response


def page_view(fn: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in users only; a user with no role sees whom to ask; domain errors become pages.

    Views handle the errors they can explain beside a form (validation, stale versions)
    themselves; whatever escapes is shown here in plain words, never as a 500.
    """

    @functools.wraps(fn)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.role:
            return redirect("web:no_role")
        try:
            return fn(request, *args, **kwargs)
        except NotAllowed as exc:
            return forbidden_page(request, exc.message)
        except NotFound as exc:
            return not_found_page(request, exc.message)
        except ObjectDoesNotExist:  # deleted between the page's read and the service's locked write
            return not_found_page(request, "It has just been deleted by someone else.")
        except DomainError as exc:
            return conflict_page(request, exc)

    return wrapper


# --- error pages (config/urls.py points handler403/404/500 here) ---------------------------------


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "permission_denied", "message": "You may not do this."}, status=403)
    return forbidden_page(request)


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": "There is nothing at this address."}, status=404)
    return not_found_page(request)


def error_500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error", "message": "Something went wrong on our side."}, status=500)
    return render_page(request, "benefits/errors/500.jinja", {}, status=500)
