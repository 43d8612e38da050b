"""The register's reads. Its filters have one place: the API's initiatives list, the register page,
its download and background exports apply the same `RegisterFilter`, with one meaning for each
word (API.md); the pages through `filtered_register`.

A background export records the filters the user had on the page and applies them again in the
worker, so the file holds exactly the initiatives the page listed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import django_filters as filters
from django.db.models import Exists, OuterRef, Q, QuerySet

from benefits.models import BenefitLine, Entry, Initiative, Organisation, User, Workstream
from benefits.models.choices import Confidence, Stage
from benefits.policy import Action

from .paging import Paged, paginate


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


class FilteredRegister(NamedTuple):
    """The initiatives the filters select, and the filters applied (the valid ones, by their API names)."""

    selected: QuerySet[Initiative]
    applied: dict[str, str]


def filtered_register(user: User, filters: Mapping[str, object]) -> FilteredRegister:
    """The register as `user` may read it, filtered by `RegisterFilter`: the pages and their downloads.

    An invalid value is left out rather than refused (django-filter's `.qs` applies the valid
    fields only), so a page never fails on its query string; the API refuses it instead.
    """
    filterset = RegisterFilter(filters, queryset=Initiative.objects.for_user(user, Action.VIEW))
    initiatives = filterset.qs
    applied = {name: str(value) for name, value in filterset.form.cleaned_data.items() if value not in (None, "")}
    return FilteredRegister(initiatives, applied)


# The register page's columns a user may sort by, and the field behind each (ties broken by ref).
REGISTER_SORTS = {
    "ref": "ref",
    "title": "title",
    "workstream": "workstream__name",
    "trust": "lead_organisation__code",
    "stage": "stage",
    "confidence": "delivery_confidence",
    "updated": "updated_at",
}


def register_page(*, initiatives: QuerySet[Initiative], sort: str, descending: bool, page: int, size: int) -> Paged[Initiative]:
    """One page of these initiatives in a column's order, with their workstream and lead trust (two queries)."""
    order = ("-" if descending else "") + REGISTER_SORTS[sort]
    return paginate(initiatives.order_by(order, "ref").select_related("workstream", "lead_organisation"), page, size)


def visible_initiative(user: User, ref: str) -> Initiative | None:
    """The initiative `ref` if `user` may read it, with its workstream, lead trust and owner."""
    return (
        Initiative.objects.for_user(user, Action.VIEW)
        .select_related("workstream", "lead_organisation", "owner")
        .filter(ref=ref)
        .first()
    )


def visible_line(user: User, line_id: int) -> BenefitLine | None:
    """The benefit line if `user` may read it, with its initiative."""
    return BenefitLine.objects.for_user(user, Action.VIEW).select_related("initiative").filter(pk=line_id).first()


def initiative_trusts(initiative: Initiative) -> list[Organisation]:
    """The trusts an initiative involves (its lead among them)."""
    return list(initiative.organisations.all())


def all_workstreams() -> QuerySet[Workstream]:
    """Every workstream: what a form may choose from."""
    return Workstream.objects.all()


def all_organisations() -> QuerySet[Organisation]:
    """Every trust: what a form may choose from."""
    return Organisation.objects.all()


def workstream_choices() -> list[tuple[str, str]]:
    """(code, name) of every workstream in code order, for the filters of the register and the queue."""
    return list(Workstream.objects.values_list("code", "name"))


def trust_choices() -> list[tuple[str, str]]:
    """(code, name) of every trust in code order, likewise."""
    return list(Organisation.objects.values_list("code", "name"))


def register_size() -> tuple[int, int]:
    """How many initiatives and entries the register holds (what `seed_demo` reports)."""
    return Initiative.objects.count(), Entry.objects.count()
