"""Provisioning users (API.md: `manage.py add_user`) and deactivating them (the Django admin's one action).

A user's powers come from their role through `benefits.policy`; Django's `is_staff` and
`is_superuser` flags stay off (ADR 0016).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from benefits.errors import ValidationFailed
from benefits.models import Organisation, User
from benefits.models.choices import Role
from benefits.policy import Action, require

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
    """Create or update a user with one role and their trusts, active; returns (user, created)."""
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
            {"role": user.role, "organisations": sorted(user.organisations.values_list("code", flat=True)), "is_active": user.is_active}
            if not created
            else {}
        )
        user.role = role
        user.first_name, user.last_name = first or user.first_name, last or user.last_name
        user.email = email or user.email
        user.is_active = True  # provisioning someone again brings a deactivated account back
        user.is_staff = user.is_superuser = False  # the role is the only source of powers, the admin's included
        user.set_password(password)
        user.save()
        user.organisations.set(orgs)
        after = {"role": role, "organisations": codes} | ({} if created else {"is_active": True})
        audit.record(
            user=by,
            system="add_user",
            action="benefits.user.created" if created else "benefits.user.updated",
            object_type="user",
            object_id=username,
            changes=audit.diff(before, after),
        )
    return user, created


def deactivate_users(*, users: Iterable[User], by: User) -> list[User]:
    """Stop people signing in (pages, API tokens, admin) and keep their history; returns those deactivated.

    Never the one who asks, so the last administrator cannot lock everyone out. `add_user` brings
    an account back.
    """
    require(by, Action.ADMINISTER, what="deactivate users")
    ids = {u.pk for u in users}
    if by.pk in ids:
        raise ValidationFailed("You cannot deactivate your own account; ask another administrator.", field="users")
    with transaction.atomic():
        deactivated = list(User.objects.select_for_update().filter(pk__in=ids, is_active=True).order_by("username"))
        for user in deactivated:
            user.is_active = False
            user.save(update_fields=["is_active"])
            audit.record(
                user=by,
                action="benefits.user.updated",
                object_type="user",
                object_id=user.username,
                changes={"is_active": [True, False]},
            )
    return deactivated
