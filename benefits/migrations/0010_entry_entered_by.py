"""Who entered or changed each actual, kept on the entry itself (segregation of duties).

Until now finance's "never validate your own figures" rule read the audit events of each entry
(and the per-line events of imports). The ledger now keeps the users on the entry; this migration
fills the column for the actuals that can still be validated or sent back (drafts and submitted
ones) from those same events, so the rule reads the same people before and after.
"""

import django.contrib.postgres.fields
from django.db import migrations, models

BACKFILL = """
UPDATE benefits_entry AS e SET entered_by = who.users
FROM (
    SELECT entry_id, array_agg(DISTINCT user_id ORDER BY user_id) AS users
    FROM (
        SELECT a.object_id::bigint AS entry_id, a.user_id
        FROM benefits_auditevent a
        WHERE a.object_type = 'entry' AND a.object_id ~ '^[0-9]{1,18}$' AND a.user_id IS NOT NULL
          AND a.action IN ('benefits.entry.created', 'benefits.entry.updated')
        UNION ALL
        SELECT x.id, a.user_id
        FROM benefits_auditevent a
        JOIN benefits_entry x ON a.object_id ~ '^[0-9]{1,18}$' AND x.benefit_id = a.object_id::bigint
        WHERE a.object_type = 'benefit' AND a.action = 'benefits.benefit.figures_imported' AND a.user_id IS NOT NULL
          AND x.series = 'actual' AND a.changes ? (x.period || ' ' || x.series)
    ) AS written
    GROUP BY entry_id
) AS who
WHERE e.id = who.entry_id AND e.series = 'actual' AND e.status IN ('draft', 'submitted')
"""


class Migration(migrations.Migration):
    dependencies = [
        ("benefits", "0009_user_sessions"),
    ]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="entered_by",
            field=django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), blank=True, null=True, size=None),
        ),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
    ]
