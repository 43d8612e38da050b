"""FINANCE.md's arithmetic that needs no database: rounding, the value rule, the calendar."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benefits.finance.calendar import CalendarError, FinancialYear, add_months, month_name
from benefits.finance.rounding import percentage, round_half_up, whole_pounds
from benefits.finance.valuation import NoUnitCostInForce, UnitCostVersion, entry_value, risk_adjust, unit_value_for

D = Decimal


def test_round_half_up_rounds_halves_away_from_zero_not_to_even():
    assert round_half_up(D("0.125")) == D("0.13")
    assert round_half_up(D("0.135")) == D("0.14")
    assert round_half_up(D("-0.125")) == D("-0.13")


def test_rounding_refuses_floats():
    with pytest.raises(TypeError):
        round_half_up(0.125)  # type: ignore[arg-type]


def test_whole_pounds_for_the_board_pack():
    assert whole_pounds(D("1234567.50")) == "£1,234,568"
    assert whole_pounds(D("-1000.49")) == "-£1,000"
    assert whole_pounds(D("-0.49")) == "£0"  # no "-£0" on a board
    assert whole_pounds(D("-0.50")) == "-£1"
    assert whole_pounds(D("1E+6")) == "£1,000,000"


@given(st.decimals(min_value=D("-1e12"), max_value=D("1e12"), allow_nan=False, places=2))
def test_whole_pounds_is_the_half_up_pound_with_separators(value):
    pounds = int(value.quantize(D("1"), rounding=ROUND_HALF_UP))
    assert whole_pounds(value) == ("-" if pounds < 0 else "") + f"£{abs(pounds):,}"


def test_percentage_is_rounded_half_up_and_none_against_zero():
    assert percentage(D("1"), D("3")) == D("33.33")
    assert percentage(D("2"), D("3")) == D("66.67")
    assert percentage(D("1"), D("0")) is None


def test_value_of_a_unit_line_with_attribution():
    # Worked example B2: 45 conveyances × £250 × 60 % = £6,750.00
    assert entry_value(quantity=D("45"), unit_value=D("250.00"), attribution_pct=D("60"), is_disbenefit=False) == D("6750.00")


def test_value_is_rounded_to_the_penny_once_per_entry():
    # 3 × 33.335 × 100 % = 100.005 → 100.01 (half-up), not 100.00
    assert entry_value(quantity=D("3"), unit_value=D("33.335"), attribution_pct=D("100"), is_disbenefit=False) == D("100.01")
    assert entry_value(quantity=D("1"), unit_value=D("0.05"), attribution_pct=D("50"), is_disbenefit=False) == D("0.03")


def test_a_disbenefit_counts_negative():
    assert entry_value(quantity=D("1000.00"), unit_value=D("1"), attribution_pct=D("100"), is_disbenefit=True) == D("-1000.00")


def test_the_unit_cost_version_in_force_is_the_latest_valid_from_not_after_the_period():
    versions = [UnitCostVersion("2025-04", D("250.00")), UnitCostVersion("2025-10", D("275.00"))]
    assert unit_value_for("2025-09", versions) == D("250.00")
    assert unit_value_for("2025-10", versions) == D("275.00")
    assert unit_value_for("2026-03", versions) == D("275.00")
    with pytest.raises(NoUnitCostInForce):
        unit_value_for("2025-03", versions)


def test_risk_adjustment_weights_benefits_but_never_disbenefits():
    assert risk_adjust(D("9000.00"), D("0.65"), is_disbenefit=False) == D("5850.00")
    assert risk_adjust(D("0.05"), D("0.65"), is_disbenefit=False) == D("0.03")
    assert risk_adjust(D("-1000.00"), D("0.65"), is_disbenefit=True) == D("-1000.00")


def test_financial_years_run_april_to_march():
    fy = FinancialYear.parse("2025/26")
    assert (fy.first, fy.last, len(fy.periods)) == ("2025-04", "2026-03", 12)
    assert FinancialYear.of("2026-03") == fy
    assert FinancialYear.of("2026-04").label == "2026/27"
    assert "2025-06" in fy and "2026-04" not in fy
    assert fy.sheet_name == "2025-26"


@pytest.mark.parametrize("bad", ["2025/27", "2025-26", "25/26", "", "2025/2026"])
def test_malformed_financial_years_are_refused(bad):
    with pytest.raises(CalendarError):
        FinancialYear.parse(bad)


def test_months():
    assert add_months("2025-12", 1) == "2026-01"
    assert add_months("2025-01", -1) == "2024-12"
    assert month_name("2025-10") == "October 2025"
