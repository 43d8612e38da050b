"""Valuing entries with the unit-cost version in force (FINANCE.md), and revaluing them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from benefits.errors import Conflict, NoVersionInForce, PeriodClosed
from benefits.finance.valuation import GBP, NoUnitCostInForce, UnitCostVersion, entry_value, unit_value_for
from benefits.models import BenefitLine, Entry, UnitCost
from benefits.models.choices import EntryStatus
from benefits.selectors.periods import ClosedMonths

from .audit import Event

ONE = Decimal("1")


class Valuer:
    """Values entries of many lines with one query for all the unit costs they use."""

    def __init__(self, codes: Iterable[str]) -> None:
        self.versions: dict[str, list[UnitCostVersion]] = defaultdict(list)
        wanted = {c for c in codes if c}
        if wanted:
            for code, valid_from, value in UnitCost.objects.filter(code__in=wanted).values_list(
                "code", "valid_from", "value_gbp"
            ):
                self.versions[code].append(UnitCostVersion(valid_from, value))

    def value(self, line: BenefitLine, period: str, quantity: Decimal) -> Decimal:
        if line.measure == GBP:
            unit_value = ONE
        else:
            try:
                unit_value = unit_value_for(period, self.versions.get(line.unit_cost, []))
            except NoUnitCostInForce:
                raise NoVersionInForce(
                    f"No version of unit cost '{line.unit_cost}' is in force for {period}, so this entry cannot be "
                    "valued. Ask finance to add a unit cost version valid from that month or earlier.",
                    unit_cost=line.unit_cost,
                    period=period,
                    field="period",
                ) from None
        return entry_value(
            quantity=quantity, unit_value=unit_value, attribution_pct=line.attribution_pct, is_disbenefit=line.is_disbenefit
        )


def revalue_entries(entries: list[Entry], lines: dict[int, BenefitLine], *, closed: ClosedMonths) -> list[Event]:
    """Recompute stored values after a line or unit cost changed; refuse if a settled figure would move.

    Validated actuals and entries of closed periods are settled: a change that would alter
    their value is refused whole (409), so finance's figures never move under them.
    """
    valuer = Valuer(line.unit_cost for line in lines.values())
    changed: list[Entry] = []
    events: list[Event] = []
    for entry in entries:
        line = lines[entry.benefit_id]
        new_value = valuer.value(line, entry.period, entry.quantity)
        if new_value == entry.value_gbp:
            continue
        if entry.status == EntryStatus.VALIDATED:
            raise Conflict(
                f"This change would alter the value of the validated {entry.period} actual of benefit line "
                f"{entry.benefit_id} (from {entry.value_gbp} to {new_value}). Validated figures cannot change."
            )
        if entry.period in closed:
            raise PeriodClosed(
                f"This change would alter the value of the {entry.period} {entry.series} of benefit line "
                f"{entry.benefit_id}, and {entry.period} is closed."
            )
        events.append(
            Event("benefits.entry.revalued", "entry", str(entry.id), {"value_gbp": [str(entry.value_gbp), str(new_value)]})
        )
        entry.value_gbp = new_value
        entry.version += 1
        changed.append(entry)
    if changed:
        Entry.objects.bulk_update(changed, ["value_gbp", "version"], batch_size=2000)
    return events
