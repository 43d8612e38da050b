"""Serializers of the register, ledger, reference data and audit (API.md, Resources).

Each serializer lists its fields explicitly and is used both ways: `read_only=True` fields are
ignored on input (they cannot be set), the rest are validated here and then handed to a service.
Output goes through `RowSerializer`, which reads plain dicts from `.values()` querysets with one
converter per field (NOTES.md: DRF's per-field machinery costs ~3× a bare view on 500 rows).
Related objects appear by natural key (workstream/organisation `code`, initiative `ref`, username).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from benefits.models import BenefitLine, Initiative, Organisation, Workstream
from benefits.models.choices import (
    MEASURES,
    BenefitClass,
    Confidence,
    EntryStatus,
    ImpactStatus,
    PeriodStatus,
    Series,
    Stage,
    TargetBasis,
)
from benefits.services.entries import MAX_BULK

from .fields import MoneyField, PeriodField, QuantityField

BIGINT = 2**63 - 1


def _decimal(value: Any) -> Any:
    return None if value is None else str(value)


def _date(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return value


def _identity(value: Any) -> Any:
    return value


def _converter(field: serializers.Field) -> Callable[[Any], Any]:
    if isinstance(field, serializers.DecimalField):
        return _decimal
    if isinstance(field, serializers.DateTimeField):
        return _datetime
    if isinstance(field, serializers.DateField):
        return _date
    return _identity


class RowSerializer(serializers.Serializer):
    """Output from a dict row (a `.values()` result) or a model instance, one converter per field.

    `row_keys` maps a field to the key it has in the row when that differs from the field name
    (e.g. `{"workstream": "workstream__code"}`).
    """

    row_keys: dict[str, str] = {}

    def _plan(self) -> list[tuple[str, str, Callable[[Any], Any]]]:
        plan = getattr(self, "_row_plan", None)
        if plan is None:
            plan = [
                (name, self.row_keys.get(name, name), _converter(field))
                for name, field in self.fields.items()
                if not field.write_only
            ]
            self._row_plan = plan
        return plan

    def to_representation(self, instance):
        if isinstance(instance, dict):
            return {name: convert(instance.get(key)) for name, key, convert in self._plan()}
        return super().to_representation(instance)


# --- register --------------------------------------------------------------------------------


class OrganisationSerializer(RowSerializer):
    code = serializers.RegexField(
        r"^[A-Z0-9][A-Z0-9_-]{0,9}$", max_length=10, help_text="ODS code, e.g. RYE.", error_messages={"invalid": "Use capital letters, digits, '-' or '_' (at most 10)."}
    )
    name = serializers.CharField(max_length=200)
    version = serializers.IntegerField(read_only=True)


class WorkstreamSerializer(RowSerializer):
    code = serializers.RegexField(
        r"^[A-Z0-9][A-Z0-9_-]{0,19}$", max_length=20, error_messages={"invalid": "Use capital letters, digits, '-' or '_' (at most 20)."}
    )
    name = serializers.CharField(max_length=200)
    sro = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="Senior responsible owner.")
    version = serializers.IntegerField(read_only=True)


class InitiativeSerializer(RowSerializer):
    ref = serializers.CharField(read_only=True, help_text="Generated: AG-0001, AG-0002, …")
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    workstream = serializers.SlugRelatedField(slug_field="code", queryset=Workstream.objects.all())
    lead_organisation = serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.all())
    organisations = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organisation.objects.all(),
        many=True,
        required=False,
        help_text="Organisation codes; always includes the lead (defaults to it).",
    )
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    delivery_confidence = serializers.ChoiceField(choices=Confidence.choices, required=False)
    owner = serializers.CharField(read_only=True, allow_null=True, help_text="Username of the user who registered it.")
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    qia_status = serializers.ChoiceField(choices=ImpactStatus.choices, required=False)
    eia_status = serializers.ChoiceField(choices=ImpactStatus.choices, required=False)
    investment_one_off_gbp = MoneyField(required=False, min_value=Decimal("0"))
    investment_recurrent_gbp = MoneyField(required=False, min_value=Decimal("0"))
    version = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    row_keys = {
        "workstream": "workstream__code",
        "lead_organisation": "lead_organisation__code",
        "organisations": "organisation_codes",
        "owner": "owner__username",
    }

    def validate(self, attrs):
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": ["Must not be before start_date."]})
        return attrs


class BenefitSerializer(RowSerializer):
    id = serializers.IntegerField(read_only=True)
    initiative = serializers.SlugRelatedField(slug_field="ref", queryset=Initiative.objects.all(), help_text="Initiative ref.")
    title = serializers.CharField(max_length=200)
    benefit_class = serializers.ChoiceField(choices=BenefitClass.choices)
    recurrence = serializers.ChoiceField(choices=[("recurrent", "Recurrent"), ("non_recurrent", "Non-recurrent")])
    is_disbenefit = serializers.BooleanField(required=False, default=False)
    organisation = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organisation.objects.all(),
        required=False,
        help_text="Defaults to the initiative's lead; must be one of its organisations.",
    )
    measure = serializers.ChoiceField(choices=[(m, m) for m in MEASURES], required=False, default="GBP")
    unit_cost = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default="", help_text="Unit cost code; required unless measure is GBP."
    )
    attribution_pct = QuantityField(
        max_digits=5, required=False, max_value=Decimal("100"), help_text="0 to 100; default 100."
    )
    version = serializers.IntegerField(read_only=True)

    row_keys = {"initiative": "initiative__ref", "organisation": "organisation__code"}


# --- ledger ----------------------------------------------------------------------------------


class EntrySerializer(RowSerializer):
    id = serializers.IntegerField(read_only=True)
    benefit = serializers.PrimaryKeyRelatedField(queryset=BenefitLine.objects.all(), help_text="Benefit line id.")
    period = PeriodField()
    series = serializers.ChoiceField(choices=Series.choices)
    quantity = QuantityField(help_text="In the line's measure (GBP or units), ≥ 0, at most two places.")
    value_gbp = MoneyField(read_only=True, help_text="The valued amount (FINANCE.md): sign × quantity × unit value × attribution.")
    status = serializers.ChoiceField(
        choices=EntryStatus.choices, read_only=True, allow_null=True, help_text="Actuals only; null for plan and forecast."
    )
    version = serializers.IntegerField(read_only=True)
    updated_by = serializers.CharField(read_only=True, allow_null=True, help_text="Username.")
    updated_at = serializers.DateTimeField(read_only=True)

    row_keys = {"benefit": "benefit_id", "updated_by": "updated_by__username"}


class EntryUpdateSerializer(serializers.Serializer):
    """Only the quantity of an entry changes; benefit, period and series name the entry."""

    benefit = serializers.IntegerField(required=False, min_value=1, max_value=BIGINT)
    period = PeriodField(required=False)
    series = serializers.ChoiceField(choices=Series.choices, required=False)
    quantity = QuantityField()


class BulkRowSerializer(serializers.Serializer):
    benefit = serializers.IntegerField(min_value=1, max_value=BIGINT)
    period = PeriodField()
    series = serializers.ChoiceField(choices=Series.choices)
    quantity = QuantityField()


class BulkEntriesSerializer(serializers.Serializer):
    entries = BulkRowSerializer(many=True, max_length=MAX_BULK, help_text=f"Up to {MAX_BULK} rows, all or nothing.")


class BulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


class IdsSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=BIGINT), allow_empty=False, max_length=MAX_BULK
    )


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why: shown to the programme office and kept in the audit.")


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PeriodSerializer(RowSerializer):
    period = PeriodField(read_only=True)
    status = serializers.ChoiceField(choices=PeriodStatus.choices, read_only=True)
    closed_by = serializers.CharField(read_only=True, allow_null=True, help_text="Username.")
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)


# --- reference data --------------------------------------------------------------------------


class UnitCostSerializer(RowSerializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.RegexField(
        r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$", max_length=40, error_messages={"invalid": "Use letters, digits, '_', '.' or '-'."}
    )
    name = serializers.CharField(max_length=200)
    unit = serializers.CharField(max_length=30)
    value_gbp = MoneyField(min_value=Decimal("0"))
    valid_from = PeriodField(help_text="The month this version takes effect.")
    source = serializers.CharField(max_length=2000, help_text="Where the figure comes from.")
    version = serializers.IntegerField(read_only=True)


class ConfidenceWeightSerializer(RowSerializer):
    delivery_confidence = serializers.ChoiceField(choices=Confidence.choices, read_only=True)
    weight = MoneyField(max_digits=3, min_value=Decimal("0"), max_value=Decimal("1"), help_text="0.00 to 1.00")
    version = serializers.IntegerField(read_only=True)


class TargetSerializer(RowSerializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    amount_gbp = MoneyField(min_value=Decimal("0.01"))
    benefit_classes = serializers.ListField(child=serializers.ChoiceField(choices=BenefitClass.choices), allow_empty=False, max_length=3)
    basis = serializers.ChoiceField(choices=TargetBasis.choices)
    start_period = PeriodField()
    end_period = PeriodField()
    version = serializers.IntegerField(read_only=True)
    # "end_period before start_period" is refused by the service (reference._require_window), once.


# --- audit and auth --------------------------------------------------------------------------


class AuditEventSerializer(RowSerializer):
    id = serializers.IntegerField(read_only=True)
    at = serializers.DateTimeField(read_only=True)
    user = serializers.CharField(read_only=True, help_text="Username, or the name of a system run.")
    action = serializers.CharField(read_only=True, help_text="Dotted, e.g. benefits.entry.validated.")
    object_type = serializers.CharField(read_only=True)
    object_id = serializers.CharField(read_only=True)
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField(), min_length=2, max_length=2),
        read_only=True,
        help_text='{"field": [old, new]}',
    )
    reason = serializers.CharField(read_only=True)

    row_keys = {"user": "actor"}


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
