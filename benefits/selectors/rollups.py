"""Rollup figures as at a month (FINANCE.md, "Rollup figures"), computed in one SQL statement."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from decimal import Decimal

from django.db import connection

from benefits.finance.calendar import FinancialYear
from benefits.models import Organisation, Workstream
from benefits.models.choices import BenefitClass, Confidence, Stage

ZERO = Decimal("0.00")
GROUPINGS = ("organisation", "workstream", "benefit_class", "stage", "delivery_confidence")
# SQL column behind each grouping (ids for organisation and workstream; names mapped afterwards).
GROUP_COLUMNS = {
    "organisation": "organisation_id",
    "workstream": "workstream_id",
    "benefit_class": "benefit_class",
    "stage": "stage",
    "delivery_confidence": "delivery_confidence",
    "initiative": "initiative_id",  # not an API grouping: the register's figures for one page of initiatives
}


@dataclass(frozen=True)
class Figures:
    plan_ytd: Decimal = ZERO
    actual_ytd: Decimal = ZERO
    unvalidated_ytd: Decimal = ZERO
    variance_ytd: Decimal = ZERO
    plan_fy: Decimal = ZERO
    forecast_fy: Decimal = ZERO
    risk_adjusted_fy: Decimal = ZERO
    fye: Decimal = ZERO
    pipeline_fy: Decimal = ZERO

    def as_json(self) -> dict[str, str]:
        """Decimal strings with two places, as the API and snapshots carry money."""
        return {k: f"{v:.2f}" for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Figures:
        return cls(**{f.name: Decimal(data[f.name]) for f in fields(cls)})


@dataclass(frozen=True)
class RollupRow:
    key: str
    label: str
    figures: Figures


@dataclass(frozen=True)
class Rollup:
    fy: str
    as_at: str
    group_by: str | None
    rows: tuple[RollupRow, ...]
    total: Figures

    def as_json(self) -> dict:
        return {
            "fy": self.fy,
            "as_at": self.as_at,
            "group_by": self.group_by,
            "rows": [{"key": r.key, "label": r.label, **r.figures.as_json()} for r in self.rows],
            "total": self.total.as_json(),
        }


# Two levels (ADR 0023): first each line's figures from its line-months (one hash join to the
# line's attributes, for the confidence weight), then GROUPING SETS over ~1 row per line. FINANCE.md
# per (line, month) m, with "replaced" = a validated actual exists and m ≤ as_at:
#   outturn(m) = validated actual if replaced, else the counted forecast
#   risk(m)    = validated actual if replaced, else round_half_up(counted forecast × weight, 0.01)
#                (never weighted for a dis-benefit)
# so Σ outturn = actual_ytd + Σ forecasts not replaced, and Σ risk likewise with the rounding kept
# per month-line inside the first level. Cancelled: forecasts (and unvalidated actuals, ADR 0020)
# count as zero; idea: only pipeline_fy. The property tests compare this with FINANCE.md in Python.
_NOT_REPLACED = "(m.validated_count = 0 OR m.period > %(as_at)s)"
_SQL = f"""
WITH lines AS NOT MATERIALIZED (  -- inlined, so the per-line sums may run in parallel
    SELECT b.id, b.initiative_id, b.organisation_id, i.workstream_id, b.benefit_class, i.stage, i.delivery_confidence,
           b.recurrence = 'recurrent' AS recurrent, b.is_disbenefit,
           i.stage = 'idea' AS pipeline, i.stage = 'cancelled' AS cancelled,
           COALESCE(w.weight, 1) AS weight
    FROM benefits_benefitline b
    JOIN benefits_initiative i ON i.id = b.initiative_id
    LEFT JOIN benefits_confidenceweight w ON w.delivery_confidence = i.delivery_confidence
    {{lines_of}}
),
per_line AS (
    SELECT m.benefit_id,
           COALESCE(SUM(m.plan) FILTER (WHERE m.period <= %(as_at)s), 0) AS plan_ytd,
           COALESCE(SUM(m.validated) FILTER (WHERE m.period <= %(as_at)s), 0) AS actual_ytd,
           COALESCE(SUM(m.unvalidated) FILTER (WHERE m.period <= %(as_at)s), 0) AS unvalidated_ytd,
           SUM(m.plan) AS plan_fy,
           SUM(m.forecast) AS forecast_all,
           COALESCE(SUM(m.forecast) FILTER (WHERE {_NOT_REPLACED}), 0) AS open_forecast,
           COALESCE(SUM(ROUND(m.forecast * l.weight, 2)) FILTER (WHERE {_NOT_REPLACED}), 0) AS open_weighted,
           COALESCE(SUM(m.validated) FILTER (WHERE m.period = %(last)s AND m.period <= %(as_at)s), 0) AS m12_validated,
           COALESCE(SUM(m.forecast) FILTER (WHERE m.period = %(last)s AND {_NOT_REPLACED}), 0) AS m12_open_forecast
    FROM benefits_linemonth m
    JOIN lines l ON l.id = m.benefit_id
    WHERE m.period >= %(first)s AND m.period <= %(last)s
    GROUP BY m.benefit_id
)
SELECT {{keys}}
       COALESCE(SUM(p.plan_ytd) FILTER (WHERE NOT l.pipeline), 0) AS plan_ytd,
       COALESCE(SUM(p.actual_ytd) FILTER (WHERE NOT l.pipeline), 0) AS actual_ytd,
       COALESCE(SUM(p.unvalidated_ytd) FILTER (WHERE NOT l.pipeline AND NOT l.cancelled), 0) AS unvalidated_ytd,
       COALESCE(SUM(p.plan_fy) FILTER (WHERE NOT l.pipeline), 0) AS plan_fy,
       COALESCE(SUM(p.actual_ytd + CASE WHEN l.cancelled THEN 0 ELSE p.open_forecast END)
                FILTER (WHERE NOT l.pipeline), 0) AS forecast_fy,
       COALESCE(SUM(p.actual_ytd + CASE WHEN l.cancelled THEN 0 WHEN l.is_disbenefit THEN p.open_forecast ELSE p.open_weighted END)
                FILTER (WHERE NOT l.pipeline), 0) AS risk_adjusted_fy,
       12 * COALESCE(SUM(p.m12_validated + CASE WHEN l.cancelled THEN 0 ELSE p.m12_open_forecast END)
                FILTER (WHERE NOT l.pipeline AND l.recurrent), 0) AS fye,
       COALESCE(SUM(p.forecast_all) FILTER (WHERE l.pipeline), 0) AS pipeline_fy
FROM per_line p
JOIN lines l ON l.id = p.benefit_id
GROUP BY GROUPING SETS ({{sets}})
"""
_FIGURE_COLUMNS = (
    "plan_ytd",
    "actual_ytd",
    "unvalidated_ytd",
    "plan_fy",
    "forecast_fy",
    "risk_adjusted_fy",
    "fye",
    "pipeline_fy",
)


def _figures(values: dict) -> Figures:
    money = {k: Decimal(values[k]).quantize(ZERO) for k in _FIGURE_COLUMNS}
    return Figures(variance_ytd=money["actual_ytd"] - money["plan_ytd"], **money)


def _run(
    fy: FinancialYear, as_at: str, groupings: tuple[str, ...], *, initiative_ids: list[int] | None = None
) -> dict[str | None, dict]:
    """`initiative_ids` restricts every figure (the total too) to those initiatives' lines."""
    sets = ", ".join([f"({GROUP_COLUMNS[g]})" for g in groupings] + ["()"])
    keys = "".join(f"GROUPING({GROUP_COLUMNS[g]}) = 0 AS by_{g}, {GROUP_COLUMNS[g]}, " for g in groupings)
    lines_of = "" if initiative_ids is None else "WHERE b.initiative_id = ANY(%(initiative_ids)s)"
    params = {"first": fy.first, "last": fy.last, "as_at": as_at, "initiative_ids": initiative_ids}
    with connection.cursor() as cursor:
        cursor.execute(_SQL.replace("{sets}", sets).replace("{keys}", keys).replace("{lines_of}", lines_of), params)
        columns = [c.name for c in cursor.description]
        rows = [dict(zip(columns, r, strict=False)) for r in cursor.fetchall()]
    out: dict[str | None, dict] = {g: {} for g in groupings}
    out[None] = {}
    for row in rows:
        grouping = next((g for g in groupings if row[f"by_{g}"]), None)
        key = row[GROUP_COLUMNS[grouping]] if grouping else None
        out[grouping][key] = row
    return out


def _labelled_keys(grouping: str) -> list[tuple[object, str, str]]:
    """(sql key, API key, label) for every value of a grouping, so every row appears even at zero."""
    if grouping == "organisation":
        return [(o.id, o.code, o.name) for o in Organisation.objects.order_by("code")]
    if grouping == "workstream":
        return [(w.id, w.code, w.name) for w in Workstream.objects.order_by("code")]
    choices = {"benefit_class": BenefitClass, "stage": Stage, "delivery_confidence": Confidence}[grouping]
    return [(value, value, label) for value, label in choices.choices]


def _build(fy: FinancialYear, as_at: str, grouping: str | None, data: dict) -> Rollup:
    total = _figures(data[None][None]) if None in data[None] else Figures()
    rows: list[RollupRow] = []
    if grouping:
        for sql_key, key, label in _labelled_keys(grouping):
            found = data[grouping].get(sql_key)
            rows.append(RollupRow(key=key, label=label, figures=_figures(found) if found else Figures()))
    return Rollup(fy=fy.label, as_at=as_at, group_by=grouping, rows=tuple(rows), total=total)


def compute_rollup(*, fy: FinancialYear, as_at: str, group_by: str | None = None) -> Rollup:
    """One grouping (or none) and the grand total. Caller checks `as_at in fy`."""
    groupings = (group_by,) if group_by else ()
    return _build(fy, as_at, group_by, _run(fy, as_at, groupings))


def initiative_figures(*, fy: FinancialYear, as_at: str, initiative_ids: list[int]) -> dict[int, Figures]:
    """Each listed initiative's figures by the rollups' own rules, in one query: the register's money columns.

    An initiative with no line, or no figure in the year, is absent; its figures are all zero.
    """
    if not initiative_ids:
        return {}
    data = _run(fy, as_at, ("initiative",), initiative_ids=list(initiative_ids))
    return {pk: _figures(row) for pk, row in data["initiative"].items()}


def compute_all_rollups(*, fy: FinancialYear, as_at: str) -> dict[str, Rollup]:
    """Every grouping and the total in one pass over the entries (GROUPING SETS)."""
    data = _run(fy, as_at, GROUPINGS)
    result = {"none": _build(fy, as_at, None, data)}
    for grouping in GROUPINGS:
        result[grouping] = _build(fy, as_at, grouping, data)
    return result
