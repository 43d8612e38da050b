"""Charts as plain SVG drawn by our own code, for the board pack and the web dashboard (ADR 0032).

Deterministic by construction: the same progress JSON gives the same bytes (no random ids, no
timestamps, no scripts), so a PDF that embeds the chart is reproducible. Geometry uses Decimal
and prints one decimal place; every piece of text is escaped. Accessible: `role="img"` with a
`<title>` and a `<desc>` that states the figures in words.
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal
from html import escape

from benefits.finance.calendar import short_month_name
from benefits.finance.rounding import whole_pounds

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_WARM_YELLOW = "#FFB81C"
NHS_RED = "#DA291C"
NHS_MID_GREY = "#768692"
NHS_PALE_GREY = "#E8EDEE"

_ZERO = Decimal(0)


def _num(value: Decimal) -> str:
    """A coordinate with one decimal place and no trailing '.0' noise: stable text for stable bytes.

    `:.1f` rounds as `quantize(Decimal("0.1"))` does (the context's half-even), in one step.
    """
    return f"{value:.1f}".removesuffix(".0")


def _nice_step(span: Decimal, ticks: int = 5) -> Decimal:
    """1, 2 or 5 × a power of ten, so that about `ticks` gridlines cover `span`."""
    if span <= 0:
        return Decimal(1)
    raw = span / ticks
    exponent = raw.adjusted()
    base = Decimal(10) ** exponent
    for factor in (1, 2, 5, 10):
        if raw <= base * factor:
            return base * factor
    return base * 10  # pragma: no cover


def _axis_label(value: Decimal) -> str:
    """£0, £250k, £2.5m, £10m: short money for axis ticks (not a reported figure)."""
    magnitude = abs(value)
    sign = "-" if value < 0 else ""
    if magnitude >= 1_000_000:
        text = f"{(magnitude / 1_000_000).normalize():f}"
        return f"{sign}£{text}m"
    if magnitude >= 1_000:
        text = f"{(magnitude / 1_000).normalize():f}"
        return f"{sign}£{text}k"
    return f"{sign}£{magnitude.normalize():f}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def _path(points: list[tuple[str, str]]) -> str:
    """`M x,y L x,y …` from coordinates already printed by `_num`."""
    return " ".join(f"{'M' if n == 0 else 'L'}{x},{y}" for n, (x, y) in enumerate(points))


def trajectory_svg(
    progress_json: dict,
    *,
    width: int = 760,
    height: int = 300,
    title: str | None = None,
    chart_id: str | None = None,
) -> str:
    """The trajectory of one target: cumulative plan, validated actual and forecast outturn against
    the target line (FINANCE.md "Targets"; for a run-rate target each point is 12 × that month).

    `progress_json` is `TargetProgress.as_json()` (the API body, or a snapshot's `targets` item).
    Returns an `<svg>` element as text, safe to embed in HTML.
    """
    name = progress_json["name"]
    title = title if title is not None else f"{name}: trajectory"
    ident = chart_id or f"trajectory-{_slug(str(progress_json.get('target', name)))}"
    points = progress_json["trajectory"]
    amount = Decimal(progress_json["amount_gbp"])
    w, h = Decimal(width), Decimal(height)
    left, right, top, bottom = Decimal(70), Decimal(16), Decimal(14), Decimal(52)
    plot_w, plot_h = w - left - right, h - top - bottom

    plans = [Decimal(p["plan"]) for p in points]
    outturns = [Decimal(p["outturn"]) for p in points]
    actuals = [(i, Decimal(p["actual"])) for i, p in enumerate(points) if p.get("actual") is not None]
    low = min(amount, _ZERO, *plans, *outturns, *(v for _, v in actuals))
    high = max(amount, _ZERO, *plans, *outturns, *(v for _, v in actuals))
    step = _nice_step(high - low)
    low = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    high = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    if high == low:
        high = low + step

    count = max(len(points), 1)

    def x_at(index: int) -> Decimal:
        return left + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    base, span = top + plot_h, high - low

    def y_at(value: Decimal) -> Decimal:
        return base - (value - low) / span * plot_h

    # Each month's x printed once for the axis and the three series: printing was most of the drawing's cost.
    xs = [_num(x_at(index)) for index in range(len(points))]

    parts: list[str] = []
    # Gridlines and y-axis labels.
    tick = low
    while tick <= high:
        y = y_at(tick)
        parts.append(f'<line x1="{_num(left)}" y1="{_num(y)}" x2="{_num(w - right)}" y2="{_num(y)}" stroke="{NHS_PALE_GREY}" stroke-width="1"/>')
        parts.append(f'<text x="{_num(left - 6)}" y="{_num(y + 3)}" text-anchor="end">{escape(_axis_label(tick))}</text>')
        tick += step
    # x-axis labels: the first month and every April (a financial year starts).
    for index, p in enumerate(points):
        if index == 0 or p["period"].endswith("-04") or index == count - 1:
            x = xs[index]
            parts.append(f'<line x1="{x}" y1="{_num(top + plot_h)}" x2="{x}" y2="{_num(top + plot_h + 4)}" stroke="{NHS_MID_GREY}"/>')
            # The last label ends at the axis's end, so the edge of the drawing does not cut it.
            anchor = "end" if index == count - 1 and count > 1 else "middle"
            parts.append(f'<text x="{x}" y="{_num(top + plot_h + 15)}" text-anchor="{anchor}">{escape(short_month_name(p["period"]))}</text>')
    parts.append(
        f'<line x1="{_num(left)}" y1="{_num(top + plot_h)}" x2="{_num(w - right)}" y2="{_num(top + plot_h)}" stroke="{NHS_MID_GREY}" stroke-width="1"/>'
    )
    # The target line.
    ty = y_at(amount)
    parts.append(
        f'<line x1="{_num(left)}" y1="{_num(ty)}" x2="{_num(w - right)}" y2="{_num(ty)}" stroke="{NHS_RED}" stroke-width="1.5" stroke-dasharray="6 3"/>'
    )
    # Series: plan (grey), forecast outturn (dark blue, dashed), validated actual (NHS blue, to date).
    plan = [(x, _num(y_at(v))) for x, v in zip(xs, plans, strict=True)]
    outturn = [(x, _num(y_at(v))) for x, v in zip(xs, outturns, strict=True)]
    actual = [(xs[i], _num(y_at(v))) for i, v in actuals]
    if plan:
        parts.append(f'<path d="{_path(plan)}" fill="none" stroke="{NHS_MID_GREY}" stroke-width="1.5"/>')
        parts.append(f'<path d="{_path(outturn)}" fill="none" stroke="{NHS_DARK_BLUE}" stroke-width="1.5" stroke-dasharray="4 3"/>')
    if actual:
        parts.append(f'<path d="{_path(actual)}" fill="none" stroke="{NHS_BLUE}" stroke-width="2.5"/>')
    # Legend, in one row under the axis.
    legend = [
        ("Target", NHS_RED, "6 3", "1.5"),
        ("Plan", NHS_MID_GREY, "", "1.5"),
        ("Validated actual", NHS_BLUE, "", "2.5"),
        ("Forecast outturn", NHS_DARK_BLUE, "4 3", "1.5"),
    ]
    lx, ly = left, h - 12
    for label, colour, dash, stroke in legend:
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{_num(lx)}" y1="{_num(ly - 3)}" x2="{_num(lx + 22)}" y2="{_num(ly - 3)}" stroke="{colour}" stroke-width="{stroke}"{dash_attr}/>'
        )
        parts.append(f'<text x="{_num(lx + 27)}" y="{_num(ly)}">{escape(label)}</text>')
        lx += Decimal(34 + 6 * len(label))

    basis = "annual run rate (12 times the month)" if progress_json.get("basis") == "annual_run_rate" else "cumulative"
    first, last = (points[0]["period"], points[-1]["period"]) if points else ("", "")
    desc = (
        f"{name}, {basis}, from {short_month_name(first) if first else 'start'} to {short_month_name(last) if last else 'end'}. "
        f"Target {whole_pounds(amount)}. As at {short_month_name(progress_json['as_at'])}: "
        f"achieved {whole_pounds(Decimal(progress_json['achieved']))}, "
        f"forecast {whole_pounds(Decimal(progress_json['forecast']))}, "
        f"risk-adjusted {whole_pounds(Decimal(progress_json['risk_adjusted']))}."
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{ident}-title {ident}-desc" '
        f'font-family="Liberation Sans, DejaVu Sans, Arial, sans-serif" font-size="10" fill="#212B32">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc)}</desc>'
        + "".join(parts)
        + "</svg>"
    )
