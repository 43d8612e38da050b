"""The SQL of FINANCE.md's per-line, per-month values, for target progress and the board pack.

`cells` is one row per (benefit line, month) from the trigger-kept line-month table (ADR 0023)
with its plan, forecast, validated and unvalidated actual values; `valued` adds the outturn and
risk-adjusted value of that month as FINANCE.md defines them, with the initiative's stage and
confidence applied. The rollups (selectors/rollups.py) sum the same rules per line first, for
speed; the property tests hold both to FINANCE.md computed in Python.
"""

from __future__ import annotations

VALUED_CTE = """
cells AS (
    -- one row per (line, month): entries summed by the triggers of migration 0004 (ADR 0023)
    SELECT m.benefit_id, m.period, m.plan, m.forecast,
           CASE WHEN m.validated_count > 0 THEN m.validated END AS actual_validated,
           m.unvalidated AS actual_unvalidated
    FROM benefits_linemonth m
    WHERE m.period >= %(first)s AND m.period <= %(last)s
),
valued AS (
    SELECT c.benefit_id, b.initiative_id, b.organisation_id, i.workstream_id, b.benefit_class, i.stage, i.delivery_confidence,
           b.recurrence, c.period,
           (i.stage = 'idea') AS pipeline,
           COALESCE(c.plan, 0) AS plan,
           COALESCE(c.forecast, 0) AS forecast,
           -- a cancelled initiative still counts validated actuals, not drafts or submissions (ADR 0020)
           CASE WHEN i.stage = 'cancelled' THEN 0 ELSE COALESCE(c.actual_unvalidated, 0) END AS actual_unvalidated,
           -- validated actual of a month to date: counts as achieved and replaces the forecast
           CASE WHEN c.period <= %(as_at)s THEN c.actual_validated END AS actual_to_date,
           -- a cancelled initiative's forecasts count as zero (FINANCE.md, which initiatives count)
           CASE WHEN i.stage = 'cancelled' THEN 0 ELSE COALESCE(c.forecast, 0) END AS counted_forecast,
           b.is_disbenefit,
           COALESCE(w.weight, 1) AS weight
    FROM cells c
    JOIN benefits_benefitline b ON b.id = c.benefit_id
    JOIN benefits_initiative i ON i.id = b.initiative_id
    LEFT JOIN benefits_confidenceweight w ON w.delivery_confidence = i.delivery_confidence
)
"""

# Outturn and risk-adjusted value of one (line, month) row of `valued`.
OUTTURN = "COALESCE(actual_to_date, counted_forecast)"
RISK_ADJUSTED = (
    "COALESCE(actual_to_date, CASE WHEN is_disbenefit THEN counted_forecast ELSE ROUND(counted_forecast * weight, 2) END)"
)
