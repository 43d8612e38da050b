"""Register exports from the pages: the workbook at once, or a job a worker builds into a stored xlsx
when it is too large for a request (issue 8, ADR 0055).

`export_register` is the pages' one door: when the filtered register has more than
`settings.EXPORT_BACKGROUND_LINES` benefit lines it queues a job, below that it answers with the
file at once; the API always does the latter (API.md). The job keeps who asked and their
filters; the worker builds the workbook from the same selectors as the synchronous export, for
that user's view of the register, reporting progress as rows are written, and stores it with its
size and sha256. Only that user or an admin may download it. Queued, run and failed like the
board pack (ADR 0030).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Mapping

from django.conf import settings
from django.core.files import File

from benefits.errors import NotAllowed
from benefits.excel.exports import register_sheets, register_workbook
from benefits.excel.writer import write_workbook
from benefits.finance.calendar import FinancialYear
from benefits.models import ExportJob, User
from benefits.policy import Action, can, require
from benefits.selectors.exports import register_export, register_line_count
from benefits.selectors.register import RegisterFilter, filtered_register

from . import jobs

BUILD_TASK = "benefits.tasks.build_register_export"
SYSTEM = "register_export"
LOCK = "benefits.register_export"
# Progress: the reads take the first 10 %, writing the rows up to 90 %, storing the file the rest.
READ, WRITTEN, STORED = 10, 90, 95


def builds_in_background(lines: int) -> bool:
    """Whether an export of this many benefit lines is a job rather than a download at once."""
    return lines > settings.EXPORT_BACKGROUND_LINES


def export_register(*, user: User, filters: Mapping[str, object], fy: FinancialYear | None) -> bytes | ExportJob:
    """The register as `user` sees it with `filters` (RegisterFilter's names; an invalid one is left out),
    for one year or every year with figures: the workbook now, or a queued job when it is large."""
    require(user, Action.VIEW, what="export the register")
    chosen = filtered_register(user, filters)
    lines = register_line_count(chosen.selected)
    if not builds_in_background(lines):
        return register_workbook(register_export(initiatives=chosen.selected, fy=fy))
    return request_register_export(user=user, filters=chosen.applied, fy=fy, lines=lines)


def request_register_export(*, user: User, filters: Mapping[str, str], fy: FinancialYear | None, lines: int) -> ExportJob:
    """Queue an export of the register as `user` sees it with `filters`: the job and its outbox message commit together."""
    require(user, Action.VIEW, what="export the register")
    kept = {name: str(filters[name])[:100] for name in RegisterFilter.Meta.fields if filters.get(name)}
    label = fy.label if fy else ""
    return jobs.enqueue(
        ExportJob, task=BUILD_TASK, kwarg="export_id", user=user, object_type="export",
        changes={"filters": [None, kept], "fy": [None, label], "lines": [None, lines]}, filters=kept, fy=label, lines=lines,
    )


def require_access(*, user: User, job: ExportJob) -> None:
    """An export holds its requester's view of the register: only they, or an admin, may fetch it."""
    if job.created_by_id != user.pk and not can(user, Action.ADMINISTER):
        raise NotAllowed("This export was asked for by someone else. Export the register yourself to get the file.")


def filename(fy: FinancialYear | None) -> str:
    """What the download is called, as the API names it: `benefits-register[-2025-26].xlsx`."""
    return f"benefits-register-{fy.sheet_name}.xlsx" if fy else "benefits-register.xlsx"


def build_register_export(*, export_id: int) -> ExportJob | None:
    """Build the export (idempotent): read, write the workbook, store it; `done` or `failed`."""
    return jobs.run_job(ExportJob, export_id, lock=LOCK, build=_build, fail=_fail)


def _build(job: ExportJob) -> None:
    initiatives = filtered_register(job.created_by, job.filters).selected
    export = register_export(initiatives=initiatives, fy=FinancialYear.parse(job.fy) if job.fy else None)
    jobs.set_progress(ExportJob, job.pk, READ)
    rows = max(1, len(export.lines) * len(export.fys))
    shown = [READ]

    def on_rows(written: int) -> None:
        progress = READ + (WRITTEN - READ) * written // rows
        if progress > shown[-1]:  # one UPDATE per percent, not per few hundred rows
            shown.append(progress)
            jobs.set_progress(ExportJob, job.pk, progress)

    with tempfile.TemporaryFile() as out:  # the workbook never has to fit in memory
        write_workbook(register_sheets(export), out, on_rows=on_rows)
        size = out.tell()
        out.seek(0)
        digest = hashlib.file_digest(out, "sha256").hexdigest()
        out.seek(0)
        stored = jobs.store(f"exports/register-export-{job.pk}.xlsx", File(out, name="register.xlsx"))
    jobs.set_progress(ExportJob, job.pk, STORED)
    jobs.mark_done(
        ExportJob,
        job.pk,
        system=SYSTEM,
        object_type="export",
        changes={"lines": [None, len(export.lines)], "sha256": [None, digest]},
        file=stored,
        sha256=digest,
        size_bytes=size,
    )


def _fail(job: ExportJob, exc: Exception) -> None:
    error = (
        f"The register export could not be built: {jobs.failure_detail(exc)}. "
        f"Ask for it again from the register; if it fails again, tell the service desk and quote export {job.pk}."
    )
    jobs.mark_failed(ExportJob, job.pk, error=error, system=SYSTEM, object_type="export")
