"""Pages: the dashboard and a 50-row register page, for the demo data and for 10,000 initiatives.

Each page is rendered through Django's test client (middleware, session, Jinja2, presenters)
and reported in absolute milliseconds, median and 95th percentile, with the number of queries
it issues (goal: the same at both sizes) and, for reference, the median of the selector calls
it makes. An empty signed-in page (the not-found page) is timed as well, the floor under every
page. The demo data (`seed_demo`) is loaded inside a transaction that is rolled back, with
the register tables emptied first (TRUNCATE is transactional in PostgreSQL), so the 10,000
initiatives of bench.rollups' generator are untouched and reused.
"""

from __future__ import annotations

import statistics

from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benefits.finance.calendar import FinancialYear
from benefits.models import Initiative, User
from benefits.selectors.board_pack import confidence_counts
from benefits.selectors.exceptions import initiative_exceptions
from benefits.selectors.periods import reporting_month
from benefits.selectors.register import filtered_register, register_page, trust_choices, workstream_choices
from benefits.selectors.rollups import compute_rollup, initiative_figures
from benefits.selectors.snapshots import latest_snapshot_stamp
from benefits.selectors.targets import all_target_progress
from benefits.services.users import add_user

from . import rollups
from ._timing import p95, samples_seconds

AS_AT = rollups.AS_AT
FY = FinancialYear.of(AS_AT)
PAGES = {"dashboard": f"/?as_at={AS_AT}", "register (50 rows)": "/initiatives/?sort=ref"}
REPEAT = 21  # at least (a 95th percentile needs twenty); fast pages take more turns, up to MAX_REPEAT or about BUDGET_S
MAX_REPEAT = 201
BUDGET_S = 2.0
FLOOR = "/no-such-page/"


class _Rollback(Exception):
    pass


def _dashboard_selectors() -> None:
    """What the dashboard view asks of the selectors: targets, rollup and counts by confidence,
    exceptions, the month's latest snapshot; the page's other queries are the session, its user and their trusts."""
    all_target_progress(as_at=AS_AT)
    compute_rollup(fy=FY, as_at=AS_AT, group_by="delivery_confidence")
    confidence_counts()
    initiative_exceptions(as_at=AS_AT)
    latest_snapshot_stamp(as_at=AS_AT)


def _register_selectors(user: User) -> None:
    """What the register view asks of the selectors: the scoped and filtered register, one page of 50 with
    its count, the page's figures for the reporting month's year, and the filters' choices."""
    chosen = filtered_register(user, {})
    page = register_page(initiatives=chosen.selected, sort="ref", descending=False, page=1, size=50)
    as_at = reporting_month()
    initiative_figures(fy=FinancialYear.of(as_at), as_at=as_at, initiative_ids=[i.pk for i in page.items])
    workstream_choices()
    trust_choices()


def _interleaved(page, selectors) -> tuple[list[float], list[float]]:
    """The page's times and its selectors', timed turn about so that load on a shared machine
    affects both alike."""
    page_times, selector_times = [], []
    page()
    selectors()
    while len(page_times) < REPEAT or (len(page_times) < MAX_REPEAT and sum(page_times) < BUDGET_S):
        page_times += samples_seconds(page, repeat=1, warmup=0)
        selector_times += samples_seconds(selectors, repeat=1, warmup=0)
    return page_times, selector_times


def _line(label: str, times: list[float], queries: int, note: str = "") -> None:
    print(f"{label:<52} median {statistics.median(times) * 1000:8.1f} ms   p95 {p95(times) * 1000:8.1f} ms   "
          f"{queries:3d} queries   {note}", flush=True)


def _executive() -> User:
    user = User.objects.filter(username="bench.exec").first()
    if user is None:
        user, _ = add_user(username="bench.exec", role="executive", org_codes=["RYE", "RYD"], password="bench-password-2025",
                           full_name="Bench Executive", check_password=False)
    return user


def _measure(label: str) -> dict[str, int]:
    user = _executive()
    client = Client()
    client.force_login(user)
    counts = {}
    selectors = {"dashboard": _dashboard_selectors, "register (50 rows)": lambda: _register_selectors(user)}
    for page, url in PAGES.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        counts[page] = len(ctx.captured_queries)
        page_times, selector_times = _interleaved(lambda u=url: client.get(u), selectors[page])
        _line(f"{page}, {label}", page_times, counts[page], f"(its selector calls: median {statistics.median(selector_times) * 1000:.1f} ms)")
    _floor(client, label)
    return counts


def _floor(client: Client, label: str) -> None:
    """What every signed-in page costs before it shows anything: the not-found page (the session, its
    user and their trusts, the layout). It tells how much of a page's time is the page's own."""
    with CaptureQueriesContext(connection) as ctx:
        client.get(FLOOR)
    queries = len(ctx.captured_queries)  # read now: the list is a window on a log that later queries move
    _line(f"  empty signed-in page, {label}", samples_seconds(lambda: client.get(FLOOR), repeat=101, warmup=1), queries,
          "(the session, its user, their trusts; no selector)")


def _small() -> dict[str, int]:
    """The demo data alone: the generated register is emptied inside a transaction rolled back afterwards."""
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "TRUNCATE benefits_entrystatuschange, benefits_entry, benefits_benefitline, "
                    "benefits_initiative_organisations, benefits_initiative, benefits_period, benefits_boardpack, "
                    "benefits_rollupsnapshot, benefits_linemonth CASCADE"
                )
            call_command("seed_demo", verbosity=0)
            n = Initiative.objects.count()
            counts = _measure(f"demo data ({n} initiatives)")
            raise _Rollback
    except _Rollback:
        pass
    return counts


def run() -> None:
    rollups._generate()
    small = _small()
    large = _measure(f"{Initiative.objects.count():,} initiatives")
    for page in PAGES:
        verdict = "met" if small.get(page) == large.get(page) else "MISSED"
        print(f"queries of {page}: {small.get(page)} with the demo data, {large.get(page)} at 10,000 initiatives: goal equal, {verdict}",
              flush=True)
