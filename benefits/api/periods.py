"""Periods over the API (API.md, Resources "periods"): the months of a financial year, closing a
month (and every earlier one) and reopening the latest closed one.

A month's status is derived, not stored per month: finance closes periods in order (FINANCE.md,
Closed periods), so the latest closed period decides every month's status.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from benefits.errors import ValidationFailed
from benefits.finance.calendar import FinancialYear, is_period, months_between
from benefits.models import Period
from benefits.models.choices import PeriodStatus
from benefits.policy import Action
from benefits.selectors.periods import month_states
from benefits.services import periods as period_services

from .base import ReasonSerializer, RowSerializer
from .fields import FinancialYearField, PeriodField, parse_query
from .idempotency import IdempotencyMixin

# --- serializers -------------------------------------------------------------------------------


class PeriodQuery(serializers.Serializer):
    fy = FinancialYearField(required=False, help_text="Financial year, e.g. 2025/26; default the current one.")


class PeriodSerializer(RowSerializer):
    period = PeriodField(read_only=True)
    status = serializers.ChoiceField(choices=PeriodStatus.choices, read_only=True)
    closed_by = serializers.CharField(read_only=True, allow_null=True, help_text="Username.")
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


# --- periods -------------------------------------------------------------------------------------


def period_rows(months: list[str]) -> list[dict]:
    """Each month with its status (closed months form a prefix: FINANCE.md)."""
    return [
        {
            "period": m.period,
            "status": PeriodStatus.CLOSED if m.closed else PeriodStatus.OPEN,
            "closed_by": m.closed_by.username if m.closed_by else None,
            "closed_at": m.closed_at,
        }
        for m in month_states(months)
    ]


@extend_schema_view(
    list=extend_schema(summary="The 12 months of a financial year and whether each is closed", parameters=[PeriodQuery]),
    retrieve=extend_schema(summary="One month"),
)
class PeriodViewSet(IdempotencyMixin, viewsets.GenericViewSet):
    serializer_class = PeriodSerializer
    lookup_field = "period"
    lookup_value_regex = r"[0-9]{4}-[0-9]{2}"
    parser_classes = [JSONParser]
    write_action = Action.CLOSE_PERIOD
    queryset = Period.objects.none()  # rows are computed from the calendar

    def list(self, request):
        fy = parse_query(request, PeriodQuery).get("fy") or FinancialYear.of(timezone.localdate().strftime("%Y-%m"))
        rows = period_rows(months_between(fy.first, fy.last))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def _month(self, period: str) -> str:
        if not is_period(period):
            raise ValidationFailed(f"'{period}' is not a month in the form YYYY-MM.", field="period", details={"period": ["Use YYYY-MM."]})
        return period

    def retrieve(self, request, period=None):
        return Response(self.get_serializer(period_rows([self._month(period)])[0]).data)

    @extend_schema(request=OptionalReasonSerializer, responses={200: PeriodSerializer}, summary="Close this month and every earlier one")
    @action(detail=True, methods=["post"])
    def close(self, request, period=None):
        data = OptionalReasonSerializer(data=request.data if isinstance(request.data, dict) else {})
        data.is_valid(raise_exception=True)
        period_services.close_period(user=request.user, period=self._month(period), reason=data.validated_data["reason"])
        return Response(self.get_serializer(period_rows([period])[0]).data)

    @extend_schema(request=ReasonSerializer, responses={200: PeriodSerializer}, summary="Reopen the latest closed month")
    @action(detail=True, methods=["post"])
    def reopen(self, request, period=None):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        period_services.reopen_period(user=request.user, period=self._month(period), reason=data.validated_data["reason"])
        return Response(self.get_serializer(period_rows([period])[0]).data)
