"""The register: organisations, users, workstreams, initiatives and their benefit lines."""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from .choices import BenefitClass, Confidence, ImpactStatus, Recurrence, Role, Stage
from .querysets import InitiativeQuerySet, ScopedQuerySet

CODE = RegexValidator(r"^[A-Z0-9][A-Z0-9_-]{0,19}$", "Use capital letters, digits, '-' or '_' (at most 20).")


class Organisation(models.Model):
    """An NHS trust, named by its ODS code (`RYE`, `RYD`)."""

    code = models.CharField(max_length=10, unique=True, validators=[CODE])
    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class User(AbstractUser):
    """A person with one role and the trusts they work for (API.md, who may do what)."""

    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="members")

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(role__in=["", *Role.values]), name="user_role_valid")]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Workstream(models.Model):
    code = models.CharField(max_length=20, unique=True, validators=[CODE])
    name = models.CharField(max_length=200)
    sro = models.CharField("senior responsible owner", max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Initiative(models.Model):
    """A scheme; `ref` (AG-0001…) comes from a database sequence so it is never reused."""

    ref = models.CharField(max_length=12, unique=True, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    workstream = models.ForeignKey(Workstream, on_delete=models.PROTECT, related_name="initiatives")
    lead_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="led_initiatives")
    organisations = models.ManyToManyField(Organisation, related_name="initiatives")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.IDEA)
    delivery_confidence = models.CharField(max_length=20, choices=Confidence.choices, default=Confidence.AMBER)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="owned_initiatives", null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    qia_status = models.CharField(max_length=20, choices=ImpactStatus.choices, default=ImpactStatus.NOT_STARTED)
    eia_status = models.CharField(max_length=20, choices=ImpactStatus.choices, default=ImpactStatus.NOT_STARTED)
    investment_one_off_gbp = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(Decimal("0"))]
    )
    investment_recurrent_gbp = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(Decimal("0"))]
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        ordering = ["ref"]
        constraints = [
            models.CheckConstraint(condition=models.Q(stage__in=Stage.values), name="initiative_stage_valid"),
            models.CheckConstraint(
                condition=models.Q(delivery_confidence__in=Confidence.values), name="initiative_confidence_valid"
            ),
            models.CheckConstraint(condition=models.Q(qia_status__in=ImpactStatus.values), name="initiative_qia_valid"),
            models.CheckConstraint(condition=models.Q(eia_status__in=ImpactStatus.values), name="initiative_eia_valid"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="initiative_dates_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(investment_one_off_gbp__gte=0, investment_recurrent_gbp__gte=0),
                name="initiative_investment_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["workstream", "stage"]),
            models.Index(fields=["lead_organisation"]),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


@pghistory.track()
class BenefitLine(models.Model):
    """One benefit (or dis-benefit) of an initiative, in money or in units (FINANCE.md)."""

    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="benefits")
    title = models.CharField(max_length=200)
    benefit_class = models.CharField(max_length=20, choices=BenefitClass.choices)
    recurrence = models.CharField(max_length=20, choices=Recurrence.choices)
    is_disbenefit = models.BooleanField(default=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="benefits")
    measure = models.CharField(max_length=30, default="GBP")
    unit_cost = models.CharField(max_length=40, blank=True, help_text="Unit cost code; required unless the measure is GBP.")
    attribution_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("100.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["initiative_id", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(benefit_class__in=BenefitClass.values), name="benefit_class_valid"),
            models.CheckConstraint(condition=models.Q(recurrence__in=Recurrence.values), name="benefit_recurrence_valid"),
            models.CheckConstraint(
                condition=models.Q(attribution_pct__gte=0, attribution_pct__lte=100), name="benefit_attribution_0_100"
            ),
            models.CheckConstraint(
                condition=models.Q(measure="GBP", unit_cost="") | (~models.Q(measure="GBP") & ~models.Q(unit_cost="")),
                name="benefit_unit_cost_iff_not_gbp",
            ),
        ]

    def __str__(self) -> str:
        return self.title
