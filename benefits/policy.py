"""Who may do what (API.md, "Who may do what"): role × action × trust, as data.

The API permissions, the pages and the tests all read this table; services call
`require` before they write, so no door skips it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from .errors import NotAllowed


class Action(StrEnum):
    VIEW = "view"  # read the register, rollups, board packs
    EDIT_REGISTER = "edit_register"  # initiatives, benefit lines, entries, submit actuals (trust-scoped)
    EDIT_WORKSTREAM = "edit_workstream"
    VALIDATE = "validate"  # validate / reject submitted actuals
    CLOSE_PERIOD = "close_period"  # close and reopen periods
    EDIT_REFERENCE = "edit_reference"  # unit costs, confidence weights, targets
    GENERATE_BOARD_PACK = "generate_board_pack"
    TAKE_SNAPSHOT = "take_snapshot"
    ADMINISTER = "administer"  # organisations, users


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    "programme_office": frozenset({Action.VIEW, Action.EDIT_REGISTER, Action.EDIT_WORKSTREAM}),
    "finance": frozenset({Action.VIEW, Action.VALIDATE, Action.CLOSE_PERIOD, Action.EDIT_REFERENCE, Action.TAKE_SNAPSHOT}),
    "executive": frozenset({Action.VIEW, Action.GENERATE_BOARD_PACK}),
    "admin": frozenset(Action),
}

# What ADMINISTER grants in the Django admin, as Django's model permissions: "app_label.model" (or
# "app_label.*" for every model of the app) → add / change / delete / view. The product's own data
# is view-only there: every change to it goes through a service (ADR 0016). benefits/admin_site.py
# reads this; a model not named here is not shown to anyone.
_ALL = frozenset({"add", "change", "delete", "view"})
ADMIN_SITE_PERMISSIONS: dict[str, frozenset[str]] = {
    "benefits.*": frozenset({"view"}),
    "django_celery_beat.*": _ALL,  # the beat schedule admins see, disable and retime (ADR 0022)
    "axes.accessattempt": _ALL,  # deleting a lockout lets a colleague sign in again
    "axes.accesslog": frozenset({"view"}),  # sign-in records are evidence: read, never edited
    "axes.accessfailurelog": frozenset({"view"}),
}

# Actions whose objects belong to trusts: a programme-office user may only touch initiatives
# whose `organisations` include one of their own. Admins are not scoped.
TRUST_SCOPED = frozenset({Action.EDIT_REGISTER})


class Person(Protocol):
    is_authenticated: bool
    role: str


def can(user: Person | None, action: Action) -> bool:
    """The role part of the rule; trust scope is checked by `can_on_trusts`."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", True):
        return False
    return action in ROLE_ACTIONS.get(getattr(user, "role", ""), frozenset())


def is_unscoped(user: Person) -> bool:
    return getattr(user, "role", "") == "admin"


def can_on_trusts(user: Person, action: Action, trust_ids: set[int], user_trust_ids: set[int]) -> bool:
    """Role check plus trust check: any overlap between the object's trusts and the user's."""
    if not can(user, action):
        return False
    if action not in TRUST_SCOPED or is_unscoped(user):
        return True
    return bool(trust_ids & user_trust_ids)


def require(user: Person | None, action: Action, *, what: str = "do this") -> None:
    if not can(user, action):
        raise NotAllowed(f"Your role does not allow you to {what}. Ask an administrator if you need it.")
