"""Board packs: ask for a month's pack, watch it being built (htmx polls), download the PDF.

Building is a job (services.board_packs, ADR 0030); these pages list the latest packs and show
one pack's progress with the shared job partial.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from benefits.errors import Conflict, ValidationFailed
from benefits.finance.calendar import is_period, month_name
from benefits.models.choices import JobStatus
from benefits.policy import Action, can, require
from benefits.selectors.jobs import board_pack, recent_board_packs
from benefits.selectors.periods import reporting_month
from benefits.services import board_packs as board_pack_services

from .http import job_progress, not_found_page, page_view, render_page
from .layout import JobRow, job_state, month_options

if TYPE_CHECKING:
    from benefits.models import BoardPack, User


@dataclass(frozen=True)
class PackRow(JobRow):
    as_at: str
    month: str
    sha256: str
    pages: int | None
    download_href: str
    progress_href: str


def pack_row(p: BoardPack) -> PackRow:
    return PackRow(
        **job_state(p),
        as_at=p.as_at,
        month=month_name(p.as_at),
        sha256=p.sha256,
        pages=p.pages,
        download_href=reverse("web:board_pack_download", args=[p.pk]),
        progress_href=reverse("web:board_pack_progress", args=[p.pk]),
    )


def board_packs_page(*, user: User, packs: list[BoardPack], selected: str, reporting: str) -> dict:
    return {
        "packs": [pack_row(p) for p in packs],
        "months": month_options(selected, last=reporting),
        "can_generate": can(user, Action.GENERATE_BOARD_PACK),
    }


@page_view
@require_http_methods(["GET", "POST"])
def board_packs(request: HttpRequest) -> HttpResponse:
    errors = []
    reporting = reporting_month()
    selected = request.POST.get("as_at") or request.GET.get("as_at") or reporting
    if request.method == "POST":
        require(request.user, Action.GENERATE_BOARD_PACK, what="generate board packs")
        try:
            pack = board_pack_services.request_board_pack(user=request.user, as_at=selected)
        except (ValidationFailed, Conflict) as exc:
            errors.append({"text": exc.message, "href": "#as_at"})
        else:
            messages.success(request, f"The board pack for {month_name(pack.as_at)} is being built.")
            return redirect(reverse("web:board_packs") + f"#pack-{pack.pk}")
    if not is_period(selected):
        selected = reporting
    page = board_packs_page(user=request.user, packs=recent_board_packs(50), selected=selected, reporting=reporting)
    return render_page(request, "benefits/board_packs.jinja", {"page": page, "nav_current": "board_packs", "page_errors": errors},
                       status=400 if errors else 200)


@page_view
def board_pack_progress(request: HttpRequest, pack_id: int) -> HttpResponse:
    """htmx polls this while a pack is built; 286 tells htmx 2 to stop polling once it is done."""
    pack = board_pack(pack_id)
    if pack is None:
        return not_found_page(request, f"There is no board pack {pack_id}.")
    row = pack_row(pack)
    return job_progress(request, "benefits/partials/board_pack_row.jinja", {"pack": row}, active=row.active)


@page_view
def board_pack_download(request: HttpRequest, pack_id: int) -> HttpResponse:
    pack = board_pack(pack_id)
    if pack is None:
        return not_found_page(request, f"There is no board pack {pack_id}.")
    if pack.status != JobStatus.DONE or not pack.file:
        raise Conflict(f"The board pack for {month_name(pack.as_at)} is not ready yet ({pack.status}). Try again in a moment.")
    return FileResponse(pack.file.open("rb"), as_attachment=True, filename=f"board-pack-{pack.as_at}.pdf",
                        content_type="application/pdf")


urlpatterns = [
    path("board-packs/", board_packs, name="board_packs"),
    path("board-packs/<int:pack_id>/progress/", board_pack_progress, name="board_pack_progress"),
    path("board-packs/<int:pack_id>/download/", board_pack_download, name="board_pack_download"),
]
