"""The ledger: monthly entries of each benefit line, their workflow steps, and period close."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from .choices import EntryStatus, PeriodStatus, Series
from .line_months import LINE_MONTH_TRIGGERS
from .querysets import ScopedQuerySet
from .register import BenefitLine, User

PERIOD = RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", "Use a month in the form YYYY-MM, for example 2025-06.")
PERIOD_SQL_RE = r"^\d{4}-(0[1-9]|1[0-2])$"


def _unindexed_reference(to: type[models.Model], **kwargs: object) -> models.ForeignKey:
    """A snapshot's copy of a reference: a value to read, never a column to search by."""
    return models.ForeignKey(
        to, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+", related_query_name="+", **kwargs
    )


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    level=pghistory.Statement,
    # Snapshots are found by entry (pgh_obj, indexed); any other index would be paid on every
    # row of every bulk write and never read.
    context_field=pghistory.ContextForeignKey(db_index=False),
    attrs={"benefit": _unindexed_reference(BenefitLine), "updated_by": _unindexed_reference(User, null=True)},
)
class Entry(models.Model):
    """One quantity of one line for one month and series; `value_gbp` is its valued amount.

    Every write is audited by the services in its transaction (one event per entry, or one per
    line and import: ADR 0058). Behind that, pghistory's statement-level triggers keep a row of
    `EntryEvent` for every entry inserted, updated or deleted, so that even a raw SQL write leaves
    a trace (ADR 0003); one statement of any size pays one trigger call, not one per row. Only a
    whole tracker's new entries skip their insert row: each is in its line's import event.

    `value_gbp` is written by the valuation service with FINANCE.md's rule, so that rollups are
    plain SQL sums; a validated actual can never change again (a database trigger says so).
    """

    # No index of its own: the unique (benefit, period, series) constraint's index serves it.
    benefit = models.ForeignKey(BenefitLine, on_delete=models.PROTECT, related_name="entries", db_index=False)
    period = models.CharField(max_length=7, validators=[PERIOD])
    series = models.CharField(max_length=10, choices=Series.choices)
    quantity = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    value_gbp = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(max_length=10, choices=EntryStatus.choices, null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # The last writer, shown by the API. Who entered or changed a figure is in its audit events,
    # whose user is a checked foreign key; this column is not one (db_constraint=False): its
    # per-row check was 3 s of a whole-tracker import, and users are deactivated, never deleted
    # (ADR 0058).
    updated_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, db_index=False, db_constraint=False
    )
    # Everyone who entered or changed an actual's figure (user ids; null for plans and forecasts).
    # With who submitted it (its status changes) this is what segregation of duties reads: finance
    # never validates or sends back a figure they put there (API.md, "Who may do what").
    entered_by = ArrayField(models.BigIntegerField(), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["benefit_id", "period", "series"]
        verbose_name_plural = "entries"
        constraints = [
            models.UniqueConstraint(fields=["benefit", "period", "series"], name="entry_one_per_benefit_period_series"),
            models.CheckConstraint(condition=models.Q(series__in=Series.values), name="entry_series_valid"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="entry_quantity_not_negative"),
            models.CheckConstraint(condition=models.Q(period__regex=PERIOD_SQL_RE), name="entry_period_yyyy_mm"),
            models.CheckConstraint(
                condition=(
                    models.Q(series="actual", status__in=EntryStatus.values)
                    | (~models.Q(series="actual") & models.Q(status__isnull=True))
                ),
                name="entry_status_only_for_actuals",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "series"]),
            models.Index(fields=["status"], condition=models.Q(status="submitted"), name="entry_submitted_idx"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="validated_entry_immutable",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="validated"),
            ),
            *LINE_MONTH_TRIGGERS,  # line-months follow every write of entries (ADR 0023)
        ]

    def __str__(self) -> str:
        return f"{self.benefit_id} {self.period} {self.series}"


class EntryStatusChange(models.Model):
    """One step of an actual's workflow: who moved it from what to what, when and why."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=EntryStatus.choices)
    to_status = models.CharField(max_length=10, choices=EntryStatus.choices)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["entry_id", "at", "id"]
        triggers = [pgtrigger.Protect(name="status_change_append_only", operation=pgtrigger.Update)]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.from_status} → {self.to_status}"


class Period(models.Model):
    """Close state of a month. Closed months form a prefix: closing one closes every earlier one."""

    period = models.CharField(max_length=7, unique=True, validators=[PERIOD])
    status = models.CharField(max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    closed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["period"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=PeriodStatus.values), name="period_status_valid"),
            models.CheckConstraint(condition=models.Q(period__regex=PERIOD_SQL_RE), name="period_yyyy_mm"),
        ]

    def __str__(self) -> str:
        return self.period
