"""Which months are closed, and which month a page reports on when none is asked for.

"Is this month closed?" has one home: `ClosedMonths`, read once with `closed_months()`. Finance
closes months in order (FINANCE.md, "Closed periods"), so the closed months are every month up to
the latest closed one; `in` answers for one month in Python, `q()` the same question in SQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from benefits.finance.calendar import add_months
from benefits.models import Period, User
from benefits.models.choices import PeriodStatus


@dataclass(frozen=True)
class ClosedMonths:
    """Every month up to `latest` is closed; nothing is before the first close (`latest` None)."""

    latest: str | None = None

    def __contains__(self, period: object) -> bool:
        return self.latest is not None and isinstance(period, str) and period <= self.latest

    def q(self, field: str = "period") -> Q:
        """Rows whose `field` is a closed month (never true before the first close)."""
        return Q(**{f"{field}__lte": self.latest}) if self.latest is not None else Q(pk__in=[])


def latest_closed_period() -> str | None:
    """The last closed month (every month up to it is closed), or None before the first close."""
    return Period.objects.filter(status=PeriodStatus.CLOSED).order_by("-period").values_list("period", flat=True).first()


def closed_months() -> ClosedMonths:
    """The closed months as they stand now (one query)."""
    return ClosedMonths(latest_closed_period())


class MonthState(NamedTuple):
    """A month as the periods pages show it: closed or open, and who closed it when."""

    period: str
    closed: bool
    closed_by: User | None
    closed_at: dt.datetime | None


def month_states(months: Sequence[str], closed: ClosedMonths | None = None) -> list[MonthState]:
    """Each month's state (two queries; one when `closed` is given); who closed it only while it is closed."""
    closed = closed if closed is not None else closed_months()
    stored = {p.period: p for p in Period.objects.filter(period__in=list(months)).select_related("closed_by")}
    out = []
    for month in months:
        row = stored.get(month) if month in closed else None
        out.append(MonthState(month, month in closed, row.closed_by if row else None, row.closed_at if row else None))
    return out


def reporting_month() -> str:
    """The latest closed month, else the month before this one: the month boards ask about."""
    latest = latest_closed_period()
    if latest:
        return latest
    today = timezone.localdate()
    return add_months(f"{today.year:04d}-{today.month:02d}", -1)
