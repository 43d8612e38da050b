"""Reference data finance keeps: unit costs (versioned, sourced), confidence weights, targets."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .choices import BenefitClass, Confidence, TargetBasis
from .ledger import PERIOD, PERIOD_SQL_RE


class UnitCost(models.Model):
    """One version of a unit cost: `code` names the cost, `valid_from` the month it takes effect."""

    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=30)
    value_gbp = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    valid_from = models.CharField(max_length=7, validators=[PERIOD])
    source = models.TextField(help_text="Where the figure comes from, e.g. the National Cost Collection 2023/24.")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="unit_cost_one_version_per_month"),
            models.CheckConstraint(condition=models.Q(value_gbp__gte=0), name="unit_cost_not_negative"),
            models.CheckConstraint(condition=models.Q(valid_from__regex=PERIOD_SQL_RE), name="unit_cost_valid_from_yyyy_mm"),
        ]

    def __str__(self) -> str:
        return f"{self.code} from {self.valid_from}"


class ConfidenceWeight(models.Model):
    delivery_confidence = models.CharField(max_length=20, choices=Confidence.choices, unique=True)
    weight = models.DecimalField(
        max_digits=3, decimal_places=2, validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-weight"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weight__gte=0, weight__lte=1), name="weight_between_0_and_1"),
        ]

    def __str__(self) -> str:
        return f"{self.delivery_confidence} {self.weight}"


class Target(models.Model):
    name = models.CharField(max_length=200, unique=True)
    amount_gbp = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    benefit_classes = ArrayField(models.CharField(max_length=20, choices=BenefitClass.choices))
    basis = models.CharField(max_length=20, choices=TargetBasis.choices)
    start_period = models.CharField(max_length=7, validators=[PERIOD])
    end_period = models.CharField(max_length=7, validators=[PERIOD])
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(basis__in=TargetBasis.values), name="target_basis_valid"),
            models.CheckConstraint(condition=models.Q(end_period__gte=models.F("start_period")), name="target_window_ordered"),
            models.CheckConstraint(condition=models.Q(amount_gbp__gt=0), name="target_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.name
