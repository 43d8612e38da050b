"""The rollup reproduces FINANCE.md's worked example to the penny, for the total and every grouping."""

from decimal import Decimal

import pytest

from benefits.selectors.rollups import GROUPINGS, compute_all_rollups, compute_rollup
from tests.worked_example import EXPECTED, FY, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def example(admin_user, finance_rye):
    return build(author=admin_user, validator=finance_rye)


def test_total_matches_the_worked_example_to_the_penny(example):
    total = compute_rollup(fy=FY, as_at="2025-06").total.as_json()
    for figure, expected in EXPECTED.items():
        assert total[figure] == expected[3], figure
    assert total["pipeline_fy"] == "0.00"


def test_grouped_by_organisation_rye_is_b1_and_ryd_is_b2_plus_b3(example):
    rows = {r.key: r.figures.as_json() for r in compute_rollup(fy=FY, as_at="2025-06", group_by="organisation").rows}
    for figure, (b1, b2, b3, _) in EXPECTED.items():
        assert rows["RYE"][figure] == b1, figure
        ryd = f"{float(b2) + float(b3):.2f}"  # small whole-penny sums: exact in binary too
        assert rows["RYD"][figure] == ryd, figure


def test_every_grouping_adds_up_exactly_to_the_total(example):
    rollups = compute_all_rollups(fy=FY, as_at="2025-06")
    total = rollups["none"].total
    for grouping in GROUPINGS:
        rollup = rollups[grouping]
        assert rollup.total == total
        for figure in EXPECTED:
            assert sum(getattr(r.figures, figure) for r in rollup.rows) == getattr(total, figure), (grouping, figure)


def test_benefit_class_rows_split_cashable_and_societal(example):
    rows = {r.key: r.figures.as_json() for r in compute_rollup(fy=FY, as_at="2025-06", group_by="benefit_class").rows}
    assert rows["cashable"]["forecast_fy"] == "95500.00"  # B1 107500 + B3 -12000
    assert rows["societal"]["forecast_fy"] == "72450.00"
    assert rows["non_cashable"]["forecast_fy"] == "0.00"


def test_an_idea_counts_only_as_pipeline(example, admin_user):
    from tests.factories import make_initiative, make_line, put

    idea = make_initiative(admin_user, lead="RYE", stage="idea", title="Shared control room")
    line = make_line(admin_user, idea, organisation="RYE")
    put(admin_user, line, "forecast", FY.periods, "500.00")
    put(admin_user, line, "plan", FY.periods, "700.00")
    total = compute_rollup(fy=FY, as_at="2025-06").total.as_json()
    assert total["pipeline_fy"] == "6000.00"
    assert total["plan_fy"] == "210000.00"
    assert total["forecast_fy"] == "167950.00"


def test_a_cancelled_scheme_keeps_plan_and_validated_actuals_but_no_forecast(example, admin_user):
    from benefits.services.register import update_initiative

    update_initiative(user=admin_user, initiative=example.ag1, changes={"stage": "cancelled"})
    rows = {r.key: r.figures.as_json() for r in compute_rollup(fy=FY, as_at="2025-06", group_by="organisation").rows}
    assert rows["RYE"]["plan_fy"] == "120000.00"
    assert rows["RYE"]["actual_ytd"] == "17500.00"
    assert rows["RYE"]["forecast_fy"] == "17500.00"  # validated Apr + May; every forecast is zero


def test_each_initiatives_figures_are_its_lines_of_the_worked_example(example, admin_user):
    from benefits.selectors.rollups import initiative_figures
    from tests.factories import make_initiative

    empty = make_initiative(admin_user, lead="RYE", title="No lines yet")
    figures = initiative_figures(fy=FY, as_at="2025-06", initiative_ids=[example.ag1.pk, example.ag2.pk, empty.pk])
    assert set(figures) == {example.ag1.pk, example.ag2.pk}  # no line, no figures
    for figure, (b1, b2, b3, total) in EXPECTED.items():
        assert f"{getattr(figures[example.ag1.pk], figure):.2f}" == b1, figure
        assert getattr(figures[example.ag2.pk], figure) == Decimal(b2) + Decimal(b3), figure
        assert getattr(figures[example.ag1.pk], figure) + getattr(figures[example.ag2.pk], figure) == Decimal(total), figure
    only_ag2 = initiative_figures(fy=FY, as_at="2025-06", initiative_ids=[example.ag2.pk])
    assert only_ag2 == {example.ag2.pk: figures[example.ag2.pk]}
    assert initiative_figures(fy=FY, as_at="2025-06", initiative_ids=[]) == {}
