"""What a board pack prints beyond the rollups: each initiative's FY figures, RAG counts, exceptions.

`register_section` is stored in every rollup snapshot (services/snapshots.py, key `register`),
so a pack built from a snapshot is reproducible: nothing it prints is read live at render time
(ADR 0031). Figures per initiative follow FINANCE.md's definitions through the same SQL as the
rollups (selectors/outturn.py), so the register adds up to the rollup totals exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Count

from benefits.finance.calendar import FinancialYear, add_months
from benefits.models import Initiative, RollupSnapshot
from benefits.models.choices import Confidence, Stage

from .exceptions import initiative_exceptions
from .outturn import OUTTURN, RISK_ADJUSTED, VALUED_CTE

ZERO = Decimal("0.00")

_SQL = f"""
WITH {VALUED_CTE}
SELECT initiative_id,
       COALESCE(SUM(plan) FILTER (WHERE period <= %(as_at)s), 0) AS plan_ytd,
       COALESCE(SUM(actual_to_date), 0) AS actual_ytd,
       COALESCE(SUM(plan), 0) AS plan_fy,
       COALESCE(SUM({OUTTURN}), 0) AS forecast_fy,
       COALESCE(SUM({RISK_ADJUSTED}), 0) AS risk_adjusted_fy,
       COALESCE(SUM(forecast), 0) AS pipeline_fy
FROM valued
GROUP BY initiative_id
"""
_MONEY = ("plan_ytd", "actual_ytd", "plan_fy", "forecast_fy", "risk_adjusted_fy", "pipeline_fy")


@dataclass(frozen=True)
class InitiativeFigures:
    """One initiative with its FY figures as at a month (FINANCE.md "Rollup figures", per initiative).

    For a pipeline (`idea`) initiative only `pipeline_fy` is meaningful: it counts in no total.
    """

    ref: str
    title: str
    workstream: str
    lead_organisation: str
    stage: str
    delivery_confidence: str
    owner: str
    plan_ytd: Decimal
    actual_ytd: Decimal
    plan_fy: Decimal
    forecast_fy: Decimal
    risk_adjusted_fy: Decimal
    pipeline_fy: Decimal

    @property
    def counts(self) -> bool:
        return self.stage != Stage.IDEA

    def as_json(self) -> dict:
        data = {k: getattr(self, k) for k in ("ref", "title", "workstream", "lead_organisation", "stage", "delivery_confidence", "owner")}
        data.update({k: f"{getattr(self, k):.2f}" for k in _MONEY})
        return data


def initiative_figures(*, as_at: str) -> list[InitiativeFigures]:
    """Every initiative (ordered by ref) with its figures for the FY of `as_at`; two queries."""
    fy = FinancialYear.of(as_at)
    with connection.cursor() as cursor:
        cursor.execute(_SQL, {"first": fy.first, "last": fy.last, "as_at": as_at})
        sums = {row[0]: row[1:] for row in cursor.fetchall()}
    empty = (ZERO,) * len(_MONEY)
    out = []
    # .values(): a plain row per initiative (no model instances), the cost that matters at 1,000.
    rows = Initiative.objects.order_by("ref").values_list(
        "pk", "ref", "title", "workstream__code", "lead_organisation__code", "stage", "delivery_confidence",
        "owner__first_name", "owner__last_name", "owner__username",
    )
    for pk, ref, title, workstream, lead, stage, confidence, first, last, username in rows:
        money = dict(zip(_MONEY, (Decimal(v).quantize(ZERO) for v in sums.get(pk, empty)), strict=True))
        owner = f"{first or ''} {last or ''}".strip() or (username or "")  # User.display_name
        out.append(
            InitiativeFigures(
                ref=ref,
                title=title,
                workstream=workstream,
                lead_organisation=lead,
                stage=stage,
                delivery_confidence=confidence,
                owner=owner,
                **money,
            )
        )
    return out


def confidence_counts() -> dict[str, int]:
    """How many initiatives that count (not pipeline) stand at each delivery confidence; one query.

    The board pack prints these from its snapshot; the dashboard shows them live beside the rollup.
    """
    found = dict(
        Initiative.objects.exclude(stage=Stage.IDEA)
        .order_by()
        .values_list("delivery_confidence")
        .annotate(n=Count("id"))
        .values_list("delivery_confidence", "n")
    )
    return {value: found.get(value, 0) for value in Confidence.values}


def register_section(*, as_at: str) -> dict:
    """The snapshot's `register` key: initiatives with FY figures, RAG counts and the exceptions list.

    Exceptions come from `selectors.exceptions` (the dashboard's list), all of them, with owners.
    """
    figures = initiative_figures(as_at=as_at)
    owners = {f.ref: f.owner for f in figures}
    exceptions = initiative_exceptions(as_at=as_at, limit=None)
    return {
        "initiatives": [f.as_json() for f in figures],
        "confidence_counts": confidence_counts(),
        "exceptions": [
            {
                "ref": e.ref,
                "title": e.title,
                "owner": owners.get(e.ref, ""),
                "workstream": e.workstream,
                "lead_organisation": e.lead_organisation,
                "delivery_confidence": e.delivery_confidence,
                "plan_ytd": f"{e.plan_ytd:.2f}",
                "actual_ytd": f"{e.actual_ytd:.2f}",
                "variance_ytd": f"{e.variance_ytd:.2f}",
                "behind_plan": e.behind_plan,
            }
            for e in exceptions.rows
        ],
    }


def previous_snapshot(snapshot: RollupSnapshot) -> RollupSnapshot | None:
    """The latest snapshot as at the month before, taken no later than `snapshot`: what the board saw
    last month. Bounded by `taken_at`, so a pack rebuilt later still compares with the same one."""
    return (
        RollupSnapshot.objects.filter(as_at=add_months(snapshot.as_at, -1), taken_at__lte=snapshot.taken_at)
        .exclude(pk=snapshot.pk)
        .order_by("-taken_at", "-id")
        .first()
    )
