"""Rollups and target progress at ~2 million entries against a plain SQL SUM … GROUP BY.

10,000 initiatives × 3 benefit lines × 24 months (FY 2024/25 and 2025/26) × plan, forecast
and actual = 2,160,000 entries, generated once in the bench database with INSERT … SELECT
generate_series (values follow FINANCE.md's value rule) and reused on later runs.
"""

from __future__ import annotations

import importlib
import time

from django.db import connection, transaction

from benefits.finance.calendar import FinancialYear
from benefits.models import Target
from benefits.selectors.rollups import compute_all_rollups, compute_rollup
from benefits.selectors.targets import target_progress

from ._timing import median_seconds, peak_rss_mb, report

INITIATIVES = 10_000
LINES_PER_INITIATIVE = 3
FIRST, LAST = "2024-04", "2026-03"
AS_AT = "2025-09"
FY = FinancialYear.of(AS_AT)
MARK = "bench line"

# Stages and confidences cycle so every grouping has several rows, with ideas (pipeline) and
# cancelled schemes among them; the 3rd line of each scheme is counted in a unit (conveyances,
# 250.00 at 60 % attribution = 150.00 a unit), 1 in 10 lines is a dis-benefit.
_GENERATE = [
    "SET LOCAL session_replication_role = replica",  # no history/protect triggers for a bulk load
    """INSERT INTO benefits_workstream (code, name, sro, version)
       SELECT 'BWS' || lpad(g::text, 2, '0'), 'Bench workstream ' || g, 'Bench SRO', 1 FROM generate_series(1, 12) g
       ON CONFLICT (code) DO NOTHING""",
    """INSERT INTO benefits_unitcost (code, name, unit, value_gbp, valid_from, source, version)
       VALUES ('bench_conveyance', 'Bench conveyance', 'conveyances', 250.00, '2024-04', 'bench', 1)
       ON CONFLICT DO NOTHING""",
    """INSERT INTO benefits_initiative (ref, title, description, workstream_id, lead_organisation_id, stage,
           delivery_confidence, start_date, end_date, qia_status, eia_status, investment_one_off_gbp,
           investment_recurrent_gbp, version, created_at, updated_at)
       SELECT 'BN-' || lpad(g::text, 5, '0'), 'Bench scheme ' || g, '',
              (SELECT id FROM benefits_workstream WHERE code = 'BWS' || lpad((1 + g %% 12)::text, 2, '0')),
              (SELECT id FROM benefits_organisation WHERE code = CASE WHEN g %% 2 = 0 THEN 'RYE' ELSE 'RYD' END),
              (ARRAY['idea','business_case','approved','delivery','realising','closed','cancelled',
                     'delivery','realising','delivery'])[1 + g %% 10],
              (ARRAY['green','amber_green','amber','amber_red','red'])[1 + g %% 5],
              NULL, NULL, 'not_started', 'not_started', 0, 0, 1, now(), now()
       FROM generate_series(1, %(initiatives)s) g""",
    """INSERT INTO benefits_initiative_organisations (initiative_id, organisation_id)
       SELECT id, lead_organisation_id FROM benefits_initiative WHERE ref LIKE 'BN-%%'""",
    """INSERT INTO benefits_benefitline (initiative_id, title, benefit_class, recurrence, is_disbenefit,
           organisation_id, measure, unit_cost, attribution_pct, version, created_at, updated_at)
       SELECT i.id, %(mark)s,
              (ARRAY['cashable','non_cashable','societal'])[k],
              CASE WHEN (i.id + k) %% 3 = 0 THEN 'non_recurrent' ELSE 'recurrent' END,
              (i.id * 3 + k) %% 10 = 0,
              CASE WHEN k = 2 THEN (SELECT id FROM benefits_organisation WHERE id <> i.lead_organisation_id ORDER BY id LIMIT 1)
                   ELSE i.lead_organisation_id END,
              CASE WHEN k = 3 THEN 'conveyances' ELSE 'GBP' END,
              CASE WHEN k = 3 THEN 'bench_conveyance' ELSE '' END,
              CASE WHEN k = 3 THEN 60 ELSE 100 END,
              1, now(), now()
       FROM benefits_initiative i CROSS JOIN generate_series(1, %(lines)s) k
       WHERE i.ref LIKE 'BN-%%'""",
    # quantity: a deterministic pseudo-random amount; value_gbp by the value rule
    # sign × round_half_up(quantity × unit_value × attribution / 100, 0.01).
    """INSERT INTO benefits_entry (benefit_id, period, series, quantity, value_gbp, status, version,
           updated_by_id, created_at, updated_at)
       SELECT b.id, p.period, s.series, q.quantity,
              (CASE WHEN b.is_disbenefit THEN -1 ELSE 1 END)
                * ROUND(q.quantity * (CASE WHEN b.measure = 'GBP' THEN 1 ELSE 250.00 END) * b.attribution_pct / 100, 2),
              CASE WHEN s.series <> 'actual' THEN NULL
                   WHEN p.period <= '2025-06' THEN 'validated'
                   WHEN p.period <= '2025-09' THEN (ARRAY['validated','submitted','draft'])[1 + (b.id + p.n) %% 3]
                   ELSE 'draft' END,
              1, NULL, now(), now()
       FROM benefits_benefitline b
       CROSS JOIN (SELECT to_char(date '2024-04-01' + make_interval(months => n), 'YYYY-MM') AS period, n
                   FROM generate_series(0, 23) n) p
       CROSS JOIN (VALUES ('plan', 1), ('forecast', 2), ('actual', 3)) s(series, k)
       CROSS JOIN LATERAL (
           SELECT (CASE WHEN b.measure = 'GBP' THEN (1000 + ((b.id * 7919 + p.n * 104729 + s.k * 1299709) %% 900000) / 100.0)
                        ELSE ((b.id * 31 + p.n * 17 + s.k * 13) %% 4000) / 100.0 END)::numeric(14, 2) AS quantity
       ) q
       WHERE b.title = %(mark)s""",
]


def _entries_present() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM benefits_entry e JOIN benefits_benefitline b ON b.id = e.benefit_id WHERE b.title = %s",
            [MARK],
        )
        return cursor.fetchone()[0]


def _generate() -> None:
    expected = INITIATIVES * LINES_PER_INITIATIVE * 24 * 3
    present = _entries_present()
    if present == expected:
        print(f"reusing {present:,} generated entries", flush=True)
        return
    if present:
        raise SystemExit(f"The bench database holds {present:,} bench entries, not {expected:,}: drop it and run again.")
    started = time.perf_counter()
    params = {"initiatives": INITIATIVES, "lines": LINES_PER_INITIATIVE, "mark": MARK}
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in _GENERATE:
            cursor.execute(statement, params)
        # the load ran without triggers: build the line-months from the entries (as migration 0004 does)
        cursor.execute("SET LOCAL session_replication_role = origin")
        cursor.execute(importlib.import_module("benefits.migrations.0004_rollups_line_months").REBUILD)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE benefits_entry")
        cursor.execute("VACUUM ANALYZE benefits_linemonth")
        cursor.execute("ANALYZE")
    print(f"generated {_entries_present():,} entries in {time.perf_counter() - started:.1f} s", flush=True)


_PLAIN_SUM = """
SELECT i.workstream_id, SUM(e.value_gbp)
FROM benefits_entry e
JOIN benefits_benefitline b ON b.id = e.benefit_id
JOIN benefits_initiative i ON i.id = b.initiative_id
WHERE e.period >= %s AND e.period <= %s
GROUP BY i.workstream_id
"""


def _plain_sum(first: str, last: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_PLAIN_SUM, [first, last])
        cursor.fetchall()


def run() -> None:
    _generate()
    rss_before = peak_rss_mb()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM benefits_entry WHERE period >= %s AND period <= %s", [FY.first, FY.last])
        in_fy = cursor.fetchone()[0]
    print(f"FY {FY.label} as at {AS_AT}: {in_fy:,} entries in the year, {_entries_present():,} in all", flush=True)

    baseline = median_seconds(lambda: _plain_sum(FY.first, FY.last), repeat=5)
    full = median_seconds(lambda: compute_all_rollups(fy=FY, as_at=AS_AT), repeat=5)
    report("full rollup (5 groupings + total)", full, "plain SUM … GROUP BY", baseline, "goal ≤ 3×")
    for grouping in ("organisation", "workstream"):
        one = median_seconds(lambda g=grouping: compute_rollup(fy=FY, as_at=AS_AT, group_by=g), repeat=5)
        report(f"one grouping ({grouping})", one, "plain SUM … GROUP BY", baseline, f"goal < 1 s: {'met' if one < 1 else 'MISSED'}")

    for target in Target.objects.order_by("id"):
        window = median_seconds(lambda t=target: _plain_sum(t.start_period, t.end_period), repeat=5)
        progress = median_seconds(lambda t=target: target_progress(target=t, as_at=AS_AT), repeat=5)
        report(f"target progress ({target.basis})", progress, "plain SUM over its window", window, "goal ≤ 3×")

    print(f"peak memory of the process: {peak_rss_mb():.0f} MB (before the timed rollups: {rss_before:.0f} MB)", flush=True)
