"""The value rule of FINANCE.md ("Benefit lines and their values"), once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .rounding import PENNY, round_half_up

GBP = "GBP"
HUNDRED = Decimal("100")
ONE = Decimal("1")


class NoUnitCostInForce(LookupError):
    """The line's unit cost has no version valid for the period: the entry is refused (422)."""


@dataclass(frozen=True)
class UnitCostVersion:
    valid_from: str  # YYYY-MM
    value_gbp: Decimal


def unit_value_for(period: str, versions: Sequence[UnitCostVersion]) -> Decimal:
    """The version in force: the latest `valid_from` ≤ period."""
    in_force = [v for v in versions if v.valid_from <= period]
    if not in_force:
        raise NoUnitCostInForce(period)
    return max(in_force, key=lambda v: v.valid_from).value_gbp


def entry_value(*, quantity: Decimal, unit_value: Decimal, attribution_pct: Decimal, is_disbenefit: bool) -> Decimal:
    """value_gbp = sign × round_half_up(quantity × unit_value × attribution_pct / 100, 0.01)."""
    if type(quantity) is not Decimal or type(unit_value) is not Decimal or type(attribution_pct) is not Decimal:
        for name, number in (("quantity", quantity), ("unit_value", unit_value), ("attribution_pct", attribution_pct)):
            if not isinstance(number, Decimal):
                raise TypeError(f"{name} must be Decimal, got {type(number).__name__}")
    if unit_value == ONE and attribution_pct == HUNDRED and quantity.same_quantum(PENNY):
        value = quantity  # q × 1 × 100 / 100 is q, exactly: most lines are pounds at 100 %
    else:
        value = round_half_up(quantity * unit_value * attribution_pct / HUNDRED)
    return -value if is_disbenefit else value


def risk_adjust(value: Decimal, weight: Decimal, *, is_disbenefit: bool) -> Decimal:
    """A forecast value weighted by delivery confidence; dis-benefits are never weighted."""
    if is_disbenefit:
        return value
    return round_half_up(value * weight)
