"""Line-months: one row per (benefit line, month) summing that month's entries, for the rollups.

FINANCE.md values each benefit line month by month (validated actual to date, else forecast;
risk adjustment rounded per month-line), so every rollup first needs its entries side by side
per line and month. Grouping two million entries that way on every request costs seconds;
this table holds the result, kept exact by statement-level triggers on `benefits_entry`
(migration 0004): every INSERT, UPDATE and DELETE of entries adds its difference here in the
same transaction, so it can never disagree with the entries it sums (ADR 0023).
Python never writes it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from .register import BenefitLine

ZERO = Decimal("0.00")


class LineMonth(models.Model):
    # No database foreign key: rows are written by triggers only, and a line can only be deleted
    # once its entries are (they PROTECT it), which leaves its line-months at zero.
    benefit = models.ForeignKey(
        BenefitLine, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )  # the unique (benefit, period) index serves lookups by line
    period = models.CharField(max_length=7)
    plan = models.DecimalField(max_digits=16, decimal_places=2, default=ZERO)
    forecast = models.DecimalField(max_digits=16, decimal_places=2, default=ZERO)
    validated = models.DecimalField(max_digits=16, decimal_places=2, default=ZERO, help_text="Validated actual value.")
    validated_count = models.IntegerField(default=0, help_text="1 when a validated actual exists (even of 0.00).")
    unvalidated = models.DecimalField(max_digits=16, decimal_places=2, default=ZERO, help_text="Draft or submitted actual.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["benefit", "period"], name="line_month_one_per_line_and_month")]
        indexes = [models.Index(fields=["period"], name="line_month_period_idx")]

    def __str__(self) -> str:
        return f"{self.benefit_id} {self.period}"
