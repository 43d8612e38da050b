"""Files built in the background and the imports people made, as the pages list them."""

from __future__ import annotations

from benefits.models import BoardPack, ExportJob, ImportBatch


def recent_board_packs(limit: int = 50) -> list[BoardPack]:
    """The latest board packs asked for, newest first, with who asked."""
    return list(BoardPack.objects.select_related("created_by").order_by("-created_at", "-id")[:limit])


def board_pack(pack_id: int) -> BoardPack | None:
    return BoardPack.objects.select_related("created_by").filter(pk=pack_id).first()


def export_job(job_id: int) -> ExportJob | None:
    return ExportJob.objects.select_related("created_by").filter(pk=job_id).first()


def recent_imports(limit: int = 20) -> list[ImportBatch]:
    """The latest committed imports, newest first, with who made them."""
    return list(ImportBatch.objects.select_related("created_by").order_by("-created_at", "-id")[:limit])
