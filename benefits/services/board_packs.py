"""Board packs: requested by an executive, built in the background into a stored, reproducible PDF.

API.md "board-packs": `POST` answers 202 at once; a task (through the outbox) builds the pack,
reporting `progress` as it goes; a failure ends in `failed` with a readable `error` (ADR 0030).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db.models import F

from benefits.models import BoardPack, RollupSnapshot, User
from benefits.models.choices import SnapshotTrigger
from benefits.policy import Action, require
from benefits.reports.board_pack import pack_context
from benefits.reports.rendering import render_html, render_pdf
from benefits.selectors.board_pack import previous_snapshot

from . import jobs
from .common import clean_period
from .snapshots import take_snapshot

BUILD_TASK = "benefits.tasks.build_board_pack"
TEMPLATE = "reports/board_pack.html"
SYSTEM = "board_pack"
LOCK = "benefits.board_pack"  # the advisory lock's namespace (a duplicate delivery leaves while one builds)


def request_board_pack(*, user: User, as_at: object) -> BoardPack:
    """Queue a pack for `as_at` (`YYYY-MM`): the row (`queued`) and its outbox message commit together."""
    require(user, Action.GENERATE_BOARD_PACK, what="generate board packs")
    month = clean_period(as_at, "as_at")
    return jobs.enqueue(
        BoardPack, task=BUILD_TASK, kwarg="board_pack_id", user=user, object_type="board_pack",
        changes={"as_at": [None, month]}, as_at=month,
    )


def filename(pack: BoardPack) -> str:
    """What the download is called (API.md): `board-pack-YYYY-MM.pdf`."""
    return f"board-pack-{pack.as_at}.pdf"


def _set_progress(pack_id: int, progress: int, **fields: object) -> None:
    jobs.set_progress(BoardPack, pack_id, progress, **fields)


def render_snapshot(snapshot: RollupSnapshot, *, on_progress: Callable[[str], None] | None = None):
    """The PDF of one snapshot (a `RenderedPdf`): the same snapshot gives the same bytes."""
    context = pack_context(snapshot=snapshot, previous=previous_snapshot(snapshot))
    html = render_html(TEMPLATE, context)
    if on_progress:
        on_progress("html")
    return render_pdf(html, created=snapshot.taken_at, on_progress=on_progress)


def build_board_pack(*, board_pack_id: int) -> BoardPack | None:
    """Build the pack (idempotent): take its snapshot, render, store the PDF; `done` or `failed`.

    A pack already `done` is left alone; a retried build reuses the snapshot it stored, so the
    figures never change between attempts. Runs outside any transaction: each step commits.
    """
    return jobs.run_job(BoardPack, board_pack_id, lock=LOCK, build=_build, fail=_fail)


def _build(pack: BoardPack) -> None:
    snapshot = pack.snapshot
    if snapshot is None:
        snapshot = take_snapshot(
            as_at=pack.as_at, trigger=SnapshotTrigger.MANUAL, trigger_key=f"board_pack:{pack.pk}", user=pack.created_by
        )
        BoardPack.objects.filter(pk=pack.pk).update(snapshot=snapshot)
    _set_progress(pack.pk, 20)
    steps = {"html": 35, "laid out": 80, "written": 90}
    rendered = render_snapshot(snapshot, on_progress=lambda step: _set_progress(pack.pk, steps[step]))
    stored = jobs.store(f"board-packs/board-pack-{pack.as_at}-{pack.pk}.pdf", ContentFile(rendered.pdf))
    _set_progress(pack.pk, 95)
    jobs.mark_done(
        BoardPack,
        pack.pk,
        system=SYSTEM,
        object_type="board_pack",
        changes={"snapshot": [None, snapshot.pk], "sha256": [None, rendered.sha256]},
        file=stored,
        sha256=rendered.sha256,
        pages=rendered.pages,
        size_bytes=len(rendered.pdf),
        version=F("version") + 1,
    )


def _fail(pack: BoardPack, exc: Exception) -> None:
    error = (
        f"The board pack for {pack.as_at} could not be built: {jobs.failure_detail(exc)}. "
        "Request it again; if it fails again, tell the service desk and quote board pack "
        f"{pack.pk}."
    )
    jobs.mark_failed(BoardPack, pack.pk, error=error, system=SYSTEM, object_type="board_pack", version=F("version") + 1)
