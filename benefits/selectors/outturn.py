"""The SQL of FINANCE.md's per-line, per-month values, shared by rollups and target progress.

`cells` is one row per (benefit line, month) with its plan, forecast, validated and
unvalidated actual values; `valued` adds the outturn and risk-adjusted value of that month
as FINANCE.md defines them, with the initiative's stage and confidence applied.
"""

from __future__ import annotations

VALUED_CTE = """
cells AS (
    SELECT e.benefit_id, e.period,
           SUM(e.value_gbp) FILTER (WHERE e.series = 'plan') AS plan,
           SUM(e.value_gbp) FILTER (WHERE e.series = 'forecast') AS forecast,
           SUM(e.value_gbp) FILTER (WHERE e.series = 'actual' AND e.status = 'validated') AS actual_validated,
           SUM(e.value_gbp) FILTER (WHERE e.series = 'actual' AND e.status <> 'validated') AS actual_unvalidated
    FROM benefits_entry e
    WHERE e.period >= %(first)s AND e.period <= %(last)s
    GROUP BY e.benefit_id, e.period
),
valued AS (
    SELECT b.initiative_id, b.organisation_id, i.workstream_id, b.benefit_class, i.stage, i.delivery_confidence,
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
