"""A trajectory chart as plain SVG (presentation attributes only, so the CSP needs no inline styles).

Used until benefits/reports/charts.py (the board pack's chart) is shared; the same figures are
always given beside the chart as a table for screen readers, so the SVG is hidden from them.
"""

from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup, escape

from benefits.finance.calendar import short_month_name
from benefits.finance.rounding import whole_pounds
from benefits.selectors.targets import TargetProgress

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 10, 10, 40


def trajectory_svg(p: TargetProgress, *, title: str) -> Markup:
    points = p.trajectory
    if not points:
        return Markup("")
    top = max([p.amount_gbp] + [max(t.plan, t.outturn, t.actual or Decimal(0)) for t in points]) or Decimal(1)
    low = min([Decimal(0)] + [min(t.plan, t.outturn, t.actual or Decimal(0)) for t in points])
    span = top - low or Decimal(1)
    n = max(len(points) - 1, 1)

    def x(i: int) -> str:
        return f"{LEFT + (WIDTH - LEFT - RIGHT) * i / n:.1f}"

    def y(v: Decimal) -> str:
        return f"{TOP + float((top - v) / span) * (HEIGHT - TOP - BOTTOM):.1f}"

    def path(values) -> str:
        return " ".join(f"{x(i)},{y(v)}" for i, v in values)

    plan = path((i, t.plan) for i, t in enumerate(points))
    outturn = path((i, t.outturn) for i, t in enumerate(points))
    actual = path((i, t.actual) for i, t in enumerate(points) if t.actual is not None)
    parts = [
        f'<svg class="app-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{y(low)}" x2="{WIDTH - RIGHT}" y2="{y(low)}" stroke="#4c6272" stroke-width="1"/>',
        f'<line x1="{LEFT}" y1="{y(p.amount_gbp)}" x2="{WIDTH - RIGHT}" y2="{y(p.amount_gbp)}" stroke="#d5281b" stroke-width="1.5" stroke-dasharray="2 3"/>',
        f'<text x="{LEFT - 6}" y="{y(p.amount_gbp)}" text-anchor="end" font-size="11" fill="#212b32">{escape(whole_pounds(p.amount_gbp))}</text>',
        f'<text x="{LEFT - 6}" y="{y(low)}" text-anchor="end" font-size="11" fill="#212b32">{escape(whole_pounds(low))}</text>',
        f'<polyline points="{plan}" fill="none" stroke="#768692" stroke-width="2" stroke-dasharray="6 4"/>',
        f'<polyline points="{outturn}" fill="none" stroke="#005eb8" stroke-width="2" stroke-dasharray="1 3"/>',
    ]
    if actual:
        parts.append(f'<polyline points="{actual}" fill="none" stroke="#007f3b" stroke-width="3"/>')
    step = max(1, len(points) // 6)
    for i, t in enumerate(points):
        if i % step == 0:
            parts.append(f'<text x="{x(i)}" y="{HEIGHT - 20}" text-anchor="middle" font-size="11" fill="#212b32">{escape(short_month_name(t.period))}</text>')
    legend = (("#768692", "6 4", "Plan"), ("#007f3b", "", "Achieved (validated)"), ("#005eb8", "1 3", "Forecast outturn"), ("#d5281b", "2 3", "Target"))
    for k, (colour, dash, name) in enumerate(legend):
        lx = LEFT + k * 140
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{lx}" y1="{HEIGHT - 5}" x2="{lx + 24}" y2="{HEIGHT - 5}" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        parts.append(f'<text x="{lx + 30}" y="{HEIGHT - 1}" font-size="11" fill="#212b32">{name}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text part above is escaped)
