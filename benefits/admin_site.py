"""The Django admin's door, read from policy (ADR 0016): who may enter, and what they may do there.

Django's own extension points only: the default site (named by `benefits.apps.AdminConfig`), its
sign-in form, and an authentication backend that answers permission questions. `is_staff` and
`is_superuser` decide nothing here. Kept apart from `benefits/admin.py`, which registers models on
this site: Django imports the site class while it reads the app's admin modules.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from . import policy
from .policy import Action


class AdminLoginForm(AuthenticationForm):
    """The admin's sign-in, for people whose role may administer."""

    required_css_class = "required"
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter the username and password of an administrator. Both are case-sensitive.",
    }

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not policy.can(user, Action.ADMINISTER):
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class AdminSite(admin.AdminSite):
    """Django's admin site, entered by the role that may administer."""

    login_form = AdminLoginForm

    def has_permission(self, request) -> bool:
        return policy.can(request.user, Action.ADMINISTER)


class PolicyBackend:
    """Answers Django's permission questions from `policy.ADMIN_SITE_PERMISSIONS`; signs nobody in.

    Without `get_user` it never holds a session; Django asks it only `has_perm` and `has_module_perms`.
    """

    def authenticate(self, request, **credentials) -> None:
        return None

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        app_label, _, codename = perm.partition(".")
        permission, _, model_name = codename.partition("_")
        granted = policy.ADMIN_SITE_PERMISSIONS.get(
            f"{app_label}.{model_name}", policy.ADMIN_SITE_PERMISSIONS.get(f"{app_label}.*", frozenset())
        )
        return permission in granted and policy.can(user_obj, Action.ADMINISTER)

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        named = any(key.partition(".")[0] == app_label for key in policy.ADMIN_SITE_PERMISSIONS)
        return named and policy.can(user_obj, Action.ADMINISTER)
