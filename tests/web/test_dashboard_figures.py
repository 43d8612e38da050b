"""The dashboard's figures, cell by cell: a wrong number in any table or sentence fails here."""

from __future__ import annotations

import re

import pytest

from benefits.services import actuals as actual_services
from benefits.services.snapshots import take_snapshot
from benefits.web.jinja2 import localtime_text
from tests.factories import make_initiative, make_line, put

pytestmark = pytest.mark.django_db
MONTHS = ["2025-04", "2025-05", "2025-06"]


def rows(html: str, caption: str) -> list[list[str]]:
    """The body rows of the table with this caption, each cell's text without tags or spaces at the ends."""
    table = html[html.index(caption):]
    body = table[table.index("<tbody"):table.index("</tbody>")]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


@pytest.fixture
def dashboard_data(pmo_rye, finance_rye):
    red = make_initiative(pmo_rye, title="Slipping <scheme>", confidence="red")
    line = make_line(pmo_rye, red)
    put(pmo_rye, line, "plan", MONTHS, "10000.00")
    put(pmo_rye, line, "forecast", MONTHS, "9000.00")
    actuals = put(pmo_rye, line, "actual", {"2025-04": "4000.00", "2025-05": "3000.00"})
    actual_services.submit_entries(user=pmo_rye, ids=[a.pk for a in actuals])
    actual_services.validate_entries(user=finance_rye, ids=[a.pk for a in actuals])
    green = make_initiative(pmo_rye, title="Steady scheme", confidence="green")
    wider = make_line(pmo_rye, green, title="Staff time released", benefit_class="non_cashable")
    put(pmo_rye, wider, "plan", MONTHS, "2000.00")
    put(pmo_rye, wider, "forecast", MONTHS, "1000.00")
    actual = put(pmo_rye, wider, "actual", {"2025-04": "1500.00"})
    actual_services.submit_entries(user=pmo_rye, ids=[actual[0].pk])
    actual_services.validate_entries(user=finance_rye, ids=[actual[0].pk])
    make_initiative(pmo_rye, title="An idea", stage="idea", confidence="green")
    return red, green


def test_the_dashboard_shows_each_figure(signed_in, executive, dashboard_data):
    red, green = dashboard_data  # refs follow the sequence, which other tests have moved on
    html = signed_in(executive).get("/?as_at=2025-05").content.decode()
    # Targets: run rate = 12 × May's validated actual; cumulative = Σ validated actuals (£1,500) and outturns.
    assert re.findall(r'data-figure="\w+">(.*?) <span class="app-pct">\((.*?)\)', html) == [
        ("£36,000", "0.36%"), ("£0", "0.00%"), ("£0", "0.00%"),
        ("£1,500", "0.00%"), ("£3,500", "0.00%"), ("£3,500", "0.00%"),
    ]
    cashable = rows(html, "Cashable efficiencies: trajectory by month")
    wider = rows(html, "Wider benefits: trajectory by month")
    assert (len(cashable), len(wider)) == (36, 60)  # 2025-04 to 2028-03, 2025-04 to 2030-03
    assert cashable[:4] == [["Apr 2025", "£120,000", "£48,000", "£48,000"], ["May 2025", "£120,000", "£36,000", "£36,000"],
                            ["Jun 2025", "£120,000", "–", "£108,000"], ["Jul 2025", "£0", "–", "£0"]]
    assert wider[:4] == [["Apr 2025", "£2,000", "£1,500", "£1,500"], ["May 2025", "£4,000", "£1,500", "£2,500"],
                         ["Jun 2025", "£6,000", "–", "£3,500"], ["Jul 2025", "£6,000", "–", "£3,500"]]
    assert wider[-1] == ["Mar 2030", "£6,000", "–", "£3,500"]
    assert "achieved £36,000, forecast £0, risk-adjusted £0." in html  # the chart's description
    # Counted initiatives (not the idea) by confidence; risk-adjusted weighs red forecasts at 0.15.
    assert rows(html, "Count and value of initiatives by delivery confidence") == [
        ["Green", "1", "£3,500", "£3,500"], ["Amber/green", "0", "£0", "£0"], ["Amber", "0", "£0", "£0"],
        ["Amber/red", "0", "£0", "£0"], ["Red", "1", "£16,000", "£8,350"], ["All initiatives", "2", "£19,500", "£11,850"],
    ]
    assert rows(html, "Exceptions as at May 2025") == [
        [f"{red.ref} Slipping &lt;scheme&gt;", "RYE", "Red", "£20,000", "£7,000", "35% of plan achieved year to date; rated red"],
        [f"{green.ref} Steady scheme", "RYE", "Green", "£4,000", "£1,500", "38% of plan achieved year to date"],
    ]
    assert f'<a href="/initiatives/{red.ref}/">{red.ref} Slipping &lt;scheme&gt;</a>' in html
    assert "No snapshot of this month has been taken yet" in html


def test_the_dashboard_says_when_the_month_was_last_snapshotted(signed_in, executive, dashboard_data):
    take_snapshot(as_at="2025-04")
    take_snapshot(as_at="2025-05", trigger="period_close")
    latest = take_snapshot(as_at="2025-05")
    html = signed_in(executive).get("/?as_at=2025-05").content.decode()
    assert f"Last snapshotted {localtime_text(latest.taken_at)} (after a request)." in html


def test_an_exceptions_share_of_plan_is_rounded_half_up_like_every_figure():
    """£25 of £1,000 is 2.5 %: finance reads 3 %, as FINANCE.md rounds (half-up), not Python's default 2 % (half-even)."""
    from decimal import Decimal
    from types import SimpleNamespace

    from benefits.web.dashboard import exception_reason

    row = SimpleNamespace(behind_plan=True, actual_ytd=Decimal("25.00"), plan_ytd=Decimal("1000.00"), delivery_confidence="green")
    assert exception_reason(row) == "3% of plan achieved year to date"
