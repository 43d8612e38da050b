"""The board pack's template context, built only from stored snapshots (ADR 0031).

Nothing here reads live data: every figure comes from the snapshot's payload (and the previous
month's snapshot for movements), so the same snapshot always gives the same pack. Money is
printed in whole pounds through `finance.rounding.whole_pounds` (API.md, "The board pack's
figures"). Long lists (exceptions, pipeline, the register) are fixed-width listings rather than
HTML tables: WeasyPrint lays out a listing line in a fraction of a table cell's time (NOTES.md,
ADR 0033).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import mark_safe

from benefits.finance.calendar import add_months, month_name
from benefits.finance.rounding import whole_pounds
from benefits.models import RollupSnapshot
from benefits.models.choices import Confidence, Stage

from .charts import trajectory_svg

# Figures of a rollup row shown in the organisation and workstream tables, with their headings.
TABLE_FIGURES = (
    ("plan_ytd", "Plan YTD"),
    ("actual_ytd", "Validated actual YTD"),
    ("variance_ytd", "Variance YTD"),
    ("plan_fy", "Plan FY"),
    ("forecast_fy", "Forecast outturn FY"),
    ("risk_adjusted_fy", "Risk-adjusted FY"),
    ("fye", "Full-year effect"),
)
LISTING_ROWS_PER_PAGE = 40
CONFIDENCE_LABELS = dict(Confidence.choices)
STAGE_LABELS = dict(Stage.choices)


@dataclass(frozen=True)
class Column:
    heading: str
    width: int  # the most characters it may take; narrower when no heading or cell needs as many
    align: str = "left"  # or "right"


def _clean(text: str) -> str:
    """One line: runs of whitespace (newlines in a title) become one space."""
    return " ".join(text.split())


def _fit(text: str, width: int, align: str) -> str:
    if len(text) > width:
        text = text[: width - 1] + "…"
    return text.rjust(width) if align == "right" else text.ljust(width)


def listing(columns: list[Column], rows: list[list[str]], *, per_page: int = LISTING_ROWS_PER_PAGE) -> list[dict]:
    """Rows of text in fixed-width columns, cut into page-sized blocks that each repeat the header.

    Each column is as wide as its heading or longest cell needs, up to its width: every padding
    space is a glyph WeasyPrint lays out and draws, like a letter (ADR 0033).
    """
    cells = [[_clean(v) for v in row] for row in rows]
    widths = [
        min(c.width, max([len(c.heading), *(len(row[i]) for row in cells)]))
        for i, c in enumerate(columns)
    ]
    header = "  ".join(_fit(c.heading, w, c.align) for c, w in zip(columns, widths, strict=True)).rstrip()
    lines = ["  ".join(_fit(v, w, c.align) for c, w, v in zip(columns, widths, row, strict=True)).rstrip() for row in cells]
    return [{"header": header, "body": "\n".join(lines[i : i + per_page])} for i in range(0, len(lines), per_page)]


def _pounds(value: str | Decimal) -> str:
    return whole_pounds(Decimal(value))


def _pct(value: str | None) -> str:
    return "n/a" if value is None else f"{Decimal(value):.2f}%"


def footer_text(snapshot: RollupSnapshot) -> str:
    """Names the snapshot the figures come from, in UTC so it reads the same wherever it is built."""
    taken = snapshot.taken_at.astimezone(dt.UTC)
    return f"Figures from rollup snapshot {snapshot.pk}, taken {taken:%d %B %Y at %H:%M:%S} UTC"


def _target(progress: dict) -> dict:
    amount = Decimal(progress["amount_gbp"])
    risk_adjusted = Decimal(progress["risk_adjusted"])
    if progress["on_track"]:
        statement = (
            f"On track: the risk-adjusted forecast of {whole_pounds(risk_adjusted)} meets the target of "
            f"{whole_pounds(amount)}."
        )
    else:
        statement = (
            f"Off track: the risk-adjusted forecast of {whole_pounds(risk_adjusted)} is "
            f"{whole_pounds(amount - risk_adjusted)} short of the target of {whole_pounds(amount)}."
        )
    basis = "annual run rate" if progress["basis"] == "annual_run_rate" else "cumulative"
    trajectory = progress["trajectory"]
    window = f"{month_name(trajectory[0]['period'])} to {month_name(trajectory[-1]['period'])}" if trajectory else ""
    return {
        "name": progress["name"],
        "basis": basis,
        "window": window,
        "amount": whole_pounds(amount),
        "achieved": _pounds(progress["achieved"]),
        "forecast": _pounds(progress["forecast"]),
        "risk_adjusted": whole_pounds(risk_adjusted),
        "pct_achieved": _pct(progress["pct_achieved"]),
        "pct_forecast": _pct(progress["pct_forecast"]),
        "pct_risk_adjusted": _pct(progress["pct_risk_adjusted"]),
        "on_track": progress["on_track"],
        "status": "On track" if progress["on_track"] else "Off track",
        "statement": statement,
        # Our own SVG: every text in it is escaped by charts.py.
        "chart": mark_safe(  # noqa: S308
            trajectory_svg(progress, width=980, height=250, chart_id=f"target-{progress['target']}")
        ),
    }


def _table(rollup: dict) -> dict:
    return {
        "headings": [h for _, h in TABLE_FIGURES],
        "rows": [{"label": r["label"], "key": r["key"], "cells": [_pounds(r[k]) for k, _ in TABLE_FIGURES]} for r in rollup["rows"]],
        "total": [_pounds(rollup["total"][k]) for k, _ in TABLE_FIGURES],
    }


def _confidence(payload: dict) -> dict | None:
    register = payload.get("register")
    if register is None:
        return None
    counts = register["confidence_counts"]
    by_rag = {r["key"]: r for r in payload["rollups"]["delivery_confidence"]["rows"]}
    rows = []
    for key in Confidence.values:
        row = by_rag.get(key, {})
        rows.append(
            {
                "key": key,
                "label": CONFIDENCE_LABELS[key],
                "count": counts.get(key, 0),
                "forecast_fy": _pounds(row.get("forecast_fy", "0.00")),
                "risk_adjusted_fy": _pounds(row.get("risk_adjusted_fy", "0.00")),
            }
        )
    total = payload["rollups"]["none"]["total"]
    return {
        "rows": rows,
        "total_count": sum(counts.get(k, 0) for k in Confidence.values),
        "total_forecast_fy": _pounds(total["forecast_fy"]),
        "total_risk_adjusted_fy": _pounds(total["risk_adjusted_fy"]),
    }


def _pipeline(payload: dict) -> dict:
    total = _pounds(payload["rollups"]["none"]["total"]["pipeline_fy"])
    register = payload.get("register")
    if register is None:
        return {"total": total, "count": None, "pages": []}
    ideas = [i for i in register["initiatives"] if i["stage"] == Stage.IDEA]
    columns = [Column("Ref", 8), Column("Title", 70), Column("Workstream", 12), Column("Lead", 6), Column("Owner", 24), Column("Forecast FY", 11, "right")]
    rows = [[i["ref"], i["title"], i["workstream"], i["lead_organisation"], i["owner"] or "-", _pounds(i["pipeline_fy"])] for i in ideas]
    return {"total": total, "count": len(ideas), "pages": listing(columns, rows)}


def _exceptions(payload: dict) -> dict | None:
    register = payload.get("register")
    if register is None:
        return None
    columns = [
        Column("Ref", 8),
        Column("Title", 44),
        Column("Owner", 20),
        Column("Workstream", 18),
        Column("Confidence", 11),
        Column("Plan YTD", 11, "right"),
        Column("Actual YTD", 11, "right"),
        Column("Behind plan", 11, "right"),
    ]
    rows = []
    for e in register["exceptions"]:
        plan, actual = Decimal(e["plan_ytd"]), Decimal(e["actual_ytd"])
        behind = f"{(plan - actual) / plan * 100:.1f}%" if e["behind_plan"] else "-"
        rows.append(
            [
                e["ref"],
                e["title"],
                e["owner"] or "No owner",
                e["workstream"],
                CONFIDENCE_LABELS.get(e["delivery_confidence"], e["delivery_confidence"]),
                _pounds(plan),
                _pounds(actual),
                behind,
            ]
        )
    return {"count": len(rows), "pages": listing(columns, rows)}


def _movements(payload: dict, previous: RollupSnapshot | None) -> dict:
    prior_month = month_name(add_months(payload["as_at"], -1))
    if previous is None:
        return {"prior_month": prior_month, "snapshot": None, "rows": [], "total": None}
    before = {r["key"]: r for r in previous.payload["rollups"]["workstream"]["rows"]}

    def change(now: dict, then: dict | None) -> list[str]:
        """This month's figure and its change for each; last month's is now − change (fewer cells, ADR 0033)."""
        cells = []
        for key in ("forecast_fy", "risk_adjusted_fy"):
            new = Decimal(now[key])
            delta = new - (Decimal(then[key]) if then else Decimal(0))
            cells += [whole_pounds(new), ("+" if delta > 0 else "") + whole_pounds(delta)]
        return cells

    rows = [{"label": r["label"], "cells": change(r, before.get(r["key"]))} for r in payload["rollups"]["workstream"]["rows"]]
    total = change(payload["rollups"]["workstream"]["total"], previous.payload["rollups"]["workstream"]["total"])
    return {
        "prior_month": prior_month,
        "snapshot": {"id": previous.pk, "text": footer_text(previous).removeprefix("Figures from ")},
        "same_fy": previous.payload["fy"] == payload["fy"],
        "prior_fy": previous.payload["fy"],
        "rows": rows,
        "total": total,
    }


def _register(payload: dict) -> dict | None:
    register = payload.get("register")
    if register is None:
        return None
    counting = [i for i in register["initiatives"] if i["stage"] != Stage.IDEA]
    columns = [
        Column("Ref", 8),
        Column("Title", 44),
        Column("Workstream", 11),
        Column("Lead", 5),
        Column("Stage", 13),
        Column("Confidence", 11),
        # The paragraph above the listing names the financial year, so the headings need not.
        Column("Plan", 11, "right"),
        Column("Actual YTD", 11, "right"),
        Column("Forecast", 11, "right"),
        Column("Risk-adj.", 11, "right"),
    ]
    rows = [
        [
            i["ref"],
            i["title"],
            i["workstream"],
            i["lead_organisation"],
            STAGE_LABELS.get(i["stage"], i["stage"]),
            CONFIDENCE_LABELS.get(i["delivery_confidence"], i["delivery_confidence"]),
            _pounds(i["plan_fy"]),
            _pounds(i["actual_ytd"]),
            _pounds(i["forecast_fy"]),
            _pounds(i["risk_adjusted_fy"]),
        ]
        for i in counting
    ]
    sums = {k: sum((Decimal(i[k]) for i in counting), Decimal(0)) for k in ("plan_fy", "actual_ytd", "forecast_fy", "risk_adjusted_fy")}
    return {
        "count": len(counting),
        "pages": listing(columns, rows),
        "totals": {k: whole_pounds(v) for k, v in sums.items()},
    }


def pack_context(*, snapshot: RollupSnapshot, previous: RollupSnapshot | None) -> dict:
    """Everything the template prints, from `snapshot` (and `previous`, the month before) only."""
    payload = snapshot.payload
    taken_utc = snapshot.taken_at.astimezone(dt.UTC).replace(microsecond=0)
    return {
        "month": month_name(payload["as_at"]),
        "as_at": payload["as_at"],
        "fy": payload["fy"],
        "snapshot_id": snapshot.pk,
        "taken_at_iso": taken_utc.isoformat().replace("+00:00", "Z"),
        "footer": footer_text(snapshot),
        "targets": [_target(p) for p in payload["targets"]],
        "by_organisation": _table(payload["rollups"]["organisation"]),
        "by_workstream": _table(payload["rollups"]["workstream"]),
        "confidence": _confidence(payload),
        "pipeline": _pipeline(payload),
        "exceptions": _exceptions(payload),
        "movements": _movements(payload, previous),
        "register": _register(payload),
    }
