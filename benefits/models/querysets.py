"""`for_user(user, action)`: the one door through which pages and the API read scoped rows."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef

from benefits.policy import TRUST_SCOPED, Action, can, is_unscoped

# How each scoped model reaches its initiative's id.
INITIATIVE_ID = {"Initiative": "id", "BenefitLine": "initiative_id", "Entry": "benefit__initiative_id"}


class ScopedQuerySet(models.QuerySet):
    """Initiative-owned rows: admins see all, programme office only their trusts' for writes."""

    def for_user(self, user, action: Action = Action.VIEW):
        if not can(user, action):
            return self.none()
        if action not in TRUST_SCOPED or is_unscoped(user):
            return self
        through = apps.get_model("benefits", "Initiative").organisations.through
        shared = through.objects.filter(
            initiative_id=OuterRef(INITIATIVE_ID[self.model.__name__]),
            organisation_id__in=user.organisations.values("id"),
        )
        return self.filter(Exists(shared))


class InitiativeQuerySet(ScopedQuerySet):
    pass
