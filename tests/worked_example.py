"""FINANCE.md's worked example, built through the services (shared by several test modules)."""

from __future__ import annotations

from dataclasses import dataclass

from benefits.finance.calendar import FinancialYear
from benefits.services import actuals as actual_services
from tests.factories import make_initiative, make_line, make_unit_cost, put

FY = FinancialYear.parse("2025/26")
MONTHS = FY.periods

# FINANCE.md's table, figure by figure: (B1, B2, B3, total)
EXPECTED = {
    "plan_ytd": ("30000.00", "22500.00", "0.00", "52500.00"),
    "actual_ytd": ("17500.00", "12450.00", "-1000.00", "28950.00"),
    "unvalidated_ytd": ("7000.00", "0.00", "0.00", "7000.00"),
    "variance_ytd": ("-12500.00", "-10050.00", "-1000.00", "-23550.00"),
    "plan_fy": ("120000.00", "90000.00", "0.00", "210000.00"),
    "forecast_fy": ("107500.00", "72450.00", "-12000.00", "167950.00"),
    "risk_adjusted_fy": ("76000.00", "72450.00", "-12000.00", "136450.00"),
    "fye": ("108000.00", "0.00", "-12000.00", "96000.00"),
}


@dataclass
class WorkedExample:
    b1: object
    b2: object
    b3: object
    ag1: object
    ag2: object


def build(*, author, validator) -> WorkedExample:
    """author enters and submits (admin: both trusts); validator is finance, someone else."""
    make_unit_cost(author, "conveyance_avoided", "250.00", "2025-04")
    ag1 = make_initiative(author, lead="RYE", stage="delivery", confidence="amber", title="Joint fleet procurement")
    ag2 = make_initiative(author, lead="RYD", stage="realising", confidence="green", title="Hear and treat expansion")
    b1 = make_line(author, ag1, title="Fleet savings", benefit_class="cashable", recurrence="recurrent", organisation="RYE")
    b2 = make_line(
        author,
        ag2,
        title="Conveyances avoided",
        benefit_class="societal",
        recurrence="non_recurrent",
        measure="conveyances",
        unit_cost="conveyance_avoided",
        attribution_pct="60",
        organisation="RYD",
    )
    b3 = make_line(
        author,
        ag2,
        title="Extra clinical hub cost",
        benefit_class="cashable",
        recurrence="recurrent",
        is_disbenefit=True,
        organisation="RYD",
    )
    put(author, b1, "plan", MONTHS, "10000.00")
    put(author, b1, "forecast", MONTHS, "9000.00")
    b1_actuals = put(author, b1, "actual", {"2025-04": "8000.00", "2025-05": "9500.00", "2025-06": "7000.00"})
    put(author, b2, "plan", MONTHS, "50")
    put(author, b2, "forecast", MONTHS, "40")
    b2_actuals = put(author, b2, "actual", {"2025-04": "45", "2025-05": "38"})
    put(author, b3, "forecast", MONTHS, "1000.00")
    b3_actuals = put(author, b3, "actual", {"2025-04": "1000.00"})
    everything = b1_actuals + b2_actuals + b3_actuals
    actual_services.submit_entries(user=author, ids=[e.pk for e in everything])
    to_validate = [b1_actuals[0], b1_actuals[1], *b2_actuals, *b3_actuals]
    actual_services.validate_entries(user=validator, ids=[e.pk for e in to_validate])
    return WorkedExample(b1=b1, b2=b2, b3=b3, ag1=ag1, ag2=ag2)
