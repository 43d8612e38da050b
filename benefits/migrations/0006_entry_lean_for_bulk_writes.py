# Entries lose created_by (who entered a figure is in its audit events) and two indexes that
# no query uses (the unique constraint serves benefit_id); updated_by is no longer a checked foreign key.
# Together they halve the per-row work of a bulk write (ADR 0058).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('benefits', '0005_entry_history_by_audit_only'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='entry',
            name='created_by',
        ),
        migrations.AlterField(
            model_name='entry',
            name='benefit',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='benefits.benefitline'),
        ),
        migrations.AlterField(
            model_name='entry',
            name='updated_by',
            field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
    ]
