"""Property tests: on random data sets the SQL rollups and target progress equal FINANCE.md computed
line by line and month by month in plain Python, and grouped rows add up exactly to the total."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefits.finance.calendar import FinancialYear, months_between
from benefits.finance.rounding import percentage
from benefits.finance.valuation import risk_adjust
from benefits.models import BenefitLine, ConfidenceWeight, Entry, Initiative, Organisation, Target, Workstream
from benefits.models.choices import BenefitClass, Confidence, Recurrence, Stage, TargetBasis
from benefits.selectors.rollups import GROUPINGS, compute_all_rollups
from benefits.selectors.targets import target_progress

pytestmark = pytest.mark.django_db

FY = FinancialYear.parse("2025/26")
MONTHS = months_between("2025-01", "2026-06")  # the FY and a few months either side
ZERO = Decimal("0.00")
TWELVE = Decimal("12")
FIGURES = (
    "plan_ytd",
    "actual_ytd",
    "unvalidated_ytd",
    "variance_ytd",
    "plan_fy",
    "forecast_fy",
    "risk_adjusted_fy",
    "fye",
    "pipeline_fy",
)
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

pennies = st.integers(min_value=0, max_value=2_000_000).map(lambda p: Decimal(p) / 100)
entry = st.tuples(pennies, st.sampled_from(["draft", "submitted", "validated"]))
line = st.fixed_dictionaries(
    {
        "benefit_class": st.sampled_from(BenefitClass.values),
        "recurrence": st.sampled_from(Recurrence.values),
        "is_disbenefit": st.booleans(),
        "organisation": st.sampled_from(["RYE", "RYD"]),
        "entries": st.dictionaries(
            st.tuples(st.sampled_from(MONTHS), st.sampled_from(["plan", "forecast", "actual"])), entry, max_size=14
        ),
    }
)
initiative = st.fixed_dictionaries(
    {
        "stage": st.sampled_from(Stage.values),
        "confidence": st.sampled_from(Confidence.values),
        "workstream": st.sampled_from(["WA", "WB"]),
        "lead": st.sampled_from(["RYE", "RYD"]),
        "lines": st.lists(line, min_size=1, max_size=3),
    }
)
dataset = st.fixed_dictionaries(
    {
        "initiatives": st.lists(initiative, min_size=1, max_size=4),
        # weights in hundredths, so forecast × weight often lands on a half penny
        "weights": st.fixed_dictionaries({c: st.integers(0, 100).map(lambda n: Decimal(n) / 100) for c in Confidence.values}),
        "as_at": st.sampled_from(FY.periods),
    }
)


# ---- building the rows (bulk ORM: the database triggers see them like any other write) ----------


@dataclass
class Line:
    key: dict[str, object]  # grouping → SQL-side key, as the API shows it
    stage: str
    confidence: str
    benefit_class: str
    recurrent: bool
    is_disbenefit: bool
    entries: dict[tuple[str, str], tuple[Decimal, str | None]] = field(default_factory=dict)

    def value(self, month: str, series: str) -> Decimal | None:
        found = self.entries.get((month, series))
        return None if found is None else found[0]

    def validated(self, month: str, as_at: str) -> Decimal | None:
        found = self.entries.get((month, "actual"))
        return found[0] if found and found[1] == "validated" and month <= as_at else None


def build(data: dict) -> list[Line]:
    orgs = {o.code: o for o in Organisation.objects.all()}
    streams = {code: Workstream.objects.get_or_create(code=code, defaults={"name": f"Stream {code}"})[0] for code in ("WA", "WB")}
    for confidence, weight in data["weights"].items():
        ConfidenceWeight.objects.filter(delivery_confidence=confidence).update(weight=weight)
    initiatives = Initiative.objects.bulk_create(
        Initiative(
            ref=f"PT-{n:04d}",
            title=f"Scheme {n}",
            workstream=streams[spec["workstream"]],
            lead_organisation=orgs[spec["lead"]],
            stage=spec["stage"],
            delivery_confidence=spec["confidence"],
        )
        for n, spec in enumerate(data["initiatives"])
    )
    pairs = [(i, spec, ls) for i, spec in zip(initiatives, data["initiatives"], strict=True) for ls in spec["lines"]]
    lines = BenefitLine.objects.bulk_create(
        BenefitLine(
            initiative=i,
            title="Line",
            benefit_class=ls["benefit_class"],
            recurrence=ls["recurrence"],
            is_disbenefit=ls["is_disbenefit"],
            organisation=orgs[ls["organisation"]],
        )
        for i, _, ls in pairs
    )
    rows, out = [], []
    for b, (_, spec, ls) in zip(lines, pairs, strict=True):
        sign = -1 if ls["is_disbenefit"] else 1
        mine = Line(
            key={
                "organisation": ls["organisation"],
                "workstream": spec["workstream"],
                "benefit_class": ls["benefit_class"],
                "stage": spec["stage"],
                "delivery_confidence": spec["confidence"],
            },
            stage=spec["stage"],
            confidence=spec["confidence"],
            benefit_class=ls["benefit_class"],
            recurrent=ls["recurrence"] == Recurrence.RECURRENT,
            is_disbenefit=ls["is_disbenefit"],
        )
        for (month, series), (quantity, status) in ls["entries"].items():
            value = sign * quantity  # GBP line at 100 %: the value rule gives sign × quantity
            status = status if series == "actual" else None
            mine.entries[(month, series)] = (value, status)
            rows.append(Entry(benefit=b, period=month, series=series, quantity=quantity, value_gbp=value, status=status))
        out.append(mine)
    Entry.objects.bulk_create(rows)
    return out


def in_rolled_back_transaction(fn):
    """Each example builds its rows and checks them inside a transaction that is then undone."""
    with transaction.atomic():
        fn()
        transaction.set_rollback(True)


# ---- FINANCE.md in plain Python -----------------------------------------------------------------


def line_figures(line: Line, weights: dict[str, Decimal], as_at: str) -> dict[str, Decimal]:
    """FINANCE.md "Rollup figures as at A in FY F" for one line, month by month."""
    f = dict.fromkeys(FIGURES, ZERO)
    if line.stage == Stage.IDEA:  # pipeline: only its forecasts, and in no other figure
        f["pipeline_fy"] = sum((line.value(m, "forecast") or ZERO for m in FY.periods), ZERO)
        return f
    cancelled = line.stage == Stage.CANCELLED
    for month in FY.periods:
        to_date = month <= as_at
        plan = line.value(month, "plan") or ZERO
        forecast = ZERO if cancelled else (line.value(month, "forecast") or ZERO)
        validated = line.validated(month, as_at)
        actual = line.entries.get((month, "actual"))
        if to_date:
            f["plan_ytd"] += plan
            if actual and actual[1] != "validated" and not cancelled:
                f["unvalidated_ytd"] += actual[0]
        f["plan_fy"] += plan
        outturn = validated if validated is not None else forecast
        f["actual_ytd"] += validated or ZERO
        f["forecast_fy"] += outturn
        f["risk_adjusted_fy"] += (
            validated if validated is not None else risk_adjust(forecast, weights[line.confidence], is_disbenefit=line.is_disbenefit)
        )
        if month == FY.last and line.recurrent:
            f["fye"] += TWELVE * outturn
    f["variance_ytd"] = f["actual_ytd"] - f["plan_ytd"]
    return f


def reference(lines: list[Line], weights, as_at: str, grouping: str | None) -> dict[object, dict[str, str]]:
    sums: dict[object, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(FIGURES, ZERO))
    for line in lines:
        key = line.key[grouping] if grouping else None
        for name, value in line_figures(line, weights, as_at).items():
            sums[key][name] += value
    return {k: {n: f"{v:.2f}" for n, v in figures.items()} for k, figures in sums.items()}


# ---- the properties -----------------------------------------------------------------------------


@PROPERTY
@given(data=dataset)
def test_sql_rollup_equals_finance_md_in_python_for_every_grouping(db, data):
    def check():
        lines = build(data)
        rollups = compute_all_rollups(fy=FY, as_at=data["as_at"])
        assert rollups["none"].total.as_json() == reference(lines, data["weights"], data["as_at"], None).get(
            None, dict.fromkeys(FIGURES, "0.00")
        )
        for grouping in GROUPINGS:
            expected = reference(lines, data["weights"], data["as_at"], grouping)
            rows = {r.key: r.figures.as_json() for r in rollups[grouping].rows}
            for key, figures in expected.items():
                assert rows[key] == figures, (grouping, key)
            for key in rows.keys() - expected.keys():
                assert set(rows[key].values()) == {"0.00"}, (grouping, key)

    in_rolled_back_transaction(check)


@PROPERTY
@given(data=dataset)
def test_grouped_rows_add_up_exactly_to_the_total(db, data):
    def check():
        build(data)
        rollups = compute_all_rollups(fy=FY, as_at=data["as_at"])
        total = rollups["none"].total
        for grouping in GROUPINGS:
            assert rollups[grouping].total == total
            for name in FIGURES:
                assert sum((getattr(r.figures, name) for r in rollups[grouping].rows), ZERO) == getattr(total, name), (
                    grouping,
                    name,
                )

    in_rolled_back_transaction(check)


def every_to_date_actual_validated(data: dict) -> dict:
    """Give every line a validated actual in every month up to as_at (keeping the amounts drawn)."""
    for ls in (ls for spec in data["initiatives"] for ls in spec["lines"]):
        for n, month in enumerate(m for m in FY.periods if m <= data["as_at"]):
            amount = ls["entries"].get((month, "actual"), (Decimal(n) * Decimal("101.01"), None))[0]
            ls["entries"][(month, "actual")] = (amount, "validated")
    return data


@PROPERTY
@given(data=dataset.map(every_to_date_actual_validated))
def test_forecast_fy_is_actual_ytd_plus_the_remaining_forecasts(db, data):
    def check():
        lines = build(data)
        as_at = data["as_at"]
        rollups = compute_all_rollups(fy=FY, as_at=as_at)
        for grouping in (None, *GROUPINGS):
            remaining: dict[object, Decimal] = defaultdict(lambda: ZERO)
            for line in lines:
                if line.stage in (Stage.IDEA, Stage.CANCELLED):  # pipeline; cancelled forecasts count as zero
                    continue
                later = (line.value(m, "forecast") or ZERO for m in FY.periods if m > as_at)
                remaining[line.key[grouping] if grouping else None] += sum(later, ZERO)
            rows = [(None, rollups["none"].total)] if grouping is None else [(r.key, r.figures) for r in rollups[grouping].rows]
            for key, figures in rows:
                assert figures.forecast_fy == figures.actual_ytd + remaining[key], (grouping, key)

    in_rolled_back_transaction(check)


# ---- targets ------------------------------------------------------------------------------------

target_spec = st.fixed_dictionaries(
    {
        "basis": st.sampled_from(TargetBasis.values),
        "classes": st.sets(st.sampled_from(BenefitClass.values), min_size=1).map(sorted),
        "window": st.tuples(st.sampled_from(MONTHS), st.sampled_from(MONTHS)).map(sorted),
        "as_at": st.sampled_from(MONTHS),
        "amount": st.integers(1, 5_000_000).map(lambda p: Decimal(p) / 100),
    }
)


def target_reference(lines: list[Line], weights, spec: dict) -> dict:
    """FINANCE.md "Targets", in plain Python: the API body of targets/{id}/progress/."""
    start, end = spec["window"]
    as_at, run_rate = spec["as_at"], spec["basis"] == TargetBasis.ANNUAL_RUN_RATE
    counted = [
        ln
        for ln in lines
        if ln.benefit_class in spec["classes"] and ln.stage != Stage.IDEA and (ln.recurrent or not run_rate)
    ]

    def month(m: str) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        plan = actual = outturn = risk = ZERO
        for ln in counted:
            forecast = ZERO if ln.stage == Stage.CANCELLED else (ln.value(m, "forecast") or ZERO)
            validated = ln.validated(m, as_at)
            plan += ln.value(m, "plan") or ZERO
            actual += validated or ZERO
            outturn += validated if validated is not None else forecast
            risk += validated if validated is not None else risk_adjust(forecast, weights[ln.confidence], is_disbenefit=ln.is_disbenefit)
        return plan, actual, outturn, risk

    window = months_between(start, end)
    by_month = {m: month(m) for m in window}
    if run_rate:
        achieved = TWELVE * month(as_at)[1]
        forecast, risk_adjusted = TWELVE * by_month[end][2], TWELVE * by_month[end][3]
        points = [(m, TWELVE * p, TWELVE * a if m <= as_at else None, TWELVE * o) for m, (p, a, o, _) in by_month.items()]
    else:
        achieved = sum((by_month[m][1] for m in window if m <= as_at), ZERO)
        forecast = sum((v[2] for v in by_month.values()), ZERO)
        risk_adjusted = sum((v[3] for v in by_month.values()), ZERO)
        running = [ZERO, ZERO, ZERO]
        points = []
        for m in window:
            p, a, o, _ = by_month[m]
            running = [running[0] + p, running[1] + a, running[2] + o]
            points.append((m, running[0], running[1] if m <= as_at else None, running[2]))

    def money(v):
        return None if v is None else f"{v:.2f}"

    amount = spec["amount"]
    return {
        "achieved": money(achieved),
        "forecast": money(forecast),
        "risk_adjusted": money(risk_adjusted),
        "pct_achieved": money(percentage(achieved, amount)),
        "pct_forecast": money(percentage(forecast, amount)),
        "pct_risk_adjusted": money(percentage(risk_adjusted, amount)),
        "on_track": risk_adjusted >= amount,
        "trajectory": [{"period": m, "plan": money(p), "actual": money(a), "outturn": money(o)} for m, p, a, o in points],
    }


@PROPERTY
@given(data=dataset, spec=target_spec)
def test_target_progress_equals_finance_md_in_python_on_both_bases(db, data, spec):
    def check():
        lines = build(data)
        target = Target.objects.create(
            name="Property target",
            amount_gbp=spec["amount"],
            benefit_classes=spec["classes"],
            basis=spec["basis"],
            start_period=spec["window"][0],
            end_period=spec["window"][1],
        )
        body = target_progress(target=target, as_at=spec["as_at"]).as_json()
        expected = target_reference(lines, data["weights"], spec)
        assert {k: body[k] for k in expected} == expected

    in_rolled_back_transaction(check)


def test_the_reference_itself_reproduces_the_worked_example():
    """Guard on the guard: the Python reference gives FINANCE.md's table for lines B1, B2, B3."""
    from tests.worked_example import EXPECTED

    months = FY.periods
    b1 = Line({}, "delivery", "amber", "cashable", True, False)
    b2 = Line({}, "realising", "green", "societal", False, False)
    b3 = Line({}, "realising", "green", "cashable", True, True)
    for m in months:
        b1.entries[(m, "plan")] = (Decimal("10000.00"), None)
        b1.entries[(m, "forecast")] = (Decimal("9000.00"), None)
        b2.entries[(m, "plan")] = (Decimal("7500.00"), None)
        b2.entries[(m, "forecast")] = (Decimal("6000.00"), None)
        b3.entries[(m, "forecast")] = (Decimal("-1000.00"), None)
    for ln, actuals in (
        (b1, [("2025-04", "8000.00", "validated"), ("2025-05", "9500.00", "validated"), ("2025-06", "7000.00", "submitted")]),
        (b2, [("2025-04", "6750.00", "validated"), ("2025-05", "5700.00", "validated")]),
        (b3, [("2025-04", "-1000.00", "validated")]),
    ):
        for m, v, s in actuals:
            ln.entries[(m, "actual")] = (Decimal(v), s)
    weights = {"amber": Decimal("0.65"), "green": Decimal("1.00")}
    for column, ln in enumerate((b1, b2, b3)):
        figures = line_figures(ln, weights, "2025-06")
        for name, values in EXPECTED.items():
            assert f"{figures[name]:.2f}" == values[column], (column, name)
