"""The register shows each initiative's plan and forecast outturn for the year, by the rollups' rules."""

from __future__ import annotations

import re

import pytest

from benefits.services.periods import close_period
from tests.factories import make_initiative, make_line, put
from tests.worked_example import FY, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def example(admin_user, finance_rye):
    made = build(author=admin_user, validator=finance_rye)
    for month in ("2025-04", "2025-05", "2025-06"):
        close_period(user=finance_rye, period=month)  # the register's month is the latest closed one
    return made


def _row(html: str, ref: str) -> list[str]:
    row = re.search(rf'<tr class="nhsuk-table__row">\s*<td class="nhsuk-table__cell"><a href="[^"]+">{ref}</a>(.*?)</tr>', html, re.S)
    assert row, ref
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def test_each_row_shows_the_years_plan_and_forecast_outturn_of_the_worked_example(signed_in, executive, example):
    html = signed_in(executive).get("/initiatives/").text
    assert "Plan 2025/26" in html and "Forecast 2025/26" in html and "as at June 2025" in html
    assert _row(html, example.ag1.ref)[-2:] == ["£120,000", "£107,500"]  # B1: FINANCE.md's table
    assert _row(html, example.ag2.ref)[-2:] == ["£90,000", "£60,450"]  # B2 72,450 + B3 −12,000 (a dis-benefit)


def test_an_idea_shows_its_forecast_as_pipeline_and_no_plan(signed_in, executive, example, admin_user):
    idea = make_initiative(admin_user, lead="RYE", stage="idea", title="Shared control room")
    put(admin_user, make_line(admin_user, idea, organisation="RYE"), "forecast", FY.periods[3:], "500.00")  # July on
    assert _row(signed_in(executive).get("/initiatives/").text, idea.ref)[-2:] == ["", "£4,500 (pipeline)"]


def test_an_initiative_without_figures_shows_nothing_owed(signed_in, executive, example, admin_user):
    bare = make_initiative(admin_user, lead="RYD", title="Not yet profiled")
    assert _row(signed_in(executive).get("/initiatives/").text, bare.ref)[-2:] == ["£0", "£0"]
