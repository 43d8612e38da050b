"""Provisioning users (API.md: `manage.py add_user`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from benefits.errors import ValidationFailed
from benefits.models import Organisation, User
from benefits.models.choices import Role

from . import audit


def add_user(
    *,
    username: str,
    role: str,
    org_codes: Iterable[str],
    password: str,
    full_name: str = "",
    email: str = "",
    by: User | None = None,
    check_password: bool = True,
) -> tuple[User, bool]:
    """Create or update a user with one role and their trusts; returns (user, created)."""
    if role not in Role.values:
        raise ValidationFailed(f"'{role}' is not a role; use one of {', '.join(Role.values)}.", field="role")
    codes = sorted(set(org_codes))
    orgs = list(Organisation.objects.filter(code__in=codes))
    missing = set(codes) - {o.code for o in orgs}
    if missing:
        raise ValidationFailed(f"Unknown organisation code(s): {', '.join(sorted(missing))}.", field="org")
    if role == Role.PROGRAMME_OFFICE and not orgs:
        raise ValidationFailed("A programme-office user needs at least one --org.", field="org")
    if check_password:
        try:
            validate_password(password)
        except DjangoValidationError as exc:
            raise ValidationFailed(" ".join(exc.messages), field="password") from None
    first, _, last = full_name.partition(" ")
    with transaction.atomic():
        user, created = User.objects.get_or_create(username=username)
        before = (
            {"role": user.role, "organisations": sorted(user.organisations.values_list("code", flat=True))} if not created else {}
        )
        user.role = role
        user.first_name, user.last_name = first or user.first_name, last or user.last_name
        user.email = email or user.email
        user.is_staff = role == Role.ADMIN
        user.is_superuser = role == Role.ADMIN
        user.set_password(password)
        user.save()
        user.organisations.set(orgs)
        after = {"role": role, "organisations": codes}
        audit.record(
            user=by,
            system="add_user",
            action="benefits.user.created" if created else "benefits.user.updated",
            object_type="user",
            object_id=username,
            changes=audit.diff(before, after),
        )
    return user, created
