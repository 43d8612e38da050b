"""The nightly purge of expired idempotency keys, unconfirmed uploads and old outbox rows, at
03:00 UK time, an hour after the nightly snapshot (benefits/services/housekeeping.py)."""

from django.db import migrations

PURGE = "Nightly purge of expired keys and uploads"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/London"
    )
    PeriodicTask.objects.get_or_create(
        name=PURGE,
        defaults={
            "task": "benefits.tasks.purge_expired",
            "crontab": nightly,
            "expire_seconds": 6 * 3600,
            "description": "Deletes idempotency keys past the API's 24-hour replay window, uploads whose import "
            "was never confirmed (after a day) and outbox rows sent more than 30 days ago. Never audit events, "
            "snapshots, packs or imports.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=PURGE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0006_entry_lean_for_bulk_writes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
