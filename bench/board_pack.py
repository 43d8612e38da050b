"""Board pack build time, demo-sized and at 1,000 initiatives, against WeasyPrint on a plain document.

For each size the bench loads its own register (workstreams, initiatives with owners, two benefit
lines each, 12 months of plan, forecast and actual) into an empty register, takes last month's
snapshot (for the movements section), then five times, interleaved: builds a pack through the
service (snapshot, context, HTML, layout, PDF, storage), renders one snapshot again (context, HTML,
PDF), and renders a bare HTML document of paragraphs with the same number of pages, the baseline.
Everything runs in one transaction that is rolled back, so the bench database (shared with
bench.rollups) is unchanged. Goal (issue 5): ≤ 2× the baseline, and under 5 s for the
1,000-initiative pack.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import statistics
import time

import pypdf
import weasyprint
from django.core.files.storage import default_storage
from django.db import connection, transaction
from weasyprint.text.ffi import harfbuzz_subset

from benefits.models import BenefitLine, BoardPack, Initiative, Organisation, User, Workstream
from benefits.services import board_packs
from benefits.services.snapshots import take_snapshot

from ._timing import peak_rss_mb, report

AS_AT = "2025-09"
PREVIOUS = "2025-08"  # last month's snapshot, which the pack's movements section compares with
MONTHS = [f"2025-{m:02d}" for m in range(4, 13)] + [f"2026-{m:02d}" for m in range(1, 4)]
STAGES = ["idea", "business_case", "approved", "delivery", "realising", "delivery", "realising", "closed", "cancelled", "delivery"]
# A portfolio's usual spread: mostly green to amber, one in seven amber/red or red.
CONFIDENCES = ["green"] * 6 + ["amber_green"] * 6 + ["amber"] * 5 + ["amber_red"] * 2 + ["red"]
SIZES = (("demo-sized pack (32 initiatives)", 32), ("pack with 1,000 initiatives", 1000))
SAMPLES = 5  # medians of five: the machine is shared, and one slow sample must not decide a ratio

# The register tables are emptied inside the bench transaction (and restored by its rollback), so
# the pack is the same whichever benches ran before in this database. That includes
# benefits_linemonth, kept by triggers on entries that TRUNCATE does not fire and with no foreign
# key for CASCADE to follow (bench.rollups' 720,000 line-months would stay behind as orphans that
# every snapshot query scans), and the workstreams (bench.rollups' 12 would print as £0 rows).
_EMPTY = (
    "TRUNCATE benefits_entry, benefits_linemonth, benefits_benefitline, benefits_initiative_organisations, "
    "benefits_initiative, benefits_workstream CASCADE"
)
# Entries: plan and forecast every month, validated actuals to the as-at month; GBP lines at
# 100 % attribution, so value_gbp = quantity (FINANCE.md's value rule with unit value 1).
# Amounts follow the lines' and initiatives' positions in the bench register, not their ids (which
# the sequences move on at every run), so every run measures the same pack.
_ENTRIES = """
INSERT INTO benefits_entry (benefit_id, period, series, quantity, value_gbp, status, version, created_at, updated_at)
SELECT b.id, p.period, s.series, q.amount, q.amount,
       CASE WHEN s.series = 'actual' THEN 'validated' END, 1, now(), now()
FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS line_n, DENSE_RANK() OVER (ORDER BY initiative_id) AS initiative_n
      FROM benefits_benefitline WHERE id = ANY(%(lines)s)) b
CROSS JOIN unnest(%(months)s::text[]) WITH ORDINALITY AS p(period, n)
CROSS JOIN (VALUES ('plan'), ('forecast'), ('actual')) AS s(series)
CROSS JOIN LATERAL (SELECT ROUND(1000 + (b.line_n * 37 + p.n * 11) %% 9000
        * CASE s.series WHEN 'plan' THEN 1.00 WHEN 'forecast' THEN 0.97
                        ELSE (ARRAY[0.80, 0.95, 0.98, 1.00, 1.04])[1 + b.initiative_n %% 5] END, 2) AS amount) q
WHERE s.series <> 'actual' OR p.period <= %(as_at)s
"""


def _load(count: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses while deferred checks are pending
        cursor.execute(_EMPTY)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    orgs = list(Organisation.objects.order_by("code"))
    owners = User.objects.bulk_create(
        [User(username=f"bench.owner.{n}.{count}", first_name="Owner", last_name=f"Number {n}", role="programme_office") for n in range(20)]
    )
    workstreams = [Workstream.objects.get_or_create(code=f"BPW{n}", defaults={"name": f"Bench workstream {n}"})[0] for n in range(7)]
    initiatives = Initiative.objects.bulk_create(
        [
            Initiative(
                ref=f"BP-{n:04d}",
                title=f"Bench initiative {n}: joint fleet, estates and clinical hub improvement",
                workstream=workstreams[n % 7],
                lead_organisation=orgs[n % len(orgs)],
                stage=STAGES[n % len(STAGES)],
                delivery_confidence=CONFIDENCES[n % len(CONFIDENCES)],
                owner=owners[n % len(owners)],
            )
            for n in range(1, count + 1)
        ]
    )
    Initiative.organisations.through.objects.bulk_create(
        [Initiative.organisations.through(initiative_id=i.pk, organisation_id=i.lead_organisation_id) for i in initiatives]
    )
    lines = BenefitLine.objects.bulk_create(
        [
            BenefitLine(
                initiative=i,
                title=title,
                benefit_class=cls,
                recurrence="recurrent",
                organisation_id=i.lead_organisation_id,
            )
            for i in initiatives
            for title, cls in (("Cash releasing saving", "cashable"), ("Hours released", "non_cashable"))
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(_ENTRIES, {"months": MONTHS, "lines": [line.pk for line in lines], "as_at": AS_AT})


def _baseline_html(pages: int) -> str:
    """A bare document: the same page size, font and number of pages, just paragraphs."""
    para = "<p>" + "Plain text of a baseline paragraph that fills most of one line on the page. " * 2 + "</p>"
    page = "<div style='break-after: page'>" + para * 22 + "</div>"
    return (
        "<html><head><style>@page { size: A4 landscape; margin: 18mm 14mm } "
        "body { font-family: 'Liberation Sans', 'DejaVu Sans', sans-serif; font-size: 9.5pt }</style></head><body>"
        + page * pages
        + "</body></html>"
    )


def _timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call.

    Collects garbage first, so that a sample does not pay for the cycles the previous one left
    (the pack and the plain document alternate: each would otherwise collect the other's).
    """
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _fonts(pdf: bytes) -> str:
    """The font faces embedded in a PDF and the subsetter that cut them: both change the figures."""
    faces = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            faces.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    subsetter = "HarfBuzz" if harfbuzz_subset is not None else "fontTools (install libharfbuzz-subset0)"
    return f"fonts {', '.join(sorted(faces))}; subset by {subsetter}"


def _measure(label: str, count: int, admin: User) -> None:
    _load(count)
    take_snapshot(as_at=PREVIOUS)
    snapshot = take_snapshot(as_at=AS_AT)
    rendered = board_packs.render_snapshot(snapshot)  # warm: fonts, templates, imports
    html = _baseline_html(rendered.pages)
    assert len(weasyprint.HTML(string=html).render().pages) == rendered.pages
    # Interleaved, so that load from other processes falls on both sides of the ratio alike.
    # CPU time of this process is printed too: on a shared machine it is the "one core" figure.
    # Each whole build requests a new pack, so it takes a snapshot of its own.
    samples: dict[str, list[tuple[float, float]]] = {"build": [], "pack": [], "plain": []}
    for _ in range(SAMPLES):
        pack = board_packs.request_board_pack(user=admin, as_at=AS_AT)
        samples["build"].append(_timed(lambda: board_packs.build_board_pack(board_pack_id=pack.pk)))  # noqa: B023
        built = BoardPack.objects.get(pk=pack.pk)
        assert built.status == "done", built.error
        assert built.pages == rendered.pages
        default_storage.delete(built.file.name)
        samples["pack"].append(_timed(lambda: board_packs.render_snapshot(snapshot)))
        samples["plain"].append(_timed(lambda: weasyprint.HTML(string=html).render().write_pdf()))
    wall = {k: statistics.median(s[0] for s in v) for k, v in samples.items()}
    cpu = {k: statistics.median(s[1] for s in v) for k, v in samples.items()}
    print(f"{label}: {rendered.pages} pages, {len(rendered.pdf):,} bytes; {_fonts(rendered.pdf)}", flush=True)
    goal = "goal ≤ 2×" + (", < 5 s" if count >= 1000 else "")
    plain = f"plain document, {rendered.pages} pages"
    report(f"  render (context + HTML + PDF), {count}, wall", wall["pack"], plain, wall["plain"], goal)
    report(f"  render (context + HTML + PDF), {count}, CPU", cpu["pack"], plain, cpu["plain"], goal)
    report(f"  whole build (+ snapshot, store), {count}, wall", wall["build"], plain, wall["plain"], goal)
    report(f"  whole build (+ snapshot, store), {count}, CPU", cpu["build"], plain, cpu["plain"], goal + " (CPU of this process)")


def run() -> None:
    started = time.perf_counter()
    with transaction.atomic():
        admin = User.objects.create(username=f"bench.pack.admin.{dt.datetime.now().timestamp()}", role="admin")
        for label, count in SIZES:
            _measure(label, count, admin)
        transaction.set_rollback(True)
    print(f"peak RSS {peak_rss_mb():.0f} MB; bench wall time {time.perf_counter() - started:.1f} s", flush=True)
