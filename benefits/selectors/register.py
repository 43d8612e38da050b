"""The register's filters, in one place: the API's initiatives list, the register page and both
register downloads apply the same `RegisterFilter`, with one meaning for each word (API.md).

A background export records the filters the user had on the page and applies them again in the
worker, so the file holds exactly the initiatives the page listed.
"""

from __future__ import annotations

import django_filters as filters
from django.db.models import Exists, OuterRef, Q, QuerySet

from benefits.models import Entry, Initiative, Organisation, Workstream
from benefits.models.choices import Confidence, Stage


class RegisterFilter(filters.FilterSet):
    """API.md's initiative filters: `workstream`, `lead_organisation`, `organisation`, `stage`,
    `delivery_confidence`, `search`. An unknown or malformed value is an error the API answers
    with a 400 naming it; a page simply leaves that filter out."""

    workstream = filters.CharFilter(field_name="workstream__code", help_text="Workstream code.")
    lead_organisation = filters.CharFilter(field_name="lead_organisation__code", help_text="Organisation code.")
    organisation = filters.CharFilter(method="filter_organisation", help_text="Initiatives involving this organisation (code).")
    stage = filters.ChoiceFilter(choices=Stage.choices)
    delivery_confidence = filters.ChoiceFilter(choices=Confidence.choices)
    search = filters.CharFilter(method="filter_search", help_text="Words in the ref, title or description.")

    class Meta:
        model = Initiative
        fields = ["workstream", "lead_organisation", "organisation", "stage", "delivery_confidence", "search"]

    def filter_organisation(self, queryset, name, value):
        through = Initiative.organisations.through
        return queryset.filter(Exists(through.objects.filter(initiative_id=OuterRef("pk"), organisation__code=value)))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(ref__icontains=value) | Q(title__icontains=value) | Q(description__icontains=value))

FILTERS = ("workstream", "trust", "stage", "confidence", "search")


def filter_register(
    initiatives: QuerySet[Initiative],
    *,
    workstream: str = "",
    trust: str = "",
    stage: str = "",
    confidence: str = "",
    search: str = "",
) -> QuerySet[Initiative]:
    """The register page's filters: workstream code, a trust involved, stage, delivery confidence, words."""
    if workstream:
        initiatives = initiatives.filter(workstream__code=workstream)
    if trust:
        initiatives = initiatives.filter(organisations__code=trust)
    if stage:
        initiatives = initiatives.filter(stage=stage)
    if confidence:
        initiatives = initiatives.filter(delivery_confidence=confidence)
    if search:
        initiatives = initiatives.filter(Q(title__icontains=search) | Q(ref__iexact=search) | Q(description__icontains=search))
    return initiatives


def workstream_choices() -> list[tuple[str, str]]:
    """(code, name) of every workstream in code order, for the filters of the register and the queue."""
    return list(Workstream.objects.values_list("code", "name"))


def trust_choices() -> list[tuple[str, str]]:
    """(code, name) of every trust in code order, likewise."""
    return list(Organisation.objects.values_list("code", "name"))


def register_size() -> tuple[int, int]:
    """How many initiatives and entries the register holds (what `seed_demo` reports)."""
    return Initiative.objects.count(), Entry.objects.count()
