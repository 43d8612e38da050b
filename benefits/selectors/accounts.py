"""Who a signed-in person is, as the pages' header and forms need it: their trusts, and whom to ask."""

from __future__ import annotations

from benefits.models import Organisation, User
from benefits.models.choices import Role


def administrator_names() -> list[str]:
    """The active administrators by surname: whom a user without a role should ask."""
    return [u.display_name for u in User.objects.filter(role=Role.ADMIN, is_active=True).order_by("last_name", "username")]


def trust_codes(user: User) -> list[str]:
    """The codes of the user's trusts (one query), as the header names them."""
    return [o.code for o in user.organisations.all()]


def first_trust(user: User) -> Organisation | None:
    """The user's first trust: the lead a new initiative starts with."""
    return user.organisations.first()
