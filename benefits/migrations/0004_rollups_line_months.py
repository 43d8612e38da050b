"""Line-months (ADR 0023): a per (benefit line, month) sum of entries, kept exact by statement-level
triggers on benefits_entry, so a rollup reads ~1/3 as many rows and never groups entries itself."""

from decimal import Decimal

from django.db import migrations, models

COLUMNS = "benefit_id, period, plan, forecast, validated, validated_count, unvalidated"


def _delta(source: str, sign: str) -> str:
    """Each entry's contribution to its line-month, with `sign` +1 (new rows) or -1 (old rows)."""
    return f"""
        SELECT benefit_id, period,
               {sign} * CASE WHEN series = 'plan' THEN value_gbp ELSE 0 END AS plan,
               {sign} * CASE WHEN series = 'forecast' THEN value_gbp ELSE 0 END AS forecast,
               {sign} * CASE WHEN series = 'actual' AND status = 'validated' THEN value_gbp ELSE 0 END AS validated,
               {sign} * CASE WHEN series = 'actual' AND status = 'validated' THEN 1 ELSE 0 END AS validated_count,
               {sign} * CASE WHEN series = 'actual' AND status IS DISTINCT FROM 'validated' THEN value_gbp ELSE 0 END
                   AS unvalidated
        FROM {source}"""


def _apply(deltas: str) -> str:
    """Add the summed differences to the line-months (set-based; rows locked in key order)."""
    return f"""
    INSERT INTO benefits_linemonth AS m ({COLUMNS})
    SELECT benefit_id, period, SUM(plan), SUM(forecast), SUM(validated), SUM(validated_count), SUM(unvalidated)
    FROM ({deltas}) d
    GROUP BY benefit_id, period
    HAVING SUM(plan) <> 0 OR SUM(forecast) <> 0 OR SUM(validated) <> 0 OR SUM(validated_count) <> 0
        OR SUM(unvalidated) <> 0
    ORDER BY benefit_id, period
    ON CONFLICT (benefit_id, period) DO UPDATE SET
        plan = m.plan + EXCLUDED.plan,
        forecast = m.forecast + EXCLUDED.forecast,
        validated = m.validated + EXCLUDED.validated,
        validated_count = m.validated_count + EXCLUDED.validated_count,
        unvalidated = m.unvalidated + EXCLUDED.unvalidated;"""


SYNC_FUNCTION = f"""
CREATE OR REPLACE FUNCTION benefits_line_month_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_apply(_delta("new_rows", "1"))}
    ELSIF TG_OP = 'DELETE' THEN
        {_apply(_delta("old_rows", "-1"))}
    ELSE
        {_apply(_delta("new_rows", "1") + " UNION ALL " + _delta("old_rows", "-1"))}
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER line_month_after_insert AFTER INSERT ON benefits_entry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION benefits_line_month_sync();
CREATE TRIGGER line_month_after_update AFTER UPDATE ON benefits_entry
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION benefits_line_month_sync();
CREATE TRIGGER line_month_after_delete AFTER DELETE ON benefits_entry
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION benefits_line_month_sync();
"""

DROP_FUNCTION = """
DROP TRIGGER IF EXISTS line_month_after_insert ON benefits_entry;
DROP TRIGGER IF EXISTS line_month_after_update ON benefits_entry;
DROP TRIGGER IF EXISTS line_month_after_delete ON benefits_entry;
DROP FUNCTION IF EXISTS benefits_line_month_sync();
"""

# Rebuild from the entries (the backfill here; bench/rollups.py after a bulk load without triggers).
REBUILD = f"""
DELETE FROM benefits_linemonth;
{_apply(_delta("benefits_entry", "1"))}
"""


class Migration(migrations.Migration):
    dependencies = [("benefits", "0003_rollups_beat_schedule")]

    operations = [
        migrations.CreateModel(
            name="LineMonth",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("period", models.CharField(max_length=7)),
                ("plan", models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=16)),
                ("forecast", models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=16)),
                ("validated", models.DecimalField(decimal_places=2, default=Decimal("0.00"), help_text="Validated actual value.", max_digits=16)),
                ("validated_count", models.IntegerField(default=0, help_text="1 when a validated actual exists (even of 0.00).")),
                ("unvalidated", models.DecimalField(decimal_places=2, default=Decimal("0.00"), help_text="Draft or submitted actual.", max_digits=16)),
                (
                    "benefit",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to="benefits.benefitline",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["period"], name="line_month_period_idx")],
                "constraints": [models.UniqueConstraint(fields=("benefit", "period"), name="line_month_one_per_line_and_month")],
            },
        ),
        migrations.RunSQL(SYNC_FUNCTION, DROP_FUNCTION),
        migrations.RunSQL(REBUILD, migrations.RunSQL.noop),
    ]
