"""Reference data over the API (API.md, Resources): unit-cost versions, delivery-confidence weights
and targets. Finance keeps them; every change that moves a figure goes through a service that
revalues what it affects (FINANCE.md, Benefit lines and their values; Targets).
"""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from benefits.models import ConfidenceWeight, Target, UnitCost
from benefits.models.choices import BenefitClass, Confidence, TargetBasis
from benefits.policy import Action
from benefits.services import reference as reference_services

from . import filters
from .base import ApiViewSet, CreateMixin, DestroyMixin, RowSerializer, UpdateMixin
from .fields import MoneyField, PeriodField

# --- serializers -------------------------------------------------------------------------------


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


# --- viewsets ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List unit-cost versions"),
    retrieve=extend_schema(summary="One unit-cost version"),
    create=extend_schema(summary="Add a unit-cost version (later entries are revalued)"),
    update=extend_schema(summary="Change a unit-cost version"),
    partial_update=extend_schema(summary="Change a unit-cost version"),
    destroy=extend_schema(summary="Delete a unit-cost version"),
)
class UnitCostViewSet(CreateMixin, UpdateMixin, DestroyMixin, ApiViewSet):
    model = UnitCost
    serializer_class = UnitCostSerializer
    filterset_class = filters.UnitCostFilter
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    write_action = Action.EDIT_REFERENCE

    def rows(self):
        return UnitCost.objects.order_by("code", "valid_from").values("id", "code", "name", "unit", "value_gbp", "valid_from", "source", "version")

    def add(self, data):
        return reference_services.create_unit_cost(user=self.request.user, fields=data)

    def change(self, cost, data, *, version, partial):
        self.refuse_changes(data, {"code": cost.code}, ("code",))
        return reference_services.update_unit_cost(user=self.request.user, unit_cost=cost, changes=data, expected_version=version)

    def remove(self, cost, *, version):
        reference_services.delete_unit_cost(user=self.request.user, unit_cost=cost, expected_version=version)


@extend_schema_view(
    list=extend_schema(summary="The delivery-confidence weights"),
    retrieve=extend_schema(summary="One weight"),
    update=extend_schema(summary="Change a weight"),
    partial_update=extend_schema(summary="Change a weight"),
)
class ConfidenceWeightViewSet(UpdateMixin, ApiViewSet):
    model = ConfidenceWeight
    serializer_class = ConfidenceWeightSerializer
    lookup_field = "delivery_confidence"
    lookup_value_regex = r"[a-z_]{1,20}"
    write_action = Action.EDIT_REFERENCE

    def rows(self):
        return ConfidenceWeight.objects.order_by("-weight", "delivery_confidence").values("id", "delivery_confidence", "weight", "version")

    def change(self, weight, data, *, version, partial):
        if "weight" not in data:
            return weight
        return reference_services.update_confidence_weight(user=self.request.user, weight=weight, value=data["weight"], expected_version=version)


@extend_schema_view(
    list=extend_schema(summary="List targets"),
    retrieve=extend_schema(summary="One target"),
    create=extend_schema(summary="Add a target"),
    update=extend_schema(summary="Change a target"),
    partial_update=extend_schema(summary="Change a target"),
    destroy=extend_schema(summary="Delete a target"),
)
class TargetViewSet(CreateMixin, UpdateMixin, DestroyMixin, ApiViewSet):
    model = Target
    serializer_class = TargetSerializer
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    write_action = Action.EDIT_REFERENCE

    def rows(self):
        return Target.objects.order_by("id").values(
            "id", "name", "amount_gbp", "benefit_classes", "basis", "start_period", "end_period", "version"
        )

    def add(self, data):
        return reference_services.create_target(user=self.request.user, fields=data)

    def change(self, target, data, *, version, partial):
        return reference_services.update_target(user=self.request.user, target=target, changes=data, expected_version=version)

    def remove(self, target, *, version):
        reference_services.delete_target(user=self.request.user, target=target, expected_version=version)
