"""Signing in and out (Django's own authentication), and the page of a user who has no role yet."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from benefits.selectors.accounts import administrator_names

from .forms import NhsForm
from .http import render_page


class LoginForm(NhsForm):
    username = forms.CharField(max_length=150, error_messages={"required": "Enter your username."})
    password = forms.CharField(strip=False, error_messages={"required": "Enter your password."})


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    form = LoginForm(request.POST or None)
    problem = ""
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        if user is None:
            problem = "The username or password is not right. Check them and try again, or ask an administrator to reset your password."
        else:
            login(request, user)
            return redirect(next_url or reverse("web:dashboard"))
    errors = [{"text": str(e[0]), "href": f"#{n}"} for n, e in form.errors.items()] if request.method == "POST" else []
    if problem:
        errors.append({"text": problem, "href": "#username"})
    return render_page(
        request,
        "benefits/login.jinja",
        {"form": form, "next": next_url, "page_errors": errors, "problem": problem},
        status=400 if errors else 200,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("web:login")


def no_role(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("web:login")
    return render_page(request, "benefits/no_role.jinja", {"admins": administrator_names()},
                       status=403 if not request.user.role else 200)


urlpatterns = [
    path("accounts/login/", login_view, name="login"),
    path("accounts/logout/", logout_view, name="logout"),
    path("no-role/", no_role, name="no_role"),
]
