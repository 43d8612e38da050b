"""The two trusts, the default confidence weights and the two targets of the case for change
(FINANCE.md), and the sequence behind initiative refs (AG-0001, …)."""

from decimal import Decimal

from django.db import migrations

ORGANISATIONS = [
    ("RYE", "South Central Ambulance Service NHS Foundation Trust"),
    ("RYD", "South East Coast Ambulance Service NHS Foundation Trust"),
]
WEIGHTS = [("green", "1.00"), ("amber_green", "0.85"), ("amber", "0.65"), ("amber_red", "0.40"), ("red", "0.15")]
TARGETS = [
    ("Cashable efficiencies", "10000000.00", ["cashable"], "annual_run_rate", "2025-04", "2028-03"),
    ("Wider benefits", "80000000.00", ["non_cashable", "societal"], "cumulative", "2025-04", "2030-03"),
]


def seed(apps, schema_editor):
    Organisation = apps.get_model("benefits", "Organisation")
    ConfidenceWeight = apps.get_model("benefits", "ConfidenceWeight")
    Target = apps.get_model("benefits", "Target")
    AuditEvent = apps.get_model("benefits", "AuditEvent")
    for code, name in ORGANISATIONS:
        Organisation.objects.get_or_create(code=code, defaults={"name": name})
    for confidence, weight in WEIGHTS:
        ConfidenceWeight.objects.get_or_create(delivery_confidence=confidence, defaults={"weight": Decimal(weight)})
    for name, amount, classes, basis, start, end in TARGETS:
        target, created = Target.objects.get_or_create(
            name=name,
            defaults={
                "amount_gbp": Decimal(amount),
                "benefit_classes": classes,
                "basis": basis,
                "start_period": start,
                "end_period": end,
            },
        )
        if created:
            AuditEvent.objects.create(
                actor="migration",
                action="benefits.target.created",
                object_type="target",
                object_id=str(target.pk),
                changes={
                    "name": [None, name],
                    "amount_gbp": [None, amount],
                    "benefit_classes": [None, classes],
                    "basis": [None, basis],
                    "start_period": [None, start],
                    "end_period": [None, end],
                },
                reason="Seeded from the case for change.",
            )


class Migration(migrations.Migration):
    dependencies = [("benefits", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS benefits_initiative_ref_seq START 1",
            "DROP SEQUENCE IF EXISTS benefits_initiative_ref_seq",
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
