"""Serializer fields and query-parameter parsing shared by every API module (API.md, Conventions).

- `MoneyField`: money in and out as a two-place decimal string ("125000.00"); JSON floats are refused
  (they are not money), integers and decimal strings accepted.
- `QuantityField`: the same, for quantities and percentages.
- `PeriodField` (`YYYY-MM`) and `FinancialYearField` (`2025/26`), checked by benefits.finance.calendar.
- `parse_query(request, SerializerClass)`: validate query parameters with a plain Serializer; any bad
  value is a 400 naming the parameter (e.g. `group_by=colour` with a ChoiceField). Returns the dict.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import RegexValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from benefits.finance.calendar import CalendarError, FinancialYear, parse_period

PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
FY_PATTERN = r"^\d{4}/\d{2}$"


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^-?\d{1,12}(\.\d{1,2})?$", "example": "125000.00"})
class MoneyField(serializers.DecimalField):
    """A decimal string with two places; JSON floats are refused so that no float touches money."""

    default_error_messages = {"float": "Give money as a decimal string such as '125000.00', not a JSON number with a fraction."}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, (float, bool)):
            self.fail("float")
        if isinstance(data, str):
            data = data.strip()
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^\d{1,12}(\.\d{1,2})?$", "example": "45.00"})
class QuantityField(MoneyField):
    default_error_messages = {"float": "Give the quantity as a decimal string such as '45.00'."}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(**kwargs)


@extend_schema_field({"type": "string", "pattern": PERIOD_PATTERN, "example": "2025-06"})
class PeriodField(serializers.CharField):
    """A month, `YYYY-MM`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            parse_period(value)
        except CalendarError as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value


@extend_schema_field({"type": "string", "pattern": FY_PATTERN, "example": "2025/26"})
class FinancialYearField(serializers.CharField):
    """A financial year, `2025/26`; the validated value is a `FinancialYear`."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return FinancialYear.parse(value)
        except CalendarError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def to_representation(self, value):
        return value.label if isinstance(value, FinancialYear) else str(value)


@extend_schema_field(OpenApiTypes.STR)
class UsernameField(serializers.CharField):
    """A user shown by username (read-only natural key)."""


period_validator = RegexValidator(PERIOD_PATTERN, "Use a month in the form YYYY-MM, for example 2025-06.")


def parse_query(request, serializer_class: type[serializers.Serializer]) -> dict:
    """Validated query parameters; a bad value raises a 400 naming the parameter."""
    params = {k: request.query_params.get(k) for k in request.query_params}
    serializer = serializer_class(data=params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
