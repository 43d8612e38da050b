"""The ledger over the API (API.md, Resources "entries"): plan, forecast and actual entries, the
actuals' workflow (submit, validate, reject, singly or in bulk) and the bulk write of up to 5,000 rows.

Segregation of duties and trust scope are the services' (benefits.services.actuals, .common), checked under
the row lock; these views parse, call one service and answer the stored row.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from benefits.models import BenefitLine, Entry
from benefits.models.choices import EntryStatus, Series
from benefits.policy import Action
from benefits.services import actuals as actual_services
from benefits.services import bulk as bulk_services
from benefits.services import entries as entry_services
from benefits.services.bulk import MAX_BULK

from . import filters
from .base import ApiViewSet, CreateMixin, DestroyMixin, ReasonSerializer, RowSerializer, UpdateMixin
from .fields import MoneyField, PeriodField, QuantityField

BIGINT = 2**63 - 1

# --- serializers -------------------------------------------------------------------------------


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


# --- entries -------------------------------------------------------------------------------------

ENTRY_VALUES = (
    "id",
    "benefit_id",
    "period",
    "series",
    "quantity",
    "value_gbp",
    "status",
    "version",
    "updated_by__username",
    "updated_at",
)


@extend_schema_view(
    list=extend_schema(summary="List entries"),
    retrieve=extend_schema(summary="One entry"),
    create=extend_schema(summary="Add an entry (one per benefit, period and series: a second is a 409)"),
    update=extend_schema(summary="Change an entry's quantity", request=EntryUpdateSerializer),
    partial_update=extend_schema(summary="Change an entry's quantity", request=EntryUpdateSerializer),
    destroy=extend_schema(summary="Delete an entry"),
)
class EntryViewSet(CreateMixin, UpdateMixin, DestroyMixin, ApiViewSet):
    model = Entry
    serializer_class = EntrySerializer
    update_serializer_class = EntryUpdateSerializer
    filterset_class = filters.EntryFilter
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    write_action = Action.EDIT_REGISTER
    write_actions = {"validate": Action.VALIDATE, "reject": Action.VALIDATE, "bulk_validate": Action.VALIDATE}

    def rows(self):
        return Entry.objects.for_user(self.request.user, Action.VIEW).order_by("id").values(*ENTRY_VALUES)

    def add(self, data):
        return entry_services.create_entry(
            user=self.request.user, benefit=data["benefit"], period=data["period"], series=data["series"], quantity=data["quantity"]
        )

    def change(self, entry, data, *, version, partial):
        self.refuse_changes(data, {"benefit": entry.benefit_id, "period": entry.period, "series": entry.series}, ("benefit", "period", "series"))
        if "quantity" not in data:
            return entry
        return entry_services.update_entry(user=self.request.user, entry=entry, quantity=data["quantity"], expected_version=version)

    def remove(self, entry, *, version):
        entry_services.delete_entry(user=self.request.user, entry=entry, expected_version=version)

    # --- the actuals' workflow -------------------------------------------------------------------

    @extend_schema(request=None, responses={200: EntrySerializer}, summary="Submit a draft actual for validation")
    @action(detail=True, methods=["post"])
    def submit(self, request, id=None):
        entry = actual_services.submit_entry(user=request.user, entry=self.instance())
        return self.present(entry)

    @extend_schema(request=None, responses={200: EntrySerializer}, summary="Validate a submitted actual (finance; never your own)")
    @action(detail=True, methods=["post"])
    def validate(self, request, id=None):
        entry = actual_services.validate_entry(user=request.user, entry=self.instance())
        return self.present(entry)

    @extend_schema(request=ReasonSerializer, responses={200: EntrySerializer}, summary="Send a submitted actual back to draft")
    @action(detail=True, methods=["post"])
    def reject(self, request, id=None):
        entry = self.instance()
        data = self.valid(ReasonSerializer)
        entry = actual_services.reject_entry(user=request.user, entry=entry, reason=data["reason"])
        return self.present(entry)

    # --- many at once --------------------------------------------------------------------------

    @extend_schema(
        request=BulkEntriesSerializer,
        responses={200: BulkResultSerializer},
        summary="Create or update up to 5,000 entries in one transaction",
        description="Any bad row refuses the whole request: 400 with `errors.entries` = [{index, errors}] for each bad row.",
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        body = request.data
        if not isinstance(body, dict) or not isinstance(body.get("entries"), list):
            raise serializers.ValidationError({"entries": ['Send {"entries": [{"benefit", "period", "series", "quantity"}, …]}.']})
        rows = [
            bulk_services.BulkRow(r.get("benefit"), r.get("period"), r.get("series"), r.get("quantity"))
            if isinstance(r, dict)
            else bulk_services.BulkRow(None, None, None, None)  # type: ignore[arg-type]
            for r in body["entries"]
        ]
        return Response(bulk_services.bulk_upsert_entries(user=request.user, rows=rows))

    @extend_schema(request=IdsSerializer, responses={200: CountSerializer}, summary="Submit several draft actuals, all or nothing")
    @action(detail=False, methods=["post"], url_path="bulk-submit")
    def bulk_submit(self, request):
        ids = self.valid(IdsSerializer)["ids"]
        return Response({"count": len(actual_services.submit_entries(user=request.user, ids=ids))})

    @extend_schema(request=IdsSerializer, responses={200: CountSerializer}, summary="Validate several submitted actuals, all or nothing")
    @action(detail=False, methods=["post"], url_path="bulk-validate")
    def bulk_validate(self, request):
        ids = self.valid(IdsSerializer)["ids"]
        return Response({"count": len(actual_services.validate_entries(user=request.user, ids=ids))})
