"""Reads of the ledger for the pages: a line's or an initiative's entries in a year, their totals,
the reasons actuals were sent back, and finance's validation queue.

Each returns data in a fixed number of queries whatever the number of lines, months or entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from benefits.finance.calendar import FinancialYear
from benefits.models import BenefitLine, Entry, EntryStatusChange, Initiative, User
from benefits.models.choices import EntryStatus, Series
from benefits.policy import Action

from .paging import Paged, paginate

ZERO = Decimal("0.00")
EntryKey = tuple[int, str, str]  # (benefit line id, period, series)


@dataclass(frozen=True)
class YearEntries:
    """Entries by (line, period, series), and the reason of each actual whose latest step was a send-back."""

    by_cell: dict[EntryKey, Entry] = field(default_factory=dict)
    sent_back: dict[int, str] = field(default_factory=dict)


def _year(entries: QuerySet[Entry], fy: FinancialYear) -> QuerySet[Entry]:
    return entries.filter(period__gte=fy.first, period__lte=fy.last)


def _sent_back_reasons(actuals: QuerySet[Entry]) -> dict[int, str]:
    """The reason of each actual's latest send-back, where its latest step was one (one query, a subquery)."""
    latest: dict[int, EntryStatusChange] = {}
    for change in EntryStatusChange.objects.filter(entry__in=actuals.values("id")).order_by("entry_id", "at", "id"):
        latest[change.entry_id] = change
    return {
        i: c.reason for i, c in latest.items() if c.from_status == EntryStatus.SUBMITTED and c.to_status == EntryStatus.DRAFT
    }


def initiative_year_entries(initiative: Initiative, fy: FinancialYear) -> YearEntries:
    """Every entry of the initiative's lines in the year, and its actuals' send-back reasons (two queries)."""
    in_year = _year(Entry.objects.filter(benefit__initiative=initiative), fy)
    entries = {(e.benefit_id, e.period, e.series): e for e in in_year}
    return YearEntries(entries, _sent_back_reasons(in_year.filter(series=Series.ACTUAL)))


def line_year_entries(line: BenefitLine, fy: FinancialYear, series: str) -> YearEntries:
    """One series of one line in the year (one query; two for actuals, with their send-back reasons)."""
    in_year = _year(Entry.objects.filter(benefit=line, series=series), fy)
    entries = {(e.benefit_id, e.period, e.series): e for e in in_year}
    return YearEntries(entries, _sent_back_reasons(in_year) if series == Series.ACTUAL else {})


def initiative_lines(initiative: Initiative) -> list[BenefitLine]:
    """The initiative's benefit lines in the order they were added, with their trust."""
    return list(BenefitLine.objects.filter(initiative=initiative).select_related("organisation").order_by("id"))


@dataclass(frozen=True)
class YearSums:
    """An initiative's year by series, in pounds: what its entries add up to, and the validated actuals."""

    plan: Decimal = ZERO
    forecast: Decimal = ZERO
    actual: Decimal = ZERO
    validated: Decimal = ZERO


def year_sums(initiative: Initiative, fy: FinancialYear) -> YearSums:
    """The initiative's totals over the year by series (one aggregate query)."""
    sums = (
        _year(Entry.objects.filter(benefit__initiative=initiative), fy)
        .values("series")
        .annotate(total=Sum("value_gbp"), validated=Sum("value_gbp", filter=Q(status=EntryStatus.VALIDATED)))
        .order_by()
    )
    by = {r["series"]: r for r in sums}
    return YearSums(
        plan=by.get(Series.PLAN, {}).get("total") or ZERO,
        forecast=by.get(Series.FORECAST, {}).get("total") or ZERO,
        actual=by.get(Series.ACTUAL, {}).get("total") or ZERO,
        validated=by.get(Series.ACTUAL, {}).get("validated") or ZERO,
    )


def visible_entry(user: User, entry_id: int) -> Entry | None:
    """The entry if `user` may read it, with its line and initiative."""
    return Entry.objects.for_user(user, Action.VIEW).select_related("benefit__initiative").filter(pk=entry_id).first()


def validation_queue(*, user: User, trust: str = "", workstream: str = "", month: str = "", page: int = 1,
                     size: int = 100) -> Paged[Entry]:
    """Submitted actuals `user` may read, oldest month first, with their line, initiative and who entered them."""
    queue = Entry.objects.for_user(user, Action.VIEW).filter(series=Series.ACTUAL, status=EntryStatus.SUBMITTED)
    if trust:
        queue = queue.filter(benefit__organisation__code=trust)
    if workstream:
        queue = queue.filter(benefit__initiative__workstream__code=workstream)
    if month:
        queue = queue.filter(period=month)
    queue = queue.select_related("benefit__initiative", "benefit__organisation", "updated_by")
    return paginate(queue.order_by("period", "benefit__initiative__ref", "benefit_id"), page, size)
