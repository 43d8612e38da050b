"""What every page shares: the header (who is signed in, the pages their role uses), the footer,
the words and tags of the choices, the month and year options, and reading the common query
parameters (a financial year, a page number, a version).

The header's one read, the user's trusts, is a selector call; everything else here only formats.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from markupsafe import Markup

from benefits.finance.calendar import CalendarError, FinancialYear, add_months, month_name, months_between
from benefits.models.choices import Confidence, JobStatus, Role
from benefits.policy import Action, can
from benefits.selectors.accounts import trust_codes
from benefits.selectors.periods import reporting_month

if TYPE_CHECKING:
    from django.http import HttpRequest

    from benefits.models import BackgroundJob

CONFIDENCE_TAG = {
    Confidence.GREEN: "nhsuk-tag--green",
    Confidence.AMBER_GREEN: "nhsuk-tag--aqua-green",
    Confidence.AMBER: "nhsuk-tag--yellow",
    Confidence.AMBER_RED: "nhsuk-tag--orange",
    Confidence.RED: "nhsuk-tag--red",
}
JOB_LABEL = dict(JobStatus.choices)


def label_of(choices, value: str) -> str:
    return dict(choices.choices).get(value, value)


def first_fy_start() -> str:
    """The first month a user may pick (the targets' window starts in 2025-04)."""
    return "2025-04"


def month_options(selected: str, *, last: str | None = None) -> list[dict]:
    today = timezone.localdate()
    end = last or add_months(f"{today.year:04d}-{today.month:02d}", 12)
    months = months_between(first_fy_start(), max(end, selected))
    return [{"value": m, "text": month_name(m), "selected": m == selected} for m in reversed(months)]


def fy_options(selected: FinancialYear) -> list[dict]:
    today = timezone.localdate()
    this = FinancialYear.of(f"{today.year:04d}-{today.month:02d}").start_year
    years = range(2025, max(this, selected.start_year) + 3)
    return [{"value": FinancialYear(y).label, "text": FinancialYear(y).label, "selected": y == selected.start_year} for y in years]


def select_items(pairs: Iterable[tuple[object, object]], selected: str, blank: str) -> list[dict]:
    """The items of an NHS.UK select: a blank option (`blank` names it), then (value, text) pairs, `selected` marked."""
    return [{"value": "", "text": blank}, *({"value": str(v), "text": str(t), "selected": str(v) == selected} for v, t in pairs)]


def initiative_hrefs(refs: Iterable[str]) -> list[str]:
    """Each initiative's page, in the order of `refs`."""
    return [reverse("web:initiative", args=[ref]) for ref in refs]


# --- reading the query --------------------------------------------------------------------------


def financial_year(request: HttpRequest) -> FinancialYear:
    """The year a page shows (`fy=2025/26`, in the query or the form), else the reporting month's."""
    text = request.GET.get("fy") or request.POST.get("fy") or ""
    try:
        return FinancialYear.parse(text)
    except CalendarError:
        return FinancialYear.of(reporting_month())


def optional_year(text: str) -> FinancialYear | None:
    """A year a download was asked for, or None (every year with figures) for anything else."""
    try:
        return FinancialYear.parse(text) if text else None
    except CalendarError:
        return None  # the forms offer only real years


def page_number(query) -> int:
    """The `page` asked for; anything odd is the first page (a page never fails on its query string)."""
    try:
        return max(1, int(query.get("page", "1")))
    except ValueError:
        return 1


def version_of(text: str) -> int | None:
    """The version a form carried (what the user saw), or None when it carried none."""
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


# --- background jobs (board packs, register exports) ----------------------------------------------


@dataclass(frozen=True)
class JobRow:
    """A background job as the shared progress partial (partials/job_status.jinja) shows it."""

    id: int
    status: str
    status_label: str
    progress: int
    active: bool
    done: bool
    failed: bool
    error: str
    size: str
    created_by: str
    created_at: object


def job_state(job: BackgroundJob) -> dict:
    """The JobRow fields of any background job (board pack, register export)."""
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": JOB_LABEL.get(job.status, job.status),
        "progress": 100 if job.status == JobStatus.DONE else job.progress,
        "active": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
        "done": job.status == JobStatus.DONE,
        "failed": job.status == JobStatus.FAILED,
        "error": job.error,
        "size": f"{job.size_bytes / 1024:,.0f} KB" if job.size_bytes else "",
        "created_by": job.created_by.display_name,
        "created_at": job.created_at,
    }


# --- the header and footer ------------------------------------------------------------------------


@dataclass(frozen=True)
class Chrome:
    account: dict | None
    navigation: list[dict]
    messages: list[str]
    footer_links: list[dict]


NAV = (
    ("dashboard", "Dashboard", "web:dashboard", Action.VIEW),
    ("register", "Register", "web:register", Action.VIEW),
    ("validation", "Validation queue", "web:validation_queue", Action.VALIDATE),
    ("periods", "Periods", "web:periods", Action.CLOSE_PERIOD),
    ("reference", "Unit costs and targets", "web:unit_costs", Action.EDIT_REFERENCE),
    ("board_packs", "Board packs", "web:board_packs", Action.VIEW),
    ("imports", "Excel", "web:imports", Action.VIEW),  # benefits/web/excel.py: import and export
)


def page_chrome(request, current: str = "") -> Chrome:
    """The header: the user's name, role and trusts, sign-out, and the pages their role uses."""
    user = getattr(request, "user", None)
    msgs = [str(m) for m in messages.get_messages(request)] if hasattr(request, "_messages") else []
    footer = [{"href": reverse("api-docs"), "text": "API documentation"}]
    if user is None or not user.is_authenticated:
        return Chrome(account=None, navigation=[], messages=msgs, footer_links=footer)
    trusts = ", ".join(trust_codes(user)) or "no trust"
    role = label_of(Role, user.role) if user.role else "No role"
    sign_out = Markup(
        '<form class="nhsuk-header__account-form" method="post" action="{}">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<button class="nhsuk-header__account-button" type="submit">Sign out</button></form>'
    ).format(reverse("web:logout"), get_token(request))
    who = Markup('<span class="app-account-name">{}</span> <span class="app-account-role">{} · {}</span>').format(
        user.display_name, role, trusts)
    account = {"ariaLabel": "Your account", "items": [{"html": who, "icon": True}, {"html": sign_out}]}
    navigation = [
        {"href": reverse(name), "text": text, "current": key == current} for key, text, name, action in NAV if can(user, action)
    ]
    return Chrome(account=account, navigation=navigation, messages=msgs, footer_links=footer)
