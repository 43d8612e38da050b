"""Export jobs keep their filters by the API's names (issue 15): `trust` is `organisation`, `confidence`
is `delivery_confidence`, as RegisterFilter reads them for the pages, the API and the worker.

Jobs asked for before kept the page's old names; they are renamed here so that a job queued before
the upgrade still builds the register its user saw. The reverse renames them back.
"""

from django.db import migrations

RENAMES = {"trust": "organisation", "confidence": "delivery_confidence"}


def renamed(filters: dict, renames: dict[str, str]) -> dict:
    """The filters with each old name replaced by its new one (a value kept under the new name wins)."""
    out = {name: value for name, value in filters.items() if name not in renames}
    for old, new in renames.items():
        if old in filters:
            out.setdefault(new, filters[old])
    return out


def _rename(apps, renames: dict[str, str]) -> None:
    ExportJob = apps.get_model("benefits", "ExportJob")
    for job in ExportJob.objects.filter(filters__has_any_keys=list(renames)).only("pk", "filters"):
        ExportJob.objects.filter(pk=job.pk).update(filters=renamed(job.filters, renames))


def forwards(apps, schema_editor):
    _rename(apps, RENAMES)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMES.items()})


class Migration(migrations.Migration):

    dependencies = [
        ("benefits", "0011_drop_user_session"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
