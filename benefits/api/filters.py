"""List filters (API.md, Resources) with django-filter; a malformed or unknown value is a 400 naming it."""

from __future__ import annotations

from datetime import UTC

import django_filters as filters
from django import forms
from django.db.models import Q
from django_filters.fields import IsoDateTimeField

from benefits.models import AuditEvent, BenefitLine, Entry, UnitCost
from benefits.models.choices import BenefitClass, EntryStatus, Series
from benefits.selectors.audit import Cell, entry_events

from .fields import PERIOD_PATTERN

BIGINT = 2**63 - 1
OBJECT_TYPES = [
    "organisation",
    "workstream",
    "initiative",
    "benefit",
    "entry",
    "period",
    "unit_cost",
    "confidence_weight",
    "target",
    "snapshot",
    "board_pack",
    "export",
    "import",
    "user",
]


class IdFilter(filters.NumberFilter):
    """A row id: a whole number that fits the database (no '1.5', no 20 digits)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT)
        super().__init__(*args, **kwargs)


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, compared in UTC: Python accepts offsets up to ±23:59, PostgreSQL only ±15:59."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:  # 9999-12-31T23:59-05:00 is in year 10000 in UTC
            raise forms.ValidationError("The date-time is out of range.", code="invalid") from None


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class PeriodFilter(filters.CharFilter):
    field_class = forms.RegexField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("regex", PERIOD_PATTERN)
        kwargs.setdefault("error_messages", {"invalid": "Use a month in the form YYYY-MM, for example 2025-06."})
        super().__init__(*args, **kwargs)


class BenefitFilter(filters.FilterSet):
    initiative = filters.CharFilter(field_name="initiative__ref", help_text="Initiative ref.")
    benefit_class = filters.ChoiceFilter(choices=BenefitClass.choices)
    organisation = filters.CharFilter(field_name="organisation__code", help_text="Organisation code.")

    class Meta:
        model = BenefitLine
        fields = ["initiative", "benefit_class", "organisation"]


class EntryFilter(filters.FilterSet):
    benefit = IdFilter(field_name="benefit_id", help_text="Benefit line id.")
    initiative = filters.CharFilter(field_name="benefit__initiative__ref", help_text="Initiative ref.")
    series = filters.ChoiceFilter(choices=Series.choices)
    status = filters.ChoiceFilter(choices=EntryStatus.choices)
    period = PeriodFilter(field_name="period")
    period_from = PeriodFilter(field_name="period", lookup_expr="gte", help_text="First month, YYYY-MM.")
    period_to = PeriodFilter(field_name="period", lookup_expr="lte", help_text="Last month, YYYY-MM.")

    class Meta:
        model = Entry
        fields = ["benefit", "initiative", "series", "status", "period", "period_from", "period_to"]


class UnitCostFilter(filters.FilterSet):
    code = filters.CharFilter(field_name="code")

    class Meta:
        model = UnitCost
        fields = ["code"]


class AuditFilter(filters.FilterSet):
    object_type = filters.ChoiceFilter(choices=[(t, t) for t in OBJECT_TYPES])
    object_id = filters.CharFilter(field_name="object_id", help_text="The object's key as in its path: RYE, AG-0001, 42, 2025-06.")
    user = filters.CharFilter(field_name="actor", help_text="Username (or a system run's name).")
    action = filters.CharFilter(field_name="action", help_text="e.g. benefits.entry.validated")
    since = UtcDateTimeFilter(field_name="at", lookup_expr="gte", help_text="ISO 8601 date-time.")

    class Meta:
        model = AuditEvent
        fields = ["object_type", "object_id", "user", "action", "since"]

    def filter_queryset(self, queryset):
        """An entry's events include the import events that wrote its cell (ADR 0058)."""
        data = self.form.cleaned_data
        entry_id = data.get("object_id") or ""
        if data.get("object_type") != "entry" or not entry_id.isdigit() or int(entry_id) > BIGINT:
            return super().filter_queryset(queryset)
        cell = Entry.objects.filter(pk=int(entry_id)).values_list("id", "benefit_id", "period", "series").first()
        rest = {name: value for name, value in data.items() if name not in ("object_type", "object_id")}
        queryset = queryset.filter(entry_events([Cell(*cell)]) if cell else Q(object_type="entry", object_id=entry_id))
        for name, value in rest.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset
