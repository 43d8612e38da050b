"""The beat schedule, kept in the database (django-celery-beat) so admins can see and change it:
a nightly rollup snapshot at 02:00 UK time and an outbox drain every 10 seconds (ADR 0022)."""

from django.db import migrations

NIGHTLY = "Nightly rollup snapshot"
DRAIN = "Send queued work (outbox)"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="2", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Europe/London"
    )
    every_10s, _ = IntervalSchedule.objects.get_or_create(every=10, period="seconds")
    PeriodicTask.objects.get_or_create(
        name=NIGHTLY,
        defaults={
            "task": "benefits.tasks.take_scheduled_snapshot",
            "crontab": nightly,
            "expire_seconds": 6 * 3600,  # a night's run that could not start by 08:00 is skipped
            "description": "Stores every rollup grouping and each target's progress as at the latest closed "
            "period (or last month when none is closed). One snapshot per night, however often it runs.",
        },
    )
    PeriodicTask.objects.get_or_create(
        name=DRAIN,
        defaults={
            "task": "benefits.tasks.drain_outbox",
            "interval": every_10s,
            "expire_seconds": 30,  # drains queued while workers were down are dropped, not piled up
            "description": "Sends work that services queued in the outbox (snapshots after a period close, "
            "manual snapshots) to the workers. Views also send it at once; this catches what they could not.",
        },
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[NIGHTLY, DRAIN]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0002_seed_reference_data"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
