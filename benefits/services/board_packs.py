"""Board packs: requested by an executive, built in the background into a stored, reproducible PDF.

API.md "board-packs": `POST` answers 202 at once; a task (through the outbox) builds the pack,
reporting `progress` as it goes; a failure ends in `failed` with a readable `error` (ADR 0030).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from benefits.models import BoardPack, OutboxMessage, RollupSnapshot, User
from benefits.models.choices import JobStatus, SnapshotTrigger
from benefits.policy import Action, require
from benefits.reports.board_pack import pack_context
from benefits.reports.rendering import render_html, render_pdf
from benefits.selectors.board_pack import previous_snapshot

from . import audit
from .common import clean_period
from .snapshots import take_snapshot

log = logging.getLogger(__name__)

BUILD_TASK = "benefits.tasks.build_board_pack"
TEMPLATE = "reports/board_pack.html"
SYSTEM = "board_pack"


def request_board_pack(*, user: User, as_at: object) -> BoardPack:
    """Queue a pack for `as_at` (`YYYY-MM`): the row (`queued`) and its outbox message commit together."""
    require(user, Action.GENERATE_BOARD_PACK, what="generate board packs")
    month = clean_period(as_at, "as_at")
    with transaction.atomic():
        pack = BoardPack.objects.create(as_at=month, created_by=user)
        OutboxMessage.objects.create(task=BUILD_TASK, kwargs={"board_pack_id": pack.pk})
        audit.record(
            user=user,
            action="benefits.board_pack.requested",
            object_type="board_pack",
            object_id=pack.pk,
            changes={"as_at": [None, month], "status": [None, JobStatus.QUEUED]},
        )
    return pack


def filename(pack: BoardPack) -> str:
    """What the download is called (API.md): `board-pack-YYYY-MM.pdf`."""
    return f"board-pack-{pack.as_at}.pdf"


def _set_progress(pack_id: int, progress: int, **fields: object) -> None:
    """One committed UPDATE, so a page polling the pack sees the build move (we are not in a transaction)."""
    BoardPack.objects.filter(pk=pack_id).update(progress=progress, **fields)


def _try_lock(pack_id: int) -> bool:
    """A session advisory lock per pack: a duplicate delivery of the task leaves while one builds."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext('benefits.board_pack'), (%s %% 2147483647)::int)", [pack_id])
        return bool(cursor.fetchone()[0])


def _unlock(pack_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(hashtext('benefits.board_pack'), (%s %% 2147483647)::int)", [pack_id])


def render_snapshot(snapshot: RollupSnapshot, *, on_progress: Callable[[str], None] | None = None):
    """The PDF of one snapshot (a `RenderedPdf`): the same snapshot gives the same bytes."""
    context = pack_context(snapshot=snapshot, previous=previous_snapshot(snapshot))
    html = render_html(TEMPLATE, context)
    if on_progress:
        on_progress("html")
    return render_pdf(html, created=snapshot.taken_at, identifier=f"board-pack:snapshot:{snapshot.pk}", on_progress=on_progress)


def build_board_pack(*, board_pack_id: int) -> BoardPack | None:
    """Build the pack (idempotent): take its snapshot, render, store the PDF; `done` or `failed`.

    A pack already `done` is left alone; a retried build reuses the snapshot it stored, so the
    figures never change between attempts. Runs outside any transaction: each step commits.
    """
    pack = BoardPack.objects.filter(pk=board_pack_id).first()
    if pack is None:
        log.warning("board pack %s no longer exists; nothing to build", board_pack_id)
        return None
    if pack.status == JobStatus.DONE:
        return pack
    if not _try_lock(pack.pk):
        log.info("board pack %s is being built by another worker", pack.pk)
        return pack
    try:
        pack.refresh_from_db()
        if pack.status == JobStatus.DONE:
            return pack
        _set_progress(pack.pk, 0, status=JobStatus.RUNNING, error="", finished_at=None)
        try:
            _build(pack)
        except Exception as exc:  # any failure is the user's to see, not a silent retry loop
            log.exception("board pack %s failed", pack.pk)
            _fail(pack, exc)
    finally:
        _unlock(pack.pk)
    pack.refresh_from_db()
    return pack


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
    name = f"board-packs/board-pack-{pack.as_at}-{pack.pk}.pdf"
    if default_storage.exists(name):  # a retry after the file was written but before `done`
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(rendered.pdf))
    _set_progress(pack.pk, 95)
    with transaction.atomic():
        BoardPack.objects.filter(pk=pack.pk).update(
            status=JobStatus.DONE,
            progress=100,
            file=stored,
            sha256=rendered.sha256,
            pages=rendered.pages,
            size_bytes=len(rendered.pdf),
            finished_at=timezone.now(),
            version=F("version") + 1,
        )
        audit.record(
            user=None,
            system=SYSTEM,
            action="benefits.board_pack.built",
            object_type="board_pack",
            object_id=pack.pk,
            changes={"status": [JobStatus.RUNNING, JobStatus.DONE], "snapshot": [None, snapshot.pk], "sha256": [None, rendered.sha256]},
        )


def _fail(pack: BoardPack, exc: Exception) -> None:
    detail = str(exc).strip() or type(exc).__name__
    error = (
        f"The board pack for {pack.as_at} could not be built: {detail[:500]}. "
        "Request it again; if it fails again, tell the service desk and quote board pack "
        f"{pack.pk}."
    )
    with transaction.atomic():
        BoardPack.objects.filter(pk=pack.pk).update(
            status=JobStatus.FAILED, error=error, finished_at=timezone.now(), version=F("version") + 1
        )
        audit.record(
            user=None,
            system=SYSTEM,
            action="benefits.board_pack.failed",
            object_type="board_pack",
            object_id=pack.pk,
            changes={"status": [JobStatus.RUNNING, JobStatus.FAILED]},
            reason=error,
        )
