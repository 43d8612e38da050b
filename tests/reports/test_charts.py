"""The trajectory chart: plain, deterministic, accessible SVG drawn by our own code."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET

from benefits.finance.calendar import months_between
from benefits.reports.charts import trajectory_svg

SVG = "{http://www.w3.org/2000/svg}"


def _progress(name="Wider benefits", basis="cumulative"):
    months = ["2025-04", "2025-05", "2025-06", "2025-07"]
    return {
        "target": 2,
        "name": name,
        "amount_gbp": "300000.00",
        "basis": basis,
        "as_at": "2025-05",
        "achieved": "120000.50",
        "forecast": "250000.00",
        "risk_adjusted": "200000.00",
        "pct_achieved": "40.00",
        "pct_forecast": "83.33",
        "pct_risk_adjusted": "66.67",
        "on_track": False,
        "trajectory": [
            {"period": m, "plan": f"{(i + 1) * 70000}.00", "actual": f"{(i + 1) * 60000}.25" if m <= "2025-05" else None, "outturn": f"{(i + 1) * 62500}.00"}
            for i, m in enumerate(months)
        ],
    }


def test_the_chart_draws_plan_outturn_actual_and_the_target_line():
    svg = ET.fromstring(trajectory_svg(_progress(), width=600, height=240))
    paths = svg.findall(f"{SVG}path")
    assert len(paths) == 3  # plan, forecast outturn, validated actual
    actual = paths[2].get("d")
    assert actual.count("L") == 1  # two months to date: April and May only
    assert [p.get("d").count("L") for p in paths[:2]] == [3, 3]
    dashed_red = [line for line in svg.findall(f"{SVG}line") if line.get("stroke") == "#DA291C"]
    assert len(dashed_red) == 2  # the target line and its legend key
    texts = [t.text for t in svg.findall(f"{SVG}text")]
    assert {"Target", "Plan", "Validated actual", "Forecast outturn", "Apr 2025"} <= set(texts)


def test_the_chart_is_accessible_with_a_title_and_a_description_in_words():
    svg = ET.fromstring(trajectory_svg(_progress(), width=600, height=240, title="Wider benefits trajectory", chart_id="t2"))
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "t2-title t2-desc"
    assert svg.find(f"{SVG}title").text == "Wider benefits trajectory"
    desc = svg.find(f"{SVG}desc").text
    assert "Target £300,000" in desc and "achieved £120,001" in desc and "risk-adjusted £200,000" in desc


def test_the_same_progress_gives_the_same_bytes_and_no_script_or_picture():
    first = trajectory_svg(_progress(), width=600, height=240)
    assert first == trajectory_svg(_progress(), width=600, height=240)
    assert not re.search(r"<script|<image|<foreignObject|href=", first)


def test_the_bytes_are_those_of_every_earlier_version():
    """A board pack rebuilt from an old snapshot must come out byte for byte the same, so the drawing's
    text may not change with the code: these digests are of the chart as first drawn (ADR 0032, 0044)."""
    run_rate = _progress(name="Cashable <efficiencies>", basis="annual_run_rate")
    run_rate["trajectory"] = [
        {"period": m, "plan": f"{(i * 7919) % 50000 - 3000}.{i % 100:02d}",
         "actual": f"{(i * 104729) % 41000}.05" if m <= "2026-09" else None, "outturn": f"{(i * 1299709) % 47000}.95"}
        for i, m in enumerate(months_between("2025-04", "2028-03"))
    ]
    drawn = [trajectory_svg(_progress(), width=600, height=240), trajectory_svg(run_rate, width=980, height=250, chart_id="target-1")]
    assert [hashlib.sha256(svg.encode()).hexdigest() for svg in drawn] == [
        "f39322679409ad080988dd70e3ea59a04460e976a9f2c3eb7978cf5928a27016",
        "3ee64820230977ff85179f04a2b2330f659db8a7cb0d59800ad47dfa1cd255bd",
    ]


def test_a_hostile_target_name_is_escaped():
    svg = trajectory_svg(_progress(name='<script>alert(1)</script>"&'), width=600, height=240)
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;" in svg
    ET.fromstring(svg)  # still well-formed
