"""Coded values of FINANCE.md and API.md, as Django choices (the database checks them too)."""

from django.db import models


class Role(models.TextChoices):
    PROGRAMME_OFFICE = "programme_office", "Programme office"
    FINANCE = "finance", "Finance"
    EXECUTIVE = "executive", "Executive"
    ADMIN = "admin", "Administrator"


class Stage(models.TextChoices):
    IDEA = "idea", "Idea (pipeline)"
    BUSINESS_CASE = "business_case", "Business case"
    APPROVED = "approved", "Approved"
    DELIVERY = "delivery", "Delivery"
    REALISING = "realising", "Realising"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class Confidence(models.TextChoices):
    GREEN = "green", "Green"
    AMBER_GREEN = "amber_green", "Amber/green"
    AMBER = "amber", "Amber"
    AMBER_RED = "amber_red", "Amber/red"
    RED = "red", "Red"


class ImpactStatus(models.TextChoices):
    """Quality (QIA) and equality (EIA) impact assessment status."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    APPROVED = "approved", "Approved"
    NOT_REQUIRED = "not_required", "Not required"


class BenefitClass(models.TextChoices):
    CASHABLE = "cashable", "Cashable"
    NON_CASHABLE = "non_cashable", "Non-cashable"
    SOCIETAL = "societal", "Societal"


class Recurrence(models.TextChoices):
    RECURRENT = "recurrent", "Recurrent"
    NON_RECURRENT = "non_recurrent", "Non-recurrent"


class Series(models.TextChoices):
    PLAN = "plan", "Plan"
    FORECAST = "forecast", "Forecast"
    ACTUAL = "actual", "Actual"


class EntryStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    VALIDATED = "validated", "Validated"


class PeriodStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class TargetBasis(models.TextChoices):
    CUMULATIVE = "cumulative", "Cumulative"
    ANNUAL_RUN_RATE = "annual_run_rate", "Annual run rate"


class SnapshotTrigger(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    PERIOD_CLOSE = "period_close", "Period close"
    MANUAL = "manual", "Manual"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


# Measures other than GBP that a line may be counted in (valued through a unit cost).
MEASURES = ["GBP", "hours", "conveyances", "ed_attendances", "bed_days", "journeys", "fte", "items"]
