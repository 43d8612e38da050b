"""The one rounding helper (FINANCE.md: round half-up to the penny)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")
POUND = Decimal("1")


def round_half_up(value: Decimal, step: Decimal = PENNY) -> Decimal:
    """Round to `step` with halves away from zero, as finance does by hand."""
    if not isinstance(value, Decimal):
        raise TypeError(f"money must be Decimal, got {type(value).__name__}")
    return value.quantize(step, ROUND_HALF_UP)  # positional: half the cost of the keyword in C decimal


def whole_pounds(value: Decimal) -> str:
    """`£1,234,568` style for the board pack and dashboard (API.md, board pack figures)."""
    rounded = round_half_up(value, POUND)
    digits = f"{rounded:,f}"  # whole already: no second rounding (a page prints a hundred of these)
    return f"-£{digits[1:]}" if rounded < 0 else f"£{digits.lstrip('-')}"  # -0 prints as £0


def pounds_pence(value: Decimal) -> str:
    """`£9,500.00` style for audit sentences and the month grid."""
    rounded = round_half_up(value)
    sign = "-" if rounded < 0 else ""
    return f"{sign}£{abs(rounded):,.2f}"


def percentage(part: Decimal, whole: Decimal) -> Decimal | None:
    """part ÷ whole × 100 rounded half-up to 0.01 (FINANCE.md, Targets); None when whole is 0."""
    if whole == 0:
        return None
    return round_half_up(part / whole * 100)
