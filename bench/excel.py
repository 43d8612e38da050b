"""Excel import of a whole tracker (720,000 month cells) beside python-calamine merely reading it; the export.

10,000 benefit lines (2,000 initiatives × 5) × 24 months (FY 2025/26 and 2026/27, a sheet each)
× plan, forecast and actual = 720,000 month cells. The import is a commit through the services
(new initiatives, lines and draft entries, every row audited with the import's id); the
baseline is calamine reading the same bytes into Python lists and nothing else. Goals (issue 8):
the import under 30 s and 500 MB peak, the export of the same register under 30 s.
Each run imports under its own workstream and removes the previous run's rows first.
"""

from __future__ import annotations

import io
import time
from decimal import Decimal

from django.db import connection, transaction
from python_calamine import CalamineWorkbook

from benefits.excel import layout
from benefits.excel.exports import register_workbook
from benefits.excel.writer import SheetSpec, stream_workbook
from benefits.finance.calendar import FinancialYear
from benefits.models import BenefitLine, Initiative, User, Workstream
from benefits.selectors.exports import register_export
from benefits.services.imports import import_workbook

from ._timing import median_seconds, peak_rss_mb, report

LINES = 10_000
LINES_PER_INITIATIVE = 5
FYS = (FinancialYear(2025), FinancialYear(2026))
WORKSTREAM = "XLBENCH"


def _user() -> User:
    user, _ = User.objects.get_or_create(username="bench.excel", defaults={"role": "admin"})
    return user


def _clean() -> None:
    """Remove the rows of earlier runs (entries, lines, initiatives of the bench workstream)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """DELETE FROM benefits_entry WHERE benefit_id IN (
                   SELECT b.id FROM benefits_benefitline b JOIN benefits_initiative i ON i.id = b.initiative_id
                   JOIN benefits_workstream w ON w.id = i.workstream_id WHERE w.code = %s)""",
            [WORKSTREAM],
        )
        cursor.execute(
            """DELETE FROM benefits_benefitline WHERE initiative_id IN (
                   SELECT i.id FROM benefits_initiative i JOIN benefits_workstream w ON w.id = i.workstream_id
                   WHERE w.code = %s)""",
            [WORKSTREAM],
        )
        cursor.execute(
            """DELETE FROM benefits_initiative_organisations WHERE initiative_id IN (
                   SELECT i.id FROM benefits_initiative i JOIN benefits_workstream w ON w.id = i.workstream_id
                   WHERE w.code = %s)""",
            [WORKSTREAM],
        )
        cursor.execute(
            "DELETE FROM benefits_initiative WHERE workstream_id IN (SELECT id FROM benefits_workstream WHERE code = %s)",
            [WORKSTREAM],
        )


def _tracker(run: str, *, keys: dict[int, tuple[str, int]] | None = None, forecast_up: Decimal = Decimal(0)) -> bytes:
    """The workbook a trust would upload: new initiatives and lines, every month cell filled.

    With `keys` (line number → (ref, benefit id)) the rows name the lines the first import made,
    and every forecast is `forecast_up` higher: the monthly refresh of a tracker already in.
    """
    fixed_width = len(layout.FIXED_COLUMNS)

    def rows(fy: FinancialYear):
        months = len(layout.month_columns(fy))
        for n in range(LINES):
            scheme = n // LINES_PER_INITIATIVE
            lead = "RYE" if scheme % 2 == 0 else "RYD"
            ref, benefit_id = keys[n] if keys else ("", "")
            fixed = [
                ref,
                f"Bench {run} scheme {scheme}",
                WORKSTREAM,
                lead,
                ("delivery", "realising", "approved", "idea")[scheme % 4],
                ("green", "amber", "amber_red")[scheme % 3],
                "",
                benefit_id,
                f"Line {n}",
                ("cashable", "non_cashable", "societal")[n % 3],
                "recurrent",
                "no",
                lead,
                "GBP",
                "",
                Decimal("100.00"),
            ]
            assert len(fixed) == fixed_width
            base = Decimal(1000 + n % 997)
            yield fixed + [base + Decimal(k % 3) + Decimal("0.25") + (forecast_up if k % 3 == 1 else 0) for k in range(months)]

    return stream_workbook([SheetSpec(name=layout.sheet_name(fy), header=layout.headers(fy), rows=rows(fy)) for fy in FYS])


def _keys() -> dict[int, tuple[str, int]]:
    """Line number → (initiative ref, benefit id) of the lines the first import created."""
    lines = BenefitLine.objects.filter(initiative__workstream__code=WORKSTREAM).values_list("title", "initiative__ref", "id")
    return {int(title.removeprefix("Line ")): (ref, pk) for title, ref, pk in lines}


def _calamine_read(data: bytes) -> int:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return sum(len(wb.get_sheet_by_name(name).to_python()) for name in wb.sheet_names)


def run() -> None:
    Workstream.objects.get_or_create(code=WORKSTREAM, defaults={"name": "Excel benchmark"})
    _clean()
    user = _user()
    run_id = str(int(time.time()))
    started = time.perf_counter()
    data = _tracker(run_id)
    print(
        f"built the tracker: {len(data) / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s; "
        f"{LINES:,} lines × {len(FYS) * 12} months × 3 series = {LINES * len(FYS) * 36:,} month cells",
        flush=True,
    )

    # The imports run first, so the process's peak memory is theirs: the baseline's read holds
    # the whole workbook as Python lists (~70 MB) that the allocator keeps afterwards.
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    dry_changes = import_workbook(user=user, data=data, filename="bench-dry.xlsx", dry_run=True).plan.changes_total
    dry_seconds = time.perf_counter() - started  # only the count is kept, as a page or the API would

    started = time.perf_counter()
    result = import_workbook(user=user, data=data, filename=f"bench-{run_id}.xlsx", dry_run=False)
    seconds = time.perf_counter() - started
    rss_after = peak_rss_mb()
    counts = result.plan.counts()
    assert counts["created"] == {"initiatives": LINES // LINES_PER_INITIATIVE, "benefits": LINES, "entries": LINES * 72}, counts
    assert dry_changes == result.plan.changes_total

    baseline = median_seconds(lambda: _calamine_read(data), repeat=3, warmup=1)
    report("import dry run (read, check, plan)", dry_seconds, "python-calamine read only", baseline, "")
    report("import commit (read, check, plan, write, audit)", seconds, "python-calamine read only", baseline, "goal < 30 s")
    print(
        f"peak memory (RSS) of the process through both imports {rss_after:.0f} MB "
        f"(before them {rss_before:.0f} MB)   goal < 500 MB",
        flush=True,
    )

    initiatives = Initiative.objects.filter(workstream__code=WORKSTREAM)
    started = time.perf_counter()
    exported = register_workbook(register_export(initiatives=initiatives))
    export_seconds = time.perf_counter() - started
    report("export of the same register (2 sheets)", export_seconds, "python-calamine read only", baseline, "goal < 30 s")

    started = time.perf_counter()
    again = import_workbook(user=user, data=exported, filename="bench-roundtrip.xlsx", dry_run=True)
    report(
        "round trip: the export re-imported (dry run)", time.perf_counter() - started, "python-calamine read only", baseline, ""
    )
    assert again.plan.changes_total == 0, again.plan.changes[:5]
    print(f"round trip: {again.plan.unchanged:,} rows unchanged, 0 changes", flush=True)

    refreshed = _tracker(run_id, keys=_keys(), forecast_up=Decimal("10.00"))
    started = time.perf_counter()
    result = import_workbook(user=user, data=refreshed, filename=f"bench-{run_id}-refresh.xlsx", dry_run=False)
    seconds = time.perf_counter() - started
    assert result.plan.counts()["updated"]["entries"] == LINES * 24, result.plan.counts()
    report("refresh: every forecast changed (240,000 cells)", seconds, "python-calamine read only", baseline, "")
    print(f"peak memory (RSS) of the process through every import {peak_rss_mb():.0f} MB", flush=True)
    _clean()
