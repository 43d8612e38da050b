"""Which months are closed, and which month a page reports on when none is asked for."""

from __future__ import annotations

from django.utils import timezone

from benefits.finance.calendar import add_months
from benefits.models import Period
from benefits.models.choices import PeriodStatus


def latest_closed_period() -> str | None:
    """The last closed month (every month up to it is closed), or None before the first close."""
    return Period.objects.filter(status=PeriodStatus.CLOSED).order_by("-period").values_list("period", flat=True).first()


def reporting_month() -> str:
    """The latest closed month, else the month before this one: the month boards ask about."""
    latest = latest_closed_period()
    if latest:
        return latest
    today = timezone.localdate()
    return add_months(f"{today.year:04d}-{today.month:02d}", -1)
